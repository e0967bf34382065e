"""Normalisation over the channel axis of channels-first tensors, and Glow's activation normalisation."""

import torch
from torch import nn

#: variance floor of the channel layer norm (Coqui's value; part of the numerics checkpoints were trained with)
LAYER_NORM_EPS = 1e-4
#: variance floor of the data-dependent ActNorm initialisation
ACT_NORM_MIN_VARIANCE = 1e-6


class ChannelLayerNorm(nn.Module):
    """Layer norm over the channels of a (B, C, T) tensor, with ``gamma`` / ``beta`` of shape (1, C, 1).

    Shapes
    ------
    x: (B, C, T) -> (B, C, T)
    """

    def __init__(self, channels: int, *, eps: float = LAYER_NORM_EPS) -> None:
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.full((1, channels, 1), 0.1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - x.mean(dim=1, keepdim=True)
        scale = torch.rsqrt(centred.pow(2).mean(dim=1, keepdim=True) + self.eps)
        return centred * scale * self.gamma + self.beta


class ActNorm(nn.Module):
    """Per-channel affine flow ``z = bias + exp(logs) * x`` (Kingma & Dhariwal, 2018).

    ``initialized`` False (``set_ddi(True)``) makes the next forward pass set ``logs`` and ``bias`` from the
    batch so that its output has zero mean and unit variance per channel (data-dependent initialisation).

    Shapes
    ------
    x: (B, C, T); x_mask: (B, 1, T) -> z: (B, C, T), logdet: (B,) (None in reverse)
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.initialized = True
        self.logs = nn.Parameter(torch.zeros(1, channels, 1))
        self.bias = nn.Parameter(torch.zeros(1, channels, 1))

    def set_ddi(self, ddi: bool) -> None:
        """Arm (True) or disarm (False) the data-dependent initialisation of the next forward pass."""
        self.initialized = not ddi

    def store_inverse(self) -> None:
        """Nothing to precompute (kept so every flow answers the same calls)."""

    @torch.no_grad()
    def _initialize(self, x: torch.Tensor, x_mask: torch.Tensor) -> None:
        count = x_mask.sum(dim=(0, 2))
        mean = (x * x_mask).sum(dim=(0, 2)) / count
        variance = (x * x * x_mask).sum(dim=(0, 2)) / count - mean**2
        log_std = 0.5 * torch.log(variance.clamp_min(ACT_NORM_MIN_VARIANCE))
        self.logs.data.copy_((-log_std).view_as(self.logs))
        self.bias.data.copy_((-mean * torch.exp(-log_std)).view_as(self.bias))

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor, g=None, reverse: bool = False):  # noqa: ARG002 - g: flows share one call
        if not self.initialized:
            self._initialize(x, x_mask)
            self.initialized = True
        if reverse:
            return (x - self.bias) * torch.exp(-self.logs) * x_mask, None
        logdet = self.logs.sum() * x_mask.sum(dim=(1, 2))
        return (self.bias + torch.exp(self.logs) * x) * x_mask, logdet
