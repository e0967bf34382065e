"""The one exception type for bad configuration."""

from TTS.errors import TTSError


class ConfigError(TTSError, ValueError):
    """A config file or field is invalid; the message names the file and/or the field."""
