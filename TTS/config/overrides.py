"""``--coqpit.<field> <value>`` command-line overrides: every field named in full, bad values in one line.

Used by ``TTS.bin.train_tts`` before it builds the model, and by the models' ``on_init_start`` when a
Coqui-style recipe hands the command line to ``trainer.Trainer`` itself (whose parser would take an
abbreviation, ``--coqpit.epoch``, or drop a misspelt field without a word).
"""

import argparse
import difflib
import re
from typing import Any, Iterator, NoReturn, Sequence, Set

from coqpit import Coqpit

from TTS.config.errors import ConfigError

CONFIG_PREFIX = "--coqpit."
MAX_SUGGESTIONS = 3


class _Parser(argparse.ArgumentParser):
    """An argument parser that takes option names only in full and reports a bad value as one ``ConfigError``.

    ``argparse`` would print its whole usage (every config field) before the error and exit.
    """

    def __init__(self, *, add_help: bool = False, **kwargs: Any) -> None:
        super().__init__(allow_abbrev=False, add_help=add_help, **kwargs)

    def error(self, message: str) -> NoReturn:
        field = re.match(r"argument --coqpit\.(\S+): (.*)", message)
        if field:
            raise ConfigError(f"config field '{field.group(1)}': {field.group(2)}")
        raise ConfigError(f"command line: {message}")


def _options(parser: argparse.ArgumentParser) -> Set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def _option_names(argv: Sequence[str]) -> Iterator[str]:
    """The ``--name`` of each option of ``argv`` (without a ``=value`` part)."""
    for token in argv:
        if token.startswith("--"):
            yield token.split("=", 1)[0]


def _field_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of every field of a config dict, nested ones and list items included (``datasets.0.path``)."""
    if prefix:
        yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _field_paths(item, f"{prefix}.{key}" if prefix else str(key))


def _did_you_mean(name: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=MAX_SUGGESTIONS, cutoff=0.6)
    prefixed = sorted(candidate for candidate in candidates if candidate.startswith(name))[:MAX_SUGGESTIONS]
    matches = list(dict.fromkeys(prefixed + close))[:MAX_SUGGESTIONS]
    return f" (did you mean {' or '.join(repr(match) for match in matches)}?)" if matches else ""


def check_override_names(overrides: Sequence[str], config: Coqpit, options: Set[str]) -> None:
    """Every ``--coqpit.<field>`` names a field the command line can set, in full.

    Coqpit's parser (and the trainer's second pass over the command line) would take an
    abbreviation: ``--coqpit.epoch 7`` would set ``epochs``. Once every name is exact, argparse
    takes the exact match and never looks for abbreviations.
    """
    fields = [option[len(CONFIG_PREFIX) :] for option in sorted(options)]
    for option in _option_names(overrides):
        if option in options:
            continue
        if not option.startswith(CONFIG_PREFIX):
            raise ConfigError(f"unknown command-line argument {option}")
        name = option[len(CONFIG_PREFIX) :]
        if name in set(_field_paths(config.to_dict())):
            items = [field for field in fields if field.startswith(name + ".")]
            shown = ", ".join(items[:MAX_SUGGESTIONS]) + (", ..." if len(items) > MAX_SUGGESTIONS else "")
            where = f"one of its items ({shown})" if items else "it in the config file"
            raise ConfigError(f"config field '{name}' cannot be set with {option}: set {where}")
        raise ConfigError(f"unknown config field '{name}'{_did_you_mean(name, fields)}")


def check_command_line_overrides(argv: Sequence[str], config: Coqpit) -> None:
    """The ``--coqpit.*`` options of ``argv`` (other arguments are left alone) name fields of ``config`` in full.

    Raises ``ConfigError`` naming the first unknown or abbreviated field, with the fields it resembles.
    """
    tokens = [token for token in argv if token.startswith(CONFIG_PREFIX)]
    if not tokens:
        return
    parser = config.init_argparse(
        instance=config, parser=_Parser(prog="trainer"), arg_prefix="coqpit", relaxed_parser=True
    )
    check_override_names(tokens, config, _options(parser))
