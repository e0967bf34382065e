"""Full-band MelGAN generator: the MelGAN generator with 4 residual blocks per stack (Yang et al., 2020)."""

from typing import Sequence

from TTS.vocoder.models.melgan_generator import RES_KERNEL, MelganGenerator


class FullbandMelganGenerator(MelganGenerator):
    """The MelGAN generator with full-band MelGAN's defaults (same layers, same checkpoint keys)."""

    def __init__(
        self,
        *,
        in_channels: int = 80,
        out_channels: int = 1,
        proj_kernel: int = 7,
        base_channels: int = 512,
        upsample_factors: Sequence[int] = (2, 8, 2, 2),
        res_kernel: int = RES_KERNEL,
        num_res_blocks: int = 4,
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
