"""Duration predictor of Glow-TTS: log durations of the text tokens from the (detached) encoder outputs."""

import torch
from torch import nn

from TTS.tts.layers.glow_tts.normalization import ChannelLayerNorm


class DurationPredictor(nn.Module):
    """[conv -> ReLU -> layer norm -> dropout] x 2 -> 1x1 projection to one value per token.

    Shapes: x (B, C, T_text), x_mask (B, 1, T_text) -> (B, 1, T_text) log durations.
    """

    def __init__(self, in_channels: int, hidden_channels: int, *, kernel_size: int = 3, dropout_p: float = 0.1) -> None:
        super().__init__()
        self.drop = nn.Dropout(dropout_p)
        self.conv_1 = nn.Conv1d(in_channels, hidden_channels, kernel_size, padding=kernel_size // 2)
        self.norm_1 = ChannelLayerNorm(hidden_channels)
        self.conv_2 = nn.Conv1d(hidden_channels, hidden_channels, kernel_size, padding=kernel_size // 2)
        self.norm_2 = ChannelLayerNorm(hidden_channels)
        self.proj = nn.Conv1d(hidden_channels, 1, 1)

    def forward(self, x: torch.Tensor, x_mask: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.norm_1(torch.relu(self.conv_1(x * x_mask))))
        x = self.drop(self.norm_2(torch.relu(self.conv_2(x * x_mask))))
        return self.proj(x * x_mask) * x_mask
