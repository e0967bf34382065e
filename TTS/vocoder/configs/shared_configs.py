"""Fields every vocoder config shares: audio, training data, optimisation, and the GAN losses.

Names and defaults are Coqui's, so a zoo ``config.json`` loads unchanged and a Coqui training recipe
builds the same run. Each model config (``hifigan_config.py``, ``melgan_config.py``, ...) overrides the
defaults its paper uses.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

from TTS.config.errors import ConfigError
from TTS.config.shared_configs import BaseAudioConfig, BaseTrainingConfig


def require(condition: bool, field_name: str, message: str) -> None:
    """Raise a ``ConfigError`` naming ``field_name`` unless ``condition`` holds."""
    if not condition:
        raise ConfigError(f"config field '{field_name}': {message}")


def check_hop(audio: BaseAudioConfig, factors: Sequence[int], field_name: str, bands: int = 1) -> None:
    """The generator turns each mel frame into one hop of samples: ``prod(factors) * bands == hop_length``."""
    require(
        all(isinstance(u, int) and u > 0 for u in factors), field_name, f"must be positive integers, got {factors}"
    )
    if audio.frame_shift_ms is None:  # otherwise the hop is derived from the frame shift
        hop = math.prod(factors) * bands
        shown = f"their product times the {bands} bands ({hop})" if bands > 1 else f"their product ({hop})"
        require(
            hop == audio.hop_length,
            field_name,
            f"{shown} must equal audio.hop_length ({audio.hop_length}): the generator turns each mel frame "
            "into one hop of samples",
        )


def _stft_params() -> Dict[str, Any]:
    return {"n_ffts": [1024, 2048, 512], "hop_lengths": [120, 240, 50], "win_lengths": [600, 1200, 240]}


def _l1_spec_params() -> Dict[str, Any]:
    return {
        "use_mel": True,
        "sample_rate": 22050,
        "n_fft": 1024,
        "hop_length": 256,
        "win_length": 1024,
        "n_mels": 80,
        "mel_fmin": 0.0,
        "mel_fmax": None,
    }


@dataclass
class BaseVocoderConfig(BaseTrainingConfig):
    """Audio, training data and optimiser fields of every vocoder."""

    audio: BaseAudioConfig = field(
        default_factory=BaseAudioConfig,
        metadata={"help": "Audio settings the vocoder is trained with; its input mels are computed with them."},
    )
    use_noise_augment: bool = field(
        default=False, metadata={"help": "Add small random noise to the training audio segments."}
    )
    eval_split_size: int = field(default=10, metadata={"help": "Number of wav files held out for evaluation."})
    data_path: str = field(
        default="", metadata={"help": "Root folder of the training audio; every wav below it is used."}
    )
    feature_path: Optional[str] = field(
        default=None,
        metadata={"help": "Folder of precomputed mel files (e.g. ground-truth-aligned mels); None computes them."},
    )
    seq_len: int = field(default=1000, metadata={"help": "Length in samples of the training waveform segments."})
    pad_short: int = field(default=0, metadata={"help": "Extra zero padding for wavs shorter than seq_len."})
    conv_pad: int = field(
        default=0, metadata={"help": "Extra mel frames taken on each side of a segment, against edge effects."}
    )
    use_cache: bool = field(
        default=False, metadata={"help": "Keep the loaded wavs and mels in memory (may run out of RAM)."}
    )
    epochs: int = field(default=10000, metadata={"help": "Number of training epochs."})
    wd: float = field(default=0.0, metadata={"help": "Weight decay."})
    optimizer: Optional[Union[str, List[str]]] = field(
        default="AdamW", metadata={"help": "torch.optim optimizer name (generator and discriminator)."}
    )
    optimizer_params: Union[Dict[str, Any], List[Dict[str, Any]]] = field(
        default_factory=lambda: {"betas": [0.8, 0.99], "weight_decay": 0.0},
        metadata={"help": "Keyword arguments of the optimizer."},
    )


@dataclass
class BaseGANVocoderConfig(BaseVocoderConfig):
    """A GAN vocoder: generator and discriminator, their losses, weights, optimisers and schedules."""

    model: str = field(default="gan", metadata={"help": "Model name; load_config picks this config class from it."})
    # losses on/off
    use_stft_loss: bool = field(default=True, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(
        default=True, metadata={"help": "Multi-resolution STFT loss on the PQMF sub-bands (multi-band MelGAN)."}
    )
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=True, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(
        default=True, metadata={"help": "Feature-matching loss on the discriminator activations (MelGAN, HiFi-GAN)."}
    )
    use_l1_spec_loss: bool = field(default=True, metadata={"help": "L1 loss between the mel spectrograms."})
    # loss weights
    stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=1, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(
        default=0, metadata={"help": "Weight of the generator's hinge adversarial loss."}
    )
    feat_match_loss_weight: float = field(default=100, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=45, metadata={"help": "Weight of the mel L1 loss."})
    stft_loss_params: Dict[str, Any] = field(
        default_factory=_stft_params,
        metadata={"help": "STFT loss resolutions: n_ffts, hop_lengths, win_lengths (one entry per resolution)."},
    )
    subband_stft_loss_params: Dict[str, Any] = field(
        default_factory=lambda: {"n_ffts": [384, 683, 171], "hop_lengths": [30, 60, 10], "win_lengths": [150, 300, 60]},
        metadata={"help": "Sub-band STFT loss resolutions: n_ffts, hop_lengths, win_lengths."},
    )
    l1_spec_loss_params: Dict[str, Any] = field(
        default_factory=_l1_spec_params,
        metadata={"help": "Mel settings of the L1 spectrogram loss (use_mel, sample_rate, n_fft, hop_length, ...)."},
    )
    target_loss: Optional[str] = field(
        default="loss_0", metadata={"help": "Loss that picks the best checkpoint (loss_0 generator, loss_1 disc)."}
    )
    # optimisation
    grad_clip: Union[float, List[float]] = field(
        default_factory=lambda: [5, 5],
        metadata={"help": "Gradient clipping threshold per optimizer (generator, discriminator); < 0 disables it."},
    )
    lr_gen: float = field(default=0.0002, metadata={"help": "Initial learning rate of the generator."})
    lr_disc: float = field(default=0.0002, metadata={"help": "Initial learning rate of the discriminator."})
    lr_scheduler_gen: Optional[str] = field(
        default="ExponentialLR", metadata={"help": "torch.optim.lr_scheduler name for the generator; None: none."}
    )
    lr_scheduler_gen_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.999, "last_epoch": -1},
        metadata={"help": "Keyword arguments of the generator's scheduler."},
    )
    lr_scheduler_disc: Optional[str] = field(
        default="ExponentialLR", metadata={"help": "torch.optim.lr_scheduler name for the discriminator; None: none."}
    )
    lr_scheduler_disc_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.999, "last_epoch": -1},
        metadata={"help": "Keyword arguments of the discriminator's scheduler."},
    )
    scheduler_after_epoch: bool = field(
        default=True, metadata={"help": "Step the schedulers after each epoch (else after each step)."}
    )
    use_pqmf: bool = field(
        default=False, metadata={"help": "Train on PQMF sub-bands (multi-band MelGAN)."}
    )
    steps_to_start_discriminator: int = field(
        default=0, metadata={"help": "Train the generator alone for this many steps before the discriminator starts."}
    )
    diff_samples_for_G_and_D: bool = field(
        default=False, metadata={"help": "Use different batches for the generator and discriminator steps."}
    )
