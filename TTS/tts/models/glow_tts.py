"""Glow-TTS (Kim et al., 2020): a text encoder predicts a Gaussian prior per token, an invertible flow maps
mel frames to latents, and monotonic alignment search assigns the frames to the tokens during training;
at inference a duration predictor sets the frames per token and the flow runs backwards, in one pass.

State-dict key names and shapes, call forms and output keys follow Coqui TTS, so Coqui checkpoints load
unchanged and code written for Coqui's ``GlowTTS`` runs.
"""

import logging
import math
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from TTS.config.errors import ConfigError
from TTS.tts.configs.glow_tts_config import GlowTTSConfig
from TTS.tts.layers.glow_tts.decoder import Decoder
from TTS.tts.layers.glow_tts.encoder import Encoder
from TTS.tts.layers.glow_tts.monotonic_align import generate_path, maximum_path
from TTS.tts.models.base_tts import BaseTTS, speaker_names_for
from TTS.tts.models.glow_tts_training import GlowTTSTraining
from TTS.tts.models.interface import MelBatch, OutputTooLongError, synthesize_in_batches
from TTS.tts.utils.masks import sequence_mask
from TTS.tts.utils.speakers import SpeakerManager
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor

logger = logging.getLogger(__name__)

#: range of the uniform initialisation of the speaker embedding
SPEAKER_EMBEDDING_INIT = 0.1
#: d-vector width when the config gives none
DEFAULT_D_VECTOR_DIM = 512
class GlowTTS(GlowTTSTraining, BaseTTS):
    """Encoder (token priors, durations) -> monotonic alignment search / durations -> flow decoder.

    Parameters
    ----------
    config:
        A ``GlowTTSConfig``.
    ap, tokenizer:
        AudioProcessor and tokenizer; built from the config when not given (Coqui's call form).
    speaker_manager:
        ``SpeakerManager`` of a multi-speaker model; built from the config when not given.
    """

    SYMBOL_TABLE_KEY = "encoder.emb.weight"
    SPEAKER_TABLE_KEY = "emb_g.weight"

    def __init__(self, config: GlowTTSConfig, ap=None, tokenizer=None, speaker_manager: Optional[SpeakerManager] = None) -> None:
        if tokenizer is None:
            tokenizer, config = TTSTokenizer.init_from_config(config)
        if ap is None:
            ap = AudioProcessor.init_from_config(config)
        if speaker_manager is None:
            speaker_manager = SpeakerManager.init_from_config(config)
        use_embedding = bool(config.use_speaker_embedding) and not config.use_d_vector_file
        names = speaker_manager.speaker_names if (speaker_manager is not None and use_embedding) else []
        super().__init__(config, ap=ap, tokenizer=tokenizer, speaker_names=names)
        if not config.num_chars or config.num_chars < 1:
            raise ConfigError("config field 'num_chars': must be set to the vocabulary size (>= 1)")
        self.speaker_manager = speaker_manager
        self.length_scale = float(config.length_scale)
        self.inference_noise_scale = float(config.inference_noise_scale)
        self.num_squeeze = int(config.num_squeeze)
        self.run_data_dep_init = config.data_dep_init_steps > 0
        self.init_multispeaker()
        self.encoder = Encoder(
            config.num_chars,
            out_channels=config.out_channels,
            hidden_channels=config.hidden_channels_enc,
            hidden_channels_dp=config.hidden_channels_dp,
            encoder_params=dict(config.encoder_params),
            dropout_p_dp=config.dropout_p_dp,
            mean_only=config.mean_only,
            use_prenet=config.use_encoder_prenet,
            c_in_channels=self.c_in_channels,
        )
        self.decoder = Decoder(
            config.out_channels,
            config.hidden_channels_dec,
            kernel_size=config.kernel_size_dec,
            dilation_rate=config.dilation_rate,
            num_flow_blocks=config.num_flow_blocks_dec,
            num_coupling_layers=config.num_block_layers,
            dropout_p=config.dropout_p_dec,
            num_splits=config.num_splits,
            num_squeeze=config.num_squeeze,
            sigmoid_scale=config.sigmoid_scale,
            c_in_channels=self.c_in_channels,
        )

    # ------------------------------------------------------------------ speakers
    @property
    def hidden_channels_enc(self) -> int:
        return self.config.hidden_channels_enc

    @property
    def use_speaker_embedding(self) -> bool:
        """True for a model with a learnt speaker table (speakers chosen by name)."""
        return hasattr(self, "emb_g")

    @property
    def num_speakers(self) -> int:
        return self.speaker_manager.num_speakers if self.speaker_manager is not None else 1

    def init_multispeaker(self) -> None:
        """Speaker conditioning: a learnt table ``emb_g`` (``use_speaker_embedding``) of ``hidden_channels_enc``
        wide vectors, or external d-vectors (``use_d_vector_file``); sets ``c_in_channels`` (0: none)."""
        config = self.config
        self.c_in_channels = 0
        if (config.use_d_vector_file or config.use_speaker_embedding) and self.speaker_manager is None:
            raise ConfigError(
                "config field 'use_speaker_embedding' / 'use_d_vector_file': no speakers known "
                "(set speakers, speakers_file or d_vector_file)"
            )
        if config.use_d_vector_file:
            self.c_in_channels = config.d_vector_dim or DEFAULT_D_VECTOR_DIM
            manager_dim = self.speaker_manager.embedding_dim
            if manager_dim and manager_dim != self.c_in_channels:
                raise ConfigError(
                    f"config field 'd_vector_dim': {self.c_in_channels}, but the d-vectors of "
                    f"{config.d_vector_file} have {manager_dim} values"
                )
        elif config.use_speaker_embedding and not hasattr(self, "emb_g"):
            if self.num_speakers < 1:
                raise ConfigError("config field 'use_speaker_embedding': true but the speaker table is empty")
            self.c_in_channels = config.hidden_channels_enc
            self.emb_g = nn.Embedding(self.num_speakers, self.c_in_channels)
            nn.init.uniform_(self.emb_g.weight, -SPEAKER_EMBEDDING_INIT, SPEAKER_EMBEDDING_INIT)
        elif config.use_speaker_embedding:
            self.c_in_channels = config.hidden_channels_enc
        self.config.c_in_channels = self.c_in_channels

    def _speaker_conditioning(self, aux_input: Optional[Dict[str, Any]]) -> Optional[torch.Tensor]:
        """Unit-length speaker vector (B, C_g, 1) from ``d_vectors`` or ``speaker_ids``; None for one speaker."""
        aux_input = aux_input or {}
        speaker_ids, d_vectors = aux_input.get("speaker_ids"), aux_input.get("d_vectors")
        if speaker_ids is not None and d_vectors is not None:
            raise ValueError("give speaker_ids or d_vectors, not both")
        g = None
        if d_vectors is not None:
            d_vectors = torch.as_tensor(d_vectors, dtype=torch.float32, device=self.encoder.emb.weight.device)
            g = F.normalize(d_vectors.view(-1, self.c_in_channels))
        elif speaker_ids is not None and hasattr(self, "emb_g"):
            g = F.normalize(self.emb_g(torch.as_tensor(speaker_ids).view(-1).to(self.emb_g.weight.device)))
        elif self.c_in_channels:
            raise ValueError(
                "this is a multi-speaker model: give aux_input "
                + ("'d_vectors'" if self.config.use_d_vector_file else "'speaker_ids'")
            )
        return None if g is None else g.unsqueeze(-1)

    # ------------------------------------------------------------------ flows
    def unlock_act_norm_layers(self) -> None:
        """Arm the data-dependent initialisation of every ActNorm layer (the next forward pass sets them)."""
        for flow in self.decoder.flows:
            if hasattr(flow, "set_ddi"):
                flow.set_ddi(True)

    def lock_act_norm_layers(self) -> None:
        for flow in self.decoder.flows:
            if hasattr(flow, "set_ddi"):
                flow.set_ddi(False)

    def store_inverse(self) -> None:
        """Prepare the flows for inference (cached 1x1 inverses, weight norm folded into the weights)."""
        self.decoder.store_inverse()

    def preprocess(self, y, y_lengths, y_max_length, attn=None):
        """Trim the frames to a multiple of ``num_squeeze``. Shapes: y (B, C, T), y_lengths (B,)."""
        if y_max_length is not None:
            y_max_length = (y_max_length // self.num_squeeze) * self.num_squeeze
            y = y[:, :, :y_max_length]
            if attn is not None:
                attn = attn[:, :, :, :y_max_length]
        y_lengths = torch.div(y_lengths, self.num_squeeze, rounding_mode="floor") * self.num_squeeze
        return y, y_lengths, y_max_length, attn

    @staticmethod
    def compute_outputs(attn, o_mean, o_log_scale, x_mask):
        """Expand the token priors along an alignment.

        Shapes: attn (B, 1, T_text, T_frames); o_mean, o_log_scale (B, C, T_text); x_mask (B, 1, T_text) ->
        y_mean, y_log_scale (B, C, T_frames), o_attn_dur (B, 1, T_text) = log(1 + frames per token).
        """
        path = attn.squeeze(1).transpose(1, 2)
        y_mean = torch.matmul(path, o_mean.transpose(1, 2)).transpose(1, 2)
        y_log_scale = torch.matmul(path, o_log_scale.transpose(1, 2)).transpose(1, 2)
        o_attn_dur = torch.log(1 + torch.sum(attn, -1)) * x_mask
        return y_mean, y_log_scale, o_attn_dur

    @staticmethod
    def _log_likelihoods(z, o_mean, o_log_scale):
        """Log-density of every frame of ``z`` under every token's Gaussian.

        Shapes: z (B, C, T_frames); o_mean, o_log_scale (B, C, T_text) -> (B, T_text, T_frames).
        """
        inv_var = torch.exp(-2 * o_log_scale)
        constant = torch.sum(-0.5 * math.log(2 * math.pi) - o_log_scale, [1]).unsqueeze(-1)
        quadratic = torch.matmul(inv_var.transpose(1, 2), -0.5 * (z**2))
        cross = torch.matmul((o_mean * inv_var).transpose(1, 2), z)
        mean_term = torch.sum(-0.5 * (o_mean**2) * inv_var, [1]).unsqueeze(-1)
        return constant + quadratic + cross + mean_term

    def _aligned(self, x, x_lengths, y, y_lengths, g):
        """Encoder, flow and alignment search of a teacher-forced pass (channels-first tensors)."""
        o_mean, o_log_scale, o_dur_log, x_mask = self.encoder(x, x_lengths, g=g)
        y, y_lengths, y_max_length, _ = self.preprocess(y, y_lengths, y.size(2))
        y_mask = sequence_mask(y_lengths, y_max_length).unsqueeze(1).to(x_mask.dtype)
        attn_mask = x_mask.unsqueeze(-1) * y_mask.unsqueeze(2)
        z, logdet = self.decoder(y, y_mask, g=g, reverse=False)
        with torch.no_grad():
            logp = self._log_likelihoods(z, o_mean, o_log_scale)
            attn = maximum_path(logp, attn_mask.squeeze(1)).unsqueeze(1).detach()
        y_mean, y_log_scale, o_attn_dur = self.compute_outputs(attn, o_mean, o_log_scale, x_mask)
        return z, logdet, y_mean, y_log_scale, attn, o_dur_log, o_attn_dur, y_mask

    # ------------------------------------------------------------------ passes
    def forward(self, x, x_lengths, y, y_lengths=None, aux_input: Optional[Dict[str, Any]] = None):
        """Teacher-forced pass: latents of the mel frames and their alignment to the text.

        Shapes
        ------
        x: (B, T_text); x_lengths: (B,); y: (B, T_mel, C_mel); y_lengths: (B,);
        aux_input: ``speaker_ids`` (B,) or ``d_vectors`` (B, C_g) ->
        z, y_mean, y_log_scale: (B, T, C_mel) with T = T_mel rounded down to ``num_squeeze``; logdet: (B,);
        alignments: (B, T, T_text) 0/1; durations_log (predicted), total_durations_log (from the alignment):
        (B, T_text, 1).
        """
        g = self._speaker_conditioning(aux_input)
        if y_lengths is None:
            y_lengths = torch.full((y.shape[0],), y.shape[1], dtype=torch.long, device=y.device)
        z, logdet, y_mean, y_log_scale, attn, o_dur_log, o_attn_dur, _ = self._aligned(
            x, x_lengths, y.transpose(1, 2), y_lengths, g
        )
        return {
            "z": z.transpose(1, 2),
            "logdet": logdet,
            "y_mean": y_mean.transpose(1, 2),
            "y_log_scale": y_log_scale.transpose(1, 2),
            "alignments": attn.squeeze(1).transpose(1, 2),
            "durations_log": o_dur_log.transpose(1, 2),
            "total_durations_log": o_attn_dur.transpose(1, 2),
        }

    @torch.inference_mode()
    def inference_with_MAS(self, x, x_lengths, y=None, y_lengths=None, aux_input: Optional[Dict[str, Any]] = None):  # noqa: N802 - Coqui's name
        """The mel the decoder makes from the prior means along the alignment search of ``y`` (output keys as
        ``forward``, with ``model_outputs`` (B, T, C_mel) for ``z``)."""
        g = self._speaker_conditioning(aux_input)
        _, logdet, y_mean, y_log_scale, attn, o_dur_log, o_attn_dur, y_mask = self._aligned(
            x, x_lengths, y.transpose(1, 2), y_lengths, g
        )
        mel, _ = self.decoder(y_mean * y_mask, y_mask, g=g, reverse=True)
        return {
            "model_outputs": mel.transpose(1, 2),
            "logdet": logdet,
            "y_mean": y_mean.transpose(1, 2),
            "y_log_scale": y_log_scale.transpose(1, 2),
            "alignments": attn.squeeze(1).transpose(1, 2),
            "durations_log": o_dur_log.transpose(1, 2),
            "total_durations_log": o_attn_dur.transpose(1, 2),
        }

    @torch.inference_mode()
    def decoder_inference(self, y, y_lengths, aux_input: Optional[Dict[str, Any]] = None):
        """Mel -> latents -> mel through the flow (a check of its invertibility). Shapes: y (B, T, C) -> same."""
        g = self._speaker_conditioning(aux_input)
        y = y.transpose(1, 2)
        y_mask = sequence_mask(y_lengths, y.size(2)).unsqueeze(1).to(y.dtype)
        z, logdet = self.decoder(y, y_mask, g=g, reverse=False)
        mel, _ = self.decoder(z, y_mask, g=g, reverse=True)
        return {"model_outputs": mel.transpose(1, 2), "logdet": logdet}

    @torch.inference_mode()
    def inference(self, x, aux_input: Optional[Dict[str, Any]] = None):
        """Synthesis: durations from the predictor (x ``length_scale``), latents from the prior means (plus
        ``inference_noise_scale`` noise), then the flow in reverse.

        ``aux_input``: ``x_lengths`` (B,) (None: all of ``x``), ``speaker_ids`` / ``d_vectors``. An output longer
        than ``config.max_inference_frames`` frames is an ``OutputTooLongError``.

        Shapes
        ------
        x: (B, T_text) -> model_outputs, y_mean, y_log_scale: (B, T, C_mel); alignments: (B, T, T_text);
        durations_log, total_durations_log: (B, T_text, 1); lengths: (B,) frames of each item; logdet: None.
        """
        aux_input = aux_input or {}
        x_lengths = aux_input.get("x_lengths")
        if x_lengths is None:
            x_lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long, device=x.device)
        g = self._speaker_conditioning(aux_input)
        o_mean, o_log_scale, o_dur_log, x_mask = self.encoder(x, x_lengths, g=g)
        # at least one frame per real token; padding tokens get none (Coqui gives them one frame each, which
        # lengthens every padded item of a batch)
        durations = torch.clamp_min(torch.ceil((torch.exp(o_dur_log) - 1) * x_mask * self.length_scale), 1) * x_mask
        y_lengths = torch.clamp_min(torch.sum(durations, [1, 2]), 1).long()
        longest = int(y_lengths.max())
        limit = int(self.config.max_inference_frames)
        if longest > limit:
            raise OutputTooLongError(
                f"Glow-TTS: the predicted durations give {longest} frames (length_scale {self.length_scale:g}), over "
                f"the limit of {limit} (config field 'max_inference_frames'); split the text or lower length_scale"
            )
        y_mask = sequence_mask(y_lengths, longest).unsqueeze(1).to(x_mask.dtype)
        attn_mask = x_mask.unsqueeze(-1) * y_mask.unsqueeze(2)
        attn = generate_path(durations.squeeze(1), attn_mask.squeeze(1)).unsqueeze(1)
        y_mean, y_log_scale, o_attn_dur = self.compute_outputs(attn, o_mean, o_log_scale, x_mask)
        z = y_mean
        if self.inference_noise_scale > 0:
            z = y_mean + torch.exp(y_log_scale) * torch.randn_like(y_mean) * self.inference_noise_scale
        mel, _ = self.decoder(z * y_mask, y_mask, g=g, reverse=True)
        return {
            "model_outputs": mel.transpose(1, 2),
            "logdet": None,
            "y_mean": y_mean.transpose(1, 2),
            "y_log_scale": y_log_scale.transpose(1, 2),
            "alignments": attn.squeeze(1).transpose(1, 2),
            "durations_log": o_dur_log.transpose(1, 2),
            "total_durations_log": o_attn_dur.transpose(1, 2),
            "lengths": torch.div(y_lengths, self.num_squeeze, rounding_mode="floor") * self.num_squeeze,
        }

    def synthesize_batches(
        self, token_ids: Sequence[Sequence[int]], speaker_id: Optional[int] = None, batch_size: int = 1
    ) -> List[np.ndarray]:
        """Mels of tokenised sentences, in order, ``batch_size`` sentences of similar length per pass.

        What the Synthesizer calls for Glow-TTS. Every item gets what it gets alone (padding is masked in the
        encoder, the durations and the flow). A sentence over ``config.max_inference_frames`` frames is an
        ``OutputTooLongError``.

        Shapes: token_ids: N lists of ids -> N float32 arrays (T_i, C_mel).
        """
        return [
            decoded.mel
            for decoded in synthesize_in_batches(self, token_ids, speaker_id=speaker_id, batch_size=batch_size)
        ]

    # ------------------------------------------------------------------ AcousticModel
    @property
    def can_batch(self) -> bool:
        return True

    @property
    def max_output_frames(self) -> int:
        return int(self.config.max_inference_frames)

    def synthesize(self, tokens, lengths, *, speaker_ids, max_frames) -> MelBatch:
        """``inference``: the durations set each item's length (over ``max_inference_frames`` is an
        ``OutputTooLongError``, ``max_frames`` is not used); every item ends by its durations."""
        aux: Dict[str, Any] = {"x_lengths": lengths}
        if self.use_speaker_embedding:
            aux["speaker_ids"] = speaker_ids if speaker_ids is not None else torch.zeros_like(lengths)
        out = self.inference(tokens, aux_input=aux)
        ended = torch.ones_like(lengths, dtype=torch.bool)
        return MelBatch(out["model_outputs"], out["lengths"], ended, ~ended)

    # ------------------------------------------------------------------ checkpoints
    def upgrade_state_dict(self, state_dict: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        """A checkpoint's weights with the weight-norm keys this model has.

        Checkpoints saved before torch's weight-norm parametrisation (``weight_g`` / ``weight_v``, Coqui's zoo
        models) are renamed to ``parametrizations.weight.original0/1``; into a model prepared for inference
        (``store_inverse``: weight norm folded), the pairs are folded into plain ``weight`` tensors.
        """
        own = self.state_dict()
        pairs = {".weight_g": 0, ".weight_v": 1, ".parametrizations.weight.original0": 0, ".parametrizations.weight.original1": 1}
        upgraded, folded = {}, {}
        for key, value in state_dict.items():
            suffix = next((end for end in pairs if key.endswith(end)), None)
            if suffix is None:
                upgraded[key] = value
                continue
            base = key[: -len(suffix)]
            if base + ".parametrizations.weight.original0" in own:
                upgraded[f"{base}.parametrizations.weight.original{pairs[suffix]}"] = value
            elif base + ".weight" in own:
                folded.setdefault(base, [None, None])[pairs[suffix]] = value
            else:
                upgraded[key] = value
        for base, (g, v) in folded.items():
            upgraded[base + ".weight"] = torch._weight_norm(v, g, 0)
        return upgraded

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):  # noqa: D401 - torch signature
        """As ``BaseTTS.load_state_dict``, after ``upgrade_state_dict``."""
        return super().load_state_dict(self.upgrade_state_dict(state_dict), strict=strict, assign=assign)

    def load_checkpoint(self, config, checkpoint_path: str, eval: bool = False, strict: bool = True, cache: bool = False):  # noqa: A002
        checkpoint = super().load_checkpoint(config, checkpoint_path, eval=eval, strict=strict, cache=cache)
        if eval:
            self.store_inverse()
        return checkpoint

    @classmethod
    def init_from_config(cls, config: GlowTTSConfig, samples: Optional[List[Dict[str, Any]]] = None) -> "GlowTTS":
        """Build the model with its AudioProcessor, tokenizer and speakers (from the config or the samples)."""
        ap = AudioProcessor.init_from_config(config)
        tokenizer, config = TTSTokenizer.init_from_config(config)
        manager = None
        if config.use_speaker_embedding and not config.use_d_vector_file:
            manager = SpeakerManager.init_from_config(config)
            if manager is None:
                manager = SpeakerManager()
                manager.name_to_id = {name: i for i, name in enumerate(speaker_names_for(config, samples))}
                config.speakers = manager.speaker_names
        return cls(config, ap, tokenizer, speaker_manager=manager)
