"""French abbreviations expanded by the cleaners (Coqui's list, spelling corrected)."""

from typing import List, Tuple

# Matched case-insensitively with their final dot. Longer forms that start like a
# shorter one ("av. J.-C." and "av.") come first.
ABBREVIATIONS_FR: List[Tuple[str, str]] = [
    ("av. J.-C", "avant Jésus-Christ"),
    ("apr. J.-C", "après Jésus-Christ"),
    ("c.-à-d", "c'est-à-dire"),
    ("N.B", "nota bene"),
    ("p.c.q", "parce que"),
    ("M", "monsieur"),
    ("Mlle", "mademoiselle"),
    ("Mlles", "mesdemoiselles"),
    ("Mme", "madame"),
    ("Mmes", "mesdames"),
    ("Pr", "professeur"),
    ("qqch", "quelque chose"),
    ("rdv", "rendez-vous"),
    ("max", "maximum"),
    ("min", "minimum"),
    ("no", "numéro"),
    ("adr", "adresse"),
    ("dr", "docteur"),
    ("st", "saint"),
    ("co", "compagnie"),
    ("jr", "junior"),
    ("sgt", "sergent"),
    ("capt", "capitaine"),
    ("col", "colonel"),
    ("av", "avenue"),
    ("art", "article"),
    ("boul", "boulevard"),
    ("etc", "et cetera"),
    ("ex", "exemple"),
    ("excl", "exclusivement"),
]

# Also written without a dot; matched as whole words, case-sensitively.
ABBREVIATIONS_FR_UNDOTTED: List[Tuple[str, str]] = [
    ("Mlle", "mademoiselle"),
    ("Mlles", "mesdemoiselles"),
    ("Mme", "madame"),
    ("Mmes", "mesdames"),
]
