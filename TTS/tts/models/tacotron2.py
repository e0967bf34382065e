"""Tacotron2 (Shen et al., 2018) with optional Double Decoder Consistency and speaker embedding.

State-dict key names and shapes follow Coqui TTS, so Coqui checkpoints load unchanged.
"""

import logging
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
from torch import nn
from torch.nn import functional as F

from TTS.config.errors import ConfigError
from TTS.tts.configs.tacotron2_config import Tacotron2Config, check_supported
from TTS.tts.layers.tacotron2.attention import beta_binomial_prior
from TTS.tts.layers.tacotron2.decoder import Decoder
from TTS.tts.layers.tacotron2.encoder import Encoder
from TTS.tts.layers.tacotron2.postnet import Postnet
from TTS.tts.models.base_tts import BaseTTS, speaker_names_for
from TTS.tts.models.interface import MelBatch
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
from TTS.tts.models.tacotron2_training import Tacotron2Training
from TTS.tts.utils.masks import sequence_mask
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor

logger = logging.getLogger(__name__)

SPEAKER_EMBEDDING_STD = 0.3
#: weights (both decoders) whose input ends with the encoder outputs, where ``_speaker_context``
#: appends the speaker embedding: a single-speaker checkpoint restores into a multi-speaker model by
#: growing them (``restore_grown_inputs``)
SPEAKER_INPUT_WEIGHTS = (
    "*decoder.attention_rnn.weight_ih",
    "*decoder.attention.inputs_layer.linear_layer.weight",
    "*decoder.decoder_rnn.weight_ih",
    "*decoder.linear_projection.linear_layer.weight",
)


class Tacotron2(Tacotron2Training, BaseTTS):
    """Embedding -> Encoder -> (speaker embedding) -> Decoder -> Postnet + residual.

    Parameters
    ----------
    config:
        A ``Tacotron2Config``; only ``init_from_config`` and this constructor read it. With
        ``num_chars`` unset (0), the vocabulary the config describes sets it (and ``characters``).
    ap, tokenizer:
        Needed for training and for synthesising text; built from the config on first use when
        left out (see ``BaseTTS``).
    speaker_manager:
        Coqui's form of the speakers (see ``BaseTTS``); ``speaker_names`` is ours.
    speaker_names:
        Speakers in id order (rows of the speaker embedding) when ``config.use_speaker_embedding``;
        without names, the speaker manager's ``num_speakers`` or ``config.num_speakers`` rows.

    Coqui's positional form ``Tacotron2(config, ap, tokenizer, speaker_manager)`` builds the same model
    as ``Tacotron2(config, ap=ap, tokenizer=tokenizer, speaker_names=...)``.
    """

    LAYER_FIELDS = (
        "num_chars",
        "encoder_in_features",
        "decoder_in_features",
        "decoder_output_dim",
        "out_channels",
        "audio.num_mels",
        "prenet_type",
        "prenet_dims",
        "attention_rnn_dim",
        "decoder_rnn_dim",
        "attention_dim",
        "attention_location_filters",
        "attention_location_kernel_size",
        "encoder_num_convs",
        "encoder_kernel_size",
        "postnet_channels",
        "postnet_num_convs",
        "postnet_kernel_size",
        "separate_stopnet",
        "double_decoder_consistency",
        "ddc_r",
        "use_speaker_embedding",
        "speaker_embedding_dim",
    )

    def __init__(
        self,
        config: Tacotron2Config,
        ap: Optional[AudioProcessor] = None,
        tokenizer: Optional[TTSTokenizer] = None,
        speaker_manager: Any = None,
        *,
        speaker_names: Sequence[str] = (),
    ) -> None:
        check_supported(config)
        super().__init__(config, ap, tokenizer, speaker_manager, speaker_names=speaker_names)
        if config.num_chars < 1:
            set_vocabulary_size(config, tokenizer)
        num_speakers = speaker_rows(config, self.speaker_names, speaker_manager)
        self.num_speakers = num_speakers
        self.double_decoder_consistency = config.double_decoder_consistency
        self.attention_prior_weight = 0.0  # set per training step by on_train_step_start
        self.use_speaker_embedding = config.use_speaker_embedding
        self.embedding = nn.Embedding(config.num_chars, config.encoder_in_features, padding_idx=0)
        nn.init.xavier_uniform_(self.embedding.weight)
        with torch.no_grad():
            self.embedding.weight[0].zero_()  # the padding row
        self.encoder = Encoder(
            config.encoder_in_features, num_convs=config.encoder_num_convs, kernel_size=config.encoder_kernel_size
        )
        decoder_in_features = config.decoder_in_features
        if self.use_speaker_embedding:
            if num_speakers < 1:
                raise ConfigError(
                    "config field 'use_speaker_embedding': true but no speakers are known "
                    "(speakers_file, speakers or num_speakers)"
                )
            self.speaker_embedding = nn.Embedding(num_speakers, config.speaker_embedding_dim)
            nn.init.normal_(self.speaker_embedding.weight, std=SPEAKER_EMBEDDING_STD)
            decoder_in_features += config.speaker_embedding_dim
        self.decoder = self._build_decoder(config, decoder_in_features, layer_reduction_factor(config))
        self.decoder.set_r(config.r)
        self.postnet = Postnet(
            config.out_channels,
            channels=config.postnet_channels,
            num_convs=config.postnet_num_convs,
            kernel_size=config.postnet_kernel_size,
        )
        if self.double_decoder_consistency:
            self.coarse_decoder = self._build_decoder(config, decoder_in_features, config.ddc_r)
        self._built_layer_settings = self.layer_settings(config)

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
            stop_after_text_end_frames=config.stop_after_text_end_frames,
            rnn_regularisation=config.decoder_rnn_regularisation,
            attention_dropout=config.attention_rnn_dropout,
            decoder_dropout=config.decoder_rnn_dropout,
            zoneout=config.zoneout_prob,
        )

    @classmethod
    def init_from_config(cls, config: Tacotron2Config, samples: Optional[List[Dict[str, Any]]] = None) -> "Tacotron2":
        """Build the model, its AudioProcessor and tokenizer from a config.

        The vocabulary comes from ``config.characters`` (or the default for ``use_phonemes``) and sets
        ``num_chars``; speakers come from the config or, for a new multi-speaker run, from ``samples``
        (and are then stored in ``config.speakers`` so checkpoints carry them).
        """
        ap = AudioProcessor.init_from_config(config)
        tokenizer, config = TTSTokenizer.init_from_config(config)
        speakers: List[str] = []
        if config.use_speaker_embedding:
            speakers = speaker_names_for(config, samples)
            if not config.speakers_file:
                config.speakers = speakers
        return cls(config, ap=ap, tokenizer=tokenizer, speaker_names=speakers)

    # ------------------------------------------------------------------ helpers
    def _speaker_context(self, encoder_outputs: torch.Tensor, speaker_ids: Optional[torch.Tensor]) -> torch.Tensor:
        if not self.use_speaker_embedding:
            return encoder_outputs
        if speaker_ids is None:
            raise ValueError("this is a multi-speaker model: give speaker_ids")
        embedded = self.speaker_embedding(speaker_ids.view(-1))[:, None, :].expand(-1, encoder_outputs.shape[1], -1)
        return torch.cat((encoder_outputs, embedded), dim=-1)

    def compute_masks(
        self, text_lengths: torch.Tensor, mel_lengths: Optional[torch.Tensor], max_text_len: Optional[int] = None
    ):
        """Masks of real text tokens (B, T_text) and of real mel frames (B, T_mel rounded up to r), or None.

        ``max_text_len``: the padded text width (default: the longest length)."""
        input_mask = sequence_mask(text_lengths, max_len=max_text_len)
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
        aux_input: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Optional[torch.Tensor]]:
        """Teacher-forced pass.

        Coqui's form ``forward(text, text_lengths, mel_specs, mel_lengths, aux_input={"speaker_ids": ...})``
        (the dict as fifth argument or as ``aux_input``) gives the same outputs as ``speaker_ids=...``.

        Shapes
        ------
        text: (B, T_text); text_lengths: (B,); mel_specs: (B, T_mel, C_mel) with T_mel a multiple of r;
        mel_lengths: (B,); speaker_ids: (B,) ->
        model_outputs / decoder_outputs: (B, T_mel, C_mel), alignments: (B, T_mel / r, T_text),
        stop_tokens: (B, T_mel / r) logits, decoder_outputs_backward / alignments_backward (DDC): the
        coarse decoder's outputs (B, T_mel, C_mel) and alignments resized to (B, T_mel / r, T_text),
        alignments_without_prior: while the training prior is on (``attention_prior_*``), the attention's
        own weights (B, T_mel / r, T_text), else None; capacitron_vae_outputs: None (Coqui's key).
        """
        if isinstance(speaker_ids, dict):  # Coqui passes aux_input positionally
            speaker_ids, aux_input = None, speaker_ids
        speaker_ids = aux_inputs(aux_input, speaker_ids=speaker_ids)["speaker_ids"]
        input_mask, output_mask = self.compute_masks(text_lengths, mel_lengths, text.shape[1])
        encoder_outputs = self.encoder(self.embedding(text).transpose(1, 2), text_lengths)
        encoder_outputs = self._speaker_context(encoder_outputs, speaker_ids)
        encoder_outputs = encoder_outputs * input_mask.unsqueeze(2)
        prior = self._attention_prior(
            text_lengths, mel_lengths, mel_specs.shape[1], input_mask.shape[1], self.decoder.r
        )
        decoder_outputs, alignments, stop_tokens, alignments_without_prior = self.decoder(
            encoder_outputs, mel_specs, input_mask, prior
        )
        decoder_outputs = decoder_outputs * output_mask.unsqueeze(1)
        postnet_outputs = (decoder_outputs + self.postnet(decoder_outputs)) * output_mask.unsqueeze(1)
        outputs = {
            "model_outputs": postnet_outputs.transpose(1, 2),
            "decoder_outputs": decoder_outputs.transpose(1, 2),
            "alignments": alignments,
            "stop_tokens": stop_tokens,
            "decoder_outputs_backward": None,
            "alignments_backward": None,
            # with the training prior on: the attention's own weights (the prior is off at inference)
            "alignments_without_prior": alignments_without_prior,
            "capacitron_vae_outputs": None,
        }
        if self.double_decoder_consistency:
            coarse_outputs, coarse_alignments = self._coarse_decoder_pass(
                mel_specs, text_lengths, mel_lengths, encoder_outputs, alignments, input_mask
            )
            outputs["decoder_outputs_backward"] = coarse_outputs
            outputs["alignments_backward"] = coarse_alignments
        return outputs

    def _attention_prior(
        self, text_lengths: torch.Tensor, mel_lengths: torch.Tensor, max_frames: int, max_text: int, r: int
    ) -> Optional[torch.Tensor]:
        """The diagonal prior for a decoder of ``r`` frames per step, raised to this step's weight; None when off.

        Shapes: text_lengths, mel_lengths (B,) -> (B, max_frames / r, max_text).
        """
        if not self.training or self.attention_prior_weight <= 0:
            return None
        prior = beta_binomial_prior(
            text_lengths, (mel_lengths + r - 1) // r, max_text, max_frames // r, self.config.attention_prior_scaling
        )
        return prior if self.attention_prior_weight == 1.0 else prior**self.attention_prior_weight

    def _coarse_decoder_pass(self, mel_specs, text_lengths, mel_lengths, encoder_outputs, alignments, input_mask):
        """DDC: decode the same targets at the coarse ``ddc_r`` from detached encoder outputs."""
        time = mel_specs.shape[1]
        padding = (-time) % self.coarse_decoder.r
        if padding:
            mel_specs = F.pad(mel_specs, (0, 0, 0, padding))
        prior = self._attention_prior(
            text_lengths, mel_lengths, mel_specs.shape[1], input_mask.shape[1], self.coarse_decoder.r
        )
        coarse_outputs, coarse_alignments, _, _ = self.coarse_decoder(
            encoder_outputs.detach(), mel_specs, input_mask, prior
        )
        coarse_alignments = F.interpolate(
            coarse_alignments.transpose(1, 2), size=alignments.shape[1], mode="nearest"
        ).transpose(1, 2)
        return coarse_outputs.transpose(1, 2)[:, :time, :], coarse_alignments

    # ------------------------------------------------------------------ AcousticModel
    @property
    def can_batch(self) -> bool:
        """Attention windowing follows a single item: such a model decodes one sentence at a time."""
        return not self.decoder.attention.windowing

    @property
    def max_output_frames(self) -> int:
        return int(self.decoder.max_decoder_steps) * self.decoder.r

    @property
    def frames_per_step(self) -> int:
        return self.decoder.r

    def synthesize(self, tokens, lengths, *, speaker_ids, max_frames) -> MelBatch:
        """``inference`` with a step limit per item: ``max_frames`` rounded up to whole steps of ``r`` frames."""
        steps = torch.div(max_frames + self.decoder.r - 1, self.decoder.r, rounding_mode="floor").clamp_min(1)
        out = self.inference(
            tokens, text_lengths=lengths if tokens.shape[0] > 1 else None, speaker_ids=speaker_ids, max_decoder_steps=steps
        )
        return MelBatch(out["model_outputs"], out["lengths"], out["stop_reached"], out["text_end_stop"])

    @torch.inference_mode()
    def inference(
        self,
        text: torch.Tensor,
        text_lengths: Optional[torch.Tensor] = None,
        speaker_ids: Optional[torch.Tensor] = None,
        max_decoder_steps: Union[int, torch.Tensor, None] = None,
        aux_input: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, torch.Tensor]:
        """Free-running synthesis of one text or of a padded batch of texts.

        Coqui's form ``inference(text, aux_input={"x_lengths": ..., "speaker_ids": ..., "d_vectors": ...})``
        (the dict as second argument or as ``aux_input``) gives the same outputs as the keywords.

        A padded batch (``text_lengths`` given) gives every item what it gets on its own, up to
        float rounding: padding is masked out of the embedding, of every encoder convolution,
        of the BiLSTM (packed) and of the attention; each item stops by itself (or at its own
        step limit) and its postnet runs on its own frames only. The batch needs attention
        without windowing (the window follows one item).

        Parameters
        ----------
        text_lengths:
            Real lengths of the rows of ``text`` (None: every position is real).
        max_decoder_steps:
            Step limit, one for all or one per item (None: the config's ``max_decoder_steps``,
            with a warning when it is reached).

        Shapes
        ------
        text: (B, T_text); text_lengths: (B,); speaker_ids: (B,); max_decoder_steps: (B,) ->
        model_outputs / decoder_outputs: (B, T_out, C_mel), alignments: (B, T_out / r, T_text),
        stop_tokens: (B, T_out / r) probabilities, all zero past each item's length;
        lengths: (B,) frames of each item; stop_reached: (B,) False where the step limit ended it;
        text_end_stop: (B,) True where ``stop_after_text_end_frames`` ended it, its stop token not fired.
        """
        if isinstance(text_lengths, dict):  # Coqui passes aux_input positionally
            text_lengths, aux_input = None, text_lengths
        merged = aux_inputs(aux_input, text_lengths=text_lengths, speaker_ids=speaker_ids)
        text_lengths, speaker_ids = merged["text_lengths"], merged["speaker_ids"]
        batch = text.shape[0]
        if batch > 1 and self.decoder.attention.windowing:
            raise ValueError(
                "attention windowing follows a single item: synthesise a batch of 1 (text of shape (1, T))"
            )
        input_mask = None if text_lengths is None else sequence_mask(text_lengths, max_len=text.shape[1])
        embedded = self.embedding(text).transpose(1, 2)
        encoder_outputs = self.encoder.inference(embedded, text_lengths)
        encoder_outputs = self._speaker_context(encoder_outputs, speaker_ids)
        if input_mask is not None:
            encoder_outputs = encoder_outputs * input_mask.unsqueeze(2)
        limits = None
        if max_decoder_steps is not None:
            limits = torch.as_tensor(max_decoder_steps, dtype=torch.long, device=text.device).expand(batch)
        decoder_outputs, alignments, stop_tokens, steps, stop_reached, text_end_stop = self.decoder.inference(
            encoder_outputs, input_mask, limits
        )
        lengths = steps * self.decoder.r
        postnet_outputs = torch.zeros_like(decoder_outputs)
        for index, (length, step_count) in enumerate(zip(lengths.tolist(), steps.tolist())):
            decoder_outputs[index, :, length:] = 0
            alignments[index, step_count:] = 0
            stop_tokens[index, step_count:] = 0
            frames = decoder_outputs[index : index + 1, :, :length]
            postnet_outputs[index : index + 1, :, :length] = frames + self.postnet(frames)
        return {
            "model_outputs": postnet_outputs.transpose(1, 2),
            "decoder_outputs": decoder_outputs.transpose(1, 2),
            "alignments": alignments,
            "stop_tokens": stop_tokens,
            "lengths": lengths,
            "stop_reached": stop_reached,
            "text_end_stop": text_end_stop,
        }

    # ------------------------------------------------------------------ checkpoints
    def on_checkpoint_loaded(self, checkpoint: Dict[str, Any]) -> None:
        """Use the reduction factor the checkpoint was saved with (gradual training lowers it)."""
        r = (checkpoint.get("config") or {}).get("r")
        if r is not None and int(r) != self.decoder.r:
            logger.info(
                "reduction factor r=%d taken from the checkpoint (model built with r=%d)", int(r), self.decoder.r_init
            )
            self.decoder.set_r(int(r))
