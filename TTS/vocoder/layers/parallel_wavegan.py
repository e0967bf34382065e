"""The residual block of Parallel WaveGAN's non-causal WaveNet (Yamamoto et al., 2020), Coqui's key names."""

from typing import Optional, Tuple

import torch
from torch import nn
from torch.nn import functional as F

# scale of the residual sum, keeping the variance of the stack's activations steady
RESIDUAL_SCALE = 0.5**2


class ResidualBlock(nn.Module):
    """A gated, dilated convolution with local conditioning, a residual and a skip output.

    ``z = tanh(a) * sigmoid(b)`` where ``(a, b)`` are the halves of ``conv(x) + conv1x1_aux(c)``; the
    residual output is ``(conv1x1_out(z) + x) / 4``, the skip output ``conv1x1_skip(z)``.

    Parameters
    ----------
    kernel_size:
        Kernel size of the dilated convolution (odd).
    res_channels, gate_channels, skip_channels:
        Widths of the residual stream, of the gate (both halves), and of the skip output.
    aux_channels:
        Channels of the conditioning features; 0 for none.
    dropout:
        Dropout on the input in training.
    dilation:
        Dilation of the convolution.
    bias:
        Biases in the convolutions (the conditioning convolution has none).

    Shapes
    ------
    x: (B, res_channels, T), c: (B, aux_channels, T) -> (B, res_channels, T), (B, skip_channels, T)
    """

    def __init__(
        self,
        *,
        kernel_size: int = 3,
        res_channels: int = 64,
        gate_channels: int = 128,
        skip_channels: int = 64,
        aux_channels: int = 80,
        dropout: float = 0.0,
        dilation: int = 1,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd, got {kernel_size}")
        self.dropout = dropout
        padding = (kernel_size - 1) // 2 * dilation
        self.conv = nn.Conv1d(res_channels, gate_channels, kernel_size, padding=padding, dilation=dilation, bias=bias)
        self.conv1x1_aux = nn.Conv1d(aux_channels, gate_channels, 1, bias=False) if aux_channels > 0 else None
        half = gate_channels // 2
        self.conv1x1_out = nn.Conv1d(half, res_channels, 1, bias=bias)
        self.conv1x1_skip = nn.Conv1d(half, skip_channels, 1, bias=bias)

    def forward(self, x: torch.Tensor, c: Optional[torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        residual = x
        x = self.conv(F.dropout(x, p=self.dropout, training=self.training))
        xa, xb = x.split(x.size(1) // 2, dim=1)
        if c is not None:
            ca, cb = self.conv1x1_aux(c).split(xa.size(1), dim=1)
            xa, xb = xa + ca, xb + cb
        z = torch.tanh(xa) * torch.sigmoid(xb)
        skip = self.conv1x1_skip(z)
        return (self.conv1x1_out(z) + residual) * RESIDUAL_SCALE, skip
