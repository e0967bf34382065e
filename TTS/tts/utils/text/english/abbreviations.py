"""English abbreviations expanded by the cleaners (Coqui's list); matched case-insensitively with their dot."""

from typing import List, Tuple

ABBREVIATIONS_EN: List[Tuple[str, str]] = [
    ("mrs", "misess"),
    ("mr", "mister"),
    ("dr", "doctor"),
    ("st", "saint"),
    ("co", "company"),
    ("jr", "junior"),
    ("maj", "major"),
    ("gen", "general"),
    ("drs", "doctors"),
    ("rev", "reverend"),
    ("lt", "lieutenant"),
    ("hon", "honorable"),
    ("sgt", "sergeant"),
    ("capt", "captain"),
    ("esq", "esquire"),
    ("ltd", "limited"),
    ("col", "colonel"),
    ("ft", "fort"),
]

# More abbreviations for ``english_cleaners_plus`` (not in Coqui's list, so kept out of
# ``english_cleaners``). Matched case-insensitively with their dot.
ABBREVIATIONS_EN_PLUS: List[Tuple[str, str]] = [
    ("e.g", "for example"),
    ("i.e", "that is"),
    ("ms", "miz"),
    ("prof", "professor"),
    ("ave", "avenue"),
    ("blvd", "boulevard"),
    ("rd", "road"),
    ("mt", "mount"),
    ("vs", "versus"),
    ("etc", "et cetera"),
    ("inc", "incorporated"),
    ("dept", "department"),
    ("approx", "approximately"),
    ("jan", "january"),
    ("feb", "february"),
    ("apr", "april"),
    ("aug", "august"),
    ("sept", "september"),
    ("sep", "september"),
    ("oct", "october"),
    ("nov", "november"),
    ("dec", "december"),
]
