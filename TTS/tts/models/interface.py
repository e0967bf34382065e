"""What a synthesiser may ask of an acoustic model: tokens in, mel frames out.

``TTS.inference`` uses a model only through this class; the trainer hooks live in ``BaseTTS`` (the adapter
to the ``trainer`` package), not here.
"""

import abc
from typing import Callable, List, NamedTuple, Optional, Sequence

import numpy as np
import torch

from TTS.errors import TTSError


class OutputTooLongError(TTSError, ValueError):
    """The predicted durations (x ``length_scale``) give more frames than ``max_inference_frames``."""


class MelBatch(NamedTuple):
    """Mel frames of a batch of token sequences and how each item ended.

    Shapes: mels (B, T_max, C_mel), padded past each item's ``lengths`` (B,); stop_reached, text_end_stop (B,) bool:
    ``stop_reached`` is False where the frame limit cut the item, ``text_end_stop`` True where the model ended it
    after the text for lack of a stop decision.
    """

    mels: torch.Tensor
    lengths: torch.Tensor
    stop_reached: torch.Tensor
    text_end_stop: torch.Tensor


class AcousticModel(abc.ABC):
    """Tokens in, normalised mel frames out, in batches with per-item lengths.

    A model also carries ``tokenizer`` (text -> token ids), ``ap`` (the AudioProcessor of its mel features) and
    ``speaker_names`` (id order, empty for a single-speaker model).
    """

    @abc.abstractmethod
    def synthesize(
        self,
        tokens: torch.Tensor,
        lengths: torch.Tensor,
        *,
        speaker_ids: Optional[torch.Tensor],
        max_frames: torch.Tensor,
    ) -> MelBatch:
        """Mel frames of a batch of token sequences, each item as it would be alone.

        ``max_frames`` is each item's frame limit (at most ``max_output_frames``); a model whose output length
        is fixed by durations may raise ``OutputTooLongError`` instead of cutting.

        Shapes: tokens (B, T_text) zero-padded past ``lengths`` (B,); speaker_ids (B,) or None; max_frames (B,).
        """

    @property
    @abc.abstractmethod
    def can_batch(self) -> bool:
        """Whether several sequences decoded together give what each gives alone."""

    @property
    @abc.abstractmethod
    def max_output_frames(self) -> int:
        """The most mel frames one item may have."""

    @property
    def frame_rate(self) -> float:
        """Mel frames per second of audio."""
        return self.ap.sample_rate / self.ap.hop_length

    @property
    def frames_per_step(self) -> int:
        """Mel frames one decoding step gives (Tacotron2's reduction factor; 1 for a model without steps)."""
        return 1

    def spoken_tokens(self, num_tokens: int) -> int:
        """How many of ``num_tokens`` token ids stand for text (a blank between tokens is not counted)."""
        return num_tokens

    @property
    def speakers(self) -> List[str]:
        """Speaker names in id order; empty for a single-speaker model."""
        return list(self.speaker_names) if self.use_speaker_embedding else []


class DecodedMel(NamedTuple):
    """The mel frames of one sequence and how its decoding ended (see ``MelBatch``). Shapes: mel (T, C_mel)."""

    mel: np.ndarray
    stop_reached: bool
    text_end_stop: bool


def synthesize_in_batches(
    model: AcousticModel,
    token_ids: Sequence[Sequence[int]],
    *,
    speaker_id: Optional[int] = None,
    batch_size: int = 1,
    max_frames: Optional[Callable[[int], int]] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[DecodedMel]:
    """Mels of tokenised sequences, in order, ``batch_size`` sequences of similar length per ``synthesize`` call.

    ``max_frames`` gives a sequence's frame limit from its token count (default: ``model.max_output_frames``);
    ``progress(done, total)`` is called after each batch when there are several.

    Shapes: token_ids: N lists of ids -> N ``DecodedMel`` with mel (T_i, C_mel) float32.
    """
    device = next(model.parameters()).device
    order = sorted(range(len(token_ids)), key=lambda i: -len(token_ids[i]))
    results: List[Optional[DecodedMel]] = [None] * len(token_ids)
    step = max(1, batch_size)
    for start in range(0, len(order), step):
        chunk = order[start : start + step]
        lengths = torch.tensor([len(token_ids[i]) for i in chunk], dtype=torch.long, device=device)
        tokens = torch.zeros(len(chunk), int(lengths.max()), dtype=torch.long, device=device)
        for row, index in enumerate(chunk):
            tokens[row, : len(token_ids[index])] = torch.as_tensor(list(token_ids[index]), dtype=torch.long)
        limits = [model.max_output_frames if max_frames is None else max_frames(len(token_ids[i])) for i in chunk]
        speaker_ids = None if speaker_id is None else torch.full((len(chunk),), speaker_id, device=device)
        with torch.inference_mode():
            out = model.synthesize(
                tokens, lengths, speaker_ids=speaker_ids, max_frames=torch.tensor(limits, device=device)
            )
        for row, index in enumerate(chunk):
            length = int(out.lengths[row])
            mel = out.mels[row, :length].float().cpu().numpy()
            results[index] = DecodedMel(mel, bool(out.stop_reached[row]), bool(out.text_end_stop[row]))
        if progress is not None and len(order) > len(chunk):
            progress(start + len(chunk), len(order))
    return results
