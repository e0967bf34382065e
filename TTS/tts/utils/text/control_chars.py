"""Control characters in input text: removed with a warning before the cleaners see the text.

A NUL byte or another C0/C1 control character in a text is invisible where it was typed or
pasted, and the tools after this point treat some of them as the end of the text (a NUL makes
espeak stop reading, so "Please do\\x00 not open the door." would be spoken "Please do.").
The API, the ``tts`` command and ``tts-server`` all pass their text through
``remove_control_characters`` first, so no word vanishes silently.
"""

import logging
import re
from typing import Tuple

logger = logging.getLogger(__name__)

#: Kept as they are: tab and newline. A carriage return becomes a newline (Windows and old Mac line ends).
KEPT = "\t\n"
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The warning logged when characters are removed (args: count, what, the characters as U+XXXX).
REMOVED_WARNING = "removed %d control character(s) from the %s: %s (they are not spoken, and some end the text early)"


def strip_control_characters(text: str) -> Tuple[str, str]:
    """``text`` without its control characters (C0 and C1 but tab and newline), and the characters removed.

    ``\\r\\n`` and a lone ``\\r`` become ``\\n`` and are not reported.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed = "".join(_CONTROL_RE.findall(text))
    return (_CONTROL_RE.sub("", text) if removed else text), removed


def remove_control_characters(text: str, what: str = "text") -> str:
    """``text`` without its control characters, with one warning naming them (``what`` says where they were)."""
    clean, removed = strip_control_characters(text)
    if removed:
        codes = ", ".join(f"U+{ord(char):04X}" for char in dict.fromkeys(removed))
        logger.warning(REMOVED_WARNING, len(removed), what, codes)
    return clean
