"""What a synthesiser may ask of a vocoder: mel frames in, a waveform out.

Implemented by ``GriffinLimVocoder`` (``TTS.vocoder.griffin_lim``) and ``ModelVocoder``
(``TTS.vocoder.models.model_vocoder``, every neural generator).
"""

import abc
from typing import Optional

import numpy as np

#: padding policies: each frame gives ``hop_length`` samples (the generator's inference padding cut off) ...
EXACT = "exact"
#: ... or the inverse STFT of centred frames (``librosa.istft`` with ``center=True``: ``(T - 1) * hop_length``)
STFT_CENTRED = "stft_centred"


class Vocoder(abc.ABC):
    """Mel spectrogram in, waveform out."""

    @abc.abstractmethod
    def vocode(self, mel: np.ndarray, *, start: Optional[np.ndarray] = None) -> np.ndarray:
        """The waveform of one mel spectrogram, normalised as the acoustic model's audio config says.

        ``start`` fixes the random starting state of a vocoder that draws one (see ``start_shape``).

        Shapes: mel (T, C_mel) -> (T_wav,) float.
        """

    @property
    @abc.abstractmethod
    def sample_rate(self) -> int:
        """Samples per second of the waveform."""

    @property
    @abc.abstractmethod
    def hop_length(self) -> int:
        """Samples per mel frame."""

    @property
    @abc.abstractmethod
    def padding(self) -> str:
        """How the waveform's length follows the frames: ``EXACT`` or ``STFT_CENTRED``."""

    def start_shape(self, num_frames: int) -> Optional[tuple]:
        """Shape of the uniform [0, 1) draw a ``start`` is made of, or None for a vocoder that draws nothing."""
        return None

    @property
    def parallel_threads(self) -> bool:
        """Whether several spectrograms are best vocoded at once in threads (numpy work that releases the GIL)."""
        return False
