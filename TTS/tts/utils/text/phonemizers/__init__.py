"""Phonemizers: text to phoneme strings, looked up by the config's ``phonemizer`` name."""

from typing import Dict

from TTS.config.errors import ConfigError
from TTS.tts.utils.text.phonemizers.espeak import ESpeak, UnsupportedLanguageError, espeak_languages, espeak_version

# config ``phonemizer`` name -> class
PHONEMIZERS: Dict[str, type] = {
    "espeak": ESpeak,
}

# Phonemizer used when the config's ``phonemizer`` is None.
DEFAULT_PHONEMIZER = "espeak"


def get_phonemizer_by_name(name: str, language: str) -> ESpeak:
    """A phonemizer instance for ``language``.

    Raises
    ------
    ConfigError
        When ``name`` is not registered (the message names the field ``phonemizer``).
    UnsupportedLanguageError
        When the phonemizer does not support ``language``.
    """
    try:
        cls = PHONEMIZERS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(PHONEMIZERS))
        raise ConfigError(f"config field 'phonemizer': unknown phonemizer {name!r}; known: {known}") from None
    return cls(language)


__all__ = [
    "DEFAULT_PHONEMIZER",
    "ESpeak",
    "PHONEMIZERS",
    "UnsupportedLanguageError",
    "espeak_languages",
    "espeak_version",
    "get_phonemizer_by_name",
]
