"""Vocoder models, looked up by the config's ``generator_model`` field."""

import importlib
import inspect
import logging

from TTS.config.errors import ConfigError
from TTS.vocoder.models.hifigan_generator import HifiganGenerator

logger = logging.getLogger(__name__)

GENERATORS = {"hifigan_generator": HifiganGenerator}


def setup_model(config):
    """Build the vocoder a config describes (inference only: the generator, no discriminator).

    Parameters
    ----------
    config:
        A vocoder config, e.g. ``HifiganConfig``; ``config.generator_model`` picks the network
        (case-insensitive).

    Returns
    -------
    The generator, with freshly initialised weights; ``load_checkpoint`` fills them.
    """
    name = str(config.generator_model).lower()
    if name not in GENERATORS:
        raise ValueError(
            f"config field 'generator_model': unknown generator {config.generator_model!r}; "
            f"known: {', '.join(sorted(GENERATORS))}"
        )
    logger.debug("vocoder: %s (%s)", config.model, name)
    return GENERATORS[name].init_from_config(config)


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
