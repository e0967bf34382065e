"""Smoke runs of the scripts in benchmarks/: they start, run their quickest mode and print their tables."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = REPO_ROOT / "benchmarks"


def _run(args, timeout: int) -> str:
    result = subprocess.run(
        [sys.executable, *map(str, args)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_speed_benchmark_quick_run_prints_table(coqui_fixtures):
    script = BENCHMARKS / "tacotron2_speed.py"
    args = ["--quick", "--threads", "1", "--repeats", "1", "--models", "b", "--fixtures", coqui_fixtures]
    out = _run([script, *args], timeout=120)
    lines = out.splitlines()
    assert (
        "| model | part | threads | r | frames (steps) | ours s | best s | spread | RTF | Coqui s | Coqui/ours "
        "| calib ms | op us | ours/calib |"
    ) in lines
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines if line.startswith("| b: plain")]
    assert [row[1] for row in rows] == ["inference", "train"]
    assert all(row[4] == "48 (24)" for row in rows)  # --quick: 48 frames at r=2
    assert all(float(row[5]) > 0 and float(row[11]) > 0 for row in rows)  # our seconds, calibration ms
    assert all(row[10] == "-" for row in rows)  # no ratio to SPEED.md for a quick run


@pytest.mark.slow
def test_overfit_alignment_smoke_run_reports_and_saves_plots(tmp_path):
    out = _run([BENCHMARKS / "overfit_alignment.py", "--steps", "3", "--no-check", "--out", tmp_path], timeout=120)
    assert "step     loss" in out
    for label in ("teacher-forced start", "teacher-forced end", "free-running end"):
        assert label in out, label
    assert ("PASSED" in out) or ("NOT CHECKED" in out)
    for stage in ("teacher_forced_start", "teacher_forced_end", "free_running_end"):
        assert (tmp_path / f"alignment_{stage}.png").stat().st_size > 0, stage


@pytest.mark.slow
def test_overfit_alignment_glow_tts_smoke_run_reports_start_and_end_figures():
    script = BENCHMARKS / "overfit_alignment_glow_tts.py"
    out = _run([script, "--steps", "3", "--init-steps", "1", "--no-check"], timeout=120)
    lines = out.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines if line.startswith(("start ", "end "))}
    assert set(rows) == {"start", "end"}
    for label, (hit, exact, dur_mae, mas_dur_mae, loss) in rows.items():
        assert 0.0 <= float(exact) <= float(hit) <= 1.0, label
        assert float(dur_mae) >= 0 and float(mas_dur_mae) >= 0, label
        assert math.isfinite(float(loss)), label
    assert float(rows["end"][4]) < float(rows["start"][4])  # three Adam steps already lower the loss
    assert ("PASSED" in out) or ("NOT CHECKED" in out)


@pytest.mark.slow
def test_synthesis_speed_quick_run_reports_ratios_and_their_ceiling(coqui_fixtures):
    args = ["--quick", "--threads", "1", "--repeats", "1", "--fixtures", coqui_fixtures]
    out = _run([BENCHMARKS / "synthesis_speed.py", *args], timeout=300)
    rows = {line[:34].strip(): line[34:].split() for line in out.splitlines() if line[:2] in ("en", "mo", "  ")}
    for label in ("end to end, one by one", "model only, batch of 8", "postnet (inside model only)"):
        assert float(rows[label][0]) > 0, label
    ratio = next(line for line in out.splitlines() if line.startswith("batch / one-by-one throughput"))
    ceiling = next(line for line in out.splitlines() if line.startswith("ceiling with a free batched decoder loop"))
    model_ratio, model_ceiling = (float(text.split("model ")[1].split("x")[0]) for text in (ratio, ceiling))
    assert 0 < model_ratio < model_ceiling
    diff = next(line for line in out.splitlines() if line.startswith("max |batched mel"))
    assert float(diff.split("= ")[1]) < 1e-4  # batched mels equal one-by-one ones


@pytest.mark.slow
def test_glow_tts_speed_quick_run_prints_ratios(coqui_fixtures):
    args = ["--quick", "--threads", "1", "--repeats", "1", "--fixtures", coqui_fixtures]
    out = _run([BENCHMARKS / "glow_tts_speed.py", *args], timeout=300)
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in out.splitlines() if line.startswith("| inference") or line.startswith("| train")]
    assert [row[0] for row in rows] == ["inference", "train"]
    assert rows[0][2] == "20 tokens -> 120 frames"
    assert all(float(row[3]) > 0 and float(row[4]) > 0 and float(row[5]) > 0 for row in rows)  # both models, ratio
    assert all(row[7] == "-" for row in rows)  # no Coqui ratio for a quick run


@pytest.mark.slow
def test_vocoder_speed_quick_run_times_the_default_vocoder_beside_griffin_lim():
    out = _run([BENCHMARKS / "vocoder_speed.py", "--quick", "--threads", "1"], timeout=300)
    tables = {}
    for section in out.split("## ")[1:]:
        rows = [line.split("|")[1:-1] for line in section.splitlines() if line.startswith("| ")]
        tables[section.split()[0]] = {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}
    speed, e2e = tables["Vocoder"], tables["`tts"]
    assert float(speed["hifigan V1 universal (default)"][2]) > 0  # its RTF
    assert float(speed["Griffin-Lim (fast, shipped config)"][3]) == 1.0  # the baseline of the ratio column
    assert float(e2e["default (hifigan V1)"][3]) > 0 and float(e2e["griffin_lim"][3]) > 0
    if "Reconstruction" in tables and "hifigan V1 universal" in tables["Reconstruction"]:  # espeak-ng available
        quality = tables["Reconstruction"]
        assert float(quality["hifigan V1 universal"][0]) < float(quality["Griffin-Lim (fast, shipped config)"][0])
