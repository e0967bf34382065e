"""Tacotron2 (Shen et al., 2018) with optional Double Decoder Consistency and speaker embedding.

State-dict key names and shapes follow Coqui TTS, so Coqui checkpoints load unchanged.
"""

import json
import logging
from pathlib import Path
from typing import Dict, List, Optional

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.layers.tacotron2.decoder import Decoder
from TTS.tts.layers.tacotron2.encoder import Encoder
from TTS.tts.layers.tacotron2.postnet import Postnet
from TTS.tts.utils.masks import sequence_mask

logger = logging.getLogger(__name__)

SPEAKER_EMBEDDING_STD = 0.3


def speaker_names(config: Tacotron2Config) -> List[str]:
    """Speaker names of a multi-speaker config, in id order (from ``speakers_file`` or ``speakers``)."""
    if config.speakers_file:
        path = Path(config.speakers_file)
        if not path.is_file():
            raise FileNotFoundError(f"config field 'speakers_file': {path} does not exist")
        mapping = json.loads(path.read_text(encoding="utf-8"))
        return [name for name, _ in sorted(mapping.items(), key=lambda item: item[1])]
    return list(config.speakers)


class Tacotron2(nn.Module):
    """Embedding -> Encoder -> (speaker embedding) -> Decoder -> Postnet + residual.

    Parameters
    ----------
    config:
        A ``Tacotron2Config``; only ``init_from_config`` and this constructor read it.
    num_speakers:
        Rows of the speaker embedding table when ``config.use_speaker_embedding``.
    """

    def __init__(self, config: Tacotron2Config, *, num_speakers: int = 0) -> None:
        super().__init__()
        if config.num_chars < 1:
            raise ValueError("config field 'num_chars': must be set to the vocabulary size (>= 1)")
        self.config = config
        self.r = config.r
        self.double_decoder_consistency = config.double_decoder_consistency
        self.use_speaker_embedding = config.use_speaker_embedding
        self.embedding = nn.Embedding(config.num_chars, config.encoder_in_features, padding_idx=0)
        self.encoder = Encoder(
            config.encoder_in_features, num_convs=config.encoder_num_convs, kernel_size=config.encoder_kernel_size
        )
        decoder_in_features = config.decoder_in_features
        if self.use_speaker_embedding:
            if num_speakers < 1:
                raise ValueError("use_speaker_embedding is true but no speakers are known (speakers_file or speakers)")
            self.speaker_embedding = nn.Embedding(num_speakers, config.speaker_embedding_dim)
            nn.init.normal_(self.speaker_embedding.weight, std=SPEAKER_EMBEDDING_STD)
            decoder_in_features += config.speaker_embedding_dim
        self.decoder = self._build_decoder(config, decoder_in_features, config.r)
        self.postnet = Postnet(
            config.out_channels,
            channels=config.postnet_channels,
            num_convs=config.postnet_num_convs,
            kernel_size=config.postnet_kernel_size,
        )
        if self.double_decoder_consistency:
            self.coarse_decoder = self._build_decoder(config, decoder_in_features, config.ddc_r)

    @staticmethod
    def _build_decoder(config: Tacotron2Config, in_features: int, r: int) -> Decoder:
        return Decoder(
            in_features,
            config.decoder_output_dim,
            r,
            prenet_type=config.prenet_type,
            prenet_dropout=config.prenet_dropout,
            prenet_dropout_at_inference=config.prenet_dropout_at_inference,
            prenet_dims=config.prenet_dims,
            attention_norm=config.attention_norm,
            location_attention=config.location_attn,
            windowing=config.attention_win or config.windowing,
            attention_dim=config.attention_dim,
            location_filters=config.attention_location_filters,
            location_kernel_size=config.attention_location_kernel_size,
            query_dim=config.attention_rnn_dim,
            decoder_rnn_dim=config.decoder_rnn_dim,
            separate_stopnet=config.separate_stopnet,
            max_decoder_steps=config.max_decoder_steps,
            stop_threshold=config.stop_threshold,
            rnn_regularisation=config.decoder_rnn_regularisation,
            attention_dropout=config.attention_rnn_dropout,
            decoder_dropout=config.decoder_rnn_dropout,
            zoneout=config.zoneout_prob,
        )

    @classmethod
    def init_from_config(cls, config: Tacotron2Config) -> "Tacotron2":
        """Build the model a config describes (the vocabulary size must be in ``config.num_chars``)."""
        num_speakers = len(speaker_names(config)) if config.use_speaker_embedding else 0
        return cls(config, num_speakers=num_speakers)

    # ------------------------------------------------------------------ helpers
    def _speaker_context(self, encoder_outputs: torch.Tensor, speaker_ids: Optional[torch.Tensor]) -> torch.Tensor:
        if not self.use_speaker_embedding:
            return encoder_outputs
        if speaker_ids is None:
            raise ValueError("this is a multi-speaker model: give speaker_ids")
        embedded = self.speaker_embedding(speaker_ids.view(-1))[:, None, :].expand(-1, encoder_outputs.shape[1], -1)
        return torch.cat((encoder_outputs, embedded), dim=-1)

    def compute_masks(self, text_lengths: torch.Tensor, mel_lengths: Optional[torch.Tensor]):
        """Masks of real text tokens (B, T_text) and of real mel frames (B, T_mel rounded up to r), or None."""
        input_mask = sequence_mask(text_lengths)
        output_mask = None
        if mel_lengths is not None:
            max_len = int(mel_lengths.max())
            max_len += (-max_len) % self.decoder.r
            output_mask = sequence_mask(mel_lengths, max_len=max_len)
        return input_mask, output_mask

    # ------------------------------------------------------------------ passes
    def forward(
        self,
        text: torch.Tensor,
        text_lengths: torch.Tensor,
        mel_specs: torch.Tensor,
        mel_lengths: torch.Tensor,
        speaker_ids: Optional[torch.Tensor] = None,
    ) -> Dict[str, Optional[torch.Tensor]]:
        """Teacher-forced pass.

        Shapes
        ------
        text: (B, T_text); text_lengths: (B,); mel_specs: (B, T_mel, C_mel) with T_mel a multiple of r;
        mel_lengths: (B,); speaker_ids: (B,) ->
        model_outputs / decoder_outputs: (B, T_mel, C_mel), alignments: (B, T_mel / r, T_text),
        stop_tokens: (B, T_mel / r) logits, decoder_outputs_backward / alignments_backward (DDC): the
        coarse decoder's outputs (B, T_mel, C_mel) and alignments resized to (B, T_mel / r, T_text).
        """
        input_mask, output_mask = self.compute_masks(text_lengths, mel_lengths)
        encoder_outputs = self.encoder(self.embedding(text).transpose(1, 2), text_lengths)
        encoder_outputs = self._speaker_context(encoder_outputs, speaker_ids)
        encoder_outputs = encoder_outputs * input_mask.unsqueeze(2)
        decoder_outputs, alignments, stop_tokens = self.decoder(encoder_outputs, mel_specs, input_mask)
        decoder_outputs = decoder_outputs * output_mask.unsqueeze(1)
        postnet_outputs = (decoder_outputs + self.postnet(decoder_outputs)) * output_mask.unsqueeze(1)
        outputs = {
            "model_outputs": postnet_outputs.transpose(1, 2),
            "decoder_outputs": decoder_outputs.transpose(1, 2),
            "alignments": alignments,
            "stop_tokens": stop_tokens,
            "decoder_outputs_backward": None,
            "alignments_backward": None,
        }
        if self.double_decoder_consistency:
            coarse_outputs, coarse_alignments = self._coarse_decoder_pass(mel_specs, encoder_outputs, alignments, input_mask)
            outputs["decoder_outputs_backward"] = coarse_outputs
            outputs["alignments_backward"] = coarse_alignments
        return outputs

    def _coarse_decoder_pass(self, mel_specs, encoder_outputs, alignments, input_mask):
        """DDC: decode the same targets at the coarse ``ddc_r`` from detached encoder outputs."""
        time = mel_specs.shape[1]
        padding = (-time) % self.coarse_decoder.r
        if padding:
            mel_specs = F.pad(mel_specs, (0, 0, 0, padding))
        coarse_outputs, coarse_alignments, _ = self.coarse_decoder(encoder_outputs.detach(), mel_specs, input_mask)
        coarse_alignments = F.interpolate(
            coarse_alignments.transpose(1, 2), size=alignments.shape[1], mode="nearest"
        ).transpose(1, 2)
        return coarse_outputs.transpose(1, 2)[:, :time, :], coarse_alignments

    @torch.inference_mode()
    def inference(self, text: torch.Tensor, speaker_ids: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """Free-running synthesis.

        Shapes
        ------
        text: (B, T_text) -> model_outputs / decoder_outputs: (B, T_out, C_mel),
        alignments: (B, T_out / r, T_text), stop_tokens: (B, T_out / r) probabilities.
        """
        encoder_outputs = self.encoder.inference(self.embedding(text).transpose(1, 2))
        encoder_outputs = self._speaker_context(encoder_outputs, speaker_ids)
        decoder_outputs, alignments, stop_tokens = self.decoder.inference(encoder_outputs)
        postnet_outputs = decoder_outputs + self.postnet(decoder_outputs)
        return {
            "model_outputs": postnet_outputs.transpose(1, 2),
            "decoder_outputs": decoder_outputs.transpose(1, 2),
            "alignments": alignments,
            "stop_tokens": stop_tokens,
        }
