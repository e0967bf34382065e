#!/usr/bin/env python3
"""Overfit one small batch and check that Glow-TTS finds the alignment and learns the durations.

The Glow-TTS counterpart of ``overfit_alignment.py`` (Tacotron2), on the same synthetic batch
(imported from it: a toy language whose tokens each hold a fixed spectral envelope for a fixed,
token-dependent 2-5 frames, so every frame's token is known). Glow-TTS has no attention: its
alignment is the monotonic alignment search (MAS) over the flow's latents, and its durations at
synthesis come from the duration predictor, which learns from that search. Measured at the start
(step 0, before any update) and the end, in eval mode:

- ``hit``: the fraction of real frames that the search assigns within +-``TOLERANCE`` (2) tokens of
  the frame's true token (the ``alignments`` output of ``forward``); chance is about 5 / tokens,
  and the script prints the straight-line baseline, as the Tacotron2 script does;
- ``exact``: the fraction assigned to exactly the true token (the search is hard, so once it has
  found the path this is the sharper measure);
- ``dur MAE``: the mean absolute error, in frames over the real tokens, of the predicted durations
  (rounded as ``inference`` rounds them: ``ceil(exp(durations_log) - 1)``, at least 1) against the
  true ones; ``MAS dur MAE`` is the same for the durations the search gives;
- the loss (``log_mle + loss_dur``; ``log_mle`` is a negative log-likelihood per mel value and goes
  below zero as the flow fits).

Exit status 1 when the final ``hit`` is below ``--threshold`` (``DEFAULT_THRESHOLD``), the final
predicted-duration MAE is above ``--max-duration-error`` (``DEFAULT_MAX_DURATION_ERROR``) or the loss
did not fall by ``LOSS_FALL``; ``--no-check`` reports only. Trained with the model's own
``get_criterion()`` and ``get_optimizer()`` (Adam by default, as the Tacotron2 script; no learning-rate
schedule), after ``--init-steps`` data-dependent ActNorm initialisation steps (no update), as the
trainer runs ``data_dep_init_steps``.

Usage::

    python benchmarks/overfit_alignment_glow_tts.py             # ~25 s on 2 busy cores; exits 1 today (docs/benchmarks.md)
    python benchmarks/overfit_alignment_glow_tts.py --steps 5 --no-check   # smoke run
"""

import argparse
import logging
import math
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from overfit_alignment import (  # the shared toy data and measures
    MAX_DURATION,
    MIN_DURATION,
    TOLERANCE,
    ToyBatch,
    hit_rate,
    linear_baseline,
    make_batch,
    seed_everything,
)

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.glow_tts_config import GlowTTSConfig
from TTS.tts.models.glow_tts import GlowTTS

# The same bar as the Tacotron2 script. Measured (docs/benchmarks.md): 0.75 at step 0 and 0.87 after
# 300 steps, with only a third of the frames on their exact token: the search has not found the path.
DEFAULT_THRESHOLD = 0.8
# True durations are 2-5 frames (mean error of predicting their mean: ~1 frame); a learned predictor
# is within a fraction of a frame.
DEFAULT_MAX_DURATION_ERROR = 0.5
LOSS_FALL = 1.0  # the final loss must be at least this much (nats per mel value) below the first


def aligned_frames(batch: ToyBatch, num_squeeze: int) -> List[int]:
    """Frames of each item that the model aligns (its length rounded down to ``num_squeeze``)."""
    return [int(n) // num_squeeze * num_squeeze for n in batch.mel_lengths]


def true_durations(batch: ToyBatch, item: int) -> np.ndarray:
    """Frames of each real token of one item. Shapes: (T_text_item,)."""
    return np.bincount(batch.frame_tokens[item], minlength=int(batch.token_lengths[item]))


@torch.no_grad()
def measure(model: GlowTTS, batch: ToyBatch, criterion) -> Dict[str, float]:
    """``hit``, ``exact``, predicted and search duration MAE and the loss terms of the batch, in eval mode."""
    was_training = model.training
    model.eval()
    outputs = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)
    terms = criterion(
        outputs["z"],
        outputs["y_mean"],
        outputs["y_log_scale"],
        outputs["logdet"],
        batch.mel_lengths,
        outputs["durations_log"],
        outputs["total_durations_log"],
        batch.token_lengths,
    )
    model.train(was_training)
    hits, exact, dur_errors, mas_errors = [], [], [], []
    predicted = torch.clamp_min(torch.ceil(torch.exp(outputs["durations_log"][..., 0]) - 1), 1).numpy()
    for i, frames in enumerate(aligned_frames(batch, model.num_squeeze)):
        tokens = int(batch.token_lengths[i])
        alignment = outputs["alignments"][i, :frames, :tokens].numpy()
        ideal = batch.frame_tokens[i][:frames]
        hits.append(hit_rate(alignment, ideal))
        exact.append(float(np.mean(alignment.argmax(axis=1) == ideal)))
        truth = true_durations(batch, i)
        dur_errors.append(np.abs(predicted[i, :tokens] - truth))
        # the search covers only the aligned frames: compare with the truth cut the same way
        cut = np.bincount(ideal, minlength=tokens)
        mas_errors.append(np.abs(alignment.sum(axis=0) - cut))
    return {
        "hit": float(np.mean(hits)),
        "exact": float(np.mean(exact)),
        "dur_mae": float(np.mean(np.concatenate(dur_errors))),
        "mas_dur_mae": float(np.mean(np.concatenate(mas_errors))),
        **{name: float(value) for name, value in terms.items()},
    }


def toy_config(args: argparse.Namespace) -> GlowTTSConfig:
    return GlowTTSConfig(
        num_chars=args.vocab,
        out_channels=args.num_mels,
        hidden_channels_enc=args.width,
        hidden_channels_dec=args.width,
        hidden_channels_dp=args.width,
        num_flow_blocks_dec=args.flow_blocks,
        num_block_layers=2,
        encoder_params={
            "kernel_size": 3,
            "dropout_p": 0.1,
            "num_layers": 2,
            "num_heads": 2,
            "hidden_channels_ffn": 2 * args.width,
            "input_length": None,
        },
        data_dep_init_steps=args.init_steps,
        optimizer=args.optimizer,
        lr=args.lr,
        audio=BaseAudioConfig(num_mels=args.num_mels),
    )


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--steps", type=int, default=300, help="optimizer steps (default 300)")
    add("--init-steps", type=int, default=2, help="ActNorm data-dependent initialisation steps first (default 2)")
    add("--batch-size", type=int, default=6, help="utterances in the batch (default 6)")
    add("--vocab", type=int, default=24, help="toy vocabulary size including padding (default 24)")
    add("--num-mels", type=int, default=32, help="mel channels (default 32)")
    add("--width", type=int, default=64, help="encoder, flow and duration predictor width (default 64)")
    add("--flow-blocks", type=int, default=4, help="flow steps of the decoder (default 4)")
    add("--optimizer", choices=["Adam", "RAdam"], default="Adam", help="optimizer (default Adam)")
    add("--lr", type=float, default=1e-3, help="learning rate (default 1e-3)")
    add("--threads", type=int, default=1, help="torch threads (default 1: reproducible summation order)")
    add("--seed", type=int, default=0, help="seed of the toy data and the model (default 0)")
    add("--threshold", type=float, default=DEFAULT_THRESHOLD, help=f"minimum final hit (default {DEFAULT_THRESHOLD})")
    add(
        "--max-duration-error",
        type=float,
        default=DEFAULT_MAX_DURATION_ERROR,
        help=f"maximum final predicted-duration MAE in frames (default {DEFAULT_MAX_DURATION_ERROR})",
    )
    add("--no-check", action="store_true", help="report only; always exit 0")
    args = parser.parse_args(argv)
    if args.vocab - 1 < MAX_DURATION - MIN_DURATION + 1:
        parser.error(f"--vocab must be at least {MAX_DURATION - MIN_DURATION + 2}")
    if args.steps < 1 or args.init_steps < 0:
        parser.error("--steps must be >= 1 and --init-steps >= 0")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.getLogger("TTS").setLevel(logging.ERROR)  # one info line per ActNorm initialisation step
    torch.set_num_threads(args.threads)
    rng = seed_everything(args.seed)
    config = toy_config(args)
    model = GlowTTS(config)
    batch = make_batch(args.batch_size, args.vocab, args.num_mels, model.num_squeeze, rng)
    criterion = model.get_criterion()
    optimizer = model.get_optimizer()
    parameters = [p for p in model.parameters() if p.requires_grad]

    frames = aligned_frames(batch, model.num_squeeze)
    tokens = batch.token_lengths
    baseline = np.mean([linear_baseline(f[:n], int(t)) for f, n, t in zip(batch.frame_tokens, frames, tokens)])
    chance = np.mean([min(2 * TOLERANCE + 1, int(n)) / int(n) for n in tokens])
    print(
        f"toy batch: {args.batch_size} utterances, {int(tokens.min())}-{int(tokens.max())} tokens, "
        f"{min(frames)}-{max(frames)} frames, {args.num_mels} mels; "
        f"Glow-TTS {sum(p.numel() for p in parameters) / 1e6:.2f} M parameters; "
        f"{args.init_steps} ActNorm init + {args.steps} steps, {args.threads} thread(s)"
    )
    print(
        f"hit = fraction of frames the alignment search puts within +-{TOLERANCE} tokens of the true one; "
        f"chance ~{chance:.2f}, straight-line diagonal {baseline:.2f}"
    )

    start = measure(model, batch, criterion)
    columns = ("loss", "log_mle", "loss_dur", "hit", "exact", "dur_mae", "s")
    print(f"{'step':>6} " + " ".join(f"{c:>8}" for c in columns))
    model.train()
    for step in range(args.init_steps):  # as the trainer: data-dependent ActNorm initialisation, no update
        model.run_data_dep_init = True
        model.train_step(model.format_batch(batch.as_model_batch()), criterion)
    model.run_data_dep_init = False
    log_every = max(1, args.steps // 10)
    losses: List[float] = []
    began = time.perf_counter()
    for step in range(1, args.steps + 1):
        optimizer.zero_grad(set_to_none=True)
        _, terms = model.train_step(model.format_batch(batch.as_model_batch()), criterion)
        terms["loss"].backward()
        torch.nn.utils.clip_grad_norm_(parameters, config.grad_clip)
        optimizer.step()
        losses.append(float(terms["loss"].detach()))
        if not math.isfinite(losses[-1]):
            print(f"loss is not finite at step {step}")
            return 1
        if step == 1 or step % log_every == 0 or step == args.steps:
            scores = measure(model, batch, criterion)
            print(
                f"{step:>6} {losses[-1]:>8.4f} {float(terms['log_mle'].detach()):>8.4f} {float(terms['loss_dur'].detach()):>8.4f} "
                f"{scores['hit']:>8.3f} {scores['exact']:>8.3f} {scores['dur_mae']:>8.3f} "
                f"{time.perf_counter() - began:>8.1f}",
                flush=True,
            )
    end = measure(model, batch, criterion)

    print("\nGlow-TTS (eval mode)      hit  exact  dur MAE  MAS dur MAE     loss")
    for label, scores in (("start", start), ("end", end)):
        print(
            f"{label:<22} {scores['hit']:>6.3f} {scores['exact']:>6.3f} {scores['dur_mae']:>8.3f} "
            f"{scores['mas_dur_mae']:>12.3f} {scores['loss']:>8.4f}"
        )
    print(f"loss: start {start['loss']:.4f}, end {end['loss']:.4f} (fell by {start['loss'] - end['loss']:.4f})")

    failures = []
    if end["hit"] < args.threshold:
        failures.append(f"hit {end['hit']:.3f} < {args.threshold}")
    if end["dur_mae"] > args.max_duration_error:
        failures.append(f"predicted-duration MAE {end['dur_mae']:.3f} > {args.max_duration_error} frames")
    if end["loss"] > start["loss"] - LOSS_FALL:
        failures.append(f"loss fell by {start['loss'] - end['loss']:.4f} (need >= {LOSS_FALL})")
    if failures:
        print(("NOT CHECKED: " if args.no_check else "FAILED: ") + "; ".join(failures))
        return 0 if args.no_check else 1
    print("PASSED: alignment search on the true path, durations learned and loss falling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
