"""benchmarks/griffin_lim.py runs in quick mode and prints a complete, consistent table."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SIGNALS = ("chirp", "speech_like", "noise_bursts")
SCRIPT = REPO_ROOT / "benchmarks" / "griffin_lim.py"
ROW = re.compile(
    r"^\| (?P<threads>\d+) \| (?P<config>\w+) \| (?P<signal>\w+) \| (?P<variant>classic|fast\*?) "
    r"\| (?P<iters>\d+) \| (?P<ms>[\d.]+) \| (?P<speedup>[\d.]+)x \| (?P<sc>[\d.]+) \| (?P<diff>[+-][\d.]+) \|$"
)


@pytest.mark.slow
def test_quick_benchmark_prints_the_comparison_table(coqui_fixtures):
    env = {**os.environ, "TTS_FIXTURES_DIR": str(coqui_fixtures)}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--threads", "1", "2", "--signals", *SIGNALS],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "| threads | config | signal | variant | iters | median ms | speed-up | SC | SC - classic |" in lines
    rows = [m.groupdict() for m in map(ROW.match, lines) if m]
    # 2 thread counts x 2 configs x 3 signals x (classic, default fast, one other fast)
    assert len(rows) == 2 * 2 * 3 * 3
    assert {r["config"] for r in rows} == {"default", "recipe"}
    assert {r["signal"] for r in rows} == set(SIGNALS)
    for threads in ("1", "2"):
        for config in ("default", "recipe"):
            for signal in SIGNALS:
                group = [r for r in rows if (r["threads"], r["config"], r["signal"]) == (threads, config, signal)]
                classic = [r for r in group if r["variant"] == "classic"]
                default = [r for r in group if r["variant"] == "fast*"]
                assert len(classic) == 1 and len(default) == 1 and len(group) == 3
                assert (classic[0]["iters"], classic[0]["speedup"], float(classic[0]["diff"])) == ("60", "1.00", 0.0)
                for r in group:
                    assert 0 < float(r["sc"]) < 1 and float(r["ms"]) > 0
                    # the speed-up is against the classic baseline of the same group
                    ratio = float(classic[0]["ms"]) / float(r["ms"])
                    assert float(r["speedup"]) == pytest.approx(ratio, rel=0.05, abs=0.02)
                    assert float(r["diff"]) == pytest.approx(float(r["sc"]) - float(classic[0]["sc"]), abs=2e-4)
    # spectral convergence is seeded: the same for every thread count
    by_key = {}
    for r in rows:
        by_key.setdefault((r["config"], r["signal"], r["variant"], r["iters"]), set()).add(r["sc"])
    assert all(len(values) == 1 for values in by_key.values())
    summary = [line for line in lines if line.startswith("threads=")]
    assert len(summary) == 2 and all("speed-up median" in line and "SC difference worst" in line for line in summary)
    assert any("SPEED.md" in line and "0.895-0.988 s" in line for line in lines)
