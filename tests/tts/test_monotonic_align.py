"""Monotonic alignment search: exactly the path of a plain dynamic-programming reference, on random inputs."""

import numpy as np
import pytest
import torch

from TTS.tts.layers.glow_tts import monotonic_align
from TTS.tts.layers.glow_tts.monotonic_align import generate_path, maximum_path


def plain_reference(logp: np.ndarray, t_x: int, t_y: int) -> np.ndarray:
    """Best monotonic path of one item by the textbook recursion over a full score table (float32 sums)."""
    best = np.full((t_x, t_y), -np.inf, dtype=np.float32)
    best[0, 0] = logp[0, 0]
    for y in range(1, t_y):
        for x in range(t_x):
            candidates = [best[x, y - 1]] + ([best[x - 1, y - 1]] if x > 0 else [])
            top = max(candidates)
            if top > -np.inf:
                best[x, y] = np.float32(top + logp[x, y])
    path = np.zeros((t_x, t_y), dtype=np.int32)
    x = t_x - 1
    for y in range(t_y - 1, -1, -1):
        path[x, y] = 1
        if y > 0 and x > 0 and (x == y or best[x, y - 1] < best[x - 1, y - 1]):
            x -= 1
    return path


def _random_batch(rng, batch=6, max_x=17, max_y=40):
    t_x = rng.integers(1, max_x + 1, size=batch)
    t_y = np.array([rng.integers(x, max_y + 1) for x in t_x])
    t_x[0], t_y[0] = max_x, max_y  # one item fills the padding
    logp = rng.standard_normal((batch, max_x, max_y)).astype(np.float32) * 3
    mask = np.zeros_like(logp)
    for b in range(batch):
        mask[b, : t_x[b], : t_y[b]] = 1
    return logp, mask, t_x, t_y


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("backend", ["numba", "torch"])
def test_maximum_path_equals_plain_reference(seed, backend, monkeypatch):
    if backend == "torch":
        monkeypatch.setattr(monotonic_align, "numba", None)
    elif monotonic_align.numba is None:
        pytest.skip("numba not installed")
    logp, mask, t_x, t_y = _random_batch(np.random.default_rng(seed))
    path = maximum_path(torch.from_numpy(logp), torch.from_numpy(mask)).numpy().astype(np.int32)
    for b in range(len(t_x)):
        expected = np.zeros_like(path[b])
        expected[: t_x[b], : t_y[b]] = plain_reference(logp[b], int(t_x[b]), int(t_y[b]))
        np.testing.assert_array_equal(path[b], expected)
        # every real frame has exactly one token; every real token at least one frame
        assert (path[b, :, : t_y[b]].sum(0) == 1).all() and (path[b, : t_x[b]].sum(1) >= 1).all()


def test_maximum_path_follows_an_obvious_alignment():
    # token k is by far the likeliest for frames 3k..3k+2
    logp = torch.full((1, 4, 12), -10.0)
    for k in range(4):
        logp[0, k, 3 * k : 3 * k + 3] = 0.0
    path = maximum_path(logp, torch.ones_like(logp))
    assert path[0].sum(1).tolist() == [3, 3, 3, 3]


def test_generate_path_expands_durations():
    durations = torch.tensor([[2.0, 1.0, 3.0]])
    path = generate_path(durations, torch.ones(1, 3, 7))
    assert path[0].tolist() == [[1, 1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 0]]
