"""TTS models, looked up by the config's ``model`` field."""

from typing import Any, Dict, List, Optional

from TTS.config.errors import ConfigError
from TTS.tts.models.glow_tts import GlowTTS
from TTS.tts.models.tacotron2 import Tacotron2

MODELS = {"tacotron2": Tacotron2, "glow_tts": GlowTTS}


def setup_model(config, samples: Optional[List[Dict[str, Any]]] = None):
    """Build the model a config names (``config.model``), with its AudioProcessor and tokenizer."""
    name = str(config.model).lower()
    if name not in MODELS:
        raise ConfigError(
            f"config field 'model': {config.model!r} is not a TTS model; known TTS models: {', '.join(sorted(MODELS))}"
        )
    return MODELS[name].init_from_config(config, samples)
