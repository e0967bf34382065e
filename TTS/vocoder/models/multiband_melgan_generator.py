"""Multi-band MelGAN generator (Yang et al., 2020): MelGAN predicts 4 sub-bands, PQMF synthesis joins them.

    mel (B, C_mel, T) -> MelGAN layers -> sub-bands (B, 4, T * prod(u)) -> PQMF synthesis -> wav (B, 1, T * hop)

with ``hop = 4 * prod(u)``.
"""

import math
from typing import Sequence

import torch

from TTS.vocoder.layers.pqmf import PQMF
from TTS.vocoder.models.melgan_generator import RES_KERNEL, MelganGenerator

# the filter bank of Coqui's multi-band MelGAN
PQMF_TAPS = 62
PQMF_CUTOFF = 0.15
PQMF_BETA = 9.0


class MultibandMelganGenerator(MelganGenerator):
    """The MelGAN generator with ``out_channels`` sub-band outputs and a PQMF bank (buffers ``pqmf_layer.*``)."""

    def __init__(
        self,
        *,
        in_channels: int = 80,
        out_channels: int = 4,
        proj_kernel: int = 7,
        base_channels: int = 384,
        upsample_factors: Sequence[int] = (2, 8, 2, 2),
        res_kernel: int = RES_KERNEL,
        num_res_blocks: int = 3,
    ) -> None:
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            proj_kernel=proj_kernel,
            base_channels=base_channels,
            upsample_factors=upsample_factors,
            res_kernel=res_kernel,
            num_res_blocks=num_res_blocks,
        )
        self.pqmf_layer = PQMF(N=out_channels, taps=PQMF_TAPS, cutoff=PQMF_CUTOFF, beta=PQMF_BETA)
        self.hop_length = math.prod(upsample_factors) * out_channels

    @classmethod
    def init_from_config(cls, config) -> "MultibandMelganGenerator":
        params = config.generator_model_params
        return cls(
            in_channels=config.audio.num_mels,
            upsample_factors=params["upsample_factors"],
            num_res_blocks=params["num_res_blocks"],
        )

    def pqmf_analysis(self, wav: torch.Tensor) -> torch.Tensor:
        """Sub-bands of a waveform: (B, 1, T) -> (B, 4, T / 4)."""
        return self.pqmf_layer.analysis(wav)

    def pqmf_synthesis(self, bands: torch.Tensor) -> torch.Tensor:
        """Waveform of sub-bands: (B, 4, T / 4) -> (B, 1, T)."""
        return self.pqmf_layer.synthesis(bands)

    @torch.inference_mode()
    def inference(self, mel: torch.Tensor) -> torch.Tensor:
        """Waveform of the padded input (Coqui's output, padding included).

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, 1, (T + 2 * inference_padding) * hop_length)
        """
        return self.pqmf_synthesis(self.forward(self._padded(mel)))
