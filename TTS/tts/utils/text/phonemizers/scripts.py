"""Which writing system a phonemizer language reads, and which words of a text are written in another.

espeak-ng reads letters outside its voice's script by their names ("Chinese letter") or
switches to another voice for them; ``foreign_words`` finds those words so that the
phonemizer can say so instead of producing letter names silently.
"""

import unicodedata
from typing import Dict, FrozenSet, List

LATIN = frozenset({"LATIN"})
CYRILLIC = frozenset({"CYRILLIC"})
ARABIC = frozenset({"ARABIC"})
DEVANAGARI = frozenset({"DEVANAGARI"})
CJK = frozenset({"CJK"})

# Scripts (the first word of a letter's Unicode name) of the espeak-ng languages not written in
# Latin letters, by full code first, then by the code before the first "-". Other languages: Latin.
LANGUAGE_SCRIPTS: Dict[str, FrozenSet[str]] = {
    "am": frozenset({"ETHIOPIC"}),
    "ti": frozenset({"ETHIOPIC"}),
    "ar": ARABIC,
    "fa": ARABIC,
    "fa-latn": LATIN,
    "sd": ARABIC,
    "ug": ARABIC,
    "ur": ARABIC,
    "as": frozenset({"BENGALI"}),
    "bn": frozenset({"BENGALI"}),
    "bpy": frozenset({"BENGALI"}),
    "ba": CYRILLIC,
    "be": CYRILLIC,
    "bg": CYRILLIC,
    "cv": CYRILLIC,
    "kk": CYRILLIC,
    "ky": CYRILLIC,
    "mk": CYRILLIC,
    "nog": CYRILLIC,
    "ru": CYRILLIC,
    "tt": CYRILLIC,
    "uk": CYRILLIC,
    "sr": CYRILLIC | LATIN,
    "chr": frozenset({"CHEROKEE"}) | LATIN,
    "cmn": CJK,
    "cmn-latn-pinyin": CJK | LATIN,
    "hak": CJK,
    "yue": CJK,
    "zh": CJK,
    "ja": CJK | frozenset({"HIRAGANA", "KATAKANA"}),
    "ko": frozenset({"HANGUL"}) | CJK,
    "el": frozenset({"GREEK"}),
    "grc": frozenset({"GREEK"}),
    "en-shaw": frozenset({"SHAVIAN"}),
    "gu": frozenset({"GUJARATI"}),
    "he": frozenset({"HEBREW"}),
    "hi": DEVANAGARI,
    "kok": DEVANAGARI,
    "mr": DEVANAGARI,
    "ne": DEVANAGARI,
    "hy": frozenset({"ARMENIAN"}),
    "hyw": frozenset({"ARMENIAN"}),
    "ka": frozenset({"GEORGIAN"}),
    "kn": frozenset({"KANNADA"}),
    "ml": frozenset({"MALAYALAM"}),
    "my": frozenset({"MYANMAR"}),
    "shn": frozenset({"MYANMAR"}),
    "or": frozenset({"ORIYA"}),
    "pa": frozenset({"GURMUKHI"}),
    "si": frozenset({"SINHALA"}),
    "ta": frozenset({"TAMIL"}),
    "te": frozenset({"TELUGU"}),
    "th": frozenset({"THAI"}),
}


def language_scripts(language: str) -> FrozenSet[str]:
    """Scripts ``language`` ("en-us", "ru", "cmn", ...) is written in, as Unicode name prefixes ("LATIN", "CJK")."""
    code = language.lower()
    return LANGUAGE_SCRIPTS.get(code) or LANGUAGE_SCRIPTS.get(code.split("-")[0], LATIN)


# letters whose Unicode name does not begin with their script: Spanish, Portuguese and Italian ordinals
# (1º, 3ª: Latin script in Unicode's Scripts.txt; espeak reads "1º" as "primero")
NAMELESS_SCRIPT = {"\u00aa": "LATIN", "\u00ba": "LATIN"}


def letter_script(char: str) -> str:
    """The script of a letter from its Unicode name ("é" -> "LATIN", "я" -> "CYRILLIC", "你" -> "CJK")."""
    if char in NAMELESS_SCRIPT:
        return NAMELESS_SCRIPT[char]
    name = unicodedata.name(char, "").split()
    if name and name[0] in ("FULLWIDTH", "HALFWIDTH"):
        name = name[1:]
    return name[0] if name else ""


def _strip_punctuation(word: str) -> str:
    begin, end = 0, len(word)
    while begin < end and unicodedata.category(word[begin]).startswith("P"):
        begin += 1
    while end > begin and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[begin:end]


def foreign_words(text: str, language: str) -> List[str]:
    """Words of ``text`` (split at spaces) holding a letter outside the scripts of ``language``, in order, once each.

    Only letters count: digits, punctuation and symbols are read in any script. Punctuation
    around a word is not part of it ("мир!" -> "мир").
    """
    scripts = language_scripts(language)
    words: List[str] = []
    for word in text.split():
        word = _strip_punctuation(word)
        if word not in words and any(
            unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lo") and letter_script(char) not in scripts
            for char in word
        ):
            words.append(word)
    return words
