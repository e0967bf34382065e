"""Spanish forms that espeak-ng misreads once Coqui's symbol replacement has run, written out as words.

``multilingual_phoneme_cleaners`` turns ':' into ',' and '-' into a space, so "10:30" is
read "diez coma treinta" and "-5" loses its minus; espeak-ng reads plain numbers, "1º" and
decimals itself. These functions run before that replacement:

- clock times ``H:MM`` (0-24 h): "10:30" -> "diez y media", "1:15" -> "una y cuarto",
  "9:00" -> "nueve en punto", "13:45" -> "trece cuarenta y cinco", "20:00" -> "veinte horas";
- a minus before a number: "-5 °C" -> "menos 5 °C"; a dash between two short numbers is a range,
  "5-10" -> "5 a 10" (dates such as 2024-05-01 and longer chains are left alone);
- ordinals: "1º" / "1.º" / "1o" -> "primero" ("primer" before a noun: "1.er"/"1º piso"),
  "3ª" -> "tercera";
- amounts of money with their symbol or ISO code, before or after the number:
  "5 €", "€5", "$2,50", "1.500 USD" -> "cinco euros", "dos dólares con cincuenta centavos",
  "mil quinientos dólares";
- percent: "50 %" -> "50 por ciento".
"""

import re
from typing import Callable, Dict, Match, NamedTuple, Optional

from num2words import num2words


class Currency(NamedTuple):
    singular: str
    plural: str
    cents_singular: str
    cents_plural: str
    feminine: bool = False


CURRENCIES: Dict[str, Currency] = {
    "€": Currency("euro", "euros", "céntimo", "céntimos"),
    "EUR": Currency("euro", "euros", "céntimo", "céntimos"),
    "$": Currency("dólar", "dólares", "centavo", "centavos"),
    "USD": Currency("dólar", "dólares", "centavo", "centavos"),
    "US$": Currency("dólar", "dólares", "centavo", "centavos"),
    "£": Currency("libra", "libras", "penique", "peniques", feminine=True),
    "GBP": Currency("libra", "libras", "penique", "peniques", feminine=True),
    "MXN": Currency("peso", "pesos", "centavo", "centavos"),
    "¥": Currency("yen", "yenes", "sen", "sen"),
}

#: Words after a masculine ordinal that show it is not before its noun ("el 1º de mayo" -> primero).
_NOT_A_NOUN = {"de", "del", "y", "e", "o", "u", "en", "a", "al", "que", "con", "por", "para"}

_SYMBOLS = "|".join(re.escape(symbol) for symbol in sorted(CURRENCIES, key=len, reverse=True))
# a number with optional dotted thousands and a decimal comma (Spanish) or a decimal point with 1-2 digits
_AMOUNT = r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[,.]\d{1,2})?"
_MONEY_AFTER_RE = re.compile(rf"(?<![\w.,])({_AMOUNT})\s?({_SYMBOLS})(?![\w$€£¥])")
_MONEY_BEFORE_RE = re.compile(rf"(?<![\w$€£¥])({_SYMBOLS})\s?({_AMOUNT})(?![\d])")
_TIME_RE = re.compile(r"(?<![\d:.,])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])(?:\s?(?:h|hs|hrs)\b\.?)?")
_NEGATIVE_RE = re.compile(r"(?<![\w.,)\]])[-\u2212](?=\d)")
_ORDINAL_RE = re.compile(r"(?<![\w.,])(\d{1,3})\.?(º|°|ª|o(?=\s)|a(?=\s)|\.?er\b)(\s+(\w+))?")
_PERCENT_RE = re.compile(r"(?<=\d)\s?%")
_RANGE_RE = re.compile(r"(?<![\d\-.,/])(\d{1,4})\s?-\s?(\d{1,4})(?![\d\-/]|[.,]\d)")


def cardinal(number: int, *, before_noun: bool = False, feminine: bool = False) -> str:
    """A whole number in words; before a noun "uno" is "un" (masculine) or "una" ("veintiún", "una libra")."""
    words = num2words(number, lang="es")
    if feminine:
        words = re.sub(r"uno\b", "una", re.sub(r"ún\b", "una", words))
        return words.replace("veintiuno", "veintiuna")
    if before_noun:
        words = re.sub(r"veintiuno\b", "veintiún", words)
        words = re.sub(r"\buno\b", "un", words)
    return words


def _parse_amount(text: str) -> tuple:
    """"1.500,25" / "2,50" / "2.50" / "1.500" -> (whole, cents)."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", text):
        whole, _, cents = text.replace(".", "").partition(",")
    else:
        whole, _, cents = text.replace(",", ".").partition(".")
    return int(whole), int(cents.ljust(2, "0")) if cents else 0


def say_money(amount: str, symbol: str) -> str:
    """"2,50" + "$" -> "dos dólares con cincuenta centavos"; "1" + "€" -> "un euro"."""
    currency = CURRENCIES[symbol]
    whole, cents = _parse_amount(amount)
    unit = currency.singular if whole == 1 else currency.plural
    if whole >= 1_000_000 and whole % 1_000_000 == 0:
        unit = "de " + unit  # "un millón de euros"
    words = f"{cardinal(whole, before_noun=True, feminine=currency.feminine)} {unit}"
    if cents:
        cents_unit = currency.cents_singular if cents == 1 else currency.cents_plural
        words += f" con {cardinal(cents, before_noun=True)} {cents_unit}"
    return words


def say_time(hours: int, minutes: int) -> str:
    """A clock time as it is said: "diez y media", "una y cuarto", "nueve en punto", "trece cuarenta"."""
    hour = "una" if hours == 1 else cardinal(hours)
    if hours > 12:
        return f"{hour} horas" if minutes == 0 else f"{hour} {cardinal(minutes)}"
    if minutes == 0:
        return f"{hour} en punto"
    return f"{hour} y { {15: 'cuarto', 30: 'media'}.get(minutes) or cardinal(minutes)}"


def ordinal(number: int, *, feminine: bool = False, before_noun: bool = False) -> str:
    """1 -> "primero" / "primera" / "primer" (before a masculine noun)."""
    words = num2words(number, lang="es", to="ordinal")
    if feminine:
        return " ".join(re.sub(r"o$", "a", word) for word in words.split())
    if before_noun:
        words = re.sub(r"(primer|tercer)o$", r"\1", words)
    return words


def _ordinal_match(match: Match) -> str:
    number, mark, tail, next_word = int(match.group(1)), match.group(2), match.group(3) or "", match.group(4)
    feminine = mark in ("ª", "a")
    before_noun = mark.endswith("er") or (
        next_word is not None and next_word.isalpha() and next_word.lower() not in _NOT_A_NOUN
    )
    return ordinal(number, feminine=feminine, before_noun=before_noun and not feminine) + tail


def _replace(pattern: re.Pattern, function: Callable[[Match], str], text: str) -> str:
    return pattern.sub(function, text)


def expand_spanish_numbers(text: str, lang: Optional[str] = None) -> str:
    """Times, money, ordinals, negative numbers and percent of ``text`` in Spanish words (see the module)."""
    text = _replace(_TIME_RE, lambda m: say_time(int(m.group(1)), int(m.group(2))), text)
    text = _replace(_MONEY_AFTER_RE, lambda m: say_money(m.group(1), m.group(2)), text)
    text = _replace(_MONEY_BEFORE_RE, lambda m: say_money(m.group(2), m.group(1)), text)
    text = _replace(_ORDINAL_RE, _ordinal_match, text)
    text = _RANGE_RE.sub(r"\1 a \2", text)
    text = _NEGATIVE_RE.sub("menos ", text)
    return _PERCENT_RE.sub(" por ciento", text)
