"""Full-band MelGAN vocoder config: Coqui's field names and defaults."""

from dataclasses import dataclass, field
from typing import Any, Dict

from TTS.vocoder.configs.melgan_config import check_melgan_generator
from TTS.vocoder.configs.shared_configs import BaseGANVocoderConfig


@dataclass
class FullbandMelganConfig(BaseGANVocoderConfig):
    """Full-band MelGAN: the MelGAN generator with 4 residual blocks per stack, trained with STFT losses."""

    model: str = field(
        default="fullband_melgan", metadata={"help": "Model name; load_config picks this config class from it."}
    )
    discriminator_model: str = field(
        default="melgan_multiscale_discriminator", metadata={"help": "Discriminator network."}
    )
    discriminator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"base_channels": 16, "max_channels": 512, "downsample_factors": [4, 4, 4]},
        metadata={"help": "Discriminator sizes: base_channels, max_channels, downsample_factors."},
    )
    generator_model: str = field(
        default="melgan_generator",
        metadata={"help": "Generator network: 'melgan_generator' or 'fullband_melgan_generator' (same weights)."},
    )
    generator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"upsample_factors": [8, 8, 2, 2], "num_res_blocks": 4},
        metadata={"help": "Generator sizes: upsample_factors (product = hop length), num_res_blocks."},
    )
    batch_size: int = field(default=16, metadata={"help": "Training batch size."})
    seq_len: int = field(default=8192, metadata={"help": "Length in samples of the training waveform segments."})
    pad_short: int = field(default=2000, metadata={"help": "Extra zero padding for wavs shorter than seq_len."})
    use_noise_augment: bool = field(default=True, metadata={"help": "Add small random noise to training audio."})
    use_cache: bool = field(default=True, metadata={"help": "Keep the loaded wavs and mels in memory."})
    use_stft_loss: bool = field(default=True, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(default=False, metadata={"help": "Sub-band STFT loss (multi-band only)."})
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=False, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(default=True, metadata={"help": "Feature-matching loss."})
    use_l1_spec_loss: bool = field(default=False, metadata={"help": "L1 loss between the mel spectrograms."})
    stft_loss_weight: float = field(default=0.5, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=2.5, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(default=0, metadata={"help": "Weight of the generator's hinge loss."})
    feat_match_loss_weight: float = field(default=108, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=0.0, metadata={"help": "Weight of the mel L1 loss."})

    def check_values(self) -> None:
        check_melgan_generator(self)
