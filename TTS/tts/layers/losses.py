"""The loss modules of every TTS model, at Coqui's import path (``TTS.tts.layers.losses``)."""

from TTS.tts.layers.glow_tts.losses import GlowTTSLoss

__all__ = ["GlowTTSLoss"]
