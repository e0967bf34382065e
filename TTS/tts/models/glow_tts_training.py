"""The trainer hooks of Glow-TTS: loss, batches, training and evaluation steps, logged figures and test audio.

A mixin of ``GlowTTS`` (``TTS.tts.models.glow_tts``); the hooks every model shares are in ``BaseTTS``, the adapter
between the models and the ``trainer`` package.
"""

import logging
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch
from torch import nn

from TTS.tts.layers.glow_tts.losses import GlowTTSLoss
from TTS.tts.utils.visual import plot_alignment, plot_spectrogram

logger = logging.getLogger("TTS.tts.models.glow_tts")


#: Coqui's batch keys -> ours (both are accepted by train_step)
BATCH_KEYS = {"text_input": "token_id", "text_lengths": "token_id_lengths", "mel_input": "mel"}


def _batch_value(batch: Dict[str, Any], coqui_key: str) -> Any:
    if coqui_key in batch:
        return batch[coqui_key]
    return batch.get(BATCH_KEYS.get(coqui_key, coqui_key))


class GlowTTSTraining:
    """Trainer hooks of ``GlowTTS`` (placed before ``BaseTTS`` in its bases, so ``super()`` reaches BaseTTS)."""

    # ------------------------------------------------------------------ training
    def get_criterion(self) -> GlowTTSLoss:
        return GlowTTSLoss()

    def on_train_step_start(self, trainer) -> None:
        """Layer freezing (see ``BaseTTS``); the first ``data_dep_init_steps`` steps only initialise ActNorm."""
        super().on_train_step_start(trainer)
        self.run_data_dep_init = trainer.total_steps_done < self.config.data_dep_init_steps

    def format_batch(self, batch: Dict[str, Any]) -> Dict[str, Any]:
        """Add Coqui's batch keys and, with d-vectors, the d-vector of each clip."""
        for coqui_key, key in BATCH_KEYS.items():
            batch.setdefault(coqui_key, batch.get(key))
        batch.setdefault("d_vectors", None)
        if self.config.use_d_vector_file and self.speaker_manager is not None and batch.get("audio_unique_names"):
            vectors = []
            for clip, speaker in zip(batch["audio_unique_names"], batch["speaker_names"]):
                if clip in self.speaker_manager.embeddings:
                    vectors.append(np.asarray(self.speaker_manager.get_embedding_by_clip(clip), dtype=np.float32))
                else:
                    vectors.append(self.speaker_manager.get_mean_embedding(speaker))
            batch["d_vectors"] = torch.from_numpy(np.stack(vectors))
            batch["speaker_ids"] = None
        return batch

    def train_step(self, batch: Dict[str, Any], criterion: nn.Module, optimizer_idx: Optional[int] = None) -> Tuple[Any, Any]:
        """Forward pass and loss; during the first ``data_dep_init_steps`` steps only the data-dependent
        ActNorm initialisation runs, and (None, None) is returned (the trainer skips the update)."""
        text, text_lengths = _batch_value(batch, "text_input"), _batch_value(batch, "text_lengths")
        mel, mel_lengths = _batch_value(batch, "mel_input"), batch["mel_lengths"]
        aux = {"d_vectors": batch.get("d_vectors"), "speaker_ids": batch.get("speaker_ids") if hasattr(self, "emb_g") else None}
        if self.run_data_dep_init and self.training:
            logger.info("data-dependent ActNorm initialisation step (no update)")
            self.unlock_act_norm_layers()
            with torch.no_grad():
                self.forward(text, text_lengths, mel, mel_lengths, aux_input=aux)
            self.lock_act_norm_layers()
            return None, None
        outputs = self.forward(text, text_lengths, mel, mel_lengths, aux_input=aux)
        loss_dict = criterion(
            outputs["z"].float(),
            outputs["y_mean"].float(),
            outputs["y_log_scale"].float(),
            outputs["logdet"].float(),
            mel_lengths,
            outputs["durations_log"].float(),
            outputs["total_durations_log"].float(),
            text_lengths,
        )
        return outputs, loss_dict

    @torch.no_grad()
    def eval_step(self, batch: Dict[str, Any], criterion: nn.Module, optimizer_idx: Optional[int] = None):
        return self.train_step(batch, criterion)

    # ------------------------------------------------------------------ logging
    def _log_assets(self, batch: Dict[str, Any], outputs: Dict[str, Any]):
        text, text_lengths = _batch_value(batch, "text_input"), _batch_value(batch, "text_lengths")
        aux: Dict[str, Any] = {"x_lengths": text_lengths[:1]}
        if batch.get("d_vectors") is not None:
            aux["d_vectors"] = batch["d_vectors"][:1]
        elif batch.get("speaker_ids") is not None and hasattr(self, "emb_g"):
            aux["speaker_ids"] = batch["speaker_ids"][:1]
        predicted = self.inference(text[:1], aux_input=aux)["model_outputs"][0].cpu().float()
        length = int(batch["mel_lengths"][0])
        figures = {
            "prediction": plot_spectrogram(predicted, title="predicted"),
            "ground_truth": plot_spectrogram(_batch_value(batch, "mel_input")[0, :length].cpu(), title="target"),
            "alignment": plot_alignment(outputs["alignments"][0].detach().cpu(), title="alignment search"),
        }
        audios = {"audio": self.ap.inv_melspectrogram(predicted.numpy().T)} if self.ap is not None else {}
        return figures, audios

    def train_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        if outputs is None:
            return
        figures, audios = self._log_assets(batch, outputs)
        logger.train_figures(steps, figures)
        if audios:
            logger.train_audios(steps, audios, self.ap.sample_rate)

    def eval_log(self, batch, outputs, logger, assets=None, steps: int = 0) -> None:  # noqa: D102 - trainer hook
        if outputs is None:
            return
        figures, audios = self._log_assets(batch, outputs)
        logger.eval_figures(steps, figures)
        if audios:
            logger.eval_audios(steps, audios, self.ap.sample_rate)

    @torch.no_grad()
    def test_run(self, trainer=None) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Synthesise the config's test sentences: (figures, audios), Griffin-Lim audio."""
        figures, audios = {}, {}
        aux: Dict[str, Any] = {}
        if hasattr(self, "emb_g"):
            aux["speaker_ids"] = torch.zeros(1, dtype=torch.long, device=self.emb_g.weight.device)
        elif self.c_in_channels and self.speaker_manager is not None and self.speaker_manager.embeddings:
            name = self.speaker_manager.speaker_names[0]
            aux["d_vectors"] = torch.from_numpy(self.speaker_manager.get_mean_embedding(name))[None]
        for index, sentence in enumerate(self.test_sentences()):
            if isinstance(sentence, (list, tuple)):
                sentence = sentence[0]
            outputs = self.inference(self.text_to_tensor(sentence), aux_input=dict(aux))
            mel = outputs["model_outputs"][0].cpu()
            audios[f"{index}-audio"] = self.ap.inv_melspectrogram(mel.numpy().T)
            figures[f"{index}-prediction"] = plot_spectrogram(mel, title=sentence[:60])
            figures[f"{index}-alignment"] = plot_alignment(outputs["alignments"][0].cpu(), title=sentence[:60])
        return figures, audios

    def test_log(self, outputs, logger, steps: int) -> None:
        figures, audios = outputs
        logger.test_audios(steps, audios, self.ap.sample_rate)
        logger.test_figures(steps, figures)
