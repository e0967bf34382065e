"""MelGAN generator (Kumar et al., 2019): mel spectrogram -> waveform by transposed-convolution upsampling.

    mel (B, C_mel, T)
      -> reflection pad -> conv (proj_kernel, C_mel -> base_channels)
      -> [ lrelu(0.2) -> transposed conv (x u_i, channels / 2) -> ResidualStack ]  for each factor u_i
      -> lrelu(0.2) -> reflection pad -> conv (proj_kernel, -> out_channels) -> tanh
    wav (B, out_channels, T * prod(u))

Every convolution is weight-normalised. The layers sit in one ``nn.Sequential`` named ``layers`` so that the
state-dict keys are Coqui's (``layers.1``, ``layers.3``, ``layers.4.blocks.0.2``, ...). Full-band MelGAN
is this network; multi-band MelGAN predicts 4 sub-bands and joins them with PQMF synthesis.
"""

import math
from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.parametrizations import weight_norm

from TTS.vocoder.layers.melgan import MELGAN_LRELU_SLOPE, ResidualStack
from TTS.vocoder.models.base_generator import BaseGenerator

# frames replicated at each end of the input by ``inference`` (Coqui's value for the MelGAN family)
MELGAN_INFERENCE_PADDING = 2
# kernel size of the residual stacks' dilated convolutions
RES_KERNEL = 3


def _upsample_layer(in_channels: int, out_channels: int, factor: int) -> nn.Module:
    """A weight-normalised transposed convolution of kernel ``2 * factor`` that upsamples exactly ``factor`` times."""
    output_padding = factor % 2
    return weight_norm(
        nn.ConvTranspose1d(
            in_channels,
            out_channels,
            2 * factor,
            stride=factor,
            padding=factor // 2 + output_padding,
            output_padding=output_padding,
        )
    )


class MelganGenerator(BaseGenerator):
    """The MelGAN generator.

    Parameters
    ----------
    in_channels:
        Mel bands of the input.
    out_channels:
        Output signals: 1 waveform, or the sub-bands of multi-band MelGAN.
    proj_kernel:
        Kernel size of the input and output convolutions (odd).
    base_channels:
        Channels after the input convolution; halved by every upsampling layer.
    upsample_factors:
        Stride of each upsampling layer; their product is the samples per frame of each output signal.
    res_kernel:
        Kernel size of the residual stacks (odd).
    num_res_blocks:
        Residual blocks per stack.
    """

    def __init__(
        self,
        *,
        in_channels: int = 80,
        out_channels: int = 1,
        proj_kernel: int = 7,
        base_channels: int = 512,
        upsample_factors: Sequence[int] = (8, 8, 2, 2),
        res_kernel: int = RES_KERNEL,
        num_res_blocks: int = 3,
    ) -> None:
        super().__init__()
        if proj_kernel % 2 != 1:
            raise ValueError(f"proj_kernel must be odd, got {proj_kernel}")
        self.inference_padding = MELGAN_INFERENCE_PADDING
        self.hop_length = math.prod(upsample_factors)
        pad = (proj_kernel - 1) // 2
        layers = [nn.ReflectionPad1d(pad), weight_norm(nn.Conv1d(in_channels, base_channels, proj_kernel))]
        channels = base_channels
        for factor in upsample_factors:
            layers += [
                nn.LeakyReLU(MELGAN_LRELU_SLOPE),
                _upsample_layer(channels, channels // 2, factor),
                ResidualStack(channels=channels // 2, num_res_blocks=num_res_blocks, kernel_size=res_kernel),
            ]
            channels //= 2
        layers += [
            nn.LeakyReLU(MELGAN_LRELU_SLOPE),
            nn.ReflectionPad1d(pad),
            weight_norm(nn.Conv1d(channels, out_channels, proj_kernel)),
            nn.Tanh(),
        ]
        self.layers = nn.Sequential(*layers)

    @classmethod
    def init_from_config(cls, config) -> "MelganGenerator":
        """Build the generator a MelGAN-family config describes (Coqui's fixed sizes for the other arguments)."""
        params = config.generator_model_params
        return cls(
            in_channels=config.audio.num_mels,
            upsample_factors=params["upsample_factors"],
            num_res_blocks=params["num_res_blocks"],
        )

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """Output signals of a mel spectrogram.

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, out_channels, T * prod(upsample_factors))
        """
        return self.layers(mel)

    def _padded(self, mel: torch.Tensor) -> torch.Tensor:
        weight = self.layers[1].weight
        mel = mel.to(device=weight.device, dtype=weight.dtype)
        return F.pad(mel, (self.inference_padding, self.inference_padding), mode="replicate")

    @torch.inference_mode()
    def inference(self, mel: torch.Tensor) -> torch.Tensor:
        """``forward`` of the input with ``inference_padding`` replicated frames at each end, as Coqui's.

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, out_channels, (T + 2 * inference_padding) * hop_length)
        """
        return self.forward(self._padded(mel))
