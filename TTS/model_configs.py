"""The config class of each model, registered with the config loader (``TTS.config.loader``).

The config modules import ``TTS.config``, so the loader cannot import them; this module, above both, does, and
``TTS/__init__.py`` imports it: ``TTS.config.load_config`` knows every model however the package is entered.
A new model adds its config class here.
"""

from coqpit import Coqpit

from TTS.config.loader import register_config, register_name_check
from TTS.tts.configs.glow_tts_config import GlowTTSConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.utils.text.characters import get_characters_class
from TTS.tts.utils.text.cleaners import get_cleaner
from TTS.vocoder.configs.fullband_melgan_config import FullbandMelganConfig
from TTS.vocoder.configs.hifigan_config import HifiganConfig
from TTS.vocoder.configs.melgan_config import MelganConfig
from TTS.vocoder.configs.multiband_melgan_config import MultibandMelganConfig
from TTS.vocoder.configs.parallel_wavegan_config import ParallelWaveganConfig
from TTS.vocoder.configs.univnet_config import UnivnetConfig
from TTS.vocoder.configs.wavegrad_config import WavegradConfig

# the config's ``model`` field -> its config class
CONFIG_CLASSES = {
    "tacotron2": Tacotron2Config,
    "glow_tts": GlowTTSConfig,
    "hifigan": HifiganConfig,
    "melgan": MelganConfig,
    "multiband_melgan": MultibandMelganConfig,
    "fullband_melgan": FullbandMelganConfig,
    "parallel_wavegan": ParallelWaveganConfig,
    "univnet": UnivnetConfig,
    "wavegrad": WavegradConfig,
}


def check_text_names(config: Coqpit) -> None:
    """Resolve the cleaner and vocabulary class a TTS config names (``ConfigError`` naming a typo)."""
    text_cleaner = getattr(config, "text_cleaner", None)
    if text_cleaner:
        get_cleaner(text_cleaner)
    characters_class = getattr(getattr(config, "characters", None), "characters_class", None)
    if characters_class:
        get_characters_class(characters_class)


for _model, _cls in CONFIG_CLASSES.items():
    register_config(_model, _cls)
register_name_check(check_text_names)
