"""The base class of every one-line error the package raises.

Each error class of the package derives from ``TTSError`` and keeps its standard base (``ValueError``,
``LookupError``, ...), so a caller may catch either one: the CLI, the server and the recipes catch
``TTSError``; older code that catches ``ValueError`` keeps working.
"""


class TTSError(Exception):
    """An error whose message, one line, names the file, field or input at fault."""
