"""A text-to-speech toolkit built around Tacotron2, compatible with Coqui TTS checkpoints and configs."""

__version__ = "0.1.0"
