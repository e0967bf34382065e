"""Multi-band MelGAN vocoder config (Yang et al., 2020): Coqui's field names and defaults."""

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from TTS.vocoder.configs.melgan_config import check_melgan_generator
from TTS.vocoder.configs.shared_configs import BaseGANVocoderConfig

_MILESTONES = [100000, 200000, 300000, 400000, 500000, 600000]


@dataclass
class MultibandMelganConfig(BaseGANVocoderConfig):
    """Multi-band MelGAN: the MelGAN generator predicts 4 sub-bands that PQMF synthesis joins into one waveform."""

    model: str = field(
        default="multiband_melgan", metadata={"help": "Model name; load_config picks this config class from it."}
    )
    discriminator_model: str = field(
        default="melgan_multiscale_discriminator", metadata={"help": "Discriminator network."}
    )
    discriminator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"base_channels": 16, "max_channels": 512, "downsample_factors": [4, 4, 4]},
        metadata={"help": "Discriminator sizes: base_channels, max_channels, downsample_factors."},
    )
    generator_model: str = field(default="multiband_melgan_generator", metadata={"help": "Generator network."})
    generator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"upsample_factors": [8, 4, 2], "num_res_blocks": 4},
        metadata={"help": "Generator sizes: upsample_factors (product x 4 bands = hop length), num_res_blocks."},
    )
    use_pqmf: bool = field(default=True, metadata={"help": "Train on PQMF sub-bands."})
    lr_gen: float = field(default=0.0001, metadata={"help": "Initial learning rate of the generator."})
    lr_disc: float = field(default=0.0001, metadata={"help": "Initial learning rate of the discriminator."})
    lr_scheduler_gen: Optional[str] = field(
        default="MultiStepLR", metadata={"help": "torch.optim.lr_scheduler name for the generator."}
    )
    lr_scheduler_gen_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.5, "milestones": list(_MILESTONES)},
        metadata={"help": "Keyword arguments of the generator's scheduler."},
    )
    lr_scheduler_disc: Optional[str] = field(
        default="MultiStepLR", metadata={"help": "torch.optim.lr_scheduler name for the discriminator."}
    )
    lr_scheduler_disc_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.5, "milestones": list(_MILESTONES)},
        metadata={"help": "Keyword arguments of the discriminator's scheduler."},
    )
    batch_size: int = field(default=64, metadata={"help": "Training batch size."})
    seq_len: int = field(default=16384, metadata={"help": "Length in samples of the training waveform segments."})
    pad_short: int = field(default=2000, metadata={"help": "Extra zero padding for wavs shorter than seq_len."})
    use_noise_augment: bool = field(default=False, metadata={"help": "Add small random noise to training audio."})
    use_cache: bool = field(default=True, metadata={"help": "Keep the loaded wavs and mels in memory."})
    steps_to_start_discriminator: int = field(
        default=200000, metadata={"help": "Train the generator alone for this many steps first."}
    )
    use_stft_loss: bool = field(default=True, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(default=True, metadata={"help": "STFT loss on the PQMF sub-bands."})
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=False, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(default=False, metadata={"help": "Feature-matching loss."})
    use_l1_spec_loss: bool = field(default=False, metadata={"help": "L1 loss between the mel spectrograms."})
    stft_loss_weight: float = field(default=0.5, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=2.5, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(default=0, metadata={"help": "Weight of the generator's hinge loss."})
    feat_match_loss_weight: float = field(default=108, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=0, metadata={"help": "Weight of the mel L1 loss."})

    def check_values(self) -> None:
        check_melgan_generator(self)
