"""benchmarks/finetune_vs_scratch.py: the step budget, reading and reporting both runs' curves (synthetic
TensorBoard events), and one smoke run of the whole script on a toy corpus."""

import json
from pathlib import Path

import pytest
import torch
from helpers.corpus import KUMO_RECIPE, last_checkpoint, make_ljspeech_corpus, run_folder, run_script, toy_args

from TTS.tts.configs.tacotron2_config import Tacotron2Config
from helpers.corpus import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHMARK = REPO_ROOT / "benchmarks" / "finetune_vs_scratch.py"


@pytest.fixture(scope="module")
def bench():
    return load_script(BENCHMARK, "finetune_vs_scratch")


def write_run(folder: Path, align_error: dict, loss: dict, epoch_ends=()) -> Path:
    """A run folder as the trainer leaves it: config.json and TensorBoard scalars."""
    from torch.utils.tensorboard import SummaryWriter

    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    writer = SummaryWriter(str(folder))
    for step, value in align_error.items():
        writer.add_scalar("TrainIterStats/align_error", value, step)
    for step, value in loss.items():
        writer.add_scalar("TrainIterStats/loss", value, step)
    for step in epoch_ends:
        writer.add_scalar("TrainEpochStats/epoch_time", 1.0, step)
    writer.close()
    return folder


def test_epochs_reach_the_budget_with_the_batch_size_of_each_epoch_start(bench):
    config = Tacotron2Config(batch_size=3, gradual_training=None)
    assert bench.plan_epochs(config, num_samples=10, budget=8) == bench.Plan(2, 8, (3,))  # 4 batches an epoch
    assert bench.plan_epochs(config, num_samples=10, budget=9) == bench.Plan(3, 12, (3,))  # whole epochs
    # gradual training: batches of 4 (3 a epoch) until step 5, then of 2 (5 an epoch) from the next epoch start
    config.gradual_training = [[0, 6, 4], [5, 4, 2]]
    assert bench.plan_epochs(config, num_samples=10, budget=7) == bench.Plan(3, 11, (4, 2))
    config.drop_last = True
    with pytest.raises(bench.BenchmarkError, match="no batch"):
        bench.plan_epochs(config, num_samples=3, budget=5)


def test_report_reads_both_runs_and_tells_which_aligned_first(bench, tmp_path):
    steps = range(0, 50, 10)
    finetune = write_run(
        tmp_path / "finetune" / "run",
        {s: 0.9 - 0.02 * s for s in steps},  # 0.5 at step 20
        {s: 2.0 - 0.01 * s for s in steps},
        epoch_ends=(25, 50),
    )
    scratch = write_run(tmp_path / "scratch" / "run", {s: 0.95 for s in steps}, {0: 3.0, 40: 2.5}, epoch_ends=(25, 50))
    runs = [bench.read_curves("finetune", finetune), bench.read_curves("scratch", scratch)]
    assert runs[0].steps_trained == runs[1].steps_trained == 50
    assert runs[0].align_error[20] == pytest.approx(0.5)

    text = bench.format_report(runs, align_threshold=0.5)
    assert "steps trained: finetune 50, scratch 50" in text and "WARNING" not in text
    assert "finetune: align_error <= 0.5 first at step 20;" in text
    assert "scratch: align_error <= 0.5 not reached by step 40;" in text
    table = text[text.index("\n\n") + 2 :].splitlines()
    assert table[0].split() == [
        "step",
        "align_error",
        "finetune",
        "align_error",
        "scratch",
        "loss",
        "finetune",
        "loss",
        "scratch",
    ]
    assert [row.split()[0] for row in table[1:]] == ["0", "10", "20", "30", "40"]
    assert table[2].split() == ["10", "0.7000", "0.9500", "1.9000", "-"]  # scratch logged no loss at step 10

    png = bench.plot_curves(runs, tmp_path / "curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    uneven = write_run(tmp_path / "short" / "run", {0: 0.9}, {0: 3.0}, epoch_ends=(25,))
    assert "WARNING: the runs did not train the same number of steps" in bench.format_report(
        [runs[0], bench.read_curves("short", uneven)], 0.5
    )


def test_reading_fails_clearly_without_events_or_tags(bench, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(bench.BenchmarkError, match="no TensorBoard events"):
        bench.read_curves("finetune", empty)
    no_align = write_run(tmp_path / "no_align", {}, {0: 1.0})
    with pytest.raises(bench.BenchmarkError, match="align_error"):
        bench.read_curves("finetune", no_align)


def test_wer_uses_the_last_checkpoint_step_both_runs_saved(bench, tmp_path):
    saved = {
        "finetune": ["checkpoint_4.pth", "checkpoint_6.pth", "best_model_7.pth"],
        "scratch": ["checkpoint_4.pth", "checkpoint_6.pth", "best_model_5.pth", "best_model.pth"],
    }
    runs = []
    for name, files in saved.items():
        folder = tmp_path / name
        folder.mkdir()
        for file_name in files:
            (folder / file_name).write_bytes(b"")
        runs.append(bench.RunCurves(name, folder, {}, {}, 7))
    step, paths = bench.final_checkpoints(runs)
    assert step == 6 and paths == {
        "finetune": tmp_path / "finetune" / "checkpoint_6.pth",
        "scratch": tmp_path / "scratch" / "checkpoint_6.pth",
    }


def test_bad_input_ends_in_one_error_line(bench, tmp_path, capsys):
    with pytest.raises(SystemExit, match="error: corpus not found: .*nope .*make_corpus.py --lang es"):
        bench.main(["--out", str(tmp_path / "out"), "--corpus", str(tmp_path / "nope"), "--steps", "3"])
    with pytest.raises(SystemExit, match="--coqpit.epochs: not allowed here, the step budget sets the epochs"):
        bench.main(["--out", str(tmp_path / "out"), "--extra", "--coqpit.batch_size", "4", "--coqpit.epochs", "9"])
    with pytest.raises(SystemExit, match="expected one run folder .* found none"):
        bench.main(["--out", str(tmp_path / "out"), "--report_only"])


@pytest.mark.parametrize("limit", ["0", "-2"])
def test_a_wer_limit_below_one_is_refused_before_training(bench, tmp_path, capsys, limit):
    with pytest.raises(SystemExit) as exc:
        bench.main(["--out", str(tmp_path / "out"), "--wer", "--wer_limit", limit])
    assert exc.value.code == 2
    assert f"--wer_limit {limit}: must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_finetune_start_r_is_read_from_the_restored_checkpoint(bench, tmp_path):
    default = bench.load_recipe().ENGLISH_MODEL  # the shipped English model, saved at the r it had reached
    with open(Path(default).parent / "config.json", encoding="utf-8") as f:
        assert bench.checkpoint_r(None) == json.load(f)["r"] < bench.load_recipe().make_config().r
    bare = tmp_path / "bare.pth"
    torch.save({"model": {}}, bare)
    with pytest.raises(bench.BenchmarkError, match="bare.pth: no reduction factor in the checkpoint's config"):
        bench.checkpoint_r(bare)


RESERVED = {"--coqpit.epochs", "--coqpit.output_path", "--coqpit.datasets.0.path"}


@pytest.mark.slow
def test_both_runs_train_the_same_steps_and_report_only_reproduces_the_table(tmp_path):
    corpus = make_ljspeech_corpus(tmp_path / "corpus")
    english = tmp_path / "english"
    quick = {"run_eval": False, "test_delay_epochs": 100, "mel_cache_path": tmp_path / "mels"}
    result = run_script(KUMO_RECIPE, toy_args(corpus, english, epochs=1, **quick))
    assert result.returncode == 0, result.stderr[-3000:]
    checkpoint = last_checkpoint(run_folder(english))

    args = toy_args(corpus, tmp_path / "unused", **quick)
    extra = [value for key, value in zip(args[::2], args[1::2]) if key not in RESERVED for value in (key, value)]
    out = tmp_path / "out"
    common = ["--out", str(out), "--corpus", str(corpus)]
    result = run_script(BENCHMARK, [*common, "--steps", "3", "--restore_path", str(checkpoint), "--extra", *extra])
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "3 steps: 3 epoch(s), 3 steps per run, batch size 16" in result.stdout  # gradual training: 1 batch/epoch
    assert "steps trained: finetune 3, scratch 3" in result.stdout and "WARNING" not in result.stdout
    assert (
        "Restoring from" in (out / "finetune.log").read_text() and "Restoring" not in (out / "scratch.log").read_text()
    )
    table = (out / "report.txt").read_text()
    assert [line.split()[0] for line in table.splitlines()[-3:]] == ["0", "1", "2"]  # plot_step 1
    assert (out / "curves.png").stat().st_size > 0

    again = run_script(BENCHMARK, [*common, "--report_only"])
    assert again.returncode == 0, again.stderr[-3000:]
    assert (out / "report.txt").read_text() == table and table.strip() in again.stdout
