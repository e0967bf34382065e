#!/usr/bin/env python3
"""Tacotron2 CPU speed against Coqui TTS 0.28's figures (``fixtures/coqui/SPEED.md``).

Measures exactly what SPEED.md measures, on the same fixture weights:

- inference: ``model.inference(ids)`` for fixture text 1 (``refs.npz["ids_1"]``), decoding exactly
  ``ceil(400 / r)`` steps with early stopping disabled (``stop_threshold = 2.0``,
  ``max_decoder_steps = steps``); RTF = seconds / (frames x 256 / 22050);
- training step: train mode, ``format_batch`` + ``train_step`` (teacher-forced forward and the
  full ``get_criterion()`` loss, with guided attention and, for fixture a, the DDC coarse
  decoder), backward, gradient-norm clipping at 5.0, a ``get_optimizer()`` (RAdam) step;
  batch 8, text length 80, 400 mel frames;

each the median of ``--repeats`` runs after one warm-up, for every ``--threads`` count.

Absolute times depend on the machine and on what else runs on it, so around every timed
run the script also times a fixed calibration workload with the same thread count: three
fp32 matrix-vector products reading 74 MB of weights, shaped like one batch-1 decoder step
(18.5 M parameters, more than the 32 MB L3 cache). ``ours/calib`` (run seconds / calibration
step seconds, median over the runs) follows the machine's load and memory bandwidth, so it is
the number to compare between runs; ``Coqui/ours`` is the raw ratio to SPEED.md's absolute
seconds, fair only when the calibration time is close to an idle machine's.

Usage::

    python benchmarks/tacotron2_speed.py                      # all fixtures, 1 and 2 threads
    python benchmarks/tacotron2_speed.py --threads 1 --models b --parts inference
    python benchmarks/tacotron2_speed.py --quick --threads 1 --repeats 1 --models b   # smoke run
"""

import argparse
import importlib.util
import logging
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch.nn import functional as F

from TTS.config import load_config
from TTS.tts.models import setup_model

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 22050
HOP_LENGTH = 256
TARGET_FRAMES = 400  # frames decoded at inference and mel length of the training batch
QUICK_FRAMES = 48
TRAIN_BATCH = 8
TRAIN_TEXT_LENGTH = 80
GRAD_CLIP = 5.0
TEXT_INDEX = 1  # fixture text 1: 108 phoneme ids (a), 99 grapheme ids (b)
CALIB_STEPS = 20  # calibration steps per measurement (about 0.1 s on an idle machine)
SEED = 0


@dataclass(frozen=True)
class Case:
    """One row group of SPEED.md: a fixture folder, an optional checkpoint r, and Coqui's seconds."""

    key: str
    label: str
    fixture: str
    ckpt_r: Optional[int]
    coqui_inference_s: float
    coqui_train_s: float


CASES = [
    Case("a", "a: tacotron2-DDC recipe", "a_ljspeech_ddc", None, 0.435, 7.44),
    Case("a_r2", "a: same weights, checkpoint r=2", "a_ljspeech_ddc", 2, 1.446, 13.69),
    Case("b", "b: plain Tacotron2", "b_tacotron2_r2", None, 1.058, 10.00),
]
PARTS = ("inference", "train")


@dataclass
class Row:
    """Timed runs of one (fixture, part, thread count) with the calibration paired to each run."""

    case: Case
    part: str
    threads: int
    r: int
    frames: int
    steps: int
    times: List[float]
    calib: List[float]
    ops: List[float]
    comparable: bool

    @property
    def seconds(self) -> float:
        return statistics.median(self.times)

    @property
    def spread(self) -> float:
        return (max(self.times) - min(self.times)) / self.seconds

    @property
    def calib_s(self) -> float:
        return statistics.median(self.calib)

    @property
    def op_s(self) -> float:
        return statistics.median(self.ops)

    @property
    def normalised(self) -> float:
        """Median over the runs of (run seconds / its calibration step seconds)."""
        return statistics.median(t / c for t, c in zip(self.times, self.calib))

    @property
    def rtf(self) -> Optional[float]:
        return self.seconds / (self.frames * HOP_LENGTH / SAMPLE_RATE) if self.part == "inference" else None

    @property
    def coqui_s(self) -> float:
        return self.case.coqui_inference_s if self.part == "inference" else self.case.coqui_train_s


# ---------------------------------------------------------------------- timing
class Calibration:
    """Fixed reference workloads telling how busy the machine is; our own code, so it does not
    change when the model code does.

    - step: three fp32 matrix-vector products with the shapes of a batch-1 Tacotron2 decoder
      step's attention LSTM (4096 x 1792), decoder LSTM (4096 x 2560) and frame projection
      (480 x 1536): 18.5 M weights, 74 MB read per step, more than the 32 MB L3 cache. It follows
      memory bandwidth and CPU share, and normalises the timings.
    - op: one element-wise op over 65536 floats, which torch splits across its threads. With
      several threads it waits for the slowest one, so it jumps (x10 and more) when another
      process takes a core: the 2-thread rows and the training step, made of thousands of such
      thread-synchronised ops, slow down alike while the bandwidth-bound step barely moves.
    """

    SHAPES = ((4096, 1792), (4096, 2560), (480, 1536))
    OP_NUMEL = 65536
    OPS = 100

    def __init__(self) -> None:
        generator = torch.Generator().manual_seed(SEED)
        self.weights = [torch.randn(rows, cols, generator=generator) / cols**0.5 for rows, cols in self.SHAPES]
        self.inputs = [torch.randn(1, cols, generator=generator) for _, cols in self.SHAPES]
        self.op_input = torch.randn(self.OP_NUMEL, generator=generator)
        self.megabytes = sum(w.numel() * w.element_size() for w in self.weights) / 1e6

    def __call__(self) -> Tuple[float, float]:
        """Seconds per calibration step (over ``CALIB_STEPS`` steps) and per element-wise op."""
        start = time.perf_counter()
        for _ in range(CALIB_STEPS):
            for weight, x in zip(self.weights, self.inputs):
                F.linear(x, weight)
        middle = time.perf_counter()
        for _ in range(self.OPS):
            torch.tanh(self.op_input)
        end = time.perf_counter()
        return (middle - start) / CALIB_STEPS, (end - middle) / self.OPS


def time_paired(
    fn: Callable[[], None], calibration: Calibration, repeats: int
) -> Tuple[List[float], List[float], List[float]]:
    """Seconds of ``repeats`` calls of ``fn`` after one warm-up call, and for each call the mean of the
    calibration step and op seconds measured just before and just after it.

    Pairing the samples keeps their ratio meaningful when the machine's load changes during the run.
    """
    fn()
    marks = [calibration()]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        marks.append(calibration())
    steps = [(before[0] + after[0]) / 2 for before, after in zip(marks[:-1], marks[1:])]
    ops = [(before[1] + after[1]) / 2 for before, after in zip(marks[:-1], marks[1:])]
    return times, steps, ops


# ---------------------------------------------------------------------- fixtures
def fixtures_dir(arg: Optional[str]) -> Path:
    path = Path(arg or os.environ.get("TTS_FIXTURES_DIR") or REPO_ROOT.parent / "shared" / "fixtures" / "coqui")
    if not (path / "regen_weights.py").is_file():
        raise SystemExit(f"Coqui fixtures not found at {path} (use --fixtures or TTS_FIXTURES_DIR)")
    return path


def write_checkpoint(fixtures: Path, case: Case, folder: Path) -> Path:
    """Rebuild the fixture checkpoint with the fixtures' own ``regen_weights.py``."""
    spec = importlib.util.spec_from_file_location("regen_weights", fixtures / "regen_weights.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    path = folder / f"{case.fixture}_r{case.ckpt_r}.pth"
    if not path.exists():
        torch.save(regen.build_checkpoint(str(fixtures / case.fixture), ckpt_r=case.ckpt_r), path)
    return path


def load_model(fixtures: Path, case: Case, checkpoint: Path):
    config = load_config(str(fixtures / case.fixture / "config.json"))
    model = setup_model(config)
    model.load_checkpoint(config, str(checkpoint), eval=True)
    return model


# ---------------------------------------------------------------------- workloads
def inference_fn(model, ids: torch.Tensor, steps: int) -> Callable[[], None]:
    model.eval()
    model.decoder.stop_threshold = 2.0  # never stop early
    model.decoder.max_decoder_steps = steps
    expected_frames = steps * model.decoder.r

    def run() -> None:
        outputs = model.inference(ids)
        if outputs["model_outputs"].shape[1] != expected_frames:
            raise RuntimeError(f"decoded {outputs['model_outputs'].shape[1]} frames, expected {expected_frames}")

    return run


def training_batch(num_chars: int, num_mels: int, r: int, frames: int) -> Dict[str, torch.Tensor]:
    """Batch as the loader collates it: mels padded to a multiple of r, frame-level stop targets."""
    generator = torch.Generator().manual_seed(SEED)
    padded = frames + (-frames) % r
    mel = torch.zeros(TRAIN_BATCH, padded, num_mels)
    mel[:, :frames] = torch.randn(TRAIN_BATCH, frames, num_mels, generator=generator)
    stop_targets = torch.zeros(TRAIN_BATCH, padded)
    stop_targets[:, frames - 1 :] = 1.0
    return {
        "token_id": torch.randint(1, num_chars, (TRAIN_BATCH, TRAIN_TEXT_LENGTH), generator=generator),
        "token_id_lengths": torch.full((TRAIN_BATCH,), TRAIN_TEXT_LENGTH, dtype=torch.long),
        "mel": mel,
        "mel_lengths": torch.full((TRAIN_BATCH,), frames, dtype=torch.long),
        "stop_targets": stop_targets,
    }


def train_step_fn(model, frames: int) -> Callable[[], None]:
    model.train()
    criterion = model.get_criterion()
    optimizer = model.get_optimizer()
    raw = training_batch(model.config.num_chars, model.decoder.frame_channels, model.decoder.r, frames)
    parameters = [p for p in model.parameters() if p.requires_grad]

    def run() -> None:
        batch = model.format_batch(dict(raw))
        optimizer.zero_grad(set_to_none=True)
        _, losses = model.train_step(batch, criterion)
        losses["loss"].backward()
        torch.nn.utils.clip_grad_norm_(parameters, GRAD_CLIP)
        optimizer.step()
        if not torch.isfinite(losses["loss"]):
            raise RuntimeError("training loss is not finite")

    return run


# ---------------------------------------------------------------------- report
def fmt(value: Optional[float], spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: Sequence[Row], calib_mb: float) -> None:
    print(
        "| model | part | threads | r | frames (steps) | ours s | best s | spread | RTF | Coqui s | Coqui/ours "
        "| calib ms | op us | ours/calib |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = row.coqui_s / row.seconds if row.comparable else None
        print(
            f"| {row.case.label} | {row.part} | {row.threads} | {row.r} | {row.frames} ({row.steps}) "
            f"| {row.seconds:.3f} | {min(row.times):.3f} | {row.spread:.0%} | {fmt(row.rtf, '.3f')} "
            f"| {fmt(row.coqui_s if row.comparable else None, '.3f')} | {fmt(ratio, '.2f')} "
            f"| {row.calib_s * 1e3:.2f} | {row.op_s * 1e6:.0f} | {row.normalised:.1f} |"
        )
    print(
        "\nours s: median of the timed runs after one warm-up (SPEED.md's statistic); best s: the fastest run "
        "(least disturbed by other processes); spread: (max - min) / median.\n"
        f"calib ms: one calibration step ({calib_mb:.1f} MB of fp32 weights read by three batch-1 matrix-vector "
        "products shaped like a decoder step's), with the row's thread count, measured around every timed run "
        "(median shown); an idle machine of SPEED.md's class should give roughly the decoder's 5-7 ms.\n"
        f"op us: one tanh over {Calibration.OP_NUMEL} floats, split across the row's threads, measured the same way; "
        "with 2 threads it should be about half its 1-thread value: much more means another process held a core "
        "and thread-synchronised work (2-thread rows, the training step) was slowed by far more than calib ms shows.\n"
        "ours/calib: median over the runs of (run seconds / calibration seconds around it): the row in "
        "calibration steps, the figure to compare between runs, loads and machines.\n"
        "Coqui/ours: SPEED.md seconds / ours (> 1: we are faster). SPEED.md was measured on an idle 2-vCPU EPYC "
        "with torch.set_num_threads(1) (so says its header; the fixtures README says 2 threads); the raw ratio "
        "is fair only when calib ms is near an idle machine's. Where calib ms is inflated, the machine was "
        "loaded: trust ours/calib instead."
    )
    for row in rows:
        if row.part == "inference":
            per_step = row.seconds / row.steps
            print(
                f"  {row.case.key:<5} threads={row.threads}: {per_step * 1e3:.2f} ms per decoder step "
                f"(encoder and postnet included) = {row.normalised / row.steps:.2f} calibration steps"
            )


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--threads", type=int, nargs="+", default=[1, 2], help="torch thread counts to time (default 1 2)")
    add("--repeats", type=int, default=5, help="timed runs per row, after one warm-up (default 5)")
    add(
        "--quick",
        action="store_true",
        help=f"decode / train on {QUICK_FRAMES} frames instead of {TARGET_FRAMES} (smoke run; no Coqui ratio)",
    )
    add(
        "--fixtures",
        default=None,
        help="Coqui fixtures folder (default $TTS_FIXTURES_DIR, else ../shared/fixtures/coqui from the repo root)",
    )
    keys = [c.key for c in CASES]
    add("--models", nargs="+", choices=keys, default=keys, help="fixtures to time (default all)")
    add("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to time (default both)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or any(t < 1 for t in args.threads):
        parser.error("--repeats and --threads must be >= 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    fixtures = fixtures_dir(args.fixtures)
    logging.getLogger("TTS").setLevel(logging.ERROR)  # the decoder warns when max_decoder_steps ends a run
    torch.manual_seed(SEED)
    frames_target = QUICK_FRAMES if args.quick else TARGET_FRAMES
    calibration = Calibration()
    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, repeats {args.repeats}"
        + (", QUICK (not comparable to SPEED.md)" if args.quick else "")
    )
    rows: List[Row] = []
    with tempfile.TemporaryDirectory(prefix="tts_speed_") as tmp:
        for case in [c for c in CASES if c.key in args.models]:
            checkpoint = write_checkpoint(fixtures, case, Path(tmp))
            ids = torch.from_numpy(np.load(fixtures / case.fixture / "refs.npz")[f"ids_{TEXT_INDEX}"]).long()[None]
            for part in args.parts:
                for threads in args.threads:
                    torch.set_num_threads(threads)
                    model = load_model(fixtures, case, checkpoint)  # fresh weights and optimizer per row
                    r = model.decoder.r
                    steps = math.ceil(frames_target / r)
                    if part == "inference":
                        fn, frames = inference_fn(model, ids, steps), steps * r
                    else:
                        fn, frames = train_step_fn(model, frames_target), frames_target
                    times, calib, ops = time_paired(fn, calibration, args.repeats)
                    row = Row(case, part, threads, r, frames, steps, times, calib, ops, comparable=not args.quick)
                    rows.append(row)
                    print(
                        f"  {case.key} {part} threads={threads}: runs {', '.join(f'{t:.3f}' for t in times)} s; "
                        f"calibration steps {', '.join(f'{c * 1e3:.2f}' for c in calib)} ms; "
                        f"ops {', '.join(f'{o * 1e6:.0f}' for o in ops)} us",
                        flush=True,
                    )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print_table(rows, calibration.megabytes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
