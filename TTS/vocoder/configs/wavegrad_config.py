"""WaveGrad vocoder config (Chen et al., 2020): Coqui's field names and defaults."""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from coqpit import Coqpit

from TTS.vocoder.configs.shared_configs import BaseVocoderConfig, require


@dataclass
class WavegradArgs(Coqpit):
    """Sizes of the WaveGrad network (Coqui's ``model_params``)."""

    in_channels: int = field(default=80, metadata={"help": "Mel bands of the input."})
    out_channels: int = field(default=1, metadata={"help": "Waveform channels."})
    use_weight_norm: bool = field(default=False, metadata={"help": "Weight-normalised convolutions."})
    y_conv_channels: int = field(default=32, metadata={"help": "Channels of the first convolution on the noisy audio."})
    x_conv_channels: int = field(default=768, metadata={"help": "Channels of the first convolution on the mel."})
    dblock_out_channels: List[int] = field(
        default_factory=lambda: [128, 128, 256, 512], metadata={"help": "Output channels of each downsampling block."}
    )
    ublock_out_channels: List[int] = field(
        default_factory=lambda: [512, 512, 256, 128, 128],
        metadata={"help": "Output channels of each upsampling block."},
    )
    upsample_factors: List[int] = field(
        default_factory=lambda: [4, 4, 4, 2, 2],
        metadata={"help": "Factor of each upsampling block; their product is the hop length."},
    )
    upsample_dilations: List[List[int]] = field(
        default_factory=lambda: [[1, 2, 1, 2], [1, 2, 1, 2], [1, 2, 4, 8], [1, 2, 4, 8], [1, 2, 4, 8]],
        metadata={"help": "Dilations of the four convolutions of each upsampling block."},
    )


def _schedule(num_steps: int) -> Dict[str, Any]:
    return {"min_val": 1e-6, "max_val": 1e-2, "num_steps": num_steps}


@dataclass
class WavegradConfig(BaseVocoderConfig):
    """WaveGrad: a diffusion model that refines Gaussian noise into speech in ``num_steps`` denoising steps."""

    model: str = field(
        default="wavegrad", metadata={"help": "Model name; load_config picks this config class from it."}
    )
    generator_model: str = field(default="wavegrad", metadata={"help": "Network; only 'wavegrad'."})
    model_params: WavegradArgs = field(default_factory=WavegradArgs, metadata={"help": "Sizes of the network."})
    target_loss: Optional[str] = field(default="loss", metadata={"help": "Loss that picks the best checkpoint."})
    epochs: int = field(default=10000, metadata={"help": "Number of training epochs."})
    batch_size: int = field(default=96, metadata={"help": "Training batch size."})
    seq_len: int = field(default=6144, metadata={"help": "Length in samples of the training waveform segments."})
    use_cache: bool = field(default=True, metadata={"help": "Keep the loaded wavs and mels in memory."})
    mixed_precision: bool = field(default=True, metadata={"help": "Train with automatic mixed precision."})
    eval_split_size: int = field(default=50, metadata={"help": "Number of wav files held out for evaluation."})
    train_noise_schedule: Dict[str, Any] = field(
        default_factory=lambda: _schedule(1000),
        metadata={"help": "Training noise schedule: betas linearly spaced from min_val to max_val in num_steps."},
    )
    test_noise_schedule: Dict[str, Any] = field(
        default_factory=lambda: _schedule(50),
        metadata={"help": "Inference noise schedule (min_val, max_val, num_steps): fewer steps are faster."},
    )
    grad_clip: Union[float, List[float]] = field(default=1.0, metadata={"help": "Gradient clipping threshold."})
    lr: Union[float, List[float]] = field(default=1e-4, metadata={"help": "Initial learning rate."})
    lr_scheduler: Optional[Union[str, List[str]]] = field(
        default="MultiStepLR", metadata={"help": "torch.optim.lr_scheduler name."}
    )
    lr_scheduler_params: Dict[str, Any] = field(
        default_factory=lambda: {"gamma": 0.5, "milestones": [100000, 200000, 300000, 400000, 500000, 600000]},
        metadata={"help": "Keyword arguments of the scheduler."},
    )

    def check_values(self) -> None:
        self.audio.check_values()
        require(
            str(self.generator_model).lower() == "wavegrad",
            "generator_model",
            f"must be 'wavegrad', got {self.generator_model!r}",
        )
        params = self.model_params
        require(
            len(params.upsample_dilations) == len(params.upsample_factors),
            "model_params.upsample_dilations",
            f"needs one list per upsampling factor ({len(params.upsample_factors)})",
        )
        require(
            len(params.ublock_out_channels) == len(params.upsample_factors),
            "model_params.ublock_out_channels",
            f"needs one entry per upsampling factor ({len(params.upsample_factors)})",
        )
        film_inputs = list(reversed(params.ublock_out_channels))[:-1]
        require(
            list(params.dblock_out_channels) == film_inputs,
            "model_params.dblock_out_channels",
            f"must be the reversed ublock_out_channels without the last ({film_inputs}): each downsampling block "
            f"feeds the FiLM of the upsampling block of the same size, got {params.dblock_out_channels}",
        )
        for name in ("train_noise_schedule", "test_noise_schedule"):
            schedule = getattr(self, name)
            for key in ("min_val", "max_val", "num_steps"):
                require(key in schedule, f"{name}.{key}", "is missing")
        # the hop is not checked here: Coqui builds WaveGrad configs whose factors differ from audio.hop_length
        # (its unit tests do); a vocoder loaded for synthesis is checked against its audio config then
