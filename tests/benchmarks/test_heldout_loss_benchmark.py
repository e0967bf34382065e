"""benchmarks/heldout_loss.py on toy models: identical batches and dropout for every model, so the same
weights score the same and other weights score otherwise; a corpus without its held-out list is one line."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from helpers.toy_models import write_toy_model
from helpers.corpus import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RATE = 22050
TEXTS = ["Hello there.", "It was 5 o'clock.", "Dr. Smith left early, didn't he?", "Yes."]


@pytest.fixture(scope="module")
def bench():
    return load_script(REPO_ROOT / "benchmarks" / "heldout_loss.py", "heldout_loss")


def make_heldout_corpus(root: Path) -> Path:
    rng = np.random.default_rng(0)
    (root / "heldout_wavs").mkdir(parents=True)
    lines = []
    for index, text in enumerate(TEXTS):
        t = np.arange(int(SAMPLE_RATE * (0.2 + 0.1 * index))) / SAMPLE_RATE
        wav = 0.3 * np.sin(2 * np.pi * (180 + 30 * index) * t) + 0.02 * rng.standard_normal(t.size)
        sf.write(str(root / "heldout_wavs" / f"clip{index}.wav"), wav.astype(np.float32), SAMPLE_RATE)
        lines.append(f"clip{index}|{text}|{text}")
    (root / "heldout.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def rows(out: str) -> list:
    return [(line.split()[0], [float(value) for value in line.split()[1:]]) for line in out.splitlines()[2:]]


def test_same_weights_score_the_same_and_other_weights_differ(bench, tmp_path, capsys):
    corpus = make_heldout_corpus(tmp_path / "corpus")
    first, _ = write_toy_model(tmp_path / "a", seed=0)
    second, _ = write_toy_model(tmp_path / "b", seed=1)
    bench.main(["--corpus", str(corpus), "--batch_size", "3", "--model_path", str(first), str(second), str(first)])
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"held-out clips of {corpus}: 4, batches of 3")
    scores = rows(out)
    assert [name for name, _ in scores] == [str(first), str(second), str(first)]
    assert all(
        len(values) == len(bench.COLUMNS) and np.isfinite(values).all() and values[0] > 0 for _, values in scores
    )
    assert scores[0][1] == scores[2][1] and scores[0][1] != scores[1][1]
    again = bench.heldout_losses(first, first.parent / "config.json", bench.read_heldout_samples(corpus, None), 3, 0)
    assert again["clips"] == 4
    assert [round(again[key], 4) for key in bench.COLUMNS] == scores[0][1]


def test_corpus_without_heldout_list_is_one_line(bench, tmp_path):
    with pytest.raises(SystemExit, match="held-out list not found"):
        bench.read_heldout_samples(tmp_path, None)
    (tmp_path / "heldout.csv").write_text("clip0|Hi.|hi.\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"heldout.csv:1: teacher wav missing"):
        bench.read_heldout_samples(tmp_path, None)


def test_corrupt_or_mismatched_weights_are_one_line(bench, tmp_path):
    samples = bench.read_heldout_samples(make_heldout_corpus(tmp_path / "corpus"), None)
    model_path, config_path = write_toy_model(tmp_path / "a")
    model_path.write_bytes(b"not a checkpoint")
    with pytest.raises(SystemExit, match="model.pth: not a readable PyTorch checkpoint"):
        bench.heldout_losses(model_path, config_path, samples, 3, 0)
    other_path, _ = write_toy_model(tmp_path / "b", speakers=["ada", "bo"])
    with pytest.raises(SystemExit, match=f"does not match {config_path}: 4 with a different shape.*e.g. ") as raised:
        bench.heldout_losses(other_path, config_path, samples, 3, 0)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--threads", "0"], "--threads 0: must be at least 1"),
        (["--batch_size", "0"], "--batch_size 0: must be at least 1"),
    ],
)
def test_counts_below_one_are_usage_errors(bench, tmp_path, capsys, flags, message):
    model_path, _ = write_toy_model(tmp_path / "a")
    with pytest.raises(SystemExit) as exc:
        bench.main(["--corpus", str(tmp_path), "--model_path", str(model_path), *flags])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_a_model_folder_or_missing_file_is_a_usage_error(bench, tmp_path, capsys):
    model_path, _ = write_toy_model(tmp_path / "a")
    for bad, message in (
        (model_path.parent, "is a folder, not a weight file"),
        (tmp_path / "nope.pth", "file not found"),
    ):
        with pytest.raises(SystemExit) as exc:
            bench.main(["--corpus", str(tmp_path), "--model_path", str(model_path), str(bad)])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert f"--model_path {bad}" in err and message in err
