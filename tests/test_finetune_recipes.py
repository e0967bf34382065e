"""The kumo fine-tuning recipes end to end on a toy corpus: English base run, then Spanish fine-tuning.

The recipes' model and audio are shrunk with ``--coqpit`` overrides (``corpus_utils.toy_args``);
the base run stands in for the embedded English model.
"""

import pytest
import torch
from corpus_utils import (
    KUMO_FINETUNE_LANGUAGE,
    KUMO_RECIPE,
    last_checkpoint,
    make_ljspeech_corpus,
    run_folder,
    run_script,
    toy_args,
)

pytestmark = pytest.mark.slow

QUICK = {"run_eval": False, "test_delay_epochs": 100, "epochs": 1}


def ok(result) -> str:
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-5000:]}"


def load_safe(path):
    return torch.load(path, map_location="cpu", weights_only=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_ljspeech_corpus(tmp_path_factory.mktemp("corpus") / "LJSpeech-1.1")


@pytest.fixture(scope="module")
def english_checkpoint(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("english")
    args = toy_args(corpus, output, mel_cache_path=output / "mel_cache", **QUICK)
    result = run_script(KUMO_RECIPE, args)
    assert result.returncode == 0, ok(result)
    return last_checkpoint(run_folder(output))


def test_language_finetuning_maps_new_sounds_and_keeps_the_acoustic_layers_frozen(english_checkpoint, corpus, tmp_path):
    output = tmp_path / "es"
    args = ["--restore_path", str(english_checkpoint), *toy_args(corpus, output, mel_cache_path=tmp_path / "mels", **QUICK)]
    result = run_script(KUMO_FINETUNE_LANGUAGE, args)
    assert result.returncode == 0, ok(result)
    log = result.stderr
    report = log[log.index("restore: embedding.weight: symbols carried over by name") :]
    mapped = report.splitlines()[2]
    assert mapped.startswith("  9 from the map")
    for pair in ("'r' <- 'ɾ'", "'ɲ' <- 'n' 'j'", "'¿' <- '?'", "'¡' <- '!'"):
        assert pair in mapped, pair
    assert "\n  0 new (" in report and "\n  0 dropped (" in report
    assert "freeze: " in log and "frozen at step 0" in log

    source, tuned = load_safe(english_checkpoint)["model"], load_safe(last_checkpoint(run_folder(output)))
    assert tuned["config"]["phoneme_language"] == "es" and "¿" in tuned["config"]["characters"]["punctuations"]
    weights = tuned["model"]
    frozen = [k for k in weights if k.startswith(("postnet.", "decoder.decoder_rnn.", "decoder.linear_projection."))]
    assert frozen and all(torch.equal(weights[k], source[k]) for k in frozen if "num_batches" not in k)
    trained = [k for k in weights if k.startswith("encoder.") and k.endswith("weight")]
    assert any(not torch.equal(weights[k], source[k]) for k in trained)


def test_from_scratch_baseline_restores_nothing_and_freezes_nothing(corpus, tmp_path):
    output = tmp_path / "scratch"
    args = ["--from_scratch", *toy_args(corpus, output, mel_cache_path=tmp_path / "mels", **QUICK)]
    result = run_script(KUMO_FINETUNE_LANGUAGE, args)
    assert result.returncode == 0, ok(result)
    assert "Restoring from" not in result.stderr and "freeze: " not in result.stderr
    assert load_safe(last_checkpoint(run_folder(output)))["config"]["run_name"] == "kumo-es-scratch"
