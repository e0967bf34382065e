"""A speaking espeak-ng voice, from the library that ``espeakng_loader`` ships.

espeak-ng is a formant synthesiser: robotic but intelligible, in about a hundred
languages, with no model download and no system package. It is here so tests and
notebooks can make a small corpus of real speech (for instance Spanish) without the
heavy teacher voices of ``recipes/kumo/make_corpus.py``. Its quality is low (measured
29-36 % WER): do not train a voice meant for listening on it.

The library is driven through ``ctypes`` with the C API of ``speak_lib.h``:
``espeak_Initialize`` in synchronous mode, a synth callback that collects the 16-bit
samples, ``espeak_SetVoiceByName``, ``espeak_SetParameter(espeakRATE)`` and
``espeak_Synth``.

espeak-ng keeps all its state (voice, rate, synth callback, output buffer) in
globals of the shared library, so a process has exactly one synthesiser. This
module initialises it once, on first use, and holds a lock around every call into
it; each :class:`EspeakVoice` sets its own voice and rate at the start of each
``speak``, so any number of voices can live in one process and be used from any
thread (one utterance at a time). Separate processes (``multiprocessing`` workers)
each have their own copy. ``phonemizer`` loads a private copy of the library file,
so phonemising in the same process does not disturb this state.
"""

import ctypes
import difflib
import logging
import threading
from typing import Dict, List, Optional, Tuple

import numpy as np

logger = logging.getLogger(__name__)

# speak_lib.h constants
AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_Synth returns when the whole text has gone through the callback
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data folder calls exit() in the library
ESPEAK_RATE = 1  # espeak_PARAMETER: words per minute
POS_CHARACTER = 1  # espeak_POSITION_TYPE
ESPEAK_CHARS_UTF8 = 1  # espeak_Synth flag
EE_OK = 0
MIN_RATE_WPM, MAX_RATE_WPM = 80, 450  # espeakRATE's documented range; below 80 the library clamps
_PROBE_TEXT = "a"  # every voice of espeak-ng 1.52 that has a dictionary says something for it

# int (*t_espeak_callback)(short *wav, int numsamples, espeak_EVENT *events); return 0 to go on, 1 to abort.
# The events are not read, so they are passed as an opaque pointer.
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _EspeakVoiceStruct(ctypes.Structure):
    """``espeak_VOICE``, as ``espeak_ListVoices`` returns it."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # read byte by byte: it holds NULs
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _Engine:
    """The process's espeak-ng library, initialised once; use only while holding ``_lock``."""

    def __init__(self) -> None:
        import espeakng_loader

        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,  # text
            ctypes.c_size_t,  # size in bytes, terminator included
            ctypes.c_uint,  # position
            ctypes.c_int,  # position_type
            ctypes.c_uint,  # end_position (0: none)
            ctypes.c_uint,  # flags
            ctypes.POINTER(ctypes.c_uint),  # unique_identifier (may be NULL)
            ctypes.c_void_p,  # user_data
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.argtypes = []
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_EspeakVoiceStruct))

        data_path = espeakng_loader.get_data_path()
        rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode("utf-8"),
                                     ESPEAK_INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise RuntimeError(f"espeak-ng failed to initialise with the data at {data_path} (code {rate})")
        self.lib = lib
        self.sample_rate = rate
        self._chunks: List[np.ndarray] = []
        self._voice_table: Optional[Dict[str, str]] = None
        # the library keeps only the function pointer: the ctypes object must outlive every synthesis
        self._callback = _SynthCallback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)
        logger.debug("espeak-ng %s loaded, %d Hz", espeakng_loader.get_library_path(), rate)

    def _collect(self, wav, num_samples: int, events) -> int:
        if wav and num_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(num_samples,)).copy())
        return 0

    def set_voice(self, voice: str) -> bool:
        return self.lib.espeak_SetVoiceByName(voice.encode("utf-8")) == EE_OK

    def voice_table(self) -> Dict[str, str]:
        """Every name a voice answers to -> the voice's identifier (e.g. "gmw/en-US").

        The names are the voice file names ("en-us", "es-419"), which ``espeak_SetVoiceByName``
        takes, and the language codes the voices declare ("fr-fr", "en-gb", "es-mx"), which it
        does not; a language code goes to the voice declaring it with the best (lowest) priority.
        """
        if self._voice_table is None:
            files: Dict[str, str] = {}
            languages: Dict[str, Tuple[int, str]] = {}
            voices = self.lib.espeak_ListVoices(None)
            i = 0
            while voices[i]:  # a NULL-terminated array
                identifier = voices[i].contents.identifier.decode("utf-8", "replace")
                files[identifier.rsplit("/", 1)[-1].lower()] = identifier
                address = voices[i].contents.languages  # (priority byte, NUL-terminated code)..., 0
                while address and ctypes.c_ubyte.from_address(address).value:
                    priority = ctypes.c_ubyte.from_address(address).value
                    code = ctypes.string_at(address + 1)
                    name = code.decode("utf-8", "replace").lower()
                    if priority < languages.get(name, (256, ""))[0]:
                        languages[name] = (priority, identifier)
                    address += 1 + len(code) + 1
                i += 1
            self._voice_table = {**{name: ident for name, (_, ident) in languages.items()}, **files}
        return self._voice_table

    def synthesise(self, voice: str, rate_wpm: int, text: str) -> np.ndarray:
        if not self.set_voice(voice):
            raise RuntimeError(f"espeak-ng refused the voice {voice!r} it accepted before")
        self.lib.espeak_SetParameter(ESPEAK_RATE, rate_wpm, 0)
        data = text.encode("utf-8")
        self._chunks = []
        status = self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        chunks, self._chunks = self._chunks, []
        if status != EE_OK:
            raise RuntimeError(f"espeak_Synth failed with code {status} on {text[:40]!r}")
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int16)


_lock = threading.Lock()
_engine: Optional[_Engine] = None


def _get_engine() -> _Engine:
    """The process's engine, created on first use; call with ``_lock`` held."""
    global _engine
    if _engine is None:
        _engine = _Engine()
    return _engine


def espeak_voice_names() -> List[str]:
    """The voice names and language codes :class:`EspeakVoice` accepts ("en-us", "es", "es-419", "fr-fr", ...)."""
    with _lock:
        return sorted(_get_engine().voice_table())


class EspeakVoice:
    """One espeak-ng voice at one speaking rate.

    Parameters
    ----------
    language:
        espeak-ng voice file name or language code, e.g. "en-us", "es", "es-419", "fr-fr"
        (case-insensitive; see :func:`espeak_voice_names`), or a voice's full name or identifier
        ("Spanish (Spain)", "roa/es").
    rate_wpm:
        speaking rate in words per minute, 80-450 (espeak-ng's default is 175).

    Raises
    ------
    ValueError
        espeak-ng has no such voice, the voice cannot speak (its dictionary is missing), or the rate is
        out of range.
    """

    def __init__(self, language: str, rate_wpm: int = 160):
        if not MIN_RATE_WPM <= rate_wpm <= MAX_RATE_WPM:
            raise ValueError(f"rate_wpm={rate_wpm} is outside espeak-ng's {MIN_RATE_WPM}-{MAX_RATE_WPM}")
        with _lock:
            engine = _get_engine()
            table = engine.voice_table()
            voice = table.get(language.lower(), language)
            if not language.strip() or not engine.set_voice(voice):
                close = difflib.get_close_matches(language.lower(), list(table), n=5, cutoff=0.5)
                hint = f"; close matches: {', '.join(close)}" if close else ""
                raise ValueError(f"espeak-ng has no voice {language!r}{hint}")
            # a voice whose dictionary is missing from the build (fo, kaa, xex in espeak-ng 1.52) is
            # accepted by the library, then says nothing at all
            if not np.any(engine.synthesise(voice, rate_wpm, _PROBE_TEXT)):
                raise ValueError(f"espeak-ng voice {language!r} is silent: its dictionary is missing from the "
                                 f"espeak-ng-data of espeakng_loader")
            self.sample_rate: int = engine.sample_rate
        self.language = language
        self.voice = voice  # what espeak_SetVoiceByName is given, e.g. "roa/es"
        self.rate_wpm = rate_wpm

    def speak(self, text: str) -> Tuple[np.ndarray, int]:
        """Synthesise ``text`` (plain text, not SSML).

        Returns
        -------
        audio:
            float32 samples in [-1, 1], mono. Shape: (T,).
        sample_rate:
            samples per second of ``audio`` (22050 for espeakng_loader's build).

        Raises
        ------
        ValueError
            ``text`` is empty or blank, or holds a NUL character.
        """
        if not text or not text.strip():
            raise ValueError("empty text: espeak-ng has nothing to say")
        if "\0" in text:
            raise ValueError("text holds a NUL character, which would cut it short")
        with _lock:
            samples = _get_engine().synthesise(self.voice, self.rate_wpm, text)
        return samples.astype(np.float32) / 32768.0, self.sample_rate

    def __repr__(self) -> str:
        return f"EspeakVoice({self.language!r}, rate_wpm={self.rate_wpm})"
