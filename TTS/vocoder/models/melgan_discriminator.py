"""MelGAN discriminator (Kumar et al., 2019): one scale of the multi-scale discriminator.

    wav (B, 1, T)
      -> reflection pad + conv (k = prod(kernel_sizes), C_base) + lrelu(0.2)
      -> per downsampling factor f: grouped conv (k = 10 f + 1, stride f, channels x f up to C_max) + lrelu
      -> conv (kernel_sizes[0]) + lrelu -> conv (kernel_sizes[1], -> 1 channel)
    -> score (B, 1, T'), and the output of every layer

Module names (``layers.<i>.<j>``) and the weight-norm parametrisation are Coqui's.
"""

import math
from typing import List, Sequence, Tuple

import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

# negative slope of every leaky ReLU of the MelGAN discriminator
LRELU_SLOPE = 0.2
# kernel size of a downsampling layer: KERNEL_PER_FACTOR * factor + 1
KERNEL_PER_FACTOR = 10


class MelganDiscriminator(nn.Module):
    """A stack of grouped, strided 1-d convolutions that scores a waveform window by window.

    Parameters
    ----------
    in_channels, out_channels:
        Waveform channels in (1) and score channels out (1).
    kernel_sizes:
        Kernel sizes of the last two convolutions; their product is the first one's.
    base_channels, max_channels:
        Channels of the first convolution, and the most any layer gets.
    downsample_factors:
        Stride of each downsampling layer.
    groups_denominator:
        A downsampling layer with ``C`` input channels has ``C // groups_denominator`` groups.

    Shapes
    ------
    x: (B, 1, T) -> score (B, 1, T / prod(downsample_factors)), feats: one tensor per layer
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        out_channels: int = 1,
        kernel_sizes: Sequence[int] = (5, 3),
        base_channels: int = 16,
        max_channels: int = 1024,
        downsample_factors: Sequence[int] = (4, 4, 4, 4),
        groups_denominator: int = 4,
    ) -> None:
        super().__init__()
        first_kernel = math.prod(kernel_sizes)
        self.layers = nn.ModuleList()
        self.layers.append(
            nn.Sequential(
                nn.ReflectionPad1d((first_kernel - 1) // 2),
                weight_norm(nn.Conv1d(in_channels, base_channels, first_kernel)),
                nn.LeakyReLU(LRELU_SLOPE),
            )
        )
        channels = base_channels
        for factor in downsample_factors:
            out = min(channels * factor, max_channels)
            kernel = KERNEL_PER_FACTOR * factor + 1
            conv = nn.Conv1d(
                channels, out, kernel, stride=factor, padding=(kernel - 1) // 2, groups=channels // groups_denominator
            )
            self.layers.append(nn.Sequential(weight_norm(conv), nn.LeakyReLU(LRELU_SLOPE)))
            channels = out
        self.layers.append(
            nn.Sequential(
                weight_norm(nn.Conv1d(channels, channels, kernel_sizes[0], padding=(kernel_sizes[0] - 1) // 2)),
                nn.LeakyReLU(LRELU_SLOPE),
            )
        )
        self.layers.append(
            weight_norm(nn.Conv1d(channels, out_channels, kernel_sizes[1], padding=(kernel_sizes[1] - 1) // 2))
        )

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return x, feats
