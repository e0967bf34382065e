"""Glow-TTS flow decoder: squeeze -> [ActNorm -> invertible 1x1 conv -> affine coupling] x N -> unsqueeze."""

from typing import Optional, Tuple

import torch
from torch import nn

from TTS.tts.layers.glow_tts.glow import CouplingBlock, InvConvNear
from TTS.tts.layers.glow_tts.normalization import ActNorm


def squeeze(x: torch.Tensor, x_mask: torch.Tensor, num_squeeze: int = 2) -> Tuple[torch.Tensor, torch.Tensor]:
    """Fold ``num_squeeze`` consecutive frames into the channels (a trailing partial group is dropped).

    Shapes: x (B, C, T), x_mask (B, 1, T) -> (B, C * s, T // s), (B, 1, T // s); frame ``s * k + j`` of channel
    ``c`` goes to channel ``j * C + c`` of frame ``k``.
    """
    b, c, t = x.shape
    t = (t // num_squeeze) * num_squeeze
    folded = x[:, :, :t].reshape(b, c, t // num_squeeze, num_squeeze).permute(0, 3, 1, 2)
    mask = x_mask[:, :, num_squeeze - 1 : t : num_squeeze]
    return folded.reshape(b, c * num_squeeze, t // num_squeeze) * mask, mask


def unsqueeze(x: torch.Tensor, x_mask: torch.Tensor, num_squeeze: int = 2) -> Tuple[torch.Tensor, torch.Tensor]:
    """Inverse of ``squeeze``. Shapes: (B, C * s, T), (B, 1, T) -> (B, C, T * s), (B, 1, T * s)."""
    b, c, t = x.shape
    unfolded = x.reshape(b, num_squeeze, c // num_squeeze, t).permute(0, 2, 3, 1).reshape(b, c // num_squeeze, t * num_squeeze)
    mask = x_mask.repeat_interleave(num_squeeze, dim=2)
    return unfolded * mask, mask


class Decoder(nn.Module):
    """The invertible mel <-> latent map of Glow-TTS.

    ``forward(y, mask)`` maps mel frames to latents ``z`` with the log-determinant of the Jacobian;
    ``forward(z, mask, reverse=True)`` maps latents back to mel frames.

    Shapes
    ------
    x: (B, C_mel, T); x_mask: (B, 1, T); g: (B, C_g, 1) or None ->
    (B, C_mel, T // s * s), logdet: (B,) (None in reverse)
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        *,
        kernel_size: int,
        dilation_rate: int,
        num_flow_blocks: int,
        num_coupling_layers: int,
        dropout_p: float = 0.0,
        num_splits: int = 4,
        num_squeeze: int = 2,
        sigmoid_scale: bool = False,
        c_in_channels: int = 0,
    ) -> None:
        super().__init__()
        self.num_squeeze = num_squeeze
        channels = in_channels * num_squeeze
        self.flows = nn.ModuleList()
        for _ in range(num_flow_blocks):
            self.flows.append(ActNorm(channels))
            self.flows.append(InvConvNear(channels, num_splits=num_splits))
            self.flows.append(
                CouplingBlock(
                    channels,
                    hidden_channels,
                    kernel_size=kernel_size,
                    dilation_rate=dilation_rate,
                    num_layers=num_coupling_layers,
                    c_in_channels=c_in_channels,
                    dropout_p=dropout_p,
                    sigmoid_scale=sigmoid_scale,
                )
            )

    def store_inverse(self) -> None:
        """Prepare every flow for fast inference (cached inverse matrices, weight norm folded)."""
        for flow in self.flows:
            flow.store_inverse()

    def forward(
        self, x: torch.Tensor, x_mask: torch.Tensor, g: Optional[torch.Tensor] = None, reverse: bool = False
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        if self.num_squeeze > 1:
            x, x_mask = squeeze(x, x_mask, self.num_squeeze)
        logdet_total = None
        for flow in reversed(self.flows) if reverse else self.flows:
            x, logdet = flow(x, x_mask, g=g, reverse=reverse)
            if not reverse:
                logdet_total = logdet if logdet_total is None else logdet_total + logdet
        if self.num_squeeze > 1:
            x, x_mask = unsqueeze(x, x_mask, self.num_squeeze)
        return x, logdet_total
