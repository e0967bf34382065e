"""The decoder's fast LSTM paths compute what ``nn.LSTMCell`` computes, and their weight caches follow the weights."""

import pytest
import torch
from torch import nn

from TTS.tts.layers.tacotron2.fast_lstm import CachedLSTMCell, TeacherForcedLSTM

STEPS, BATCH, KNOWN, FED_BACK, HIDDEN = 7, 3, 5, 4, 6


def _run(cell, known, *, fast):
    cell.zero_grad()
    known.grad = None
    hidden = state = torch.zeros(BATCH, HIDDEN)
    fed_back = torch.zeros(BATCH, FED_BACK)
    lstm = TeacherForcedLSTM(cell, known) if fast else None
    outputs = []
    for step in range(STEPS):
        if fast:
            hidden, state = lstm.step(lstm.input_gates[step], (hidden, state), fed_back=fed_back)
        else:
            hidden, state = cell(torch.cat((known[step], fed_back), 1), (hidden, state))
        fed_back = torch.tanh(hidden[:, :FED_BACK])
        outputs.append(hidden)
    (torch.stack(outputs) ** 2).sum().backward()
    return torch.stack(outputs).detach(), [p.grad.clone() for p in cell.parameters()] + [known.grad.clone()]


def test_teacher_forced_lstm_matches_the_cell_in_values_and_gradients():
    torch.manual_seed(0)
    cell = nn.LSTMCell(KNOWN + FED_BACK, HIDDEN)
    known = torch.randn(STEPS, BATCH, KNOWN, requires_grad=True)
    expected, expected_grads = _run(cell, known, fast=False)
    got, got_grads = _run(cell, known, fast=True)
    assert torch.allclose(got, expected, atol=1e-6)
    for a, b in zip(got_grads, expected_grads):
        assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("rows", [1, 4, 8])
def test_cached_cell_matches_and_is_rebuilt_when_the_weights_change(rows):
    torch.manual_seed(1)
    cell = nn.LSTMCell(KNOWN, HIDDEN)
    x, state = torch.randn(rows, KNOWN), (torch.randn(rows, HIDDEN), torch.randn(rows, HIDDEN))
    with torch.no_grad():
        cached = CachedLSTMCell.of(cell, rows)
        assert CachedLSTMCell.of(cell, rows) is cached
        assert torch.allclose(cached(x, state)[0], cell(x, state)[0], atol=1e-6)
        torch.optim.SGD(cell.parameters(), lr=1.0).zero_grad()
        for p in cell.parameters():
            p.add_(0.5)  # an optimizer-like in-place update
        rebuilt = CachedLSTMCell.of(cell, rows)
        assert rebuilt is not cached
        assert torch.allclose(rebuilt(x, state)[0], cell(x, state)[0], atol=1e-6)
        cell.load_state_dict({key: value * 2 for key, value in cell.state_dict().items()})
        assert torch.allclose(CachedLSTMCell.of(cell, rows)(x, state)[1], cell(x, state)[1], atol=1e-5)
    assert set(cell.state_dict()) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}


def test_one_packed_copy_serves_every_batch_size():
    torch.manual_seed(2)
    cell = nn.LSTMCell(KNOWN, HIDDEN)
    with torch.no_grad():
        packed = CachedLSTMCell.of(cell, 8)
        assert CachedLSTMCell.of(cell, 3) is packed  # no second copy of the weights per batch size
        for rows in (2, 3, 8, 11):
            x, state = torch.randn(rows, KNOWN), (torch.randn(rows, HIDDEN), torch.randn(rows, HIDDEN))
            assert torch.allclose(packed(x, state)[0], cell(x, state)[0], atol=1e-6), rows
        assert CachedLSTMCell.of(cell, 1) is not packed  # one row: the transposed matrix
