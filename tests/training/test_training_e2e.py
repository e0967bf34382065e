"""End-to-end training through the recipes and ``TTS/bin/train_tts.py``: train, continue, restore.

Every run is a subprocess on a tiny generated LJSpeech-layout corpus with the model and the audio
shrunk to toy sizes through ``--coqpit.<field>`` overrides (see ``helpers.corpus``). The corpus has 8
clips; ``eval_split_size 2`` leaves 6 for training, so one epoch is 3 optimizer steps at batch size 2
(steps 0, 1, 2), ``save_step 2`` writes ``checkpoint_2.pth`` and the end of the epoch ``best_model_3.pth``.
"""

import json
import shutil

import pytest
import torch
from helpers.corpus import (
    DDC_RECIPE,
    TACOTRON2_RECIPE,
    TRAIN_TTS,
    checkpoints,
    coqpit_args,
    last_checkpoint,
    run_folder,
    run_script,
    toy_args,
    toy_config,
)

pytestmark = pytest.mark.slow

CHECKPOINT_KEYS = {"config", "model", "optimizer", "scheduler", "scaler", "step", "epoch", "date", "model_loss"}
WARMUP = 4000  # the recipes' NoamLR warmup_steps
STEPS_PER_EPOCH = 3
# runs that only need to train: no eval epoch, no test sentences (saves the figure rendering)
QUICK = {"run_eval": False, "test_delay_epochs": 100}


def toy_quick_args():
    return coqpit_args(QUICK)


def noam_lr(base_lr: float, step: int, warmup: int = WARMUP) -> float:
    """NoamLR's rate at its step ``step`` (1 when new): base * w^0.5 * min(step^-0.5, step * w^-1.5)."""
    return base_lr * warmup**0.5 * min(step**-0.5, step * warmup**-1.5)


def ok(result) -> str:
    """Failure message of a run: the tail of its output."""
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-5000:]}"


def load_safe(path):
    """A checkpoint read the safe way; it must not need any unpickling beyond tensors and containers."""
    return torch.load(path, map_location="cpu", weights_only=True)


def optimizer_steps(checkpoint) -> int:
    """Optimizer steps the checkpoint's (RAdam) state has counted."""
    states = checkpoint["optimizer"][0]["state"]
    assert states, "the checkpoint holds no optimizer state"
    return int(next(iter(states.values()))["step"])


def scalars(run, tag):
    """``{step: value}`` of a TensorBoard scalar of a run."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run), size_guidance={"scalars": 0})
    events.Reload()
    return {event.step: event.value for event in events.Scalars(tag)}


def tensorboard_tags(run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run), size_guidance={"scalars": 0, "images": 0, "audio": 0})
    events.Reload()
    return events.Tags()





@pytest.fixture(scope="module")
def base_run(corpus, tmp_path_factory):
    """One epoch of the Tacotron2 recipe (eval, test sentence, TensorBoard on): the run folder."""
    output = tmp_path_factory.mktemp("base")
    result = run_script(TACOTRON2_RECIPE, toy_args(corpus, output))
    assert result.returncode == 0, ok(result)
    return run_folder(output)


def test_recipe_trains_logs_and_writes_safe_checkpoints(base_run):
    files = checkpoints(base_run)
    assert {"checkpoint_2.pth", "best_model_3.pth", "best_model.pth"} <= set(files)
    for name in ("checkpoint_2.pth", "best_model_3.pth"):
        checkpoint = load_safe(files[name])
        assert CHECKPOINT_KEYS <= set(checkpoint), f"{name}: {sorted(checkpoint)}"
        assert checkpoint["epoch"] == 0
        assert optimizer_steps(checkpoint) == STEPS_PER_EPOCH  # checkpoint_2 is saved after step 2's update
    assert load_safe(files["checkpoint_2.pth"])["step"] == 2
    assert load_safe(files["best_model_3.pth"])["step"] == 3

    # the overrides reached the model and the stored config (which also carries the vocabulary)
    checkpoint = load_safe(files["best_model_3.pth"])
    config = json.loads((base_run / "config.json").read_text())
    assert config["encoder_in_features"] == 32 and config["audio"]["num_mels"] == 20
    assert checkpoint["config"]["num_chars"] == config["num_chars"] > 0
    assert tuple(checkpoint["model"]["embedding.weight"].shape) == (config["num_chars"], 32)
    assert config["characters"]["characters_class"].endswith("IPAPhonemes")

    # TensorBoard: training, evaluation and the test sentence were logged
    assert list(base_run.glob("events.out.tfevents.*"))
    tags = tensorboard_tags(base_run)
    assert "TrainIterStats/loss" in tags["scalars"] and "EvalStats/avg_loss" in tags["scalars"]
    assert any(tag.startswith("TestAudios/") for tag in tags["audio"])
    assert any(tag.startswith("TestFigures/") for tag in tags["images"])
    # a new run follows NoamLR from its first value (lr / warmup); the recipe steps it after every step
    lrs = scalars(base_run, "TrainIterStats/current_lr")
    assert [lrs[k] for k in range(STEPS_PER_EPOCH)] == pytest.approx([noam_lr(1e-4, k + 1) for k in range(3)], rel=1e-6)


def test_continue_resumes_weights_optimizer_scheduler_step_and_epoch(base_run, tmp_path):
    run = shutil.copytree(base_run, tmp_path / "run")
    before = load_safe(run / "best_model_3.pth")
    assert (before["step"], before["epoch"], optimizer_steps(before)) == (3, 0, 3)
    assert before["scheduler"][0]["last_epoch"] == 3

    result = run_script(TACOTRON2_RECIPE, ["--continue_path", str(run), "--coqpit.epochs", "2", *toy_quick_args()])
    assert result.returncode == 0, ok(result)
    assert "Continuing from best_model_3.pth" in result.stderr
    assert "Restoring Optimizer" in result.stderr and "Restoring Scheduler" in result.stderr
    n_tensors = len(before["model"])
    assert f"restore: {n_tensors} tensors loaded" in result.stderr

    assert list(tmp_path.iterdir()) == [run], "continue writes into the run folder it continues"
    # The trainer resumes at the saved step + 1 (4) and at the saved epoch index (0), and runs the
    # epochs up to --coqpit.epochs 2: epoch 0 = steps 4-6, epoch 1 = steps 7-9. checkpoint_8 is
    # written after the 3 + 5 = 8th optimizer update.
    after = load_safe(run / "checkpoint_8.pth")
    assert (after["step"], after["epoch"]) == (8, 1)
    assert optimizer_steps(after) == 8  # RAdam's state went on from the first run's 3 updates
    assert after["scheduler"][0]["last_epoch"] == 8  # and so did NoamLR's step count
    # the first step of the continued run uses the rate the scheduler had reached (NoamLR step 4)
    lrs = scalars(run, "TrainIterStats/current_lr")
    assert lrs[4] == pytest.approx(noam_lr(1e-4, 4), rel=1e-6)
    assert json.loads((run / "config.json").read_text())["epochs"] == 2


def test_restore_starts_a_new_run_with_fresh_optimizer_and_overridden_lr(base_run, corpus, tmp_path):
    source = base_run / "best_model_3.pth"
    output = tmp_path / "restored"
    result = run_script(
        TACOTRON2_RECIPE, ["--restore_path", str(source), *toy_args(corpus, output, lr="1e-5", **QUICK)]
    )
    assert result.returncode == 0, ok(result)
    assert "Restoring from best_model_3.pth" in result.stderr
    n_tensors = len(load_safe(source)["model"])
    assert f"restore: {n_tensors} tensors loaded" in result.stderr

    run = run_folder(output)
    first = load_safe(run / "checkpoint_2.pth")
    # step and epoch start again from 0; the optimizer is fresh: 3 updates counted, not 3 + 3
    assert (first["step"], first["epoch"], optimizer_steps(first)) == (2, 0, 3)
    assert first["scheduler"][0]["base_lrs"] == [1e-5] and first["config"]["lr"] == 1e-5
    assert json.loads((run / "config.json").read_text())["restore_path"] == str(source)

    # Learning rate of each optimizer step, as the trainer logs it before the step (plot_step 1).
    # The trainer's restore_model() ends with reset_lr(), which sets every param group to the
    # config's lr: the first step of a restored run runs at exactly --coqpit.lr = 1e-5 (a new run
    # starts at NoamLR's lr / warmup instead). The scheduler, built with base lr 1e-5 and stepped
    # after every optimizer step, sets the rate of step k >= 1 to NoamLR at its step k + 1:
    # 1e-5 * warmup^0.5 * min((k + 1)^-0.5, (k + 1) * warmup^-1.5).
    lrs = scalars(run, "TrainIterStats/current_lr")
    assert lrs[0] == pytest.approx(1e-5, rel=1e-6)
    assert [lrs[1], lrs[2]] == pytest.approx([noam_lr(1e-5, 2), noam_lr(1e-5, 3)], rel=1e-6)


def test_restore_into_a_model_of_another_shape_fails_listing_the_keys(base_run, corpus, tmp_path):
    output = tmp_path / "other_shape"
    args = ["--restore_path", str(base_run / "best_model.pth"), *toy_args(corpus, output, postnet_channels=8)]
    result = run_script(TACOTRON2_RECIPE, args)
    assert result.returncode == 1, ok(result)
    assert "Traceback" not in result.stderr, ok(result)
    assert "error: checkpoint does not match the model" in result.stderr
    assert "postnet.convolutions.0.convolution1d.weight: (8, 20, 5) <- (16, 20, 5)" in result.stderr
    assert [path.name for path in output.iterdir()] == ["phoneme_cache"]  # no run folder left behind


def test_failed_continue_leaves_the_run_as_it_was(base_run, tmp_path):
    """An override the checkpoint cannot take fails, and the run's config.json keeps what it stored."""
    run = shutil.copytree(base_run, tmp_path / "run")
    files = {path.name: path.read_bytes() for path in run.iterdir() if path.is_file()}
    result = run_script(TACOTRON2_RECIPE, ["--continue_path", str(run), "--coqpit.postnet_channels", "8"])
    assert result.returncode == 1, ok(result)
    assert "error: checkpoint does not match the model" in result.stderr, ok(result)
    for name, data in files.items():
        if not name.startswith(("trainer_", "events.out")):  # the trainer's log files grow
            assert (run / name).read_bytes() == data, name


def test_partial_restore_trains_and_says_what_kept_its_initial_values(base_run, corpus, tmp_path):
    output = tmp_path / "partial"
    args = [
        "--restore_path",
        str(base_run / "best_model.pth"),
        *toy_args(corpus, output, postnet_channels=8, allow_partial_restore=True, **QUICK),
    ]
    result = run_script(TACOTRON2_RECIPE, args)
    assert result.returncode == 0, ok(result)
    report = result.stderr[result.stderr.index("restore: ") :]
    assert "with a different shape" in report
    kept = report[report.index("left at their initial values:") :].splitlines()[0]
    assert "postnet.convolutions.0.convolution1d.weight" in kept
    assert "embedding.weight" not in kept  # matching tensors were loaded
    checkpoint = load_safe(run_folder(output) / "checkpoint_2.pth")
    assert tuple(checkpoint["model"]["postnet.convolutions.0.convolution1d.weight"].shape) == (8, 20, 5)


def test_restore_into_another_vocabulary_carries_symbol_rows_over_by_name(base_run, corpus, tmp_path):
    """The recipe's run reads IPA phonemes; a grapheme model with letters it never saw restores from it."""
    source = load_safe(base_run / "best_model_3.pth")
    output = tmp_path / "graphemes"
    config = {**toy_config(corpus, output), **QUICK, "double_decoder_consistency": False, "r": 2, "gradual_training": None}
    config["restore_symbol_map"] = {"ñ": "nj", "g": "ɡ"}  # IPA writes g as U+0261
    config["characters"] = {"characters_class": "TTS.tts.utils.text.characters.Graphemes",
                            "characters": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzñ",
                            "pad": "<PAD>", "eos": "<EOS>", "bos": "<BOS>", "blank": "<BLNK>"}  # fmt: skip
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")

    result = run_script(TRAIN_TTS, ["--config_path", str(config_path), "--restore_path", str(base_run / "best_model_3.pth")])
    assert result.returncode == 0, ok(result)
    report = result.stderr[result.stderr.index("restore: embedding.weight: symbols carried over by name") :]
    assert "2 from the map (mean of the listed rows): 'g' <- 'ɡ', 'ñ' <- 'n' 'j'" in report
    new = report[report.index("26 new (start from the mean") :].splitlines()[0]
    assert "'A'" in new and "'a'" not in new  # IPA has lower-case latin letters, not capitals
    assert "'ʃ'" in report[report.index(" dropped (in the checkpoint only)") :].splitlines()[0]
    # the rest of the model came from the checkpoint: the encoder's first convolution trained from its weights
    run = run_folder(output)
    first = load_safe(run / "checkpoint_2.pth")["model"]
    assert first["embedding.weight"].shape[0] == 4 + 53 + len("!'(),-.:;? ")  # specials, letters, punctuation
    key = "encoder.convolutions.0.convolution1d.weight"
    assert (first[key] - source["model"][key]).abs().max() < 0.05


def test_ddc_recipe_trains_with_its_gradual_training_schedule(corpus, tmp_path):
    output = tmp_path / "ddc"
    result = run_script(DDC_RECIPE, toy_args(corpus, output, **QUICK))
    assert result.returncode == 0, ok(result)
    # the schedule's first entry [0, 6, 64] sets r=6 and batch size 64: one batch of all 6 clips
    assert "gradual training at step 0: r=6, batch_size=64" in result.stderr
    run = run_folder(output)
    checkpoint = load_safe(run / "best_model_1.pth")
    assert CHECKPOINT_KEYS <= set(checkpoint)
    assert any(key.startswith("coarse_decoder.") for key in checkpoint["model"])
    assert checkpoint["config"]["double_decoder_consistency"] and checkpoint["config"]["r"] == 6


def test_train_tts_cli_trains_from_a_config_file(corpus, tmp_path):
    output = tmp_path / "cli"
    config_path = tmp_path / "config.json"
    config = toy_config(corpus, output)
    config["epochs"] = 2
    config_path.write_text(json.dumps(config), encoding="utf-8")

    result = run_script(TRAIN_TTS, ["--config_path", str(config_path), "--coqpit.lr", "2e-4"])
    assert result.returncode == 0, ok(result)
    run = run_folder(output)
    # gradual training [[0, 6, 2], [3, 2, 2]]: r drops from 6 to 2 at the start of epoch 1 (step 3)
    assert "gradual training at step 3: r=2, batch_size=2" in result.stderr
    last = load_safe(last_checkpoint(run))
    assert CHECKPOINT_KEYS <= set(last)
    assert last["config"]["r"] == 2 and last["config"]["lr"] == 2e-4 and last["epoch"] == 1
    assert last["config"]["characters"]["characters_class"].endswith("Graphemes")
    assert list(run.glob("events.out.tfevents.*"))


@pytest.mark.parametrize(
    "entry, extra, message",
    [
        (TACOTRON2_RECIPE, ["--coqpit.datasets.0.path", "/nonexistent/LJ"], "folder not found: '/nonexistent/LJ'"),
        (TACOTRON2_RECIPE, ["--restore_path", "/nonexistent/x.pth"], "checkpoint not found: /nonexistent/x.pth"),
        (DDC_RECIPE, ["--coqpit.r", "0"], "config field 'r': must be >= 1, got 0"),
        (TRAIN_TTS, ["--coqpit.datasets.0.path", "/nonexistent/LJ"], "folder not found: '/nonexistent/LJ'"),
        (TRAIN_TTS, ["--coqpit.lrr", "1e-5"], "unknown config field 'lrr' (did you mean 'lr'?)"),
    ],
    ids=["recipe-no-dataset", "recipe-no-checkpoint", "ddc-bad-field", "train_tts-no-dataset", "train_tts-unknown"],
)
def test_bad_input_ends_in_one_error_line(entry, extra, message, corpus, tmp_path):
    output = tmp_path / "out"
    if entry == TRAIN_TTS:  # as a module, with a config file
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(toy_config(corpus, output)), encoding="utf-8")
        result = run_script(None, ["--config_path", str(config_path), *extra], module="TTS.bin.train_tts")
    else:
        result = run_script(entry, toy_args(corpus, output) + extra)
    assert result.returncode == 1, ok(result)
    assert "Traceback" not in result.stderr, ok(result)
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: ") and message in last_line, ok(result)
