"""Restoring weights into a model with a report of what matched, instead of silent partial loads."""

import fnmatch
import logging
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from TTS.errors import TTSError

logger = logging.getLogger(__name__)


class RestoreError(TTSError):
    """Checkpoint weights do not fit the model and a partial restore was not allowed.

    Deliberately not a ValueError/RuntimeError/KeyError: the trainer swallows those and
    falls back to a silent partial load.
    """


def restore_error_summary(message: str) -> str:
    """Counts and one example of a ``RestoreError`` message, which lists every tensor name (thousands of them)."""
    counts, example = [], ""
    for line in message.splitlines():
        count = re.match(r"^  (\d+) (.+?)(?: \((?:model <- checkpoint|ignored)\))?:$", line)
        if count:
            counts.append(f"{count.group(1)} {count.group(2)}")
        elif counts and not example and line.startswith("    "):
            shapes = re.match(r"^\s+(\S+): (\(.*\)) <- (\(.*\))$", line)
            example = (
                f" (e.g. {shapes.group(1)}: {shapes.group(3)} in the checkpoint, {shapes.group(2)} for the config)"
                if shapes
                else f" (e.g. {line.strip()})"
            )
    return ", ".join(counts) + example if counts else message.splitlines()[0]


@dataclass
class TableReport:
    """How the rows of a table indexed by names (symbols, speakers) were carried over from a checkpoint."""

    key: str
    what: str
    shared: List[str] = field(default_factory=list)
    mapped: Dict[str, List[str]] = field(default_factory=dict)
    new: List[str] = field(default_factory=list)
    new_init: str = "mean"
    dropped: List[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.mapped or self.new or self.dropped)

    def format(self) -> str:
        def names(items) -> str:
            return " ".join(repr(item) for item in items) if items else "none"

        initial = "the mean of the checkpoint's rows" if self.new_init == "mean" else "the model's own initial rows"
        lines = [f"restore: {self.key}: {self.what} carried over by name from the checkpoint's vocabulary"]
        lines.append(f"  {len(self.shared)} shared (rows copied): {names(self.shared)}")
        if self.mapped:
            lines.append(f"  {len(self.mapped)} from the map (mean of the listed rows): " + ", ".join(
                f"{new!r} <- {' '.join(repr(old) for old in olds)}" for new, olds in self.mapped.items()
            ))  # fmt: skip
        lines.append(f"  {len(self.new)} new (start from {initial}): {names(self.new)}")
        lines.append(f"  {len(self.dropped)} dropped (in the checkpoint only): {names(self.dropped)}")
        return "\n".join(lines)


def carry_over_rows(
    old_rows: torch.Tensor,
    old_names: Sequence[str],
    initial_rows: torch.Tensor,
    new_names: Sequence[str],
    *,
    key: str,
    what: str,
    new_init: str = "mean",
    mapping: Optional[Mapping[str, Sequence[str]]] = None,
) -> Tuple[torch.Tensor, TableReport]:
    """A table for ``new_names`` whose rows come from ``old_rows`` by name.

    Rows of names in both lists are copied; a name in ``mapping`` starts from the mean of the old
    rows of the names it lists (this wins over a shared row); other new names start from the mean
    of all old rows (``new_init="mean"``) or keep their row of ``initial_rows`` (``"random"``).

    Shapes: old_rows (len(old_names), D); initial_rows (len(new_names), D) -> (len(new_names), D).

    Raises
    ------
    RestoreError
        A table whose row count or width disagrees with its names, or a map naming a symbol the
        model lacks or the checkpoint lacks.
    """
    if old_rows.shape[0] != len(old_names) or initial_rows.shape[0] != len(new_names):
        raise RestoreError(
            f"{key}: {old_rows.shape[0]} rows in the checkpoint for {len(old_names)} {what} in its config, "
            f"{initial_rows.shape[0]} rows in the model for {len(new_names)}"
        )
    if old_rows.shape[1:] != initial_rows.shape[1:]:
        raise RestoreError(
            f"{key}: rows of width {tuple(old_rows.shape[1:])} in the checkpoint, {tuple(initial_rows.shape[1:])} in the model"
        )
    old_index = {name: row for row, name in enumerate(old_names)}
    mapping = dict(mapping or {})
    for new, olds in mapping.items():
        if new not in new_names:
            raise RestoreError(f"{key}: the map names {new!r}, which is not among the model's {what}")
        unknown = [old for old in olds if old not in old_index]
        if unknown or not olds:
            raise RestoreError(
                f"{key}: the map starts {new!r} from {' '.join(map(repr, unknown)) or 'nothing'}, not among the checkpoint's {what}"
            )
    report = TableReport(key=key, what=what, new_init=new_init)
    old_rows = old_rows.detach().float()
    rows = initial_rows.detach().clone().float()
    mean = old_rows.mean(dim=0)
    for row, name in enumerate(new_names):
        if name in mapping:
            rows[row] = old_rows[[old_index[old] for old in mapping[name]]].mean(dim=0)
            report.mapped[name] = list(mapping[name])
        elif name in old_index:
            rows[row] = old_rows[old_index[name]]
            report.shared.append(name)
        else:
            if new_init == "mean":
                rows[row] = mean
            report.new.append(name)
    kept = set(new_names)
    report.dropped = [name for name in old_names if name not in kept]
    return rows, report


def grow_inputs(
    checkpoint_state: Mapping[str, torch.Tensor], model_state: Mapping[str, torch.Tensor], patterns: Sequence[str]
) -> Tuple[Dict[str, torch.Tensor], List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]]]:
    """Widen the checkpoint's weight matrices whose inputs grew at the end in the model.

    For every key matching one of ``patterns`` (fnmatch) whose checkpoint tensor has the model's
    rows but fewer columns, the old columns are copied and the new ones start at zero: the layer
    computes what it did before whatever the new inputs hold (a speaker embedding appended to the
    encoder outputs), and the new columns then learn. Returns the new state and the grown keys as
    ``(key, model shape, checkpoint shape)``.

    Raises
    ------
    RestoreError
        A pattern that matches no key of the model, or a matching tensor whose shape changed in
        another way (other rows, fewer columns, not a matrix).
    """
    state, grown = dict(checkpoint_state), []
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(key, pattern) for key in model_state):
            raise RestoreError(f"restore_grown_inputs: {pattern!r} matches no tensor of the model")
    for key, target in model_state.items():
        if key not in state or not any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns):
            continue
        old = state[key]
        if old.shape == target.shape:
            continue
        if old.dim() != 2 or target.dim() != 2 or old.shape[0] != target.shape[0] or old.shape[1] > target.shape[1]:
            raise RestoreError(
                f"restore_grown_inputs: {key} is {tuple(old.shape)} in the checkpoint and {tuple(target.shape)} in the "
                "model; only a matrix with the same rows and more columns (inputs added at the end) can be grown"
            )
        wide = old.new_zeros(target.shape)
        wide[:, : old.shape[1]] = old
        state[key] = wide
        grown.append((key, tuple(target.shape), tuple(old.shape)))
    return state, grown


@dataclass
class RestoreReport:
    """What a restore did: keys loaded, keys with another shape, keys missing or unexpected, tables remapped."""

    loaded: List[str] = field(default_factory=list)
    shape_mismatch: List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    tables: List[TableReport] = field(default_factory=list)
    grown: List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.shape_mismatch or self.missing or self.unexpected)

    def format(self, *, partial: bool = False) -> str:
        verb = "loaded" if (self.complete or partial) else "match"
        lines = [f"restore: {len(self.loaded)} tensors {verb}"]
        if self.grown:
            lines.append(f"  {len(self.grown)} with inputs grown at the end (old columns copied, new ones zero; model <- checkpoint):")
            lines += [f"    {key}: {tuple(m)} <- {tuple(c)}" for key, m, c in self.grown]
        if self.shape_mismatch:
            lines.append(f"  {len(self.shape_mismatch)} with a different shape (model <- checkpoint):")
            lines += [f"    {key}: {tuple(m)} <- {tuple(c)}" for key, m, c in self.shape_mismatch]
        if self.missing:
            lines.append(f"  {len(self.missing)} missing from the checkpoint:")
            lines += [f"    {key}" for key in self.missing]
        if self.unexpected:
            lines.append(f"  {len(self.unexpected)} in the checkpoint but not in the model (ignored):")
            lines += [f"    {key}" for key in self.unexpected]
        if partial and not self.complete:
            kept = [key for key, _, _ in self.shape_mismatch] + self.missing
            lines.append(f"  left at their initial values: {', '.join(kept) if kept else 'none'}")
        lines += [table.format() for table in self.tables]
        return "\n".join(lines)


def compare_state_dicts(
    model_state: Mapping[str, torch.Tensor], checkpoint_state: Mapping[str, torch.Tensor]
) -> RestoreReport:
    """Sort every key into loaded / shape mismatch / missing / unexpected."""
    report = RestoreReport()
    for key, tensor in model_state.items():
        if key not in checkpoint_state:
            report.missing.append(key)
        elif tuple(checkpoint_state[key].shape) != tuple(tensor.shape):
            report.shape_mismatch.append((key, tuple(tensor.shape), tuple(checkpoint_state[key].shape)))
        else:
            report.loaded.append(key)
    report.unexpected = [key for key in checkpoint_state if key not in model_state]
    return report


def restore_weights(
    module: torch.nn.Module,
    checkpoint_state: Mapping[str, torch.Tensor],
    *,
    allow_partial: bool,
    source: str = "checkpoint",
    tables: Sequence[TableReport] = (),
    grown: Sequence[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = (),
) -> RestoreReport:
    """Copy matching tensors into ``module``; raise ``RestoreError`` listing the mismatches unless ``allow_partial``.

    ``tables`` reports how ``checkpoint_state``'s symbol or speaker tables were already carried
    over to the model's names (``carry_over_rows``), and ``grown`` the tensors ``grow_inputs``
    widened; they are logged with the rest.
    """
    model_state = module.state_dict()
    report = compare_state_dicts(model_state, checkpoint_state)
    report.tables, report.grown = list(tables), list(grown)
    if not report.complete and not allow_partial:
        raise RestoreError(
            f"{source} does not match the model:\n{report.format()}\n"
            "Set 'allow_partial_restore': true in the config (or --coqpit.allow_partial_restore true) to load the "
            "matching tensors and keep the others at their initial values."
        )
    merged: Dict[str, torch.Tensor] = dict(model_state)
    merged.update({key: checkpoint_state[key] for key in report.loaded})
    torch.nn.Module.load_state_dict(module, merged, strict=True)
    noteworthy = not report.complete or report.grown or any(table.changed for table in report.tables)
    (logger.warning if noteworthy else logger.info)("%s", report.format(partial=allow_partial))
    return report
