"""Vocoder generators, looked up by the config's ``generator_model`` field (case-insensitive).

``GENERATORS`` maps each name Coqui's configs use to the class that builds it from the config
(``init_from_config``). Full-band MelGAN configs name ``melgan_generator`` or ``fullband_melgan_generator``:
the same network.
"""

import importlib
import inspect
import logging
from typing import Dict, Type

from TTS.config.errors import ConfigError
from TTS.vocoder.models.base_generator import BaseGenerator
from TTS.vocoder.models.fullband_melgan_generator import FullbandMelganGenerator
from TTS.vocoder.models.hifigan_generator import HifiganGenerator
from TTS.vocoder.models.melgan_generator import MelganGenerator
from TTS.vocoder.models.multiband_melgan_generator import MultibandMelganGenerator
from TTS.vocoder.models.parallel_wavegan_generator import ParallelWaveganGenerator
from TTS.vocoder.models.univnet_generator import UnivnetGenerator
from TTS.vocoder.models.wavegrad import Wavegrad

logger = logging.getLogger(__name__)

GENERATORS: Dict[str, Type[BaseGenerator]] = {
    "hifigan_generator": HifiganGenerator,
    "melgan_generator": MelganGenerator,
    "fullband_melgan_generator": FullbandMelganGenerator,
    "multiband_melgan_generator": MultibandMelganGenerator,
    "parallel_wavegan_generator": ParallelWaveganGenerator,
    "univnet_generator": UnivnetGenerator,
    "wavegrad": Wavegrad,
}


def setup_generator(config) -> BaseGenerator:
    """Build the generator a vocoder config describes, with freshly initialised weights.

    Parameters
    ----------
    config:
        A vocoder config (``HifiganConfig``, ``MelganConfig``, ...); ``config.generator_model`` picks the network.
    """
    name = str(config.generator_model).lower()
    if name not in GENERATORS:
        raise ValueError(
            f"config field 'generator_model': unknown generator {config.generator_model!r}; "
            f"known: {', '.join(sorted(GENERATORS))}"
        )
    logger.debug("vocoder: %s (%s)", config.model, name)
    return GENERATORS[name].init_from_config(config)


def setup_model(config) -> BaseGenerator:
    """The vocoder for synthesis: the generator of ``config`` (``load_checkpoint`` fills its weights)."""
    return setup_generator(config)


# discriminator_model -> "module:class" under TTS.vocoder.models (imported when a GAN is built for training)
DISCRIMINATORS = {
    "hifigan_discriminator": "hifigan_discriminator:HifiganDiscriminator",
    "melgan_multiscale_discriminator": "melgan_multiscale_discriminator:MelganMultiscaleDiscriminator",
}


def setup_discriminator(config):
    """Build the discriminator a GAN vocoder config names (``discriminator_model``, case-insensitive).

    ``discriminator_model_params`` (when the config has it) are passed as keyword arguments; a
    parameter the discriminator does not take is a ``ConfigError`` naming it.
    """
    name = str(getattr(config, "discriminator_model", "")).lower()
    if name not in DISCRIMINATORS:
        raise ConfigError(
            f"config field 'discriminator_model': {config.discriminator_model!r} cannot be trained here; "
            f"known: {', '.join(sorted(DISCRIMINATORS))}"
        )
    module_name, class_name = DISCRIMINATORS[name].split(":")
    cls = getattr(importlib.import_module(f"TTS.vocoder.models.{module_name}"), class_name)
    params = dict(getattr(config, "discriminator_model_params", None) or {})
    accepted = set(inspect.signature(cls).parameters)
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise ConfigError(
            f"config field 'discriminator_model_params': {', '.join(unknown)} not taken by {name} "
            f"(it takes {', '.join(sorted(accepted))})"
        )
    logger.debug("discriminator: %s %s", name, params)
    return cls(**params)
