"""HiFi-GAN generator (Kong et al., 2020): mel spectrogram -> waveform, loading Coqui's checkpoints unchanged.

    mel (B, C_mel, T)
      -> conv_pre (7, C_mel -> h)
      -> [ leaky_relu(0.1) -> ups[i] (transposed conv, x u_i, channels / 2)
           -> MRF: mean of resblocks[i * K + j](.) over the K kernel sizes ]  for each upsampling layer i
      -> leaky_relu(0.01) -> conv_post (7, -> 1) -> tanh
    wav (B, 1, T * prod(u))

Checkpoints load through ``BaseGenerator.load_checkpoint`` (Coqui's layouts, see ``base_generator``).
"""

import logging
import math
from typing import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from TTS.vocoder.layers.hifigan import LRELU_SLOPE, RESBLOCKS, wn_conv1d, wn_conv_transpose1d
from TTS.vocoder.models.base_generator import (  # noqa: F401 - re-exported: their home was this module
    DISCRIMINATOR_PREFIX,
    GENERATOR_PREFIX,
    BaseGenerator,
    generator_state,
    match_weight_norm,
)

logger = logging.getLogger(__name__)

# kernel size of the input and output convolutions (fixed by the architecture, as in Coqui)
PRE_POST_KERNEL_SIZE = 7
# negative slope of the leaky ReLU before conv_post: torch's default, unlike the 0.1 used everywhere else
FINAL_LRELU_SLOPE = 0.01

class HifiganGenerator(BaseGenerator):
    """The HiFi-GAN generator: transposed-convolution upsampling, each followed by a multi-receptive-field fusion.

    Parameters
    ----------
    in_channels:
        Mel bands of the input.
    out_channels:
        Waveform channels (1).
    upsample_factors:
        Stride of each upsampling layer; their product is the hop length.
    upsample_kernel_sizes:
        Kernel size of each upsampling layer.
    upsample_initial_channel:
        Channels after ``conv_pre``, halved by every upsampling layer.
    resblock_type:
        ``"1"`` (``ResBlock1``) or ``"2"`` (``ResBlock2``).
    resblock_kernel_sizes:
        Kernel size of each residual block of an MRF module.
    resblock_dilation_sizes:
        Dilations of each residual block of an MRF module.
    inference_padding:
        Frames replicated at both ends of the input by ``inference`` (and cut from its output), so the
        edges of the waveform see context like the middle does.
    conv_post_bias:
        Bias in ``conv_post``.
    """

    def __init__(
        self,
        *,
        in_channels: int = 80,
        out_channels: int = 1,
        upsample_factors: Sequence[int] = (8, 8, 2, 2),
        upsample_kernel_sizes: Sequence[int] = (16, 16, 4, 4),
        upsample_initial_channel: int = 512,
        resblock_type: str = "1",
        resblock_kernel_sizes: Sequence[int] = (3, 7, 11),
        resblock_dilation_sizes: Sequence[Sequence[int]] = ((1, 3, 5), (1, 3, 5), (1, 3, 5)),
        inference_padding: int = 5,
        conv_post_bias: bool = True,
    ) -> None:
        super().__init__()
        self.inference_trims_padding = True
        if resblock_type not in RESBLOCKS:
            raise ValueError(f"resblock_type must be one of {sorted(RESBLOCKS)}, got {resblock_type!r}")
        resblock = RESBLOCKS[resblock_type]
        self.inference_padding = inference_padding
        self.hop_length = math.prod(upsample_factors)
        self.num_kernels = len(resblock_kernel_sizes)

        self.conv_pre = wn_conv1d(in_channels, upsample_initial_channel, PRE_POST_KERNEL_SIZE)
        self.ups = nn.ModuleList()
        # MRF modules stored flat: resblocks[i * num_kernels + j] is block j after upsampling layer i (Coqui's keys)
        self.resblocks = nn.ModuleList()
        channels = upsample_initial_channel
        for factor, kernel_size in zip(upsample_factors, upsample_kernel_sizes, strict=True):
            self.ups.append(wn_conv_transpose1d(channels, channels // 2, kernel_size=kernel_size, stride=factor))
            channels //= 2
            for block_kernel, dilations in zip(resblock_kernel_sizes, resblock_dilation_sizes, strict=True):
                self.resblocks.append(resblock(channels=channels, kernel_size=block_kernel, dilations=dilations))
        self.conv_post = wn_conv1d(channels, out_channels, PRE_POST_KERNEL_SIZE, bias=conv_post_bias)

    @classmethod
    def init_from_config(cls, config) -> "HifiganGenerator":
        """Build the generator a ``HifiganConfig`` describes."""
        params = config.generator_model_params
        return cls(
            in_channels=config.num_input_channels,
            upsample_factors=params.upsample_factors,
            upsample_kernel_sizes=params.upsample_kernel_sizes,
            upsample_initial_channel=params.upsample_initial_channel,
            resblock_type=params.resblock_type,
            resblock_kernel_sizes=params.resblock_kernel_sizes,
            resblock_dilation_sizes=params.resblock_dilation_sizes,
            inference_padding=params.inference_padding,
            conv_post_bias=params.conv_post_bias,
        )

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """Waveform of a (normalised) mel spectrogram.

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, 1, T * hop_length), in [-1, 1]
        """
        x = self.conv_pre(mel)
        for i, upsample in enumerate(self.ups):
            x = upsample(F.leaky_relu(x, LRELU_SLOPE))
            blocks = self.resblocks[i * self.num_kernels : (i + 1) * self.num_kernels]
            mrf = blocks[0](x)
            for block in blocks[1:]:
                mrf = mrf + block(x)
            x = mrf / self.num_kernels
        x = self.conv_post(F.leaky_relu(x, FINAL_LRELU_SLOPE))
        return torch.tanh(x)

    @torch.inference_mode()
    def inference(self, mel: torch.Tensor) -> torch.Tensor:
        """Waveform for synthesis: ``mel`` normalised with the vocoder's own audio config.

        The input is moved to the model's device and dtype and padded by ``inference_padding``
        replicated frames at each end; the samples of the padding are cut, so the result is Coqui's
        ``inference`` output without its first and last ``inference_padding * hop_length`` samples.

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, 1, T * hop_length)
        """
        weight = self.conv_post.weight
        mel = mel.to(device=weight.device, dtype=weight.dtype)
        pad = self.inference_padding
        if pad > 0:
            mel = F.pad(mel, (pad, pad), mode="replicate")
        wav = self.forward(mel)
        cut = pad * self.hop_length
        return wav[..., cut : wav.shape[-1] - cut]
