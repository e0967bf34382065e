"""English clock times to words: "3:30pm" -> "three thirty p m", "15:05" -> "three oh five p m"."""

import re

from TTS.tts.utils.text.english.number_norm import cardinal

_TIME_RE = re.compile(
    r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(?:\s*(a\.m\.|p\.m\.|a\.m|p\.m|am|pm)(?![a-z]))?",
    re.IGNORECASE,
)


def _expand_time(match: re.Match) -> str:
    hour, minute, suffix = int(match.group(1)), int(match.group(2)), match.group(3)
    if suffix:
        am_pm = suffix.replace(".", "").lower()
    else:  # 24-hour clock
        am_pm = "pm" if hour >= 12 else "am"
    words = [cardinal(hour % 12 or 12)]
    if minute:
        if minute < 10:
            words.append("oh")
        words.append(cardinal(minute))
    words.append(" ".join(am_pm))
    return " ".join(words)


def expand_time_english(text: str) -> str:
    """Spell out ``h:mm`` times, with an optional am/pm (24-hour times get a m / p m from the hour)."""
    return _TIME_RE.sub(_expand_time, text)


# --- readings of ``english_cleaners_plus`` only -------------------------------------------------

_TIME_WITH_SECONDS_RE = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:])")
_MIDNIGHT_RE = re.compile(r"(?<![\d:])24:00(?![\d:])")


def _expand_time_with_seconds(match: re.Match) -> str:
    """ "10:30:15" -> "ten hours thirty minutes fifteen seconds": a clock time or a duration ("1:05:00")."""
    parts = []
    for value, unit in zip(map(int, match.groups()), ("hour", "minute", "second")):
        if value:
            parts.append(f"{cardinal(value)} {unit if value == 1 else unit + 's'}")
    return " ".join(parts) or "zero seconds"


def expand_time_english_plus(text: str) -> str:
    """What ``english_cleaners_plus`` reads before ``expand_time_english``: "h:mm:ss" and "24:00" (midnight)."""
    text = _TIME_WITH_SECONDS_RE.sub(_expand_time_with_seconds, text)
    return _MIDNIGHT_RE.sub("midnight", text)
