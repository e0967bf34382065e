"""Small building blocks with their initialisation policy: Xavier-initialised Linear and conv+BN."""

from typing import Optional

import torch
from torch import nn


class Linear(nn.Module):
    """``nn.Linear`` with Xavier-uniform weights scaled by the gain of the following non-linearity.

    Parameters
    ----------
    in_features, out_features:
        Layer sizes.
    bias:
        Learn an additive bias.
    init_gain:
        Name understood by ``nn.init.calculate_gain`` ('linear', 'tanh', 'relu', 'sigmoid').
    """

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True, init_gain: str = "linear") -> None:
        super().__init__()
        self.linear_layer = nn.Linear(in_features, out_features, bias=bias)
        nn.init.xavier_uniform_(self.linear_layer.weight, gain=nn.init.calculate_gain(init_gain))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_layer(x)


class LinearBN(nn.Module):
    """Linear layer followed by batch normalisation (the 'bn' prenet)."""

    def __init__(self, in_features: int, out_features: int, *, bias: bool = True, init_gain: str = "linear") -> None:
        super().__init__()
        self.linear_layer = nn.Linear(in_features, out_features, bias=bias)
        self.batch_normalization = nn.BatchNorm1d(out_features, momentum=0.1, eps=1e-5)
        nn.init.xavier_uniform_(self.linear_layer.weight, gain=nn.init.calculate_gain(init_gain))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes: x (B, C) or (T, B, C)."""
        out = self.linear_layer(x)
        if out.dim() == 3:  # time-major memories: normalise over (T * B)
            return self.batch_normalization(out.reshape(-1, out.shape[-1])).view_as(out)
        return self.batch_normalization(out)


class ConvBNBlock(nn.Module):
    """1-D convolution -> batch norm -> activation -> dropout, length preserving ('same' padding).

    Parameters
    ----------
    in_channels, out_channels, kernel_size:
        Convolution sizes; ``kernel_size`` must be odd.
    activation:
        'relu', 'tanh' or None (identity).
    dropout:
        Dropout probability after the activation.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        kernel_size: int,
        activation: Optional[str] = None,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd for 'same' padding, got {kernel_size}")
        self.convolution1d = nn.Conv1d(in_channels, out_channels, kernel_size, padding=(kernel_size - 1) // 2)
        self.batch_normalization = nn.BatchNorm1d(out_channels, momentum=0.1, eps=1e-5)
        self.dropout = nn.Dropout(p=dropout)
        activations = {"relu": nn.ReLU(), "tanh": nn.Tanh(), None: nn.Identity()}
        if activation not in activations:
            raise ValueError(f"activation must be 'relu', 'tanh' or None, got {activation!r}")
        self.activation = activations[activation]
        gain = "linear" if activation is None else activation
        nn.init.xavier_uniform_(self.convolution1d.weight, gain=nn.init.calculate_gain(gain))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes: x (B, C_in, T) -> (B, C_out, T)."""
        return self.dropout(self.activation(self.batch_normalization(self.convolution1d(x))))
