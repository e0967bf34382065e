"""Upsampling of the conditioning mel to the sample rate (Parallel WaveGAN): nearest stretch + smoothing conv."""

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F


class Stretch2d(nn.Module):
    """Nearest-neighbour stretch of a (B, C, F, T) tensor by ``y_scale`` along F and ``x_scale`` along T."""

    def __init__(self, x_scale: int, y_scale: int, mode: str = "nearest") -> None:
        super().__init__()
        self.x_scale, self.y_scale, self.mode = x_scale, y_scale, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=(self.y_scale, self.x_scale), mode=self.mode)


class UpsampleNetwork(nn.Module):
    """Per factor: stretch along time, then a (1, 2u+1) convolution over the (mel band, time) plane.

    ``up_layers`` alternates ``Stretch2d`` (even indices) and ``Conv2d`` (odd indices, Coqui's keys).

    Shapes
    ------
    c: (B, C, T) -> (B, C, T * prod(upsample_factors))
    """

    def __init__(self, *, upsample_factors: Sequence[int]) -> None:
        super().__init__()
        self.up_layers = nn.ModuleList()
        for scale in upsample_factors:
            self.up_layers.append(Stretch2d(scale, 1))
            self.up_layers.append(nn.Conv2d(1, 1, kernel_size=(1, 2 * scale + 1), padding=(0, scale), bias=False))

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        c = c.unsqueeze(1)
        for layer in self.up_layers:
            c = layer(c)
        return c.squeeze(1)


class ConvUpsample(nn.Module):
    """A 1x1 convolution over the mel bands (``conv_in``), then ``UpsampleNetwork`` (``upsample``).

    Shapes
    ------
    c: (B, aux_channels, T) -> (B, aux_channels, T * prod(upsample_factors))
    """

    def __init__(self, *, upsample_factors: Sequence[int], aux_channels: int = 80) -> None:
        super().__init__()
        self.conv_in = nn.Conv1d(aux_channels, aux_channels, kernel_size=1, bias=False)
        self.upsample = UpsampleNetwork(upsample_factors=upsample_factors)

    def forward(self, c: torch.Tensor) -> torch.Tensor:
        return self.upsample(self.conv_in(c))
