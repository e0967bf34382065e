"""GAN vocoder training: a generator and a discriminator behind the ``trainer`` package's two-optimizer loop.

    batch: mel segments x (B, C_mel, F), their audio y (B, 1, F * hop)
    optimizer 0, discriminator:  y_hat = G(x)   [multi-band: PQMF synthesis of the sub-bands]
                                 loss_D(D(y_hat.detach()), D(y))            (DiscriminatorLoss)
    optimizer 1, generator:      loss_G(y_hat, y, D(y_hat), features of D)  (GeneratorLoss)

The order, the learning rates (``lr_disc``, ``lr_gen``), schedulers (``lr_scheduler_disc``,
``lr_scheduler_gen``) and ``grad_clip`` pairs are Coqui's, so a Coqui run's optimizer and scheduler
states continue here. Until ``steps_to_start_discriminator`` the discriminator step is skipped and the
generator trains on its spectrogram losses alone.

Checkpoints hold the generator under ``model_g.`` and the discriminator under ``model_d.``, as Coqui's
trainer saves them; weight norm in either stored form (``weight_g``/``weight_v`` or
``parametrizations.weight.original0/1``) loads, and the old layout with the discriminator in a separate
``model_disc`` entry too.
"""

import logging
import os
import random
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from trainer import TrainerModel
from trainer.trainer_utils import get_optimizer, get_scheduler

from TTS.utils.audio import AudioProcessor
from TTS.utils.io import load_checkpoint_file
from TTS.utils.restore import RestoreReport, restore_weights
from TTS.vocoder.datasets.gan_dataset import gan_dataset_from_config
from TTS.vocoder.layers.losses import DiscriminatorLoss, GeneratorLoss, check_adversarial_choice
from TTS.vocoder.models import setup_discriminator, setup_generator
from TTS.vocoder.models.base_generator import DISCRIMINATOR_PREFIX, GENERATOR_PREFIX, match_weight_norm

logger = logging.getLogger(__name__)

DISC_IDX, GEN_IDX = 0, 1  # optimizer indices, Coqui's order


def _split_scores(output: Any) -> Tuple[Any, Optional[List[Any]]]:
    """``(scores, feats)`` of a discriminator that returns both, ``(scores, None)`` of one that returns scores only."""
    if isinstance(output, tuple):
        return output[0], output[1]
    return output, None


def _epoch_seed(seed: int, epoch: int) -> int:
    return (seed * 1_000_003 + epoch) % (2**31)


class GAN(TrainerModel):
    """A GAN vocoder for the ``trainer`` package: the config's generator and discriminator, their losses and
    optimizers, the segment data loader and the TensorBoard logs.

    Parameters
    ----------
    config:
        A GAN vocoder config (``HifiganConfig``, ``MultibandMelganConfig``, ...).
    ap:
        Audio processor of ``config.audio``; built from it when None.

    Examples
    --------
    >>> from TTS.vocoder.configs import HifiganConfig
    >>> model = GAN(HifiganConfig())
    """

    def __init__(self, config: Any, ap: Optional[AudioProcessor] = None) -> None:
        super().__init__()
        check_adversarial_choice(config)
        self.config = config
        self.ap = ap if ap is not None else AudioProcessor.init_from_config(config)
        self.model_g = setup_generator(config)
        self.model_d = setup_discriminator(config)
        self.train_disc = config.steps_to_start_discriminator <= 0
        self.restore_report: Optional[RestoreReport] = None
        self._cache: Dict[str, Optional[torch.Tensor]] = {}
        self._restore_discriminator: Optional[Mapping[str, torch.Tensor]] = None

    @classmethod
    def init_from_config(cls, config: Any, samples: Optional[Sequence[Any]] = None) -> "GAN":
        """The GAN of ``config`` (``samples`` is accepted for the interface of the TTS models and unused)."""
        return cls(config)

    # ------------------------------------------------------------------ generator
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The generator's output for mel ``x`` (sub-bands for a multi-band generator).

        Shapes
        ------
        x: (B, C_mel, F) -> (B, bands, F * hop / bands)
        """
        return self.model_g(x)

    def inference(self, x: torch.Tensor) -> torch.Tensor:
        """The generator's waveform for synthesis (see its ``inference``)."""
        return self.model_g.inference(x)

    def _generate(self, x: torch.Tensor, length: int) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Waveform (B, 1, length) of mel ``x`` and, for a multi-band generator, its sub-bands."""
        y_hat = self.model_g(x)[:, :, :length]
        if y_hat.shape[1] == 1:
            return y_hat, None
        return self.model_g.pqmf_synthesis(y_hat)[:, :, :length], y_hat

    # ------------------------------------------------------------------ training
    def on_train_step_start(self, trainer: Any) -> None:
        """Start the discriminator once ``steps_to_start_discriminator`` steps are done."""
        self.train_disc = trainer.total_steps_done >= self.config.steps_to_start_discriminator

    def on_train_epoch_start(self, trainer: Any) -> None:
        """Seed the segment draws and the noise of every epoch from ``training_seed`` and the epoch number.

        The trainer stores no random state in its checkpoints: this way an epoch draws the same
        segments whether the run went on or was continued (``--continue_path``) before it.
        """
        seed = _epoch_seed(int(self.config.training_seed), int(trainer.epochs_done))
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)

    def on_init_end(self, trainer: Any) -> None:
        """Make ``--continue_path`` from an epoch-end checkpoint (``best_model*.pth``) resume where the run stopped.

        The trainer numbers the next step ``step + 1`` and restarts the stored epoch, which is right for a
        checkpoint saved mid-epoch (``save_step``); one saved at the end of an epoch has done ``step`` steps
        and that whole epoch, so the next step is ``step`` and the next epoch ``epoch + 1``.
        """
        restored = getattr(trainer.args, "restore_path", None)
        if getattr(trainer, "continue_run", False) and restored and os.path.basename(restored).startswith("best_model"):
            trainer.total_steps_done -= 1
            trainer.epochs_done += 1

    def train_step(
        self, batch: Dict[str, torch.Tensor], criterion: nn.Module, optimizer_idx: Optional[int] = None
    ) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
        """The discriminator's (``optimizer_idx`` 0) or the generator's (1) outputs and losses on ``batch``.

        The discriminator step runs the generator and keeps its output for the generator step that
        follows on the same batch. Before the discriminator starts, its step returns no loss (the
        trainer then skips it) and the generator step leaves out the adversarial terms.
        """
        if optimizer_idx not in (DISC_IDX, GEN_IDX):
            raise ValueError(f"GAN.train_step: optimizer_idx must be {DISC_IDX} or {GEN_IDX}, got {optimizer_idx}")
        x, y = batch["input"], batch["waveform"]
        if optimizer_idx == DISC_IDX or self._cache.get("y_hat") is None:
            y_hat, y_hat_sub = self._generate(x, y.shape[-1])
            y_sub = self.model_g.pqmf_analysis(y) if y_hat_sub is not None else None
            self._cache = {"y_hat": y_hat, "y_hat_sub": y_hat_sub, "y_sub": y_sub}
        if optimizer_idx == DISC_IDX:
            return self._discriminator_step(batch, criterion)
        return self._generator_step(y, criterion)

    def _discriminator_step(self, batch: Dict[str, torch.Tensor], criterion: nn.Module):
        y_hat = self._cache["y_hat"]
        if not self.train_disc:
            return {"model_outputs": y_hat}, {}
        if self.config.diff_samples_for_G_and_D and "input_disc" in batch:
            y_d = batch["waveform_disc"]
            with torch.no_grad():
                fake, _ = self._generate(batch["input_disc"], y_d.shape[-1])
        else:
            y_d, fake = batch["waveform"], y_hat
        scores_fake, _ = _split_scores(self.model_d(fake.detach()))
        scores_real, _ = _split_scores(self.model_d(y_d))
        return {"model_outputs": y_hat}, criterion(scores_fake, scores_real)

    def _generator_step(self, y: torch.Tensor, criterion: nn.Module):
        y_hat, y_hat_sub, y_sub = self._cache["y_hat"], self._cache["y_hat_sub"], self._cache["y_sub"]
        self._cache = {}
        scores_fake = feats_fake = feats_real = None
        if self.train_disc:
            scores_fake, feats_fake = _split_scores(self.model_d(y_hat))
            if self.config.use_feat_match_loss and feats_fake is not None:
                with torch.no_grad():
                    _, feats_real = _split_scores(self.model_d(y))
        loss_dict = criterion(y_hat, y, scores_fake, feats_fake, feats_real, y_hat_sub, y_sub)
        return {"model_outputs": y_hat}, loss_dict

    @torch.inference_mode()
    def eval_step(
        self, batch: Dict[str, torch.Tensor], criterion: nn.Module, optimizer_idx: Optional[int] = None
    ) -> Tuple[Dict[str, torch.Tensor], Dict[str, torch.Tensor]]:
        """``train_step`` without gradients, the discriminator always on (its losses are reported)."""
        training_disc, self.train_disc = self.train_disc, True
        try:
            return self.train_step(batch, criterion, optimizer_idx)
        finally:
            self.train_disc = training_disc

    def get_criterion(self) -> List[nn.Module]:
        """``[DiscriminatorLoss, GeneratorLoss]`` of the config."""
        return [DiscriminatorLoss(self.config), GeneratorLoss(self.config)]

    def get_optimizer(self) -> List[torch.optim.Optimizer]:
        """``[discriminator, generator]`` optimizers: ``optimizer`` / ``optimizer_params`` (one each or a
        pair) at ``lr_disc`` and ``lr_gen``."""
        names = self._pair(self.config.optimizer, "optimizer")
        params = self._pair(self.config.optimizer_params, "optimizer_params")
        return [
            get_optimizer(names[DISC_IDX], dict(params[DISC_IDX] or {}), self.config.lr_disc, self.model_d),
            get_optimizer(names[GEN_IDX], dict(params[GEN_IDX] or {}), self.config.lr_gen, self.model_g),
        ]

    @staticmethod
    def _pair(value: Any, name: str) -> List[Any]:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError(f"config field '{name}': one value, or two (discriminator, generator); got {value}")
            return list(value)
        return [value, value]

    def get_lr(self) -> List[float]:
        """Initial learning rates ``[lr_disc, lr_gen]`` (the trainer resets to them after ``--restore_path``)."""
        return [self.config.lr_disc, self.config.lr_gen]

    def get_scheduler(self, optimizer: List[torch.optim.Optimizer]) -> List[Any]:
        """``[lr_scheduler_disc, lr_scheduler_gen]`` on the two optimizers (None where not set)."""
        return [
            get_scheduler(
                self.config.lr_scheduler_disc, dict(self.config.lr_scheduler_disc_params or {}), optimizer[DISC_IDX]
            ),
            get_scheduler(
                self.config.lr_scheduler_gen, dict(self.config.lr_scheduler_gen_params or {}), optimizer[GEN_IDX]
            ),
        ]

    # ------------------------------------------------------------------ data
    def format_batch(self, batch: Sequence[Any]) -> Dict[str, torch.Tensor]:
        """``{"input", "waveform"}`` (and ``"input_disc"``, ``"waveform_disc"`` with separate discriminator samples)."""
        if isinstance(batch[0], (list, tuple)):
            (x, y), (x_d, y_d) = batch
            return {"input": x, "waveform": y, "input_disc": x_d, "waveform_disc": y_d}
        x, y = batch
        return {"input": x, "waveform": y}

    def get_data_loader(  # noqa: D102 - trainer hook
        self,
        config: Any,
        assets: Any = None,
        is_eval: bool = False,
        samples: Optional[List[Any]] = None,
        verbose: bool = True,
        num_gpus: int = 1,
        rank: int = 0,
    ) -> DataLoader:
        if not samples:
            raise ValueError(f"no {'evaluation' if is_eval else 'training'} files")
        dataset = gan_dataset_from_config(config, self.ap, samples, is_eval=is_eval)
        if verbose:
            logger.info("%s: %d files", "evaluation" if is_eval else "training", len(dataset))
        sampler = None
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            sampler = torch.utils.data.distributed.DistributedSampler(dataset, shuffle=not is_eval)
        return DataLoader(
            dataset,
            batch_size=1 if is_eval else config.batch_size,
            shuffle=sampler is None and not is_eval,
            sampler=sampler,
            drop_last=False,
            num_workers=config.num_eval_loader_workers if is_eval else config.num_loader_workers,
            pin_memory=False,
        )

    # ------------------------------------------------------------------ logging
    def _log_assets(self, prefix: str, batch: Dict[str, torch.Tensor], outputs: Dict[str, Any]):
        from TTS.vocoder.utils.plots import plot_results  # matplotlib only when a figure is drawn

        y_hat = outputs.get(f"model_outputs_{DISC_IDX}")
        if y_hat is None:
            y_hat = outputs[f"model_outputs_{GEN_IDX}"]
        figures = plot_results(y_hat, batch["waveform"], self.ap, prefix + "/")
        audios = {f"{prefix}/audio": y_hat[0].squeeze(0).detach().float().cpu().numpy()}
        return figures, audios

    def train_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        figures, audios = self._log_assets("train", batch, outputs)
        logger.train_figures(steps, figures)
        logger.train_audios(steps, audios, self.ap.sample_rate)

    def eval_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        figures, audios = self._log_assets("eval", batch, outputs)
        logger.eval_figures(steps, figures)
        logger.eval_audios(steps, audios, self.ap.sample_rate)

    # ------------------------------------------------------------------ checkpoints
    def load_state_dict(self, state_dict: Mapping[str, torch.Tensor], strict: bool = True, assign: bool = False):  # noqa: D401
        """Load ``model_g.*`` / ``model_d.*`` weights with a restore report (``TTS.utils.restore``).

        Weight-norm tensors are renamed to the form this model uses. A checkpoint with no discriminator
        tensors (a generator-only zoo release) loads the generator and keeps the discriminator's initial
        weights, saying so. Other mismatches are a ``RestoreError`` listing the keys, unless ``strict``
        is False or the config sets ``allow_partial_restore``.
        """
        if not any(key.startswith((GENERATOR_PREFIX, DISCRIMINATOR_PREFIX)) for key in state_dict):
            state_dict = {GENERATOR_PREFIX + key: value for key, value in state_dict.items()}  # a bare generator
        if self._restore_discriminator is not None:
            extra, self._restore_discriminator = self._restore_discriminator, None
            if not any(key.startswith(DISCRIMINATOR_PREFIX) for key in state_dict):
                state_dict = {**state_dict, **{DISCRIMINATOR_PREFIX + key: value for key, value in extra.items()}}
        generator, discriminator, other = {}, {}, {}
        for key, tensor in state_dict.items():
            if key.startswith(GENERATOR_PREFIX):
                generator[key[len(GENERATOR_PREFIX) :]] = tensor
            elif key.startswith(DISCRIMINATOR_PREFIX):
                discriminator[key[len(DISCRIMINATOR_PREFIX) :]] = tensor
            else:
                other[key] = tensor
        state = {GENERATOR_PREFIX + k: v for k, v in match_weight_norm(generator, self.model_g.state_dict()).items()}
        if discriminator:
            matched = match_weight_norm(discriminator, self.model_d.state_dict())
            state.update({DISCRIMINATOR_PREFIX + k: v for k, v in matched.items()})
        else:
            logger.warning(
                "restore: the checkpoint has no discriminator (model_d.*): it starts from its initial weights"
            )
            state.update({k: v for k, v in self.state_dict().items() if k.startswith(DISCRIMINATOR_PREFIX)})
        state.update(other)
        allow_partial = (not strict) or bool(getattr(self.config, "allow_partial_restore", False))
        self.restore_report = restore_weights(self, state, allow_partial=allow_partial)
        return nn.modules.module._IncompatibleKeys(self.restore_report.missing, self.restore_report.unexpected)

    def set_restore_discriminator(self, state: Mapping[str, torch.Tensor]) -> None:
        """Discriminator weights for the next ``load_state_dict`` when its state has none: the ``model_disc``
        entry of an old Coqui checkpoint, which the trainer's ``--restore_path`` does not read."""
        self._restore_discriminator = state

    def load_checkpoint(  # noqa: A002 - eval is the name the trainer uses
        self, config: Any, checkpoint_path: str, eval: bool = False, strict: bool = True, cache: bool = False
    ) -> Dict[str, Any]:
        """Load a Coqui (or our) GAN checkpoint: ``model_g.``/``model_d.`` keys under ``"model"``, or the old
        layout (bare generator under ``"model"``, discriminator under ``"model_disc"``).

        ``eval`` prepares inference: eval mode, the discriminator dropped, weight norm folded.
        """
        checkpoint = load_checkpoint_file(checkpoint_path)
        if isinstance(checkpoint.get("model_disc"), Mapping):
            self.set_restore_discriminator(checkpoint["model_disc"])
        self.load_state_dict(checkpoint["model"], strict=strict)
        if eval:
            self.eval()
            self.model_d = None
            if hasattr(self.model_g, "remove_weight_norm"):
                self.model_g.remove_weight_norm()
        return checkpoint
