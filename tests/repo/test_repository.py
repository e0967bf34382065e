"""The repository stays lean: one copy of each large file, shipped weights within their size budget."""

import hashlib
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TRACKED_FOLDERS = ("TTS", "recipes", "benchmarks", "docs", "notebooks", "tests")
LARGE = 1_000_000  # bytes
MAX_SHIPPED_WEIGHTS = 40 * 1024 * 1024


def _large_files():
    for folder in TRACKED_FOLDERS:
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.stat().st_size > LARGE:
                yield path


def test_no_large_file_is_committed_twice():
    by_hash = defaultdict(list)
    for path in _large_files():
        by_hash[hashlib.sha256(path.read_bytes()).hexdigest()].append(str(path.relative_to(REPO_ROOT)))
    copies = [paths for paths in by_hash.values() if len(paths) > 1]
    assert not copies, f"the same large file is stored more than once: {copies}"


def test_shipped_models_are_weights_only_and_small():
    import torch

    weights = sorted((REPO_ROOT / "TTS" / ".models").glob("*/*.pth"))
    assert weights, "no shipped model found under TTS/.models"
    for path in weights:
        assert path.stat().st_size <= MAX_SHIPPED_WEIGHTS, f"{path.name}: {path.stat().st_size} bytes"
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
        assert "optimizer" not in checkpoint and "model" in checkpoint, f"{path}: {sorted(checkpoint)}"
