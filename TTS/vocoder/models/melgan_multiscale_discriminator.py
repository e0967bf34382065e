"""MelGAN's multi-scale discriminator: ``MelganDiscriminator`` on the waveform and on it average-pooled
once, twice, ... (Kumar et al., 2019). The discriminator of the MelGAN family (melgan, multiband_melgan,
fullband_melgan); module names are Coqui's (``discriminators.<i>.layers...``)."""

from typing import List, Sequence, Tuple

import torch
from torch import nn

from TTS.vocoder.models.melgan_discriminator import MelganDiscriminator


class MelganMultiscaleDiscriminator(nn.Module):
    """``num_scales`` MelGAN discriminators, each on the waveform pooled once more than the previous one.

    Parameters
    ----------
    num_scales:
        Number of discriminators.
    pooling_kernel_size, pooling_stride, pooling_padding:
        The average pooling between scales (padding not counted in the average).
    The other parameters are those of ``MelganDiscriminator``.

    Shapes
    ------
    x: (B, 1, T) -> scores: list of (B, 1, T_i), feats: list of per-layer feature lists
    """

    def __init__(
        self,
        *,
        in_channels: int = 1,
        out_channels: int = 1,
        num_scales: int = 3,
        kernel_sizes: Sequence[int] = (5, 3),
        base_channels: int = 16,
        max_channels: int = 1024,
        downsample_factors: Sequence[int] = (4, 4, 4),
        pooling_kernel_size: int = 4,
        pooling_stride: int = 2,
        pooling_padding: int = 2,
        groups_denominator: int = 4,
    ) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            MelganDiscriminator(
                in_channels=in_channels,
                out_channels=out_channels,
                kernel_sizes=kernel_sizes,
                base_channels=base_channels,
                max_channels=max_channels,
                downsample_factors=downsample_factors,
                groups_denominator=groups_denominator,
            )
            for _ in range(num_scales)
        )
        self.pooling = nn.AvgPool1d(
            pooling_kernel_size, stride=pooling_stride, padding=pooling_padding, count_include_pad=False
        )

    def forward(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], List[List[torch.Tensor]]]:
        scores, feats = [], []
        for discriminator in self.discriminators:
            score, feat = discriminator(x)
            scores.append(score)
            feats.append(feat)
            x = self.pooling(x)
        return scores, feats
