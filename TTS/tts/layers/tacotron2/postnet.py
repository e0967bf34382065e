"""Postnet: five convolutions predicting a residual that sharpens the decoder's mel spectrogram."""

import torch
from torch import nn

from TTS.tts.layers.tacotron2.blocks import ConvBNBlock


class Postnet(nn.Module):
    """Conv stack (tanh on all but the last layer). Its output is added to its input by the model.

    Parameters
    ----------
    in_out_channels:
        Mel channels.
    channels, num_convs, kernel_size:
        Hidden width (512), depth (5) and kernel width (5) of the paper.
    dropout:
        Dropout after every layer.
    """

    def __init__(
        self, in_out_channels: int = 80, *, channels: int = 512, num_convs: int = 5, kernel_size: int = 5, dropout: float = 0.5
    ) -> None:
        super().__init__()
        sizes = [in_out_channels] + [channels] * (num_convs - 1) + [in_out_channels]
        self.convolutions = nn.ModuleList(
            [
                ConvBNBlock(
                    n_in, n_out, kernel_size=kernel_size, activation="tanh" if i < num_convs - 1 else None, dropout=dropout
                )
                for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))
            ]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes: x (B, C_mel, T_mel) -> (B, C_mel, T_mel)."""
        for conv in self.convolutions:
            x = conv(x)
        return x
