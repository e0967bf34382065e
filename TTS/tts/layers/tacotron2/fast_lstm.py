"""Faster ways to step an ``nn.LSTMCell``, computing what the cell computes (up to float rounding).

The decoder steps its two LSTM cells a few hundred times per utterance, so how each step's
products are laid out decides its speed:

- ``CachedLSTMCell``: an inference step on a copy of the cell's fused weights ``[W_ih | W_hh]``,
  laid out for the fastest CPU product at the batch size, made once per weight version.
- ``TeacherForcedLSTM``: the cell run over a sequence whose leading inputs are known for every
  step in advance (teacher forcing): their share of the gates is one product over all steps, and
  each step's recurrent product gets its weight gradient in one product over all steps too.
"""

import weakref
from typing import Callable, Dict, List, Optional, Tuple

import torch
from torch import nn

State = Tuple[torch.Tensor, torch.Tensor]
LSTMStep = Callable[[torch.Tensor, State], State]


def lstm_update(gates: torch.Tensor, cell: torch.Tensor) -> State:
    """``nn.LSTMCell``'s non-linearities and state update from the gate pre-activations.

    Shapes: gates (B, 4 * H) in the cell's order (input, forget, cell, output); cell (B, H) ->
    hidden (B, H), cell (B, H).
    """
    input_gate, forget_gate, cell_gate, output_gate = gates.chunk(4, dim=1)
    cell = torch.sigmoid(forget_gate) * cell + torch.sigmoid(input_gate) * torch.tanh(cell_gate)
    return torch.sigmoid(output_gate) * torch.tanh(cell), cell


def _fused_bias(cell: nn.LSTMCell) -> torch.Tensor:
    if cell.bias:
        return cell.bias_ih + cell.bias_hh
    return cell.weight_ih.new_zeros(cell.weight_ih.shape[0])


# ---------------------------------------------------------------------------- inference
class CachedLSTMCell:
    """An ``nn.LSTMCell``'s step for CPU inference, on a copy of its fused weights ``[W_ih | W_hh]``.

    The copy is laid out for the CPU product that is fastest at the batch size:

    - one row: the matrix stored transposed (inputs x 4 * hidden) and applied with ``addmm``, a
      matrix-vector product about 20 % faster than on the cell's row-major weights;
    - several rows (float32, oneDNN present): a oneDNN matrix packed for the row count of its
      first use (it computes any row count), whose product costs about 1.4x more for 8 rows than
      for one where the cell's costs about 2.5x (an unpacked oneDNN matrix: 2x), so batches
      decode several times faster.

    ``of(cell, rows)`` makes each layout once, on first use, and keeps it outside the module (no
    state_dict, copy or pickle sees it) until the cell's weights change: in place (an optimizer
    step, ``load_state_dict``) or replaced. The copy has no autograd history: use it only where no
    gradient is wanted (``usable_for``).
    """

    _made: "weakref.WeakKeyDictionary[nn.LSTMCell, Tuple[tuple, Dict[bool, CachedLSTMCell]]]" = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, cell: nn.LSTMCell, *, packed_rows: int = 0) -> None:
        """``packed_rows`` > 0: the oneDNN layout for batches of that many rows; 0: the transposed matrix."""
        with torch.no_grad():
            weight = torch.cat((cell.weight_ih, cell.weight_hh), dim=1)
            bias = _fused_bias(cell)
        self.onednn = packed_rows > 0
        if self.onednn:
            self.weight, self.bias = torch.ops.mkldnn._reorder_linear_weight(weight, packed_rows), bias
        else:
            self.weight, self.bias = weight.t().contiguous(), bias

    @staticmethod
    def usable_for(inputs: torch.Tensor) -> bool:
        """Whether a cached step may replace the cell on ``inputs``: on the CPU, with gradients off."""
        return inputs.device.type == "cpu" and not torch.is_grad_enabled()

    @staticmethod
    def _packed_rows_for(cell: nn.LSTMCell, rows: int) -> int:
        usable = (
            rows > 1
            and cell.weight_ih.dtype == torch.float32
            and torch.backends.mkldnn.is_available()
            and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
            and hasattr(torch.ops.mkldnn, "_linear_pointwise")
        )
        return rows if usable else 0

    @classmethod
    def of(cls, cell: nn.LSTMCell, rows: int) -> "CachedLSTMCell":
        """The step of ``cell``'s current weights laid out for batches of ``rows`` (made again after any change)."""
        version = tuple((p.data_ptr(), p._version) for p in cell.parameters())
        made = cls._made.get(cell)
        if made is None or made[0] != version:
            made = (version, {})
            cls._made[cell] = made
        packed_rows = cls._packed_rows_for(cell, rows)
        # one oneDNN copy per cell, packed for the first batch size that needs it: it computes
        # batches of any size, so other sizes share it rather than each holding a copy of the weights
        onednn = packed_rows > 0
        if onednn not in made[1]:
            made[1][onednn] = cls(cell, packed_rows=packed_rows)
        return made[1][onednn]

    def __call__(self, x: torch.Tensor, state: State) -> State:
        """Same as ``nn.LSTMCell.forward``. Shapes: x (B, input_size); state: hidden, cell (B, H)."""
        hidden, cell = state
        inputs = torch.cat((x, hidden), dim=1)
        if self.onednn:
            gates = torch.ops.mkldnn._linear_pointwise(inputs, self.weight, self.bias, "none", [], "")
        else:
            gates = torch.addmm(self.bias, inputs, self.weight)
        return lstm_update(gates, cell)


# ---------------------------------------------------------------------------- teacher forcing
class StepwiseLinear:
    """``added + x @ weight.T`` at every step of a recurrence, with the weight gradient taken once.

    Autograd would compute a full (out x in) weight gradient at every step and add them up, a
    product with one row per item of the batch. Here each step's backward only keeps its (output
    gradient, input) pair, and when backward reaches the weight its gradient is a single product
    over all steps. Where no gradient is recorded it is a plain ``addmm``.
    """

    def __init__(self, weight: torch.Tensor) -> None:
        self.weight = weight
        self.deferred = weight.requires_grad and torch.is_grad_enabled()
        if self.deferred:
            self.steps = _StepGradients(weight.detach())
            self.handle = _WeightGradient.apply(weight, self.steps)

    def __call__(self, added: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Shapes: added (B, out); x (B, in) -> (B, out)."""
        if not self.deferred:
            return torch.addmm(added, x, self.weight.t())
        return _StepProduct.apply(added, x, self.handle, self.steps)


class _StepGradients:
    """The weight (without history) and the (output gradient, input) pairs kept by the steps' backward.

    Held by the autograd nodes; it holds none of their outputs, so it closes no reference cycle.
    """

    def __init__(self, weight: torch.Tensor) -> None:
        self.weight = weight
        self.pairs: List[Tuple[torch.Tensor, torch.Tensor]] = []


class _WeightGradient(torch.autograd.Function):
    """A zero tied to the weight; its backward runs after every step's and turns their pairs into one product."""

    @staticmethod
    def forward(ctx, weight: torch.Tensor, steps: _StepGradients) -> torch.Tensor:
        ctx.steps = steps
        return weight.new_zeros(())

    @staticmethod
    def backward(ctx, _zero: torch.Tensor):
        pairs = ctx.steps.pairs
        if not pairs:
            return None, None
        grads, inputs = zip(*pairs)
        pairs.clear()
        return torch.cat(grads).t() @ torch.cat(inputs), None


class _StepProduct(torch.autograd.Function):
    """One step's ``added + x @ weight.T``; its backward keeps (output gradient, x) for ``_WeightGradient``."""

    @staticmethod
    def forward(ctx, added: torch.Tensor, x: torch.Tensor, handle: torch.Tensor, steps: _StepGradients):
        ctx.save_for_backward(x, steps.weight)  # saved, so autograd checks the weight is unchanged at backward
        ctx.steps = steps
        return torch.addmm(added, x, steps.weight.t())

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, weight = ctx.saved_tensors
        ctx.steps.pairs.append((grad, x))
        grad_added = grad if ctx.needs_input_grad[0] else None
        grad_x = grad @ weight if ctx.needs_input_grad[1] else None
        return grad_added, grad_x, grad.new_zeros(()), None


class TeacherForcedLSTM:
    """An ``nn.LSTMCell`` run over a sequence whose leading inputs are known for every step in advance.

    The known inputs' share of the gates (with both biases) is one product over all steps,
    ``input_gates``. Each step adds the product of what the loop feeds back (inputs computed
    inside the loop, then the hidden state) with the remaining weight columns, a
    ``StepwiseLinear``. A step gives what the cell gives on the concatenated inputs.

    Parameters
    ----------
    cell:
        The LSTM cell; its inputs are the known ones followed by the fed-back ones.
    known_inputs:
        The cell's leading inputs at every step.

    Shapes
    ------
    known_inputs: (T, B, K) -> input_gates (T, B, 4 * H).
    """

    def __init__(self, cell: nn.LSTMCell, known_inputs: torch.Tensor) -> None:
        steps, batch, known = known_inputs.shape
        self.input_gates = torch.addmm(
            _fused_bias(cell), known_inputs.reshape(steps * batch, known), cell.weight_ih[:, :known].t()
        ).view(steps, batch, -1)
        self.recurrent = StepwiseLinear(torch.cat((cell.weight_ih[:, known:], cell.weight_hh), dim=1))

    def step(self, input_gates: torch.Tensor, state: State, fed_back: Optional[torch.Tensor] = None) -> State:
        """One step from its ``input_gates`` (a row of ``input_gates``). Shapes: fed_back (B, input_size - K)."""
        hidden, cell = state
        recurrent_inputs = hidden if fed_back is None else torch.cat((fed_back, hidden), dim=1)
        return lstm_update(self.recurrent(input_gates, recurrent_inputs), cell)
