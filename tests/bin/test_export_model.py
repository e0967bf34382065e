"""``TTS/bin/export_model.py``: a trainer checkpoint becomes a release folder (weights, clean config, plots).

A toy Tacotron2 (tiny widths, graphemes, random weights) is saved the way the trainer saves it,
with optimizer/scheduler/scaler state and machine-local paths in its config; each export is run
once per module and the tests read what it wrote.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers.toy_models import TOY_TACOTRON2_WIDTHS

from TTS.bin import export_model
from TTS.config import load_config
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.models import setup_model
from TTS.utils.synthesizer import Synthesizer

SENTENCE = "Hello world."
MAX_STEPS = 8
STEP = 123
TRAINING_ONLY_KEYS = ("optimizer", "scheduler", "scaler", "date", "model_loss")

pytestmark = pytest.mark.usefixtures("one_thread")


def toy_config() -> Tacotron2Config:
    return Tacotron2Config(
        **TOY_TACOTRON2_WIDTHS,
        text_cleaner="english_cleaners",
        languages=["en"],
        max_decoder_steps=MAX_STEPS,
        audio=BaseAudioConfig(griffin_lim_iters=2),
        # paths of the training machine that must not reach the release
        phoneme_cache_path="/home/trainer/runs/phoneme_cache",
        mel_cache_path="/scratch/trainer/mel_cache",
        output_path="/home/trainer/runs",
        test_sentences_file="/home/trainer/sentences.txt",
        datasets=[
            BaseDatasetConfig(formatter="ljspeech", path="/data/corpora/kumo_en/", meta_file_train="metadata.csv"),
            BaseDatasetConfig(formatter="ljspeech", path="/mnt/disk2/LJSpeech-1.1", meta_file_train="metadata.csv"),
        ],
    )


def write_run(folder: Path, *, with_events: bool, with_model: bool = True, with_config: bool = True):
    """A run folder like the trainer leaves it: ``checkpoint_123.pth`` + ``config.json`` (+ TensorBoard events)."""
    torch.manual_seed(0)
    config = toy_config()
    model = setup_model(config)
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-3)
    sum(p.square().sum() for p in model.parameters()).backward()
    optimizer.step()
    optimizer.zero_grad()
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    folder.mkdir(parents=True, exist_ok=True)
    checkpoint = {
        "config": config.to_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "scaler": {"scale": 65536.0, "growth_factor": 2.0},
        "step": STEP,
        "epoch": 4,
        "date": "March-14-2024_09+26AM",
        "model_loss": {"train_loss": 1.25},
    }
    if with_model:
        checkpoint["model"] = model.state_dict()
    if not with_config:
        del checkpoint["config"]
    path = folder / f"checkpoint_{STEP}.pth"
    torch.save(checkpoint, path)
    (folder / "config.json").write_text(json.dumps(config.to_dict(), indent=2))
    if with_events:
        from torch.utils.tensorboard import SummaryWriter

        writer = SummaryWriter(str(folder))
        for step, loss in ((10, 2.0), (20, 1.5), (30, 1.2), (40, 1.0)):
            writer.add_scalar("TrainIterStats/loss", loss, step)
        for step, loss in ((40, 1.3), (20, 1.7)):  # epoch means, written out of step order
            writer.add_scalar("TrainEpochStats/avg_loss", loss, step)
        writer.close()
        assert list(folder.glob("events.out.tfevents.*"))
    return path, model.eval(), config


def infer(model, config, text: str = SENTENCE) -> dict:
    ids = model.tokenizer.text_to_ids(text, language=None)
    torch.manual_seed(1)
    with torch.no_grad():
        return model.inference(torch.tensor([ids], dtype=torch.long), max_decoder_steps=MAX_STEPS)


def load_release(out: Path):
    config = load_config(str(out / "config.json"))
    model = setup_model(config)
    model.load_checkpoint(config, str(out / "model.pth"), eval=True)
    return model, config


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Run folder with events; exported once as fp16 (default) and once as fp32."""
    base = tmp_path_factory.mktemp("export")
    checkpoint, model, config = write_run(base / "run", with_events=True)
    fp16, fp32 = base / "release_fp16", base / "release_fp32"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(fp16)]) == 0  # default dtype
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(fp32), "--dtype", "fp32"]) == 0
    return {"checkpoint": checkpoint, "model": model, "config": config, "fp16": fp16, "fp32": fp32}


# ---------------------------------------------------------------------------- weights
@pytest.mark.parametrize("kind, dtype", [("fp16", torch.float16), ("fp32", torch.float32)])
def test_release_holds_weights_only_in_the_requested_dtype(run, kind, dtype):
    release = torch.load(run[kind] / "model.pth", map_location="cpu", weights_only=True)
    assert set(release) == {"model", "config", "step", "epoch"}  # what the trainer's --restore_path reads
    assert not any(key in release for key in TRAINING_ONLY_KEYS)
    assert release["step"] == STEP
    original = run["model"].state_dict()
    state = release["model"]
    assert list(state) == list(original)
    floats = [key for key, value in original.items() if torch.is_floating_point(value)]
    others = [key for key in original if key not in floats]
    assert floats and others  # BatchNorm's num_batches_tracked is an integer buffer
    for key in floats:
        assert state[key].dtype == dtype, key
        torch.testing.assert_close(state[key].float(), original[key].to(dtype).float(), rtol=0, atol=0)
    for key in others:
        assert state[key].dtype == original[key].dtype, key
        assert torch.equal(state[key], original[key]), key


def test_fp16_release_is_about_half_the_size_of_fp32(run):
    fp16, fp32 = (run[k] / "model.pth" for k in ("fp16", "fp32"))
    assert fp16.stat().st_size < 0.75 * fp32.stat().st_size
    assert fp32.stat().st_size < run["checkpoint"].stat().st_size  # no optimizer moments


# ---------------------------------------------------------------------------- loading and inference
def test_fp32_release_gives_identical_inference(run):
    expected = infer(run["model"], run["config"])
    model, config = load_release(run["fp32"])
    got = infer(model, config)
    assert got["model_outputs"].shape == expected["model_outputs"].shape
    assert got["model_outputs"].shape[1] > 0
    assert torch.equal(got["model_outputs"], expected["model_outputs"])
    assert torch.equal(got["alignments"], expected["alignments"])


def test_fp16_release_matches_within_half_precision(run):
    expected = infer(run["model"], run["config"])
    model, config = load_release(run["fp16"])
    assert all(p.dtype == torch.float32 for p in model.parameters())  # loaded back into a float32 model
    got = infer(model, config)
    assert got["model_outputs"].shape == expected["model_outputs"].shape
    assert not torch.equal(got["model_outputs"], expected["model_outputs"])  # the cast did change weights
    scale = expected["model_outputs"].abs().max().item()  # ~0.7; fp16 weights move outputs by ~4e-4
    assert scale > 0.1
    torch.testing.assert_close(got["model_outputs"], expected["model_outputs"], rtol=0, atol=1e-2 * scale)
    torch.testing.assert_close(got["alignments"], expected["alignments"], rtol=0, atol=1e-3)


@pytest.mark.parametrize("kind", ["fp16", "fp32"])
def test_release_loads_in_the_synthesizer(run, kind):
    synth = Synthesizer(run[kind] / "model.pth", run[kind] / "config.json")
    ids = run["model"].tokenizer.text_to_ids(SENTENCE, language=None)
    [(mel, _, _)] = synth.synthesize_mels([ids])
    expected = infer(run["model"], run["config"])["model_outputs"][0]
    assert mel.shape == tuple(expected.shape) and mel.shape[0] > 0
    mel = torch.as_tensor(mel)
    if kind == "fp32":
        assert torch.equal(mel, expected)
    else:
        scale = expected.abs().max().item()
        torch.testing.assert_close(mel, expected, rtol=0, atol=1e-2 * scale)
    wav = synth.tts(SENTENCE)
    assert len(wav) > 0 and np.isfinite(np.asarray(wav)).all()


# ---------------------------------------------------------------------------- config
@pytest.mark.parametrize("kind", ["fp16", "fp32"])
def test_config_has_no_machine_paths(run, kind):
    on_disk = json.loads((run[kind] / "config.json").read_text(encoding="utf-8"))
    embedded = torch.load(run[kind] / "model.pth", map_location="cpu", weights_only=True)["config"]
    assert embedded == on_disk
    for config in (on_disk, embedded):
        assert config["phoneme_cache_path"] is None
        assert config["mel_cache_path"] is None
        assert config["output_path"] == "output"
        assert config["test_sentences_file"] == ""
        assert [d["path"] for d in config["datasets"]] == ["kumo_en", "LJSpeech-1.1"]
        assert [d["meta_file_train"] for d in config["datasets"]] == ["metadata.csv"] * 2
        # nothing else changed
        assert config["model"] == "tacotron2"
        assert config["max_decoder_steps"] == MAX_STEPS
        assert config["r"] == run["config"].r
        text = json.dumps(config)
        for machine_path in ("/home/trainer", "/scratch", "/data/corpora", "/mnt/disk2"):
            assert machine_path not in text


def test_clean_config_does_not_touch_its_input():
    config = {"phoneme_cache_path": "/x/p", "output_path": "/x", "datasets": [{"path": "/x/corpus/"}, {"path": ""}]}
    cleaned = export_model.clean_config(config)
    assert cleaned == {
        "phoneme_cache_path": None,
        "output_path": "output",
        "datasets": [{"path": "corpus"}, {"path": ""}],
    }
    assert config == {
        "phoneme_cache_path": "/x/p",
        "output_path": "/x",
        "datasets": [{"path": "/x/corpus/"}, {"path": ""}],
    }


# ---------------------------------------------------------------------------- plots
def test_plots_written_with_events(run):
    for kind in ("fp16", "fp32"):
        for name in ("alignment.png", "loss.png"):
            png = run[kind] / name
            assert png.is_file(), png
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
            assert png.stat().st_size > 1000


def test_loss_series_has_the_batch_samples_and_the_epoch_means_in_step_order(tmp_path):
    write_run(tmp_path / "run", with_events=True)
    series = export_model.loss_series(tmp_path / "run")
    assert sorted(series) == ["TrainEpochStats/avg_loss", "TrainIterStats/loss"]
    assert [step for step, _ in series["TrainIterStats/loss"]] == [10, 20, 30, 40]
    assert [value for _, value in series["TrainIterStats/loss"]] == pytest.approx([2.0, 1.5, 1.2, 1.0])
    assert [step for step, _ in series["TrainEpochStats/avg_loss"]] == [20, 40]
    assert [value for _, value in series["TrainEpochStats/avg_loss"]] == pytest.approx([1.7, 1.3])
    assert export_model.loss_series(tmp_path / "nothing") == {}


def test_no_loss_plot_without_events_and_main_prints_what_it_wrote(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    out = tmp_path / "release"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["alignment.png", "config.json", "model.pth"]
    printed = capsys.readouterr().out.splitlines()
    assert [Path(line.split(" (")[0]).name for line in printed] == ["model.pth", "config.json", "alignment.png"]
    assert all(line.endswith(" MB)") for line in printed)


def test_checkpoint_without_config_uses_the_run_config_json(tmp_path):
    checkpoint, model, config = write_run(tmp_path / "run", with_events=False, with_config=False)
    out = tmp_path / "release"
    written = export_model.export(checkpoint, out, dtype="fp32")
    assert [p.name for p in written] == ["model.pth", "config.json", "alignment.png"]
    saved = json.loads((out / "config.json").read_text())
    assert saved["mel_cache_path"] is None and saved["output_path"] == "output"
    loaded, loaded_config = load_release(out)
    assert torch.equal(infer(loaded, loaded_config)["model_outputs"], infer(model, config)["model_outputs"])


# ---------------------------------------------------------------------------- errors
def test_checkpoint_without_model_is_an_error_naming_the_file(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False, with_model=False)
    out = tmp_path / "release"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out)]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    assert str(checkpoint) in lines[0]
    assert "model" in lines[0]
    assert not (out / "model.pth").exists()


def test_steps_before_makes_the_release_step_the_total_of_every_stage(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    out = tmp_path / "release"
    assert (
        export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out), "--steps_before", "10750"]) == 0
    )
    assert torch.load(out / "model.pth", weights_only=True)["step"] == 10750 + STEP
    negative = tmp_path / "negative"
    with pytest.raises(SystemExit) as exit_info:
        export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(negative), "--steps_before", "-1"])
    assert exit_info.value.code == 2
    assert "argument --steps_before: must be 0 or more, got -1" in capsys.readouterr().err
    assert not negative.exists()


def test_missing_checkpoint_is_an_error(tmp_path, capsys):
    missing = tmp_path / "nope.pth"
    assert export_model.main(["--checkpoint", str(missing), "--out_folder", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(missing) in err


def test_unknown_dtype_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as exc:
        export_model.main(["--checkpoint", "x.pth", "--out_folder", str(tmp_path), "--dtype", "bf16"])
    assert exc.value.code == 2


def test_release_restores_through_train_tts_checks_and_a_bare_state_dict_is_refused(run, tmp_path):
    from TTS.bin.train_tts import checkpoint_config
    from TTS.utils.io import CheckpointError

    release = torch.load(run["fp16"] / "model.pth", weights_only=True)
    assert checkpoint_config(str(run["fp16"] / "model.pth")).r == release["config"]["r"]
    bare = tmp_path / "bare.pth"
    torch.save(release["model"], bare)
    with pytest.raises(CheckpointError, match=r"bare.pth: not a training checkpoint: no 'step', 'epoch'"):
        checkpoint_config(str(bare))


def _error_lines(capsys):
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_run_folder_as_out_folder_is_refused_and_left_intact(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    run_config = (checkpoint.parent / "config.json").read_bytes()
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(checkpoint.parent), "--force"]) == 1
    assert "is a training run folder (it holds checkpoint_123.pth)" in _error_lines(capsys)
    assert (checkpoint.parent / "config.json").read_bytes() == run_config
    assert not (checkpoint.parent / "model.pth").exists()


def test_an_existing_release_is_replaced_only_with_force(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    out = tmp_path / "release"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out)]) == 0
    capsys.readouterr()
    before = (out / "model.pth").stat().st_mtime_ns
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out), "--dtype", "fp32"]) == 1
    assert "already holds model.pth and config.json; pass --force" in _error_lines(capsys)
    assert (out / "model.pth").stat().st_mtime_ns == before
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out), "--force"]) == 0


@pytest.mark.parametrize("sentence", ["", "你好"])
def test_a_sentence_without_vocabulary_symbols_writes_nothing(tmp_path, capsys, sentence):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    out = tmp_path / "release"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out), "--sentence", sentence]) == 1
    assert _error_lines(capsys) == f"error: --sentence {sentence!r} has no symbol of the model's vocabulary"
    assert not out.exists()


def test_out_folder_that_is_a_file_is_one_line(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    out = tmp_path / "release"
    out.write_text("notes")
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out)]) == 1
    assert _error_lines(capsys) == f"error: --out_folder {out} is a file, not a folder"


def test_checkpoint_folder_names_its_checkpoints(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    assert export_model.main(["--checkpoint", str(checkpoint.parent), "--out_folder", str(tmp_path / "out")]) == 1
    assert _error_lines(capsys) == (
        f"error: --checkpoint {checkpoint.parent} is a folder, not a checkpoint file; "
        "its checkpoints: checkpoint_123.pth"
    )
    assert export_model.main(["--checkpoint", str(tmp_path / "out"), "--out_folder", str(tmp_path / "o2")]) == 1
    assert "error: checkpoint not found" in _error_lines(capsys)


def test_weights_that_do_not_fit_their_config_write_nothing_and_keep_a_release(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    bad = torch.load(checkpoint, weights_only=False)
    bad["model"]["embedding.weight"] = torch.zeros(3, 3)
    bad_path = tmp_path / "run" / "checkpoint_999.pth"
    torch.save(bad, bad_path)
    out = tmp_path / "new_release"
    assert export_model.main(["--checkpoint", str(bad_path), "--out_folder", str(out)]) == 1
    line = _error_lines(capsys)
    assert line.startswith(f"error: {bad_path}: its weights do not fit its config: 1 with a different shape")
    assert "embedding.weight: (3, 3) in the checkpoint" in line
    assert not out.exists()
    release = tmp_path / "release"  # a good release is not replaced by a bad one, even with --force
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(release)]) == 0
    before = {path.name: path.read_bytes() for path in release.iterdir()}
    capsys.readouterr()
    assert export_model.main(["--checkpoint", str(bad_path), "--out_folder", str(release), "--force"]) == 1
    assert "its weights do not fit its config" in _error_lines(capsys)
    assert {path.name: path.read_bytes() for path in release.iterdir()} == before


def test_out_folder_under_a_file_is_one_line(tmp_path, capsys):
    checkpoint, _, _ = write_run(tmp_path / "run", with_events=False)
    notes = tmp_path / "notes"
    notes.write_text("notes")
    out = notes / "release"
    assert export_model.main(["--checkpoint", str(checkpoint), "--out_folder", str(out)]) == 1
    assert _error_lines(capsys) == f"error: --out_folder {out}: {notes} is a file, not a folder"
    assert notes.read_text() == "notes"
