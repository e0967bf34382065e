"""HiFi-GAN generator (Kong et al., 2020): mel spectrogram -> waveform, loading Coqui's checkpoints unchanged.

    mel (B, C_mel, T)
      -> conv_pre (7, C_mel -> h)
      -> [ leaky_relu(0.1) -> ups[i] (transposed conv, x u_i, channels / 2)
           -> MRF: mean of resblocks[i * K + j](.) over the K kernel sizes ]  for each upsampling layer i
      -> leaky_relu(0.01) -> conv_post (7, -> 1) -> tanh
    wav (B, 1, T * prod(u))

Checkpoints: Coqui's trainer stores the whole GAN (``model_g.*`` generator, ``model_d.*`` discriminator
tensors) under ``"model"``; checkpoints of older Coqui versions store the bare generator under ``"model"`` and
the discriminator under ``"model_disc"``. Either way only the generator is loaded and the skipped
discriminator tensors are logged. Weight norm appears as ``weight_g``/``weight_v`` (torch's old
``nn.utils.weight_norm``), as ``parametrizations.weight.original0/1`` (``nn.utils.parametrizations``), or
already folded into ``weight``: all three load into either form of the model.
"""

import logging
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreReport, restore_weights
from TTS.vocoder.layers.hifigan import LRELU_SLOPE, RESBLOCKS, remove_weight_norm, wn_conv1d, wn_conv_transpose1d

logger = logging.getLogger(__name__)

# kernel size of the input and output convolutions (fixed by the architecture, as in Coqui)
PRE_POST_KERNEL_SIZE = 7
# negative slope of the leaky ReLU before conv_post: torch's default, unlike the 0.1 used everywhere else
FINAL_LRELU_SLOPE = 0.01

GENERATOR_PREFIX = "model_g."
DISCRIMINATOR_PREFIX = "model_d."

# the ways a weight-normalised ``weight`` is stored: (magnitude g, direction v) suffix pairs
_WEIGHT_NORM_PAIRS = (
    (".parametrizations.weight.original0", ".parametrizations.weight.original1"),
    (".weight_g", ".weight_v"),
)


class HifiganGenerator(nn.Module):
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
        self.restore_report: Optional[RestoreReport] = None
        self.ignored_keys: List[str] = []

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

    def remove_weight_norm(self) -> None:
        """Fold weight norm into plain weights for inference (the state dict then holds ``<layer>.weight``)."""
        count = remove_weight_norm(self)
        logger.debug("hifigan: weight norm folded into %d layers", count)

    # ------------------------------------------------------------------ checkpoints
    def load_checkpoint(  # noqa: A002 - eval is the name TTS models use
        self, config, checkpoint_path: str, *, eval: bool = True, strict: bool = True
    ) -> Dict[str, Any]:
        """Load a Coqui (or our) HiFi-GAN checkpoint, generator weights only.

        Parameters
        ----------
        config:
            The vocoder config (kept for the interface of TTS models; the architecture comes from the
            constructor).
        checkpoint_path:
            A ``.pth`` file from Coqui's trainer or a bare generator state dict.
        eval:
            Switch to eval mode and fold weight norm into plain weights (what inference wants).
        strict:
            Raise ``RestoreError`` naming the keys when the generator weights do not match the model
            exactly; when False, load what matches and log the rest.

        Returns
        -------
        The checkpoint dict.
        """
        checkpoint = load_checkpoint_file(checkpoint_path)
        state, self.ignored_keys = generator_state(checkpoint)
        if self.ignored_keys:
            logger.info(
                "%s: skipped %d discriminator tensors (inference needs the generator only)",
                checkpoint_path,
                len(self.ignored_keys),
            )
        state = match_weight_norm(state, self.state_dict())
        self.restore_report = restore_weights(self, state, allow_partial=not strict, source=str(checkpoint_path))
        if eval:
            self.eval()
            self.remove_weight_norm()
        return checkpoint


def generator_state(checkpoint: Mapping[str, Any]) -> Tuple[Dict[str, torch.Tensor], List[str]]:
    """The generator's tensors of a checkpoint, and the names of the discriminator tensors left out.

    ``model_g.`` prefixes are stripped and ``model_d.*`` keys left out (Coqui's GAN checkpoints);
    a separate ``model_disc`` entry (older Coqui checkpoints) is never read. Other keys are kept
    as they are, so that a restore reports them.
    """
    state: Dict[str, torch.Tensor] = {}
    ignored: List[str] = []
    for key, tensor in checkpoint["model"].items():
        if key.startswith(DISCRIMINATOR_PREFIX):
            ignored.append(key)
        elif key.startswith(GENERATOR_PREFIX):
            state[key[len(GENERATOR_PREFIX) :]] = tensor
        else:
            state[key] = tensor
    disc = checkpoint.get("model_disc")
    if isinstance(disc, Mapping):
        ignored += [f"model_disc.{key}" for key in disc]
    return state, ignored


def match_weight_norm(
    state: Mapping[str, torch.Tensor], model_state: Mapping[str, torch.Tensor]
) -> Dict[str, torch.Tensor]:
    """Rewrite the weight-norm tensors of ``state`` into the form ``model_state`` uses.

    Each weight-normalised layer of a checkpoint is stored as a (g, v) pair under either naming in
    ``_WEIGHT_NORM_PAIRS``, or as a plain ``weight``. For a model layer with weight norm, a pair is
    renamed and a plain weight becomes ``g = ||w||`` (per output slice along dim 0), ``v = w``; for a
    model layer without it, a pair is folded into ``w = g * v / ||v||``. Keys of layers the model
    does not have are left untouched, for the restore report to name.
    """
    out = dict(state)
    model_g, model_v = _WEIGHT_NORM_PAIRS[0]
    for key in model_state:
        if key.endswith(model_g):
            layer, want = key[: -len(model_g)], "pair"
        elif key.endswith(".weight"):
            layer, want = key[: -len(".weight")], "plain"
        else:
            continue
        pair = _find_pair(out, layer)
        if want == "pair":
            if pair is not None and pair[0] != model_g:
                out[layer + model_g] = out.pop(layer + pair[0])
                out[layer + model_v] = out.pop(layer + pair[1])
            elif pair is None and layer + ".weight" in out:
                weight = out.pop(layer + ".weight")
                out[layer + model_g] = torch.norm_except_dim(weight, 2, 0)
                out[layer + model_v] = weight
        elif pair is not None and layer + ".weight" not in out:
            g = out.pop(layer + pair[0])
            v = out.pop(layer + pair[1])
            out[layer + ".weight"] = torch._weight_norm(v, g, 0)
    return out


def _find_pair(state: Mapping[str, torch.Tensor], layer: str) -> Optional[Tuple[str, str]]:
    for g_suffix, v_suffix in _WEIGHT_NORM_PAIRS:
        if layer + g_suffix in state and layer + v_suffix in state:
            return g_suffix, v_suffix
    return None
