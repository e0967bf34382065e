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
