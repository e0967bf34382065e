"""Glow-TTS loss: negative log-likelihood of the mel frames under the flow, plus the duration MSE."""

import math
from typing import Dict

import torch
from torch import nn


class GlowTTSLoss(nn.Module):
    """``loss = log_mle + loss_dur``.

    ``log_mle`` is the per-element negative log-likelihood of the latents ``z`` under the aligned token
    Gaussians, minus the flow's log-determinant; ``loss_dur`` the squared error of the predicted log durations
    against ``log(1 + frames per token)`` of the alignment, per token.

    Shapes
    ------
    z, means, scales: (B, T_mel, C_mel) (``scales`` are log standard deviations); log_det: (B,); y_lengths: (B,);
    o_dur_log, o_attn_dur: (B, T_text, 1); x_lengths: (B,) -> dict of scalars ``loss``, ``log_mle``, ``loss_dur``.
    A NaN term is a RuntimeError naming it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.constant_factor = 0.5 * math.log(2 * math.pi)

    def forward(self, z, means, scales, log_det, y_lengths, o_dur_log, o_attn_dur, x_lengths) -> Dict[str, torch.Tensor]:
        nll = torch.sum(scales) + 0.5 * torch.sum(torch.exp(-2 * scales) * (z - means) ** 2)
        log_mle = self.constant_factor + (nll - torch.sum(log_det)) / (torch.sum(y_lengths) * z.shape[2])
        loss_dur = torch.sum((o_dur_log - o_attn_dur) ** 2) / torch.sum(x_lengths)
        losses = {"loss": log_mle + loss_dur, "log_mle": log_mle, "loss_dur": loss_dur}
        for name, value in losses.items():
            if torch.isnan(value):
                raise RuntimeError(f"Glow-TTS loss: {name} is NaN")
        return losses
