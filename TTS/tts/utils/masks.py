"""Padding masks."""

from typing import Optional

import torch


def sequence_mask(lengths: torch.Tensor, max_len: Optional[int] = None) -> torch.Tensor:
    """Boolean mask that is True on the first ``lengths[b]`` positions of each row.

    Shapes: lengths (B,) -> (B, max_len), max_len defaulting to ``lengths.max()``.
    """
    if max_len is None:
        max_len = int(lengths.max())
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]
