"""Turn a training checkpoint into a small release folder: weights only, a clean config, plots.

    python -m TTS.bin.export_model --checkpoint RUN/checkpoint_4000.pth --out_folder OUT [--dtype fp16]
    # a run restored from a release counts from step 0: record the model's total
    python -m TTS.bin.export_model --checkpoint RUN/checkpoint_1000.pth --out_folder OUT --steps_before 10750

OUT gets ``model.pth`` (``{"model": state_dict, "config": ..., "step": ..., "epoch": ...}``: no optimizer,
scheduler or scaler state, float tensors in ``--dtype``), ``config.json`` (the checkpoint's own
config, which carries the reduction factor gradual training had reached, with machine-local
paths removed), ``alignment.png`` (the attention of a free-running synthesis of
``--sentence``) and ``loss.png`` (training curves read from the run's TensorBoard file, when the
run folder has one). The folder loads like any zoo model (``tts --model_path OUT/model.pth
--config_path OUT/config.json``) and is a valid ``--restore_path`` to train on from.

OUT must not be a training run folder (its config.json is what ``--continue_path`` reads), and
a release already in OUT is only replaced with ``--force``. The checkpoint, the folder and the
sentence are all checked before anything is written.
"""

import argparse
import glob
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import torch

from TTS.config import config_from_dict, load_config
from TTS.errors import TTSError
from TTS.utils.io import CheckpointError, load_checkpoint_file
from TTS.utils.restore import RestoreError, restore_error_summary

DTYPES = {"fp32": torch.float32, "fp16": torch.float16}
# files the trainer writes into a run folder: an out_folder holding one of them is a run folder
RUN_FOLDER_PATTERNS = ("trainer_*_log.txt", "checkpoint_*.pth", "best_model*.pth")
RELEASE_FILES = ("model.pth", "config.json")
# config fields that name files of the training machine
LOCAL_PATH_FIELDS = ("phoneme_cache_path", "mel_cache_path")
# one batch every print_step (noisy), then the mean over each epoch (the trend: drawn bold)
LOSS_TAGS = (
    "TrainIterStats/loss",
    "TrainIterStats/decoder_loss",
    "TrainIterStats/align_error",
    "TrainEpochStats/avg_loss",
    "TrainEpochStats/avg_decoder_loss",
    "TrainEpochStats/avg_align_error",
    "EvalStats/avg_loss",
)


class ExportError(TTSError, ValueError):
    """A bad argument of the export; the message names it."""


def check_checkpoint_path(checkpoint_path: Path) -> None:
    """A folder given as ``--checkpoint`` is an error naming the checkpoints in it."""
    if checkpoint_path.is_dir():
        found = sorted(path.name for path in checkpoint_path.glob("*.pth"))
        hint = f"its checkpoints: {', '.join(found)}" if found else "it holds no .pth file"
        raise ExportError(f"--checkpoint {checkpoint_path} is a folder, not a checkpoint file; {hint}")


def check_out_folder(out_folder: Path, force: bool = False) -> None:
    """Refuse an ``out_folder`` that is a file or a training run folder, or holds a release (without ``force``)."""
    if out_folder.exists() and not out_folder.is_dir():
        raise ExportError(f"--out_folder {out_folder} is a file, not a folder")
    for parent in out_folder.parents:
        if parent.exists() and not parent.is_dir():
            raise ExportError(f"--out_folder {out_folder}: {parent} is a file, not a folder")
    if not out_folder.is_dir():
        return
    run_files = sorted(path.name for pattern in RUN_FOLDER_PATTERNS for path in out_folder.glob(pattern))
    if run_files:
        raise ExportError(
            f"--out_folder {out_folder} is a training run folder (it holds {run_files[0]}): the release's "
            "config.json would replace the run's and break --continue_path; choose another folder"
        )
    existing = [name for name in RELEASE_FILES if (out_folder / name).exists()]
    if existing and not force:
        raise ExportError(
            f"--out_folder {out_folder} already holds {' and '.join(existing)}; pass --force to overwrite them"
        )


def check_sentence(config: Dict[str, Any], sentence: str, source: str) -> None:
    """The sentence of the alignment plot must give at least one symbol of the model's vocabulary."""
    from TTS.tts.utils.text.tokenizer import TTSTokenizer, UnknownCharacterError

    tokenizer, _ = TTSTokenizer.init_from_config(config_from_dict(config, source=source))
    try:
        ids = tokenizer.encode(tokenizer.process(sentence, None))
    except UnknownCharacterError as err:
        raise ExportError(f"--sentence {sentence!r}: {err}") from None
    if not ids:
        raise ExportError(f"--sentence {sentence!r} has no symbol of the model's vocabulary")


def clean_config(config: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of ``config`` without paths of the training machine (datasets keep their folder name)."""
    config = json.loads(json.dumps(config))
    for key in LOCAL_PATH_FIELDS:
        if key in config:
            config[key] = None
    config["output_path"] = "output"
    if config.get("test_sentences_file"):
        config["test_sentences_file"] = ""
    for dataset in config.get("datasets") or []:
        if dataset.get("path"):
            dataset["path"] = os.path.basename(os.path.normpath(dataset["path"]))
    return config


def export_weights(
    checkpoint: Dict[str, Any], config: Dict[str, Any], dtype: torch.dtype, steps_before: int = 0
) -> Dict[str, Any]:
    """The release checkpoint: the model's tensors (floats cast to ``dtype``), ``config``, step and epoch.

    The step and epoch are what the trainer's ``--restore_path`` reads besides the weights, so a
    release is also the starting point of a fine-tuning run. A run started with ``--restore_path``
    counts its steps from 0: ``steps_before`` (the restored release's step) makes ``step`` the
    model's total.
    """
    state = {
        key: value.to(dtype) if torch.is_floating_point(value) else value for key, value in checkpoint["model"].items()
    }
    return {
        "model": state,
        "config": config,
        "step": (checkpoint.get("step") or 0) + steps_before,
        "epoch": checkpoint.get("epoch") or 0,
    }


def loss_series(run_folder: Path) -> Dict[str, List[Tuple[int, float]]]:
    """``{tag: [(step, value), ...]}`` of the ``LOSS_TAGS`` in the TensorBoard file(s) of ``run_folder``, by step."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    series: Dict[str, List[Tuple[int, float]]] = {}
    for events in sorted(glob.glob(str(run_folder / "events.out.tfevents.*"))):
        accumulator = EventAccumulator(events, size_guidance={"scalars": 0})
        accumulator.Reload()
        for tag in LOSS_TAGS:
            if tag in accumulator.Tags()["scalars"]:
                series.setdefault(tag, []).extend((e.step, e.value) for e in accumulator.Scalars(tag))
    return {tag: sorted(points) for tag, points in series.items()}


def plot_losses(run_folder: Path, out_path: Path) -> Optional[Path]:
    """Loss curves of the TensorBoard file(s) in ``run_folder``; None when there are none.

    Epoch means are drawn bold over the faint single-batch samples, whose batch-to-batch spread
    hides the trend of a short stage."""
    from TTS.tts.utils.visual import plt

    series = loss_series(run_folder)
    if not series:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for tag, points in series.items():
        axis = axes[1] if "align" in tag else axes[0]
        group, name = tag.split("/")
        epoch_mean = group == "TrainEpochStats"
        axis.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            label=f"{name[len('avg_') :]} (epoch mean)" if epoch_mean else name,
            linewidth=2.0 if epoch_mean else 1.0,
            alpha=1.0 if epoch_mean else 0.4,
        )
    axes[0].set_yscale("log")
    axes[0].set_title("losses")
    axes[1].set_title("alignment error (1 - diagonal score)")
    for axis in axes:
        axis.set_xlabel("step")
        if axis.lines:
            axis.legend()
    fig.tight_layout()
    fig.savefig(out_path, dpi=80)
    plt.close(fig)
    return out_path


def plot_synthesis_alignment(model_path: Path, config_path: Path, sentence: str, out_path: Path) -> Path:
    """Alignment image of the exported model speaking ``sentence``."""
    from TTS.tts.models import setup_model
    from TTS.tts.utils.visual import plot_alignment, plt

    config = load_config(str(config_path))
    model = setup_model(config)
    model.load_checkpoint(config, str(model_path), eval=True)
    ids = model.tokenizer.text_to_ids(sentence, language=None)
    with torch.no_grad():
        outputs = model.inference(torch.tensor([ids], dtype=torch.long))
    fig = plot_alignment(outputs["alignments"][0].float(), title=sentence)
    fig.savefig(out_path, dpi=80)
    plt.close(fig)
    return out_path


def export(
    checkpoint_path: Path,
    out_folder: Path,
    dtype: str = "fp16",
    sentence: str = "Hello world.",
    steps_before: int = 0,
    force: bool = False,
) -> List[Path]:
    """Write the release of ``checkpoint_path`` into ``out_folder``; the paths written, in order.

    Raises
    ------
    ExportError
        ``out_folder`` is a file, a training run folder, or holds a release (without ``force``);
        ``checkpoint_path`` is a folder or its weights do not fit its config; ``sentence`` has no
        symbol of the model's vocabulary. Nothing is written then.
    """
    if steps_before < 0:
        raise ValueError(f"--steps_before must be 0 or more, got {steps_before}")
    check_checkpoint_path(checkpoint_path)
    check_out_folder(out_folder, force)
    checkpoint = load_checkpoint_file(checkpoint_path)
    if "model" not in checkpoint:
        raise CheckpointError(f"{checkpoint_path}: no 'model' state dict in this checkpoint")
    config = checkpoint.get("config")
    if not isinstance(config, dict):
        config_path = checkpoint_path.parent / "config.json"
        if not config_path.is_file():
            raise FileNotFoundError(f"{checkpoint_path} stores no config and {config_path} does not exist")
        config = load_config(str(config_path)).to_dict()
    config = clean_config(config)
    check_sentence(config, sentence, source=str(checkpoint_path))
    created = not out_folder.exists()
    out_folder.mkdir(parents=True, exist_ok=True)
    # everything is made in a staging folder and moved in only once the release loads and speaks: a
    # checkpoint whose weights do not fit its config leaves no half release (nor replaces one with --force)
    staging = out_folder / ".export-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        model_path, config_path = staging / "model.pth", staging / "config.json"
        torch.save(export_weights(checkpoint, config, DTYPES[dtype], steps_before), model_path)
        config_path.write_text(json.dumps(config, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
        staged = [model_path, config_path]
        try:
            staged.append(plot_synthesis_alignment(model_path, config_path, sentence, staging / "alignment.png"))
        except RestoreError as err:
            raise ExportError(
                f"{checkpoint_path}: its weights do not fit its config: {restore_error_summary(str(err))}"
            ) from None
        losses = plot_losses(checkpoint_path.parent, staging / "loss.png")
        if losses is not None:
            staged.append(losses)
        written = []
        for path in staged:
            os.replace(path, out_folder / path.name)
            written.append(out_folder / path.name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(out_folder.iterdir()):
            out_folder.rmdir()


def non_negative_int(value: str) -> int:
    """argparse type: an integer of 0 or more."""
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {number}")
    return number


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, required=True, help="training checkpoint (.pth)")
    parser.add_argument(
        "--out_folder", type=Path, required=True, help="release folder to write (created; not a training run folder)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite a release already in --out_folder")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="fp16", help="dtype of the float weights")
    parser.add_argument("--sentence", default="Hello world.", help="sentence of the alignment plot")
    parser.add_argument(
        "--steps_before",
        type=non_negative_int,
        default=0,
        help="steps of the earlier stages (the step of the release a --restore_path run started from), "
        "added to the checkpoint's own step",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(format=" > %(message)s", level=logging.WARNING)
    try:
        written = export(args.checkpoint, args.out_folder, args.dtype, args.sentence, args.steps_before, args.force)
    except (TTSError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"{path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
