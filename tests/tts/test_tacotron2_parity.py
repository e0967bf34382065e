"""Numerical parity with Coqui TTS 0.28: fixture checkpoints reproduce every recorded array and loss."""

import json

import numpy as np
import pytest
import torch

from TTS.config import load_config
from TTS.tts.models import setup_model

TOL = 1e-4
CASES = [("a_ljspeech_ddc", None, "main", ""), ("a_ljspeech_ddc", 2, "ckptr2", "ckptr2_"), ("b_tacotron2_r2", None, "main", "")]


def _load(coqui_fixtures, coqui_checkpoint, name, ckpt_r):
    config = load_config(coqui_fixtures / name / "config.json")
    model = setup_model(config)
    model.load_checkpoint(config, str(coqui_checkpoint(name, ckpt_r)), eval=True)
    refs = np.load(coqui_fixtures / name / "refs.npz")
    info = json.loads((coqui_fixtures / name / "refs.json").read_text())
    return model, refs, info


@pytest.mark.slow
@pytest.mark.parametrize("name, ckpt_r, variant, prefix", CASES)
def test_inference_matches_coqui(coqui_fixtures, coqui_checkpoint, name, ckpt_r, variant, prefix):
    model, refs, info = _load(coqui_fixtures, coqui_checkpoint, name, ckpt_r)
    settings = info["variants"][variant]
    assert model.decoder.r == settings["decoder_r"]  # r taken from the checkpoint's stored config
    model.decoder.max_decoder_steps = settings["max_decoder_steps"]
    model.decoder.stop_threshold = 2.0  # never stop: compare the full recorded run
    for i, text in enumerate(info["texts"]):
        ids = model.tokenizer.text_to_ids(text["text"], language=model.language())
        assert ids == refs[f"ids_{i}"].tolist()
        outputs = model.inference(torch.tensor([ids]))
        for key, out_key in [
            ("decoder_outputs", "decoder_outputs"),
            ("postnet_outputs", "model_outputs"),
            ("alignments", "alignments"),
            ("stop_tokens", "stop_tokens"),
        ]:
            expected = refs[f"{prefix}{key}_{i}"]
            got = outputs[out_key][0].numpy()
            assert got.shape == expected.shape, (key, i)
            assert np.abs(got - expected).max() < TOL, (key, i)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a_ljspeech_ddc", "b_tacotron2_r2"])
def test_teacher_forced_outputs_and_losses_match_coqui(coqui_fixtures, coqui_checkpoint, name):
    model, refs, info = _load(coqui_fixtures, coqui_checkpoint, name, None)
    tensor = lambda key: torch.from_numpy(refs[key])  # noqa: E731
    batch = {
        "token_id": tensor("tf_text_input"),
        "token_id_lengths": tensor("tf_text_lengths"),
        "mel": tensor("tf_mel_input"),
        "mel_lengths": tensor("tf_mel_lengths"),
        "stop_targets": torch.repeat_interleave(tensor("tf_stop_targets"), model.decoder.r, dim=1),
    }
    batch = model.format_batch(batch)
    assert torch.equal(batch["stop_targets"], tensor("tf_stop_targets"))
    assert torch.equal(batch["stop_target_lengths"], tensor("tf_stop_target_lengths"))
    outputs, losses = model.eval_step(batch, model.get_criterion())
    pairs = [
        ("tf_decoder_outputs", "decoder_outputs"),
        ("tf_postnet_outputs", "model_outputs"),
        ("tf_alignments", "alignments"),
        ("tf_stop_tokens", "stop_tokens"),
        ("tf_decoder_outputs_coarse", "decoder_outputs_backward"),
        ("tf_alignments_coarse", "alignments_backward"),
    ]
    for ref_key, out_key in pairs:
        if ref_key in refs.files:
            expected = refs[ref_key]
            if ref_key == "tf_stop_tokens":
                expected = 1 / (1 + np.exp(-expected)) if expected.min() < 0 else expected
                got = torch.sigmoid(outputs[out_key]).numpy() if expected.min() >= 0 else outputs[out_key].numpy()
            else:
                got = outputs[out_key].numpy()
            assert np.abs(got - expected).max() < TOL, ref_key
    for key, value in info["teacher_forced_losses"].items():
        assert abs(float(losses[key]) - value) < TOL, key
