"""A text-to-speech toolkit built around Tacotron2, compatible with Coqui TTS checkpoints and configs."""

from TTS.version import __version__

# every model's config class, registered with the config loader (TTS.config.load_config)
from TTS import model_configs  # noqa: E402, F401, I001

__all__ = ["__version__"]
