"""The two learned flows of a Glow-TTS decoder step besides ActNorm: an invertible 1x1 convolution over
channel groups and an affine coupling layer whose scale and shift come from a WaveNet-style network."""

from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import weight_norm


class InvConvNear(nn.Module):
    """Invertible 1x1 convolution, mixing ``num_splits`` channel groups with one (num_splits x num_splits) matrix.

    The channels are split in two halves, each half in ``num_splits / 2`` groups; one group of each half makes
    up the ``num_splits`` inputs of the mixing matrix (Glow-TTS, section 3.3).

    Shapes
    ------
    x: (B, C, T); x_mask: (B, 1, T) -> z: (B, C, T), logdet: (B,) (None in reverse)
    """

    def __init__(self, channels: int, *, num_splits: int = 4) -> None:
        super().__init__()
        if num_splits % 2 or channels % num_splits:
            raise ValueError(f"num_splits ({num_splits}) must be even and divide the flow channels ({channels})")
        self.channels = channels
        self.num_splits = num_splits
        weight, _ = torch.linalg.qr(torch.randn(num_splits, num_splits))
        if torch.det(weight) < 0:
            weight[:, 0] = -weight[:, 0]
        self.weight = nn.Parameter(weight)
        self._inverse: Optional[torch.Tensor] = None  # cached by store_inverse (not part of the state dict)

    def store_inverse(self) -> None:
        """Cache the inverse matrix for inference (recomputed on every reverse pass otherwise)."""
        self._inverse = torch.inverse(self.weight.detach().float()).to(self.weight.dtype)

    def _group(self, x: torch.Tensor) -> torch.Tensor:
        b, c, t = x.shape
        x = x.view(b, 2, c // self.num_splits, self.num_splits // 2, t).transpose(2, 3)
        return x.reshape(b, self.num_splits, c // self.num_splits, t)

    def _ungroup(self, z: torch.Tensor) -> torch.Tensor:
        b, _, group, t = z.shape
        z = z.view(b, 2, self.num_splits // 2, group, t).transpose(2, 3)
        return z.reshape(b, self.channels, t)

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor, g=None, reverse: bool = False):  # noqa: ARG002
        if reverse:
            weight = self._inverse if self._inverse is not None else torch.inverse(self.weight.float()).to(x.dtype)
            logdet = None
        else:
            weight = self.weight
            logdet = torch.logdet(self.weight) * (self.channels / self.num_splits) * x_mask.sum(dim=(1, 2))
        z = F.conv2d(self._group(x), weight.view(self.num_splits, self.num_splits, 1, 1))
        return self._ungroup(z) * x_mask, logdet


class WN(nn.Module):
    """Non-causal WaveNet stack with weight-normalised convolutions and gated tanh-sigmoid units.

    Each layer: dilated conv -> dropout -> (+ speaker conditioning) -> tanh * sigmoid -> 1x1 conv split into a
    residual (all layers but the last) and a skip output; the skips are summed.

    Shapes
    ------
    x: (B, H, T); x_mask: (B, 1, T); g: (B, C_g, 1) or None -> (B, H, T)
    """

    def __init__(
        self,
        hidden_channels: int,
        *,
        kernel_size: int,
        dilation_rate: int,
        num_layers: int,
        c_in_channels: int = 0,
        dropout_p: float = 0.0,
    ) -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size_dec must be odd, got {kernel_size}")
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.dropout = nn.Dropout(dropout_p)
        if c_in_channels > 0:
            self.cond_layer = weight_norm(nn.Conv1d(c_in_channels, 2 * hidden_channels * num_layers, 1))
        self.in_layers = nn.ModuleList()
        self.res_skip_layers = nn.ModuleList()
        for index in range(num_layers):
            dilation = dilation_rate**index
            self.in_layers.append(
                weight_norm(
                    nn.Conv1d(
                        hidden_channels,
                        2 * hidden_channels,
                        kernel_size,
                        dilation=dilation,
                        padding=dilation * (kernel_size - 1) // 2,
                    )
                )
            )
            out = 2 * hidden_channels if index < num_layers - 1 else hidden_channels
            self.res_skip_layers.append(weight_norm(nn.Conv1d(hidden_channels, out, 1)))

    def remove_weight_norm(self) -> None:
        """Fold the weight normalisation into plain weights (inference: one tensor read per layer)."""
        layers = list(self.in_layers) + list(self.res_skip_layers)
        if hasattr(self, "cond_layer"):
            layers.append(self.cond_layer)
        for layer in layers:
            if parametrize.is_parametrized(layer, "weight"):
                parametrize.remove_parametrizations(layer, "weight")

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor, g: Optional[torch.Tensor] = None) -> torch.Tensor:
        h = self.hidden_channels
        output = torch.zeros_like(x)
        cond = self.cond_layer(g) if g is not None else None
        for index in range(self.num_layers):
            x_in = self.dropout(self.in_layers[index](x))
            if cond is not None:
                x_in = x_in + cond[:, index * 2 * h : (index + 1) * 2 * h, :]
            acts = torch.tanh(x_in[:, :h]) * torch.sigmoid(x_in[:, h:])
            res_skip = self.res_skip_layers[index](acts)
            if index < self.num_layers - 1:
                x = (x + res_skip[:, :h]) * x_mask
                output = output + res_skip[:, h:]
            else:
                output = output + res_skip
        return output * x_mask


class CouplingBlock(nn.Module):
    """Affine coupling: the first half of the channels, through ``start`` -> WN -> ``end``, gives the shift and
    log-scale of the second half. ``end`` starts at zero so that a new block is the identity.

    Shapes
    ------
    x: (B, C, T); x_mask: (B, 1, T); g: (B, C_g, 1) or None -> z: (B, C, T), logdet: (B,) (None in reverse)
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        *,
        kernel_size: int,
        dilation_rate: int,
        num_layers: int,
        c_in_channels: int = 0,
        dropout_p: float = 0.0,
        sigmoid_scale: bool = False,
    ) -> None:
        super().__init__()
        self.half = in_channels // 2
        self.sigmoid_scale = sigmoid_scale
        self.start = weight_norm(nn.Conv1d(in_channels // 2, hidden_channels, 1))
        self.end = nn.Conv1d(hidden_channels, in_channels, 1)
        nn.init.zeros_(self.end.weight)
        nn.init.zeros_(self.end.bias)
        self.wn = WN(
            hidden_channels,
            kernel_size=kernel_size,
            dilation_rate=dilation_rate,
            num_layers=num_layers,
            c_in_channels=c_in_channels,
            dropout_p=dropout_p,
        )

    def store_inverse(self) -> None:
        """Inference: drop the weight-norm reparametrisation of the WaveNet layers."""
        self.wn.remove_weight_norm()

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor, g: Optional[torch.Tensor] = None, reverse: bool = False):
        x_0, x_1 = x[:, : self.half], x[:, self.half :]
        out = self.end(self.wn(self.start(x_0) * x_mask, x_mask, g))
        shift, log_scale = out[:, : self.half], out[:, self.half :]
        if self.sigmoid_scale:
            log_scale = torch.log(1e-6 + torch.sigmoid(log_scale + 2))
        if reverse:
            z_1 = (x_1 - shift) * torch.exp(-log_scale) * x_mask
            logdet = None
        else:
            z_1 = (shift + torch.exp(log_scale) * x_1) * x_mask
            logdet = torch.sum(log_scale * x_mask, dim=(1, 2))
        return torch.cat([x_0, z_1], dim=1), logdet
