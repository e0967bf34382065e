"""TTS.bin.check_dataset: catches missing audio, wrong sample rates, unknown characters and bad metadata."""

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from TTS.bin.check_dataset import main
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config

SR = 16000


def write_wav(path: Path, sr: int = SR, seconds: float = 0.1) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), 0.1 * np.ones(int(sr * seconds)), sr)


def make_corpus(root: Path, lines) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_config(tmp_path: Path, root: Path, **overrides) -> str:
    config = Tacotron2Config(
        audio=BaseAudioConfig(sample_rate=SR),
        datasets=[BaseDatasetConfig(formatter="ljspeech", path=str(root), meta_file_train="metadata.csv")],
        **overrides,
    )
    path = tmp_path / "config.json"
    config.save_json(str(path))
    return str(path)


def broken_corpus(root: Path) -> None:
    make_corpus(root, ["ok|Fine.|Fine.", "gone|No audio.|No audio.", "fast|Wrong rate.|Wrong rate.", "odd|Ода.|Ода."])
    write_wav(root / "wavs" / "ok.wav")
    write_wav(root / "wavs" / "fast.wav", sr=2 * SR)
    write_wav(root / "wavs" / "odd.wav")


def test_reports_missing_file_sample_rate_and_unknown_character(tmp_path, capsys):
    root = tmp_path / "data"
    broken_corpus(root)
    assert main(["--config_path", write_config(tmp_path, root)]) == 1
    out = capsys.readouterr().out
    metadata = root / "metadata.csv"
    assert f"ERROR   {metadata}:2: missing audio file: {root / 'wavs' / 'gone.wav'}" in out
    assert f"ERROR   {metadata}:3: sample rate: {root / 'wavs' / 'fast.wav'} is {2 * SR} Hz" in out
    assert f"WARNING {metadata}:4: unknown character: 'О' (U+041E) in 1 samples" in out
    assert "4 samples, 3 readable audio files" in out


def test_json_report_and_unknown_chars_as_errors(tmp_path, capsys):
    root = tmp_path / "data"
    broken_corpus(root)
    assert main(["--config_path", write_config(tmp_path, root, unknown_chars="error"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    problems = {(error["problem"], error["where"].rsplit(":", 1)[1]) for error in report["errors"]}
    assert problems >= {("missing audio file", "2"), ("sample rate", "3"), ("unknown character", "4")}
    assert set(report["stats"]["unknown_characters"]) == {"О", "д", "а"}
    assert abs(report["stats"]["total_hours"] - 0.3 / 3600) < 1e-9
    assert sum(b["count"] for b in report["stats"]["duration_histogram"]) == 3


def test_clean_corpus_with_formatter_and_path_passes(tmp_path, capsys):
    root = tmp_path / "data"
    make_corpus(root, ["a|Hello.|Hello.", "b|World.|World."])
    for name in ("a", "b"):
        write_wav(root / "wavs" / f"{name}.wav", sr=22050)  # the default config's rate
    assert main(["--formatter", "ljspeech", "--path", str(root)]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


def test_malformed_metadata_and_empty_text_are_errors(tmp_path, capsys):
    root = tmp_path / "data"
    make_corpus(root, ["a|Hello.|Hello.", "b"])
    assert main(["--config_path", write_config(tmp_path, root)]) == 1
    assert f"cannot load metadata: {root / 'metadata.csv'}:2: expected" in capsys.readouterr().out
    make_corpus(root, ["a| | "])
    write_wav(root / "wavs" / "a.wav")
    assert main(["--config_path", write_config(tmp_path, root)]) == 1
    assert f"{root / 'metadata.csv'}:1: empty text" in capsys.readouterr().out
