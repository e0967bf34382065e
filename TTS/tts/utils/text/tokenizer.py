"""Text to token ids: cleaner -> phonemizer (optional) -> vocabulary ids -> blanks -> BOS/EOS.

``TTSTokenizer.init_from_config(config)`` builds the tokenizer a Coqui-layout
config describes and gives back the config with its ``characters`` (and
``num_chars``) filled in, so the ids match the ones Coqui computes for the same
checkpoint.
"""

import copy
import logging
from typing import Iterable, List, Optional, Set, Tuple

from coqpit import Coqpit

from TTS.config.errors import ConfigError
from TTS.errors import TTSError
from TTS.tts.utils.text.characters import BaseCharacters, characters_from_config
from TTS.tts.utils.text.cleaners import Cleaner, get_cleaner
from TTS.tts.utils.text.phonemizers import DEFAULT_PHONEMIZER, ESpeak, get_phonemizer_by_name

logger = logging.getLogger(__name__)

UNKNOWN_CHAR_POLICIES = ("warn", "error")


class UnknownCharacterError(TTSError, ValueError):
    """The processed text holds a character the vocabulary lacks (``unknown_chars='error'``)."""


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X})" if len(char) == 1 else repr(char)


class TTSTokenizer:
    """Turns text into the token ids a model was trained on, and back.

    Parameters
    ----------
    characters : BaseCharacters
        The vocabulary.
    text_cleaner : callable, optional
        ``cleaner(text, lang=None) -> str`` applied first (see ``cleaners.CLEANERS``).
    use_phonemes : bool
        Phonemize the cleaned text before encoding.
    phonemizer : ESpeak, optional
        Required when ``use_phonemes``.
    phoneme_language : str, optional
        Language of the phonemizer. When None, the ``language`` given to
        ``text_to_ids`` is used, else the phonemizer's default language.
    add_blank : bool
        Put the blank id between all tokens and at both ends.
    use_eos_bos : bool
        Wrap the ids in the BOS and EOS ids.
    unknown_chars : {"warn", "error"}
        Characters outside the vocabulary: dropped with one warning per distinct
        character for the tokenizer's lifetime, or ``UnknownCharacterError``.
    """

    def __init__(
        self,
        *,
        characters: BaseCharacters,
        text_cleaner: Optional[Cleaner] = None,
        use_phonemes: bool = False,
        phonemizer: Optional[ESpeak] = None,
        phoneme_language: Optional[str] = None,
        add_blank: bool = False,
        use_eos_bos: bool = False,
        unknown_chars: str = "warn",
    ) -> None:
        if unknown_chars not in UNKNOWN_CHAR_POLICIES:
            raise ConfigError(f"config field 'unknown_chars': must be 'warn' or 'error', got {unknown_chars!r}")
        if use_phonemes and phonemizer is None:
            raise ConfigError("config field 'use_phonemes': a phonemizer is needed to use phonemes")
        if add_blank and characters.blank is None:
            raise ConfigError("config field 'add_blank': the vocabulary has no blank symbol (characters.blank)")
        if use_eos_bos and (characters.bos is None or characters.eos is None):
            raise ConfigError(
                "config field 'enable_eos_bos_chars': the vocabulary lacks characters.bos or characters.eos"
            )
        self.characters = characters
        self.text_cleaner = text_cleaner
        self.use_phonemes = use_phonemes
        self.phonemizer = phonemizer
        self.phoneme_language = phoneme_language
        self.add_blank = add_blank
        self.use_eos_bos = use_eos_bos
        self.unknown_chars = unknown_chars
        self._reported: Set[str] = set()

    @classmethod
    def init_from_config(cls, config: Coqpit) -> Tuple["TTSTokenizer", Coqpit]:
        """Build the tokenizer of a TTS config.

        Parameters
        ----------
        config : Coqpit
            A ``BaseTTSConfig`` (fields ``text_cleaner``, ``characters``,
            ``use_phonemes``, ``phonemizer``, ``phoneme_language``, ``languages``,
            ``add_blank``, ``enable_eos_bos_chars``, ``unknown_chars``).

        Returns
        -------
        tokenizer : TTSTokenizer
        config : Coqpit
            A copy of ``config`` with ``characters`` set to the complete
            vocabulary config, ``num_chars`` (where the config has it) to its
            size, and ``phonemizer`` to the name used.
        """
        text_cleaner = get_cleaner(config.text_cleaner) if config.text_cleaner else None
        characters, characters_config = characters_from_config(config.characters, use_phonemes=config.use_phonemes)
        new_config = copy.deepcopy(config)
        new_config.characters = characters_config
        if hasattr(new_config, "num_chars"):
            if new_config.num_chars and new_config.num_chars != characters.num_chars:
                logger.warning(
                    "config field 'num_chars' is %d but the vocabulary has %d symbols; using %d",
                    new_config.num_chars, characters.num_chars, characters.num_chars,
                )  # fmt: skip
            new_config.num_chars = characters.num_chars

        phonemizer = None
        if config.use_phonemes:
            languages = list(getattr(config, "languages", None) or [])
            language = config.phoneme_language or (languages[0] if len(languages) == 1 else None)
            if language is None:
                raise ConfigError("config field 'phoneme_language': must be set when use_phonemes is true")
            name = config.phonemizer or DEFAULT_PHONEMIZER
            phonemizer = get_phonemizer_by_name(name, language)
            new_config.phonemizer = name

        tokenizer = cls(
            characters=characters,
            text_cleaner=text_cleaner,
            use_phonemes=config.use_phonemes,
            phonemizer=phonemizer,
            phoneme_language=config.phoneme_language,
            add_blank=config.add_blank,
            use_eos_bos=config.enable_eos_bos_chars,
            unknown_chars=getattr(config, "unknown_chars", "warn"),
        )
        return tokenizer, new_config

    # --- vocabulary -------------------------------------------------------------------------

    @property
    def num_chars(self) -> int:
        return self.characters.num_chars

    @property
    def pad_id(self) -> Optional[int]:
        return self.characters.pad_id

    @property
    def blank_id(self) -> Optional[int]:
        return self.characters.blank_id

    # --- text processing --------------------------------------------------------------------

    def clean(self, text: str, language: Optional[str] = None) -> str:
        """Apply the cleaner, which gets the language code's part before '-' ("en-us" -> "en")."""
        if self.text_cleaner is None:
            return text
        return self.text_cleaner(text, lang=language.split("-")[0] if language else None)

    def phonemize(self, text: str, language: Optional[str] = None) -> str:
        """Phonemize cleaned text: in ``phoneme_language`` when set, else ``language`` or the phonemizer's default.

        ``phoneme_language`` wins over ``language`` because Coqui's espeak
        phonemizer ignores the per-call language: ids stay Coqui's when a config's
        ``languages`` entry ("en") differs from its ``phoneme_language`` ("en-us").
        """
        return self.phonemizer.phonemize(text, language=self.phoneme_language or language)

    def process(self, text: str, language: Optional[str] = None) -> str:
        """The string that gets encoded: cleaned and, for phoneme models, phonemized."""
        text = self.clean(text, language)
        return self.phonemize(text, language) if self.use_phonemes else text

    def encode(self, text: str) -> List[int]:
        """Ids of the characters of ``text``; unknown characters follow ``unknown_chars``."""
        ids = []
        for char in text:
            if char in self.characters:
                ids.append(self.characters.char_to_id(char))
            else:
                self._unknown(char, text)
        return ids

    def _unknown(self, char: str, text: str) -> None:
        if self.unknown_chars == "error":
            raise UnknownCharacterError(f"character {_describe(char)} is not in the vocabulary, in text {text!r}")
        if char not in self._reported:
            self._reported.add(char)
            logger.warning(
                "character %s is not in the vocabulary and is dropped (reported once per character); in text %r",
                _describe(char), text,
            )  # fmt: skip

    def decode(self, ids: Iterable[int]) -> str:
        """The symbols of ``ids``, concatenated (blank, BOS and EOS included)."""
        return "".join(self.characters.id_to_char(int(idx)) for idx in ids)

    def intersperse_blank(self, ids: List[int]) -> List[int]:
        """[a, b] -> [blank, a, blank, b, blank]."""
        result = [self.characters.blank_id] * (2 * len(ids) + 1)
        result[1::2] = ids
        return result

    def pad_with_bos_eos(self, ids: List[int]) -> List[int]:
        return [self.characters.bos_id, *ids, self.characters.eos_id]

    def _finish(self, ids: List[int]) -> List[int]:
        if self.add_blank:
            ids = self.intersperse_blank(ids)
        if self.use_eos_bos:
            ids = self.pad_with_bos_eos(ids)
        return ids

    def text_to_ids(self, text: str, language: Optional[str] = None) -> List[int]:
        """Token ids of raw ``text``: clean, phonemize (phoneme models), encode, add blanks, add BOS/EOS.

        ``language`` is the code of the text (e.g. "en-us"); the Synthesizer
        passes the single entry of the config's ``languages``.
        """
        return self._finish(self.encode(self.process(text, language)))

    def phonemes_to_ids(self, phonemes: str) -> List[int]:
        """Token ids of an already processed (cleaned and phonemized) string, with blanks and BOS/EOS."""
        return self._finish(self.encode(phonemes))

    def ids_to_text(self, ids: Iterable[int]) -> str:
        """Same as ``decode``."""
        return self.decode(ids)

    def unknown_characters(self, text: str, language: Optional[str] = None) -> List[str]:
        """Distinct characters of the processed ``text`` that are not in the vocabulary, in order of appearance."""
        processed = self.process(text, language)
        return [char for char in dict.fromkeys(processed) if char not in self.characters]

    def __repr__(self) -> str:
        return (
            f"TTSTokenizer(num_chars={self.num_chars}, use_phonemes={self.use_phonemes}, "
            f"add_blank={self.add_blank}, use_eos_bos={self.use_eos_bos})"
        )
