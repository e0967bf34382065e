"""The trainer hooks of Tacotron2: loss, batches, training and evaluation steps, logged figures and test audio.

A mixin of ``Tacotron2`` (``TTS.tts.models.tacotron2``); the hooks every model shares are in ``BaseTTS``, the adapter
between the models and the ``trainer`` package.
"""

import logging
from typing import Any, Dict, Optional, Tuple

import torch

from TTS.tts.datasets.dataset import reduce_stop_targets
from TTS.tts.layers.tacotron2.losses import Tacotron2Loss, alignment_diagonal_score, loss_settings
from TTS.tts.models.tacotron2_settings import (  # noqa: F401 - part of this module's API
    attention_prior_weight,
    aux_inputs,
    gradual_training_step,
    layer_reduction_factor,
    run_schedule,
    schedule_from_r,
    set_vocabulary_size,
    speaker_rows,
)
from TTS.tts.utils.visual import plot_alignment, plot_spectrogram

logger = logging.getLogger("TTS.tts.models.tacotron2")


class Tacotron2Training:
    """Trainer hooks of ``Tacotron2`` (placed before ``BaseTTS`` in its bases, so ``super()`` reaches BaseTTS)."""

    # ------------------------------------------------------------------ training
    def get_criterion(self) -> Tacotron2Loss:
        return Tacotron2Loss(**loss_settings(self.config))

    def on_train_step_start(self, trainer) -> None:
        """Layer freezing (see ``BaseTTS``) and the attention prior's weight for this global step."""
        super().on_train_step_start(trainer)
        c = self.config
        self.attention_prior_weight = attention_prior_weight(
            c.attention_prior_until_step, c.attention_prior_fade_steps, trainer.total_steps_done
        )

    def set_restore_source(self, checkpoint_config) -> None:
        """Also start gradual training at the checkpoint's ``r`` (see ``schedule_from_r``).

        The start is written into the config as ``gradual_training_start_r`` (unless the config
        names one), so the run folder's config.json keeps it and ``--continue_path`` resumes at
        the r the run trains at, not at the schedule's coarser start.
        """
        super().set_restore_source(checkpoint_config)
        restored_r = getattr(checkpoint_config, "r", None)
        if restored_r and self.config.gradual_training and not self.config.gradual_training_start_r:
            self.config.gradual_training_start_r = int(restored_r)

    def on_epoch_start(self, trainer) -> None:
        """Gradual training: set r and the batch size of the schedule entry reached by the global step.

        The schedule starts at ``gradual_training_start_r`` when the config sets it (as
        ``set_restore_source`` does with the ``r`` the restored checkpoint was saved with).
        """
        schedule = run_schedule(self.config)
        if not schedule:
            return
        r, batch_size = gradual_training_step(schedule, trainer.total_steps_done)
        if r != self.decoder.r or batch_size != trainer.config.batch_size:
            logger.info("gradual training at step %d: r=%d, batch_size=%d", trainer.total_steps_done, r, batch_size)
            self.decoder.set_r(r)
            trainer.config.r = r
            trainer.config.batch_size = batch_size
            # loaders pad mels to a multiple of r and batch by batch_size: rebuild them
            trainer.train_loader = None
            trainer.eval_loader = None

    def format_batch(self, batch: Dict[str, Any]) -> Dict[str, Any]:
        """Add the per-step stop targets and alignment lengths for the current reduction factor.

        Also adds Coqui's names of the inputs (``text_input``, ``text_lengths``, ``mel_input``,
        ``d_vectors``), so code written for Coqui's batches reads them.
        """
        r = self.decoder.r
        mel_lengths = batch["mel_lengths"]
        batch["stop_targets"], batch["stop_target_lengths"] = reduce_stop_targets(
            batch["stop_targets"], mel_lengths, r=r
        )
        batch["alignment_lengths"] = self._alignment_lengths(mel_lengths)
        batch["text_input"] = batch["token_id"]
        batch["text_lengths"] = batch["token_id_lengths"]
        batch["mel_input"] = batch["mel"]
        batch.setdefault("speaker_ids", None)
        batch.setdefault("d_vectors", None)
        return batch

    def _alignment_lengths(self, mel_lengths: torch.Tensor) -> torch.Tensor:
        r = self.decoder.r
        max_len = int(mel_lengths.max())
        return (mel_lengths + (r - max_len % r)) // r if max_len % r else mel_lengths // r

    def train_step(self, batch: Dict[str, Any], criterion: Tacotron2Loss, optimizer_idx: Optional[int] = None):
        """Forward pass and losses of a batch from ``format_batch`` (or one with Coqui's keys: ``text_input``,
        ``text_lengths``, ``mel_input``, ``mel_lengths``, ``stop_targets`` per decoder step, ``stop_target_lengths``,
        ``speaker_ids``); returns ``(outputs, loss_dict)`` with Coqui's output and loss names."""
        if "token_id" not in batch:  # Coqui's names
            batch = {
                **batch,
                "token_id": batch["text_input"],
                "token_id_lengths": batch["text_lengths"],
                "mel": batch["mel_input"],
            }
        if "alignment_lengths" not in batch:
            batch = {**batch, "alignment_lengths": self._alignment_lengths(batch["mel_lengths"])}
        outputs = self.forward(
            batch["token_id"],
            batch["token_id_lengths"],
            batch["mel"],
            batch["mel_lengths"],
            speaker_ids=batch.get("speaker_ids"),
        )
        loss_dict = criterion(
            postnet_outputs=outputs["model_outputs"],
            decoder_outputs=outputs["decoder_outputs"],
            mel_targets=batch["mel"],
            mel_lengths=batch["mel_lengths"],
            stop_logits=outputs["stop_tokens"],
            stop_targets=batch["stop_targets"],
            stop_target_lengths=batch["stop_target_lengths"],
            alignments=outputs["alignments"],
            guided_alignments=outputs["alignments_without_prior"],
            alignment_lengths=batch["alignment_lengths"],
            text_lengths=batch["token_id_lengths"],
            coarse_decoder_outputs=outputs["decoder_outputs_backward"],
            coarse_alignments=outputs["alignments_backward"],
        )
        own_alignments = (
            outputs["alignments"]
            if outputs["alignments_without_prior"] is None
            else outputs["alignments_without_prior"]
        )
        loss_dict["align_error"] = torch.tensor(1.0 - alignment_diagonal_score(own_alignments.detach()))
        if self.config.attention_prior_until_step > 0:
            loss_dict["attention_prior_weight"] = torch.tensor(self.attention_prior_weight)
        return outputs, loss_dict

    @torch.no_grad()
    def eval_step(self, batch: Dict[str, Any], criterion: Tacotron2Loss, optimizer_idx: Optional[int] = None):
        return self.train_step(batch, criterion)

    # ------------------------------------------------------------------ logging
    def _log_assets(self, batch: Dict[str, Any], outputs: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        length = int(batch["mel_lengths"][0])
        steps = int(batch["alignment_lengths"][0])
        predicted = outputs["model_outputs"][0, :length].detach().cpu().float()
        figures = {
            "prediction": plot_spectrogram(predicted, title="predicted (postnet)"),
            "ground_truth": plot_spectrogram(batch["mel"][0, :length].cpu(), title="target"),
            "alignment": plot_alignment(outputs["alignments"][0, :steps].detach().cpu(), title="alignment"),
        }
        if outputs.get("alignments_without_prior") is not None:
            figures["alignment_without_prior"] = plot_alignment(
                outputs["alignments_without_prior"][0, :steps].detach().cpu(), title="alignment without the prior"
            )
        if self.double_decoder_consistency and outputs.get("alignments_backward") is not None:
            figures["alignment_coarse"] = plot_alignment(outputs["alignments_backward"][0, :steps].detach().cpu())
        audios = {"audio": self.ap.inv_melspectrogram(predicted.numpy().T)} if self.ap is not None else {}
        return figures, audios

    def train_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        figures, audios = self._log_assets(batch, outputs)
        logger.train_figures(steps, figures)
        if audios:
            logger.train_audios(steps, audios, self.ap.sample_rate)

    def eval_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        figures, audios = self._log_assets(batch, outputs)
        logger.eval_figures(steps, figures)
        if audios:
            logger.eval_audios(steps, audios, self.ap.sample_rate)

    @torch.no_grad()
    def test_run(self, trainer=None) -> Dict[str, Dict[str, Any]]:
        """Synthesise the config's test sentences (Griffin-Lim audio, spectrogram and alignment figures)."""
        figures, audios = {}, {}
        speaker_ids = (
            torch.zeros(1, dtype=torch.long, device=self.embedding.weight.device)
            if self.use_speaker_embedding
            else None
        )
        for index, sentence in enumerate(self.test_sentences()):
            outputs = self.inference(self.text_to_tensor(sentence), speaker_ids=speaker_ids)
            mel = outputs["model_outputs"][0].cpu()
            audios[f"{index}-audio"] = self.ap.inv_melspectrogram(mel.numpy().T)
            figures[f"{index}-prediction"] = plot_spectrogram(mel, title=sentence[:60])
            figures[f"{index}-alignment"] = plot_alignment(outputs["alignments"][0].cpu(), title=sentence[:60])
        return {"figures": figures, "audios": audios}

    def test_log(self, outputs: Dict[str, Dict[str, Any]], logger, steps: int) -> None:
        logger.test_audios(steps, outputs["audios"], self.ap.sample_rate)
        logger.test_figures(steps, outputs["figures"])
