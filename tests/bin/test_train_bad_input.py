"""``TTS/bin/train_tts.py`` on bad input: one ``error:`` line naming the problem, before any training.

Runs in this process up to the point where the Trainer would be built (replaced by a stub), on the
tiny corpus of ``helpers.corpus``: every case takes well under a second.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from trainer.generic_utils import get_experiment_folder_path as trainer_get_experiment_folder_path
from helpers.corpus import make_ljspeech_corpus, toy_config

import TTS.bin.train_tts as train_tts
from TTS.config import ConfigError, load_config
from TTS.tts.datasets.dataset import SampleError
from TTS.utils.io import CheckpointError


class TrainerReached(Exception):
    pass


def no_trainer(*args, **kwargs):
    raise TrainerReached()


@pytest.fixture
def corpus(tmp_path):
    return make_ljspeech_corpus(tmp_path / "LJ")


@pytest.fixture
def config_path(corpus, tmp_path):
    return write_config(tmp_path, corpus)


def write_config(tmp_path, corpus, **changes):
    config = {**toy_config(corpus, tmp_path / "out"), **changes}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


def error_line(argv, monkeypatch, capsys):
    """The message ``run`` exits with; nothing else may be printed (no usage block, no traceback)."""
    monkeypatch.setattr(train_tts, "Trainer", no_trainer)
    with pytest.raises(SystemExit) as exit_info:
        train_tts.run(argv=[str(arg) for arg in argv])
    message = exit_info.value.code
    assert isinstance(message, str) and message.startswith("error: ") and "\n" not in message, message
    assert capsys.readouterr().out == ""
    return message


# ------------------------------------------------------------------------------ --coqpit.<field> names


@pytest.mark.parametrize(
    "override, message",
    [
        (["--coqpit.epoch", "7"], "unknown config field 'epoch' (did you mean 'epochs'"),
        (["--coqpit.audio.sample", "16000"], "unknown config field 'audio.sample' (did you mean 'audio.sample_rate'"),
        (["--coqpit.gradual_training", "5"], "config field 'gradual_training' cannot be set with"),
        (["--coqpit.datasets.1.path", "x"], "unknown config field 'datasets.1.path'"),
        (["--continue", "x"], "unknown command-line argument --continue (did you mean '--continue_path'"),
    ],
    ids=["epoch", "audio.sample", "gradual_training", "datasets.1", "trainer-arg"],
)
def test_abbreviated_or_unknown_names_are_refused(override, message, config_path):
    with pytest.raises(ConfigError) as err:
        train_tts.parse_command_line(["--config_path", str(config_path), *override])
    assert message in str(err.value)


def test_exact_names_set_the_same_values_as_the_trainers_second_parse(config_path):
    """The trainer parses the overrides again with abbreviations allowed: exact names must win there too."""
    overrides = ["--coqpit.epochs", "7", "--coqpit.audio.sample_rate=16000", "--coqpit.gradual_training_start_r", "2"]
    _, config = train_tts.parse_command_line(["--config_path", str(config_path), *overrides])
    assert (config.epochs, config.audio.sample_rate, config.gradual_training_start_r) == (7, 16000, 2)
    again = load_config(config_path)
    assert again.parse_known_args(overrides, relaxed_parser=True) == []  # Coqpit's own parser, as the trainer's
    assert again.to_dict() == config.to_dict()


def test_bad_value_is_one_line_without_the_usage_block(config_path, monkeypatch, capsys):
    message = error_line(["--config_path", config_path, "--coqpit.batch_size", "abc"], monkeypatch, capsys)
    assert message == "error: config field 'batch_size': invalid int value: 'abc'"
    assert "usage" not in capsys.readouterr().err


# ------------------------------------------------------------------------------ config values


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"optimizer": "Adamm"}, "config field 'optimizer': unknown optimizer 'Adamm' (did you mean 'Adam'"),
        ({"lr_scheduler": "NoSuchLR"}, "config field 'lr_scheduler': unknown scheduler 'NoSuchLR'"),
        ({"batch_size": 0}, "config field 'batch_size': must be >= 1, got 0"),
        ({"eval_batch_size": 0}, "config field 'eval_batch_size': must be >= 1, got 0"),
        ({"gradual_training": [[0, 6, 0]]}, "config field 'gradual_training[0]'"),
        ({"use_phonemes": True, "phoneme_language": "en-xx"}, "does not support the language 'en-xx'"),
        ({"audio": {"stats_path": "/nonexistent/scale_stats.npy"}}, "scale stats file not found"),
        ({"batch_szie": 8}, "unknown config field 'batch_szie' (did you mean 'batch_size'?)"),
        ({"lr": -1}, "config field 'lr': must be a number > 0, got -1"),
        ({"epochs": 0}, "config field 'epochs': must be >= 1, got 0"),
        ({"print_step": 0}, "config field 'print_step': must be >= 1, got 0"),
        ({"save_step": 0}, "config field 'save_step': must be >= 1, got 0"),
        ({"num_loader_workers": -1}, "config field 'num_loader_workers': must be >= 0, got -1"),
        ({"test_sentences": ["Hi.", "日本語"]}, "config field 'test_sentences': '日本語' has no symbol of the model's"),
        ({"test_sentences_file": "/nonexistent/s.txt"}, "'test_sentences_file': cannot read /nonexistent/s.txt"),
    ],
    ids=[
        "optimizer", "lr_scheduler", "batch_size", "eval_batch_size", "gradual_batch_size", "language", "stats",
        "typo", "lr", "epochs", "print_step", "save_step", "workers", "test_sentence", "test_sentences_file",
    ],
)  # fmt: skip
def test_bad_config_values_end_in_one_line(changes, message, corpus, tmp_path, monkeypatch, capsys):
    if "audio" in changes:
        changes = {"audio": {**toy_config(corpus, tmp_path)["audio"], **changes["audio"]}}
    path = write_config(tmp_path, corpus, **changes)
    assert message in error_line(["--config_path", path], monkeypatch, capsys)


def test_mixed_precision_without_a_gpu_is_refused(config_path, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    argv = ["--config_path", config_path, "--coqpit.mixed_precision", "true"]
    assert "config field 'mixed_precision': needs a CUDA GPU" in error_line(argv, monkeypatch, capsys)


def test_output_path_that_cannot_be_a_folder_is_named(corpus, tmp_path, monkeypatch, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    path = write_config(tmp_path, corpus, output_path=str(a_file))
    assert f"config field 'output_path': {a_file} is a file, not a folder" in error_line(
        ["--config_path", path], monkeypatch, capsys
    )
    path = write_config(tmp_path, corpus, output_path=str(a_file / "runs"))
    assert f"config field 'output_path': cannot make the folder {a_file / 'runs'}" in error_line(
        ["--config_path", path], monkeypatch, capsys
    )


def test_scheduler_names_the_trainer_knows_are_accepted(config_path):
    for name in ("NoamLR", "StepwiseGradualLR", "StepLR"):
        _, config = train_tts.parse_command_line(["--config_path", str(config_path), "--coqpit.lr_scheduler", name])
        assert config.lr_scheduler == name


# ------------------------------------------------------------------------------ samples, checked before training


def sample_error(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(train_tts, "Trainer", no_trainer)
    with pytest.raises(SampleError) as err:
        train_tts.train(["--config_path", str(write_config(tmp_path, corpus, run_eval=False))])
    return str(err.value)


def test_malformed_metadata_line_is_one_line(corpus, tmp_path, monkeypatch, capsys):
    lines = (corpus / "metadata.csv").read_text().splitlines()
    lines[4] = "LJ001-0004|a|b|c|d"
    (corpus / "metadata.csv").write_text("\n".join(lines) + "\n")
    message = error_line(["--config_path", write_config(tmp_path, corpus)], monkeypatch, capsys)
    assert "metadata.csv:5" in message


def test_missing_audio_files_are_counted_before_training(corpus, tmp_path, monkeypatch):
    for name in ("LJ001-0003", "LJ001-0005"):
        (corpus / "wavs" / f"{name}.wav").unlink()
    message = sample_error(corpus, tmp_path, monkeypatch)
    assert message.startswith("2 audio files not found, e.g. ") and "LJ001-0003.wav" in message


def test_unreadable_audio_and_other_sample_rate_are_named(corpus, tmp_path, monkeypatch):
    (corpus / "wavs" / "LJ001-0002.wav").write_bytes(b"RIFF not a wav file" * 3)
    wav, rate = sf.read(corpus / "wavs" / "LJ001-0004.wav")
    sf.write(corpus / "wavs" / "LJ001-0004.wav", np.repeat(wav, 2), rate * 2)
    message = sample_error(corpus, tmp_path, monkeypatch)
    assert "1 audio file not readable, e.g. " in message and "LJ001-0002.wav" in message
    assert "1 audio file at another sample rate than audio.sample_rate=8000 Hz" in message
    assert "LJ001-0004.wav" in message and "audio.resample" in message


def test_other_sample_rate_is_fine_with_resample(corpus, tmp_path, monkeypatch):
    wav, rate = sf.read(corpus / "wavs" / "LJ001-0004.wav")
    sf.write(corpus / "wavs" / "LJ001-0004.wav", np.repeat(wav, 2), rate * 2)
    monkeypatch.setattr(train_tts, "Trainer", no_trainer)
    audio = {**toy_config(corpus, tmp_path)["audio"], "resample": True}
    with pytest.raises(TrainerReached):
        train_tts.train(["--config_path", str(write_config(tmp_path, corpus, audio=audio))])


def test_text_without_tokens_is_named(corpus, tmp_path, monkeypatch):
    lines = (corpus / "metadata.csv").read_text().splitlines()
    lines[3] = "LJ001-0003|%%%|%%%"
    (corpus / "metadata.csv").write_text("\n".join(lines) + "\n")
    message = sample_error(corpus, tmp_path, monkeypatch)
    assert message.startswith("1 text without any token, e.g. ") and "LJ001-0003.wav (text '%%%')" in message


# ------------------------------------------------------------------------------ --continue_path


def save_checkpoint(path, step):
    torch.save({"model": {}, "step": step, "epoch": 0, "config": {}}, path)


def test_broken_last_checkpoint_is_named_with_the_others(config_path, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(config_path.read_text())
    save_checkpoint(run / "checkpoint_2.pth", 2)
    save_checkpoint(run / "checkpoint_4.pth", 4)
    data = (run / "checkpoint_4.pth").read_bytes()
    (run / "checkpoint_4.pth").write_bytes(data[: len(data) // 2])  # an interrupted save
    with pytest.raises(CheckpointError) as err:
        train_tts.parse_command_line(["--continue_path", str(run)])
    message = str(err.value)
    assert "checkpoint_4.pth" in message and "move it aside" in message and "(checkpoint_2.pth)" in message
    (run / "checkpoint_4.pth").unlink()
    args, _ = train_tts.parse_command_line(["--continue_path", str(run)])
    assert args.continue_path == str(run)


def test_continue_path_and_restore_path_that_are_not_what_they_should_be(config_path, tmp_path):
    with pytest.raises(FileNotFoundError, match="--continue_path .*/missing: no such run folder"):
        train_tts.parse_command_line(["--continue_path", str(tmp_path / "missing")])
    with pytest.raises(FileNotFoundError, match="--restore_path: is a folder, not a checkpoint file"):
        train_tts.parse_command_line(["--config_path", str(config_path), "--restore_path", str(tmp_path)])


# ------------------------------------------------------------------------------ the run folder


def test_runs_started_in_the_same_minute_get_folders_of_their_own(config_path, tmp_path, monkeypatch):
    """The trainer names run folders to the minute: a second run would write into the first one's folder."""
    monkeypatch.setattr(train_tts, "get_experiment_folder_path", lambda root, name: Path(root) / f"{name}-same-minute")
    args, config = train_tts.parse_command_line(["--config_path", str(config_path)])
    first = Path(config.output_path) / f"{config.run_name}-same-minute"
    with train_tts.run_folder(args, config) as folder:
        assert folder == first and folder.is_dir()
        assert train_tts.trainer_module.get_experiment_folder_path("elsewhere", "x") == folder  # the trainer's choice
        (folder / "checkpoint_1.pth").write_bytes(b"saved")
        with train_tts.run_folder(args, config) as second:
            assert second == first.with_name(first.name + "-2")
        with pytest.raises(TrainerReached), train_tts.run_folder(args, config) as third:
            assert third == first.with_name(first.name + "-3")
            (third / "config.json").write_text("{}")
            raise TrainerReached()
        assert not third.exists()  # a run that failed before saving leaves no folder
    assert (first / "checkpoint_1.pth").read_bytes() == b"saved" and second.is_dir()
    assert train_tts.trainer_module.get_experiment_folder_path is trainer_get_experiment_folder_path  # put back


def test_failed_continue_puts_the_runs_config_back(config_path, tmp_path):
    """The trainer writes the overrides into the run's config.json before it restores: a failure must not keep them."""
    run = tmp_path / "run"
    run.mkdir()
    stored = config_path.read_text()
    (run / "config.json").write_text(stored)
    save_checkpoint(run / "checkpoint_2.pth", 2)
    args, config = train_tts.parse_command_line(["--continue_path", str(run)])
    with pytest.raises(TrainerReached), train_tts.run_folder(args, config) as folder:
        assert folder is None
        (run / "config.json").write_text('{"postnet_channels": 8}')  # what the trainer writes
        raise TrainerReached()  # restoring the checkpoint into the changed model fails
    assert (run / "config.json").read_text() == stored
    with pytest.raises(TrainerReached), train_tts.run_folder(args, config):
        (run / "config.json").write_text('{"epochs": 9}')
        save_checkpoint(run / "checkpoint_3.pth", 3)  # a checkpoint saved with the new config: it stays
        raise TrainerReached()
    assert (run / "config.json").read_text() == '{"epochs": 9}'
