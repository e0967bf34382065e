"""Numpy/librosa building blocks of the audio pipeline.

Each function does one step (STFT, mel projection, dB conversion, range or
mean-variance normalisation, Griffin-Lim, silence handling) and takes its
settings as keyword arguments, so that ``AudioProcessor`` is only the place
that reads a config and chains them. The formulas and defaults reproduce
Coqui TTS so that features computed here match models trained there.

Shapes
------
- waveforms: ``(T_wav,)``
- complex or magnitude spectrograms: ``(fft_size // 2 + 1, T_frames)``
- mel spectrograms: ``(num_mels, T_frames)``
"""

import pickle
from pathlib import Path
from typing import Any, Dict, Optional, Union

import librosa
import numpy as np
import scipy.fft
import scipy.signal

from TTS.errors import TTSError

#: Amplitudes are floored here before taking the log (Coqui's value).
AMP_FLOOR = 1e-8
#: Linear magnitudes rebuilt from mels are floored here (Coqui's value).
MEL_TO_LINEAR_FLOOR = 1e-10
#: Length of the margin cut off at both ends before trimming silence, in seconds.
TRIM_MARGIN_SEC = 0.01
#: Default loudness target of ``rms_volume_norm`` when no level is configured, in dB.
DEFAULT_RMS_DB_LEVEL = -27.0
#: Peak level ``sound_norm`` scales waveforms to.
SOUND_NORM_PEAK = 0.95
#: Keys a ``scale_stats.npy`` file must hold.
SCALE_STATS_KEYS = ("mel_mean", "mel_std", "linear_mean", "linear_std", "audio_config")

LOG_BASES = {"np.log": np.e, "np.log10": 10.0}

PathLike = Union[str, Path]


class AudioError(TTSError, ValueError):
    """An audio file or an audio-feature file cannot be used; the message names it."""


class NonFiniteAudioError(AudioError):
    """An audio file holding NaN or infinite samples (only float files can)."""


# --------------------------------------------------------------------------- STFT and mel


def frame_geometry(
    *,
    sample_rate: int,
    hop_length: int,
    win_length: int,
    frame_shift_ms: Optional[float],
    frame_length_ms: Optional[float],
) -> tuple:
    """Hop and window length in samples; millisecond settings override the sample ones."""
    if frame_shift_ms is not None:
        hop_length = int(frame_shift_ms / 1000.0 * sample_rate)
    if frame_length_ms is not None:
        if frame_shift_ms is not None:
            # Coqui's rule: the window is a whole number of hops.
            factor = frame_length_ms / frame_shift_ms
            if not float(factor).is_integer():
                raise ValueError(
                    f"frame_length_ms ({frame_length_ms}) must be a multiple of frame_shift_ms ({frame_shift_ms})"
                )
            win_length = int(hop_length * factor)
        else:
            win_length = int(frame_length_ms / 1000.0 * sample_rate)
    return hop_length, win_length


def stft(*, y: np.ndarray, fft_size: int, hop_length: int, win_length: int, pad_mode: str = "reflect") -> np.ndarray:
    """Centred short-time Fourier transform with a Hann window.

    Parameters
    ----------
    y : np.ndarray
        Waveform, shape ``(T_wav,)``.
    fft_size, hop_length, win_length : int
        STFT geometry in samples.
    pad_mode : str
        How the signal is padded at both ends for centring ("reflect" or "constant").

    Returns
    -------
    np.ndarray
        Complex spectrogram, shape ``(fft_size // 2 + 1, 1 + T_wav // hop_length)``.
    """
    return librosa.stft(
        y=y, n_fft=fft_size, hop_length=hop_length, win_length=win_length, window="hann", center=True, pad_mode=pad_mode
    )


def istft(*, spec: np.ndarray, hop_length: int, win_length: int, length: Optional[int] = None) -> np.ndarray:
    """Inverse of :func:`stft` (overlap-add with a Hann window).

    Parameters
    ----------
    spec : np.ndarray
        Complex spectrogram, shape ``(fft_size // 2 + 1, T_frames)``.
    hop_length, win_length : int
        STFT geometry in samples.
    length : int, optional
        Exact output length; by default ``(T_frames - 1) * hop_length`` as Coqui.

    Returns
    -------
    np.ndarray
        Waveform, shape ``(T_wav,)``.
    """
    return librosa.istft(spec, hop_length=hop_length, win_length=win_length, window="hann", center=True, length=length)


def build_mel_basis(
    *, sample_rate: int, fft_size: int, num_mels: int, mel_fmin: float = 0.0, mel_fmax: Optional[float] = None
) -> np.ndarray:
    """Slaney-normalised mel filterbank (librosa's default), float32.

    Returns
    -------
    np.ndarray
        Filterbank, shape ``(num_mels, fft_size // 2 + 1)``.
    """
    return librosa.filters.mel(sr=sample_rate, n_fft=fft_size, n_mels=num_mels, fmin=mel_fmin, fmax=mel_fmax)


def spec_to_mel(*, spec: np.ndarray, mel_basis: np.ndarray) -> np.ndarray:
    """Project a linear magnitude spectrogram onto the mel filterbank."""
    return np.dot(mel_basis, spec)


def mel_to_spec(*, mel: np.ndarray, inv_mel_basis: np.ndarray) -> np.ndarray:
    """Approximate a linear magnitude spectrogram from a mel one.

    Parameters
    ----------
    mel : np.ndarray
        Mel magnitudes, shape ``(num_mels, T_frames)``.
    inv_mel_basis : np.ndarray
        Pseudo-inverse of the mel filterbank, shape ``(fft_size // 2 + 1, num_mels)``.

    Returns
    -------
    np.ndarray
        Linear magnitudes floored at ``MEL_TO_LINEAR_FLOOR``, shape ``(fft_size // 2 + 1, T_frames)``.
    """
    return np.maximum(MEL_TO_LINEAR_FLOOR, np.dot(inv_mel_basis, mel))


# --------------------------------------------------------------------------- dB conversion


def log_base(log_func: str) -> float:
    """Base of the logarithm named by a config's ``log_func`` ("np.log" or "np.log10")."""
    if log_func not in LOG_BASES:
        raise ValueError(f"log_func must be one of {sorted(LOG_BASES)}, got {log_func!r}")
    return LOG_BASES[log_func]


def amp_to_db(*, x: np.ndarray, gain: float = 1.0, base: float = 10.0) -> np.ndarray:
    """``gain * log_base(max(AMP_FLOOR, x))``: magnitudes to (scaled) log magnitudes."""
    if np.any(x < 0):
        raise ValueError("amp_to_db expects non-negative magnitudes")
    floored = np.maximum(AMP_FLOOR, x)
    if base == np.e:
        return gain * np.log(floored)
    if base == 10:
        return gain * np.log10(floored)
    return gain * np.log(floored) / np.log(base)


def db_to_amp(*, x: np.ndarray, gain: float = 1.0, base: float = 10.0) -> np.ndarray:
    """Inverse of :func:`amp_to_db` (without the floor): ``base ** (x / gain)``."""
    return np.exp(x / gain) if base == np.e else np.power(base, x / gain)


# --------------------------------------------------------------------------- normalisation


def normalize_range(
    *,
    S: np.ndarray,
    ref_level_db: float,
    min_level_db: float,
    max_norm: float,
    symmetric: bool = True,
    clip: bool = True,
) -> np.ndarray:
    """Map dB values to ``[-max_norm, max_norm]`` (symmetric) or ``[0, max_norm]``.

    ``S - ref_level_db`` is mapped linearly so that ``min_level_db`` lands on the
    bottom of the range and 0 dB on the top; ``clip`` clips to the range.
    """
    scaled = (S - ref_level_db - min_level_db) / -min_level_db
    if symmetric:
        out = 2 * max_norm * scaled - max_norm
        return np.clip(out, -max_norm, max_norm) if clip else out
    out = max_norm * scaled
    return np.clip(out, 0, max_norm) if clip else out


def denormalize_range(
    *,
    S: np.ndarray,
    ref_level_db: float,
    min_level_db: float,
    max_norm: float,
    symmetric: bool = True,
    clip: bool = True,
) -> np.ndarray:
    """Inverse of :func:`normalize_range` (input clipped to the range first when ``clip``)."""
    if symmetric:
        S = np.clip(S, -max_norm, max_norm) if clip else S
        scaled = (S + max_norm) / (2 * max_norm)
    else:
        S = np.clip(S, 0, max_norm) if clip else S
        scaled = S / max_norm
    return scaled * -min_level_db + min_level_db + ref_level_db


def normalize_meanvar(*, S: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Standardise each channel (row) of ``S`` with per-channel ``mean`` and ``std``."""
    return (S - mean[:, None]) / std[:, None]


def denormalize_meanvar(*, S: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Inverse of :func:`normalize_meanvar`."""
    return S * std[:, None] + mean[:, None]


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that can rebuild numpy arrays and builtin containers and nothing else."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy._core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        return super().find_class(module, name)


def load_scale_stats(path: PathLike) -> Dict[str, Any]:
    """Read the mean-variance statistics file written by Coqui's ``compute_statistics``.

    The file is a ``.npy`` holding a pickled dict with keys ``mel_mean``,
    ``mel_std``, ``linear_mean``, ``linear_std`` (1-D arrays) and
    ``audio_config`` (the audio settings they were computed with). Because
    ``np.load(allow_pickle=True)`` would run arbitrary code from the file before
    anything could be checked, the pickle is read with an unpickler that can only
    rebuild numpy arrays, then checked to be a plain dict of arrays.

    Parameters
    ----------
    path : str or Path
        The ``scale_stats.npy`` file.

    Returns
    -------
    dict
        The statistics as float64 arrays, plus ``audio_config`` (a dict).

    Raises
    ------
    AudioError
        When the file is missing, is not such a dict, or holds anything else.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"scale stats file not found: {path}")
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(f)
            if dtype != np.dtype(object) or shape != ():
                raise AudioError(f"scale stats file {path} holds a {dtype} array of shape {shape}, not a pickled dict")
            obj = _ArrayOnlyUnpickler(f).load()
    except AudioError:
        raise
    except Exception as err:  # a malformed header or a refused pickle: say which file
        raise AudioError(f"cannot read scale stats file {path}: {err}") from err
    stats = obj.item() if isinstance(obj, np.ndarray) and obj.shape == () else obj
    if not isinstance(stats, dict):
        raise AudioError(f"scale stats file {path} must hold a dict, found {type(stats).__name__}")
    missing = [key for key in SCALE_STATS_KEYS if key not in stats]
    if missing:
        raise AudioError(f"scale stats file {path} lacks keys {missing}")
    out: Dict[str, Any] = {}
    for key in SCALE_STATS_KEYS[:-1]:
        value = stats[key]
        if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype.kind not in "fiu":
            raise AudioError(f"scale stats file {path}: '{key}' must be a 1-D numeric array")
        out[key] = value.astype(np.float64)
    if not isinstance(stats["audio_config"], dict):
        raise AudioError(f"scale stats file {path}: 'audio_config' must be a dict")
    out["audio_config"] = stats["audio_config"]
    return out


# --------------------------------------------------------------------------- pre-emphasis


def preemphasis(*, x: np.ndarray, coef: float) -> np.ndarray:
    """Pre-emphasis filter ``y[n] = x[n] - coef * x[n-1]``."""
    if coef == 0:
        raise ValueError("preemphasis coefficient is 0: nothing to apply")
    return scipy.signal.lfilter([1, -coef], [1], x)


def deemphasis(*, x: np.ndarray, coef: float) -> np.ndarray:
    """Inverse of :func:`preemphasis`: ``y[n] = x[n] + coef * y[n-1]``."""
    if coef == 0:
        raise ValueError("preemphasis coefficient is 0: nothing to invert")
    return scipy.signal.lfilter([1], [1, -coef], x)


def spectral_convergence(
    *, spec_target: np.ndarray, wav: np.ndarray, fft_size: int, hop_length: int, win_length: int, pad_mode: str = "reflect"
) -> float:
    """``||S - |STFT(wav)| ||_F / ||S||_F`` over the frames both have (lower is better).

    Parameters
    ----------
    spec_target : np.ndarray
        Target linear magnitudes, shape ``(fft_size // 2 + 1, T_frames)``.
    wav : np.ndarray
        Waveform to assess, shape ``(T_wav,)``.
    """
    rebuilt = np.abs(stft(y=wav, fft_size=fft_size, hop_length=hop_length, win_length=win_length, pad_mode=pad_mode))
    frames = min(rebuilt.shape[1], spec_target.shape[1])
    target = spec_target[:, :frames]
    return float(np.linalg.norm(target - rebuilt[:, :frames]) / np.linalg.norm(target))


# --------------------------------------------------------------------------- silence and loudness


def trim_silence(
    *, wav: np.ndarray, sample_rate: int, trim_db: float, frame_length: int, hop_length: int
) -> np.ndarray:
    """Cut a ``TRIM_MARGIN_SEC`` margin at both ends, then leading/trailing audio quieter than ``trim_db`` below peak."""
    margin = int(sample_rate * TRIM_MARGIN_SEC)
    wav = wav[margin : len(wav) - margin]
    return librosa.effects.trim(wav, top_db=trim_db, frame_length=frame_length, hop_length=hop_length)[0]


def find_endpoint(*, wav: np.ndarray, sample_rate: int, threshold: float, min_silence_sec: float = 0.8) -> int:
    """Sample index where the first silence of at least ``min_silence_sec`` starts (roughly), else ``len(wav)``.

    Windows of ``min_silence_sec`` are scanned with a quarter-window hop; the
    first whose peak absolute amplitude is below ``threshold`` ends the speech,
    and the index returned is one hop into that window.
    """
    window = int(sample_rate * min_silence_sec)
    hop = max(1, window // 4)
    for start in range(hop, len(wav) - window, hop):
        if np.max(np.abs(wav[start : start + window])) < threshold:
            return start + hop
    return len(wav)


def sound_norm(*, x: np.ndarray) -> np.ndarray:
    """Peak-normalise to ``SOUND_NORM_PEAK``."""
    peak = np.max(np.abs(x))
    if peak == 0:
        raise ValueError("cannot peak-normalise an all-zero waveform")
    return x / peak * SOUND_NORM_PEAK


def rms_volume_norm(*, x: np.ndarray, db_level: float = DEFAULT_RMS_DB_LEVEL) -> np.ndarray:
    """Scale ``x`` so that its RMS level is ``db_level`` dB (full scale = 0 dB), ``db_level`` in [-99, 0]."""
    if not -99 <= db_level <= 0:
        raise ValueError(f"db_level must be in [-99, 0], got {db_level}")
    energy = np.sum(x**2)
    if energy == 0:
        raise ValueError("cannot RMS-normalise an all-zero waveform")
    target_rms = 10 ** (db_level / 20)
    return x * np.sqrt(len(x) * target_rms**2 / energy)
