"""Roman numerals of English text read as numbers, for ``english_cleaners_plus`` only.

espeak-ng reads "II" as "roman two", and a grapheme model sees letters, so a numeral is
spelled out where the word before it makes it safe: a regnal name takes "the" and the
ordinal ("Henry VIII" -> "Henry the eighth"); any other capitalised word takes the cardinal
("World War II" -> "World War two", "Chapter IV" -> "Chapter four"). Only upper-case numerals
of I, V and X from 2 to 39 are read, and of at least two letters ("Henry V" and "Pius X"
excepted), so "I", "DC", "CV", "XL" or "MIX" stay as they are.
"""

import re

from TTS.tts.utils.text.english.number_norm import cardinal, ordinal

# Names that take an ordinal: monarchs and popes.
REGNAL_NAMES = frozenset(
    "Henry Edward George William Richard John James Charles Louis Elizabeth Mary Anne Victoria Philip Felipe "
    "Frederick Ferdinand Alfonso Napoleon Peter Catherine Ivan Nicholas Alexander Gustav Olaf Haakon Christian "
    "Constantine Ramesses Ptolemy Leo Pius Benedict Gregory Innocent Clement Paul Urban Boniface Sixtus".split()
)
_NUMERAL = r"X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3}"
_ROMAN_RE = re.compile(r"\b([A-Z][a-z]+) (%s)\b(?![\-.]\w)" % _NUMERAL)
_VALUES = {"I": 1, "V": 5, "X": 10}


def roman_to_int(numeral: str) -> int:
    """ "XIV" -> 14 (a valid numeral of I, V and X)."""
    values = [_VALUES[char] for char in numeral]
    return sum(-value if value < after else value for value, after in zip(values, values[1:] + [0]))


def _expand(match: re.Match) -> str:
    word, numeral = match.groups()
    if word in REGNAL_NAMES:
        if numeral == "I":
            return match.group(0)
        return f"{word} the {ordinal(roman_to_int(numeral))}"
    if len(numeral) < 2:
        return match.group(0)
    return f"{word} {cardinal(roman_to_int(numeral))}"


def expand_roman_numerals(text: str) -> str:
    """ "World War II" -> "World War two", "Henry VIII" -> "Henry the eighth"; "I", "CV", "Malcolm X" are kept."""
    return _ROMAN_RE.sub(_expand, text)
