"""Audio features: ``AudioProcessor`` and the numpy transforms it chains."""

from TTS.utils.audio.numpy_transforms import AudioError
from TTS.utils.audio.processor import AudioProcessor

__all__ = ["AudioError", "AudioProcessor"]
