"""``AudioProcessor``: waveform I/O, spectrogram features and their inversion.

The processor holds the audio settings of one model (the ``audio`` block of its
config) and chains the steps of :mod:`TTS.utils.audio.numpy_transforms`::

    wav file -> load_wav (resample?, mono, trim silence, loudness) -> wav
    wav -> [pre-emphasis] -> |STFT| -> [mel filterbank] -> [amp_to_db] -> normalize -> features
    features -> denormalize -> [db_to_amp] -> [pinv(mel filterbank)] -> ** power -> Griffin-Lim -> [de-emphasis] -> wav

Its outputs match Coqui TTS's ``AudioProcessor`` for the same settings.
"""

import inspect
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Dict, Optional, Union

import numpy as np

from TTS.utils.audio import numpy_transforms as nt
from TTS.utils.audio.numpy_transforms import AudioError
from TTS.utils.audio.wav_io import SAVE_WAV_MIN_PEAK, read_audio, write_pcm16  # noqa: F401
from TTS.vocoder import griffin_lim as gl

logger = logging.getLogger(__name__)

PathLike = Union[str, Path]

#: ``mel_pad_value`` lies this far below the lowest value ``melspectrogram`` can output.
MEL_PAD_MARGIN = 0.1
#: Settings a ``scale_stats.npy`` must agree on with the processor: they change the features.
STATS_FEATURE_KEYS = (
    "sample_rate",
    "fft_size",
    "win_length",
    "hop_length",
    "num_mels",
    "mel_fmin",
    "mel_fmax",
    "preemphasis",
    "log_func",
    "spec_gain",
    "do_amp_to_db_mel",
    "do_amp_to_db_linear",
)


class AudioProcessor:
    """Audio settings of a model and the feature transforms that use them.

    Every keyword is the ``BaseAudioConfig`` field of the same name (see its
    ``help`` texts); build one from a config with :meth:`init_from_config`.
    Coqui's forms work too: ``AudioProcessor(**config.audio.to_dict())`` (0.27)
    and ``AudioProcessor(config.audio)`` (0.28).

    Parameters
    ----------
    audio_config : BaseAudioConfig or mapping, optional
        Positional only: take every setting from this audio config (or from the
        ``audio`` field of a model config); the other keywords must then be left out.
    verbose : bool
        Log the resolved settings at INFO level.
    """

    def __init__(
        self,
        audio_config: Any = None,
        /,
        *,
        fft_size: int = 1024,
        win_length: int = 1024,
        hop_length: int = 256,
        frame_shift_ms: Optional[float] = None,
        frame_length_ms: Optional[float] = None,
        stft_pad_mode: str = "reflect",
        sample_rate: int = 22050,
        resample: bool = False,
        preemphasis: float = 0.0,
        ref_level_db: float = 20,
        do_sound_norm: bool = False,
        log_func: str = "np.log10",
        do_trim_silence: bool = True,
        trim_db: float = 45,
        do_rms_norm: bool = False,
        db_level: Optional[float] = None,
        power: float = 1.5,
        griffin_lim_iters: int = 60,
        griffin_lim_momentum: float = 0.99,
        griffin_lim_fast_iters: int = 32,
        num_mels: int = 80,
        mel_fmin: float = 0.0,
        mel_fmax: Optional[float] = None,
        spec_gain: float = 20,
        do_amp_to_db_linear: bool = True,
        do_amp_to_db_mel: bool = True,
        pitch_fmax: float = 640.0,
        pitch_fmin: float = 1.0,
        signal_norm: bool = True,
        min_level_db: float = -100,
        symmetric_norm: bool = True,
        max_norm: float = 4.0,
        clip_norm: bool = True,
        stats_path: Optional[PathLike] = None,
        verbose: bool = False,
    ) -> None:
        if audio_config is not None:
            settings = locals()
            given = [name for name in _DEFAULTS if name != "verbose" and settings[name] != _DEFAULTS[name]]
            if given:
                raise TypeError(
                    f"AudioProcessor: give an audio config or keyword settings, not both (got {', '.join(given)})"
                )
            self.__init__(**audio_settings(audio_config), verbose=verbose)
            return
        self.sample_rate = sample_rate
        self.resample = resample
        self.fft_size = fft_size
        self.hop_length, self.win_length = nt.frame_geometry(
            sample_rate=sample_rate,
            hop_length=hop_length,
            win_length=win_length,
            frame_shift_ms=frame_shift_ms,
            frame_length_ms=frame_length_ms,
        )
        self.frame_shift_ms = frame_shift_ms
        self.frame_length_ms = frame_length_ms
        self.stft_pad_mode = stft_pad_mode
        self.preemphasis = preemphasis
        self.ref_level_db = ref_level_db
        self.do_sound_norm = do_sound_norm
        self.log_func = log_func
        self.base = nt.log_base(log_func)
        self.do_trim_silence = do_trim_silence
        self.trim_db = trim_db
        self.do_rms_norm = do_rms_norm
        self.db_level = db_level
        self.power = power
        self.griffin_lim_iters = griffin_lim_iters
        self.griffin_lim_momentum = griffin_lim_momentum
        self.griffin_lim_fast_iters = griffin_lim_fast_iters
        self.num_mels = num_mels
        self.mel_fmin = mel_fmin
        self.mel_fmax = mel_fmax
        self.spec_gain = spec_gain
        self.do_amp_to_db_linear = do_amp_to_db_linear
        self.do_amp_to_db_mel = do_amp_to_db_mel
        self.pitch_fmax = pitch_fmax
        self.pitch_fmin = pitch_fmin
        self.signal_norm = signal_norm
        self.min_level_db = min_level_db
        self.symmetric_norm = symmetric_norm
        self.max_norm = max_norm
        self.clip_norm = clip_norm
        self.stats_path = stats_path
        self._check()

        self.mel_basis = nt.build_mel_basis(
            sample_rate=sample_rate, fft_size=fft_size, num_mels=num_mels, mel_fmin=mel_fmin, mel_fmax=mel_fmax
        )
        # float32 like the filterbank: this is the precision Coqui's Griffin-Lim input has.
        self.inv_mel_basis = np.linalg.pinv(self.mel_basis)
        self.stats: Optional[Dict[str, Any]] = None
        if stats_path and signal_norm:
            self.stats = self._load_stats(stats_path)
        elif stats_path:
            logger.info("signal_norm is off: ignoring the mean-variance stats in %s", stats_path)
        if verbose:
            logger.info("AudioProcessor settings: %s", self._settings())

    @classmethod
    def init_from_config(cls, config: Any, verbose: bool = False) -> "AudioProcessor":
        """Build a processor from a model config (its ``audio`` field) or from a ``BaseAudioConfig``."""
        return cls(**audio_settings(config), verbose=verbose)

    # ----------------------------------------------------------------------- setup
    def _check(self) -> None:
        if not 0 < self.win_length <= self.fft_size:
            raise ValueError(f"win_length ({self.win_length}) must be in (0, fft_size={self.fft_size}]")
        if self.hop_length <= 0:
            raise ValueError(f"hop_length must be positive, got {self.hop_length}")
        if self.mel_fmax is not None and self.mel_fmax > self.sample_rate / 2:
            raise ValueError(f"mel_fmax ({self.mel_fmax}) is above the Nyquist frequency {self.sample_rate / 2}")
        if not 0.0 <= self.griffin_lim_momentum < 1.0:
            raise ValueError(f"griffin_lim_momentum must be in [0, 1), got {self.griffin_lim_momentum}")
        for name in ("griffin_lim_iters", "griffin_lim_fast_iters"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.signal_norm and self.min_level_db >= 0:
            raise ValueError(f"min_level_db must be negative, got {self.min_level_db}")

    def _settings(self) -> Dict[str, Any]:
        return {key: value for key, value in vars(self).items() if key not in ("mel_basis", "inv_mel_basis", "stats")}

    def _load_stats(self, path: PathLike) -> Dict[str, Any]:
        """Read ``scale_stats.npy`` and check it was computed with these feature settings."""
        stats = nt.load_scale_stats(path)
        mismatched = [
            f"{key}: stats {stats['audio_config'][key]!r} vs config {getattr(self, key)!r}"
            for key in STATS_FEATURE_KEYS
            if key in stats["audio_config"] and stats["audio_config"][key] != getattr(self, key)
        ]
        if mismatched:
            raise AudioError(
                f"scale stats file {path} was computed with other audio settings: " + "; ".join(mismatched)
            )
        n_freq = self.fft_size // 2 + 1
        for key, size in (
            ("mel_mean", self.num_mels),
            ("mel_std", self.num_mels),
            ("linear_mean", n_freq),
            ("linear_std", n_freq),
        ):
            if stats[key].shape != (size,):
                raise AudioError(f"scale stats file {path}: '{key}' has shape {stats[key].shape}, expected ({size},)")
        return stats

    # ----------------------------------------------------------------------- waveform I/O
    def load_wav(self, filename: PathLike, sr: Optional[int] = None) -> np.ndarray:
        """Read an audio file as a mono float64 waveform at ``sr`` (default: ``sample_rate``).

        A file at another rate is resampled (librosa) when ``resample`` is on and
        rejected otherwise. Then, as configured: silence trimming
        (``do_trim_silence``), peak normalisation (``do_sound_norm``), RMS
        loudness normalisation (``do_rms_norm``).

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        AudioError
            When it cannot be decoded, or its rate differs and ``resample`` is off.
        NonFiniteAudioError
            When it holds NaN or infinite samples.
        """
        path = Path(filename)
        x = read_audio(path, sample_rate=sr or self.sample_rate, resample=self.resample)
        if self.do_trim_silence:
            try:
                x = self.trim_silence(x)
            except ValueError as err:
                logger.warning("cannot trim silence of %s (kept untrimmed): %s", path, err)
        if self.do_sound_norm:
            x = self.sound_norm(x)
        if self.do_rms_norm:
            x = self.rms_volume_norm(x)
        return x

    def save_wav(self, wav: np.ndarray, path: PathLike, sr: Optional[int] = None) -> None:
        """Write ``wav`` as 16-bit PCM, peak-normalised to full scale (quiet signals boosted at most 1/0.01).

        The file is replaced in one step (``atomic_output``): a failed write leaves an existing file as it was.
        """
        write_pcm16(wav, path, sample_rate=sr or self.sample_rate)

    # ----------------------------------------------------------------------- building blocks
    def amp_to_db(self, x: np.ndarray) -> np.ndarray:
        """Magnitudes to ``spec_gain * log(max(AMP_FLOOR, x))`` with the configured log."""
        return nt.amp_to_db(x=x, gain=self.spec_gain, base=self.base)

    def db_to_amp(self, x: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`amp_to_db`."""
        return nt.db_to_amp(x=x, gain=self.spec_gain, base=self.base)

    def linear_to_mel(self, spec: np.ndarray) -> np.ndarray:
        """Linear magnitudes ``(fft_size // 2 + 1, T)`` to mel magnitudes ``(num_mels, T)``."""
        return nt.spec_to_mel(spec=spec, mel_basis=self.mel_basis)

    def mel_to_linear(self, mel: np.ndarray) -> np.ndarray:
        """Mel magnitudes to linear ones through the filterbank's pseudo-inverse (floored at 1e-10)."""
        return nt.mel_to_spec(mel=mel, inv_mel_basis=self.inv_mel_basis)

    def apply_preemphasis(self, x: np.ndarray) -> np.ndarray:
        """Pre-emphasis with coefficient ``preemphasis``."""
        return nt.preemphasis(x=x, coef=self.preemphasis)

    def apply_inv_preemphasis(self, x: np.ndarray) -> np.ndarray:
        """De-emphasis, the inverse of :meth:`apply_preemphasis`."""
        return nt.deemphasis(x=x, coef=self.preemphasis)

    def _stft(self, y: np.ndarray) -> np.ndarray:
        return nt.stft(
            y=y,
            fft_size=self.fft_size,
            hop_length=self.hop_length,
            win_length=self.win_length,
            pad_mode=self.stft_pad_mode,
        )

    # ----------------------------------------------------------------------- normalisation
    def _stats_for(self, S: np.ndarray) -> tuple:
        """Mean and std of the stats matching ``S``'s channel count (mel or linear)."""
        n_freq = self.fft_size // 2 + 1
        if self.num_mels == n_freq:
            raise AudioError("num_mels equals fft_size // 2 + 1: cannot tell mel from linear stats by shape")
        if S.shape[0] == self.num_mels:
            return self.stats["mel_mean"], self.stats["mel_std"]
        if S.shape[0] == n_freq:
            return self.stats["linear_mean"], self.stats["linear_std"]
        raise AudioError(f"spectrogram has {S.shape[0]} channels: neither num_mels={self.num_mels} nor {n_freq}")

    def normalize(self, S: np.ndarray) -> np.ndarray:
        """Normalise a dB spectrogram ``(C, T)`` as configured (identity when ``signal_norm`` is off).

        With stats (``stats_path``), each channel is standardised with the mel or
        linear mean/std chosen by ``C``; otherwise dB values are mapped to
        ``[-max_norm, max_norm]`` (``symmetric_norm``) or ``[0, max_norm]``.
        """
        if not self.signal_norm:
            return S
        if self.stats is not None:
            mean, std = self._stats_for(S)
            return nt.normalize_meanvar(S=S, mean=mean, std=std)
        return nt.normalize_range(
            S=S,
            ref_level_db=self.ref_level_db,
            min_level_db=self.min_level_db,
            max_norm=self.max_norm,
            symmetric=self.symmetric_norm,
            clip=self.clip_norm,
        )

    def denormalize(self, S: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`normalize` (exact within the clipping range)."""
        if not self.signal_norm:
            return S
        if self.stats is not None:
            mean, std = self._stats_for(S)
            return nt.denormalize_meanvar(S=S, mean=mean, std=std)
        return nt.denormalize_range(
            S=S,
            ref_level_db=self.ref_level_db,
            min_level_db=self.min_level_db,
            max_norm=self.max_norm,
            symmetric=self.symmetric_norm,
            clip=self.clip_norm,
        )

    @property
    def mel_pad_value(self) -> float:
        """Value to pad normalised mels with in a batch.

        It is ``MEL_PAD_MARGIN`` below the lowest value :meth:`melspectrogram` can
        output with the current settings, i.e. the normalised mel of a silent
        frame (amplitude floor ``AMP_FLOOR``): ``-max_norm - 0.1`` for clipped
        symmetric norm, ``-0.1`` for clipped ``[0, max_norm]`` norm,
        ``spec_gain * log(1e-8) - 0.1`` for un-normalised log mels, the lowest
        standardised floor over the channels with mean-variance stats.
        """
        floor = float(self.amp_to_db(np.array(nt.AMP_FLOOR))) if self.do_amp_to_db_mel else 0.0
        lowest = np.min(self.normalize(np.full((self.num_mels, 1), floor)))
        return float(lowest) - MEL_PAD_MARGIN

    # ----------------------------------------------------------------------- features
    def spectrogram(self, y: np.ndarray) -> np.ndarray:
        """Normalised linear spectrogram ``(fft_size // 2 + 1, T_frames)``, float32, of waveform ``(T_wav,)``."""
        D = self._stft(self.apply_preemphasis(y) if self.preemphasis != 0 else y)
        S = np.abs(D)
        if self.do_amp_to_db_linear:
            S = self.amp_to_db(S)
        return self.normalize(S).astype(np.float32)

    def melspectrogram(self, y: np.ndarray) -> np.ndarray:
        """Normalised mel spectrogram ``(num_mels, T_frames)``, float32, of waveform ``(T_wav,)``."""
        D = self._stft(self.apply_preemphasis(y) if self.preemphasis != 0 else y)
        S = self.linear_to_mel(np.abs(D))
        if self.do_amp_to_db_mel:
            S = self.amp_to_db(S)
        return self.normalize(S).astype(np.float32)

    def inv_spectrogram(self, spectrogram: np.ndarray) -> np.ndarray:
        """Waveform from a :meth:`spectrogram` output by Griffin-Lim."""
        S = self.denormalize(spectrogram)
        if self.do_amp_to_db_linear:
            S = self.db_to_amp(S)
        return self._gl_to_wav(S)

    def inv_melspectrogram(self, mel_spectrogram: np.ndarray, *, phase_draw: Optional[np.ndarray] = None) -> np.ndarray:
        """Waveform from a :meth:`melspectrogram` output: pinv of the filterbank, then Griffin-Lim.

        ``phase_draw`` (from :meth:`griffin_lim_phase_draw`) fixes the random starting phases, so
        several spectrograms can be inverted in any order, or at once, with the output of
        inverting them one after the other.
        """
        return self._gl_to_wav(self.mel_to_linear_magnitude(mel_spectrogram), phase_draw=phase_draw)

    def griffin_lim_phase_draw(self, num_frames: int) -> np.ndarray:
        """The random numbers Griffin-Lim would draw from ``np.random`` for a spectrogram of ``num_frames`` frames."""
        return np.random.rand(self.fft_size // 2 + 1, num_frames)

    def mel_to_linear_magnitude(self, mel_spectrogram: np.ndarray) -> np.ndarray:
        """Linear magnitudes that :meth:`inv_melspectrogram` reconstructs a (normalised) mel from."""
        S = self.denormalize(mel_spectrogram)
        if self.do_amp_to_db_mel:
            S = self.db_to_amp(S)
        return self.mel_to_linear(S)

    def _gl_to_wav(self, magnitude: np.ndarray, phase_draw: Optional[np.ndarray] = None) -> np.ndarray:
        wav = self.griffin_lim(magnitude**self.power, phase_draw=phase_draw)
        return self.apply_inv_preemphasis(wav) if self.preemphasis != 0 else wav

    def griffin_lim(
        self,
        spec: np.ndarray,
        *,
        num_iter: Optional[int] = None,
        momentum: Optional[float] = None,
        phase_draw: Optional[np.ndarray] = None,
    ) -> np.ndarray:
        """Griffin-Lim on linear magnitudes ``spec`` (already raised to ``power``).

        ``momentum`` (default ``griffin_lim_momentum``) picks the algorithm: 0 runs
        the classic, Coqui-identical one for ``num_iter`` (default
        ``griffin_lim_iters``) iterations; a value in (0, 1) runs the fast
        Griffin-Lim with that momentum for ``num_iter`` (default
        ``griffin_lim_fast_iters``) iterations. Starting phases come from
        ``np.random``: seed it for reproducible output.
        """
        momentum = self.griffin_lim_momentum if momentum is None else momentum
        geometry = dict(
            fft_size=self.fft_size, hop_length=self.hop_length, win_length=self.win_length, pad_mode=self.stft_pad_mode
        )
        if momentum == 0.0:
            iterations = self.griffin_lim_iters if num_iter is None else num_iter
            return gl.griffin_lim(spec=spec, num_iter=iterations, phase_draw=phase_draw, **geometry)
        return gl.fast_griffin_lim(
            spec=spec,
            num_iter=self.griffin_lim_fast_iters if num_iter is None else num_iter,
            momentum=momentum,
            phase_draw=phase_draw,
            **geometry,
        )

    def spectral_convergence(self, spec_target: np.ndarray, wav: np.ndarray) -> float:
        """``||S - |STFT(wav)| ||_F / ||S||_F`` for linear magnitudes ``S`` (lower is better)."""
        return nt.spectral_convergence(
            spec_target=spec_target,
            wav=wav,
            fft_size=self.fft_size,
            hop_length=self.hop_length,
            win_length=self.win_length,
            pad_mode=self.stft_pad_mode,
        )

    # ----------------------------------------------------------------------- silence and loudness
    def find_endpoint(self, wav: np.ndarray, min_silence_sec: float = 0.8) -> int:
        """Sample index where the first silence of ``min_silence_sec`` starts (``len(wav)`` if none).

        Silence means a peak amplitude below ``trim_db`` dB under full scale.
        """
        threshold = 10 ** (-self.trim_db / 20)
        return nt.find_endpoint(
            wav=wav, sample_rate=self.sample_rate, threshold=threshold, min_silence_sec=min_silence_sec
        )

    def trim_silence(self, wav: np.ndarray) -> np.ndarray:
        """Cut a 10 ms margin at both ends, then leading/trailing audio ``trim_db`` below the peak."""
        return nt.trim_silence(
            wav=wav,
            sample_rate=self.sample_rate,
            trim_db=self.trim_db,
            frame_length=self.win_length,
            hop_length=self.hop_length,
        )

    @staticmethod
    def sound_norm(x: np.ndarray) -> np.ndarray:
        """Peak-normalise to 0.95."""
        return nt.sound_norm(x=x)

    def rms_volume_norm(self, x: np.ndarray, db_level: Optional[float] = None) -> np.ndarray:
        """Scale to an RMS level of ``db_level`` dB (default: ``self.db_level``, else -27 dB)."""
        if db_level is None:
            db_level = self.db_level if self.db_level is not None else nt.DEFAULT_RMS_DB_LEVEL
        return nt.rms_volume_norm(x=x, db_level=db_level)


def audio_settings(config: Any) -> Dict[str, Any]:
    """The ``AudioProcessor`` keywords of an audio config, of the ``audio`` field of a model config, or of a mapping.

    A config is checked first (``check_values``); a mapping's keys are passed as they are, so a
    misspelt one is a ``TypeError`` naming it.
    """
    audio = getattr(config, "audio", config)
    if isinstance(audio, Mapping) and not hasattr(audio, "check_values"):  # a plain dict (a Coqpit is a Mapping too)
        return dict(audio)
    if hasattr(audio, "check_values"):
        audio.check_values()
    return {name: getattr(audio, name) for name in _DEFAULTS if name != "verbose"}


#: the keyword settings of ``AudioProcessor`` and their defaults
_DEFAULTS: Dict[str, Any] = {
    name: parameter.default
    for name, parameter in inspect.signature(AudioProcessor.__init__).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
}
