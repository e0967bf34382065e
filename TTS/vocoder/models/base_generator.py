"""What every vocoder generator shares: Coqui's checkpoint layouts, weight-norm folding, the padded inference cut.

Checkpoints: Coqui's trainer stores the whole GAN (``model_g.*`` generator, ``model_d.*`` discriminator
tensors) under ``"model"``; checkpoints of older Coqui versions store the bare generator under ``"model"`` and
the discriminator under ``"model_disc"``. Either way only the generator is loaded and the skipped
discriminator tensors are logged. Weight norm appears as ``weight_g``/``weight_v`` (torch's old
``nn.utils.weight_norm``), as ``parametrizations.weight.original0/1`` (``nn.utils.parametrizations``), or
already folded into ``weight``: all three load into either form of the model.
"""

import logging
from typing import Any, Dict, List, Mapping, Optional, Tuple

import torch
from torch import nn

from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreReport, restore_weights
from TTS.vocoder.layers.hifigan import remove_weight_norm

logger = logging.getLogger(__name__)

GENERATOR_PREFIX = "model_g."
DISCRIMINATOR_PREFIX = "model_d."

# the ways a weight-normalised ``weight`` is stored: (magnitude g, direction v) suffix pairs
_WEIGHT_NORM_PAIRS = (
    (".parametrizations.weight.original0", ".parametrizations.weight.original1"),
    (".weight_g", ".weight_v"),
)


class BaseGenerator(nn.Module):
    """A vocoder generator: ``inference`` as Coqui's (padding included), ``waveform`` with the padding cut.

    Subclasses set ``hop_length`` (samples per mel frame) and ``inference_padding`` (frames replicated at
    each end of the input by ``inference``).
    """

    hop_length: int = 256
    inference_padding: int = 0
    # True where ``inference`` already cuts the samples of its padding (HiFi-GAN)
    inference_trims_padding: bool = False

    def __init__(self) -> None:
        super().__init__()
        self.restore_report: Optional[RestoreReport] = None
        self.ignored_keys: List[str] = []

    def inference(self, mel: torch.Tensor) -> torch.Tensor:  # pragma: no cover - every generator defines it
        raise NotImplementedError

    @torch.inference_mode()
    def waveform(self, mel: torch.Tensor) -> torch.Tensor:
        """The waveform of ``mel`` (normalised with the vocoder's own audio config), one hop per frame.

        ``inference`` with the samples of the inference padding cut, so that the length is exactly
        ``T * hop_length``: the centre of Coqui's ``inference`` output.

        Shapes
        ------
        mel: (B, C_mel, T)
        returns: (B, 1, T * hop_length)
        """
        wav = self.inference(mel)
        cut = 0 if self.inference_trims_padding else self.inference_padding * self.hop_length
        return wav[..., cut : wav.shape[-1] - cut]

    def remove_weight_norm(self) -> None:
        """Fold weight norm into plain weights for inference (the state dict then holds ``<layer>.weight``)."""
        count = remove_weight_norm(self)
        logger.debug("%s: weight norm folded into %d layers", type(self).__name__, count)

    def after_load(self, config, *, eval: bool) -> None:  # noqa: A002 - eval is the name TTS models use
        """Hook run after the weights are loaded (WaveGrad computes its noise schedule here)."""

    def load_checkpoint(  # noqa: A002 - eval is the name TTS models use
        self, config, checkpoint_path: str, *, eval: bool = True, strict: bool = True
    ) -> Dict[str, Any]:
        """Load a Coqui (or our) checkpoint of this generator, generator weights only.

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
        self.after_load(config, eval=eval)
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
