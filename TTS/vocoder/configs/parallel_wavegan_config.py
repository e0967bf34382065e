"""Parallel WaveGAN vocoder config (Yamamoto et al., 2020): Coqui's field names and defaults."""

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from TTS.vocoder.configs.shared_configs import BaseGANVocoderConfig, check_hop, require


@dataclass
class ParallelWaveganConfig(BaseGANVocoderConfig):
    """Parallel WaveGAN: a non-causal WaveNet turns Gaussian noise into speech, conditioned on the upsampled mel."""

    model: str = field(
        default="parallel_wavegan", metadata={"help": "Model name; load_config picks this config class from it."}
    )
    discriminator_model: str = field(default="parallel_wavegan_discriminator", metadata={"help": "Discriminator."})
    discriminator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"num_layers": 10}, metadata={"help": "Discriminator sizes: num_layers (, stacks)."}
    )
    generator_model: str = field(default="parallel_wavegan_generator", metadata={"help": "Generator network."})
    generator_model_params: Dict[str, Any] = field(
        default_factory=lambda: {"upsample_factors": [4, 4, 4, 4], "stacks": 3, "num_res_blocks": 30},
        metadata={"help": "Generator sizes: upsample_factors (product = hop length), stacks, num_res_blocks."},
    )
    batch_size: int = field(default=6, metadata={"help": "Training batch size."})
    seq_len: int = field(default=25600, metadata={"help": "Length in samples of the training waveform segments."})
    pad_short: int = field(default=2000, metadata={"help": "Extra zero padding for wavs shorter than seq_len."})
    use_noise_augment: bool = field(default=False, metadata={"help": "Add small random noise to training audio."})
    use_cache: bool = field(default=True, metadata={"help": "Keep the loaded wavs and mels in memory."})
    steps_to_start_discriminator: int = field(
        default=200000, metadata={"help": "Train the generator alone for this many steps first."}
    )
    target_loss: Optional[str] = field(default="loss_1", metadata={"help": "Loss that picks the best checkpoint."})
    use_stft_loss: bool = field(default=True, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(default=False, metadata={"help": "Sub-band STFT loss (multi-band only)."})
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=False, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(default=False, metadata={"help": "Feature-matching loss."})
    use_l1_spec_loss: bool = field(default=False, metadata={"help": "L1 loss between the mel spectrograms."})
    stft_loss_weight: float = field(default=0.5, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=2.5, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(default=0, metadata={"help": "Weight of the generator's hinge loss."})
    feat_match_loss_weight: float = field(default=0, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=0, metadata={"help": "Weight of the mel L1 loss."})
    lr_gen: float = field(default=0.0002, metadata={"help": "Initial learning rate of the generator."})
    lr_disc: float = field(default=0.0002, metadata={"help": "Initial learning rate of the discriminator."})
    lr_scheduler_gen: Optional[str] = field(
        default="StepLR", metadata={"help": "torch.optim.lr_scheduler name for the generator."}
    )
    lr_scheduler_gen_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.5, "step_size": 200000, "last_epoch": -1},
        metadata={"help": "Keyword arguments of the generator's scheduler."},
    )
    lr_scheduler_disc: Optional[str] = field(
        default="StepLR", metadata={"help": "torch.optim.lr_scheduler name for the discriminator."}
    )
    lr_scheduler_disc_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.5, "step_size": 200000, "last_epoch": -1},
        metadata={"help": "Keyword arguments of the discriminator's scheduler."},
    )
    scheduler_after_epoch: bool = field(
        default=False, metadata={"help": "Step the schedulers after each epoch (else after each step)."}
    )

    def check_values(self) -> None:
        self.audio.check_values()
        require(
            str(self.generator_model).lower() == "parallel_wavegan_generator",
            "generator_model",
            f"must be 'parallel_wavegan_generator', got {self.generator_model!r}",
        )
        for key in ("upsample_factors", "stacks", "num_res_blocks"):
            require(key in self.generator_model_params, f"generator_model_params.{key}", "is missing")
        params = self.generator_model_params
        require(
            params["num_res_blocks"] % params["stacks"] == 0,
            "generator_model_params.num_res_blocks",
            f"must be a multiple of stacks ({params['stacks']}), got {params['num_res_blocks']}",
        )
        check_hop(self.audio, params["upsample_factors"], "generator_model_params.upsample_factors")
