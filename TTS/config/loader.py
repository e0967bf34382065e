"""Loading config files (JSON or YAML) into the Coqpit config class of their model.

``load_config`` checks every field against the dataclass before anything is
built: a value of the wrong type is an error naming the field; fields this
package does not know (Coqui configs carry GST, Capacitron and bookkeeping
fields) are dropped with one log line naming them. An unknown field that looks like a misspelt
known one (``batch_szie``) is a warning naming the field it resembles, or an error where the
caller asks for it (``typos="error"``: training, where a typo would silently train with a default).
"""

import dataclasses
import difflib
import json
import logging
import math
import re
import types
import typing
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from coqpit import Coqpit

from TTS.config.errors import ConfigError

logger = logging.getLogger("TTS.config")  # the name it had before the loader had a module of its own

# model name (the config's ``model`` field) -> config class, filled by ``register_config``: the config modules live
# above this package (they import it), so ``TTS.model_configs`` registers them (``import TTS`` imports it first).
MODEL_CONFIGS: Dict[str, type] = {}
# checks of the names a config gives (cleaner, vocabulary class), run after its fields: each raises ConfigError
NAME_CHECKS: List[Callable[[Coqpit], None]] = []


def register_config(model: str, cls: type) -> None:
    """Make ``load_config`` build ``cls`` for a config whose ``model`` field is ``model`` (case-insensitive)."""
    MODEL_CONFIGS[model.lower()] = cls


def register_name_check(check: Callable[[Coqpit], None]) -> None:
    """Run ``check(config)`` on every config ``load_config`` builds (a ``ConfigError`` names the bad name)."""
    if check not in NAME_CHECKS:
        NAME_CHECKS.append(check)


# fields the trainer adds to the config.json of a run folder: known bookkeeping, dropped without a word
TRAINER_FIELDS = ("restore_path", "github_branch")
# how alike an unknown field name and a known one must be to be taken for a typo (difflib ratio):
# 0.8 takes batch_szie, lr_schedular, use_phoneme, phoneme_lang, and no field of Coqui's Tacotron2 configs
TYPO_CUTOFF = 0.8
# an unknown field: its dotted name, and the known field of the same level it resembles (or None)
Unknown = Tuple[str, Optional[str]]

_COMMENT_LINE = re.compile(r"^\s*//.*$", re.MULTILINE)


def read_config_file(path: Path) -> Dict[str, Any]:
    """The fields of a JSON (comments allowed) or YAML config file as a plain dict, unchecked.

    Raises ``ConfigError`` naming the file when it is missing, a folder, not UTF-8 or not a mapping.
    """
    if path.is_dir():
        raise ConfigError(f"config {path} is a folder, not a config file (config.json or a YAML file)")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    text = _read_utf8(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml  # only YAML users need it

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ConfigError(f"{path}: not valid YAML: {err}") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            # older Coqui configs carry // comment lines
            try:
                data = json.loads(_COMMENT_LINE.sub("", text))
            except json.JSONDecodeError as err:
                raise ConfigError(
                    f"{path}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}"
                ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of fields, got {type(data).__name__}")
    return data


def _read_utf8(path: Path) -> str:
    """The text of ``path`` (a UTF-8 byte-order mark, as Windows editors write, is dropped); a file that is not
    UTF-8 (a binary checkpoint, a Latin-1 file) is one ConfigError."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if b"\0" in data[:4096]:
            raise ConfigError(
                f"config {path} is not a text file (UTF-8 JSON or YAML): it looks like binary data "
                "(a .pth checkpoint?); pass the model's config.json"
            ) from None
        line = data.count(b"\n", 0, err.start) + 1
        line_start = data.rfind(b"\n", 0, err.start) + 1
        column = len(data[line_start : err.start].decode("utf-8", errors="replace")) + 1
        raise ConfigError(
            f"config {path} is not UTF-8 text (JSON or YAML): byte 0x{data[err.start]:02x} at line {line}, "
            f"column {column}; save it as UTF-8"
        ) from None


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return " or ".join("null" if arg is type(None) else _type_name(arg) for arg in typing.get_args(tp))
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _check_value(value: Any, tp: Any, name: str, unknown: List[Unknown]) -> Any:
    """Check ``value`` against the annotation ``tp``; return it with unknown nested fields removed."""
    if tp is Any:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        options = [option for option in options if option is not type(None)]
        if len(options) == 1:  # Optional[X]: X's own error names the nested field and the expected type
            return _check_value(value, options[0], name, unknown)
        for option in options:
            try:
                return _check_value(value, option, name, unknown)
            except ConfigError:
                pass
        raise ConfigError(f"config field '{name}': expected {_type_name(tp)}, got {value!r}")
    if value is None:
        raise ConfigError(f"config field '{name}': must not be null (expected {_type_name(tp)})")
    if origin in (list, List, tuple, Tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"config field '{name}': expected a list, got {value!r}")
        args = typing.get_args(tp)
        item_tp = args[0] if args else Any
        return [_check_value(v, item_tp, f"{name}[{i}]", unknown) for i, v in enumerate(value)]
    if origin in (dict, Dict) or tp in (dict, Dict):
        if not isinstance(value, dict):
            raise ConfigError(f"config field '{name}': expected a mapping, got {value!r}")
        return value
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"config field '{name}': expected a mapping of {tp.__name__} fields, got {value!r}")
        return _check_fields(value, tp, f"{name}.", unknown)
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config field '{name}': expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config field '{name}': expected an integer, got {value!r}")
        if isinstance(value, float) and not (math.isinf(value) or value.is_integer()):
            raise ConfigError(f"config field '{name}': expected an integer, got {value!r}")
        return value if isinstance(value, int) or math.isinf(value) else int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config field '{name}': expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"config field '{name}': expected a string, got {value!r}")
        return value
    return value


def _check_fields(data: Dict[str, Any], cls: type, prefix: str, unknown: List[Unknown]) -> Dict[str, Any]:
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    checked = {}
    for key, value in data.items():
        if key not in known:
            if not (prefix == "" and key in TRAINER_FIELDS):
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=TYPO_CUTOFF)
                unknown.append((prefix + str(key), prefix + close[0] if close else None))
            continue
        checked[key] = _check_value(value, hints[key], prefix + key, unknown)
    return checked


def config_class(model: str) -> type:
    """The config class registered for ``model`` (case-insensitive)."""
    cls = MODEL_CONFIGS.get(str(model).lower())
    if cls is None:
        raise ConfigError(
            f"config field 'model': unknown model {model!r}; known models: {', '.join(sorted(MODEL_CONFIGS))}"
        )
    return cls


def config_from_dict(data: Dict[str, Any], source: str = "config", typos: str = "warn") -> Coqpit:
    """Build the config of ``data['model']`` from a plain dict, checking every field.

    Unknown fields are dropped with one log line; one that resembles a known field is a warning naming
    it, or a ``ConfigError`` with ``typos="error"``.
    """
    if "model" not in data:
        raise ConfigError(f"{source}: no 'model' field; it names the model, one of {', '.join(sorted(MODEL_CONFIGS))}")
    unknown: List[Unknown] = []
    try:
        cls = config_class(data["model"])
        checked = _check_fields(data, cls, "", unknown)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from None
    typo_list = [f"'{name}' (did you mean '{close}'?)" for name, close in unknown if close]
    if typo_list and typos == "error":
        raise ConfigError(f"{source}: unknown config field {', '.join(typo_list)}")
    if typo_list:
        logger.warning("%s: ignoring unknown config field %s", source, ", ".join(typo_list))
    others = [name for name, close in unknown if not close]
    if others:
        logger.info("%s: ignoring fields this package does not use: %s", source, ", ".join(others))
    config = cls()
    try:
        config.from_dict(checked)
        config.check_values()
        _check_names(config)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from None
    return config


def _check_names(config: Coqpit) -> None:
    """Resolve the names a config gives (cleaner, vocabulary class), so that a typo is reported with the file name."""
    for check in NAME_CHECKS:
        check(config)


def load_config(config_path: str, typos: str = "warn") -> Coqpit:
    """Read a config.json (or YAML) file into the config class named by its ``model`` field.

    Parameters
    ----------
    config_path:
        Path of a ``.json``, ``.yaml`` or ``.yml`` file.
    typos:
        ``"warn"`` or ``"error"``: what an unknown field that resembles a known one is (``batch_szie``).

    Returns
    -------
    The populated config, e.g. a ``Tacotron2Config``.

    Raises
    ------
    ConfigError
        The file is missing or malformed, the model is unknown, or a field has
        a wrong type or value; the message names the file and the field.
    """
    path = Path(config_path)
    return config_from_dict(read_config_file(path), source=str(path), typos=typos)
