"""Blocks of the HiFi-GAN generator (Kong et al., 2020): weight-normalised convolutions and the two residual blocks.

The multi-receptive-field fusion (MRF) module of the paper is a set of residual blocks with different
kernel sizes and dilations whose outputs are averaged; the generator owns that set, these are its members.
Module names (``convs1``, ``convs2``, ``convs``) follow Coqui's state-dict layout.
"""

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import weight_norm

# negative slope of the leaky ReLUs inside the residual blocks and before each upsampling layer
LRELU_SLOPE = 0.1


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Padding that keeps the length of a stride-1 convolution unchanged (odd kernel sizes)."""
    return dilation * (kernel_size - 1) // 2


def wn_conv1d(
    in_channels: int, out_channels: int, kernel_size: int, *, dilation: int = 1, bias: bool = True
) -> nn.Conv1d:
    """A length-preserving, weight-normalised ``Conv1d`` (default PyTorch initialisation)."""
    padding = same_padding(kernel_size, dilation)
    conv = nn.Conv1d(in_channels, out_channels, kernel_size, dilation=dilation, padding=padding, bias=bias)
    return weight_norm(conv)


def wn_conv_transpose1d(in_channels: int, out_channels: int, *, kernel_size: int, stride: int) -> nn.ConvTranspose1d:
    """A weight-normalised transposed convolution that upsamples its input exactly ``stride`` times.

    Exact when ``kernel_size - stride`` is even (the config checks it).
    """
    conv = nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding=(kernel_size - stride) // 2)
    return weight_norm(conv)


def remove_weight_norm(module: nn.Module) -> int:
    """Fold every weight-norm parametrisation below ``module`` into a plain ``weight``; return how many.

    Inference then runs one convolution per layer instead of recomputing ``g * v / ||v||`` on every call.
    """
    count = 0
    for layer in module.modules():
        if parametrize.is_parametrized(layer, "weight"):
            parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
            count += 1
    return count


class ResBlock1(nn.Module):
    """Residual block type 1 (HiFi-GAN V1/V2): per dilation, a dilated and an undilated convolution.

    ``x <- x + conv2(lrelu(conv1_d(lrelu(x))))`` for each dilation ``d``.

    Parameters
    ----------
    channels:
        Width of the block (input = output).
    kernel_size:
        Kernel size of every convolution (odd).
    dilations:
        Dilation of the first convolution of each pair; one pair per entry.

    Shapes
    ------
    x: (B, channels, T) -> (B, channels, T)
    """

    def __init__(self, *, channels: int, kernel_size: int = 3, dilations: Sequence[int] = (1, 3, 5)) -> None:
        super().__init__()
        self.convs1 = nn.ModuleList(wn_conv1d(channels, channels, kernel_size, dilation=d) for d in dilations)
        self.convs2 = nn.ModuleList(wn_conv1d(channels, channels, kernel_size) for _ in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for dilated, plain in zip(self.convs1, self.convs2):
            y = dilated(F.leaky_relu(x, LRELU_SLOPE))
            x = x + plain(F.leaky_relu(y, LRELU_SLOPE))
        return x


class ResBlock2(nn.Module):
    """Residual block type 2 (HiFi-GAN V3): one dilated convolution per dilation.

    ``x <- x + conv_d(lrelu(x))`` for each dilation ``d``.

    Parameters
    ----------
    channels:
        Width of the block (input = output).
    kernel_size:
        Kernel size of every convolution (odd).
    dilations:
        Dilation of each convolution.

    Shapes
    ------
    x: (B, channels, T) -> (B, channels, T)
    """

    def __init__(self, *, channels: int, kernel_size: int = 3, dilations: Sequence[int] = (1, 3)) -> None:
        super().__init__()
        self.convs = nn.ModuleList(wn_conv1d(channels, channels, kernel_size, dilation=d) for d in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convs:
            x = x + conv(F.leaky_relu(x, LRELU_SLOPE))
        return x


RESBLOCKS = {"1": ResBlock1, "2": ResBlock2}
