"""Input vocabularies: the symbol <-> id maps a model's embedding table is built on.

The id order is a compatibility contract with Coqui TTS checkpoints::

    [pad, eos, bos, blank]   each only when set (non-empty), in this order
    + characters             sorted / de-duplicated when ``is_sorted`` / ``is_unique``
    + punctuations           in their given order

When a symbol occurs twice (``is_unique=False`` and a duplicated character, or a
character that is also a punctuation), text encodes to its *last* id, as in Coqui.

Vocabulary classes are resolved from ``CharactersConfig.characters_class``
through the explicit registry ``CHARACTER_CLASSES``; no class is ever imported
from a string.
"""

import logging
from typing import Dict, List, Optional, Tuple

from TTS.config.errors import ConfigError
from TTS.tts.configs.shared_configs import CharactersConfig

logger = logging.getLogger(__name__)

# Coqui's special symbols.
DEFAULT_PAD = "<PAD>"
DEFAULT_EOS = "<EOS>"
DEFAULT_BOS = "<BOS>"
DEFAULT_BLANK = "<BLNK>"

DEFAULT_PUNCTUATIONS = "!'(),-.:;? "

GRAPHEME_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# IPA symbols, grouped as the IPA chart groups them. Their concatenation, in this
# order, is the ``characters`` string Coqui writes for IPAPhonemes.
IPA_VOWELS = "iyɨʉɯuɪʏʊeøɘəɵɤoɛœɜɞʌɔæɐaɶɑɒᵻ"
IPA_NON_PULMONIC_CONSONANTS = "ʘɓǀɗǃʄǂɠǁʛ"
IPA_PULMONIC_CONSONANTS = "pbtdʈɖcɟkɡqɢʔɴŋɲɳnɱmʙrʀⱱɾɽɸβfvθðszʃʒʂʐçʝxɣχʁħʕhɦɬɮʋɹɻjɰlɭʎʟ"
IPA_SUPRASEGMENTALS = "ˈˌːˑ"
IPA_OTHER_SYMBOLS = "ʍwɥʜʢʡɕʑɺɧʲ"
IPA_DIACRITICS = "\u0303ɚ˞ɫ"  # combining tilde, r-coloured schwa, rhotic hook, velarised l
IPA_CHARACTERS = (
    IPA_VOWELS
    + IPA_NON_PULMONIC_CONSONANTS
    + IPA_PULMONIC_CONSONANTS
    + IPA_SUPRASEGMENTALS
    + IPA_OTHER_SYMBOLS
    + IPA_DIACRITICS
)


class BaseCharacters:
    """A vocabulary of single-character symbols plus multi-character special symbols.

    Parameters
    ----------
    characters : str
        The letters or phonemes; every Unicode code point is one symbol.
    punctuations : str
        Punctuation symbols (space included), appended after the characters.
    pad, eos, bos, blank : str or None
        Special symbols; ``None`` or ``""`` leaves the symbol out of the vocabulary.
    is_unique : bool
        Remove duplicate characters.
    is_sorted : bool
        Sort the characters by code point.

    Subclasses set ``default_characters``, used when ``characters`` is None.
    """

    default_characters: Optional[str] = None

    def __init__(
        self,
        *,
        characters: Optional[str] = None,
        punctuations: str = DEFAULT_PUNCTUATIONS,
        pad: Optional[str] = DEFAULT_PAD,
        eos: Optional[str] = DEFAULT_EOS,
        bos: Optional[str] = DEFAULT_BOS,
        blank: Optional[str] = DEFAULT_BLANK,
        is_unique: bool = False,
        is_sorted: bool = True,
    ) -> None:
        if characters is None:
            characters = self.default_characters
        if characters is None:
            raise ValueError(f"{type(self).__name__} needs its characters")
        self.characters = characters
        self.punctuations = punctuations
        self.pad = pad or None
        self.eos = eos or None
        self.bos = bos or None
        self.blank = blank or None
        self.is_unique = is_unique
        self.is_sorted = is_sorted
        self.vocab: List[str] = self._build_vocab()
        self._char_to_id: Dict[str, int] = {char: idx for idx, char in enumerate(self.vocab)}

    def _build_vocab(self) -> List[str]:
        chars = list(self.characters)
        if self.is_unique:
            chars = list(dict.fromkeys(chars))
        if self.is_sorted:
            chars = sorted(chars)
        specials = [s for s in (self.pad, self.eos, self.bos, self.blank) if s is not None]
        return specials + chars + list(self.punctuations)

    @property
    def num_chars(self) -> int:
        """Size of the vocabulary (the embedding table's row count)."""
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, char: str) -> bool:
        return char in self._char_to_id

    def char_to_id(self, char: str) -> int:
        """Id of ``char``; ``KeyError`` when it is not in the vocabulary."""
        return self._char_to_id[char]

    def id_to_char(self, idx: int) -> str:
        """Symbol of id ``idx``."""
        return self.vocab[idx]

    def _special_id(self, symbol: Optional[str]) -> Optional[int]:
        return None if symbol is None else self._char_to_id[symbol]

    @property
    def pad_id(self) -> Optional[int]:
        return self._special_id(self.pad)

    @property
    def eos_id(self) -> Optional[int]:
        return self._special_id(self.eos)

    @property
    def bos_id(self) -> Optional[int]:
        return self._special_id(self.bos)

    @property
    def blank_id(self) -> Optional[int]:
        return self._special_id(self.blank)

    def class_path(self) -> str:
        """The dotted path written to ``characters.characters_class``."""
        return f"{type(self).__module__}.{type(self).__qualname__}"

    def to_config(self) -> CharactersConfig:
        """The ``CharactersConfig`` that rebuilds this vocabulary (see ``characters_from_config``)."""
        return CharactersConfig(
            characters_class=self.class_path(),
            vocab_dict=None,
            pad=self.pad,
            eos=self.eos,
            bos=self.bos,
            blank=self.blank,
            characters=self.characters,
            punctuations=self.punctuations,
            phonemes=None,
            is_unique=self.is_unique,
            is_sorted=self.is_sorted,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_chars={self.num_chars})"


class Graphemes(BaseCharacters):
    """Letters A-Z, a-z and the default punctuation (67 symbols with the four specials)."""

    default_characters = GRAPHEME_CHARACTERS


class IPAPhonemes(BaseCharacters):
    """IPA symbols as espeak-ng writes them and the default punctuation (132 symbols with the four specials)."""

    default_characters = IPA_CHARACTERS


# ``characters.characters_class`` value -> class. Coqui's dotted paths (which are
# also this package's module paths) and the bare class names.
CHARACTER_CLASSES: Dict[str, type] = {
    "TTS.tts.utils.text.characters.IPAPhonemes": IPAPhonemes,
    "TTS.tts.utils.text.characters.Graphemes": Graphemes,
    "IPAPhonemes": IPAPhonemes,
    "Graphemes": Graphemes,
}


def get_characters_class(name: str) -> type:
    """Resolve a ``characters_class`` value through ``CHARACTER_CLASSES``.

    Raises
    ------
    ConfigError
        When ``name`` is not a known vocabulary class; the message names the field.
    """
    try:
        return CHARACTER_CLASSES[name]
    except KeyError:
        known = ", ".join(sorted(CHARACTER_CLASSES))
        raise ConfigError(
            f"config field 'characters.characters_class': unknown class {name!r}; known: {known}"
        ) from None


def characters_from_config(
    characters_config: Optional[CharactersConfig], *, use_phonemes: bool
) -> Tuple[BaseCharacters, CharactersConfig]:
    """Build the vocabulary a config describes.

    Parameters
    ----------
    characters_config : CharactersConfig or None
        The config's ``characters``. ``None`` gives the default vocabulary:
        ``IPAPhonemes`` when ``use_phonemes`` else ``Graphemes``.
    use_phonemes : bool
        Picks the class when ``characters_class`` is not set (older configs).

    Returns
    -------
    characters : BaseCharacters
        The vocabulary.
    config : CharactersConfig
        The complete config that rebuilds it (``characters_class`` filled in).

    Notes
    -----
    Within a given ``characters`` config, ``characters`` and ``punctuations`` left
    as ``None`` take the class defaults, while a special symbol left as ``None``
    is absent (as in Coqui). For ``IPAPhonemes`` a legacy ``phonemes`` string
    takes the place of ``characters``. ``vocab_dict`` is not used (nor by Coqui
    for these classes); a warning says so when it is set.
    """
    default_cls = IPAPhonemes if use_phonemes else Graphemes
    if characters_config is None:
        characters = default_cls()
        return characters, characters.to_config()

    class_name = characters_config.characters_class
    cls = get_characters_class(class_name) if class_name else default_cls
    if characters_config.vocab_dict:
        logger.warning("config field 'characters.vocab_dict' is ignored: the vocabulary is built from the characters")
    chars = characters_config.characters
    if cls is IPAPhonemes and characters_config.phonemes:
        chars = characters_config.phonemes
    characters = cls(
        characters=cls.default_characters if chars is None else chars,
        punctuations=DEFAULT_PUNCTUATIONS if characters_config.punctuations is None else characters_config.punctuations,
        pad=characters_config.pad,
        eos=characters_config.eos,
        bos=characters_config.bos,
        blank=characters_config.blank,
        is_unique=characters_config.is_unique,
        is_sorted=characters_config.is_sorted,
    )
    return characters, characters.to_config()
