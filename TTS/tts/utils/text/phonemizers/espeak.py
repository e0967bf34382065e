"""espeak-ng phonemizer, through the ``phonemizer`` package's ``EspeakBackend``.

The espeak-ng shared library and its data come from ``espeakng_loader`` when it
is installed, so no system espeak is needed; without it ``phonemizer`` looks for
a system espeak-ng. Output: IPA with stress marks, words separated by spaces,
punctuation kept, as Coqui's espeak phonemizer writes it.

Creating a backend loads the library and a voice, so one backend per language
is created on first use and shared by every ``ESpeak`` instance of the process.
Phonemized strings are cached in memory per instance.
"""

import difflib
import logging
import re
import threading
from collections import OrderedDict
from typing import Dict, List, Optional, Set, Tuple

from TTS.errors import TTSError
from TTS.tts.utils.text.phonemizers.scripts import foreign_words

logger = logging.getLogger(__name__)


class _NoWordCountMismatch(logging.Filter):
    """Drops phonemizer's "words count mismatch" notes: espeak-ng joins short words ("to be" -> "təbi") by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("words count mismatch")


# the logger handed to phonemizer's backends
backend_logger = logging.getLogger(__name__ + ".backend")
backend_logger.addFilter(_NoWordCountMismatch())

_lock = threading.RLock()
_backend_class = None
_backends: Dict[str, object] = {}
_languages: Optional[Dict[str, str]] = None
MAX_QUOTED_WORDS = 8  # foreign words quoted in one warning
# "10.000", "1.000.000": thousands grouped with dots, as most languages other than English write them.
# phonemizer cuts the text at such a dot, and espeak then reads "10" and "000" apart ("diez. cero cero
# cero"); without the dots it reads the number ("diez mil").
_DOTTED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?!\.?\d)")


class UnsupportedLanguageError(TTSError, ValueError):
    """espeak-ng has no voice for the requested language code."""


def _espeak_backend_class() -> type:
    """``phonemizer``'s EspeakBackend, pointed at espeakng_loader's library on first use.

    ``phonemizer`` is imported here, not at module level: it costs about 0.3 s
    and grapheme models never need it.
    """
    global _backend_class
    with _lock:
        if _backend_class is None:
            from phonemizer.backend import EspeakBackend
            from phonemizer.backend.espeak.wrapper import EspeakWrapper

            try:
                import espeakng_loader
            except ImportError:
                logger.info("espeakng_loader is not installed; phonemizer will look for a system espeak-ng")
            else:
                EspeakWrapper.set_library(espeakng_loader.get_library_path())
                EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
            _backend_class = EspeakBackend
    return _backend_class


def espeak_version() -> str:
    """Version of the espeak-ng library in use, e.g. "1.52.0" (phoneme strings can differ between versions)."""
    return ".".join(str(part) for part in _espeak_backend_class().version())


def espeak_languages() -> Dict[str, str]:
    """Language codes espeak-ng supports ("en-us", "es", "fr-fr", ...) -> language names."""
    global _languages
    with _lock:
        if _languages is None:
            _languages = dict(_espeak_backend_class().supported_languages())
    return _languages


def check_language(language: str) -> None:
    """Raise ``UnsupportedLanguageError`` naming ``language`` when espeak-ng has no voice for it."""
    languages = espeak_languages()
    if language not in languages:
        close = difflib.get_close_matches(str(language), list(languages), n=4)
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise UnsupportedLanguageError(
            f"espeak-ng does not support the language {language!r}{hint} "
            "(all codes: TTS.tts.utils.text.phonemizers.espeak_languages())"
        )


def _backend(language: str):
    with _lock:
        backend = _backends.get(language)
        if backend is None:
            check_language(language)
            logger.debug("creating the espeak-ng backend for %s", language)
            backend = _espeak_backend_class()(
                language,
                preserve_punctuation=True,
                with_stress=True,
                language_switch="remove-flags",
                logger=backend_logger,
            )
            _backends[language] = backend
        return backend


def _run_backend(language: str, texts: List[str]) -> List[str]:
    """One espeak-ng call for non-empty ``texts``; one call per text if the output count does not match.

    A text can come back as several lines (espeak ends a clause at a dot inside "1.5" in Spanish):
    they are joined, so that no word of the text is dropped.
    """
    backend = _backend(language)
    lines = [text.replace("\n", " ") for text in texts]  # a newline would end the utterance
    with _lock:
        phonemes = backend.phonemize(lines, strip=True, njobs=1)
        if len(phonemes) != len(lines):
            logger.debug("phonemizer returned %d lines for %d; phonemizing one by one", len(phonemes), len(lines))
            phonemes = [" ".join(backend.phonemize([line], strip=True, njobs=1)) for line in lines]
    return phonemes


class ESpeak:
    """Phonemizer backed by espeak-ng.

    Parameters
    ----------
    language : str
        Default language code ("en-us", "es", "fr-fr", ...); checked against espeak-ng's voices.
    cache_size : int
        Phonemized strings kept in memory (least recently used dropped first).

    Raises
    ------
    UnsupportedLanguageError
        When espeak-ng has no voice for ``language``.
    """

    name = "espeak"

    def __init__(self, language: str, *, cache_size: int = 65536) -> None:
        check_language(language)
        self.language = language
        self.cache_size = cache_size
        self._cache: "OrderedDict[Tuple[str, str], str]" = OrderedDict()
        self._warned: Set[Tuple[str, str]] = set()  # (language, word) already named in a warning

    @staticmethod
    def version() -> str:
        return espeak_version()

    def phonemize(self, text: str, language: Optional[str] = None) -> str:
        """IPA of ``text`` in ``language`` (default: the instance's), e.g. "Hello world." -> "həlˈoʊ wˈɜːld."."""
        return self.phonemize_many([text], language)[0]

    def phonemize_many(self, texts: List[str], language: Optional[str] = None) -> List[str]:
        """Phonemize several texts with one espeak-ng call for those not cached yet."""
        language = language or self.language
        keys = [(language, text) for text in texts]
        found: Dict[Tuple[str, str], str] = {}
        for key in keys:
            if key in self._cache:
                self._cache.move_to_end(key)
                found[key] = self._cache[key]
        for key in keys:
            if not key[1].strip():  # phonemizer drops empty lines from its output
                found[key] = ""
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            self._warn_foreign_words(language, [text for _, text in missing])
            spoken = [text for _, text in missing]
            if not language.lower().startswith("en"):  # English text has its numbers spelled out by the cleaners
                spoken = [_DOTTED_THOUSANDS.sub(lambda m: m.group(0).replace(".", ""), text) for text in spoken]
            for key, value in zip(missing, _run_backend(language, spoken)):
                found[key] = value
                self._store(key, value)
        return [found[key] for key in keys]

    def _warn_foreign_words(self, language: str, texts: List[str]) -> None:
        """One warning naming the words of ``texts`` not written in the script of ``language`` (once per word).

        espeak-ng reads them as letter names ("Chinese letter") or with another voice whose
        language flags are removed; the phonemes are kept as they are.
        """
        words = []
        for text in texts:
            for word in foreign_words(text, language):
                if (language, word) not in self._warned and word not in words:
                    words.append(word)
        if not words:
            return
        self._warned.update((language, word) for word in words)
        quoted = " ".join(words[:MAX_QUOTED_WORDS]) + (" ..." if len(words) > MAX_QUOTED_WORDS else "")
        logger.warning(
            "text %r is not in the script of %s: espeak reads it as another language "
            "(the words are spoken as letter names or in a foreign accent)",
            quoted,
            language,
        )

    def _store(self, key: Tuple[str, str], value: str) -> None:
        self._cache[key] = value
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def __repr__(self) -> str:
        return f"ESpeak(language={self.language!r})"
