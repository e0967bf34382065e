"""English numbers to words: cardinals, ordinals, decimals, grouped numbers, currency, percent.

Words come from ``num2words``. The readings follow Coqui's English cleaners so
Coqui checkpoints see the text they were trained on: no "and" inside numbers
("one hundred one"), numbers from 1001 to 2999 read as years ("nineteen
ninety-nine", "two thousand five"), grouping commas kept between the thousands
groups of large numbers ("one million, two hundred ...").
"""

import re
from typing import Dict, Tuple

from num2words import num2words

# symbol -> (unit singular, unit plural, subunit singular, subunit plural)
CURRENCIES: Dict[str, Tuple[str, str, str, str]] = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "sen", "sen"),
}

_SCALES = "thousand|million|billion|trillion"
_GROUPED_NUMBER_RE = re.compile(r"(?<!\d)\d{1,3}(?:,\d{3})+(?!\d)")
_CURRENCY_RE = re.compile(
    r"(?P<symbol>[%s])\s?(?P<amount>\d+(?:\.\d+)?)(?:\s(?P<scale>%s)\b)?" % (re.escape("".join(CURRENCIES)), _SCALES)
)
_PERCENT_RE = re.compile(r"(\d)\s?%")
_DECIMAL_RE = re.compile(r"(?<![\w.])(-?)(\d+)\.(\d+)")
_ORDINAL_RE = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
# a minus sign only where it cannot be a hyphen or a range ("covid-19", "2-3")
_NUMBER_RE = re.compile(r"(?<![\w-])-?\d+|\d+")


def cardinal(number: int) -> str:
    """Cardinal words without "and": 101 -> "one hundred one", -5 -> "minus five"."""
    return num2words(number, lang="en").replace(" and ", " ")


def year(number: int) -> str:
    """A number between 1001 and 2999 read as a year: 1999 -> "nineteen ninety-nine", 2005 -> "two thousand five"."""
    if number == 2000:
        return "two thousand"
    if 2000 < number < 2010:
        return "two thousand " + cardinal(number % 100)
    century, rest = divmod(number, 100)
    if rest == 0:
        return cardinal(century) + " hundred"
    if rest < 10:
        return f"{cardinal(century)} oh {cardinal(rest)}"
    return f"{cardinal(century)} {cardinal(rest)}"


def number_words(number: int) -> str:
    """The reading the cleaners use: years for 1001-2999, cardinals otherwise."""
    if 1000 < number < 3000:
        return year(number)
    return cardinal(number)


def ordinal(number: int) -> str:
    """Ordinal words: 1 -> "first", 21 -> "twenty-first"."""
    return num2words(number, lang="en", to="ordinal").replace(" and ", " ")


def decimal(integer: str, fraction: str, negative: bool = False) -> str:
    """Digits after the point are read one by one: ("3", "14") -> "three point one four"."""
    words = f"{cardinal(int(integer))} point " + " ".join(cardinal(int(d)) for d in fraction)
    return "minus " + words if negative else words


def _expand_currency(match: re.Match) -> str:
    unit, units, subunit, subunits = CURRENCIES[match.group("symbol")]
    amount, scale = match.group("amount"), match.group("scale")
    if scale:  # "$5 million" -> "5 million dollars"
        return f"{amount} {scale} {units}"
    whole, _, fraction = amount.partition(".")
    if len(fraction) > 2:  # not a price: "$1.999" -> "1.999 dollars"
        return f"{amount} {units}"
    dollars = int(whole)
    cents = int(fraction.ljust(2, "0")) if fraction else 0
    parts = []
    if dollars:
        parts.append(f"{dollars} {unit if dollars == 1 else units}")
    if cents:
        parts.append(f"{cents} {subunit if cents == 1 else subunits}")
    return " ".join(parts) if parts else f"zero {units}"


def _expand_decimal(match: re.Match) -> str:
    return decimal(match.group(2), match.group(3), negative=bool(match.group(1)))


def _expand_number(match: re.Match) -> str:
    return number_words(int(match.group(0)))


def expand_percent(text: str) -> str:
    """"12%" -> "12 percent", "12.5 %" -> "12.5 percent"; numbers are left as digits."""
    text = _PERCENT_RE.sub(r"\1 percent", text)
    return text.replace("%", " percent ")


def normalize_numbers(text: str) -> str:
    """Spell out the numbers of an English text.

    Grouping commas go first ("1,000" -> "1000"), then currency ("$5.50" -> "5
    dollars 50 cents"), decimals, ordinals ("1st" -> "first") and the remaining
    integers. A "%" sign is left in place (see ``expand_percent``).
    """
    text = _GROUPED_NUMBER_RE.sub(lambda m: m.group(0).replace(",", ""), text)
    text = _CURRENCY_RE.sub(_expand_currency, text)
    text = _DECIMAL_RE.sub(_expand_decimal, text)
    text = _ORDINAL_RE.sub(lambda m: ordinal(int(m.group(1))), text)
    return _NUMBER_RE.sub(_expand_number, text)
