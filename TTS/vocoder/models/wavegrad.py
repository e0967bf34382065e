"""WaveGrad (Chen et al., 2020): a diffusion vocoder that refines Gaussian noise into speech.

    noisy audio y (B, 1, T * hop) -> y_conv -> DBlocks (downsample by the reversed factors) -> FiLMs
    mel (B, C_mel, T) -> x_conv -> UBlocks (upsample by the factors, modulated by the FiLMs) -> out_conv
    -> predicted noise (B, 1, T * hop)

``inference`` runs the reverse process of the test noise schedule: start from one ``torch.randn`` of
shape (B, 1, T * hop) and, for n = N-1 .. 0, ``y <- c1[n] (y - c2[n] eps(y, mel, sqrt(alpha_hat[n])))``
plus ``sigma[n-1] z`` noise (``torch.randn_like``) while n > 0, clamped to [-1, 1]: Coqui's draws, in
Coqui's order. The schedule is linear in beta (``min_val`` .. ``max_val`` in ``num_steps``): the train
schedule after a training load, the test schedule after ``load_checkpoint(..., eval=True)``.
"""

import math
from typing import Any, Mapping, Optional

import numpy as np
import torch
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from TTS.vocoder.configs.wavegrad_config import WavegradArgs, WavegradConfig
from TTS.vocoder.layers.wavegrad import Conv1d, DBlock, FiLM, UBlock
from TTS.vocoder.models.base_generator import BaseGenerator

__all__ = ["Wavegrad", "WavegradArgs", "noise_schedule"]


def noise_schedule(schedule: Mapping[str, Any]) -> np.ndarray:
    """The betas of a ``{"min_val", "max_val", "num_steps"}`` schedule: linearly spaced."""
    return np.linspace(schedule["min_val"], schedule["max_val"], schedule["num_steps"])


class Wavegrad(BaseGenerator):
    """The WaveGrad network and its sampler.

    Parameters
    ----------
    config:
        A ``WavegradConfig``; ``config.model_params`` gives the sizes (Coqui's constructor takes the config).
    """

    def __init__(self, config: WavegradConfig) -> None:
        super().__init__()
        self.config = config
        params = config.model_params
        self.use_weight_norm = params.use_weight_norm
        self.hop_length = self.hop_len = math.prod(params.upsample_factors)
        self.num_steps: Optional[int] = None
        self.beta = self.alpha = self.alpha_hat = self.noise_level = None
        self.c1 = self.c2 = self.sigma = None

        self.y_conv = Conv1d(1, params.y_conv_channels, 5, padding=2)
        self.dblocks = nn.ModuleList()
        channels = params.y_conv_channels
        for out_channels, factor in zip(params.dblock_out_channels, reversed(params.upsample_factors)):
            self.dblocks.append(DBlock(channels, out_channels, factor))
            channels = out_channels
        self.film = nn.ModuleList()
        channels = params.y_conv_channels
        for out_channels in reversed(params.ublock_out_channels):
            self.film.append(FiLM(channels, out_channels))
            channels = out_channels
        self.ublocks = nn.ModuleList()
        channels = params.x_conv_channels
        for out_channels, factor, dilations in zip(
            params.ublock_out_channels, params.upsample_factors, params.upsample_dilations
        ):
            self.ublocks.append(UBlock(channels, out_channels, factor, dilations))
            channels = out_channels
        self.x_conv = Conv1d(params.in_channels, params.x_conv_channels, 3, padding=1)
        self.out_conv = Conv1d(channels, params.out_channels, 3, padding=1)
        if params.use_weight_norm:
            self.apply_weight_norm()

    @classmethod
    def init_from_config(cls, config: WavegradConfig) -> "Wavegrad":
        return cls(config)

    def apply_weight_norm(self) -> None:
        """Weight-normalise every convolution."""
        for module in self.modules():
            if isinstance(module, nn.Conv1d):
                weight_norm(module)

    def forward(self, x: torch.Tensor, spectrogram: torch.Tensor, noise_scale: torch.Tensor) -> torch.Tensor:
        """The noise in ``x`` as the network estimates it.

        Shapes
        ------
        x: (B, 1, T * hop), spectrogram: (B, C_mel, T), noise_scale: (B,)
        returns: (B, 1, T * hop)
        """
        conditions = []
        x = self.y_conv(x)
        conditions.append(self.film[0](x, noise_scale))
        for film, block in zip(self.film[1:], self.dblocks):
            x = block(x)
            conditions.append(film(x, noise_scale))
        x = self.x_conv(spectrogram)
        for block, (shift, scale) in zip(self.ublocks, reversed(conditions)):
            x = block(x, shift, scale)
        return self.out_conv(x)

    # ------------------------------------------------------------------ noise schedule
    def compute_noise_level(self, beta: np.ndarray) -> None:
        """Derive the sampler's constants from the betas of a schedule."""
        beta = np.asarray(beta)
        self.num_steps = len(beta)
        alpha = 1 - beta
        alpha_hat = np.cumprod(alpha)
        self.beta = torch.tensor(beta.astype(np.float32))
        self.alpha = torch.tensor(alpha.astype(np.float32))
        self.alpha_hat = torch.tensor(alpha_hat.astype(np.float32))
        self.noise_level = torch.tensor((alpha_hat**0.5).astype(np.float32))
        self.c1 = 1 / self.alpha**0.5
        self.c2 = (1 - self.alpha) / (1 - self.alpha_hat) ** 0.5
        self.sigma = ((1.0 - self.alpha_hat[:-1]) / (1.0 - self.alpha_hat[1:]) * self.beta[1:]) ** 0.5

    def load_noise_schedule(self, path: str) -> None:
        """Read the betas of a schedule from an ``.npy`` file holding ``{"beta": ...}`` (Coqui's tune output)."""
        self.compute_noise_level(np.load(path, allow_pickle=True).item()["beta"])

    def compute_y_n(self, y_0: torch.Tensor):
        """A training example: noise, the noisy audio at a random noise level, and that level.

        Shapes
        ------
        y_0: (B, 1, T) or (B, T) -> noise (B, 1, T), noisy audio (B, 1, T), noise_scale (B,)
        """
        self.noise_level = self.noise_level.to(y_0)
        if y_0.dim() == 3:
            y_0 = y_0.squeeze(1)
        s = torch.randint(0, self.num_steps - 1, [y_0.shape[0]])
        low, high = self.noise_level[s], self.noise_level[s + 1]
        noise_scale = (low + torch.rand(y_0.shape[0]).to(y_0) * (high - low)).unsqueeze(1)
        noise = torch.randn_like(y_0)
        noisy = noise_scale * y_0 + (1.0 - noise_scale**2) ** 0.5 * noise
        return noise.unsqueeze(1), noisy.unsqueeze(1), noise_scale[:, 0]

    def after_load(self, config, *, eval: bool) -> None:  # noqa: A002
        name = "test_noise_schedule" if eval else "train_noise_schedule"
        self.compute_noise_level(noise_schedule(getattr(config, name)))

    @torch.inference_mode()
    def inference(self, x: torch.Tensor, y_n: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Waveform of a mel spectrogram by the reverse diffusion of the current noise schedule.

        Shapes
        ------
        x: (B, C_mel, T), y_n: optional starting noise (T * hop,)
        returns: (B, 1, T * hop)
        """
        if self.noise_level is None:
            raise RuntimeError("no noise schedule: call compute_noise_level() or load_checkpoint() first")
        if y_n is None:
            y_n = torch.randn(x.shape[0], 1, self.hop_len * x.shape[-1])
        else:
            y_n = torch.as_tensor(y_n, dtype=torch.float32).reshape(1, 1, -1)
        y_n = y_n.type_as(x)
        sqrt_alpha_hat = self.noise_level.to(x)
        for n in range(len(self.alpha) - 1, -1, -1):
            y_n = self.c1[n] * (y_n - self.c2[n] * self.forward(y_n, x, sqrt_alpha_hat[n].repeat(x.shape[0])))
            if n > 0:
                y_n += self.sigma[n - 1] * torch.randn_like(y_n)
            y_n.clamp_(-1.0, 1.0)
        return y_n
