"""Restoring weights into a model with a report of what matched, instead of silent partial loads."""

import logging
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Tuple

import torch

logger = logging.getLogger(__name__)


class RestoreError(Exception):
    """Checkpoint weights do not fit the model and a partial restore was not allowed.

    Deliberately not a ValueError/RuntimeError/KeyError: the trainer swallows those and
    falls back to a silent partial load.
    """


@dataclass
class RestoreReport:
    """What a restore did: keys loaded, keys with another shape, keys missing or unexpected."""

    loaded: List[str] = field(default_factory=list)
    shape_mismatch: List[Tuple[str, Tuple[int, ...], Tuple[int, ...]]] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not (self.shape_mismatch or self.missing or self.unexpected)

    def format(self, *, partial: bool = False) -> str:
        verb = "loaded" if (self.complete or partial) else "match"
        lines = [f"restore: {len(self.loaded)} tensors {verb}"]
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
        return "\n".join(lines)


def compare_state_dicts(model_state: Mapping[str, torch.Tensor], checkpoint_state: Mapping[str, torch.Tensor]) -> RestoreReport:
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
    module: torch.nn.Module, checkpoint_state: Mapping[str, torch.Tensor], *, allow_partial: bool, source: str = "checkpoint"
) -> RestoreReport:
    """Copy matching tensors into ``module``; raise ``RestoreError`` listing the mismatches unless ``allow_partial``."""
    model_state = module.state_dict()
    report = compare_state_dicts(model_state, checkpoint_state)
    if not report.complete and not allow_partial:
        raise RestoreError(
            f"{source} does not match the model:\n{report.format()}\n"
            "Set 'allow_partial_restore': true in the config (or --coqpit.allow_partial_restore true) to load the "
            "matching tensors and keep the others at their initial values."
        )
    merged: Dict[str, torch.Tensor] = dict(model_state)
    merged.update({key: checkpoint_state[key] for key in report.loaded})
    torch.nn.Module.load_state_dict(module, merged, strict=True)
    (logger.info if report.complete else logger.warning)("%s", report.format(partial=allow_partial))
    return report
