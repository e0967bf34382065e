"""Pseudo-quadrature mirror filter bank (PQMF): splits a waveform into N sub-bands and joins them back.

Multi-band MelGAN predicts N sub-band signals at 1/N of the sample rate; ``synthesis`` turns them into
the full-band waveform. The filters are cosine-modulated copies of one Kaiser-window low-pass prototype
(Nguyen, 1994), as in Coqui and kan-bayashi's ParallelWaveGAN; buffer names (``H``, ``G``,
``updown_filter``) are those of Coqui's checkpoints.
"""

import numpy as np
import torch
from scipy import signal
from torch import nn
from torch.nn import functional as F


def pqmf_filters(*, bands: int, taps: int, cutoff: float, beta: float):
    """Analysis and synthesis filters of the bank, each (bands, taps + 1).

    The prototype is a Kaiser-window low-pass of ``taps + 1`` coefficients and normalised ``cutoff``;
    band ``k`` is it modulated by ``cos((2k+1) pi / (2N) (n - (taps - 1) / 2) +- (-1)^k pi / 4)``.
    """
    prototype = signal.firwin(taps + 1, cutoff, window=("kaiser", beta))
    n = np.arange(taps + 1) - (taps - 1) / 2
    analysis = np.zeros((bands, taps + 1))
    synthesis = np.zeros((bands, taps + 1))
    for k in range(bands):
        angle = (2 * k + 1) * (np.pi / (2 * bands)) * n
        phase = (-1) ** k * np.pi / 4
        analysis[k] = 2 * prototype * np.cos(angle + phase)
        synthesis[k] = 2 * prototype * np.cos(angle - phase)
    return analysis, synthesis


class PQMF(nn.Module):
    """An N-band PQMF bank.

    Parameters
    ----------
    N:
        Number of sub-bands (Coqui's name).
    taps:
        Filter order; each filter has ``taps + 1`` coefficients.
    cutoff:
        Normalised cut-off of the prototype low-pass.
    beta:
        Kaiser window shape.

    Shapes
    ------
    analysis: (B, 1, T) -> (B, N, T / N)
    synthesis: (B, N, T / N) -> (B, 1, T)
    """

    def __init__(self, *, N: int = 4, taps: int = 62, cutoff: float = 0.15, beta: float = 9.0) -> None:  # noqa: N803
        super().__init__()
        self.N, self.taps, self.cutoff, self.beta = N, taps, cutoff, beta
        analysis, synthesis = pqmf_filters(bands=N, taps=taps, cutoff=cutoff, beta=beta)
        self.register_buffer("H", torch.from_numpy(analysis[:, None, :]).float())
        self.register_buffer("G", torch.from_numpy(synthesis[None, :, :]).float())
        # a one-hot kernel that spreads band k of each frame to sample 0 of a block of N (zero insertion)
        updown = torch.zeros(N, N, N)
        for k in range(N):
            updown[k, k, 0] = 1.0
        self.register_buffer("updown_filter", updown)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.analysis(x)

    def analysis(self, x: torch.Tensor) -> torch.Tensor:
        """Sub-bands of a waveform: filter with each band's filter, keep every N-th sample."""
        return F.conv1d(x, self.H, padding=self.taps // 2, stride=self.N)

    def synthesis(self, x: torch.Tensor) -> torch.Tensor:
        """Waveform of sub-bands: upsample by zero insertion (gain N), filter, sum the bands."""
        x = F.conv_transpose1d(x, self.updown_filter * self.N, stride=self.N)
        return F.conv1d(x, self.G, padding=self.taps // 2)
