"""Coqui's fine-tuning guide with Glow-TTS, on a toy corpus: train with the recipe, restore with overrides
(recipe and train_tts), continue, another vocabulary, then synthesise the result with ``tts``."""

import json
import subprocess
import sys

import pytest
import soundfile as sf
import torch
from helpers.corpus import REPO_ROOT, TRAIN_TTS, coqpit_args, last_checkpoint, run_folder, run_script

pytestmark = pytest.mark.slow

GLOW_RECIPE = REPO_ROOT / "recipes" / "ljspeech" / "glow_tts" / "train_glowtts.py"
TOY_GLOW = {
    "hidden_channels_enc": 16,
    "hidden_channels_dec": 16,
    "hidden_channels_dp": 16,
    "num_flow_blocks_dec": 2,
    "num_block_layers": 2,
    "out_channels": 20,
    "data_dep_init_steps": 1,
    "use_phonemes": False,
    "text_cleaner": "english_cleaners",
    "epochs": 1,
    "batch_size": 2,
    "eval_batch_size": 2,
    "eval_split_size": 2,
    "print_step": 1,
    "test_delay_epochs": 0,
    "test_sentences.0": "Hi there.",
    "num_loader_workers": 0,
    "num_eval_loader_workers": 0,
    "mixed_precision": False,
    "training_seed": 1,
}
TOY_AUDIO = {
    "sample_rate": 8000,
    "fft_size": 256,
    "win_length": 256,
    "hop_length": 64,
    "num_mels": 20,
    "mel_fmax": 4000,
    "griffin_lim_iters": 2,
    "do_trim_silence": False,
}


def glow_args(corpus, output, **extra):
    values = {**TOY_GLOW, "output_path": output, "datasets.0.path": corpus, **extra}
    return coqpit_args(values) + coqpit_args(TOY_AUDIO, prefix="audio.")


def ok(result) -> str:
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-4000:]}"





@pytest.fixture(scope="module")
def base_run(corpus, tmp_path_factory):
    output = tmp_path_factory.mktemp("glow_base")
    result = run_script(GLOW_RECIPE, glow_args(corpus, output))
    assert result.returncode == 0, ok(result)
    assert "data-dependent ActNorm initialisation step" in result.stderr + result.stdout
    return run_folder(output)


def test_guide_commands_restore_override_continue_and_synthesise(base_run, corpus, tmp_path):
    checkpoint = last_checkpoint(base_run)
    n_tensors = len(torch.load(checkpoint, map_location="cpu", weights_only=True)["model"])
    # python recipes/ljspeech/glow_tts/train_glowtts.py --restore_path ... --coqpit.run_name ... --coqpit.lr 0.00001
    output = tmp_path / "finetune"
    args = ["--restore_path", str(checkpoint), *glow_args(corpus, output, run_name="glow-tts-finetune", lr="0.00001")]
    result = run_script(GLOW_RECIPE, args)
    assert result.returncode == 0, ok(result)
    assert f"restore: {n_tensors} tensors loaded" in result.stderr
    run = run_folder(output)
    assert run.name.startswith("glow-tts-finetune")
    saved = json.loads((run / "config.json").read_text())
    assert saved["lr"] == 1e-5 and saved["model"] == "glow_tts" and saved["restore_path"] == str(checkpoint)

    # python TTS/bin/train_tts.py --config_path .../config.json --restore_path .../model_file.pth
    output2 = tmp_path / "train_tts"
    result = run_script(
        TRAIN_TTS,
        ["--config_path", str(base_run / "config.json"), "--restore_path", str(checkpoint), "--coqpit.output_path", str(output2)],
    )
    assert result.returncode == 0, ok(result)
    assert f"restore: {n_tensors} tensors loaded" in result.stderr

    # --continue_path resumes the fine-tuning run for one more epoch
    result = run_script(GLOW_RECIPE, ["--continue_path", str(run), "--coqpit.epochs", "2"])
    assert result.returncode == 0, ok(result)
    assert f"restore: {n_tensors} tensors loaded" in result.stderr  # the run's own checkpoint, optimizer and step
    assert "EPOCH: 1/1" in result.stdout + result.stderr
    tuned = last_checkpoint(run)

    # tts with the result, at two speaking rates
    wav_path = tmp_path / "out.wav"
    command = [sys.executable, "-m", "TTS.bin.synthesize", "--model_path", str(tuned), "--config_path", str(run / "config.json")]
    synth = subprocess.run(
        [*command, "--text", "Go home now. The sun is up.", "--out_path", str(wav_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert synth.returncode == 0, synth.stderr[-3000:]
    wav, rate = sf.read(str(wav_path))
    assert rate == 8000 and wav.size > 0 and abs(wav).max() > 0


def test_restore_into_another_vocabulary_carries_the_symbol_rows_over(base_run, corpus, tmp_path):
    config = json.loads((base_run / "config.json").read_text())
    config["characters"]["characters"] += "ñ"
    config["output_path"] = str(tmp_path / "out")
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = run_script(TRAIN_TTS, ["--config_path", str(path), "--restore_path", str(last_checkpoint(base_run))])
    assert result.returncode == 0, ok(result)
    assert "restore: encoder.emb.weight: symbols carried over by name" in result.stderr
