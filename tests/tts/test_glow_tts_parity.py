"""Numerical parity of Glow-TTS with Coqui TTS 0.28 on the g_glowtts_chars fixture (regenerated weights)."""

import json

import numpy as np
import pytest
import torch

from TTS.config import load_config
from TTS.tts.layers.losses import GlowTTSLoss
from TTS.tts.models import setup_model

NAME = "g_glowtts_chars"


def _close(got, expected, what):
    got = np.asarray(got)
    assert got.shape == expected.shape, what
    tolerance = 1e-4 * max(1.0, float(np.abs(expected).max()))
    assert np.abs(got - expected).max() <= tolerance, what


@pytest.fixture(scope="module")
def glow(coqui_fixtures, coqui_checkpoint):
    torch.set_num_threads(1)
    config = load_config(coqui_fixtures / NAME / "config.json")
    model = setup_model(config)
    model.load_checkpoint(config, str(coqui_checkpoint(NAME, None)), eval=True)
    refs = np.load(coqui_fixtures / NAME / "refs.npz")
    info = json.loads((coqui_fixtures / NAME / "refs.json").read_text())
    return model, refs, info


def test_inference_matches_coqui(glow):
    model, refs, info = glow
    assert not model.training
    for i, text in enumerate(info["texts"]):
        ids = model.tokenizer.text_to_ids(text)
        assert ids == refs[f"ids_{i}"].tolist()
        x = torch.tensor([ids])
        outputs = model.inference(x, aux_input={"x_lengths": torch.tensor([len(ids)])})
        for key in ("model_outputs", "durations_log", "alignments"):
            _close(outputs[key].numpy(), refs[f"{key}_{i}"], (key, i))


def test_teacher_forced_pass_and_loss_match_coqui(glow):
    model, refs, info = glow
    tensor = lambda key: torch.from_numpy(refs[key])  # noqa: E731
    with torch.no_grad():
        outputs = model.forward(tensor("tf_x"), tensor("tf_x_lengths"), tensor("tf_y"), tensor("tf_y_lengths"), aux_input={})
    for key in ("z", "logdet", "y_mean", "y_log_scale", "alignments", "durations_log", "total_durations_log"):
        _close(outputs[key].numpy(), refs[f"tf_{key}"], key)
    losses = GlowTTSLoss()(
        outputs["z"], outputs["y_mean"], outputs["y_log_scale"], outputs["logdet"], tensor("tf_y_lengths"),
        outputs["durations_log"], outputs["total_durations_log"], tensor("tf_x_lengths"),
    )  # fmt: skip
    for key, expected in info["tf_loss"].items():
        _close(float(losses[key]), np.asarray(expected), key)
