"""UnivNet vocoder config (Jang et al., 2021): Coqui's field names and defaults."""

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from TTS.vocoder.configs.shared_configs import BaseGANVocoderConfig, check_hop, require


def _generator_params() -> Dict[str, Any]:
    return {
        "in_channels": 64,
        "out_channels": 1,
        "hidden_channels": 32,
        "cond_channels": 80,
        "upsample_factors": [8, 8, 4],
        "lvc_layers_each_block": 4,
        "lvc_kernel_size": 3,
        "kpnet_hidden_channels": 64,
        "kpnet_conv_size": 3,
        "dropout": 0.0,
    }


@dataclass
class UnivnetConfig(BaseGANVocoderConfig):
    """UnivNet: noise in, location-variable convolutions whose kernels a kernel-predictor computes from the mel."""

    model: str = field(default="univnet", metadata={"help": "Model name; load_config picks this config class from it."})
    batch_size: int = field(default=32, metadata={"help": "Training batch size."})
    discriminator_model: str = field(default="univnet_discriminator", metadata={"help": "Discriminator network."})
    generator_model: str = field(default="univnet_generator", metadata={"help": "Generator network."})
    generator_model_params: Dict[str, Any] = field(
        default_factory=_generator_params,
        metadata={
            "help": "Generator sizes (keyword arguments of UnivnetGenerator); cond_channels is set to audio.num_mels."
        },
    )
    use_stft_loss: bool = field(default=True, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(default=False, metadata={"help": "Sub-band STFT loss (multi-band only)."})
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=False, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(default=False, metadata={"help": "Feature-matching loss."})
    use_l1_spec_loss: bool = field(default=False, metadata={"help": "L1 loss between the mel spectrograms."})
    stft_loss_weight: float = field(default=2.5, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=1, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(default=0, metadata={"help": "Weight of the generator's hinge loss."})
    feat_match_loss_weight: float = field(default=0, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=0, metadata={"help": "Weight of the mel L1 loss."})
    lr_gen: float = field(default=1e-4, metadata={"help": "Initial learning rate of the generator."})
    lr_disc: float = field(default=1e-4, metadata={"help": "Initial learning rate of the discriminator."})
    lr_scheduler_gen: Optional[str] = field(default=None, metadata={"help": "Generator scheduler; None: constant."})
    lr_scheduler_disc: Optional[str] = field(
        default=None, metadata={"help": "Discriminator scheduler; None: constant."}
    )
    optimizer_params: Dict[str, Any] = field(
        default_factory=lambda: {"betas": [0.5, 0.9], "weight_decay": 0.0},
        metadata={"help": "Keyword arguments of the optimizer."},
    )
    steps_to_start_discriminator: int = field(
        default=200000, metadata={"help": "Train the generator alone for this many steps first."}
    )

    def __post_init__(self):
        super().__post_init__()
        self.generator_model_params["cond_channels"] = self.audio.num_mels

    def check_values(self) -> None:
        self.audio.check_values()
        require(
            str(self.generator_model).lower() == "univnet_generator",
            "generator_model",
            f"must be 'univnet_generator', got {self.generator_model!r}",
        )
        unknown = sorted(set(self.generator_model_params) - set(_generator_params()))
        require(not unknown, "generator_model_params", f"unknown keys {unknown}")
        factors = self.generator_model_params.get("upsample_factors", _generator_params()["upsample_factors"])
        check_hop(self.audio, factors, "generator_model_params.upsample_factors")
