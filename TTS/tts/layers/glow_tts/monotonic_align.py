"""Monotonic alignment search (Glow-TTS, section 3.2): the most likely monotonic, surjective alignment of
text tokens to latent frames, by dynamic programming over the log-likelihoods.

Each frame goes to one token; the first frame to the first token, the last frame to the last token; from one
frame to the next the token stays or advances by one. The forward pass keeps, per frame, the best score of a
path ending at each token (vectorised over the tokens); the backward pass follows the choices back. Compiled
with numba (parallel over the batch) when it is installed; a torch version vectorised over batch and tokens
runs otherwise. Both give exactly the same path as ``maximum_path_reference``.
"""

import logging

import numpy as np
import torch

logger = logging.getLogger(__name__)

#: score of an unreachable (token, frame) cell
NEG_INF = -1e9

try:  # numba comes with librosa
    import numba
except ImportError:  # pragma: no cover - exercised where numba is missing
    numba = None


def _path_one(value: np.ndarray, path: np.ndarray, t_x: int, t_y: int) -> None:
    """DP in place over ``value[:t_x, :t_y]`` (float32 log-likelihoods), writing the 0/1 path into ``path``."""
    for y in range(t_y):
        # tokens reachable at frame y that can still reach the last token by the last frame
        for x in range(max(0, t_x + y - t_y), min(t_x, y + 1)):
            stay = NEG_INF if x == y else value[x, y - 1]
            if x == 0:
                advance = 0.0 if y == 0 else NEG_INF
            else:
                advance = value[x - 1, y - 1]
            value[x, y] += max(stay, advance)
    index = t_x - 1
    for y in range(t_y - 1, -1, -1):
        path[index, y] = 1
        if index != 0 and (index == y or value[index, y - 1] < value[index - 1, y - 1]):
            index -= 1


if numba is not None:
    _path_one_compiled = numba.njit(cache=True, nogil=True)(_path_one)

    @numba.njit(cache=True, nogil=True, parallel=True)
    def _path_batch(values, paths, t_xs, t_ys):  # pragma: no cover - compiled
        for b in numba.prange(values.shape[0]):
            _path_one_compiled(values[b], paths[b], t_xs[b], t_ys[b])


def _maximum_path_torch(value: torch.Tensor, t_x: torch.Tensor, t_y: torch.Tensor) -> torch.Tensor:
    """The same search in torch, one step per frame, vectorised over batch and tokens (float32 sums)."""
    batch, max_x, max_y = value.shape
    device = value.device
    tokens = torch.arange(max_x, device=device)[None, :]
    neg = torch.full((batch, 1), NEG_INF, dtype=value.dtype, device=device)
    scores = torch.full((batch, max_x, max_y), NEG_INF, dtype=value.dtype, device=device)
    previous = None
    for y in range(max_y):
        low = (t_x + y - t_y).clamp_min(0)[:, None]
        valid = (tokens >= low) & (tokens <= y) & (tokens < t_x[:, None])
        if y == 0:
            best = torch.where(tokens == 0, torch.zeros_like(value[:, :, 0]), torch.full_like(value[:, :, 0], NEG_INF))
        else:
            stay = torch.where(tokens == y, torch.full_like(previous, NEG_INF), previous)
            advance = torch.cat([neg, previous[:, :-1]], dim=1)
            best = torch.maximum(stay, advance)
        current = torch.where(valid, value[:, :, y] + best, torch.full_like(best, NEG_INF))
        # an unreachable cell keeps its own log-likelihood (as the in-place DP leaves it)
        scores[:, :, y] = torch.where(valid, current, value[:, :, y])
        previous = scores[:, :, y]
    path = torch.zeros_like(value)
    index = t_x - 1
    rows = torch.arange(batch, device=device)
    for y in range(max_y - 1, -1, -1):
        active = y < t_y
        path[rows[active], index[active], y] = 1
        if y > 0:
            stay = scores[rows, index, y - 1]
            advance = scores[rows, (index - 1).clamp_min(0), y - 1]
            move = active & (index != 0) & ((index == y) | (stay < advance))
            index = index - move.long()
    return path


def maximum_path(value: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The monotonic alignment of highest total log-likelihood, one per batch item.

    Parameters
    ----------
    value:
        Log-likelihood of each frame under each token's prior.
    mask:
        1 on the real (token, frame) pairs of each item (its lengths are read from the first row and column).

    Shapes
    ------
    value, mask: (B, T_text, T_frames) -> path: (B, T_text, T_frames) of 0/1, ``value``'s dtype and device.
    """
    t_x = mask[:, :, 0].sum(dim=1).long()
    t_y = mask[:, 0, :].sum(dim=1).long()
    if numba is None:
        scores = (value * mask).float()
        return _maximum_path_torch(scores, t_x, t_y).to(value.dtype)
    values = (value * mask).detach().to("cpu", torch.float32).numpy().copy()
    paths = np.zeros(values.shape, dtype=np.int32)
    _path_batch(values, paths, t_x.cpu().numpy().astype(np.int32), t_y.cpu().numpy().astype(np.int32))
    return torch.from_numpy(paths).to(device=value.device, dtype=value.dtype)


def maximum_path_reference(value: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Plain-Python reference of ``maximum_path`` (slow; for tests). Shapes as ``maximum_path``, numpy arrays."""
    values = (value * mask).astype(np.float32)
    paths = np.zeros(values.shape, dtype=np.int32)
    for b in range(values.shape[0]):
        _path_one(values[b], paths[b], int(mask[b, :, 0].sum()), int(mask[b, 0, :].sum()))
    return paths


def generate_path(durations: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Hard alignment from integer durations: token i covers the frames from its cumulative start to end.

    Shapes: durations (B, T_text), mask (B, T_text, T_frames) -> (B, T_text, T_frames).
    """
    ends = torch.cumsum(durations, dim=1)
    starts = ends - durations
    frames = torch.arange(mask.shape[2], device=mask.device, dtype=durations.dtype)[None, None, :]
    path = (frames >= starts[..., None]) & (frames < ends[..., None])
    return path.to(mask.dtype) * mask
