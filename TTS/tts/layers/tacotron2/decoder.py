"""Autoregressive decoder: prenet -> attention RNN -> attention -> decoder RNN -> r mel frames + stop token."""

import logging
from typing import Optional, Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.layers.tacotron2.attention import LocationSensitiveAttention
from TTS.tts.layers.tacotron2.blocks import Linear
from TTS.tts.layers.tacotron2.fast_lstm import CachedLSTMCell, LSTMStep, TeacherForcedLSTM
from TTS.tts.layers.tacotron2.prenet import Prenet

logger = logging.getLogger(__name__)


class Decoder(nn.Module):
    """Tacotron2 decoder predicting ``r`` frames per step.

    The output projection is sized for ``r_init`` frames (the reduction factor the model is
    built with); ``set_r`` lowers the number of frames used per step, as gradual training
    does, without changing any weight shape.

    Parameters
    ----------
    in_channels:
        Width of the encoder outputs.
    frame_channels:
        Mel channels of one frame.
    r:
        Reduction factor (frames per decoder step) the layers are built with.
    prenet_type, prenet_dropout, prenet_dropout_at_inference, prenet_dims:
        Prenet settings (see ``Prenet``).
    attention_norm, location_attention, windowing, attention_dim, location_filters, location_kernel_size:
        Attention settings (see ``LocationSensitiveAttention``).
    query_dim, decoder_rnn_dim:
        Widths of the attention RNN and decoder RNN (1024 each).
    separate_stopnet:
        Train the stop-token layer on detached inputs so its loss does not shape the decoder.
    max_decoder_steps, stop_threshold:
        Inference limits: at most this many steps; an item stops when its stop probability
        exceeds the threshold.
    stop_after_text_end_frames:
        Inference only: an item also stops once its attention has stayed on its last text
        position for more than this many output frames (the text is read; a stop token that never
        fires would otherwise decode to the step limit). 0 (Coqui's behaviour): off.
    rnn_regularisation:
        'dropout' (on the RNN outputs, as Coqui does) or 'zoneout' (on hidden and cell states,
        as the paper does).
    attention_dropout, decoder_dropout, zoneout:
        Probabilities for the regularisation above.
    """

    def __init__(
        self,
        in_channels: int,
        frame_channels: int,
        r: int,
        *,
        prenet_type: str = "original",
        prenet_dropout: bool = True,
        prenet_dropout_at_inference: bool = False,
        prenet_dims: Sequence[int] = (256, 256),
        attention_norm: str = "sigmoid",
        location_attention: bool = True,
        windowing: bool = False,
        attention_dim: int = 128,
        location_filters: int = 32,
        location_kernel_size: int = 31,
        query_dim: int = 1024,
        decoder_rnn_dim: int = 1024,
        separate_stopnet: bool = True,
        max_decoder_steps: int = 10000,
        stop_threshold: float = 0.5,
        stop_after_text_end_frames: int = 0,
        rnn_regularisation: str = "dropout",
        attention_dropout: float = 0.1,
        decoder_dropout: float = 0.1,
        zoneout: float = 0.1,
    ) -> None:
        super().__init__()
        if rnn_regularisation not in ("dropout", "zoneout"):
            raise ValueError(f"rnn_regularisation must be 'dropout' or 'zoneout', got {rnn_regularisation!r}")
        self.frame_channels = frame_channels
        self.r_init = r
        self.r = r
        self.query_dim = query_dim
        self.decoder_rnn_dim = decoder_rnn_dim
        self.separate_stopnet = separate_stopnet
        self.max_decoder_steps = max_decoder_steps
        self.stop_threshold = stop_threshold
        self.stop_after_text_end_frames = stop_after_text_end_frames
        self.rnn_regularisation = rnn_regularisation
        self.attention_dropout = attention_dropout
        self.decoder_dropout = decoder_dropout
        self.zoneout = zoneout

        self.prenet = Prenet(
            frame_channels,
            prenet_type=prenet_type,
            prenet_dropout=prenet_dropout,
            dropout_at_inference=prenet_dropout_at_inference,
            out_features=prenet_dims,
        )
        self.attention_rnn = nn.LSTMCell(prenet_dims[-1] + in_channels, query_dim)
        self.attention = LocationSensitiveAttention(
            query_dim,
            in_channels,
            attention_dim=attention_dim,
            location_attention=location_attention,
            location_filters=location_filters,
            location_kernel_size=location_kernel_size,
            norm=attention_norm,
            windowing=windowing,
        )
        self.decoder_rnn = nn.LSTMCell(query_dim + in_channels, decoder_rnn_dim)
        self.linear_projection = Linear(decoder_rnn_dim + in_channels, frame_channels * r)
        self.stopnet = nn.Sequential(
            nn.Dropout(0.1), Linear(decoder_rnn_dim + frame_channels * r, 1, bias=True, init_gain="sigmoid")
        )

    def set_r(self, r: int) -> None:
        """Use ``r`` frames per step (at most the ``r`` the layers were built with)."""
        if not 1 <= r <= self.r_init:
            raise ValueError(f"reduction factor r={r} must be between 1 and the model's r_init={self.r_init}")
        self.r = r

    # ---------------------------------------------------------------- state
    def _init_states(
        self, inputs: torch.Tensor, mask: Optional[torch.Tensor], cells: Optional[Tuple[LSTMStep, LSTMStep]] = None
    ) -> None:
        """Zero the recurrent state; ``cells`` replaces the (attention, decoder) LSTM steps (default: the modules)."""
        batch = inputs.shape[0]
        self.lstm_steps = cells or (self.attention_rnn, self.decoder_rnn)  # a tuple: no submodule registered
        self.query = inputs.new_zeros(batch, self.query_dim)
        self.attention_rnn_cell_state = inputs.new_zeros(batch, self.query_dim)
        self.decoder_hidden = inputs.new_zeros(batch, self.decoder_rnn_dim)
        self.decoder_cell = inputs.new_zeros(batch, self.decoder_rnn_dim)
        self.context = inputs.new_zeros(batch, inputs.shape[2])
        self.inputs = inputs
        self.processed_inputs = self.attention.preprocess_inputs(inputs)
        self.mask = mask
        self.attention.init_states(inputs)

    def _regularise(
        self,
        new: Tuple[torch.Tensor, torch.Tensor],
        old: Tuple[torch.Tensor, torch.Tensor],
        p: float,
        dropout_cell: bool,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        hidden, cell = new
        if self.rnn_regularisation == "zoneout":
            if self.training:
                keep_h = torch.bernoulli(torch.full_like(hidden, self.zoneout))
                keep_c = torch.bernoulli(torch.full_like(cell, self.zoneout))
                return keep_h * old[0] + (1 - keep_h) * hidden, keep_c * old[1] + (1 - keep_c) * cell
            return (
                self.zoneout * old[0] + (1 - self.zoneout) * hidden,
                self.zoneout * old[1] + (1 - self.zoneout) * cell,
            )
        hidden = F.dropout(hidden, p, self.training)
        if dropout_cell:
            cell = F.dropout(cell, p, self.training)
        return hidden, cell

    def decode(self, memory: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One decoder step.

        Shapes
        ------
        memory: (B, prenet_dims[-1]) prenet output of the previous frame ->
        frames (B, r * C_mel), attention weights (B, T_text), stop logit (B, 1).
        """
        query_input = torch.cat((memory, self.context), -1)
        attention_step, decoder_step = self.lstm_steps
        state = attention_step(query_input, (self.query, self.attention_rnn_cell_state))
        self.query, self.attention_rnn_cell_state = self._regularise(
            state, (self.query, self.attention_rnn_cell_state), self.attention_dropout, dropout_cell=True
        )
        self.context = self.attention(self.query, self.inputs, self.processed_inputs, self.mask)
        state = decoder_step(torch.cat((self.query, self.context), -1), (self.decoder_hidden, self.decoder_cell))
        self.decoder_hidden, self.decoder_cell = self._regularise(
            state, (self.decoder_hidden, self.decoder_cell), self.decoder_dropout, dropout_cell=False
        )
        frames = self.linear_projection(torch.cat((self.decoder_hidden, self.context), dim=-1))
        stop_token = self._stop_token(self.decoder_hidden, frames)
        return frames[:, : self.r * self.frame_channels], self.attention.attention_weights, stop_token

    # ---------------------------------------------------------------- helpers
    def _stop_token(self, decoder_hidden: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        """Stop logit from the decoder RNN output and all ``r_init`` projected frames. Shapes: (..., 1)."""
        stopnet_input = torch.cat((decoder_hidden, frames), dim=-1)
        return self.stopnet(stopnet_input.detach() if self.separate_stopnet else stopnet_input)

    def _go_frame(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.new_zeros(inputs.shape[0], self.frame_channels)

    def _last_frames(self, memories: torch.Tensor) -> torch.Tensor:
        """Teacher-forcing memories: the last frame of every group of r. (B, T_mel, C) -> (T_mel / r, B, C)."""
        batch, time, channels = memories.shape
        grouped = memories.reshape(batch, time // self.r, self.r * channels)
        return grouped[:, :, channels * (self.r - 1) :].transpose(0, 1)

    def _batch_major(
        self, frames: torch.Tensor, alignments: torch.Tensor, stop_tokens: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Step-major (T, B, ...) results -> outputs (B, C_mel, T * r), alignments (B, T, T_text), stop_tokens (B, T).

        Shapes: frames (T, B, r * C_mel); alignments (T, B, T_text); stop_tokens (T, B, 1).
        """
        batch = frames.shape[1]
        outputs = frames.transpose(0, 1).reshape(batch, -1, self.frame_channels).transpose(1, 2)
        return outputs, alignments.transpose(0, 1), stop_tokens.squeeze(2).transpose(0, 1)

    # ---------------------------------------------------------------- passes
    def forward(
        self,
        inputs: torch.Tensor,
        memories: torch.Tensor,
        mask: Optional[torch.Tensor],
        attention_prior: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """Teacher-forced decoding: what ``decode`` gives step by step, computed pass by pass.

        With the previous frames given, nothing the decoder RNN computes feeds back into the
        attention path. So the attention RNN and the attention run over all steps first, then
        the decoder RNN over all steps, then the projection and the stop token once over all
        steps; the parts of the LSTM products that do not depend on the previous step are
        computed for all steps at once (``TeacherForcedLSTM``).

        Shapes
        ------
        inputs: (B, T_text, C) encoder outputs; memories: (B, T_mel, C_mel) target mels with T_mel a
        multiple of r; mask: (B, T_text); attention_prior: (B, T_mel / r, T_text) or None (see
        ``LocationSensitiveAttention.forward``) ->
        outputs (B, C_mel, T_mel), alignments (B, T_mel / r, T_text), stop_tokens (B, T_mel / r) logits,
        alignments_without_prior: with a prior, the attention's own weights (B, T_mel / r, T_text), else None.
        """
        frames = torch.cat((self._go_frame(inputs).unsqueeze(0), self._last_frames(memories)), dim=0)
        previous = self.prenet(frames)[:-1]  # step t reads frame t (the go frame first); the last one is unused
        self._init_states(inputs, mask)
        queries, contexts, alignments, own_alignments = self._attention_pass(previous, attention_prior)
        decoder_hidden = self._decoder_rnn_pass(queries, contexts)
        frames = self.linear_projection(torch.cat((decoder_hidden, contexts), dim=-1))
        stop_tokens = self._stop_token(decoder_hidden, frames)
        frames, alignments, stop_tokens = self._batch_major(
            frames[..., : self.r * self.frame_channels], alignments, stop_tokens
        )
        # the attention's own weights, before the prior: what it would do at inference
        own_alignments = None if own_alignments is None else own_alignments.transpose(0, 1)
        return frames, alignments, stop_tokens, own_alignments

    def _attention_pass(
        self, memories: torch.Tensor, prior: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """Attention RNN and attention over all teacher-forced steps.

        Shapes: memories (T, B, prenet_dims[-1]); prior (B, T, T_text) or None -> queries (T, B, query_dim),
        contexts (T, B, C), alignments (T, B, T_text), and with a prior the alignments before it (T, B, T_text).
        """
        attention_rnn = TeacherForcedLSTM(self.attention_rnn, memories)  # its inputs: memory, then context
        state, context = (self.query, self.attention_rnn_cell_state), self.context
        queries, contexts, alignments, own_alignments = [], [], [], []
        for step, input_gates in enumerate(attention_rnn.input_gates.unbind(0)):
            new_state = attention_rnn.step(input_gates, state, fed_back=context)
            state = self._regularise(new_state, state, self.attention_dropout, dropout_cell=True)
            step_prior = None if prior is None else prior[:, step]
            context = self.attention(state[0], self.inputs, self.processed_inputs, self.mask, step_prior)
            queries.append(state[0])
            contexts.append(context)
            alignments.append(self.attention.attention_weights)
            if prior is not None:
                own_alignments.append(self.attention.weights_without_prior)
        own = torch.stack(own_alignments) if own_alignments else None
        return torch.stack(queries), torch.stack(contexts), torch.stack(alignments), own

    def _decoder_rnn_pass(self, queries: torch.Tensor, contexts: torch.Tensor) -> torch.Tensor:
        """Decoder RNN over all teacher-forced steps.

        Shapes: queries (T, B, query_dim), contexts (T, B, C) -> hidden states (T, B, decoder_rnn_dim).
        """
        decoder_rnn = TeacherForcedLSTM(self.decoder_rnn, torch.cat((queries, contexts), dim=-1))
        state = (self.decoder_hidden, self.decoder_cell)
        hidden = []
        for input_gates in decoder_rnn.input_gates.unbind(0):
            new_state = decoder_rnn.step(input_gates, state)
            state = self._regularise(new_state, state, self.decoder_dropout, dropout_cell=False)
            hidden.append(state[0])
        return torch.stack(hidden)

    def inference(
        self,
        inputs: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        max_steps: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Free-running decoding; each item ends when its stop probability passes the threshold (or, with
        ``stop_after_text_end_frames``, its attention has stayed that long on its last symbol), else at its step limit.

        The batch is decoded together until every item has ended; an item that ended early keeps
        being decoded along with the others, and those extra steps lie past its length. The first
        step never stops. Reaching ``max_decoder_steps`` (no ``max_steps`` given) is logged as a
        warning; a caller that passes ``max_steps`` reports its own limits from ``stopped``. On the
        CPU with gradients off, the LSTM steps run as ``CachedLSTMCell`` (weights laid out for the batch size).

        Parameters
        ----------
        inputs:
            Encoder outputs, zero past each item's text length.
        mask:
            True on real text positions, for a padded batch (None: every position is real).
        max_steps:
            Per-item step limits (None: ``max_decoder_steps`` for every item).

        Shapes
        ------
        inputs: (B, T_text, C); mask: (B, T_text); max_steps: (B,) ->
        outputs (B, C_mel, T_out), alignments (B, T_out / r, T_text), stop_tokens (B, T_out / r)
        probabilities, lengths (B,) steps of each item, stopped (B,) True where the item ended by
        itself (not at the step limit), at_text_end (B,) True where ``stop_after_text_end_frames``
        ended it before its stop token fired.
        """
        batch, device = inputs.shape[0], inputs.device
        if max_steps is None:
            limits = torch.full((batch,), self.max_decoder_steps, dtype=torch.long, device=device)
        else:
            limits = max_steps.to(device=device, dtype=torch.long).clamp(min=1)
        longest = int(limits.max())
        never = torch.zeros(batch, dtype=torch.bool, device=device)
        done, stopped, at_text_end = never.clone(), never.clone(), never.clone()
        lengths = torch.zeros(batch, dtype=torch.long, device=device)
        last_position = (inputs.shape[1] if mask is None else mask.sum(1)) - 1
        steps_at_end = torch.zeros(batch, dtype=torch.long, device=device)
        frame = self._go_frame(inputs)
        cells = None
        if CachedLSTMCell.usable_for(inputs):
            cells = (CachedLSTMCell.of(self.attention_rnn, batch), CachedLSTMCell.of(self.decoder_rnn, batch))
        self._init_states(inputs, mask, cells)
        outputs, stop_tokens, alignments = [], [], []
        for step in range(1, longest + 1):
            output, alignment, stop_token = self.decode(self.prenet(frame))
            stop_token = torch.sigmoid(stop_token.detach())
            outputs.append(output)
            stop_tokens.append(stop_token)
            alignments.append(alignment)
            fired = stop_token.squeeze(1) > self.stop_threshold if step > 1 else never
            read = never
            if self.stop_after_text_end_frames > 0:
                at_end = alignment.argmax(dim=1) >= last_position
                steps_at_end = torch.where(at_end, steps_at_end + 1, 0)
                read = steps_at_end * self.r > self.stop_after_text_end_frames
            ending = ~done & (fired | read | (limits <= step))
            stopped |= ending & (fired | read)
            at_text_end |= ending & read & ~fired
            lengths = torch.where(ending, step, lengths)
            done |= ending
            if bool(done.all()):
                break
            frame = output[:, -self.frame_channels :]
        if max_steps is None and not bool(stopped.all()):
            logger.warning(
                "decoder stopped at max_decoder_steps=%d before the stop token fired (%d of %d items)",
                self.max_decoder_steps, int((~stopped).sum()), batch,
            )  # fmt: skip
        outputs, alignments, stop_tokens = self._batch_major(
            torch.stack(outputs), torch.stack(alignments), torch.stack(stop_tokens)
        )
        return outputs, alignments, stop_tokens, lengths, stopped, at_text_end
