"""Train a TTS model from a config file with the ``trainer`` package.

    python TTS/bin/train_tts.py --config_path config.json [--coqpit.<field> <value> ...]
    python TTS/bin/train_tts.py --config_path config.json --restore_path run/best_model.pth --coqpit.lr 1e-5
    python TTS/bin/train_tts.py --continue_path run/                  (also: python -m TTS.bin.train_tts)

``--restore_path`` loads the weights of a checkpoint into a new run (step 0, fresh optimizer and
scheduler), carrying the rows of symbols and speakers over by name when the checkpoint was trained
on another vocabulary or other speakers (a new language, new voices: see ``restore_new_symbols``,
``restore_symbol_map`` and ``restore_new_speakers`` in the config); ``--continue_path`` resumes a
run folder exactly (weights, optimizer, scheduler, step, epoch) with the config stored there. ``--coqpit.<field> <value>`` overrides a config field (nested:
``--coqpit.audio.sample_rate 16000``, ``--coqpit.datasets.0.path /data``); the overrides are applied
before the samples and the model are built. All other trainer arguments (``TrainerArgs``) apply.

Bad input (config, dataset folder, checkpoint that does not fit the model) ends with one ``error:``
message on stderr and exit code 1.
"""

import argparse
import glob
import logging
import os
import sys
from typing import List, Optional, Tuple

from coqpit import Coqpit
from trainer import Trainer, TrainerArgs

from TTS.config import ConfigError, config_from_dict, load_config
from TTS.tts.datasets import load_tts_samples
from TTS.tts.models import setup_model
from TTS.utils.io import CheckpointError, load_checkpoint_file
from TTS.utils.restore import RestoreError

# errors that mean bad input, reported in one line instead of a traceback
INPUT_ERRORS = (ConfigError, RestoreError, CheckpointError, FileNotFoundError)


def parse_command_line(argv: List[str], default_config: Optional[Coqpit] = None) -> Tuple[TrainerArgs, Coqpit]:
    """Trainer arguments and the config with the ``--coqpit.*`` overrides applied.

    The config is the one stored in ``--continue_path``, else ``--config_path``, else
    ``default_config`` (a recipe's).

    ``Trainer(..., parse_command_line_args=True)`` parses the same command line again and applies
    the overrides a second time (to the config stored in ``--continue_path`` when given), which
    leaves the same values.
    """
    parser = argparse.ArgumentParser(
        prog="train_tts",
        description=__doc__,
        epilog="Trainer arguments: " + ", ".join(f"--{name}" for name in TrainerArgs().to_dict()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--config_path", default=None, help="config.json (or YAML) of the model to train.")
    known, remaining = parser.parse_known_args(argv)
    args = TrainerArgs()
    overrides = args.parse_known_args(remaining, arg_prefix="") if remaining else []
    if args.continue_path:
        if not glob.glob(os.path.join(args.continue_path, "*.pth")):
            raise FileNotFoundError(f"--continue_path {args.continue_path}: no checkpoint (*.pth) to continue from")
        config = load_config(os.path.join(args.continue_path, "config.json"))
    elif known.config_path:
        config = load_config(known.config_path)
    elif default_config is not None:
        config = default_config
    else:
        raise ConfigError("give --config_path <config.json>, or --continue_path <run folder>")
    if args.restore_path and "://" not in args.restore_path and not os.path.isfile(args.restore_path):
        raise FileNotFoundError(f"--restore_path: checkpoint not found: {args.restore_path}")
    unknown = config.parse_known_args(overrides, relaxed_parser=True) if overrides else []
    if unknown:
        raise ConfigError(f"unknown or unsupported command-line arguments: {' '.join(unknown)}")
    return args, config


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
    if args.restore_path and not args.continue_path:
        model.set_restore_source(checkpoint_config(args.restore_path))
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
    trainer.fit()


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
