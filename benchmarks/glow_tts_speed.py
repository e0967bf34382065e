#!/usr/bin/env python3
"""Glow-TTS against our Tacotron2-DDC on a CPU, in one run, and against Coqui's Glow-TTS figures (SPEED.md).

Both models use the Coqui fixture weights (``g_glowtts_chars``, ``a_ljspeech_ddc``, rebuilt by the fixtures'
``regen_weights.py``) and the same work:

- inference: one text of 150 tokens (the fixture texts' ids, repeated) to 900 mel frames. Glow-TTS: the duration
  predictor's output projection is set to weight 0, bias log 7, so every token lasts 6 frames (SPEED.md's
  setting); Tacotron2-DDC decodes exactly 900 frames (150 steps at r=6, early stopping off);
- training step: train mode, the model's forward and full loss (Glow-TTS: alignment search included), backward,
  gradient clipping at 5.0, a ``get_optimizer()`` (RAdam) step, on one batch of ``--batch`` texts of 80 tokens
  and 400 mel frames (SPEED.md's Glow-TTS figure is at batch 32).

Each figure is the median of ``--repeats`` runs after a warm-up, with the calibration workload of
``tacotron2_speed.py`` timed around every run: ``ours/calib`` follows the machine's load, so compare it between
runs; ``Coqui/ours`` (> 1: we are faster) uses SPEED.md's absolute seconds, measured on an idle machine, and is
fair only when the calibration time is near an idle machine's (5-7 ms).

Usage::

    python benchmarks/glow_tts_speed.py                          # 1 and 2 threads, batch 32
    python benchmarks/glow_tts_speed.py --threads 1 --batch 8 --parts inference
    python benchmarks/glow_tts_speed.py --quick --threads 1 --repeats 1   # smoke run
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
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("tacotron2_speed", HERE / "tacotron2_speed.py")
t2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(t2)

GLOW = t2.Case("glow", "Glow-TTS", "g_glowtts_chars", None, 0.0, 0.0)
DDC = t2.Case("ddc", "Tacotron2-DDC", "a_ljspeech_ddc", None, 0.0, 0.0)
FRAMES_PER_TOKEN = 6
TOKENS, QUICK_TOKENS = 150, 20
TRAIN_TEXT, QUICK_TRAIN_TEXT = 80, 16
TRAIN_FRAMES, QUICK_TRAIN_FRAMES = 400, 48
#: SPEED.md, Coqui 0.28 Glow-TTS on g_glowtts_chars (2 threads: the middle of the range it gives)
COQUI_GLOW = {("inference", 1): 0.149, ("inference", 2): 0.0875, ("train", 1): 6.25, ("train", 2): 3.575}
COQUI_GLOW_TRAIN_BATCH = 32
#: SPEED.md, Coqui's Tacotron2-DDC training step: 1 thread, batch 8
COQUI_DDC_TRAIN = (1, 8, 7.44)
PARTS = ("inference", "train")


def token_ids(fixtures: Path, case, count: int) -> torch.Tensor:
    """``count`` ids: the fixture's recorded text ids, repeated."""
    refs = np.load(fixtures / case.fixture / "refs.npz")
    ids = np.concatenate([refs[key] for key in sorted(refs.files) if key.startswith("ids_")])
    return torch.from_numpy(np.resize(ids, count)).long()[None]


def glow_inference_fn(model, ids: torch.Tensor) -> Callable[[], None]:
    model.eval()
    projection = model.encoder.duration_predictor.proj
    torch.nn.init.zeros_(projection.weight)
    torch.nn.init.constant_(projection.bias, math.log(FRAMES_PER_TOKEN + 1))
    expected = ids.shape[1] * FRAMES_PER_TOKEN

    def run() -> None:
        frames = model.inference(ids)["model_outputs"].shape[1]
        if frames != expected:
            raise RuntimeError(f"Glow-TTS made {frames} frames, expected {expected}")

    return run


def training_batch(num_chars: int, num_mels: int, batch: int, text: int, frames: int, r: int) -> Dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(t2.SEED)
    padded = frames + (-frames) % r
    mel = torch.zeros(batch, padded, num_mels)
    mel[:, :frames] = torch.randn(batch, frames, num_mels, generator=generator)
    stop_targets = torch.zeros(batch, padded)
    stop_targets[:, frames - 1 :] = 1.0
    return {
        "token_id": torch.randint(1, num_chars, (batch, text), generator=generator),
        "token_id_lengths": torch.full((batch,), text, dtype=torch.long),
        "mel": mel,
        "mel_lengths": torch.full((batch,), frames, dtype=torch.long),
        "stop_targets": stop_targets,
    }


def train_step_fn(model, batch: Dict[str, torch.Tensor]) -> Callable[[], None]:
    model.train()
    if hasattr(model, "run_data_dep_init"):
        model.run_data_dep_init = False  # past the ActNorm initialisation steps
    criterion, optimizer = model.get_criterion(), model.get_optimizer()
    parameters = [p for p in model.parameters() if p.requires_grad]

    def run() -> None:
        optimizer.zero_grad(set_to_none=True)
        _, losses = model.train_step(model.format_batch(dict(batch)), criterion)
        losses["loss"].backward()
        torch.nn.utils.clip_grad_norm_(parameters, t2.GRAD_CLIP)
        optimizer.step()
        if not torch.isfinite(losses["loss"]):
            raise RuntimeError("training loss is not finite")

    return run


def load(fixtures: Path, case, folder: Path, *, train: bool):
    """The fixture model; for training with its weight norm kept (load_checkpoint without eval)."""
    checkpoint = t2.write_checkpoint(fixtures, case, folder)
    config = t2.load_config(str(fixtures / case.fixture / "config.json"))
    model = t2.setup_model(config)
    model.load_checkpoint(config, str(checkpoint), eval=not train)
    return model


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--threads", type=int, nargs="+", default=[1, 2], help="torch thread counts (default 1 2)")
    add("--repeats", type=int, default=3, help="timed runs per row after a warm-up (default 3)")
    add("--batch", type=int, default=COQUI_GLOW_TRAIN_BATCH, help="training batch size (default 32)")
    add("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to time (default both)")
    add("--quick", action="store_true", help="toy work (20 tokens, batch 2 x 48 frames): a smoke run, no Coqui ratio")
    add("--fixtures", default=None, help="Coqui fixtures folder (default $TTS_FIXTURES_DIR or ../shared/fixtures/coqui)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.batch < 1 or any(t < 1 for t in args.threads):
        parser.error("--repeats, --batch and --threads must be >= 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    fixtures = t2.fixtures_dir(args.fixtures)
    logging.getLogger("TTS").setLevel(logging.ERROR)
    torch.manual_seed(t2.SEED)
    tokens = QUICK_TOKENS if args.quick else TOKENS
    batch_size = 2 if args.quick else args.batch
    text, frames = (QUICK_TRAIN_TEXT, QUICK_TRAIN_FRAMES) if args.quick else (TRAIN_TEXT, TRAIN_FRAMES)
    calibration = t2.Calibration()
    print(
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, repeats {args.repeats}"
        + (", QUICK (not comparable to SPEED.md)" if args.quick else "")
    )
    results: Dict[tuple, Dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="glow_speed_") as tmp:
        for part in args.parts:
            for threads in args.threads:
                torch.set_num_threads(threads)
                for case in (GLOW, DDC):
                    model = load(fixtures, case, Path(tmp), train=part == "train")
                    if part == "inference" and case is GLOW:
                        fn = glow_inference_fn(model, token_ids(fixtures, case, tokens))
                    elif part == "inference":
                        fn = t2.inference_fn(model, token_ids(fixtures, case, tokens), tokens * FRAMES_PER_TOKEN // model.decoder.r)
                    else:
                        r = getattr(model.decoder, "r", 1)
                        raw = training_batch(model.config.num_chars, model.config.out_channels, batch_size, text, frames, r)
                        fn = train_step_fn(model, raw)
                    times, calib, _ = t2.time_paired(fn, calibration, args.repeats)
                    results[(part, threads, case.key)] = {
                        "s": statistics.median(times),
                        "calib": statistics.median(calib),
                        "norm": statistics.median([t / c for t, c in zip(times, calib)]),
                    }
                    print(f"  {part} threads={threads} {case.label}: runs {', '.join(f'{t:.3f}' for t in times)} s", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    work = {
        "inference": f"{tokens} tokens -> {tokens * FRAMES_PER_TOKEN} frames",
        "train": f"batch {batch_size} x {text} tokens x {frames} frames",
    }
    print("| part | threads | work | Glow-TTS s | Tacotron2-DDC s | Glow/Tacotron2 | Glow ours/calib | Coqui Glow s | Coqui/ours | calib ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for part in args.parts:
        for threads in args.threads:
            glow, ddc = results[(part, threads, "glow")], results[(part, threads, "ddc")]
            comparable = not args.quick and (part == "inference" or batch_size == COQUI_GLOW_TRAIN_BATCH)
            coqui = COQUI_GLOW.get((part, threads)) if comparable else None
            print(
                f"| {part} | {threads} | {work[part]} | {glow['s']:.3f} | {ddc['s']:.3f} | {glow['s'] / ddc['s']:.2f} "
                f"| {glow['norm']:.1f} | {t2.fmt(coqui, '.3f')} | {t2.fmt(coqui / glow['s'] if coqui else None, '.2f')} "
                f"| {glow['calib'] * 1e3:.2f} |"
            )
    key = ("train", COQUI_DDC_TRAIN[0], "ddc")
    if not args.quick and key in results and batch_size == COQUI_DDC_TRAIN[1]:
        print(f"\nTacotron2-DDC training step vs SPEED.md (batch 8, 1 thread): Coqui {COQUI_DDC_TRAIN[2]:.2f} s, "
              f"ours {results[key]['s']:.2f} s, Coqui/ours {COQUI_DDC_TRAIN[2] / results[key]['s']:.2f}")
    print(
        "\nGlow/Tacotron2: Glow-TTS seconds / Tacotron2-DDC seconds for the same work in the same run (< 1: Glow-TTS "
        "is faster). Coqui/ours: SPEED.md's Glow-TTS seconds / ours (> 1: we are faster; targets: inference >= 1, "
        "training step >= 1.25), fair only on an idle machine (calib ms 5-7); ours/calib follows the load."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
