"""The one exception type for bad configuration."""


class ConfigError(ValueError):
    """A config file or field is invalid; the message names the file and/or the field."""
