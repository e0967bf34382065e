"""HiFi-GAN vocoder config: Coqui's field names and defaults, so zoo ``config.json`` files load unchanged."""

import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from coqpit import Coqpit

from TTS.vocoder.configs.shared_configs import BaseGANVocoderConfig, require

# residual block type -> number of dilations per block that Coqui's blocks use
RESBLOCK_DILATIONS = {"1": 3, "2": 2}


_require = require


@dataclass
class HifiganGeneratorParams(Coqpit):
    """Sizes of the HiFi-GAN generator (Coqui's ``generator_model_params``); defaults are HiFi-GAN V1."""

    upsample_factors: List[int] = field(
        default_factory=lambda: [8, 8, 2, 2],
        metadata={"help": "Stride of each upsampling layer; their product must equal audio.hop_length."},
    )
    upsample_kernel_sizes: List[int] = field(
        default_factory=lambda: [16, 16, 4, 4],
        metadata={"help": "Kernel size of each upsampling layer (kernel - stride must be even)."},
    )
    upsample_initial_channel: int = field(
        default=512,
        metadata={"help": "Channels after the input convolution; halved by every upsampling layer (V1 512, V2 128)."},
    )
    resblock_type: str = field(
        default="1",
        metadata={"help": "Residual block type: '1' (pairs of convolutions, V1/V2) or '2' (single convolutions, V3)."},
    )
    resblock_kernel_sizes: List[int] = field(
        default_factory=lambda: [3, 7, 11], metadata={"help": "Kernel size of each residual block of the MRF module."}
    )
    resblock_dilation_sizes: List[List[int]] = field(
        default_factory=lambda: [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
        metadata={"help": "Dilations of each residual block: 3 per block for type '1', 2 for type '2'."},
    )
    in_channels: Optional[int] = field(
        default=None, metadata={"help": "Input channels (mel bands); None takes audio.num_mels."}
    )
    inference_padding: int = field(
        default=5,
        metadata={"help": "Frames replicated at each end of the input at inference, then cut from the output."},
    )
    conv_post_bias: bool = field(default=True, metadata={"help": "Bias in the output convolution."})

    def check_values(self) -> None:
        prefix = "generator_model_params."
        n_up = len(self.upsample_factors)
        _require(n_up > 0, prefix + "upsample_factors", "needs at least one upsampling layer")
        _require(
            all(u > 0 for u in self.upsample_factors),
            prefix + "upsample_factors",
            f"must be positive, got {self.upsample_factors}",
        )
        _require(
            len(self.upsample_kernel_sizes) == n_up,
            prefix + "upsample_kernel_sizes",
            f"needs one kernel size per upsampling factor ({n_up}), got {self.upsample_kernel_sizes}",
        )
        for i, (u, k) in enumerate(zip(self.upsample_factors, self.upsample_kernel_sizes)):
            _require(
                k >= u and (k - u) % 2 == 0,
                f"{prefix}upsample_kernel_sizes[{i}]",
                f"must be >= the factor {u} and differ from it by an even number, so the layer upsamples exactly "
                f"{u} times; got {k}",
            )
        _require(
            self.upsample_initial_channel > 0 and self.upsample_initial_channel % (2**n_up) == 0,
            prefix + "upsample_initial_channel",
            f"must be a positive multiple of 2**{n_up} (halved by each of the {n_up} upsampling layers), "
            f"got {self.upsample_initial_channel}",
        )
        _require(
            self.resblock_type in RESBLOCK_DILATIONS,
            prefix + "resblock_type",
            f"must be '1' or '2', got {self.resblock_type!r}",
        )
        _require(
            len(self.resblock_kernel_sizes) > 0, prefix + "resblock_kernel_sizes", "needs at least one residual block"
        )
        _require(
            all(k % 2 == 1 for k in self.resblock_kernel_sizes),
            prefix + "resblock_kernel_sizes",
            f"must be odd (length-preserving convolutions), got {self.resblock_kernel_sizes}",
        )
        _require(
            len(self.resblock_dilation_sizes) == len(self.resblock_kernel_sizes),
            prefix + "resblock_dilation_sizes",
            f"needs one dilation list per residual block ({len(self.resblock_kernel_sizes)}), "
            f"got {self.resblock_dilation_sizes}",
        )
        per_block = RESBLOCK_DILATIONS[self.resblock_type]
        for i, dilations in enumerate(self.resblock_dilation_sizes):
            _require(
                len(dilations) == per_block and all(d > 0 for d in dilations),
                f"{prefix}resblock_dilation_sizes[{i}]",
                f"residual blocks of type '{self.resblock_type}' take {per_block} positive dilations, got {dilations}",
            )
        if self.in_channels is not None:
            _require(self.in_channels > 0, prefix + "in_channels", f"must be positive, got {self.in_channels}")
        _require(
            self.inference_padding >= 0, prefix + "inference_padding", f"must be >= 0, got {self.inference_padding}"
        )


@dataclass
class HifiganConfig(BaseGANVocoderConfig):
    """HiFi-GAN vocoder: mel spectrogram -> waveform; generator sizes plus Coqui's GAN training fields."""

    model: str = field(default="hifigan", metadata={"help": "Model name; load_config picks this config class from it."})
    discriminator_model: str = field(
        default="hifigan_discriminator",
        metadata={"help": "Discriminator network: multi-period plus multi-scale discriminators."},
    )
    discriminator_model_params: Dict[str, Any] = field(
        default_factory=dict,
        metadata={
            "help": "Discriminator sizes (periods, period_channels, num_scales, scale_layers); empty: the paper's, "
            "which Coqui's checkpoints hold."
        },
    )
    generator_model: str = field(
        default="hifigan_generator", metadata={"help": "Generator network; only 'hifigan_generator'."}
    )
    generator_model_params: HifiganGeneratorParams = field(
        default_factory=HifiganGeneratorParams, metadata={"help": "Sizes of the generator."}
    )
    use_stft_loss: bool = field(default=False, metadata={"help": "Multi-resolution STFT loss on the waveform."})
    use_subband_stft_loss: bool = field(default=False, metadata={"help": "Sub-band STFT loss (multi-band only)."})
    use_mse_gan_loss: bool = field(default=True, metadata={"help": "Least-squares (MSE) adversarial loss."})
    use_hinge_gan_loss: bool = field(default=False, metadata={"help": "Hinge adversarial loss."})
    use_feat_match_loss: bool = field(default=True, metadata={"help": "Feature-matching loss."})
    use_l1_spec_loss: bool = field(default=True, metadata={"help": "L1 loss between the mel spectrograms."})
    stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the STFT loss."})
    subband_stft_loss_weight: float = field(default=0, metadata={"help": "Weight of the sub-band STFT loss."})
    mse_G_loss_weight: float = field(default=1, metadata={"help": "Weight of the generator's MSE adversarial loss."})
    hinge_G_loss_weight: float = field(default=0, metadata={"help": "Weight of the generator's hinge loss."})
    feat_match_loss_weight: float = field(default=108, metadata={"help": "Weight of the feature-matching loss."})
    l1_spec_loss_weight: float = field(default=45, metadata={"help": "Weight of the mel L1 loss."})
    lr: Union[float, List[float]] = field(
        default=1e-4, metadata={"help": "Learning rate (Coqui's field; the GAN uses lr_gen and lr_disc)."}
    )
    wd: float = field(default=1e-6, metadata={"help": "Weight decay."})

    def check_values(self) -> None:
        self.audio.check_values()
        self.generator_model_params.check_values()
        _require(
            self.generator_model.lower() == "hifigan_generator",
            "generator_model",
            f"only 'hifigan_generator' is implemented, got {self.generator_model!r}",
        )
        if self.audio.frame_shift_ms is None:  # otherwise the hop is derived from the frame shift
            hop = math.prod(self.generator_model_params.upsample_factors)
            _require(
                hop == self.audio.hop_length,
                "generator_model_params.upsample_factors",
                f"their product ({hop}) must equal audio.hop_length ({self.audio.hop_length}): the generator turns "
                "each mel frame into one hop of samples",
            )

    @property
    def num_input_channels(self) -> int:
        """Mel bands the generator reads: ``generator_model_params.in_channels`` or ``audio.num_mels``."""
        params = self.generator_model_params
        return params.in_channels if params.in_channels is not None else self.audio.num_mels
