"""Reading and writing waveforms: any file libsndfile reads, in; 16-bit PCM wav, out."""

import io
from pathlib import Path
from typing import Union

import librosa
import numpy as np
import scipy.io.wavfile
import soundfile as sf

from TTS.utils.audio.numpy_transforms import AudioError, NonFiniteAudioError
from TTS.utils.io import atomic_output

PathLike = Union[str, Path]
#: Peak amplitudes below this are not boosted further by ``save_wav`` (Coqui's value).
SAVE_WAV_MIN_PEAK = 0.01


def read_audio(path: Path, *, sample_rate: int, resample: bool) -> np.ndarray:
    """A mono float64 waveform of ``path`` at ``sample_rate`` (resampled with librosa when ``resample``).

    ``FileNotFoundError``, ``AudioError`` (undecodable, or another rate without ``resample``) or
    ``NonFiniteAudioError`` (NaN or infinite samples), each naming the file.
    """
    target_sr = sample_rate
    if not path.is_file():
        raise FileNotFoundError(f"audio file not found: {path}")
    try:
        x, file_sr = sf.read(str(path), dtype="float64")
    except Exception as err:  # libsndfile's errors say little: name the file
        raise AudioError(f"cannot read audio file {path}: {err}") from err
    if not np.isfinite(x).all():  # checked before trimming, which would cut such a clip to nothing
        raise NonFiniteAudioError(f"{path}: audio has NaN or infinite samples")
    if x.ndim == 2:
        x = x.mean(axis=1)
    if file_sr != target_sr:
        if not resample:
            raise AudioError(
                f"audio file {path} has sample rate {file_sr} Hz but {target_sr} Hz is expected; "
                "resample the data or set audio.resample = true"
            )
        x = librosa.resample(x, orig_sr=file_sr, target_sr=target_sr)
    return x


def write_pcm16(wav: np.ndarray, path: PathLike, *, sample_rate: int) -> None:
    """Write ``wav`` as 16-bit PCM, peak-normalised to full scale, replacing ``path`` in one step."""
    wav_norm = wav * (32767 / max(SAVE_WAV_MIN_PEAK, np.max(np.abs(wav))))
    with atomic_output(path) as f:
        data = io.BytesIO()  # scipy seeks back to fill in sizes: a pipe or /dev/null cannot
        scipy.io.wavfile.write(data, sample_rate, wav_norm.astype(np.int16))
        f.write(data.getbuffer())
