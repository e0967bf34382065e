"""Blocks of WaveGrad (Chen et al., 2020): downsampling (DBlock), upsampling (UBlock) and FiLM conditioning.

Module names follow Coqui's state-dict layout (``res_block``, ``main_block``, ``out_block``,
``input_conv``, ``output_conv``).
"""

from typing import Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F

LRELU_SLOPE = 0.2
# the positional encoding is divided by this before it is added (Coqui's constant)
PE_SCALE = 5000


class Conv1d(nn.Conv1d):
    """A Conv1d with orthogonal initial weights and zero biases."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        nn.init.orthogonal_(self.weight)
        nn.init.zeros_(self.bias)


class PositionalEncoding(nn.Module):
    """Adds the noise level and a sinusoidal encoding of the time step (computed lazily, not saved)."""

    def __init__(self, n_channels: int) -> None:
        super().__init__()
        self.n_channels = n_channels
        self.pe = torch.zeros(0, 0)

    def forward(self, x: torch.Tensor, noise_level: torch.Tensor) -> torch.Tensor:
        if x.shape[2] > self.pe.shape[1] or self.pe.device != x.device or self.pe.dtype != x.dtype:
            self.pe = self._table(x.shape[1], max(x.shape[2], self.pe.shape[1]), x)
        return x + noise_level[..., None, None] + self.pe[:, : x.size(2)].repeat(x.shape[0], 1, 1) / PE_SCALE

    @staticmethod
    def _table(n_channels: int, length: int, like: torch.Tensor) -> torch.Tensor:
        position = torch.arange(0, length, dtype=torch.float).unsqueeze(1)
        div_term = torch.pow(10000, torch.arange(0, n_channels, 2).float() / n_channels)
        table = torch.zeros(length, n_channels)
        table[:, 0::2] = torch.sin(position / div_term)
        table[:, 1::2] = torch.cos(position / div_term)
        return table.transpose(0, 1).to(like)


class FiLM(nn.Module):
    """Feature-wise linear modulation: a (shift, scale) pair from the noisy-audio features and the noise level.

    Shapes
    ------
    x: (B, C_in, T), noise_scale: (B,) -> shift, scale: (B, C_out, T)
    """

    def __init__(self, input_size: int, output_size: int) -> None:
        super().__init__()
        self.encoding = PositionalEncoding(input_size)
        self.input_conv = nn.Conv1d(input_size, input_size, 3, padding=1)
        self.output_conv = nn.Conv1d(input_size, output_size * 2, 3, padding=1)
        for conv in (self.input_conv, self.output_conv):
            nn.init.xavier_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor, noise_scale: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        o = F.leaky_relu(self.input_conv(x), LRELU_SLOPE)
        o = self.encoding(o, noise_scale)
        shift, scale = torch.chunk(self.output_conv(o), 2, dim=1)
        return shift, scale


def _modulate(x: torch.Tensor, scale: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    return shift + scale * x


class UBlock(nn.Module):
    """Upsampling block: nearest upsampling by ``factor``, four dilated convolutions modulated by FiLM.

    Shapes
    ------
    x: (B, C_in, T), shift/scale: (B, C_out, T * factor) -> (B, C_out, T * factor)
    """

    def __init__(self, input_size: int, hidden_size: int, factor: int, dilation: Sequence[int]) -> None:
        super().__init__()
        if len(dilation) != 4:
            raise ValueError(f"a UBlock takes 4 dilations, got {dilation}")
        self.factor = factor
        self.res_block = Conv1d(input_size, hidden_size, 1)
        self.main_block = nn.ModuleList(
            [
                Conv1d(input_size, hidden_size, 3, dilation=dilation[0], padding=dilation[0]),
                Conv1d(hidden_size, hidden_size, 3, dilation=dilation[1], padding=dilation[1]),
            ]
        )
        self.out_block = nn.ModuleList(
            [
                Conv1d(hidden_size, hidden_size, 3, dilation=dilation[2], padding=dilation[2]),
                Conv1d(hidden_size, hidden_size, 3, dilation=dilation[3], padding=dilation[3]),
            ]
        )

    def forward(self, x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        size = x.shape[-1] * self.factor
        x_up = F.interpolate(x, size=size)
        res = self.res_block(x_up)
        o = F.interpolate(F.leaky_relu(x_up, LRELU_SLOPE), size=size)
        o = _modulate(self.main_block[0](o), scale, shift)
        o = self.main_block[1](F.leaky_relu(o, LRELU_SLOPE))
        res2 = res + o
        o = _modulate(res2, scale, shift)
        o = _modulate(self.out_block[0](F.leaky_relu(o, LRELU_SLOPE)), scale, shift)
        o = self.out_block[1](F.leaky_relu(o, LRELU_SLOPE))
        return o + res2


class DBlock(nn.Module):
    """Downsampling block: nearest downsampling by ``factor``, three dilated convolutions, a 1x1 residual.

    Shapes
    ------
    x: (B, C_in, T) -> (B, C_out, T // factor)
    """

    def __init__(self, input_size: int, hidden_size: int, factor: int) -> None:
        super().__init__()
        self.factor = factor
        self.res_block = Conv1d(input_size, hidden_size, 1)
        self.main_block = nn.ModuleList(
            [
                Conv1d(input_size, hidden_size, 3, dilation=1, padding=1),
                Conv1d(hidden_size, hidden_size, 3, dilation=2, padding=2),
                Conv1d(hidden_size, hidden_size, 3, dilation=4, padding=4),
            ]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-1] // self.factor
        res = F.interpolate(self.res_block(x), size=size)
        o = F.interpolate(x, size=size)
        for layer in self.main_block:
            o = layer(F.leaky_relu(o, LRELU_SLOPE))
        return o + res
