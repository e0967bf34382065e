"""Layer freezing and gradual unfreezing for fine-tuning, set by two config fields.

``freeze_layers`` lists fnmatch patterns of parameter names (as ``model.named_parameters()``
gives them); the matching parameters start frozen: no gradient, no optimizer update (weight
decay included), and batch norms whose parameters are all frozen keep their running
statistics. ``unfreeze_schedule`` entries ``[start_step, [patterns...], lr_scale]`` let frozen
parameters train again from a global step on, in their own optimizer group whose learning
rate is ``lr_scale`` times that of the always-trained parameters (the scheduler scales every
group alike). ``"*"`` takes every parameter still frozen. A pattern that matches nothing is an
error naming it: a typo never silently freezes nothing.

Example: moving a pretrained Tacotron2 to a new language. First the layers that carry the
language-specific text and timing learn (embedding, encoder, attention) while the acoustic
decoder and the postnet keep their weights; at step 20k the rest of the decoder joins at half
the learning rate, at step 50k the postnet at a quarter::

    config = Tacotron2Config(
        ...,
        lr=1e-4,
        freeze_layers=[
            "decoder.prenet.*",
            "decoder.decoder_rnn.*",
            "decoder.linear_projection.*",
            "decoder.stopnet.*",
            "postnet.*",
        ],
        unfreeze_schedule=[
            [20000, ["decoder.*"], 0.5],  # the frozen decoder parameters (the attention already trains)
            [50000, ["*"], 0.25],  # everything still frozen: the postnet
        ],
    )

A Tacotron2-DDC also has ``coarse_decoder.*`` with the same names below it: a leading ``*``
(``"*decoder.prenet.*"``, ...) covers both decoders.
"""

import logging
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import torch
from torch import nn

from TTS.config.errors import ConfigError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnfreezeStage:
    """One ``unfreeze_schedule`` entry resolved against the model: the parameters it lets train."""

    start_step: int
    lr_scale: float
    patterns: Tuple[str, ...]
    names: Tuple[str, ...]


def _blocks(names: Sequence[str]) -> str:
    """The model's top-level blocks, to help fix a pattern that matches nothing."""
    return ", ".join(dict.fromkeys(name.split(".")[0] for name in names))


class FreezeSchedule:
    """Which parameters are frozen at each global step, and the optimizer groups that go with it.

    Parameters
    ----------
    parameter_names:
        Names of the model's parameters (``name for name, _ in model.named_parameters()``).
    freeze_layers:
        Patterns of the parameters frozen at step 0.
    unfreeze_schedule:
        Entries ``[start_step, [patterns...], lr_scale]`` in non-decreasing step order. An
        entry takes the parameters that match its patterns among those frozen and not taken by
        an earlier entry; a pattern that matches none of them is a ``ConfigError``.

    Parameters matched by ``freeze_layers`` that no entry takes stay frozen for good and are
    left out of the optimizer. ``apply`` logs what is frozen the first time it runs, and each
    entry as it starts, with parameter counts.
    """

    def __init__(
        self,
        parameter_names: Iterable[str],
        *,
        freeze_layers: Sequence[str],
        unfreeze_schedule: Sequence[Sequence] = (),
    ) -> None:
        self.names = list(parameter_names)
        self.freeze_layers = tuple(freeze_layers)
        frozen: Set[str] = set()
        for pattern in freeze_layers:
            matched = {name for name in self.names if fnmatchcase(name, pattern)}
            if not matched:
                raise ConfigError(
                    f"config field 'freeze_layers': pattern {pattern!r} matches no parameter of the model "
                    f"(top-level blocks: {_blocks(self.names)})"
                )
            frozen |= matched
        self.initially_frozen = frozen
        self.stages: List[UnfreezeStage] = []
        still_frozen = [name for name in self.names if name in frozen]
        for index, entry in enumerate(unfreeze_schedule):
            try:
                start_step, patterns, lr_scale = entry
            except (TypeError, ValueError):
                raise ConfigError(
                    f"config field 'unfreeze_schedule': entry {index} {entry!r}: "
                    "must be [start_step, [patterns...], lr_scale]"
                ) from None
            taken: Dict[str, None] = {}
            for pattern in patterns:
                matched = [name for name in still_frozen if fnmatchcase(name, pattern)]
                if not matched:
                    if any(fnmatchcase(name, pattern) for name in self.names):
                        why = "matches only parameters not frozen by freeze_layers or taken by earlier entries"
                    else:
                        why = f"matches no parameter of the model (top-level blocks: {_blocks(self.names)})"
                    raise ConfigError(
                        f"config field 'unfreeze_schedule': entry {index} {list(entry)!r}: pattern {pattern!r} {why}"
                    )
                taken.update(dict.fromkeys(matched))
            still_frozen = [name for name in still_frozen if name not in taken]
            self.stages.append(UnfreezeStage(int(start_step), float(lr_scale), tuple(patterns), tuple(taken)))
        if len(frozen) == len(self.names) and not (self.stages and self.stages[0].start_step == 0):
            raise ConfigError(
                "config field 'freeze_layers': freezes every parameter and no unfreeze_schedule entry starts at step 0"
            )
        self._started: Optional[int] = None  # stages started at the last apply(); None before the first

    @classmethod
    def from_config(cls, model: nn.Module, config) -> Optional["FreezeSchedule"]:
        """The schedule of ``config.freeze_layers`` and ``config.unfreeze_schedule`` for ``model``, or None."""
        freeze_layers = list(getattr(config, "freeze_layers", None) or [])
        unfreeze_schedule = list(getattr(config, "unfreeze_schedule", None) or [])
        if not freeze_layers and not unfreeze_schedule:
            return None
        names = [name for name, _ in model.named_parameters()]
        return cls(names, freeze_layers=freeze_layers, unfreeze_schedule=unfreeze_schedule)

    def started_stages(self, step: int) -> int:
        """Number of schedule entries whose start step has been reached at global step ``step``."""
        return sum(stage.start_step <= step for stage in self.stages)

    def frozen_names(self, step: int) -> Set[str]:
        """Names of the parameters frozen at global step ``step``."""
        frozen = set(self.initially_frozen)
        for stage in self.stages[: self.started_stages(step)]:
            frozen -= set(stage.names)
        return frozen

    def param_groups(self, model: nn.Module, lr: float) -> List[Dict]:
        """Optimizer parameter groups: the always-trained parameters at ``lr``, then one group per entry.

        Every group stores its ``"lr_scale"`` (1.0 for the first); an entry's group has
        ``lr * lr_scale``. Parameters that are never unfrozen are in no group.
        """
        params = dict(model.named_parameters())
        groups = [
            {
                "params": [params[name] for name in self.names if name not in self.initially_frozen],
                "lr": lr,
                "lr_scale": 1.0,
            }
        ]
        for stage in self.stages:
            groups.append(
                {
                    "params": [params[name] for name in stage.names],
                    "lr": lr * stage.lr_scale,
                    "lr_scale": stage.lr_scale,
                }
            )
        return groups

    def apply(self, model: nn.Module, step: int) -> None:
        """Freeze and unfreeze ``model``'s parameters for global step ``step``.

        Frozen parameters get ``requires_grad=False`` and lose any gradient (optimizers skip a
        parameter without one); batch norms whose parameters are all frozen go to eval mode, so
        their running statistics stay fixed, the others follow the model's mode. Call it before
        every training step: ``model.train()`` puts every batch norm back in training mode.
        """
        frozen = self.frozen_names(step)
        for name, param in model.named_parameters():
            param.requires_grad_(name not in frozen)
            if name in frozen:
                param.grad = None
        for module_name, module in model.named_modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                names = [
                    f"{module_name}.{name}" if module_name else name
                    for name, _ in module.named_parameters(recurse=False)
                ]
                if names:
                    module.train(model.training and not all(name in frozen for name in names))
        self._log_changes(model, step, frozen)

    def scale_learning_rates(self, optimizer: torch.optim.Optimizer) -> None:
        """Set every entry's group to its ``lr_scale`` times the rate of the first group.

        The trainer's ``reset_lr()`` (after ``--restore_path``) gives every group the config's
        lr, and a scheduler may set absolute rates: applied before each step, this keeps the
        ratios whatever they did to the first group's rate.
        """
        groups = optimizer.param_groups
        if len(groups) != 1 + len(self.stages):
            raise RuntimeError(
                f"the optimizer has {len(groups)} parameter groups, the freeze schedule needs {1 + len(self.stages)}: "
                "build it from FreezeSchedule.param_groups (BaseTTS.get_optimizer does)"
            )
        for group, stage in zip(groups[1:], self.stages, strict=True):
            group["lr_scale"] = stage.lr_scale
            group["lr"] = groups[0]["lr"] * stage.lr_scale

    def _log_changes(self, model: nn.Module, step: int, frozen: Set[str]) -> None:
        started = self.started_stages(step)
        if self._started is None:
            sizes = {name: param.numel() for name, param in model.named_parameters()}
            total = sum(sizes.values())
            logger.info(
                "freeze: %d of %d parameters (%d of %d tensors) frozen at step %d (freeze_layers %s); "
                "%d schedule entries to come",
                sum(sizes[name] for name in frozen),
                total,
                len(frozen),
                len(sizes),
                step,
                ", ".join(self.freeze_layers),
                len(self.stages) - started,
            )
        else:
            params = dict(model.named_parameters())
            for stage in self.stages[self._started : started]:
                logger.info(
                    "freeze: step %d unfreezes %d parameters (%d tensors) matching %s at lr_scale %g",
                    step,
                    sum(params[name].numel() for name in stage.names),
                    len(stage.names),
                    ", ".join(stage.patterns),
                    stage.lr_scale,
                )
        self._started = started
