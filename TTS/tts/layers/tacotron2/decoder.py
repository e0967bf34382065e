"""Autoregressive decoder: prenet -> attention RNN -> attention -> decoder RNN -> r mel frames + stop token."""

import logging
import weakref
from typing import Callable, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F

from TTS.tts.layers.tacotron2.attention import LocationSensitiveAttention
from TTS.tts.layers.tacotron2.blocks import Linear
from TTS.tts.layers.tacotron2.prenet import Prenet

logger = logging.getLogger(__name__)

LSTMStep = Callable[[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]], Tuple[torch.Tensor, torch.Tensor]]


class FusedLSTMCell:
    """An ``nn.LSTMCell``'s step with both weight matrices fused into one oneDNN matrix, for batched CPU synthesis.

    On CPUs the MKL products of ``nn.LSTMCell`` cost about 2.5x more for 8 rows than for one, the
    one oneDNN product of the fused ``[W_ih | W_hh]`` about 1.6x: batches of sentences decode
    several times faster. Same gates (input, forget, cell, output) and state update as
    ``nn.LSTMCell``; the numbers agree up to float rounding (~1e-6).

    ``of(cell)`` makes the fused copy once (about 0.1 s for Tacotron2's cells) and keeps it, outside
    the module (no state_dict, copy or pickle sees it), until the cell's weights change.
    """

    _made: "weakref.WeakKeyDictionary[nn.LSTMCell, Tuple[tuple, FusedLSTMCell]]" = weakref.WeakKeyDictionary()

    def __init__(self, cell: nn.LSTMCell) -> None:
        weight = torch.cat((cell.weight_ih, cell.weight_hh), dim=1)
        bias = cell.bias_ih + cell.bias_hh if cell.bias else weight.new_zeros(weight.shape[0])
        self.weight, self.bias = weight.to_mkldnn(), bias.to_mkldnn()

    @classmethod
    def of(cls, cell: nn.LSTMCell) -> "FusedLSTMCell":
        """The fused copy of ``cell``'s current weights (made again after any change to them)."""
        version = tuple((p.data_ptr(), p._version) for p in cell.parameters())
        made = cls._made.get(cell)
        if made is None or made[0] != version:
            made = (version, cls(cell))
            cls._made[cell] = made
        return made[1]

    @staticmethod
    def usable_for(inputs: torch.Tensor) -> bool:
        """Whether the fused step can run on ``inputs`` (a float32 CPU batch of several rows, oneDNN present)."""
        return (
            inputs.shape[0] > 1
            and inputs.device.type == "cpu"
            and inputs.dtype == torch.float32
            and torch.backends.mkldnn.is_available()
            and hasattr(torch._C._nn, "mkldnn_linear")
        )

    def __call__(self, x: torch.Tensor, state: Tuple[torch.Tensor, torch.Tensor]) -> Tuple[torch.Tensor, torch.Tensor]:
        hidden, cell = state
        gates = torch._C._nn.mkldnn_linear(torch.cat((x, hidden), dim=1).to_mkldnn(), self.weight, self.bias).to_dense()
        input_gate, forget_gate, cell_gate, output_gate = gates.chunk(4, dim=1)
        cell = torch.sigmoid(forget_gate) * cell + torch.sigmoid(input_gate) * torch.tanh(cell_gate)
        return torch.sigmoid(output_gate) * torch.tanh(cell), cell


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
        self, new: Tuple[torch.Tensor, torch.Tensor], old: Tuple[torch.Tensor, torch.Tensor], p: float, dropout_cell: bool
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
        frames = self.linear_projection(torch.cat((self.decoder_hidden, self.context), dim=1))
        stopnet_input = torch.cat((self.decoder_hidden, frames), dim=1)
        stop_token = self.stopnet(stopnet_input.detach() if self.separate_stopnet else stopnet_input)
        return frames[:, : self.r * self.frame_channels], self.attention.attention_weights, stop_token

    # ---------------------------------------------------------------- helpers
    def _go_frame(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.new_zeros(inputs.shape[0], self.frame_channels)

    def _last_frames(self, memories: torch.Tensor) -> torch.Tensor:
        """Teacher-forcing memories: the last frame of every group of r. (B, T_mel, C) -> (T_mel / r, B, C)."""
        batch, time, channels = memories.shape
        grouped = memories.reshape(batch, time // self.r, self.r * channels)
        return grouped[:, :, channels * (self.r - 1) :].transpose(0, 1)

    def _stack_outputs(self, outputs, stop_tokens, alignments) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Lists of per-step tensors -> outputs (B, C_mel, T), alignments (B, steps, T_text), stop_tokens (B, steps)."""
        alignments = torch.stack(alignments, dim=1)
        stop_tokens = torch.cat(stop_tokens, dim=1)
        outputs = torch.stack(outputs, dim=1).reshape(alignments.shape[0], -1, self.frame_channels).transpose(1, 2)
        return outputs, alignments, stop_tokens

    # ---------------------------------------------------------------- passes
    def forward(
        self, inputs: torch.Tensor, memories: torch.Tensor, mask: Optional[torch.Tensor]
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Teacher-forced decoding.

        Shapes
        ------
        inputs: (B, T_text, C) encoder outputs; memories: (B, T_mel, C_mel) target mels with T_mel a
        multiple of r; mask: (B, T_text) ->
        outputs (B, C_mel, T_mel), alignments (B, T_mel / r, T_text), stop_tokens (B, T_mel / r) logits.
        """
        frames = torch.cat((self._go_frame(inputs).unsqueeze(0), self._last_frames(memories)), dim=0)
        frames = self.prenet(frames)
        self._init_states(inputs, mask)
        outputs, stop_tokens, alignments = [], [], []
        for step in range(frames.shape[0] - 1):
            output, alignment, stop_token = self.decode(frames[step])
            outputs.append(output)
            stop_tokens.append(stop_token)
            alignments.append(alignment)
        return self._stack_outputs(outputs, stop_tokens, alignments)

    def inference(
        self,
        inputs: torch.Tensor,
        mask: Optional[torch.Tensor] = None,
        max_steps: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Free-running decoding; each item ends when its stop probability passes the threshold or at its step limit.

        The batch is decoded together until every item has ended; an item that ended early keeps
        being decoded along with the others, and those extra steps lie past its length. The first
        step never stops. Reaching ``max_decoder_steps`` (no ``max_steps`` given) is logged as a
        warning; a caller that passes ``max_steps`` reports its own limits from ``stopped``. A CPU
        batch of several items runs its LSTM steps as ``FusedLSTMCell`` (a batch of one, as before).

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
        probabilities, lengths (B,) steps of each item, stopped (B,) True where the stop token
        (not the step limit) ended the item.
        """
        batch, device = inputs.shape[0], inputs.device
        if max_steps is None:
            limits = torch.full((batch,), self.max_decoder_steps, dtype=torch.long, device=device)
        else:
            limits = max_steps.to(device=device, dtype=torch.long).clamp(min=1)
        longest = int(limits.max())
        never = torch.zeros(batch, dtype=torch.bool, device=device)
        done, stopped = never.clone(), never.clone()
        lengths = torch.zeros(batch, dtype=torch.long, device=device)
        frame = self._go_frame(inputs)
        cells = None
        if FusedLSTMCell.usable_for(inputs) and not self.training:
            cells = (FusedLSTMCell.of(self.attention_rnn), FusedLSTMCell.of(self.decoder_rnn))
        self._init_states(inputs, mask, cells)
        outputs, stop_tokens, alignments = [], [], []
        for step in range(1, longest + 1):
            output, alignment, stop_token = self.decode(self.prenet(frame))
            stop_token = torch.sigmoid(stop_token.detach())
            outputs.append(output)
            stop_tokens.append(stop_token)
            alignments.append(alignment)
            fired = stop_token.squeeze(1) > self.stop_threshold if step > 1 else never
            ending = ~done & (fired | (limits <= step))
            stopped |= ending & fired
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
        return (*self._stack_outputs(outputs, stop_tokens, alignments), lengths, stopped)
