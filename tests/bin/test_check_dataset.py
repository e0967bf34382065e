"""TTS.bin.check_dataset: catches missing audio, wrong sample rates, unknown characters and bad metadata."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
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


def edited_config(tmp_path: Path, **fields) -> str:
    """A valid config file with ``fields`` replaced in its JSON (no validation on the way)."""
    path = write_config(tmp_path, tmp_path / "data")
    config = json.loads(Path(path).read_text(encoding="utf-8"))
    Path(path).write_text(json.dumps({**config, **fields}), encoding="utf-8")
    return path


def latin1_config(tmp_path: Path) -> str:
    path = Path(edited_config(tmp_path, run_name="X"))
    path.write_bytes(path.read_text(encoding="utf-8").replace('"X"', '"caf\xe9"').encode("latin-1"))
    return str(path)


def invalid_json_config(tmp_path: Path) -> str:
    (tmp_path / "bad.json").write_text('{"model": ', encoding="utf-8")
    return str(tmp_path / "bad.json")


def espeak_config(tmp_path: Path) -> str:
    from TTS.tts.utils.text.phonemizers.espeak import espeak_languages

    try:
        espeak_languages()
    except Exception as err:  # noqa: BLE001 - no espeak-ng here
        pytest.skip(f"espeak-ng is not usable: {err}")
    return edited_config(tmp_path, use_phonemes=True, phoneme_language="xx")


@pytest.mark.parametrize(
    "make_config, message",
    [
        (lambda tmp: str(tmp / "missing.json"), "config file not found"),
        (invalid_json_config, "not valid JSON"),
        (latin1_config, "not UTF-8"),
        (lambda tmp: edited_config(tmp, model="nope"), "unknown model 'nope'"),
        (lambda tmp: edited_config(tmp, text_cleaner="nope"), "unknown cleaner 'nope'"),
        (espeak_config, "'xx'"),
        (lambda tmp: edited_config(tmp, datasets=[]), "'datasets': no dataset given"),
    ],
    ids=["missing", "invalid_json", "latin1", "model", "cleaner", "phoneme_language", "no_datasets"],
)
def test_config_problems_end_in_one_error_line(tmp_path, capsys, make_config, message):
    make_corpus(tmp_path / "data", ["a|Hello.|Hello."])
    write_wav(tmp_path / "data" / "wavs" / "a.wav")
    assert main(["--config_path", make_config(tmp_path)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], captured.err
    assert captured.out == ""


def test_config_problem_from_the_command_line_has_no_traceback(tmp_path):
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "TTS.bin.check_dataset", "--config_path", str(tmp_path / "bad.json")],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {tmp_path / 'bad.json'}: not valid JSON")


def test_non_finite_audio_is_an_error_naming_the_file(tmp_path, capsys):
    root = tmp_path / "data"
    make_corpus(root, ["ok|Fine.|Fine.", "nan|Broken.|Broken.", "inf|Broken.|Broken."])
    write_wav(root / "wavs" / "ok.wav")
    for name, value in (("nan", np.nan), ("inf", np.inf)):
        wav = 0.1 * np.ones(int(0.1 * SR), dtype=np.float32)
        wav[100] = value
        sf.write(str(root / "wavs" / f"{name}.wav"), wav, SR, subtype="FLOAT")
    assert main(["--config_path", write_config(tmp_path, root)]) == 1
    out = capsys.readouterr().out
    for line, name in ((2, "nan"), (3, "inf")):
        wav = root / "wavs" / f"{name}.wav"
        assert f"ERROR   {root / 'metadata.csv'}:{line}: non-finite audio: {wav} has NaN or infinite samples" in out
    assert "2 errors, 0 warnings" in out


@pytest.mark.parametrize(
    "limits, message",
    [
        ({"min_audio_len": SR}, "min_audio_len=16000, max_audio_len=inf (samples at 16000 Hz)"),
        ({"max_text_len": 3}, "max_text_len=3"),
    ],
)
def test_every_clip_outside_the_length_limits_is_an_error(tmp_path, capsys, limits, message):
    root = tmp_path / "data"
    make_corpus(root, ["a|Hello.|Hello.", "b|World.|World."])
    for name in ("a", "b"):
        write_wav(root / "wavs" / f"{name}.wav")
    assert main(["--config_path", write_config(tmp_path, root, **limits)]) == 1
    out = capsys.readouterr().out
    assert "ERROR   config: no clip within the length limits: all 2 readable clips are outside " in out
    assert message in out and "1 errors, 2 warnings" in out


def test_empty_and_too_short_clips_are_warnings(tmp_path, capsys):
    root = tmp_path / "data"
    make_corpus(root, ["empty|Hello.|Hello.", "short|Hello.|Hello.", "ok|Hello.|Hello."])
    write_wav(root / "wavs" / "empty.wav", seconds=0)
    write_wav(root / "wavs" / "short.wav", seconds=0.05)
    write_wav(root / "wavs" / "ok.wav")
    config = write_config(tmp_path, root, min_audio_len=int(0.1 * SR))
    assert main(["--config_path", config]) == 0
    out = capsys.readouterr().out
    metadata = root / "metadata.csv"
    assert f"WARNING {metadata}:1: empty audio: {root / 'wavs' / 'empty.wav'} has no samples" in out
    assert (
        f"WARNING {metadata}:2: outside length limits: {root / 'wavs' / 'short.wav'}: audio of 800 samples, "
        "shorter than min_audio_len=1600" in out
    )
    assert "0 errors, 2 warnings" in out
    assert main(["--config_path", config, "--strict"]) == 1


def test_histogram_of_one_clip_has_one_bin(tmp_path, capsys):
    root = tmp_path / "data"
    make_corpus(root, ["a|Hello.|Hello."])
    write_wav(root / "wavs" / "a.wav", seconds=0.1)
    assert main(["--config_path", write_config(tmp_path, root), "--json"]) == 0
    histogram = json.loads(capsys.readouterr().out)["stats"]["duration_histogram"]
    assert histogram == [{"from_s": 0.1, "to_s": 0.1, "count": 1}]
    assert main(["--config_path", write_config(tmp_path, root)]) == 0
    assert "-0." not in capsys.readouterr().out
