"""Vocoder models, looked up by the config's ``generator_model`` field."""

import logging

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
