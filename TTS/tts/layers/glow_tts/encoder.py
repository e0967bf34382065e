"""Glow-TTS text encoder: embedding -> prenet -> transformer -> mean (and log-scale) projection, and the
duration predictor on the detached encoder outputs (with the speaker vector appended)."""

import math
from typing import Any, Dict, Optional, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.layers.glow_tts.duration_predictor import DurationPredictor
from TTS.tts.layers.glow_tts.normalization import ChannelLayerNorm
from TTS.tts.layers.glow_tts.transformer import RelativePositionTransformer
from TTS.tts.utils.masks import sequence_mask

#: prenet sizes and duration-predictor kernel, fixed in Glow-TTS (checkpoint shapes depend on them)
PRENET_KERNEL_SIZE = 5
PRENET_NUM_LAYERS = 3
PRENET_DROPOUT = 0.5
DURATION_KERNEL_SIZE = 3
#: encoder_params keys the transformer understands
ENCODER_PARAM_KEYS = ("kernel_size", "dropout_p", "num_layers", "num_heads", "hidden_channels_ffn", "input_length", "rel_attn_window_size")


class ResidualConv1dLayerNormBlock(nn.Module):
    """Prenet: [conv -> layer norm -> ReLU -> dropout] x N, a zero-initialised 1x1 projection, plus the input.

    Shapes: x (B, C, T), x_mask (B, 1, T) -> (B, C, T).
    """

    def __init__(self, channels: int, *, kernel_size: int, num_layers: int, dropout_p: float) -> None:
        super().__init__()
        self.dropout_p = dropout_p
        self.conv_layers = nn.ModuleList(
            nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2) for _ in range(num_layers)
        )
        self.norm_layers = nn.ModuleList(ChannelLayerNorm(channels) for _ in range(num_layers))
        self.proj = nn.Conv1d(channels, channels, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor) -> torch.Tensor:
        residual = x
        for conv, norm in zip(self.conv_layers, self.norm_layers):
            x = norm(conv(x * x_mask) * x_mask)
            x = F.dropout(F.relu(x), self.dropout_p, training=self.training)
        return (residual + self.proj(x)) * x_mask


class Encoder(nn.Module):
    """Text encoder of Glow-TTS (``encoder_type`` 'rel_pos_transformer').

    Shapes
    ------
    x: (B, T_text) token ids; x_lengths: (B,); g: (B, C_g, 1) or None ->
    x_m, x_logs: (B, C_mel, T_text) means and log-scales of the token priors (log-scales 0 with ``mean_only``),
    logw: (B, 1, T_text) log durations, x_mask: (B, 1, T_text)
    """

    def __init__(
        self,
        num_chars: int,
        *,
        out_channels: int,
        hidden_channels: int,
        hidden_channels_dp: int,
        encoder_params: Dict[str, Any],
        dropout_p_dp: float = 0.1,
        mean_only: bool = False,
        use_prenet: bool = True,
        c_in_channels: int = 0,
    ) -> None:
        super().__init__()
        unknown = sorted(set(encoder_params) - set(ENCODER_PARAM_KEYS))
        if unknown:
            raise ValueError(f"config field 'encoder_params': unknown keys {unknown}; known: {list(ENCODER_PARAM_KEYS)}")
        self.hidden_channels = hidden_channels
        self.mean_only = mean_only
        self.emb = nn.Embedding(num_chars, hidden_channels)
        nn.init.normal_(self.emb.weight, 0.0, hidden_channels**-0.5)
        if use_prenet:
            self.prenet = ResidualConv1dLayerNormBlock(
                hidden_channels, kernel_size=PRENET_KERNEL_SIZE, num_layers=PRENET_NUM_LAYERS, dropout_p=PRENET_DROPOUT
            )
        self.encoder = RelativePositionTransformer(
            hidden_channels,
            hidden_channels_ffn=encoder_params.get("hidden_channels_ffn", 4 * hidden_channels),
            num_heads=encoder_params.get("num_heads", 2),
            num_layers=encoder_params.get("num_layers", 6),
            kernel_size=encoder_params.get("kernel_size", 1),
            dropout_p=encoder_params.get("dropout_p", 0.0),
            rel_attn_window_size=encoder_params.get("rel_attn_window_size"),
            input_length=encoder_params.get("input_length"),
        )
        self.proj_m = nn.Conv1d(hidden_channels, out_channels, 1)
        if not mean_only:
            self.proj_s = nn.Conv1d(hidden_channels, out_channels, 1)
        self.duration_predictor = DurationPredictor(
            hidden_channels + c_in_channels, hidden_channels_dp, kernel_size=DURATION_KERNEL_SIZE, dropout_p=dropout_p_dp
        )

    def forward(
        self, x: torch.Tensor, x_lengths: torch.Tensor, g: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        x = (self.emb(x) * math.sqrt(self.hidden_channels)).transpose(1, 2)
        x_mask = sequence_mask(x_lengths, x.shape[2]).unsqueeze(1).to(x.dtype)
        if hasattr(self, "prenet"):
            x = self.prenet(x, x_mask)
        x = self.encoder(x, x_mask)
        x_dp = x.detach()
        if g is not None:
            x_dp = torch.cat([x_dp, g.expand(-1, -1, x.shape[-1])], dim=1)
        x_m = self.proj_m(x) * x_mask
        x_logs = self.proj_s(x) * x_mask if not self.mean_only else torch.zeros_like(x_m)
        logw = self.duration_predictor(x_dp, x_mask)
        return x_m, x_logs, logw, x_mask
