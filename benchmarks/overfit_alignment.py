#!/usr/bin/env python3
"""Overfit one small batch and check that Tacotron2 learns a diagonal alignment.

The check people reproducing Tacotron2 rely on: a model that cannot overfit a handful of
utterances, with the attention settling on the diagonal and the loss falling, has a bug.
No speech corpus is available offline, so the batch is synthetic, built in memory:

- a toy language of ``--vocab`` tokens; token ``t`` has a fixed spectral envelope (a sum of
  random Gaussian bumps over the mel channels, distinct per token) held for a fixed,
  token-dependent number of frames (2 to 5);
- an utterance is a random token sequence (10 to 30 tokens); its target mel is the
  concatenation of its tokens' envelopes, plus a little noise.

Because every frame's token is known, the ideal alignment is known too. Two measures:

- ``diag``: ``alignment_diagonal_score`` (the peak weight each token gets, averaged; near 1
  for sharp alignments), computed per item on its real steps and tokens;
- ``hit``: the stricter measure used as the check: the fraction of real decoder steps whose
  most-attended token is within +-``TOLERANCE`` (2) tokens of the token that the step's first
  frame belongs to. Chance is about 5 / tokens (~25 % here); attention that is blurred
  (argmax wandering), stuck on a token, skipping or running backwards, or moving at the
  wrong speed scores low. It follows the true path, but on this data a straight line from the
  first token to the last also stays within 2 tokens of it (the script prints that
  baseline), so the measure checks "clearly diagonal", not that the durations were learned.

Measured at the start and end on the teacher-forced forward (eval mode), and at the end in
free-running inference (each utterance alone, decoding its true number of steps with the stop
token disabled), where the model feeds back its own frames and no guided-attention loss helps.
The script also reports the free-running mel error and where the stop token fires. Exit
status 1 when the final teacher-forced or free-running ``hit`` is below ``--threshold``
(default 0.8, see ``DEFAULT_THRESHOLD``) or the loss did not fall below half its first value;
``--no-check`` reports only.

Trained with the model's own ``get_criterion()`` and ``get_optimizer()``; the optimizer is
Adam (``--optimizer``) because the config's RAdam with betas (0.9, 0.998) rectifies its first
~100 steps down to a fraction of the learning rate and needs about twice the steps here.

Usage::

    python benchmarks/overfit_alignment.py                      # ~1-2 minutes on 2 busy cores
    python benchmarks/overfit_alignment.py --steps 600 --optimizer RAdam --out /tmp/overfit
    python benchmarks/overfit_alignment.py --steps 5 --no-check # smoke run
"""

import argparse
import logging
import math
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.layers.tacotron2.losses import alignment_diagonal_score
from TTS.tts.models.tacotron2 import Tacotron2
from TTS.tts.utils.visual import plot_alignment, plot_spectrogram

MIN_DURATION, MAX_DURATION = 2, 5  # frames per token
MIN_TOKENS, MAX_TOKENS = 10, 30  # tokens per utterance
BUMPS_PER_TOKEN = 3  # Gaussian bumps in a token's spectral envelope
NOISE_STD = 0.05
TOLERANCE = 2  # tokens either side of the ideal one that still count as a hit
# Untrained attention scores ~0.3 (chance ~0.25); a learned alignment reaches 0.95-1.0 both
# teacher-forced and free-running; attention that is diagonal over most of the utterance but
# lost (stuck, skipping, wandering) over a fifth of it falls below 0.8.
DEFAULT_THRESHOLD = 0.8
LOSS_DROP = 0.5  # the final loss must be below this fraction of the first


# ---------------------------------------------------------------------- synthetic data
@dataclass
class ToyBatch:
    """A padded batch of the toy language and the known token of every frame.

    Shapes: tokens (B, T_text); token_lengths (B,); mels (B, T_mel, C) with T_mel a multiple of r;
    mel_lengths (B,); frame_tokens: per item, (mel_length,) token position of every frame.
    """

    tokens: torch.Tensor
    token_lengths: torch.Tensor
    mels: torch.Tensor
    mel_lengths: torch.Tensor
    stop_targets: torch.Tensor
    frame_tokens: List[np.ndarray]

    def as_model_batch(self) -> Dict[str, torch.Tensor]:
        return {
            "token_id": self.tokens,
            "token_id_lengths": self.token_lengths,
            "mel": self.mels,
            "mel_lengths": self.mel_lengths,
            "stop_targets": self.stop_targets.clone(),
        }


def token_inventory(vocab: int, num_mels: int, rng: np.random.Generator):
    """Per token id (1..vocab-1; 0 is padding): a spectral envelope (num_mels,) and a duration in frames."""
    channels = np.arange(num_mels)
    envelopes = np.zeros((vocab, num_mels), dtype=np.float32)
    for token in range(1, vocab):
        centres = rng.uniform(0, num_mels - 1, BUMPS_PER_TOKEN)
        widths = rng.uniform(1.0, num_mels / 8, BUMPS_PER_TOKEN)
        heights = rng.uniform(0.5, 1.5, BUMPS_PER_TOKEN)
        bumps = heights[:, None] * np.exp(-((channels[None, :] - centres[:, None]) ** 2) / (2 * widths[:, None] ** 2))
        envelopes[token] = 2.0 * bumps.sum(axis=0) - 1.0  # roughly in [-1, 2], like a normalised mel
    durations = np.zeros(vocab, dtype=np.int64)
    durations[1:] = MIN_DURATION + rng.permutation(vocab - 1) % (MAX_DURATION - MIN_DURATION + 1)
    return envelopes, durations


def make_batch(batch_size: int, vocab: int, num_mels: int, r: int, rng: np.random.Generator) -> ToyBatch:
    envelopes, durations = token_inventory(vocab, num_mels, rng)
    sequences = [rng.integers(1, vocab, rng.integers(MIN_TOKENS, MAX_TOKENS + 1)) for _ in range(batch_size)]
    frame_tokens = [np.repeat(np.arange(len(seq)), durations[seq]) for seq in sequences]
    max_text = max(len(seq) for seq in sequences)
    max_frames = max(len(f) for f in frame_tokens)
    max_frames += (-max_frames) % r
    tokens = torch.zeros(batch_size, max_text, dtype=torch.long)
    mels = torch.zeros(batch_size, max_frames, num_mels)
    stop_targets = torch.zeros(batch_size, max_frames)
    for i, (seq, positions) in enumerate(zip(sequences, frame_tokens)):
        tokens[i, : len(seq)] = torch.from_numpy(seq)
        target = envelopes[seq[positions]] + NOISE_STD * rng.standard_normal((len(positions), num_mels))
        mels[i, : len(positions)] = torch.from_numpy(target.astype(np.float32))
        stop_targets[i, len(positions) - 1 :] = 1.0
    return ToyBatch(
        tokens=tokens,
        token_lengths=torch.tensor([len(seq) for seq in sequences]),
        mels=mels,
        mel_lengths=torch.tensor([len(f) for f in frame_tokens]),
        stop_targets=stop_targets,
        frame_tokens=frame_tokens,
    )


# ---------------------------------------------------------------------- measures
def ideal_tokens(frame_tokens: np.ndarray, r: int) -> np.ndarray:
    """Token of the first frame of every decoder step. Shapes: (T_mel,) -> (ceil(T_mel / r),)."""
    return frame_tokens[::r]


def hit_rate(alignment: np.ndarray, ideal: np.ndarray) -> float:
    """Fraction of steps whose most-attended token is within +-TOLERANCE of the ideal token.

    Shapes: alignment (T_steps, T_text) of one item, real steps and tokens only; ideal (T_steps,).
    """
    return float(np.mean(np.abs(alignment.argmax(axis=1) - ideal) <= TOLERANCE))


def linear_baseline(ideal: np.ndarray, num_tokens: int) -> float:
    """``hit`` of a straight line from the first token at the first step to the last at the last step."""
    steps = len(ideal)
    line = np.rint(np.arange(steps) * (num_tokens - 1) / max(steps - 1, 1))
    return float(np.mean(np.abs(line - ideal) <= TOLERANCE))


def measure(alignments: Sequence[np.ndarray], batch: ToyBatch, r: int) -> Dict[str, float]:
    """Mean ``diag`` and ``hit`` over the items. ``alignments``: per item (T_steps, T_text), any padding included."""
    diag, hits = [], []
    for i, alignment in enumerate(alignments):
        ideal = ideal_tokens(batch.frame_tokens[i], r)
        real = alignment[: len(ideal), : int(batch.token_lengths[i])]
        diag.append(alignment_diagonal_score(torch.from_numpy(real)[None]))
        hits.append(hit_rate(real, ideal))
    return {"diag": float(np.mean(diag)), "hit": float(np.mean(hits))}


@torch.no_grad()
def teacher_forced_alignments(model: Tacotron2, batch: ToyBatch) -> List[np.ndarray]:
    was_training = model.training
    model.eval()
    outputs = model(batch.tokens, batch.token_lengths, batch.mels, batch.mel_lengths)
    model.train(was_training)
    return list(outputs["alignments"].numpy())


@torch.no_grad()
def free_running(model: Tacotron2, batch: ToyBatch, r: int) -> Dict[str, object]:
    """Per utterance, alone: the alignment over its true number of steps (stop disabled), the mel
    error against the target, the stop probability at the last true step, and the step at which
    the stop token fires when allowed to (None: not within twice the true steps)."""
    was_training = model.training
    model.eval()
    decoder = model.decoder
    saved = decoder.stop_threshold, decoder.max_decoder_steps
    alignments, mels, errors, stop_steps, true_steps, end_stop = [], [], [], [], [], []
    try:
        for i in range(len(batch.frame_tokens)):
            tokens = batch.tokens[i : i + 1, : int(batch.token_lengths[i])]
            steps = math.ceil(int(batch.mel_lengths[i]) / r)
            decoder.stop_threshold, decoder.max_decoder_steps = 2.0, steps
            outputs = model.inference(tokens)
            alignments.append(outputs["alignments"][0].numpy())
            end_stop.append(float(outputs["stop_tokens"][0, -1]))
            frames = int(batch.mel_lengths[i])
            mels.append(outputs["model_outputs"][0, :frames])
            errors.append(float(((mels[-1] - batch.mels[i, :frames]) ** 2).mean()))
            decoder.stop_threshold, decoder.max_decoder_steps = saved[0], 2 * steps
            ran = model.inference(tokens)["alignments"].shape[1]
            stop_steps.append(ran if ran < decoder.max_decoder_steps else None)
            true_steps.append(steps)
    finally:
        decoder.stop_threshold, decoder.max_decoder_steps = saved
        model.train(was_training)
    return {
        "alignments": alignments,
        "mels": mels,
        "mse": float(np.mean(errors)),
        "stop_steps": stop_steps,
        "true_steps": true_steps,
        "end_stop_probability": end_stop,
    }


# ---------------------------------------------------------------------- model
def toy_config(args: argparse.Namespace) -> Tacotron2Config:
    config = Tacotron2Config(
        num_chars=args.vocab,
        r=args.r,
        encoder_in_features=args.width,
        decoder_in_features=args.width,
        decoder_output_dim=args.num_mels,
        out_channels=args.num_mels,
        prenet_dims=[64, 64],
        attention_rnn_dim=args.rnn_dim,
        decoder_rnn_dim=args.rnn_dim,
        postnet_channels=64,
        ga_alpha=args.ga_alpha,
        lr=args.lr,
        optimizer=args.optimizer,
        max_decoder_steps=1000,
        audio=BaseAudioConfig(num_mels=args.num_mels),
    )
    return config


def save_figures(out: Path, model: Tacotron2, batch: ToyBatch, tf_start, tf_end, free) -> List[Path]:
    """Alignments of the longest utterance at the start and end, and its target and free-running mels."""
    item = int(batch.token_lengths.argmax())
    frames = int(batch.mel_lengths[item])
    steps = math.ceil(frames / model.decoder.r)
    tokens = int(batch.token_lengths[item])
    label = f"item {item}, {tokens} tokens"
    figures = {
        "alignment_teacher_forced_start.png": plot_alignment(
            tf_start[item][:steps, :tokens], title=f"teacher-forced, step 0 ({label})"
        ),
        "alignment_teacher_forced_end.png": plot_alignment(
            tf_end[item][:steps, :tokens], title=f"teacher-forced, end ({label})"
        ),
        "alignment_free_running_end.png": plot_alignment(
            free["alignments"][item][:, :tokens], title=f"free-running, end ({label})"
        ),
        "mel_target.png": plot_spectrogram(batch.mels[item, :frames], title=f"target ({label})"),
        "mel_free_running_end.png": plot_spectrogram(free["mels"][item], title=f"free-running, end ({label})"),
    }
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, figure in figures.items():
        figure.savefig(out / name)
        paths.append(out / name)
    return paths


# ---------------------------------------------------------------------- main
def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--steps", type=int, default=400, help="optimizer steps (default 400)")
    add("--batch-size", type=int, default=6, help="utterances in the batch (default 6)")
    add("--vocab", type=int, default=24, help="toy vocabulary size including padding (default 24)")
    add("--num-mels", type=int, default=32, help="mel channels (default 32)")
    add("--width", type=int, default=64, help="embedding / encoder output width (default 64)")
    add("--rnn-dim", type=int, default=128, help="attention and decoder LSTM width (default 128)")
    add("--r", type=int, default=2, help="reduction factor (default 2)")
    add("--ga-alpha", type=float, default=5.0, help="guided attention loss weight (default 5; 0 disables)")
    add("--optimizer", choices=["Adam", "RAdam"], default="Adam", help="optimizer (default Adam; see above)")
    add("--lr", type=float, default=1e-3, help="learning rate (default 1e-3)")
    add("--threads", type=int, default=1, help="torch threads (default 1: reproducible summation order)")
    add("--seed", type=int, default=0, help="seed of the toy data and the model (default 0)")
    add("--threshold", type=float, default=DEFAULT_THRESHOLD, help=f"minimum final hit (default {DEFAULT_THRESHOLD})")
    add("--no-check", action="store_true", help="report only; always exit 0")
    add("--out", default=None, help="folder for the PNGs (default: a new temporary folder, kept)")
    args = parser.parse_args(argv)
    if args.vocab - 1 < MAX_DURATION - MIN_DURATION + 1:
        parser.error(f"--vocab must be at least {MAX_DURATION - MIN_DURATION + 2}")
    if args.steps < 1:
        parser.error("--steps must be >= 1")
    return args


def seed_everything(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.getLogger("TTS").setLevel(logging.ERROR)  # the decoder warns each time max_decoder_steps ends a run
    torch.set_num_threads(args.threads)
    rng = seed_everything(args.seed)
    batch = make_batch(args.batch_size, args.vocab, args.num_mels, args.r, rng)
    config = toy_config(args)
    model = Tacotron2(config)
    criterion = model.get_criterion()
    optimizer = model.get_optimizer()
    parameters = [p for p in model.parameters() if p.requires_grad]
    r = model.decoder.r

    baseline = np.mean(
        [linear_baseline(ideal_tokens(f, r), int(n)) for f, n in zip(batch.frame_tokens, batch.token_lengths)]
    )
    tokens, frames = batch.token_lengths, batch.mel_lengths
    print(
        f"toy batch: {args.batch_size} utterances, {int(tokens.min())}-{int(tokens.max())} tokens, "
        f"{int(frames.min())}-{int(frames.max())} frames, {args.num_mels} mels, r={r}; "
        f"model {sum(p.numel() for p in parameters) / 1e6:.2f} M parameters; "
        f"{args.steps} steps, {args.threads} thread(s)"
    )
    chance = np.mean([min(2 * TOLERANCE + 1, int(n)) / int(n) for n in tokens])
    print(
        f"hit = fraction of decoder steps attending within +-{TOLERANCE} tokens of the true one; "
        f"chance ~{chance:.2f}, straight-line diagonal {baseline:.2f}"
    )

    tf_start = teacher_forced_alignments(model, batch)
    start = measure(tf_start, batch, r)
    columns = ("loss", "decoder", "postnet", "stopnet", "ga")
    print(f"{'step':>6} " + " ".join(f"{c:>8}" for c in columns) + f" {'diag':>6} {'hit':>6} {'s':>6}")
    log_every = max(1, args.steps // 10)
    losses: List[float] = []
    model.train()
    began = time.perf_counter()
    for step in range(1, args.steps + 1):
        model_batch = model.format_batch(batch.as_model_batch())
        optimizer.zero_grad(set_to_none=True)
        outputs, terms = model.train_step(model_batch, criterion)
        terms["loss"].backward()
        torch.nn.utils.clip_grad_norm_(parameters, config.grad_clip)
        optimizer.step()
        losses.append(float(terms["loss"].detach()))
        if not math.isfinite(losses[-1]):
            print(f"loss is not finite at step {step}")
            return 1
        if step == 1 or step % log_every == 0 or step == args.steps:
            scores = measure(list(outputs["alignments"].detach().numpy()), batch, r)  # train mode: with dropout
            term = {name: float(value.detach()) for name, value in terms.items()}
            print(
                f"{step:>6} {losses[-1]:>8.4f} {term['decoder_loss']:>8.4f} {term['postnet_loss']:>8.4f} "
                f"{term.get('stopnet_loss', float('nan')):>8.4f} {term.get('ga_loss', float('nan')):>8.4f} "
                f"{scores['diag']:>6.3f} {scores['hit']:>6.3f} {time.perf_counter() - began:>6.1f}",
                flush=True,
            )

    tf_end = teacher_forced_alignments(model, batch)
    end = measure(tf_end, batch, r)
    free = free_running(model, batch, r)
    free_scores = measure(free["alignments"], batch, r)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="overfit_alignment_"))
    paths = save_figures(out, model, batch, tf_start, tf_end, free)

    print("\nalignment              diag    hit")
    print(f"teacher-forced start  {start['diag']:>6.3f} {start['hit']:>6.3f}")
    print(f"teacher-forced end    {end['diag']:>6.3f} {end['hit']:>6.3f}")
    print(f"free-running end      {free_scores['diag']:>6.3f} {free_scores['hit']:>6.3f}")
    print(f"loss: first {losses[0]:.4f}, last {losses[-1]:.4f} ({losses[-1] / losses[0]:.1%} of first)")
    print(f"free-running mel MSE vs target: {free['mse']:.4f}")
    stops = ", ".join(f"{'-' if s is None else s}/{t}" for s, t in zip(free["stop_steps"], free["true_steps"]))
    print(f"free-running stop step / true steps ('-': no stop within twice the true steps): {stops}")
    end_stop = ", ".join(f"{p:.2f}" for p in free["end_stop_probability"])
    print(f"free-running stop probability at the last true step: {end_stop}")
    print("figures: " + ", ".join(str(p) for p in paths))

    failures = []
    if end["hit"] < args.threshold:
        failures.append(f"teacher-forced hit {end['hit']:.3f} < {args.threshold}")
    if free_scores["hit"] < args.threshold:
        failures.append(f"free-running hit {free_scores['hit']:.3f} < {args.threshold}")
    if losses[-1] > LOSS_DROP * losses[0]:
        failures.append(f"loss fell only to {losses[-1] / losses[0]:.1%} of its first value (need < {LOSS_DROP:.0%})")
    if failures:
        print(("NOT CHECKED: " if args.no_check else "FAILED: ") + "; ".join(failures))
        return 0 if args.no_check else 1
    print("PASSED: alignment diagonal and loss falling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
