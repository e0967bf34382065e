"""Griffin-Lim: a waveform from a magnitude spectrogram by iterating STFTs, the vocoder that needs no model.

``griffin_lim`` (Coqui's algorithm, through librosa) and ``fast_griffin_lim`` (momentum, float32 scipy STFTs)
are the algorithms, used by ``AudioProcessor.griffin_lim``; ``GriffinLimVocoder`` is the ``Vocoder`` that
inverts the mel features of an acoustic model's ``AudioProcessor``. numpy only: a leaf the audio helpers import.
"""

import functools
from typing import Optional

import numpy as np
import scipy.fft
import scipy.signal

from TTS.utils.audio.numpy_transforms import istft, stft
from TTS.vocoder.interface import STFT_CENTRED, Vocoder


def _phase_draw(shape: tuple, phase_draw: Optional[np.ndarray]) -> np.ndarray:
    """The uniform [0, 1) numbers the starting phases are made of: given, or drawn from numpy's global state (as Coqui)."""
    if phase_draw is None:
        return np.random.rand(*shape)
    if phase_draw.shape != shape:
        raise ValueError(f"Griffin-Lim phase_draw has shape {phase_draw.shape}, the spectrogram {shape}")
    return phase_draw


def griffin_lim(
    *,
    spec: np.ndarray,
    num_iter: int,
    fft_size: int,
    hop_length: int,
    win_length: int,
    pad_mode: str = "reflect",
    phase_draw: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Classic Griffin-Lim (Griffin & Lim, 1984), step for step as Coqui runs it.

    Random starting phases from ``np.random.rand`` (or ``phase_draw``, the same
    uniform draw made beforehand, shaped like ``spec``), then ``num_iter`` rounds of
    iSTFT and re-estimating the phase from the STFT of the result, in float64
    through librosa: for the same seed the output is Coqui's. See
    :func:`fast_griffin_lim` for the variant used at synthesis by default.

    Parameters
    ----------
    spec : np.ndarray
        Target linear magnitudes, shape ``(fft_size // 2 + 1, T_frames)``.
    num_iter : int
        Number of iterations; 0 returns the iSTFT of the random-phase start.
    fft_size, hop_length, win_length : int
        STFT geometry in samples.
    pad_mode : str
        STFT padding mode.

    Returns
    -------
    np.ndarray
        Waveform, float64, shape ``((T_frames - 1) * hop_length,)``.
    """
    if not np.isfinite(spec).all():
        raise ValueError("Griffin-Lim input spectrogram has non-finite values")
    magnitude = np.abs(spec).astype(complex)
    angles = np.exp(2j * np.pi * _phase_draw(spec.shape, phase_draw))

    def _stft(y: np.ndarray) -> np.ndarray:
        return stft(y=y, fft_size=fft_size, hop_length=hop_length, win_length=win_length, pad_mode=pad_mode)

    def _istft(s: np.ndarray) -> np.ndarray:
        return istft(spec=s, hop_length=hop_length, win_length=win_length)

    y = _istft(magnitude * angles)
    for _ in range(num_iter):
        angles = np.exp(1j * np.angle(_stft(y)))
        y = _istft(magnitude * angles)
    return y


@functools.lru_cache(maxsize=8)
def _padded_hann(fft_size: int, win_length: int) -> np.ndarray:
    """Periodic Hann window of ``win_length`` centred in ``fft_size`` zeros, float32 (librosa's STFT window)."""
    window = np.zeros(fft_size, dtype=np.float32)
    offset = (fft_size - win_length) // 2
    window[offset : offset + win_length] = scipy.signal.get_window("hann", win_length, fftbins=True)
    window.flags.writeable = False
    return window


class _Float32Stft:
    """Centred STFT and its inverse for one geometry and frame count, on float32/complex64 buffers.

    They compute what :func:`stft` and :func:`istft` compute (same padding,
    window and window-sum-square normalisation) with ``scipy.fft`` in single
    precision, on frames-major arrays ``(T_frames, fft_size // 2 + 1)`` so that
    every FFT runs over contiguous rows, and with the overlap-add done as
    ``ceil(fft_size / hop_length)`` vectorised slice additions instead of a
    loop over frames. ``scipy.fft``'s worker count follows
    ``scipy.fft.set_workers`` (1 by default).
    """

    def __init__(self, *, fft_size: int, hop_length: int, win_length: int, num_frames: int, pad_mode: str) -> None:
        self.fft_size, self.hop_length, self.num_frames, self.pad_mode = fft_size, hop_length, num_frames, pad_mode
        self.window = _padded_hann(fft_size, win_length)
        self.num_samples = (num_frames - 1) * hop_length
        self.hops_per_frame = -(-fft_size // hop_length)
        # frames zero-padded to a whole number of hops, and the overlap-add buffer in rows of one hop
        self._frames = np.zeros((num_frames, self.hops_per_frame * hop_length), dtype=np.float32)
        self._sum = np.zeros((num_frames + self.hops_per_frame - 1, hop_length), dtype=np.float32)
        self._windowed = np.empty((num_frames, fft_size), dtype=np.float32)
        self._frames[:, :fft_size] = self.window**2
        envelope = self._overlap_add().astype(np.float64)
        tiny = np.finfo(np.float32).tiny
        self._inv_envelope = np.where(envelope > tiny, 1.0 / np.maximum(envelope, tiny), 0.0).astype(np.float32)

    def _overlap_add(self) -> np.ndarray:
        """Overlap-add the rows of ``self._frames`` and cut the centring margin: ``(num_samples,)``."""
        self._sum.fill(0.0)
        parts = self._frames.reshape(self.num_frames, self.hops_per_frame, self.hop_length)
        for k in range(self.hops_per_frame):
            self._sum[k : k + self.num_frames] += parts[:, k]
        start = self.fft_size // 2
        return self._sum.reshape(-1)[start : start + self.num_samples]

    def istft(self, spec: np.ndarray) -> np.ndarray:
        """Waveform ``(num_samples,)`` of a complex64 spectrogram ``(T_frames, fft_size // 2 + 1)``."""
        frames = self._frames[:, : self.fft_size]
        frames[...] = scipy.fft.irfft(spec, n=self.fft_size, axis=-1)
        frames *= self.window
        return self._overlap_add() * self._inv_envelope

    def stft(self, y: np.ndarray) -> np.ndarray:
        """Complex64 spectrogram ``(T_frames, fft_size // 2 + 1)`` of a float32 waveform ``(num_samples,)``."""
        padded = np.pad(y, self.fft_size // 2, mode=self.pad_mode)
        frames = np.lib.stride_tricks.sliding_window_view(padded, self.fft_size)[:: self.hop_length]
        np.multiply(frames, self.window, out=self._windowed)
        return scipy.fft.rfft(self._windowed, axis=-1)


def fast_griffin_lim(
    *,
    spec: np.ndarray,
    num_iter: int,
    fft_size: int,
    hop_length: int,
    win_length: int,
    pad_mode: str = "reflect",
    momentum: float = 0.99,
    phase_draw: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Fast Griffin-Lim (Perraudin, Balazs & Sondergaard, 2013) in single precision.

    Each new STFT estimate ``t_n`` is extrapolated to
    ``t_n + momentum * (t_n - t_{n-1})`` before its phase is kept, which reaches
    a given spectral convergence in far fewer iterations than the classic
    algorithm. Starting phases are the classic algorithm's (the same
    ``np.random.rand`` draw), so seeding numpy makes the output reproducible.
    Transforms run in float32/complex64 (see ``_Float32Stft``); the rounding
    this adds is far below the reconstruction error of either algorithm.

    Parameters
    ----------
    spec : np.ndarray
        Target linear magnitudes, shape ``(fft_size // 2 + 1, T_frames)``.
    num_iter : int
        Number of iterations; 0 returns the iSTFT of the random-phase start.
    fft_size, hop_length, win_length : int
        STFT geometry in samples.
    pad_mode : str
        STFT padding mode.
    momentum : float
        Extrapolation weight in (0, 1); 0.99 is the paper's value.

    Returns
    -------
    np.ndarray
        Waveform, float64, shape ``((T_frames - 1) * hop_length,)``.
    """
    if not np.isfinite(spec).all():
        raise ValueError("Griffin-Lim input spectrogram has non-finite values")
    if not 0.0 < momentum < 1.0:
        raise ValueError(f"fast Griffin-Lim momentum must be in (0, 1), got {momentum}")
    transforms = _Float32Stft(
        fft_size=fft_size, hop_length=hop_length, win_length=win_length, num_frames=spec.shape[1], pad_mode=pad_mode
    )
    # frames-major (T_frames, n_freq) layout throughout, transposed once here
    magnitude = np.ascontiguousarray(np.abs(spec).T, dtype=np.float32)
    angles = (2 * np.pi * _phase_draw(spec.shape, phase_draw)).astype(np.float32).T
    estimate = np.empty(magnitude.shape, dtype=np.complex64)
    np.multiply(magnitude, np.cos(angles), out=estimate.real)
    np.multiply(magnitude, np.sin(angles), out=estimate.imag)
    accelerated = np.zeros_like(estimate)
    scale = np.empty_like(magnitude)
    tiny = np.finfo(np.float32).tiny
    for _ in range(num_iter):
        rebuilt = transforms.stft(transforms.istft(estimate))
        # accelerated = rebuilt + momentum * (rebuilt - previous rebuilt), in place of the previous one
        accelerated *= -momentum
        np.multiply(rebuilt, 1.0 + momentum, out=estimate)
        accelerated += estimate
        # keep the phase of the accelerated estimate, with the target magnitude
        np.abs(accelerated, out=scale)
        np.maximum(scale, tiny, out=scale)
        np.divide(magnitude, scale, out=scale)
        np.multiply(accelerated, scale, out=estimate)
        accelerated = rebuilt
    return transforms.istft(estimate).astype(np.float64)


class GriffinLimVocoder(Vocoder):
    """Griffin-Lim from the mel features of an ``AudioProcessor`` (the acoustic model's): its settings, its rate."""

    def __init__(self, ap) -> None:
        self.ap = ap

    def vocode(self, mel: np.ndarray, *, start: Optional[np.ndarray] = None) -> np.ndarray:
        """Shapes: mel (T, C_mel) -> (T_wav,)."""
        return self.ap.inv_melspectrogram(mel.T, phase_draw=start)

    @property
    def sample_rate(self) -> int:
        return self.ap.sample_rate

    @property
    def hop_length(self) -> int:
        return self.ap.hop_length

    @property
    def padding(self) -> str:
        return STFT_CENTRED

    def start_shape(self, num_frames: int) -> Optional[tuple]:
        """The starting phases: one uniform draw per linear-spectrogram bin and frame."""
        return (self.ap.fft_size // 2 + 1, num_frames)

    @property
    def parallel_threads(self) -> bool:
        return True
