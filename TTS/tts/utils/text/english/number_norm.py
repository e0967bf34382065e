"""English numbers to words: cardinals, ordinals, decimals, grouped numbers, currency, percent;
and, for ``english_cleaners_plus`` only, fractions, version numbers, units and decades.

Words come from ``num2words``. The readings follow Coqui's English cleaners so
Coqui checkpoints see the text they were trained on: no "and" inside numbers
("one hundred one"), numbers from 1001 to 2999 read as years ("nineteen
ninety-nine", "two thousand five"), grouping commas kept between the thousands
groups of large numbers ("one million, two hundred ...").

A run of more than ``MAX_NUMBER_DIGITS`` digits (an account number, a hash, a pasted
constant) has no reading as an amount that a listener could follow, and ``num2words`` fails
past 306 digits: it is read digit by digit ("one two three ...").
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

#: Longest run of digits read as an amount (up to the decillions); longer runs are read digit by digit.
MAX_NUMBER_DIGITS = 36
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_LONG_DIGITS_RE = re.compile(r"\d{%d,}" % (MAX_NUMBER_DIGITS + 1))
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


def digit_by_digit(digits: str) -> str:
    """ "2024" -> "two zero two four": the reading of a digit run too long to say as a number."""
    return " ".join(DIGIT_WORDS[int(digit)] for digit in digits)


def _spell_long_digit_runs(text: str) -> str:
    """Runs of more than ``MAX_NUMBER_DIGITS`` digits as digit words, set apart by spaces."""
    return _LONG_DIGITS_RE.sub(lambda m: f" {digit_by_digit(m.group(0))} ", text)


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
    """ "12%" -> "12 percent", "12.5 %" -> "12.5 percent"; numbers are left as digits."""
    text = _PERCENT_RE.sub(r"\1 percent", text)
    return text.replace("%", " percent ")


def normalize_numbers(text: str) -> str:
    """Spell out the numbers of an English text.

    Grouping commas go first ("1,000" -> "1000"), then currency ("$5.50" -> "5
    dollars 50 cents"), decimals, ordinals ("1st" -> "first") and the remaining
    integers. Runs of more than ``MAX_NUMBER_DIGITS`` digits are read digit by digit. A "%" sign is
    left in place (see ``expand_percent``).
    """
    text = _GROUPED_NUMBER_RE.sub(lambda m: m.group(0).replace(",", ""), text)
    text = _spell_long_digit_runs(text)
    text = _CURRENCY_RE.sub(_expand_currency, text)
    text = _DECIMAL_RE.sub(_expand_decimal, text)
    text = _ORDINAL_RE.sub(lambda m: ordinal(int(m.group(1))), text)
    return _NUMBER_RE.sub(_expand_number, text)


# --- readings of ``english_cleaners_plus`` only (Coqui's cleaners above stay as they are) ---------

# denominator -> (singular, plural) of the fractions read as words ("3/4" -> "three quarters")
FRACTION_WORDS: Dict[int, Tuple[str, str]] = {
    2: ("half", "halves"), 3: ("third", "thirds"), 4: ("quarter", "quarters"), 5: ("fifth", "fifths"),
    6: ("sixth", "sixths"), 7: ("seventh", "sevenths"), 8: ("eighth", "eighths"), 9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}  # fmt: skip
# Unicode vulgar fractions -> words ("3½" -> "3 and a half")
VULGAR_FRACTIONS: Dict[str, str] = {
    "½": "a half", "⅓": "a third", "⅔": "two thirds", "¼": "a quarter", "¾": "three quarters",
    "⅕": "a fifth", "⅛": "an eighth", "⅜": "three eighths", "⅝": "five eighths", "⅞": "seven eighths",
}  # fmt: skip
# unit abbreviation after a number (lower case) -> (singular, plural); "m", "g", "l" alone are left
# alone (metres or million, 5G, a letter)
UNITS: Dict[str, Tuple[str, str]] = {
    "mg": ("milligram", "milligrams"), "kg": ("kilogram", "kilograms"), "oz": ("ounce", "ounces"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "tsp": ("teaspoon", "teaspoons"), "tbsp": ("tablespoon", "tablespoons"),
    "mm": ("millimeter", "millimeters"), "cm": ("centimeter", "centimeters"), "km": ("kilometer", "kilometers"),
    "ml": ("milliliter", "milliliters"), "mph": ("mile per hour", "miles per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"), "kwh": ("kilowatt hour", "kilowatt hours"),
    "hz": ("hertz", "hertz"), "khz": ("kilohertz", "kilohertz"), "mhz": ("megahertz", "megahertz"),
    "ghz": ("gigahertz", "gigahertz"), "kb": ("kilobyte", "kilobytes"), "mb": ("megabyte", "megabytes"),
    "gb": ("gigabyte", "gigabytes"), "tb": ("terabyte", "terabytes"),
}  # fmt: skip
_MIXED_FRACTION_RE = re.compile(r"(?<![\w/.])(\d+) (\d+)/(\d+)(?![\w/]|\.\d)")
_SLASHED_NUMBERS_RE = re.compile(r"(?<![\w/.])\d+(?:/\d+)+(?![\w/]|\.\d)")
_DOTTED_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+){2,}(?!\w|\.\d)")
_VULGAR_RE = re.compile(r"(?:(\d)\s?)?([%s])" % "".join(VULGAR_FRACTIONS))
_UNIT_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s?(%s)(?![\w/])" % "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
)
_DECADE_RE = re.compile(r"(?<![\w'])(?:(\d\d)|')?(\d)0s\b")
# scale suffix of an amount of money ("$5k", "€2.5bn") -> word
MONEY_SCALES: Dict[str, str] = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "tn": "trillion"}
_MONEY_SCALE_RE = re.compile(
    r"(?P<symbol>[%s])(?P<amount>\d+(?:\.\d+)?)(?P<scale>%s)\b"
    % (re.escape("".join(CURRENCIES)), "|".join(sorted(MONEY_SCALES, key=len, reverse=True)))
)
# two numbers joined by a hyphen ("5-10"), not in a chain ("555-123-4567", "2024-01-15"), a word
# ("covid-19"), a sum ("10-5=5", its "=" already read "equals") or a phone number ("123-4567")
_RANGE_RE = re.compile(
    r"(?<![\w.,/:-])(?<!equals )(?<!equals  )(?!\d{3}-\d{4}\b)(?!0\d)(\d+(?:\.\d+)?)-(?!0\d)(\d+(?:\.\d+)?)"
    r"(?![\w/:-]|[.,]\d|\s*equals\b)"  # no leading zeros: "02139-4307" is a zip code, not a range
)


def _fraction(numerator: int, denominator: int) -> str:
    singular, plural = FRACTION_WORDS[denominator]
    return f"{numerator} {singular if numerator == 1 else plural}"


def _is_fraction(numerator: str, denominator: str) -> bool:
    return int(denominator) in FRACTION_WORDS and 0 < int(numerator) < int(denominator)


def _expand_slashed(match: re.Match) -> str:
    """ "3/4" -> "3 quarters" (a proper fraction with a denominator up to ten); "24/7", "12/3/2024" -> "24 7"."""
    parts = match.group(0).split("/")
    if len(parts) == 2 and _is_fraction(*parts):
        return _fraction(int(parts[0]), int(parts[1]))
    return " ".join(parts)


def _expand_mixed_fraction(match: re.Match) -> str:
    whole, numerator, denominator = match.groups()
    if not _is_fraction(numerator, denominator):
        return match.group(0)
    return f"{whole} and {_fraction(int(numerator), int(denominator))}"


def _expand_vulgar(match: re.Match) -> str:
    words = VULGAR_FRACTIONS[match.group(2)]
    return f"{match.group(1)} and {words}" if match.group(1) else words


def _expand_unit(match: re.Match) -> str:
    singular, plural = UNITS[match.group(2)]
    return f"{match.group(1)} {singular if match.group(1) == '1' else plural}"


def _expand_decade(match: re.Match) -> str:
    """ "1990s" -> "nineteen nineties", "'80s" / "80s" -> "eighties", "1800s" -> "eighteen hundreds"."""
    century, tens = match.group(1), int(match.group(2))
    if century is None or not century.isdigit():
        words = cardinal(tens * 10) if tens else "oh"  # "'00s": "the oh-ohs" is rare; say "oh"
    else:
        words = number_words(int(century) * 100 + tens * 10)
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + "s"


def _expand_money_scale(match: re.Match) -> str:
    units = CURRENCIES[match.group("symbol")][1]
    return f"{match.group('amount')} {MONEY_SCALES[match.group('scale')]} {units}"


def normalize_numbers_plus(text: str) -> str:
    """What ``english_cleaners_plus`` reads beyond ``normalize_numbers`` (run before it, on lower-case text).

    Fractions ("3/4" -> "3 quarters", "1 1/2" -> "1 and 1 half", "3½" -> "3 and a half"), other
    slashed numbers as separate numbers ("24/7" -> "24 7"), version numbers ("2.0.1" -> "2 point 0 point
    1"), units after a number ("2.5 kg" -> "2.5 kilograms", "1 km" -> "1 kilometer") and decades
    ("1990s" -> "nineteen nineties"), money with a scale suffix ("$5k" -> "5 thousand dollars",
    "€2.5bn" -> "2.5 billion euros") and ranges ("5-10" -> "5 to 10"). Digits are left for
    ``normalize_numbers``.
    """
    text = _spell_long_digit_runs(text)
    text = _DECADE_RE.sub(_expand_decade, text)
    text = _MONEY_SCALE_RE.sub(_expand_money_scale, text)
    text = _RANGE_RE.sub(r"\1 to \2", text)
    text = _MIXED_FRACTION_RE.sub(_expand_mixed_fraction, text)
    text = _SLASHED_NUMBERS_RE.sub(_expand_slashed, text)
    text = _VULGAR_RE.sub(_expand_vulgar, text)
    text = _DOTTED_NUMBER_RE.sub(lambda m: m.group(0).replace(".", " point "), text)
    return _UNIT_RE.sub(_expand_unit, text)
