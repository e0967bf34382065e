"""Tacotron2 training losses: one module taking named tensors and returning a dict of named terms.

The terms and their weighting follow Coqui's Tacotron2 loss so that the recorded loss
values of its checkpoints are reproduced; the implementations are vectorised (no
per-item Python loops) to keep the training step cheap.
"""

from typing import Dict, List, Optional, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from TTS.config.errors import ConfigError
from TTS.tts.utils.masks import sequence_mask

GA_SIGMA = 0.4
SSIM_KERNEL_SIZE = 11
SSIM_KERNEL_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03
MIN_MAX_EPS = 1e-8


def masked_mse(x: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the real frames. Shapes: x, target (B, T, C); lengths (B,)."""
    mask = sequence_mask(lengths, max_len=target.shape[1]).unsqueeze(2).to(x.dtype)
    return F.mse_loss(x * mask, target * mask, reduction="sum") / (mask.sum() * x.shape[2])


def _masked_distance(x, target, lengths, distance, seq_len_norm: bool) -> torch.Tensor:
    mask = sequence_mask(lengths, max_len=target.shape[1]).unsqueeze(2).to(x.dtype)
    if not seq_len_norm:
        return distance(x * mask, target * mask, reduction="sum") / (mask.sum() * x.shape[2])
    # every sequence weighs the same, whatever its length
    weights = mask / mask.sum(dim=1, keepdim=True) / (target.shape[0] * target.shape[2])
    return (distance(x * mask, target * mask, reduction="none") * weights).sum()


class MSELossMasked(nn.Module):
    """Mean squared error over the real frames (Coqui's loss module of that name and call form).

    Parameters
    ----------
    seq_len_norm:
        Weigh every sequence equally (else every frame).

    Shapes: x, target (B, T, C); lengths (B,) -> scalar.
    """

    def __init__(self, seq_len_norm: bool = False) -> None:
        super().__init__()
        self.seq_len_norm = seq_len_norm

    def forward(self, x: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return _masked_distance(x, target.detach(), lengths, F.mse_loss, self.seq_len_norm)


class L1LossMasked(MSELossMasked):
    """Mean absolute error over the real frames (Coqui's loss module of that name and call form)."""

    def forward(self, x: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return _masked_distance(x, target.detach(), lengths, F.l1_loss, self.seq_len_norm)


def masked_bce_with_logits(
    logits: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor, pos_weight: torch.Tensor
) -> torch.Tensor:
    """Binary cross entropy of stop logits over the real decoder steps. Shapes: (B, T_steps); lengths (B,)."""
    mask = sequence_mask(lengths.long(), max_len=target.shape[1])
    loss = F.binary_cross_entropy_with_logits(
        logits.masked_select(mask), target.masked_select(mask), pos_weight=pos_weight, reduction="sum"
    )
    return loss / mask.sum()


def guided_attention_loss(
    alignments: torch.Tensor, text_lengths: torch.Tensor, step_lengths: torch.Tensor, sigma: float = GA_SIGMA
) -> torch.Tensor:
    """Penalty on attention far from the diagonal (Tachibana et al., 2017).

    Lengths are counted as at least 1: Coqui's alignment length of a clip shorter than one decoder
    step is 0, and dividing by it would turn the gradient of every weight into NaN.

    Shapes: alignments (B, T_steps, T_text); text_lengths, step_lengths (B,).
    """
    step_lengths = step_lengths.clamp(min=1)
    text_lengths = text_lengths.clamp(min=1)
    steps = torch.arange(alignments.shape[1], device=alignments.device, dtype=alignments.dtype)
    tokens = torch.arange(alignments.shape[2], device=alignments.device, dtype=alignments.dtype)
    step_pos = steps[None, :, None] / step_lengths[:, None, None].to(alignments.dtype)
    token_pos = tokens[None, None, :] / text_lengths[:, None, None].to(alignments.dtype)
    weights = 1.0 - torch.exp(-((token_pos - step_pos) ** 2) / (2 * sigma**2))
    mask = sequence_mask(step_lengths, max_len=alignments.shape[1]).unsqueeze(2) & sequence_mask(
        text_lengths, max_len=alignments.shape[2]
    ).unsqueeze(1)
    return (weights * alignments).masked_select(mask).mean()


def _gaussian_window(size: int, sigma: float, *, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    coords = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2.0
    window = torch.exp(-(coords**2) / (2 * sigma**2))
    return window / window.sum()


def _blur_matrix(length: int, *, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The 1-D SSIM window at every 'valid' position of a signal of ``length``, as a banded matrix.

    A signal shorter than the window counts as zero-padded to the window's size (one position).
    Shapes: -> (max(length, window) - window + 1, length).
    """
    window = _gaussian_window(SSIM_KERNEL_SIZE, SSIM_KERNEL_SIGMA, dtype=dtype, device=device)
    positions = max(length, SSIM_KERNEL_SIZE) - SSIM_KERNEL_SIZE + 1
    columns = torch.arange(positions, device=device)[:, None] + torch.arange(SSIM_KERNEL_SIZE, device=device)
    band = torch.zeros(positions, positions + SSIM_KERNEL_SIZE - 1, dtype=dtype, device=device)
    return band.scatter_(1, columns, window.expand(positions, -1))[:, :length]


def _blur(x: torch.Tensor) -> torch.Tensor:
    """The SSIM's 2-D Gaussian window (separable) over the 'valid' positions: two products with banded matrices.

    Same as a 'valid' convolution with the square window, computed by fast matrix products
    instead of a single-channel ``conv2d``. Shapes: x (B, T, C) -> (B, T', C').
    """
    time = _blur_matrix(x.shape[1], dtype=x.dtype, device=x.device)
    channels = _blur_matrix(x.shape[2], dtype=x.dtype, device=x.device)
    return time @ x @ channels.t()


def _min_max(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    maximum = torch.amax(x.masked_fill(~mask, 0), dim=(1, 2), keepdim=True)
    minimum = torch.amin(x.masked_fill(~mask, float("inf")), dim=(1, 2), keepdim=True)
    return (x - minimum) / (maximum - minimum + MIN_MAX_EPS)


def ssim_losses(predictions: Sequence[torch.Tensor], target: torch.Tensor, lengths: torch.Tensor) -> List[torch.Tensor]:
    """1 - SSIM of each prediction against the same target, each clamped to [0, 1].

    SSIM of the per-utterance min-max normalised spectrograms over the square Gaussian windows
    (``SSIM_KERNEL_SIZE``, ``SSIM_KERNEL_SIGMA``) lying inside the padded spectrogram; padding
    frames count as zeros, and inputs smaller than the window as zero-padded to its size. The
    target's statistics are computed once for all predictions.

    Shapes: predictions: each (B, T, C); target (B, T, C); lengths (B,).
    """
    mask = sequence_mask(lengths, max_len=target.shape[1]).unsqueeze(2)
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    x = _min_max(target, mask) * mask
    mu_x = _blur(x)
    sigma_xx = _blur(x * x) - mu_x**2
    losses = []
    for prediction in predictions:
        y = _min_max(prediction, mask) * mask
        mu_y = _blur(y)
        sigma_yy = _blur(y * y) - mu_y**2
        sigma_xy = _blur(x * y) - mu_x * mu_y
        contrast = (2.0 * sigma_xy + c2) / (sigma_xx + sigma_yy + c2)
        ssim_map = (2.0 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1) * contrast
        losses.append((1.0 - ssim_map.mean(dim=(1, 2)).mean()).clamp(0.0, 1.0))
    return losses


def ssim_loss(prediction: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """1 - SSIM of one prediction, clamped to [0, 1] (see ``ssim_losses``). Shapes: (B, T, C); lengths (B,)."""
    return ssim_losses((prediction,), target, lengths)[0]


def alignment_diagonal_score(alignments: torch.Tensor) -> float:
    """How diagonal (sharp and monotonic) alignments are: the peak weight each text token receives
    over the decoder steps, averaged over tokens and items. Near 1 when every token is attended
    sharply once; ``1 - score`` is the logged ``align_error``.

    Shapes: alignments (B, T_steps, T_text).
    """
    return float(alignments.max(dim=1)[0].mean())


class Tacotron2Loss(nn.Module):
    """Weighted sum of the Tacotron2 loss terms; weights of 0 switch a term off.

    Parameters
    ----------
    decoder_alpha, postnet_alpha:
        Weights of the masked MSE before and after the postnet.
    decoder_diff_spec_alpha, postnet_diff_spec_alpha:
        Weights of the MSE between frame-to-frame differences.
    decoder_ssim_alpha, postnet_ssim_alpha:
        Weights of the SSIM losses (Coqui weighs both with ``postnet_ssim_alpha``; so do we).
    ga_alpha:
        Weight of the guided attention loss.
    stopnet_pos_weight:
        Positive-class weight of the stop-token BCE; None disables the stop loss.
    double_decoder_consistency:
        Add the coarse decoder's MSE and the L1 between the two alignments (weighted by decoder_alpha).
    """

    def __init__(
        self,
        *,
        decoder_alpha: float = 0.25,
        postnet_alpha: float = 0.25,
        decoder_diff_spec_alpha: float = 0.25,
        postnet_diff_spec_alpha: float = 0.25,
        decoder_ssim_alpha: float = 0.25,
        postnet_ssim_alpha: float = 0.25,
        ga_alpha: float = 5.0,
        stopnet_pos_weight: Optional[float] = 0.2,
        double_decoder_consistency: bool = False,
    ) -> None:
        super().__init__()
        self.decoder_alpha = decoder_alpha
        self.postnet_alpha = postnet_alpha
        self.decoder_diff_spec_alpha = decoder_diff_spec_alpha
        self.postnet_diff_spec_alpha = postnet_diff_spec_alpha
        self.decoder_ssim_alpha = decoder_ssim_alpha
        self.postnet_ssim_alpha = postnet_ssim_alpha
        self.ga_alpha = ga_alpha
        self.use_stop_loss = stopnet_pos_weight is not None
        self.register_buffer("stopnet_pos_weight", torch.tensor(stopnet_pos_weight or 0.0), persistent=False)
        self.double_decoder_consistency = double_decoder_consistency

    def forward(
        self,
        *,
        postnet_outputs: torch.Tensor,
        decoder_outputs: torch.Tensor,
        mel_targets: torch.Tensor,
        mel_lengths: torch.Tensor,
        stop_logits: torch.Tensor,
        stop_targets: torch.Tensor,
        stop_target_lengths: torch.Tensor,
        alignments: torch.Tensor,
        alignment_lengths: torch.Tensor,
        text_lengths: torch.Tensor,
        coarse_decoder_outputs: Optional[torch.Tensor] = None,
        coarse_alignments: Optional[torch.Tensor] = None,
        guided_alignments: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """Compute every enabled term and their weighted sum ``loss``.

        The guided attention loss applies to ``guided_alignments`` when given (the attention's
        own weights while a training prior reshapes ``alignments``), else to ``alignments``.

        Shapes
        ------
        postnet_outputs, decoder_outputs, mel_targets, coarse_decoder_outputs: (B, T_mel, C_mel);
        mel_lengths, text_lengths, alignment_lengths, stop_target_lengths: (B,);
        stop_logits, stop_targets: (B, T_steps); alignments, coarse_alignments, guided_alignments: (B, T_steps, T_text).
        """
        terms: Dict[str, torch.Tensor] = {}
        terms["decoder_loss"] = masked_mse(decoder_outputs, mel_targets, mel_lengths)
        terms["postnet_loss"] = masked_mse(postnet_outputs, mel_targets, mel_lengths)
        loss = self.decoder_alpha * terms["decoder_loss"] + self.postnet_alpha * terms["postnet_loss"]
        if self.use_stop_loss:
            terms["stopnet_loss"] = masked_bce_with_logits(
                stop_logits, stop_targets, stop_target_lengths, self.stopnet_pos_weight
            )
            loss = loss + terms["stopnet_loss"]
        if self.double_decoder_consistency:
            terms["decoder_coarse_loss"] = masked_mse(coarse_decoder_outputs, mel_targets, mel_lengths)
            terms["decoder_ddc_loss"] = F.l1_loss(alignments, coarse_alignments)
            loss = loss + self.decoder_alpha * (terms["decoder_coarse_loss"] + terms["decoder_ddc_loss"])
        if self.ga_alpha > 0:
            guided = alignments if guided_alignments is None else guided_alignments
            terms["ga_loss"] = guided_attention_loss(guided, text_lengths, alignment_lengths)
            loss = loss + self.ga_alpha * terms["ga_loss"]
        if self.decoder_diff_spec_alpha > 0:
            terms["decoder_diff_spec_loss"] = masked_mse(
                decoder_outputs.diff(dim=1), mel_targets.diff(dim=1), mel_lengths - 1
            )
            loss = loss + self.decoder_diff_spec_alpha * terms["decoder_diff_spec_loss"]
        if self.postnet_diff_spec_alpha > 0:
            terms["postnet_diff_spec_loss"] = masked_mse(
                postnet_outputs.diff(dim=1), mel_targets.diff(dim=1), mel_lengths - 1
            )
            loss = loss + self.postnet_diff_spec_alpha * terms["postnet_diff_spec_loss"]
        ssim_outputs = {}
        if self.decoder_ssim_alpha > 0:
            ssim_outputs["decoder_ssim_loss"] = decoder_outputs
        if self.postnet_ssim_alpha > 0:
            ssim_outputs["postnet_ssim_loss"] = postnet_outputs
        if ssim_outputs:  # one call, so both terms share the target's SSIM statistics
            terms.update(zip(ssim_outputs, ssim_losses(list(ssim_outputs.values()), mel_targets, mel_lengths)))
            for name in ssim_outputs:
                loss = loss + self.postnet_ssim_alpha * terms[name]
        terms["loss"] = loss
        return terms


def loss_settings(config) -> Dict[str, object]:
    """The ``Tacotron2Loss`` keywords a Tacotron2 config sets."""
    return {
        "decoder_alpha": config.decoder_loss_alpha,
        "postnet_alpha": config.postnet_loss_alpha,
        "decoder_diff_spec_alpha": config.decoder_diff_spec_alpha,
        "postnet_diff_spec_alpha": config.postnet_diff_spec_alpha,
        "decoder_ssim_alpha": config.decoder_ssim_alpha,
        "postnet_ssim_alpha": config.postnet_ssim_alpha,
        "ga_alpha": config.ga_alpha,
        "stopnet_pos_weight": config.stopnet_pos_weight if config.stopnet else None,
        "double_decoder_consistency": config.double_decoder_consistency,
    }


class TacotronLoss(Tacotron2Loss):
    """Coqui's form of the Tacotron2 loss: built from the config, called with Coqui's positional arguments.

    ``TacotronLoss(config)(postnet_output, decoder_output, mel_input, linear_input, stopnet_output,
    stopnet_target, stop_target_length, capacitron_vae_outputs, output_lens, decoder_b_output, alignments,
    alignment_lens, alignments_backwards, input_lens)`` returns what ``Tacotron2Loss`` returns for the same
    tensors. Raises ``ConfigError`` for what this package does not have (Capacitron, another ``ga_sigma``).
    """

    def __init__(self, c, ga_sigma: float = GA_SIGMA) -> None:
        if getattr(c, "use_capacitron_vae", False):
            raise ConfigError("config field 'use_capacitron_vae': this Tacotron2 has no Capacitron VAE loss")
        if ga_sigma != GA_SIGMA:
            raise ConfigError(f"TacotronLoss: ga_sigma is fixed at {GA_SIGMA}, got {ga_sigma}")
        super().__init__(**loss_settings(c))

    def forward(  # noqa: D102 - Coqui's argument order, see the class docstring
        self,
        postnet_output,
        decoder_output,
        mel_input,
        linear_input,
        stopnet_output,
        stopnet_target,
        stop_target_length,
        capacitron_vae_outputs,
        output_lens,
        decoder_b_output,
        alignments,
        alignment_lens,
        alignments_backwards,
        input_lens,
    ) -> Dict[str, torch.Tensor]:
        return super().forward(
            postnet_outputs=postnet_output,
            decoder_outputs=decoder_output,
            mel_targets=mel_input,
            mel_lengths=output_lens,
            stop_logits=stopnet_output,
            stop_targets=stopnet_target,
            stop_target_lengths=stop_target_length,
            alignments=alignments,
            alignment_lengths=alignment_lens,
            text_lengths=input_lens,
            coarse_decoder_outputs=decoder_b_output,
            coarse_alignments=alignments_backwards,
        )
