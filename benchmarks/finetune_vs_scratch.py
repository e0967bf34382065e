#!/usr/bin/env python3
"""Fine-tuning the English model to a new language vs training that model from scratch, on one step budget.

The recipe ``recipes/kumo/tacotron2-DDC/finetune_language.py`` is trained twice on ``--corpus``:

- ``finetune``: restoring the English model (the recipe's default, the embedded kumo voice, or
  ``--restore_path``), with the recipe's layer freezing;
- ``scratch``: ``--from_scratch``, the same Spanish model from random weights, nothing frozen;

into ``--out``/finetune and ``--out``/scratch (``--coqpit.output_path``), with the same overrides
(``--extra``) and the same number of training steps. Then both runs' TensorBoard events are read
and compared, per logged step (every ``plot_step``, the trainer's step numbering):

- ``TrainIterStats/align_error``: 1 - the alignment's diagonal score (``Tacotron2.train_step``), the
  batch's value at that step; near 0 once the attention is sharp and monotonic;
- ``TrainIterStats/loss``: the training loss of that batch (the sum of the recipe's loss terms);

as a table (``OUT/report.txt``, also printed) and a PNG of both curves (``OUT/curves.png``), with,
for each run, the first logged step whose align_error is at most ``--align_threshold`` (a rough mark
of "aligned": the curves are the evidence). ``--wer`` then synthesises the corpus's held-out
sentences with each run's last checkpoint (the highest checkpoint step both runs saved) and scores
them with ``benchmarks/intelligibility.py`` (``--language``, default es: multilingual Whisper base).

The step budget: the trainer (coqui-tts-trainer) has no maximum-steps setting, only
``--coqpit.epochs``, and this script leaves the recipe and the trainer as they are. It counts the
batches each epoch will have, as the trainer makes them (the recipe's config with the overrides,
the training samples that pass the length filters, the batch sampler, and the batch size that
gradual training sets at each epoch start), and runs the fewest epochs reaching ``--steps``: both
runs then train the same number of steps, ``--steps`` rounded up to whole epochs (the report gives
that number and checks it against each run's events). "Steps" are the trainer's: one per batch.
The recipe's ``gradual_training`` sets the batch size at each epoch start, so ``--coqpit.batch_size``
has no effect on it; the plan line prints the batch sizes the runs will use.

Usage::

    python recipes/kumo/make_corpus.py --lang es --out_path data/kumo_es     # the corpus, once
    python benchmarks/finetune_vs_scratch.py --corpus data/kumo_es --steps 3000 --out runs/es_vs_scratch
    # finer curves (--extra takes the rest of the command line, to both runs)
    python benchmarks/finetune_vs_scratch.py --steps 3000 --out runs/es_vs_scratch --extra --coqpit.plot_step 25
    # read the runs again (no training), and score both final checkpoints on the held-out sentences
    python benchmarks/finetune_vs_scratch.py --out runs/es_vs_scratch --report_only --wer
"""

import argparse
import importlib.util
import json
import logging
import math
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after the backend is chosen

from TTS.bin.train_tts import INPUT_ERRORS, parse_command_line
from TTS.errors import TTSError
from TTS.tts.datasets import load_tts_samples
from TTS.tts.datasets.dataset import TTSDataset
from TTS.tts.datasets.samplers import batch_sampler_from_config
from TTS.tts.models.tacotron2 import gradual_training_step, run_schedule
from TTS.utils.audio import AudioProcessor
from TTS.utils.io import load_checkpoint_file

REPO_ROOT = Path(__file__).resolve().parents[1]
RECIPE = REPO_ROOT / "recipes" / "kumo" / "tacotron2-DDC" / "finetune_language.py"
INTELLIGIBILITY = REPO_ROOT / "benchmarks" / "intelligibility.py"
DEFAULT_CORPUS = REPO_ROOT / "data" / "kumo_es"

#: run name -> the recipe's arguments that make it
RUNS = {"finetune": [], "scratch": ["--from_scratch"]}
ALIGN_TAG = "TrainIterStats/align_error"
LOSS_TAG = "TrainIterStats/loss"
#: logged once per epoch at the step count reached: the last one is the number of steps trained
EPOCH_TAG = "TrainEpochStats/epoch_time"
#: set by this script for both runs, so not accepted in --extra
RESERVED_ARGS = {
    "--coqpit.epochs": "the step budget sets the epochs (--steps)",
    "--coqpit.output_path": "the runs go to --out/finetune and --out/scratch",
    "--coqpit.datasets.0.path": "give the corpus with --corpus",
    "--restore_path": "give it with --restore_path (it applies to the finetune run only)",
    "--continue_path": "a comparison starts both runs afresh",
    "--from_scratch": "the scratch run adds it",
}
REPORT_FILE = "report.txt"
PLOT_FILE = "curves.png"


class BenchmarkError(Exception):
    """Bad input or a failed run: reported in one line."""


# --------------------------------------------------------------------------- the step budget


def load_recipe():
    """The ``finetune_language`` recipe as a module (its folder on ``sys.path``, for its ``from train import``)."""
    recipe_dir = str(RECIPE.parent)
    if recipe_dir not in sys.path:
        sys.path.insert(0, recipe_dir)
    spec = importlib.util.spec_from_file_location("finetune_language", RECIPE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count_training_samples(config, small_run: int | None = None) -> int:
    """Training samples the trainer will batch: the datasets' training split, after the length filters."""
    train_samples, _ = load_tts_samples(
        config.datasets,
        eval_split=config.run_eval,
        eval_split_max_size=config.eval_split_max_size,
        eval_split_size=config.eval_split_size,
    )
    if small_run is not None:
        train_samples = train_samples[:small_run]
    dataset = TTSDataset(
        samples=train_samples,
        tokenizer=None,  # the filters read audio headers and raw text only
        ap=AudioProcessor.init_from_config(config),
        min_audio_len=config.min_audio_len,
        max_audio_len=config.max_audio_len,
        min_text_len=config.min_text_len,
        max_text_len=config.max_text_len,
    )
    return len(dataset)


@dataclass(frozen=True)
class Plan:
    """The fewest whole epochs that reach a step budget: their steps and the batch sizes they use."""

    epochs: int
    steps: int
    batch_sizes: tuple[int, ...]


def plan_epochs(config, num_samples: int, budget: int) -> Plan:
    """The epochs to train for ``budget`` steps on ``num_samples`` training samples.

    Each epoch has the batches of the config's batch sampler at the batch size in force when it
    starts: ``gradual_training`` (from ``gradual_training_start_r``, see ``run_schedule``) sets it at epoch
    starts, from the global step, over ``batch_size``.
    """
    epochs = steps = 0
    batch_sizes: list[int] = []
    while steps < budget:
        batch_size = config.batch_size
        if config.gradual_training:
            batch_size = gradual_training_step(run_schedule(config), steps)[1]
        sampler = batch_sampler_from_config(config, lengths=[0] * num_samples, batch_size=batch_size)
        if len(sampler) == 0:
            raise BenchmarkError(f"{num_samples} training samples make no batch of {batch_size} (drop_last is set)")
        steps += len(sampler)
        epochs += 1
        batch_sizes += [batch_size] if batch_size not in batch_sizes else []
    return Plan(epochs, steps, tuple(batch_sizes))


def recipe_config(run: str, overrides: Sequence[str]):
    """The config ``run`` trains, with the command-line overrides applied as ``train_tts`` applies them."""
    recipe = load_recipe()
    config = recipe.make_config()
    if "--from_scratch" in RUNS[run]:
        config = recipe.from_scratch(config)
    try:
        return parse_command_line(list(overrides), default_config=config)
    except INPUT_ERRORS as err:
        raise BenchmarkError(str(err)) from None


def checkpoint_r(restore_path: Path | None) -> int:
    """The reduction factor of the checkpoint the finetune run restores (default: the recipe's English model)."""
    path = restore_path or Path(load_recipe().ENGLISH_MODEL)
    try:
        return int(load_checkpoint_file(str(path))["config"]["r"])
    except (TTSError, KeyError, TypeError, ValueError) as err:
        raise BenchmarkError(f"{path}: no reduction factor in the checkpoint's config ({err})") from None


def plan(overrides: Sequence[str], budget: int) -> Plan:
    """The plan of both runs; an error if their configs would batch differently.

    ``overrides`` carry ``--coqpit.gradual_training_start_r``, the restored checkpoint's r, so
    both runs start gradual training there.
    """
    plans = {}
    for run in RUNS:
        trainer_args, config = recipe_config(run, overrides)
        plans[run] = plan_epochs(config, count_training_samples(config, trainer_args.small_run), budget)
    if len(set(plans.values())) > 1:
        raise BenchmarkError(f"the runs would not train the same steps: {plans}")
    return plans["finetune"]


# --------------------------------------------------------------------------- training


def run_folder(output: Path) -> Path:
    """The one run folder (with config.json) the trainer made under ``output``."""
    runs = sorted(path for path in output.iterdir() if (path / "config.json").is_file()) if output.is_dir() else []
    if len(runs) != 1:
        found = ", ".join(str(path) for path in runs) or "none"
        raise BenchmarkError(f"expected one run folder (with config.json) in {output}, found {found}")
    return runs[0]


def train(run: str, out: Path, args: Sequence[str]) -> Path:
    """Train one run of the recipe into ``out/run`` (log in ``out/run.log``); its run folder."""
    log_path = out / f"{run}.log"
    command = [sys.executable, str(RECIPE), *RUNS[run], *args]
    print(f"training {run}: log in {log_path}", flush=True)
    with open(log_path, "w", encoding="utf-8") as log:
        log.write(shlex.join(command) + "\n")
        log.flush()
        result = subprocess.run(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise BenchmarkError(
            f"the {run} run failed (exit code {result.returncode}), see {log_path}:\n" + "\n".join(tail)
        )
    return run_folder(out / run)


# --------------------------------------------------------------------------- curves


@dataclass
class RunCurves:
    """The scalars of one run's TensorBoard events that the comparison reads: ``{step: value}``."""

    name: str
    folder: Path
    align_error: dict[int, float]
    loss: dict[int, float]
    steps_trained: int | None


def read_curves(name: str, folder: Path) -> RunCurves:
    """The alignment error and loss curves of the run in ``folder`` (all its event files)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    if not list(folder.glob("events.out.tfevents.*")):
        raise BenchmarkError(f"no TensorBoard events in {folder} (the runs need dashboard_logger 'tensorboard')")
    events = EventAccumulator(str(folder), size_guidance={"scalars": 0})
    events.Reload()
    tags = set(events.Tags()["scalars"])
    missing = [tag for tag in (ALIGN_TAG, LOSS_TAG) if tag not in tags]
    if missing:
        raise BenchmarkError(f"{folder}: no {' or '.join(missing)} in the events")

    def series(tag: str) -> dict[int, float]:
        return {event.step: event.value for event in events.Scalars(tag)} if tag in tags else {}

    epochs = series(EPOCH_TAG)
    return RunCurves(name, folder, series(ALIGN_TAG), series(LOSS_TAG), max(epochs) if epochs else None)


def first_step_at_or_below(curve: dict[int, float], threshold: float) -> int | None:
    return next((step for step in sorted(curve) if curve[step] <= threshold), None)


def _cell(curve: dict[int, float], step: int) -> str:
    return f"{curve[step]:.4f}" if step in curve else "-"


def format_report(runs: Sequence[RunCurves], align_threshold: float) -> str:
    """Steps trained, when each run first aligned, and the per-step table of both curves."""
    names = [run.name for run in runs]
    lines = [f"{run.name}: {run.folder}" for run in runs]
    trained = ", ".join(f"{run.name} {run.steps_trained if run.steps_trained is not None else '?'}" for run in runs)
    lines.append(f"steps trained: {trained}")
    if len({run.steps_trained for run in runs}) > 1:
        lines.append("WARNING: the runs did not train the same number of steps")
    for run in runs:
        step = first_step_at_or_below(run.align_error, align_threshold)
        last = max(run.align_error)
        when = f"first at step {step}" if step is not None else f"not reached by step {last}"
        lines.append(
            f"{run.name}: align_error <= {align_threshold} {when}; last logged (step {last}): "
            f"align_error {run.align_error[last]:.4f}, loss {run.loss.get(last, math.nan):.4f}"
        )
    header = ["step"] + [f"align_error {name}" for name in names] + [f"loss {name}" for name in names]
    rows = [header]
    for step in sorted(set().union(*(run.align_error.keys() | run.loss.keys() for run in runs))):
        rows.append(
            [str(step)] + [_cell(run.align_error, step) for run in runs] + [_cell(run.loss, step) for run in runs]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines.append("")
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def plot_curves(runs: Sequence[RunCurves], out_path: Path, align_threshold: float | None = None) -> Path:
    """Both runs' alignment error and loss against the step, side by side (the threshold dashed)."""
    fig, (align_axis, loss_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for run in runs:
        for axis, curve in ((align_axis, run.align_error), (loss_axis, run.loss)):
            steps = sorted(curve)
            axis.plot(steps, [curve[step] for step in steps], marker="." if len(steps) < 50 else None, label=run.name)
    if align_threshold is not None:
        align_axis.axhline(align_threshold, color="grey", linestyle="--", linewidth=1, label="aligned below")
    align_axis.set_title("alignment error (1 - diagonal score)")
    loss_axis.set_title("training loss")
    loss_axis.set_yscale("log")
    for axis in (align_axis, loss_axis):
        axis.set_xlabel("step")
        axis.legend()
    fig.tight_layout()
    fig.savefig(out_path, dpi=80)
    plt.close(fig)
    return out_path


# --------------------------------------------------------------------------- held-out WER


def numbered_checkpoints(folder: Path) -> dict[int, Path]:
    """``{step: path}`` of the run's ``checkpoint_<step>.pth`` and ``best_model_<step>.pth``."""
    found = {}
    for path in sorted(folder.glob("*_[0-9]*.pth")):
        step = path.stem.rsplit("_", 1)[1]
        if step.isdigit():
            found[int(step)] = path
    return found


def final_checkpoints(runs: Sequence[RunCurves]) -> tuple[int, dict[str, Path]]:
    """The highest checkpoint step that every run saved, and each run's checkpoint of that step."""
    saved = {run.name: numbered_checkpoints(run.folder) for run in runs}
    common = set.intersection(*(set(steps) for steps in saved.values()))
    if not common:
        listed = {name: sorted(steps) for name, steps in saved.items()}
        raise BenchmarkError(f"no checkpoint step common to the runs: {listed}")
    step = max(common)
    return step, {name: steps[step] for name, steps in saved.items()}


def load_intelligibility():
    spec = importlib.util.spec_from_file_location("intelligibility", INTELLIGIBILITY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out_wer(runs: Sequence[RunCurves], corpus: Path, language: str, limit: int | None, out: Path) -> str:
    """Both runs' last common checkpoint scored by the intelligibility benchmark; the lines to print."""
    bench = load_intelligibility()
    step, paths = final_checkpoints(runs)
    lines, teacher = [], None
    for run in runs:
        argv = ["--model_path", str(paths[run.name]), "--config_path", str(run.folder / "config.json")]
        argv += ["--corpus", str(corpus), "--language", language, "--threads", "1", "--hard_limit", "0"]
        argv += ["--limit", str(limit)] if limit is not None else []
        report = bench.evaluate(bench.parse_args(argv))
        json_path = out / f"intelligibility_{run.name}.json"
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        ours, teacher = report["ours"], report["teacher"]
        accents = f", accents ignored {100 * ours['accent_free']['wer']:.1f}%" if "accent_free" in ours else ""
        lines.append(
            f"  {run.name:<9} WER {100 * ours['wer']:5.1f}%  CER {100 * ours['cer']:5.1f}%{accents}  ({json_path})"
        )
    header = (
        f"held-out WER at checkpoint step {step}, {report['sentences']} sentences of {corpus}, "
        f"{report['asr']['model']}, language {language} (numbers: {report['asr']['numbers']}):"
    )
    lines.append(
        f"  {'teacher':<9} WER {100 * teacher['wer']:5.1f}%  CER {100 * teacher['cer']:5.1f}%  (the ASR's floor)"
    )
    return "\n".join([header, *lines])


# --------------------------------------------------------------------------- main


def check_extra(extra: Sequence[str]) -> None:
    for arg in extra:
        reason = RESERVED_ARGS.get(arg.split("=")[0])
        if reason:
            raise BenchmarkError(f"--extra {arg}: not allowed here, {reason}")


def check_corpus(corpus: Path, heldout: bool = False) -> None:
    """A one-line error unless ``corpus`` has the training list (or, with ``heldout``, the held-out one)."""
    hint = f"make it with: python recipes/kumo/make_corpus.py --lang es --out_path {corpus}"
    if not corpus.is_dir():
        raise BenchmarkError(f"corpus not found: {corpus} ({hint})")
    listing = "heldout.csv" if heldout else "metadata.csv"
    if not (corpus / listing).is_file():
        raise BenchmarkError(f"no {listing} in the corpus folder {corpus} ({hint})")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder of both runs, the report and the plot")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="LJSpeech-layout corpus of the language")
    parser.add_argument("--steps", type=int, default=3000, help="step budget of each run (rounded up to whole epochs)")
    parser.add_argument("--restore_path", type=Path, help="English checkpoint to fine-tune (default: the recipe's)")
    parser.add_argument("--report_only", action="store_true", help="read the runs in --out again, train nothing")
    parser.add_argument("--align_threshold", type=float, default=0.5, help="align_error that counts as aligned")
    parser.add_argument("--wer", action="store_true", help="score both final checkpoints on the held-out sentences")
    parser.add_argument("--language", default="es", help="language of the corpus, for the ASR of --wer")
    parser.add_argument("--wer_limit", type=int, help="--wer: only the first N held-out sentences")
    parser.add_argument(
        "--extra",
        nargs=argparse.REMAINDER,
        default=[],
        help="everything after it goes to both runs (trainer arguments, --coqpit.<field> overrides); put it last",
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    if args.wer_limit is not None and args.wer_limit < 1:  # before hours of training, not after
        parser.error(f"--wer_limit {args.wer_limit}: must be at least 1")
    return args


def compare(args: argparse.Namespace) -> str:
    """Train both runs (unless ``--report_only``), then the report; also written to ``--out``."""
    check_extra(args.extra)
    if args.wer:  # before hours of training
        check_corpus(args.corpus, heldout=True)
    planned = None
    if not args.report_only:
        check_corpus(args.corpus)
        if args.restore_path and not args.restore_path.is_file():
            raise BenchmarkError(f"--restore_path: checkpoint not found: {args.restore_path}")
        for run in RUNS:
            if (args.out / run).is_dir() and any((args.out / run).iterdir()):
                raise BenchmarkError(f"{args.out / run} is not empty: give another --out, or --report_only to read it")
        # the finetune run starts at the r of the model it restores; the scratch run at the same r
        restore_r = checkpoint_r(args.restore_path)
        overrides = [*args.extra, "--coqpit.datasets.0.path", str(args.corpus)]
        overrides += ["--coqpit.gradual_training_start_r", str(restore_r)]
        budget = plan(overrides, args.steps)
        planned = budget.steps
        sizes = ", ".join(str(size) for size in budget.batch_sizes)
        print(f"{args.steps} steps: {budget.epochs} epoch(s), {planned} steps per run, batch size {sizes}", flush=True)
        args.out.mkdir(parents=True, exist_ok=True)
        for run in RUNS:
            restore = ["--restore_path", str(args.restore_path)] if run == "finetune" and args.restore_path else []
            paths = ["--coqpit.output_path", str(args.out / run), "--coqpit.epochs", str(budget.epochs)]
            train(run, args.out, [*restore, *overrides, *paths])
    runs = [read_curves(run, run_folder(args.out / run)) for run in RUNS]
    text = format_report(runs, args.align_threshold)
    (args.out / REPORT_FILE).write_text(text + "\n", encoding="utf-8")
    plot = plot_curves(runs, args.out / PLOT_FILE, args.align_threshold)
    text += f"\n\ntable: {args.out / REPORT_FILE}\ncurves: {plot}"
    off_plan = [run.name for run in runs if planned is not None and run.steps_trained != planned]
    if off_plan:
        text += f"\nWARNING: {', '.join(off_plan)} did not train the planned {planned} steps"
    if args.wer:
        text += "\n" + held_out_wer(runs, args.corpus, args.language, args.wer_limit, args.out)
    return text


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        print(compare(args))
    except BenchmarkError as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
