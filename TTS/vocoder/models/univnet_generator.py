"""UnivNet generator (Jang et al., 2021): noise in, location-variable convolutions conditioned on the mel.

    noise (B, in_channels, T) ~ N(0, 1)
      -> first_conv (7, -> hidden_channels)
      -> LVCBlock per upsampling factor (upsample x u_i, kernels predicted from the mel)
      -> lrelu(0.1) -> conv (7, -> out_channels) -> tanh
    wav (B, 1, T * prod(u))

The noise is one ``torch.randn`` of shape (B, in_channels, T) on the CPU, as Coqui draws it. Coqui's
``inference`` draws one such tensor that it does not use before ``forward`` draws the one it uses; ours does
the same, so that a fixed torch seed gives Coqui's waveform. There is no inference padding.
Weight norm covers every Conv1d (not the transposed convolutions).
"""

import math
from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import weight_norm

from TTS.vocoder.layers.lvc_block import LVCBlock
from TTS.vocoder.models.base_generator import BaseGenerator

LRELU_SLOPE = 0.1
# kernel size of the input and output convolutions
PRE_POST_KERNEL_SIZE = 7


class UnivnetGenerator(BaseGenerator):
    """The UnivNet generator.

    Parameters
    ----------
    in_channels:
        Channels of the input noise.
    out_channels:
        Waveform channels (1).
    hidden_channels:
        Width of the network.
    cond_channels:
        Mel bands of the conditioning input.
    upsample_factors:
        Upsampling factor of each LVC block; their product is the hop length.
    lvc_layers_each_block, lvc_kernel_size:
        LVC layers per block and their kernel size.
    kpnet_hidden_channels, kpnet_conv_size:
        Width and kernel size of the kernel predictor.
    dropout:
        Dropout in the kernel predictor.
    use_weight_norm:
        Weight-normalise every Conv1d.
    """

    def __init__(
        self,
        *,
        in_channels: int = 64,
        out_channels: int = 1,
        hidden_channels: int = 32,
        cond_channels: int = 80,
        upsample_factors: Sequence[int] = (8, 8, 4),
        lvc_layers_each_block: int = 4,
        lvc_kernel_size: int = 3,
        kpnet_hidden_channels: int = 64,
        kpnet_conv_size: int = 3,
        dropout: float = 0.0,
        use_weight_norm: bool = True,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.cond_channels = in_channels, out_channels, cond_channels
        self.hop_length = self.upsample_scale = math.prod(upsample_factors)
        self.lvc_block_nums = len(upsample_factors)
        pad = (PRE_POST_KERNEL_SIZE - 1) // 2
        self.first_conv = nn.Conv1d(in_channels, hidden_channels, PRE_POST_KERNEL_SIZE, padding=pad, bias=True)
        self.lvc_blocks = nn.ModuleList()
        cond_hop_length = 1
        for factor in upsample_factors:
            cond_hop_length *= factor
            self.lvc_blocks.append(
                LVCBlock(
                    in_channels=hidden_channels,
                    cond_channels=cond_channels,
                    upsample_ratio=factor,
                    conv_layers=lvc_layers_each_block,
                    conv_kernel_size=lvc_kernel_size,
                    cond_hop_length=cond_hop_length,
                    kpnet_hidden_channels=kpnet_hidden_channels,
                    kpnet_conv_size=kpnet_conv_size,
                    kpnet_dropout=dropout,
                )
            )
        self.last_conv_layers = nn.ModuleList(
            [nn.Conv1d(hidden_channels, out_channels, PRE_POST_KERNEL_SIZE, padding=pad, bias=True)]
        )
        if use_weight_norm:
            self.apply_weight_norm()

    @classmethod
    def init_from_config(cls, config) -> "UnivnetGenerator":
        """Build the generator of a ``UnivnetConfig`` (its ``generator_model_params`` are the arguments)."""
        params = dict(config.generator_model_params)
        params["cond_channels"] = config.audio.num_mels
        return cls(**params)

    def apply_weight_norm(self) -> None:
        """Weight-normalise every Conv1d and Conv2d."""
        for module in self.modules():
            if isinstance(module, (nn.Conv1d, nn.Conv2d)):
                weight_norm(module)

    def _noise(self, c: torch.Tensor) -> torch.Tensor:
        return torch.randn([c.shape[0], self.in_channels, c.shape[2]])

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        """Waveform of a mel spectrogram, from fresh Gaussian noise.

        Shapes
        ------
        c: (B, C_mel, T)
        returns: (B, out_channels, T * hop_length)
        """
        x = self.first_conv(self._noise(c).to(self.first_conv.bias.device))
        for block in self.lvc_blocks:
            x = block(x, c)
        for conv in self.last_conv_layers:
            x = conv(F.leaky_relu(x, LRELU_SLOPE))
        return torch.tanh(x)

    @torch.inference_mode()
    def inference(self, c: torch.Tensor) -> torch.Tensor:
        """Waveform of a mel spectrogram; draws the unused noise tensor Coqui's ``inference`` draws first.

        Shapes
        ------
        c: (B, C_mel, T)
        returns: (B, 1, T * hop_length)
        """
        self._noise(c)  # Coqui draws (and discards) this tensor: drawing it keeps the random stream in step
        c = c.to(next(self.parameters()))
        return self.forward(c)
