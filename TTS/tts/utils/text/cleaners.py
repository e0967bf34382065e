"""Text cleaners: the normalisation applied to every input before it is tokenised.

A cleaner is a function ``cleaner(text, lang=None) -> str``; ``lang`` is a language
code such as "en" (the part of "en-us" before the '-'), or ``None`` when unknown.
Cleaners are looked up by the config's ``text_cleaner`` name in ``CLEANERS``.

The cleaners with Coqui's names reproduce Coqui's output, since the token ids a
checkpoint was trained on depend on it. In particular ``english_cleaners`` and
``phoneme_cleaners`` leave a '%' in the text (a grapheme vocabulary then drops it
as an unknown character; espeak-ng reads it as "percent"), and abbreviations are
expanded only when ``lang`` names a language with an abbreviation list.

For new English models use ``english_cleaners_plus``: everything
``english_cleaners`` does, plus percent, typographic quotes and dashes, and the
symbols & + @ = # ° read aloud, with English assumed when ``lang`` is None.
"""

import re
import unicodedata
from typing import Callable, Dict, List, Optional, Pattern, Tuple

from TTS.config.errors import ConfigError
from TTS.tts.utils.text.english.abbreviations import ABBREVIATIONS_EN, ABBREVIATIONS_EN_PLUS
from TTS.tts.utils.text.english.number_norm import expand_percent, normalize_numbers, normalize_numbers_plus
from TTS.tts.utils.text.english.roman_numerals import expand_roman_numerals
from TTS.tts.utils.text.english.time_norm import expand_time_english, expand_time_english_plus
from TTS.tts.utils.text.french.abbreviations import ABBREVIATIONS_FR, ABBREVIATIONS_FR_UNDOTTED
from TTS.tts.utils.text.spanish.number_norm import expand_spanish_numbers

Cleaner = Callable[..., str]


def _compile(pairs: List[Tuple[str, str]], *, dotted: bool) -> List[Tuple[Pattern, str]]:
    if dotted:
        return [(re.compile(r"\b%s\." % re.escape(abbr), re.IGNORECASE), full) for abbr, full in pairs]
    return [(re.compile(r"\b%s\b" % re.escape(abbr)), full) for abbr, full in pairs]


# language code -> (pattern, expansion), applied in order
ABBREVIATIONS: Dict[str, List[Tuple[Pattern, str]]] = {
    "en": _compile(ABBREVIATIONS_EN, dotted=True),
    "fr": _compile(ABBREVIATIONS_FR, dotted=True) + _compile(ABBREVIATIONS_FR_UNDOTTED, dotted=False),
}

# ``english_cleaners_plus``, before lowercasing: abbreviations whose reading depends on context
_ENGLISH_CONTEXT: List[Tuple[Pattern, str]] = [
    # "Elm St., ..." / "on 5th St." -> street; "St. Louis" stays saint
    (re.compile(r"\b([A-Z][a-z]+|\d+(?:st|nd|rd|th)) St\.(?=\s+[a-z]|\s*[,;:!?)]|\s*$)"), r"\1 Street"),
    (re.compile(r"\bNo\.(?=\s*\d)", re.IGNORECASE), "number"),
    # "7 p.m." / "7pm" -> "7 p m" (after the clock times, which take their own a.m./p.m.)
    (re.compile(r"(?<=\d)\s*([ap])(?:\.\s?m\.|m\b)", re.IGNORECASE), r" \1 m"),
]
# a.m./p.m. that ends a sentence: its dot is also the full stop, kept as "am." for the rules above
_FINAL_AM_PM_RE = re.compile(r"\b([ap])\.\s?m\.(?=\s+(?-i:[A-Z])|\s*$)", re.IGNORECASE)
# dotted abbreviations of ``ABBREVIATIONS_EN_PLUS``; one that ends the text keeps a full stop
_ENGLISH_PLUS: List[Tuple[Pattern, str]] = [
    (re.compile(r"\b%s\.(\s*$)?" % re.escape(abbr), re.IGNORECASE), full) for abbr, full in ABBREVIATIONS_EN_PLUS
]

# language code -> how '&' is read
AMPERSAND_WORDS: Dict[str, str] = {"en": "and", "fr": "et", "pt": "e", "ca": "i", "es": "y"}

# Latin letters that have no Unicode decomposition, for ``convert_to_ascii``.
_ASCII_LETTERS = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "ħ": "h", "Ħ": "H",
    }
)  # fmt: skip
# Typographic punctuation to its ASCII form.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": ",", "\u2015": ",",
        "\u2026": "...", "\u00a0": " ",
    }
)  # fmt: skip
# an en dash between numbers is a range: kept as a hyphen without spaces ("10 – 12" -> "10-12")
_NUMBER_RANGE_DASH_RE = re.compile(r"(?<=\d)\s*\u2013\s*(?=\d)")
_EM_DASH_RE = re.compile(r"\s*[\u2014\u2015]\s*")
_WHITESPACE_RE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION_RE = re.compile(r"\s+(?=[,.!?;:])")
_AUX_SYMBOLS_RE = re.compile(r"[<>()\[\]\"]+")
# symbols of English text read aloud by ``english_cleaners_plus`` (after percent)
_ENGLISH_SYMBOLS: List[Tuple[Pattern, str]] = [
    (re.compile(r"#\s?(?=\d)"), " number "),
    (re.compile(r"\s?°\s?c\b", re.IGNORECASE), " degrees celsius "),
    (re.compile(r"\s?°\s?f\b", re.IGNORECASE), " degrees fahrenheit "),
    (re.compile(r"°"), " degrees "),
    (re.compile(r"\s?‰"), " per mille "),
    (re.compile(r"&"), " and "),
    (re.compile(r"\+"), " plus "),
    (re.compile(r"="), " equals "),
    (re.compile(r"@"), " at "),
]


def _base_language(lang: Optional[str]) -> Optional[str]:
    return lang.split("-")[0].lower() if lang else None


# --- building blocks ---------------------------------------------------------------------------


def normalize_unicode(text: str) -> str:
    """Compose characters (NFC), so "e" + combining acute becomes one symbol "é"."""
    return unicodedata.normalize("NFC", text)


def lowercase(text: str) -> str:
    return text.lower()


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (newlines and tabs included) become one space; the ends are stripped."""
    return _WHITESPACE_RE.sub(" ", text).strip()


def normalize_typography(text: str) -> str:
    """Curly quotes and primes to ASCII quotes, en dashes to '-', em dashes to ', ', an ellipsis to '...'."""
    return _EM_DASH_RE.sub(", ", text).translate(_TYPOGRAPHY)


def convert_to_ascii(text: str) -> str:
    """Transliterate Latin text to ASCII: accents dropped ("café" -> "cafe"), "ß" -> "ss", typographic quotes to ASCII.

    Characters with no ASCII form (other scripts) are kept; the tokenizer reports
    them if they are not in the vocabulary.
    """
    text = normalize_typography(text).translate(_ASCII_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expand_abbreviations(text: str, lang: Optional[str]) -> str:
    """Expand the abbreviations of ``lang`` ("Dr." -> "doctor" for "en"); unchanged for other languages and None."""
    for pattern, expansion in ABBREVIATIONS.get(_base_language(lang), []):
        text = pattern.sub(expansion, text)
    return text


def replace_symbols(text: str, lang: Optional[str]) -> str:
    """';' and ':' -> ',', '-' -> ' ' (Catalan: removed, as is "'"), '&' -> the word of ``lang`` (kept for None)."""
    lang = _base_language(lang)
    text = text.replace(";", ",").replace(":", ",")
    text = text.replace("-", "" if lang == "ca" else " ")
    if lang == "ca":
        text = text.replace("'", "")
    if lang in AMPERSAND_WORDS:
        text = text.replace("&", f" {AMPERSAND_WORDS[lang]} ")
    return text


def expand_abbreviations_english_plus(text: str) -> str:
    """Context-dependent and extra English abbreviations ("Elm St." -> street, "No. 5", "p.m.", "e.g.", "Jan.")."""
    for pattern, words in _ENGLISH_CONTEXT:
        text = pattern.sub(words, text)
    for pattern, full in _ENGLISH_PLUS:
        text = pattern.sub(lambda m, full=full: full + ("." if m.group(1) is not None else ""), text)
    return text


def remove_aux_symbols(text: str) -> str:
    """Remove brackets and double quotes: < > ( ) [ ] "."""
    return _AUX_SYMBOLS_RE.sub("", text)


def expand_symbols_english(text: str) -> str:
    """Read symbols aloud: "#5" -> "number 5", "20°C" -> "20 degrees celsius", & + = @ -> and, plus, equals, at."""
    for pattern, words in _ENGLISH_SYMBOLS:
        text = pattern.sub(words, text)
    return text


# --- cleaners ----------------------------------------------------------------------------------


def basic_cleaners(text: str, lang: Optional[str] = None) -> str:
    """Lowercase and collapse whitespace; for any language."""
    return collapse_whitespace(lowercase(text))


def transliteration_cleaners(text: str, lang: Optional[str] = None) -> str:
    """ASCII transliteration, lowercase, collapse whitespace; for Latin-script languages."""
    return collapse_whitespace(lowercase(convert_to_ascii(text)))


def english_cleaners(text: str, lang: Optional[str] = None) -> str:
    """English graphemes (Coqui's): lowercase, times, numbers, currency, abbreviations, symbols; '%' kept."""
    text = lowercase(normalize_unicode(text))
    text = expand_time_english(text)
    text = normalize_numbers(text)
    text = expand_abbreviations(text, lang)
    text = replace_symbols(text, lang)
    return collapse_whitespace(remove_aux_symbols(text))


def phoneme_cleaners(text: str, lang: Optional[str] = None) -> str:
    """English input to the phonemizer (Coqui's): as ``english_cleaners`` but the case is kept.

    Numbers are spelled out in English whatever ``lang`` is; use
    ``multilingual_phoneme_cleaners`` for other languages.
    """
    text = normalize_unicode(text)
    text = expand_time_english(text)
    text = normalize_numbers(text)
    text = expand_abbreviations(text, lang)
    text = replace_symbols(text, lang)
    return collapse_whitespace(remove_aux_symbols(text))


def english_cleaners_plus(text: str, lang: Optional[str] = None) -> str:
    """The English cleaner for new models: ``english_cleaners`` plus percent and symbols read aloud.

    "12%" -> "twelve percent", "#1" -> "number one", "A&B" -> "a and b", curly
    quotes and dashes normalised, and for English the abbreviations that need context or are
    missing from Coqui's list ("Elm St." -> street, "No. 5", "7 p.m.", "e.g.", "Jan."), and
    fractions, version numbers, units, decades, ranges and money in thousands ("3/4", "2.0.1",
    "2.5 kg", "1990s", "5-10", "$5k"), times with seconds ("10:30:15"), "24:00" and Roman
    numerals after a capitalised word ("World War II", "Henry VIII").
    ``lang`` None is taken as "en".
    """
    lang = lang or "en"
    english = _base_language(lang) == "en"
    text = _NUMBER_RANGE_DASH_RE.sub("-", normalize_unicode(text))
    text = normalize_typography(text)
    if english:
        text = _FINAL_AM_PM_RE.sub(r"\1m.", text)
        text = expand_time_english_plus(text)
    text = expand_time_english(text)
    if english:
        text = expand_abbreviations_english_plus(text)
        text = expand_roman_numerals(text)
    text = lowercase(text)
    text = expand_percent(text)
    text = expand_symbols_english(text)
    if english:
        text = normalize_numbers_plus(text)
    text = normalize_numbers(text)
    text = expand_abbreviations(text, lang)
    text = replace_symbols(text, lang)
    text = _SPACE_BEFORE_PUNCTUATION_RE.sub("", remove_aux_symbols(text))
    return collapse_whitespace(text)


def french_cleaners(text: str, lang: Optional[str] = None) -> str:
    """French graphemes: abbreviations, lowercase, symbols ('&' -> "et")."""
    text = expand_abbreviations(normalize_unicode(text), "fr")
    text = replace_symbols(lowercase(text), "fr")
    return collapse_whitespace(remove_aux_symbols(text))


def multilingual_cleaners(text: str, lang: Optional[str] = None) -> str:
    """Any language, graphemes: lowercase, symbols of ``lang``, brackets and quotes removed; no number expansion."""
    text = normalize_unicode(text).replace('"', "")
    if _base_language(lang) == "tr":
        text = text.replace("İ", "i")  # str.lower() would give "i" + combining dot
    text = replace_symbols(lowercase(text), lang)
    return collapse_whitespace(remove_aux_symbols(text))


def multilingual_phoneme_cleaners(text: str, lang: Optional[str] = None) -> str:
    """Any language, input to the phonemizer: language-neutral symbol replacement, case kept."""
    text = replace_symbols(normalize_unicode(text), None)
    return collapse_whitespace(remove_aux_symbols(text))


def spanish_cleaners_plus(text: str, lang: Optional[str] = None) -> str:
    """Spanish input to the phonemizer: ``multilingual_phoneme_cleaners`` after times, money, ordinals,
    negative numbers and percent are written out ("10:30" -> "diez y media", not "diez coma treinta";
    "-5" -> "menos 5"); plain numbers are left to espeak-ng, which reads them in Spanish."""
    text = normalize_typography(normalize_unicode(text))
    return multilingual_phoneme_cleaners(expand_spanish_numbers(text), lang)


# config ``text_cleaner`` name -> cleaner
CLEANERS: Dict[str, Cleaner] = {
    "basic_cleaners": basic_cleaners,
    "transliteration_cleaners": transliteration_cleaners,
    "english_cleaners": english_cleaners,
    "phoneme_cleaners": phoneme_cleaners,
    "english_cleaners_plus": english_cleaners_plus,
    "french_cleaners": french_cleaners,
    "multilingual_cleaners": multilingual_cleaners,
    "multilingual_phoneme_cleaners": multilingual_phoneme_cleaners,
    "spanish_cleaners_plus": spanish_cleaners_plus,
}


def get_cleaner(name: str) -> Cleaner:
    """The cleaner registered as ``name``.

    Raises
    ------
    ConfigError
        When ``name`` is unknown; the message names the config field ``text_cleaner`` and the known cleaners.
    """
    try:
        return CLEANERS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"config field 'text_cleaner': unknown cleaner {name!r}; known: {', '.join(sorted(CLEANERS))}"
        ) from None
