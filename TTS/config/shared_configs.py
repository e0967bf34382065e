"""Configs shared by every model: audio, datasets and the training base.

Field names and defaults follow Coqui TTS so that its config.json files load
unchanged. Each field is documented once, in its ``help`` metadata.
"""

from dataclasses import dataclass, field
from typing import List, Optional

from coqpit import Coqpit
from trainer import TrainerConfig

from TTS.config.errors import ConfigError


def _require(condition: bool, field_name: str, message: str) -> None:
    """Raise a ``ConfigError`` naming ``field_name`` unless ``condition`` holds."""
    if not condition:
        raise ConfigError(f"config field '{field_name}': {message}")


@dataclass
class BaseAudioConfig(Coqpit):
    """Audio feature settings used by ``AudioProcessor``."""

    # STFT
    fft_size: int = field(default=1024, metadata={"help": "FFT size (number of frequency bins is fft_size // 2 + 1)."})
    win_length: int = field(default=1024, metadata={"help": "STFT window length in samples; at most fft_size."})
    hop_length: int = field(default=256, metadata={"help": "STFT hop length in samples (frame shift)."})
    frame_shift_ms: Optional[int] = field(
        default=None, metadata={"help": "Frame shift in ms; when set it overrides hop_length."}
    )
    frame_length_ms: Optional[int] = field(
        default=None, metadata={"help": "Frame length in ms; when set it overrides win_length."}
    )
    stft_pad_mode: str = field(default="reflect", metadata={"help": "Padding mode of the centred STFT."})
    # audio
    sample_rate: int = field(default=22050, metadata={"help": "Sample rate the model works at, in Hz."})
    resample: bool = field(
        default=False, metadata={"help": "Resample files whose rate differs from sample_rate (librosa) when loading."}
    )
    preemphasis: float = field(default=0.0, metadata={"help": "Pre-emphasis coefficient; 0 disables it."})
    ref_level_db: int = field(default=20, metadata={"help": "Reference level in dB subtracted from spectrograms."})
    do_sound_norm: bool = field(default=False, metadata={"help": "Peak-normalise waveforms when loading."})
    log_func: str = field(default="np.log10", metadata={"help": "Logarithm for amplitude to dB: 'np.log10' or 'np.log'."})
    # silence trimming
    do_trim_silence: bool = field(default=True, metadata={"help": "Trim leading and trailing silence when loading."})
    trim_db: float = field(default=45, metadata={"help": "Threshold in dB below peak that counts as silence."})
    # rms loudness normalisation
    do_rms_norm: bool = field(default=False, metadata={"help": "Normalise loudness to db_level (RMS) when loading."})
    db_level: Optional[float] = field(default=None, metadata={"help": "Target RMS level in dB for do_rms_norm."})
    # griffin-lim
    power: float = field(default=1.5, metadata={"help": "Exponent applied to magnitudes before Griffin-Lim."})
    griffin_lim_iters: int = field(
        default=60,
        metadata={"help": "Iterations of the classic Griffin-Lim, the algorithm run when griffin_lim_momentum is 0."},
    )
    griffin_lim_momentum: float = field(
        default=0.99,
        metadata={
            "help": "Picks the Griffin-Lim algorithm that turns spectrograms into waveforms. In (0, 1): the fast "
            "Griffin-Lim (Perraudin et al. 2013) with this momentum, griffin_lim_fast_iters iterations in single "
            "precision; it reaches a lower spectral convergence than Coqui's 60 classic iterations many times "
            "faster (benchmarks/griffin_lim.py). 0: the classic algorithm, griffin_lim_iters iterations, whose "
            "output is Coqui's for the same numpy seed."
        },
    )
    griffin_lim_fast_iters: int = field(
        default=32, metadata={"help": "Iterations of the fast Griffin-Lim (griffin_lim_momentum > 0)."}
    )
    # mel-spectrogram
    num_mels: int = field(default=80, metadata={"help": "Number of mel bands."})
    mel_fmin: float = field(default=0.0, metadata={"help": "Lowest mel filter frequency in Hz."})
    mel_fmax: Optional[float] = field(default=None, metadata={"help": "Highest mel filter frequency in Hz (None: sample_rate / 2)."})
    spec_gain: float = field(default=20, metadata={"help": "Gain multiplying the log amplitude (20 for dB with log10)."})
    do_amp_to_db_linear: bool = field(default=True, metadata={"help": "Convert linear spectrograms to dB."})
    do_amp_to_db_mel: bool = field(default=True, metadata={"help": "Convert mel spectrograms to dB."})
    # f0
    pitch_fmax: float = field(default=640.0, metadata={"help": "Maximum pitch in Hz for F0 extraction."})
    pitch_fmin: float = field(default=1.0, metadata={"help": "Minimum pitch in Hz for F0 extraction."})
    # normalisation
    signal_norm: bool = field(default=True, metadata={"help": "Normalise spectrograms (see symmetric_norm, max_norm, stats_path)."})
    min_level_db: int = field(default=-100, metadata={"help": "Lowest level in dB, mapped to the bottom of the normalised range."})
    symmetric_norm: bool = field(
        default=True, metadata={"help": "Normalise to [-max_norm, max_norm] instead of [0, max_norm]."}
    )
    max_norm: float = field(default=4.0, metadata={"help": "Bound of the normalised range (4 gives Tacotron2's [-4, 4])."})
    clip_norm: bool = field(default=True, metadata={"help": "Clip normalised values to the normalised range."})
    stats_path: Optional[str] = field(
        default=None,
        metadata={"help": "scale_stats.npy with mel/linear mean and std for mean-variance normalisation (overrides the range)."},
    )

    def check_values(self) -> None:
        _require(self.sample_rate > 0, "audio.sample_rate", f"must be positive, got {self.sample_rate}")
        _require(self.fft_size > 0, "audio.fft_size", f"must be positive, got {self.fft_size}")
        _require(self.hop_length > 0, "audio.hop_length", f"must be positive, got {self.hop_length}")
        _require(
            0 < self.win_length <= self.fft_size,
            "audio.win_length",
            f"must be in (0, fft_size={self.fft_size}], got {self.win_length}",
        )
        _require(self.num_mels > 0, "audio.num_mels", f"must be positive, got {self.num_mels}")
        _require(
            self.log_func in ("np.log", "np.log10"), "audio.log_func", f"must be 'np.log' or 'np.log10', got {self.log_func!r}"
        )
        _require(0.0 <= self.preemphasis < 1.0, "audio.preemphasis", f"must be in [0, 1), got {self.preemphasis}")
        _require(self.max_norm > 0, "audio.max_norm", f"must be positive, got {self.max_norm}")
        for name in ("griffin_lim_iters", "griffin_lim_fast_iters"):
            value = getattr(self, name)
            _require(
                isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                f"audio.{name}",
                f"must be an integer >= 0, got {value!r}",
            )
        _require(
            0.0 <= self.griffin_lim_momentum < 1.0,
            "audio.griffin_lim_momentum",
            f"must be in [0, 1) (0: the classic algorithm, else the fast one's momentum), "
            f"got {self.griffin_lim_momentum!r}",
        )
        nyquist = self.sample_rate / 2
        if self.mel_fmax is not None:
            _require(
                self.mel_fmin < self.mel_fmax <= nyquist,
                "audio.mel_fmax",
                f"must be in (mel_fmin={self.mel_fmin}, sample_rate/2={nyquist}], got {self.mel_fmax}",
            )
        _require(self.stft_pad_mode in ("reflect", "constant"), "audio.stft_pad_mode", f"unknown mode {self.stft_pad_mode!r}")


@dataclass
class BaseDatasetConfig(Coqpit):
    """One corpus: where it is and which formatter reads its metadata."""

    formatter: str = field(default="", metadata={"help": "Formatter name from TTS.tts.datasets.formatters (e.g. 'ljspeech')."})
    dataset_name: str = field(default="", metadata={"help": "Free name of the dataset, used in logs."})
    path: str = field(default="", metadata={"help": "Root folder of the dataset."})
    meta_file_train: str = field(default="", metadata={"help": "Metadata file of the training samples, relative to path."})
    ignored_speakers: Optional[List[str]] = field(default=None, metadata={"help": "Speaker names to leave out."})
    speaker_name: str = field(
        default="",
        metadata={
            "help": "Speaker of every sample of this dataset, instead of the formatter's: joins single-speaker "
            "corpora (e.g. two teacher voices, both 'ljspeech' to the formatter) in one multi-speaker model."
        },
    )
    language: str = field(default="", metadata={"help": "Language code of the dataset (e.g. 'en-us'), for multilingual training."})
    phonemizer: str = field(default="", metadata={"help": "Phonemizer for this dataset; empty uses the model config's."})
    meta_file_val: str = field(
        default="", metadata={"help": "Metadata file of evaluation samples; empty makes a seeded random split."}
    )
    meta_file_attn_mask: str = field(default="", metadata={"help": "File listing precomputed attention masks (unused by Tacotron2)."})


@dataclass
class BaseTrainingConfig(TrainerConfig):
    """The trainer's config plus the fields every model of this package shares."""

    model: Optional[str] = field(default=None, metadata={"help": "Model name; load_config picks the config class from it."})
    num_loader_workers: int = field(default=0, metadata={"help": "DataLoader worker processes for training."})
    num_eval_loader_workers: int = field(default=0, metadata={"help": "DataLoader worker processes for evaluation."})
    use_noise_augment: bool = field(default=False, metadata={"help": "Add uniform noise to training audio (vocoders)."})

