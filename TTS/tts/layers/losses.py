"""Coqui's import path of the TTS losses (``from TTS.tts.layers.losses import MSELossMasked``).

A plain list of re-exports: each loss lives with its model under ``TTS/tts/layers/<model>/``.
"""

from TTS.tts.layers.glow_tts.losses import GlowTTSLoss
from TTS.tts.layers.tacotron2.losses import L1LossMasked, MSELossMasked, Tacotron2Loss, TacotronLoss

__all__ = [
    "GlowTTSLoss",
    "L1LossMasked",
    "MSELossMasked",
    "Tacotron2Loss",
    "TacotronLoss",
]
