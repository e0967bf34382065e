"""HiFi-GAN discriminators (Kong et al., 2020): multi-period (MPD) and multi-scale (MSD), judged together.

    wav (B, 1, T)
      -> MPD: for each period p in (2, 3, 5, 7, 11):
              fold to (B, 1, T/p, p) -> 4 strided (k x 1) convolutions -> 1 plain one -> conv_post
      -> MSD: for the waveform, and it average-pooled once and twice:
              7 grouped, strided 1-d convolutions -> conv_post  (the first scale spectrally normalised)
    -> scores: one (B, N_i) tensor per sub-discriminator (5 + 3)
       feats:  per sub-discriminator, the output of every layer (for the feature-matching loss)

Module names (``mpd.discriminators.<i>.convs.<j>``, ``msd.discriminators.<i>.conv_post``, ``msd.meanpools``)
and the weight-norm / spectral-norm parametrisations are Coqui's, so the ``model_d.`` tensors of a
Coqui HiFi-GAN checkpoint load unchanged.
"""

from typing import List, Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import spectral_norm
from torch.nn.utils.parametrizations import weight_norm

from TTS.vocoder.layers.hifigan import LRELU_SLOPE, same_padding

# the periods of the paper's MPD: primes, so that the sub-discriminators look at different samples
PERIODS = (2, 3, 5, 7, 11)
# channels of the strided convolutions of a period discriminator (a last plain one keeps the width)
PERIOD_CHANNELS = (32, 128, 512, 1024)
PERIOD_KERNEL_SIZE = 5
PERIOD_STRIDE = 3
POST_KERNEL_SIZE = 3
# the scale discriminator's layers: (out channels, kernel size, stride, groups); input 1 channel
SCALE_LAYERS = (
    (128, 15, 1, 1),
    (128, 41, 2, 4),
    (256, 41, 2, 16),
    (512, 41, 4, 16),
    (1024, 41, 4, 16),
    (1024, 41, 1, 16),
    (1024, 5, 1, 1),
)
NUM_SCALES = 3
# average pooling between scales: halves the sample rate
POOL_KERNEL_SIZE, POOL_STRIDE, POOL_PADDING = 4, 2, 2

Features = List[torch.Tensor]


def _norm(module: nn.Module, use_spectral_norm: bool) -> nn.Module:
    """Spectral norm (torch's original ``weight_orig``/``weight_u``/``weight_v`` form, as Coqui stores it)
    or weight norm."""
    return spectral_norm(module) if use_spectral_norm else weight_norm(module)


class DiscriminatorP(nn.Module):
    """One period discriminator: the waveform folded into ``period`` columns, judged by 2-d convolutions
    that mix samples ``period`` apart only.

    Parameters
    ----------
    period:
        Distance between the samples a column holds.
    kernel_size, stride:
        Of the strided convolutions along time.
    channels:
        Output channels of the strided convolutions; a last unstrided convolution keeps the last width.
    use_spectral_norm:
        Spectral instead of weight normalisation.

    Shapes
    ------
    x: (B, 1, T) -> score (B, N), feats: one (B, C_j, T_j, period) tensor per layer
    """

    def __init__(
        self,
        period: int,
        *,
        kernel_size: int = PERIOD_KERNEL_SIZE,
        stride: int = PERIOD_STRIDE,
        channels: Sequence[int] = PERIOD_CHANNELS,
        use_spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        self.period = period
        padding = (same_padding(kernel_size), 0)
        self.convs = nn.ModuleList()
        in_channels = 1
        for out_channels in channels:
            conv = nn.Conv2d(in_channels, out_channels, (kernel_size, 1), (stride, 1), padding=padding)
            self.convs.append(_norm(conv, use_spectral_norm))
            in_channels = out_channels
        self.convs.append(
            _norm(nn.Conv2d(in_channels, in_channels, (kernel_size, 1), 1, padding=padding), use_spectral_norm)
        )
        post = nn.Conv2d(in_channels, 1, (POST_KERNEL_SIZE, 1), 1, padding=(same_padding(POST_KERNEL_SIZE), 0))
        self.conv_post = _norm(post, use_spectral_norm)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Features]:
        batch, channels, length = x.shape
        remainder = length % self.period
        if remainder:  # reflect-pad to a whole number of periods
            x = F.pad(x, (0, self.period - remainder), mode="reflect")
            length = x.shape[-1]
        x = x.view(batch, channels, length // self.period, self.period)
        feats = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            feats.append(x)
        x = self.conv_post(x)
        feats.append(x)
        return torch.flatten(x, 1, -1), feats


class MultiPeriodDiscriminator(nn.Module):
    """The MPD: one ``DiscriminatorP`` per period.

    Shapes
    ------
    x: (B, 1, T) -> scores: list of (B, N_p), feats: list of per-layer feature lists
    """

    def __init__(
        self,
        *,
        periods: Sequence[int] = PERIODS,
        channels: Sequence[int] = PERIOD_CHANNELS,
        use_spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            DiscriminatorP(period, channels=channels, use_spectral_norm=use_spectral_norm) for period in periods
        )

    def forward(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], List[Features]]:
        scores, feats = [], []
        for discriminator in self.discriminators:
            score, feat = discriminator(x)
            scores.append(score)
            feats.append(feat)
        return scores, feats


class DiscriminatorS(nn.Module):
    """One scale discriminator: grouped, strided 1-d convolutions over the (pooled) waveform.

    Parameters
    ----------
    layers:
        ``(out channels, kernel size, stride, groups)`` of each convolution, input first.
    use_spectral_norm:
        Spectral instead of weight normalisation (the paper's first scale).

    Shapes
    ------
    x: (B, 1, T) -> score (B, N), feats: one (B, C_j, T_j) tensor per layer
    """

    def __init__(self, *, layers: Sequence[Sequence[int]] = SCALE_LAYERS, use_spectral_norm: bool = False) -> None:
        super().__init__()
        self.convs = nn.ModuleList()
        in_channels = 1
        for out_channels, kernel_size, stride, groups in layers:
            conv = nn.Conv1d(
                in_channels, out_channels, kernel_size, stride, groups=groups, padding=same_padding(kernel_size)
            )
            self.convs.append(_norm(conv, use_spectral_norm))
            in_channels = out_channels
        post = nn.Conv1d(in_channels, 1, POST_KERNEL_SIZE, 1, padding=same_padding(POST_KERNEL_SIZE))
        self.conv_post = _norm(post, use_spectral_norm)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Features]:
        feats = []
        for conv in self.convs:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
            feats.append(x)
        x = self.conv_post(x)
        feats.append(x)
        return torch.flatten(x, 1, -1), feats


class MultiScaleDiscriminator(nn.Module):
    """The MSD: ``DiscriminatorS`` on the waveform, then on it average-pooled once, twice, ...

    Shapes
    ------
    x: (B, 1, T) -> scores: list of (B, N_s), feats: list of per-layer feature lists
    """

    def __init__(self, *, num_scales: int = NUM_SCALES, layers: Sequence[Sequence[int]] = SCALE_LAYERS) -> None:
        super().__init__()
        self.discriminators = nn.ModuleList(
            DiscriminatorS(layers=layers, use_spectral_norm=(scale == 0)) for scale in range(num_scales)
        )
        self.meanpools = nn.ModuleList(
            nn.AvgPool1d(POOL_KERNEL_SIZE, POOL_STRIDE, padding=POOL_PADDING) for _ in range(num_scales - 1)
        )

    def forward(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], List[Features]]:
        scores, feats = [], []
        for scale, discriminator in enumerate(self.discriminators):
            if scale > 0:
                x = self.meanpools[scale - 1](x)
            score, feat = discriminator(x)
            scores.append(score)
            feats.append(feat)
        return scores, feats


class HifiganDiscriminator(nn.Module):
    """MPD and MSD together: the scores and features of the period discriminators, then of the scale ones.

    The defaults are the paper's (and Coqui's, whose ``hifigan_discriminator`` takes no parameters);
    smaller ``period_channels`` / ``scale_layers`` are for tests and experiments.

    Shapes
    ------
    x: (B, 1, T) -> scores: list of len(periods) + num_scales tensors (B, N_i), feats: as many feature lists
    """

    def __init__(
        self,
        *,
        periods: Sequence[int] = PERIODS,
        period_channels: Sequence[int] = PERIOD_CHANNELS,
        num_scales: int = NUM_SCALES,
        scale_layers: Sequence[Sequence[int]] = SCALE_LAYERS,
    ) -> None:
        super().__init__()
        self.mpd = MultiPeriodDiscriminator(periods=periods, channels=period_channels)
        self.msd = MultiScaleDiscriminator(num_scales=num_scales, layers=scale_layers)

    def forward(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], List[Features]]:
        scores, feats = self.mpd(x)
        scale_scores, scale_feats = self.msd(x)
        return scores + scale_scores, feats + scale_feats
