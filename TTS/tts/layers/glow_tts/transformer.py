"""Transformer encoder of Glow-TTS: multi-head self-attention (with optional relative-position embeddings,
Shaw et al., 2018) and convolutional feed-forward layers, post-norm, on channels-first tensors."""

import math
from typing import Optional

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.layers.glow_tts.normalization import ChannelLayerNorm

#: score given to masked key positions before the softmax
MASKED_SCORE = -1e4


class RelativePositionMultiHeadAttention(nn.Module):
    """Multi-head self-attention with 1x1-conv projections.

    With ``rel_attn_window_size`` W, key and value embeddings for the relative offsets -W..W are learnt
    (``emb_rel_k``, ``emb_rel_v``, shared by all heads) and added to the scores and to the outputs; offsets
    beyond W get none. ``input_length`` L limits attention to keys within L positions.

    Shapes
    ------
    x: (B, C, T); attn_mask: (B, 1, T, T) -> (B, C_out, T)
    """

    def __init__(
        self,
        channels: int,
        out_channels: int,
        *,
        num_heads: int,
        rel_attn_window_size: Optional[int] = None,
        dropout_p: float = 0.0,
        input_length: Optional[int] = None,
    ) -> None:
        super().__init__()
        if channels % num_heads:
            raise ValueError(f"encoder_params.num_heads ({num_heads}) must divide hidden_channels_enc ({channels})")
        self.num_heads = num_heads
        self.k_channels = channels // num_heads
        self.window = rel_attn_window_size
        self.input_length = input_length
        self.conv_q = nn.Conv1d(channels, channels, 1)
        self.conv_k = nn.Conv1d(channels, channels, 1)
        self.conv_v = nn.Conv1d(channels, channels, 1)
        self.conv_o = nn.Conv1d(channels, out_channels, 1)
        self.dropout = nn.Dropout(dropout_p)
        for conv in (self.conv_q, self.conv_k, self.conv_v):
            nn.init.xavier_uniform_(conv.weight)
        if rel_attn_window_size is not None:
            std = self.k_channels**-0.5
            self.emb_rel_k = nn.Parameter(torch.randn(1, 2 * rel_attn_window_size + 1, self.k_channels) * std)
            self.emb_rel_v = nn.Parameter(torch.randn(1, 2 * rel_attn_window_size + 1, self.k_channels) * std)

    def _relative_index(self, length: int, device) -> tuple:
        """Index into the 2W+1 embeddings of each (query, key) pair, and the mask of pairs within the window."""
        offsets = torch.arange(length, device=device)[None, :] - torch.arange(length, device=device)[:, None]
        inside = offsets.abs() <= self.window
        return (offsets.clamp(-self.window, self.window) + self.window), inside

    def forward(self, x: torch.Tensor, attn_mask: torch.Tensor) -> torch.Tensor:
        b, c, t = x.shape
        heads, d = self.num_heads, self.k_channels
        query = self.conv_q(x).view(b, heads, d, t).transpose(2, 3)  # (B, H, T, d)
        key = self.conv_k(x).view(b, heads, d, t).transpose(2, 3)
        value = self.conv_v(x).view(b, heads, d, t).transpose(2, 3)
        scores = torch.matmul(query, key.transpose(2, 3)) / math.sqrt(d)
        if self.window is not None:
            index, inside = self._relative_index(t, x.device)
            rel_k = self.emb_rel_k[0][index] * inside[..., None]  # (T, T, d)
            scores = scores + torch.einsum("bhqd,qkd->bhqk", query, rel_k) / math.sqrt(d)
        scores = scores.masked_fill(attn_mask == 0, MASKED_SCORE)
        if self.input_length is not None:
            band = torch.ones_like(scores).triu(-self.input_length).tril(self.input_length)
            scores = scores * band + MASKED_SCORE * (1 - band)
        weights = self.dropout(F.softmax(scores, dim=-1))
        output = torch.matmul(weights, value)
        if self.window is not None:
            rel_v = self.emb_rel_v[0][index] * inside[..., None]
            output = output + torch.einsum("bhqk,qkd->bhqd", weights, rel_v)
        return self.conv_o(output.transpose(2, 3).reshape(b, c, t))


class FeedForwardNetwork(nn.Module):
    """Two same-padded convolutions with a ReLU between them.

    Shapes: x (B, C, T), x_mask (B, 1, T) -> (B, C_out, T).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden_channels: int, *, kernel_size: int, dropout_p: float = 0.0) -> None:
        super().__init__()
        self.padding = ((kernel_size - 1) // 2, kernel_size // 2)
        self.conv_1 = nn.Conv1d(in_channels, hidden_channels, kernel_size)
        self.conv_2 = nn.Conv1d(hidden_channels, out_channels, kernel_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.conv_1(F.pad(x * x_mask, self.padding)))
        x = self.conv_2(F.pad(self.dropout(x) * x_mask, self.padding))
        return x * x_mask


class RelativePositionTransformer(nn.Module):
    """``num_layers`` x [self-attention -> dropout -> add & norm -> feed-forward -> dropout -> add & norm].

    Shapes: x (B, C, T), x_mask (B, 1, T) -> (B, C, T).
    """

    def __init__(
        self,
        hidden_channels: int,
        *,
        hidden_channels_ffn: int,
        num_heads: int,
        num_layers: int,
        kernel_size: int = 1,
        dropout_p: float = 0.0,
        rel_attn_window_size: Optional[int] = None,
        input_length: Optional[int] = None,
    ) -> None:
        super().__init__()
        self.num_layers = num_layers
        self.dropout = nn.Dropout(dropout_p)
        self.attn_layers = nn.ModuleList()
        self.norm_layers_1 = nn.ModuleList()
        self.ffn_layers = nn.ModuleList()
        self.norm_layers_2 = nn.ModuleList()
        for _ in range(num_layers):
            self.attn_layers.append(
                RelativePositionMultiHeadAttention(
                    hidden_channels,
                    hidden_channels,
                    num_heads=num_heads,
                    rel_attn_window_size=rel_attn_window_size,
                    dropout_p=dropout_p,
                    input_length=input_length,
                )
            )
            self.norm_layers_1.append(ChannelLayerNorm(hidden_channels))
            self.ffn_layers.append(
                FeedForwardNetwork(
                    hidden_channels, hidden_channels, hidden_channels_ffn, kernel_size=kernel_size, dropout_p=dropout_p
                )
            )
            self.norm_layers_2.append(ChannelLayerNorm(hidden_channels))

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor) -> torch.Tensor:
        attn_mask = x_mask.unsqueeze(2) * x_mask.unsqueeze(-1)
        for index in range(self.num_layers):
            x = x * x_mask
            x = self.norm_layers_1[index](x + self.dropout(self.attn_layers[index](x, attn_mask)))
            x = self.norm_layers_2[index](x + self.dropout(self.ffn_layers[index](x, x_mask)))
        return x * x_mask
