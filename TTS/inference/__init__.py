"""Text in, waveform out: the ``Synthesizer`` and what it is made of.

``synthesizer`` (the ``Synthesizer``: sentences -> acoustic model -> vocoder -> wav), ``sentences`` (text to
speakable sentences and token ids), ``loading`` (the models and configs of a Synthesizer), ``checks`` (the errors
of synthesis and the checks of devices, output files and speaker tables).
"""

from TTS.inference.checks import (
    AudioLimitError,
    SynthesisCancelled,
    SynthesisError,
    UnknownDeviceError,
    UnsupportedVocoderError,
)
from TTS.inference.synthesizer import Synthesizer

__all__ = [
    "AudioLimitError",
    "SynthesisCancelled",
    "SynthesisError",
    "Synthesizer",
    "UnknownDeviceError",
    "UnsupportedVocoderError",
]
