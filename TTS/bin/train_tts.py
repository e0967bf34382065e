"""Train a TTS model from a config file with the ``trainer`` package.

    python TTS/bin/train_tts.py --config_path config.json [--coqpit.<field> <value> ...]
    python TTS/bin/train_tts.py --config_path config.json --restore_path run/best_model.pth --coqpit.lr 1e-5
    python TTS/bin/train_tts.py --continue_path run/                  (also: python -m TTS.bin.train_tts)

``--restore_path`` loads the weights of a checkpoint into a new run (step 0, fresh optimizer and
scheduler), carrying the rows of symbols and speakers over by name when the checkpoint was trained
on another vocabulary or other speakers (a new language, new voices: see ``restore_new_symbols``,
``restore_symbol_map`` and ``restore_new_speakers`` in the config); ``--continue_path`` resumes a
run folder exactly (weights, optimizer, scheduler, step, epoch) with the config stored there.
``--coqpit.<field> <value>`` overrides a config field (nested: ``--coqpit.audio.sample_rate 16000``,
``--coqpit.datasets.0.path /data``), named in full; the overrides are applied before the samples and
the model are built. All other trainer arguments (``TrainerArgs``) apply, also named in full.

Bad input (config, dataset folder, metadata, audio files, checkpoint that does not fit the model or
is broken) ends with one ``error:`` message on stderr and exit code 1, before training starts: every
sample is checked once up front (audio exists, is readable and at ``audio.sample_rate``, text gives tokens).
"""

import argparse
import contextlib
import glob
import itertools
import logging
import math
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple, Union

import torch
from coqpit import Coqpit
from trainer import Trainer, TrainerArgs
from trainer import trainer as trainer_module
from trainer.generic_utils import get_experiment_folder_path
from trainer.io import get_last_checkpoint

from TTS.config import ConfigError, config_from_dict, load_config
from TTS.config.overrides import (  # noqa: F401 - CONFIG_PREFIX and check_override_names: this module's API
    CONFIG_PREFIX,
    _did_you_mean,
    _option_names,
    _options,
    _Parser,
    check_override_names,
)
from TTS.errors import TTSError
from TTS.tts.datasets import load_tts_samples
from TTS.tts.models import setup_model
from TTS.utils.io import CheckpointError, load_checkpoint_file

# errors that mean bad input, reported in one line instead of a traceback
INPUT_ERRORS = (TTSError, FileNotFoundError)
# the schedulers trainer.trainer_utils.get_scheduler finds outside torch.optim.lr_scheduler (by lower-case name)
TRAINER_SCHEDULERS = ("noamlr", "stepwisegraduallr")


def check_trainer_argument_names(argv: Sequence[str], options: Set[str]) -> None:
    """Every trainer argument (``--continue_path``, ...) is named in full (argparse would take ``--continue``)."""
    for option in _option_names(argv):
        if option not in options and not option.startswith(CONFIG_PREFIX):
            raise ConfigError(f"unknown command-line argument {option}{_did_you_mean(option, sorted(options))}")


def parse_command_line(
    argv: List[str],
    default_config: Optional[Coqpit] = None,
    *,
    prog: str = "train_tts",
    description: Optional[str] = None,
) -> Tuple[TrainerArgs, Coqpit]:
    """Trainer arguments and the config with the ``--coqpit.*`` overrides applied.

    The config is the one stored in ``--continue_path``, else ``--config_path``, else
    ``default_config`` (a recipe's).

    ``Trainer(..., parse_command_line_args=True)`` parses the same command line again and applies
    the overrides a second time (to the config stored in ``--continue_path`` when given), which
    leaves the same values: every option name is checked to be exact here, and argparse prefers
    an exact match to an abbreviation.
    """
    parser = _Parser(
        prog=prog,
        description=__doc__ if description is None else description,
        epilog="Trainer arguments: " + ", ".join(f"--{name}" for name in TrainerArgs().to_dict()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=True,
    )
    parser.add_argument("--config_path", default=None, help="config.json (or YAML) of the model to train.")
    known, remaining = parser.parse_known_args(argv)
    args = TrainerArgs()
    trainer_parser = TrainerArgs.init_argparse(instance=args, parser=_Parser(prog="train_tts"), arg_prefix="")
    check_trainer_argument_names(remaining, _options(trainer_parser) | {"--config_path", "--help", "-h"})
    namespace, overrides = trainer_parser.parse_known_args(remaining)
    args.parse_args(namespace, arg_prefix="")
    if args.continue_path:
        check_continue_path(args.continue_path)
        config = load_config(os.path.join(args.continue_path, "config.json"), typos="error")
    elif known.config_path:
        config = load_config(known.config_path, typos="error")
    elif default_config is not None:
        config = default_config
    else:
        raise ConfigError("give --config_path <config.json>, or --continue_path <run folder>")
    if args.restore_path and "://" not in args.restore_path and not os.path.isfile(args.restore_path):
        what = "is a folder, not a checkpoint file" if os.path.isdir(args.restore_path) else "checkpoint not found"
        raise FileNotFoundError(f"--restore_path: {what}: {args.restore_path}")
    unknown = apply_overrides(config, overrides) if overrides else []
    if unknown:
        raise ConfigError(f"unknown or unsupported command-line arguments: {' '.join(unknown)}")
    check_optimization(config)
    check_training_values(config, args)
    return args, config


def apply_overrides(config: Coqpit, overrides: Sequence[str]) -> List[str]:
    """Apply ``--coqpit.<field> <value>`` overrides, field names in full only; returns the arguments left over."""
    parser = config.init_argparse(
        instance=config, parser=_Parser(prog="train_tts"), arg_prefix="coqpit", relaxed_parser=True
    )
    check_override_names(overrides, config, _options(parser))
    namespace, unknown = parser.parse_known_args(list(overrides))
    config.parse_args(namespace, arg_prefix="coqpit")  # also runs the config's check_values()
    return unknown


def check_optimization(config: Coqpit) -> None:
    """The optimizer and the learning-rate scheduler are classes the model and the trainer can find.

    Without this check a misspelt name fails only when the trainer builds them, in a traceback.
    """
    optimizer = getattr(config, "optimizer", None)
    if isinstance(optimizer, str) and optimizer.lower() != "radam":
        found = getattr(torch.optim, optimizer, None)
        if not (isinstance(found, type) and issubclass(found, torch.optim.Optimizer)):
            names = [
                name
                for name, value in vars(torch.optim).items()
                if isinstance(value, type) and issubclass(value, torch.optim.Optimizer)
            ]
            raise ConfigError(
                f"config field 'optimizer': unknown optimizer {optimizer!r}{_did_you_mean(optimizer, names)} "
                "(a torch.optim class name)"
            )
    scheduler = getattr(config, "lr_scheduler", None)
    if isinstance(scheduler, str) and scheduler.lower() not in TRAINER_SCHEDULERS:
        found = getattr(torch.optim.lr_scheduler, scheduler, None)
        if not isinstance(found, type):
            names = ["NoamLR", "StepwiseGradualLR"] + [
                name
                for name, value in vars(torch.optim.lr_scheduler).items()
                if isinstance(value, type) and name.endswith("LR")
            ]
            raise ConfigError(
                f"config field 'lr_scheduler': unknown scheduler {scheduler!r}{_did_you_mean(scheduler, names)} "
                "(NoamLR, StepwiseGradualLR or a torch.optim.lr_scheduler class name)"
            )


def check_training_values(config: Coqpit, args: TrainerArgs) -> None:
    """Trainer settings the trainer uses unchecked: a bad one would fail in a traceback, some only mid-epoch
    (``print_step`` 0 divides by zero at the first step), or train nothing (``epochs`` 0) and exit 0."""

    def require(ok: bool, name: str, message: str) -> None:
        if not ok:
            raise ConfigError(f"config field '{name}': {message}")

    lr = config.lr
    is_number = isinstance(lr, (int, float)) and not isinstance(lr, bool)
    require(is_number and 0 < lr < math.inf, "lr", f"must be a number > 0, got {lr!r}")
    for name in ("epochs", "print_step", "save_step"):
        require(getattr(config, name) >= 1, name, f"must be >= 1, got {getattr(config, name)}")
    for name in ("num_loader_workers", "num_eval_loader_workers"):
        require(getattr(config, name) >= 0, name, f"must be >= 0, got {getattr(config, name)}")
    require(
        not config.mixed_precision or torch.cuda.is_available(),
        "mixed_precision",
        "needs a CUDA GPU and none is available: set it to false to train on the CPU",
    )
    if args.grad_accum_steps < 1:
        raise ConfigError(f"--grad_accum_steps: must be >= 1, got {args.grad_accum_steps}")
    output_path = str(config.output_path)
    if not args.continue_path and "://" not in output_path:  # a continued run writes into its own folder
        require(not os.path.isfile(output_path), "output_path", f"{output_path} is a file, not a folder")
        try:
            os.makedirs(output_path, exist_ok=True)
        except OSError as err:
            raise ConfigError(
                f"config field 'output_path': cannot make the folder {output_path}: {err.strerror}"
            ) from None


def check_test_sentences(model: Any) -> None:
    """Every test sentence gives tokens: the trainer synthesises them only after the first epoch, where a bad one
    would end the run before that epoch's checkpoint is saved."""
    try:
        sentences = model.test_sentences()
    except OSError as err:
        raise ConfigError(f"config field 'test_sentences_file': cannot read {err.filename}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"config field 'test_sentences_file': {model.config.test_sentences_file} is not UTF-8 text"
        ) from None
    for sentence in sentences:
        try:
            ids = model.tokenizer.text_to_ids(sentence, language=model.language())
        except ValueError as err:  # an unknown character with unknown_chars "error"
            raise ConfigError(f"config field 'test_sentences': {sentence!r}: {err}") from None
        if not ids:
            raise ConfigError(
                f"config field 'test_sentences': {sentence!r} has no symbol of the model's vocabulary, nothing to synthesise"
            )


def check_continue_path(path: str) -> None:
    """The checkpoints the trainer resumes from (the last one and the best model) are readable.

    A broken file (an interrupted save) is a ``CheckpointError`` that names the other checkpoints of
    the folder, so that the broken one can be moved aside.
    """
    if not os.path.isdir(path):
        raise FileNotFoundError(f"--continue_path {path}: no such run folder")
    files = sorted(glob.glob(os.path.join(path, "*.pth")))
    if not files:
        raise FileNotFoundError(f"--continue_path {path}: no checkpoint (*.pth) to continue from")
    try:
        picked = get_last_checkpoint(path)
    except Exception as err:  # noqa: BLE001 - the trainer's lookup loads unnumbered files: any failure is bad input
        raise CheckpointError(f"--continue_path {path}: cannot find the checkpoint to continue from: {err}") from None
    for checkpoint in dict.fromkeys(picked):
        try:
            load_checkpoint_file(checkpoint)
        except CheckpointError as err:
            others = [os.path.basename(file) for file in files if os.path.abspath(file) != os.path.abspath(checkpoint)]
            hint = (
                f"move it aside to continue from the newest of the others ({', '.join(others)})"
                if others
                else "no other checkpoint in the folder: start again with --restore_path or from scratch"
            )
            raise CheckpointError(
                f"--continue_path: the trainer would continue from a broken checkpoint: {err}; {hint}"
            ) from None


RESTORED_KEYS = ("model", "step", "epoch")  # what the trainer's restore_model() reads


def checkpoint_config(path: str) -> Optional[Coqpit]:
    """The config stored in a checkpoint (its vocabulary and speakers), or None when it has none.

    Raises ``CheckpointError`` for a file the trainer could not restore from (no weights, step or epoch).
    """
    checkpoint = load_checkpoint_file(path)
    missing = [key for key in RESTORED_KEYS if not isinstance(checkpoint, dict) or key not in checkpoint]
    if missing:
        raise CheckpointError(
            f"--restore_path {path}: not a training checkpoint: no {', '.join(repr(key) for key in missing)} "
            "(a bare state_dict can be loaded with Tacotron2.load_state_dict, or exported with TTS.bin.export_model)"
        )
    stored = checkpoint.get("config")
    if not isinstance(stored, dict):
        logging.getLogger(__name__).warning(
            "%s stores no config: symbol and speaker rows are restored by position", path
        )
        return None
    try:
        return config_from_dict(stored, source=f"the config stored in {path}")
    except ConfigError as err:
        logging.getLogger(__name__).warning("%s: symbol and speaker rows are restored by position", err)
        return None


def train(argv: List[str], default_config: Optional[Coqpit] = None) -> None:
    """Load the config (and overrides), the samples and the model, then train."""
    args, config = parse_command_line(argv, default_config)
    if config.use_phonemes and not config.phoneme_cache_path:
        config.phoneme_cache_path = os.path.join(config.output_path, "phoneme_cache")
    train_samples, eval_samples = load_tts_samples(
        config.datasets,
        eval_split=config.run_eval,  # no evaluation: every sample trains
        eval_split_max_size=config.eval_split_max_size,
        eval_split_size=config.eval_split_size,
    )
    model = setup_model(config, train_samples + (eval_samples or []))
    check_samples(model, train_samples, eval_samples)
    check_test_sentences(model)
    if args.restore_path and not args.continue_path:
        model.set_restore_source(checkpoint_config(args.restore_path))
    with run_folder(args, model.config) as folder:
        # the model's config carries the vocabulary (characters, num_chars) that checkpoints must store
        trainer = Trainer(
            args,
            model.config,
            config.output_path,
            model=model,
            train_samples=train_samples,
            eval_samples=eval_samples,
            parse_command_line_args=True,
        )
        if folder is not None and Path(trainer.output_path) != folder:
            raise RuntimeError(f"the trainer chose the run folder {trainer.output_path}, not {folder}")
        trainer.fit()


def _checkpoint_stamps(folder: Union[str, Path]) -> Dict[str, Tuple[int, int]]:
    return {path.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in Path(folder).glob("*.pth")}


@contextlib.contextmanager
def run_folder(args: TrainerArgs, config: Coqpit) -> Iterator[Optional[Path]]:
    """The trainer's run folder, kept safe from what the trainer would do to it.

    - A new run gets a folder no other run has: the trainer names it ``<run_name>-<date to the minute>-<commit>``,
      so two runs started in the same minute would share one and the second would overwrite the first's
      checkpoints. A taken name gets a ``-2``, ``-3``... suffix; ``mkdir`` claims it, so that two processes
      cannot both take it. Yields that folder, which the trainer is made to use; a run that fails before it
      has saved a checkpoint leaves no folder behind.
    - Ranks of a distributed run (``--use_ddp``, yields None) name their shared folder as the trainer does:
      each rank computes the same name, and a claimed one would differ between them; so does a run whose
      ``output_path`` is a URL (``s3://...``: no local ``mkdir``).
    - ``--continue_path`` (yields None): the trainer writes the command line's overrides into the run's
      ``config.json`` before it restores anything; if the run fails before it saves a checkpoint, the file
      is put back as it was, so that the run can still be continued.
    """
    if args.continue_path:
        config_file = Path(args.continue_path) / "config.json"
        stored, stamps = config_file.read_bytes(), _checkpoint_stamps(args.continue_path)
        try:
            yield None
        except BaseException:
            if _checkpoint_stamps(args.continue_path) == stamps and config_file.read_bytes() != stored:
                config_file.write_bytes(stored)
                logging.getLogger(__name__).info("the run failed before saving: %s is back as it was", config_file)
            raise
        return
    if args.use_ddp or "://" in str(config.output_path):
        yield None
        return
    first = get_experiment_folder_path(config.output_path, config.run_name)
    for number in itertools.count(1):
        folder = first if number == 1 else first.with_name(f"{first.name}-{number}")
        try:
            folder.mkdir(parents=True)
            break
        except FileExistsError:
            continue
    original = trainer_module.get_experiment_folder_path
    trainer_module.get_experiment_folder_path = lambda *_: folder
    try:
        yield folder
    except BaseException:
        if not any(folder.glob("*.pth")):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        trainer_module.get_experiment_folder_path = original


def check_samples(model: Any, *sample_lists: Optional[List[Dict[str, Any]]]) -> None:
    """Every sample once, before training starts (see ``BaseTTS.check_samples``)."""
    model.check_samples(*sample_lists)


def run(default_config: Optional[Coqpit] = None, argv: Optional[List[str]] = None) -> None:
    """Entry point of this script and of the recipes: bad input ends in one ``error:`` line, exit code 1."""
    logging.basicConfig(format=" > %(message)s")
    logging.getLogger("TTS").setLevel(logging.INFO)
    try:
        train(sys.argv[1:] if argv is None else argv, default_config)
    except INPUT_ERRORS as err:
        sys.exit(f"error: {err}")


def main() -> None:
    run()


if __name__ == "__main__":
    main()
