"""The kumo fine-tuning recipes end to end on a toy corpus: English base run, then Spanish fine-tuning.

The recipes' model and audio are shrunk with ``--coqpit`` overrides (``helpers.corpus.toy_args``);
the base run stands in for the embedded English model.
"""

import subprocess
import sys

import pytest
import soundfile as sf
import torch
from helpers.corpus import (
    KUMO_FINETUNE_LANGUAGE,
    KUMO_FINETUNE_SPEAKER,
    KUMO_MULTISPEAKER,
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
def second_voice(tmp_path_factory):
    """Another single-speaker corpus: the same layout, other tones."""
    return make_ljspeech_corpus(tmp_path_factory.mktemp("voice2") / "LJSpeech-1.1", count=6, seed=1)


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
    assert tuned["config"]["attention_prior_until_step"] == 0  # the restored attention needs no prior
    weights = tuned["model"]
    frozen = [k for k in weights if k.startswith(("postnet.", "decoder.decoder_rnn.", "decoder.linear_projection."))]
    assert frozen and all(torch.equal(weights[k], source[k]) for k in frozen if "num_batches" not in k)
    trained = [k for k in weights if k.startswith("encoder.") and k.endswith("weight")]
    assert any(not torch.equal(weights[k], source[k]) for k in trained)


def test_a_spanish_checkpoint_starts_a_further_stage_with_every_layer_training(english_checkpoint, corpus, tmp_path):
    first = tmp_path / "es"
    args = toy_args(corpus, first, mel_cache_path=tmp_path / "mels", **QUICK)
    result = run_script(KUMO_FINETUNE_LANGUAGE, ["--restore_path", str(english_checkpoint), *args])
    assert result.returncode == 0, ok(result)
    assert "a further stage" not in result.stderr  # an English checkpoint: the layer-wise schedule
    spanish = last_checkpoint(run_folder(first))

    second = tmp_path / "es2"
    args = toy_args(corpus, second, mel_cache_path=tmp_path / "mels", **QUICK)
    result = run_script(KUMO_FINETUNE_LANGUAGE, ["--restore_path", str(spanish), *args])
    assert result.returncode == 0, ok(result)
    assert "already speaks 'es': a further stage" in result.stderr
    assert "frozen at step 0" in result.stderr and "\n > freeze: 0 of " in result.stderr
    assert "restore: embedding.weight: symbols" not in result.stderr  # the same vocabulary
    source, tuned = load_safe(spanish)["model"], load_safe(last_checkpoint(run_folder(second)))
    assert tuned["config"]["lr"] == 1e-4
    for block in ("encoder.", "decoder.decoder_rnn.", "decoder.linear_projection.", "postnet."):
        keys = [k for k in tuned["model"] if k.startswith(block) and "weight" in k]
        assert any(not torch.equal(tuned["model"][k], source[k]) for k in keys), block


def test_from_scratch_baseline_restores_nothing_and_freezes_nothing(corpus, tmp_path):
    output = tmp_path / "scratch"
    args = ["--from_scratch", *toy_args(corpus, output, mel_cache_path=tmp_path / "mels", **QUICK)]
    result = run_script(KUMO_FINETUNE_LANGUAGE, args)
    assert result.returncode == 0, ok(result)
    assert "Restoring from" not in result.stderr and "freeze: " not in result.stderr
    config = load_safe(last_checkpoint(run_folder(output)))["config"]
    assert config["run_name"] == "kumo-es-scratch"
    assert config["attention_prior_until_step"] > 0  # the English recipe's prior, as a run from scratch needs


def test_speaker_finetuning_trains_the_decoder_and_keeps_the_text_side_frozen(english_checkpoint, second_voice, tmp_path):
    output = tmp_path / "voice2"
    args = ["--restore_path", str(english_checkpoint), *toy_args(second_voice, output, mel_cache_path=tmp_path / "mels", **QUICK)]
    result = run_script(KUMO_FINETUNE_SPEAKER, args)
    assert result.returncode == 0, ok(result)
    assert "restore: embedding.weight: symbols" not in result.stderr  # same vocabulary: nothing to carry over
    source, tuned = load_safe(english_checkpoint)["model"], load_safe(last_checkpoint(run_folder(output)))["model"]
    text_side = [k for k in tuned if k.startswith(("embedding.", "encoder."))]
    assert text_side and all(torch.equal(tuned[k], source[k]) for k in text_side)
    for block in ("decoder.attention.", "decoder.decoder_rnn.", "decoder.prenet.", "postnet."):
        keys = [k for k in tuned if k.startswith(block) and "weight" in k]
        assert any(not torch.equal(tuned[k], source[k]) for k in keys), block


def test_multispeaker_recipe_trains_two_voices_and_the_cli_lists_and_uses_them(english_checkpoint, corpus, second_voice, tmp_path):
    output = tmp_path / "multi"
    args = toy_args(corpus, output, mel_cache_path=tmp_path / "mels", **QUICK)
    args += ["--coqpit.datasets.1.path", str(second_voice), "--restore_path", str(english_checkpoint)]
    result = run_script(KUMO_MULTISPEAKER, args)
    assert result.returncode == 0, ok(result)
    assert "8 with inputs grown at the end" in result.stderr  # both decoders read the speaker embedding too
    assert "left at their initial values: speaker_embedding.weight\n" in result.stderr  # the only new tensor
    run = run_folder(output)
    checkpoint = last_checkpoint(run)
    assert load_safe(checkpoint)["config"]["speakers"] == ["gongitsune", "kumo"]

    tts = [sys.executable, "-m", "TTS.bin.synthesize", "--model_path", str(checkpoint), "--config_path", str(run / "config.json")]
    listed = subprocess.run([*tts, "--list_speaker_idxs"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "gongitsune" in listed.stdout and "kumo" in listed.stdout
    wavs = {}
    for speaker in ("kumo", "gongitsune"):
        out = tmp_path / f"{speaker}.wav"
        spoken = subprocess.run([*tts, "--text", "Hi there.", "--speaker_idx", speaker, "--out_path", str(out)],
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert spoken.returncode == 0, spoken.stderr
        wavs[speaker] = sf.read(out)[0]
    assert not (len(wavs["kumo"]) == len(wavs["gongitsune"]) and (wavs["kumo"] == wavs["gongitsune"]).all())
    bad = subprocess.run([*tts, "--text", "Hi.", "--speaker_idx", "nobody", "--out_path", str(tmp_path / "x.wav")],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert bad.returncode != 0 and "nobody" in bad.stderr and "Traceback" not in bad.stderr
