"""Location-sensitive attention (Chorowski et al., 2015) as used by Tacotron2."""

from typing import Optional

import torch
from torch import nn

from TTS.tts.layers.tacotron2.blocks import Linear
from TTS.tts.utils.masks import sequence_mask


def beta_binomial_prior(
    text_lengths: torch.Tensor, step_lengths: torch.Tensor, max_text: int, max_steps: int, scaling: float = 1.0
) -> torch.Tensor:
    """A prior over the text tokens for each decoder step that follows the diagonal.

    Decoder step i of M (1-based) draws token k of N from the beta-binomial distribution with
    n = N - 1, a = scaling * i, b = scaling * (M + 1 - i) (Badlani et al., 2021): its mean moves
    from the first token to the last as i runs over the steps, its spread narrows with ``scaling``.
    Padded tokens get 0; padded steps get 1 everywhere, so multiplying by the prior leaves them as
    they are.

    Shapes: text_lengths, step_lengths (B,) -> (B, max_steps, max_text).
    """
    dtype = torch.float32
    n = (text_lengths.to(dtype) - 1.0)[:, None, None]
    m = step_lengths.to(dtype)[:, None, None]
    i = torch.arange(1, max_steps + 1, dtype=dtype, device=text_lengths.device)[None, :, None]
    k = torch.arange(max_text, dtype=dtype, device=text_lengths.device)[None, None, :]
    a, b = scaling * i, (scaling * (m + 1.0 - i)).clamp(min=scaling)  # b of padded steps: any valid value
    rest = (n - k).clamp(min=0.0)  # n - k of padded tokens: any valid value

    def log_beta(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return torch.lgamma(x) + torch.lgamma(y) - torch.lgamma(x + y)

    log_pmf = torch.lgamma(n + 1.0) - torch.lgamma(k + 1.0) - torch.lgamma(rest + 1.0) + log_beta(k + a, rest + b) - log_beta(a, b)
    tokens = sequence_mask(text_lengths, max_len=max_text)[:, None, :]
    steps = sequence_mask(step_lengths, max_len=max_steps)[:, :, None]
    prior = torch.where(tokens, log_pmf.exp(), torch.zeros((), dtype=dtype, device=log_pmf.device))
    return torch.where(steps, prior, torch.ones((), dtype=dtype, device=prior.device))


class LocationLayer(nn.Module):
    """Location features: a convolution over the previous and cumulative attention weights, projected."""

    def __init__(self, attention_dim: int, *, n_filters: int = 32, kernel_size: int = 31) -> None:
        super().__init__()
        self.location_conv1d = nn.Conv1d(2, n_filters, kernel_size, padding=(kernel_size - 1) // 2, bias=False)
        self.location_dense = Linear(n_filters, attention_dim, bias=False, init_gain="tanh")

    def forward(self, attention_cat: torch.Tensor) -> torch.Tensor:
        """Shapes: attention_cat (B, 2, T_text) -> (B, T_text, attention_dim)."""
        return self.location_dense(self.location_conv1d(attention_cat).transpose(1, 2))


class LocationSensitiveAttention(nn.Module):
    """Additive attention whose energies also see where it attended before.

    e_ij = v^T tanh(W q_i + V h_j + U f_ij), with f the location features. The weights are
    normalised by softmax or by sigmoid / sum (smoother, the Coqui default). Keeps the
    previous and cumulative weights as state across decoder steps: call ``init_states``
    once per utterance batch, and ``preprocess_inputs`` once for the projection of the
    encoder outputs.

    Parameters
    ----------
    query_dim:
        Width of the attention RNN state.
    embedding_dim:
        Width of the encoder outputs.
    attention_dim:
        Width of the energy space (128).
    location_attention:
        Use location features.
    location_filters, location_kernel_size:
        Location convolution (32 filters of width 31).
    norm:
        'sigmoid' or 'softmax'.
    windowing:
        At inference, mask energies outside a window around the last attended position.
    """

    WINDOW_BACK = 2
    WINDOW_FRONT = 6

    def __init__(
        self,
        query_dim: int,
        embedding_dim: int,
        *,
        attention_dim: int = 128,
        location_attention: bool = True,
        location_filters: int = 32,
        location_kernel_size: int = 31,
        norm: str = "sigmoid",
        windowing: bool = False,
    ) -> None:
        super().__init__()
        if norm not in ("sigmoid", "softmax"):
            raise ValueError(f"attention norm must be 'sigmoid' or 'softmax', got {norm!r}")
        self.query_layer = Linear(query_dim, attention_dim, bias=False, init_gain="tanh")
        self.inputs_layer = Linear(embedding_dim, attention_dim, bias=False, init_gain="tanh")
        self.v = Linear(attention_dim, 1, bias=True)
        self.location_attention = location_attention
        if location_attention:
            self.location_layer = LocationLayer(attention_dim, n_filters=location_filters, kernel_size=location_kernel_size)
        self.norm = norm
        self.windowing = windowing
        self.attention_weights: Optional[torch.Tensor] = None
        self.attention_weights_cum: Optional[torch.Tensor] = None
        self.weights_without_prior: Optional[torch.Tensor] = None
        self.win_idx = -1

    def init_states(self, inputs: torch.Tensor) -> None:
        """Reset the attention state for a new batch. Shapes: inputs (B, T_text, C)."""
        batch, time = inputs.shape[:2]
        self.attention_weights = inputs.new_zeros(batch, time)
        self.attention_weights_cum = inputs.new_zeros(batch, time)
        self.win_idx = -1

    def preprocess_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """Project the encoder outputs once per utterance. Shapes: (B, T_text, C) -> (B, T_text, attention_dim)."""
        return self.inputs_layer(inputs)

    def _energies(self, query: torch.Tensor, processed_inputs: torch.Tensor) -> torch.Tensor:
        processed = processed_inputs + self.query_layer(query).unsqueeze(1)
        if self.location_attention:
            attention_cat = torch.stack((self.attention_weights, self.attention_weights_cum), dim=1)
            processed = processed + self.location_layer(attention_cat)
        return self.v(torch.tanh(processed)).squeeze(-1)

    def _apply_window(self, energies: torch.Tensor) -> torch.Tensor:
        back = self.win_idx - self.WINDOW_BACK
        front = self.win_idx + self.WINDOW_FRONT
        if back > 0:
            energies[:, :back] = -float("inf")
        if front < energies.shape[1]:
            energies[:, front:] = -float("inf")
        if self.win_idx == -1:  # first step: make sure the first input can be attended
            energies[:, 0] = energies.max()
        self.win_idx = int(torch.argmax(energies, 1)[0])
        return energies

    def forward(
        self,
        query: torch.Tensor,
        inputs: torch.Tensor,
        processed_inputs: torch.Tensor,
        mask: Optional[torch.Tensor],
        prior: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """Attend once and return the context vector.

        ``prior`` (training only) multiplies the normalised weights, which are then normalised
        again: the context, the location state and ``attention_weights`` all use the product;
        ``weights_without_prior`` keeps the attention's own weights (for the guided attention loss).

        Shapes
        ------
        query: (B, query_dim); inputs: (B, T_text, C); processed_inputs: (B, T_text, attention_dim);
        mask: (B, T_text) bool, True on real inputs, or None; prior: (B, T_text) or None -> context (B, C).
        """
        energies = self._energies(query, processed_inputs)
        if mask is not None:
            energies = energies.masked_fill(~mask, -float("inf"))
        if self.windowing and not self.training:
            energies = self._apply_window(energies)
        if self.norm == "softmax":
            alignment = torch.softmax(energies, dim=-1)
        else:
            gates = torch.sigmoid(energies)
            alignment = gates / gates.sum(dim=1, keepdim=True)
        self.weights_without_prior = alignment
        if prior is not None:
            alignment = alignment * prior
            alignment = alignment / alignment.sum(dim=1, keepdim=True).clamp(min=1e-12)
        self.attention_weights_cum = self.attention_weights_cum + alignment
        self.attention_weights = alignment
        return torch.bmm(alignment.unsqueeze(1), inputs).squeeze(1)
