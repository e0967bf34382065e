"""TTS models, looked up by the config's ``model`` field."""

from typing import Any, Dict, List, Optional

from TTS.tts.models.tacotron2 import Tacotron2

MODELS = {"tacotron2": Tacotron2}


def setup_model(config, samples: Optional[List[Dict[str, Any]]] = None):
    """Build the model a config names (``config.model``), with its AudioProcessor and tokenizer."""
    name = str(config.model).lower()
    if name not in MODELS:
        raise ValueError(f"config field 'model': unknown model {config.model!r}; known: {', '.join(sorted(MODELS))}")
    return MODELS[name].init_from_config(config, samples)
