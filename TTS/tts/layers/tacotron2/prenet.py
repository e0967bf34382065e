"""Prenet: the information bottleneck the previous mel frame passes through before the attention RNN."""

from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.layers.tacotron2.blocks import Linear, LinearBN


class Prenet(nn.Module):
    """Stack of bias-free linear layers with ReLU and always-on dropout 0.5 ('original') or batch norm ('bn').

    Parameters
    ----------
    in_features:
        Mel channels of one frame.
    prenet_type:
        'original' (dropout) or 'bn' (batch normalisation).
    prenet_dropout:
        Apply dropout 0.5 after every layer while training.
    dropout_at_inference:
        Keep the dropout on in eval mode too (some models need it to stay varied).
    out_features:
        Sizes of the layers.
    """

    DROPOUT = 0.5

    def __init__(
        self,
        in_features: int,
        *,
        prenet_type: str = "original",
        prenet_dropout: bool = True,
        dropout_at_inference: bool = False,
        out_features: Sequence[int] = (256, 256),
    ) -> None:
        super().__init__()
        if prenet_type not in ("original", "bn"):
            raise ValueError(f"prenet_type must be 'original' or 'bn', got {prenet_type!r}")
        self.prenet_dropout = prenet_dropout
        self.dropout_at_inference = dropout_at_inference
        sizes = [in_features, *out_features]
        layer = Linear if prenet_type == "original" else LinearBN
        self.linear_layers = nn.ModuleList(
            [layer(n_in, n_out, bias=False, init_gain="relu") for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Shapes: x (..., C_mel) -> (..., out_features[-1])."""
        for layer in self.linear_layers:
            x = F.relu(layer(x))
            if self.prenet_dropout:
                x = F.dropout(x, p=self.DROPOUT, training=self.training or self.dropout_at_inference)
        return x
