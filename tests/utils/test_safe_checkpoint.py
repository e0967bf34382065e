"""load_checkpoint_file: code-running pickles are refused before anything runs; old Coqui checkpoints load."""

import argparse
import collections

import numpy as np
import pytest
import torch

from TTS.utils.io import CheckpointError, load_checkpoint_file


class _WritesMarker:
    """Unpickling this object runs code: it creates the file at ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').write('pwned')",))


def _save(obj, path, legacy):
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


@pytest.mark.parametrize("legacy", [False, True], ids=["zip-format", "legacy-format"])
def test_a_pickle_that_would_run_code_is_refused_and_never_runs(tmp_path, legacy):
    marker = tmp_path / "marker"
    checkpoint = {"model": {"w": torch.ones(2)}, "step": 1, "payload": _WritesMarker(marker)}
    path = _save(checkpoint, tmp_path / "evil.pth", legacy)
    # the payload is live: a full unpickle runs it
    torch.load(path, weights_only=False)
    assert marker.read_text() == "pwned"
    marker.unlink()
    with pytest.raises(CheckpointError, match="refused") as caught:
        load_checkpoint_file(path)
    assert str(path) in str(caught.value)
    assert not marker.exists()


def test_objects_outside_the_allow_list_are_refused(tmp_path):
    path = _save({"model": {"w": torch.ones(1)}, "args": argparse.Namespace(lr=1e-3)}, tmp_path / "args.pth", False)
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint_file(path)


def _trained_optimizer_state():
    """An Adam state after one step, with ``state`` held in a defaultdict as old Coqui checkpoints have it."""
    weight = torch.nn.Parameter(torch.randn(3, 2))
    optimizer = torch.optim.Adam([weight], lr=1e-3, betas=(0.9, 0.998))
    weight.sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    state["state"] = collections.defaultdict(dict, state["state"])
    return weight, state


@pytest.mark.parametrize("legacy", [False, True], ids=["zip-format", "legacy-format"])
def test_an_old_coqui_checkpoint_with_optimizer_state_and_numpy_losses_loads(tmp_path, legacy):
    weight, optimizer_state = _trained_optimizer_state()
    checkpoint = {
        "config": {"model": "tacotron2", "r": 2, "audio": {"sample_rate": 22050}},
        "model": collections.OrderedDict([("encoder.weight", weight.detach())]),
        "optimizer": optimizer_state,
        "scaler": None,
        "step": 1000,
        "epoch": 3,
        "date": "June 01, 2021",
        "r": 2,
        "model_loss": {"train_loss": np.float64(0.25), "eval_loss": np.float32(0.5), "steps": np.int64(7)},
    }
    loaded = load_checkpoint_file(_save(checkpoint, tmp_path / "old.pth", legacy))
    assert torch.equal(loaded["model"]["encoder.weight"], weight.detach())
    assert loaded["model_loss"] == {"train_loss": 0.25, "eval_loss": 0.5, "steps": 7}
    assert loaded["config"]["r"] == 2 and loaded["step"] == 1000
    # the defaultdict comes back as a plain dict with the same items, which an optimizer restores from
    restored = torch.optim.Adam([torch.nn.Parameter(torch.zeros(3, 2))], lr=1.0)
    restored.load_state_dict(loaded["optimizer"])
    saved = optimizer_state["state"][0]
    assert torch.equal(restored.state_dict()["state"][0]["exp_avg_sq"], saved["exp_avg_sq"])
    assert restored.param_groups[0]["betas"] == (0.9, 0.998)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")], ids=["nan", "inf"])
def test_weights_of_a_diverged_run_are_refused_naming_the_tensors(tmp_path, bad):
    state = {f"layer{i}.weight": torch.ones(2, 2) for i in range(5)}
    for name in ("layer1.weight", "layer2.weight", "layer3.weight", "layer4.weight"):
        state[name][0, 1] = bad
    state["steps"] = torch.tensor(3)  # integer tensors cannot hold NaN: not looked at
    path = _save({"model": state, "step": 9}, tmp_path / "diverged.pth", legacy=False)
    with pytest.raises(CheckpointError) as err:
        load_checkpoint_file(path)
    assert str(err.value) == (
        f"{path}: 4 weight tensor(s) hold NaN or infinite values (layer1.weight, layer2.weight, layer3.weight, ...): "
        "it was saved by a run whose loss diverged; take an earlier checkpoint"
    )
    bare = _save({"layer0.weight": torch.tensor([1.0, bad])}, tmp_path / "bare.pth", legacy=False)
    with pytest.raises(CheckpointError, match=r"1 weight tensor\(s\) hold NaN or infinite values \(layer0.weight\)"):
        load_checkpoint_file(bare)
