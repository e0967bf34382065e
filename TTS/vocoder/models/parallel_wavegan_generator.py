"""Parallel WaveGAN generator (Yamamoto et al., 2020): a non-causal WaveNet turns noise into speech.

    noise (B, 1, T * hop) ~ N(0, 1)          mel (B, C_mel, T) -> ConvUpsample -> c (B, C_mel, T * hop)
      -> first_conv (1x1, -> res_channels)
      -> num_res_blocks ResidualBlocks (dilation 2 ** (i mod layers per stack)), conditioned on c
      -> sum of their skip outputs * sqrt(1 / num_res_blocks)
      -> ReLU -> 1x1 conv -> ReLU -> 1x1 conv
    wav (B, 1, T * hop)

The noise is one ``torch.randn`` of shape (B, 1, T * hop) drawn on the CPU, as Coqui draws it, so a fixed
torch seed gives Coqui's waveform. Weight norm covers every convolution (also the upsampling network's).
"""

import math
from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import weight_norm

from TTS.vocoder.layers.parallel_wavegan import ResidualBlock
from TTS.vocoder.layers.upsample import ConvUpsample
from TTS.vocoder.models.base_generator import BaseGenerator

# frames replicated at each end of the input by ``inference`` (Coqui's value)
PWGAN_INFERENCE_PADDING = 2


def receptive_field_size(*, num_res_blocks: int, stacks: int, kernel_size: int) -> int:
    """Samples one output sample sees: ``(kernel_size - 1) * sum of the dilations + 1``."""
    per_stack = num_res_blocks // stacks
    return (kernel_size - 1) * sum(2 ** (i % per_stack) for i in range(num_res_blocks)) + 1


class ParallelWaveganGenerator(BaseGenerator):
    """The Parallel WaveGAN generator.

    Parameters
    ----------
    in_channels, out_channels:
        Channels of the input noise and of the output waveform (1, 1).
    kernel_size:
        Kernel size of the dilated convolutions.
    num_res_blocks, stacks:
        Residual blocks in all, in ``stacks`` cycles of dilations 1, 2, 4, ...
    res_channels, gate_channels, skip_channels:
        Widths of the residual stream, the gates and the skip outputs.
    aux_channels:
        Mel bands of the conditioning input.
    dropout:
        Dropout in the residual blocks.
    bias:
        Biases in the residual blocks' convolutions.
    use_weight_norm:
        Weight-normalise every convolution.
    upsample_factors:
        Factors of the conditioning upsampler; their product is the hop length.
    inference_padding:
        Frames replicated at each end of the input by ``inference``.
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        out_channels: int = 1,
        kernel_size: int = 3,
        num_res_blocks: int = 30,
        stacks: int = 3,
        res_channels: int = 64,
        gate_channels: int = 128,
        skip_channels: int = 64,
        aux_channels: int = 80,
        dropout: float = 0.0,
        bias: bool = True,
        use_weight_norm: bool = True,
        upsample_factors: Sequence[int] = (4, 4, 4, 4),
        inference_padding: int = PWGAN_INFERENCE_PADDING,
    ) -> None:
        super().__init__()
        if num_res_blocks % stacks != 0:
            raise ValueError(f"num_res_blocks ({num_res_blocks}) must be a multiple of stacks ({stacks})")
        self.in_channels, self.out_channels, self.aux_channels = in_channels, out_channels, aux_channels
        self.num_res_blocks, self.stacks, self.kernel_size = num_res_blocks, stacks, kernel_size
        self.upsample_factors = list(upsample_factors)
        self.hop_length = self.upsample_scale = math.prod(upsample_factors)
        self.inference_padding = inference_padding
        self.use_weight_norm = use_weight_norm
        per_stack = num_res_blocks // stacks
        self.first_conv = nn.Conv1d(in_channels, res_channels, kernel_size=1, bias=True)
        self.upsample_net = ConvUpsample(upsample_factors=upsample_factors, aux_channels=aux_channels)
        self.conv_layers = nn.ModuleList(
            ResidualBlock(
                kernel_size=kernel_size,
                res_channels=res_channels,
                gate_channels=gate_channels,
                skip_channels=skip_channels,
                aux_channels=aux_channels,
                dilation=2 ** (i % per_stack),
                dropout=dropout,
                bias=bias,
            )
            for i in range(num_res_blocks)
        )
        # indices 1 and 3 hold the convolutions (Coqui's keys last_conv_layers.1 / .3)
        self.last_conv_layers = nn.ModuleList(
            [
                nn.ReLU(),
                nn.Conv1d(skip_channels, skip_channels, kernel_size=1, bias=True),
                nn.ReLU(),
                nn.Conv1d(skip_channels, out_channels, kernel_size=1, bias=True),
            ]
        )
        if use_weight_norm:
            self.apply_weight_norm()

    @classmethod
    def init_from_config(cls, config) -> "ParallelWaveganGenerator":
        """Build the generator a ``ParallelWaveganConfig`` describes (Coqui's fixed sizes for the rest)."""
        params = config.generator_model_params
        return cls(
            aux_channels=config.audio.num_mels,
            num_res_blocks=params["num_res_blocks"],
            stacks=params["stacks"],
            upsample_factors=params["upsample_factors"],
        )

    def apply_weight_norm(self) -> None:
        """Weight-normalise every Conv1d and Conv2d."""
        for module in self.modules():
            if isinstance(module, (nn.Conv1d, nn.Conv2d)):
                weight_norm(module)

    @property
    def receptive_field_size(self) -> int:
        return receptive_field_size(
            num_res_blocks=self.num_res_blocks, stacks=self.stacks, kernel_size=self.kernel_size
        )

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        """Waveform of a mel spectrogram, from fresh Gaussian noise.

        Shapes
        ------
        c: (B, C_mel, T)
        returns: (B, out_channels, T * hop_length)
        """
        noise = torch.randn([c.shape[0], 1, c.shape[2] * self.upsample_scale])
        x = self.first_conv(noise.to(self.first_conv.bias.device))
        c = self.upsample_net(c)
        skips = 0
        for block in self.conv_layers:
            x, skip = block(x, c)
            skips = skips + skip
        x = skips * math.sqrt(1.0 / len(self.conv_layers))
        for layer in self.last_conv_layers:
            x = layer(x)
        return x

    @torch.inference_mode()
    def inference(self, c: torch.Tensor) -> torch.Tensor:
        """``forward`` of the input with ``inference_padding`` replicated frames at each end, as Coqui's.

        Shapes
        ------
        c: (B, C_mel, T)
        returns: (B, 1, (T + 2 * inference_padding) * hop_length)
        """
        c = c.to(self.first_conv.bias.device)
        c = F.pad(c, (self.inference_padding, self.inference_padding), mode="replicate")
        return self.forward(c)
