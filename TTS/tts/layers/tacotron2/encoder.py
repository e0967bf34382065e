"""Encoder: character embeddings -> 3 convolutions -> bidirectional LSTM."""

from typing import Optional

import torch
from torch import nn

from TTS.tts.layers.tacotron2.blocks import ConvBNBlock
from TTS.tts.utils.masks import sequence_mask


class Encoder(nn.Module):
    """Tacotron2 encoder.

    Parameters
    ----------
    in_out_channels:
        Embedding width in and encoder output width out (the BiLSTM has half per direction).
    num_convs, kernel_size:
        Convolution stack (3 layers of width 5 in the paper).
    dropout:
        Dropout after each convolution.
    """

    def __init__(self, in_out_channels: int = 512, *, num_convs: int = 3, kernel_size: int = 5, dropout: float = 0.5) -> None:
        super().__init__()
        self.convolutions = nn.ModuleList(
            [
                ConvBNBlock(in_out_channels, in_out_channels, kernel_size=kernel_size, activation="relu", dropout=dropout)
                for _ in range(num_convs)
            ]
        )
        self.lstm = nn.LSTM(in_out_channels, in_out_channels // 2, num_layers=1, batch_first=True, bidirectional=True)

    def _convolve(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.convolutions:
            x = conv(x)
        return x.transpose(1, 2)

    def forward(self, x: torch.Tensor, input_lengths: torch.Tensor) -> torch.Tensor:
        """Encode a padded batch.

        Shapes
        ------
        x: (B, C, T_text); input_lengths: (B,) -> (B, T_text, C), zero past each length.
        """
        x = self._convolve(x)
        packed = nn.utils.rnn.pack_padded_sequence(x, input_lengths.cpu(), batch_first=True, enforce_sorted=False)
        self.lstm.flatten_parameters()
        outputs, _ = self.lstm(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=x.shape[1])
        return outputs

    def inference(self, x: torch.Tensor, input_lengths: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Encode for synthesis: unpadded inputs, or a padded batch whose padding must not leak into real positions.

        With ``input_lengths``, every convolution block's output is zeroed past each length (so a
        real position near the end sees zeros there, as it does unpadded) and the BiLSTM runs
        packed (its backward direction starts at each item's last real position). The result
        equals encoding every item on its own, up to float rounding.

        Shapes
        ------
        x: (B, C, T_text); input_lengths: (B,) or None -> (B, T_text, C), zero past each length.
        """
        self.lstm.flatten_parameters()
        if input_lengths is None:
            outputs, _ = self.lstm(self._convolve(x))
            return outputs
        mask = sequence_mask(input_lengths, max_len=x.shape[2]).unsqueeze(1).to(x.dtype)
        x = x * mask
        for conv in self.convolutions:
            x = conv(x) * mask
        packed = nn.utils.rnn.pack_padded_sequence(
            x.transpose(1, 2), input_lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        outputs, _ = self.lstm(packed)
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=x.shape[2])
        return outputs
