"""Losses of GAN vocoder training: adversarial, feature matching and spectrogram terms, weighted by config fields.

Generator (``GeneratorLoss``), with Coqui's config fields:

    loss = l1_spec_loss_weight * |log mel(y_hat) - log mel(y)|_1                 use_l1_spec_loss (HiFi-GAN)
         + stft_loss_weight * (log-magnitude L1 + spectral convergence),
           averaged over the resolutions of stft_loss_params                     use_stft_loss (multi-resolution STFT)
         + subband_stft_loss_weight * the same on the PQMF sub-bands              use_subband_stft_loss (multi-band)
         + mse_G_loss_weight * mean over discriminators of (D(y_hat) - 1)^2       use_mse_gan_loss (LSGAN)
         + hinge_G_loss_weight * mean over discriminators of -D(y_hat)            use_hinge_gan_loss (hinge)
         + feat_match_loss_weight * mean over layers |D_l(y_hat) - D_l(y)|_1      use_feat_match_loss

Discriminator (``DiscriminatorLoss``), averaged over the sub-discriminators:

    LSGAN: (D(y) - 1)^2 + D(y_hat)^2        hinge: relu(1 - D(y)) + relu(1 + D(y_hat))

Each returns a dict of named terms plus ``loss``, the sum the optimizer minimises; key names are
Coqui's (``G_l1_spec_loss``, ``G_mse_fake_loss``, ``D_mse_gan_real_loss``, ...), so TensorBoard runs compare.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import nn
from torch.nn import functional as F

from TTS.config.errors import ConfigError
from TTS.utils.audio.torch_transforms import TorchSTFT

__all__ = [
    "DiscriminatorLoss",
    "GeneratorLoss",
    "HingeDLoss",
    "HingeGLoss",
    "L1SpecLoss",
    "MSEDLoss",
    "MSEGLoss",
    "MelganFeatureLoss",
    "MultiScaleSTFTLoss",
    "MultiScaleSubbandSTFTLoss",
    "STFTLoss",
    "TorchSTFT",
]

Scores = Union[torch.Tensor, Sequence[torch.Tensor]]


# ---------------------------------------------------------------------- spectrogram losses
class STFTLoss(nn.Module):
    """Log-magnitude L1 and spectral convergence at one STFT resolution (Parallel WaveGAN, Yamamoto et al., 2020).

    Shapes
    ------
    y_hat, y: (B, T) or (B, 1, T) -> (loss_mag, loss_sc), scalars
    """

    def __init__(self, n_fft: int, hop_length: int, win_length: int) -> None:
        super().__init__()
        self.stft = TorchSTFT(n_fft, hop_length, win_length)

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        mag_hat, mag = self.stft(y_hat), self.stft(y)
        loss_mag = F.l1_loss(torch.log(mag_hat), torch.log(mag))
        loss_sc = torch.linalg.norm(mag - mag_hat) / torch.linalg.norm(mag)
        return loss_mag, loss_sc


class MultiScaleSTFTLoss(nn.Module):
    """``STFTLoss`` averaged over several resolutions (the multi-resolution STFT loss).

    Parameters
    ----------
    n_ffts, hop_lengths, win_lengths:
        One entry per resolution.

    Shapes
    ------
    y_hat, y: (B, T) or (B, 1, T) -> (loss_mag, loss_sc), scalars
    """

    def __init__(
        self,
        n_ffts: Sequence[int] = (1024, 2048, 512),
        hop_lengths: Sequence[int] = (120, 240, 50),
        win_lengths: Sequence[int] = (600, 1200, 240),
    ) -> None:
        super().__init__()
        if not len(n_ffts) == len(hop_lengths) == len(win_lengths) or not n_ffts:
            raise ValueError(
                f"stft_loss_params: n_ffts, hop_lengths and win_lengths need one entry per resolution, "
                f"got {list(n_ffts)}, {list(hop_lengths)}, {list(win_lengths)}"
            )
        self.loss_funcs = nn.ModuleList(STFTLoss(*geometry) for geometry in zip(n_ffts, hop_lengths, win_lengths))

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        terms = [loss(y_hat, y) for loss in self.loss_funcs]
        count = len(terms)
        return sum(mag for mag, _ in terms) / count, sum(sc for _, sc in terms) / count


class MultiScaleSubbandSTFTLoss(MultiScaleSTFTLoss):
    """``MultiScaleSTFTLoss`` on every PQMF sub-band as a waveform of its own (multi-band MelGAN, Yang et al., 2020).

    Shapes
    ------
    y_hat, y: (B, bands, T_sub) -> (loss_mag, loss_sc), scalars
    """

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return super().forward(y_hat.reshape(-1, y_hat.shape[-1]), y.reshape(-1, y.shape[-1]))


class L1SpecLoss(nn.Module):
    """L1 distance of log (mel) magnitude spectrograms: HiFi-GAN's mel-spectrogram loss.

    Keywords are those of Coqui's ``l1_spec_loss_params``.

    Shapes
    ------
    y_hat, y: (B, 1, T) -> scalar
    """

    def __init__(
        self,
        *,
        sample_rate: int,
        n_fft: int,
        hop_length: int,
        win_length: int,
        mel_fmin: Optional[float] = None,
        mel_fmax: Optional[float] = None,
        n_mels: Optional[int] = None,
        use_mel: bool = True,
    ) -> None:
        super().__init__()
        self.stft = TorchSTFT(
            n_fft,
            hop_length,
            win_length,
            sample_rate=sample_rate,
            mel_fmin=mel_fmin,
            mel_fmax=mel_fmax,
            n_mels=n_mels,
            use_mel=use_mel,
        )

    def forward(self, y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.l1_loss(torch.log(self.stft(y_hat)), torch.log(self.stft(y)))


# ---------------------------------------------------------------------- adversarial losses
class MSEGLoss(nn.Module):
    """LSGAN generator loss of one discriminator: ``mean((D(y_hat) - 1)^2)``."""

    def forward(self, score_fake: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(score_fake, torch.ones_like(score_fake))


class HingeGLoss(nn.Module):
    """Hinge generator loss of one discriminator: ``-mean(D(y_hat))`` (MelGAN's generator objective)."""

    def forward(self, score_fake: torch.Tensor) -> torch.Tensor:
        return -score_fake.mean()


class MSEDLoss(nn.Module):
    """LSGAN discriminator loss of one discriminator: real scores towards 1, fake towards 0.

    Returns ``(total, real, fake)``.
    """

    def forward(
        self, score_fake: torch.Tensor, score_real: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        loss_real = F.mse_loss(score_real, torch.ones_like(score_real))
        loss_fake = F.mse_loss(score_fake, torch.zeros_like(score_fake))
        return loss_real + loss_fake, loss_real, loss_fake


class HingeDLoss(nn.Module):
    """Hinge discriminator loss of one discriminator: ``relu(1 - D(y)) + relu(1 + D(y_hat))``, averaged.

    Returns ``(total, real, fake)``.
    """

    def forward(
        self, score_fake: torch.Tensor, score_real: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        loss_real = F.relu(1.0 - score_real).mean()
        loss_fake = F.relu(1.0 + score_fake).mean()
        return loss_real + loss_fake, loss_real, loss_fake


class MelganFeatureLoss(nn.Module):
    """Feature matching: L1 distance of the discriminators' intermediate outputs for fake and real audio,
    averaged over every layer of every discriminator (MelGAN).

    Shapes
    ------
    fake_feats, real_feats: per discriminator, a list of per-layer tensors -> scalar
    """

    def forward(
        self, fake_feats: Sequence[Sequence[torch.Tensor]], real_feats: Sequence[Sequence[torch.Tensor]]
    ) -> torch.Tensor:
        distances = [
            F.l1_loss(fake, real)
            for fake_layers, real_layers in zip(fake_feats, real_feats, strict=True)
            for fake, real in zip(fake_layers, real_layers, strict=True)
        ]
        return torch.stack(distances).mean()


def _as_list(scores: Scores) -> List[torch.Tensor]:
    return [scores] if isinstance(scores, torch.Tensor) else list(scores)


def generator_adversarial_loss(scores_fake: Scores, loss: nn.Module) -> torch.Tensor:
    """A generator adversarial loss averaged over the sub-discriminators (one tensor or a list of scores)."""
    terms = [loss(score) for score in _as_list(scores_fake)]
    return sum(terms) / len(terms)


def discriminator_loss(
    scores_fake: Scores, scores_real: Scores, loss: nn.Module
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A discriminator loss ``(total, real, fake)``, each averaged over the sub-discriminators."""
    terms = [loss(fake, real) for fake, real in zip(_as_list(scores_fake), _as_list(scores_real), strict=True)]
    count = len(terms)
    return tuple(sum(term[i] for term in terms) / count for i in range(3))  # type: ignore[return-value]


# ---------------------------------------------------------------------- model losses
def check_adversarial_choice(config: Any) -> None:
    """LSGAN and hinge are alternatives: one ``ConfigError`` naming both fields when both are on."""
    if getattr(config, "use_mse_gan_loss", False) and getattr(config, "use_hinge_gan_loss", False):
        raise ConfigError(
            "config fields 'use_mse_gan_loss' and 'use_hinge_gan_loss': both are true; the adversarial loss is "
            "either LSGAN (mse) or hinge, set one of them to false"
        )


class GeneratorLoss(nn.Module):
    """The generator's loss terms a GAN vocoder config switches on, each times its weight (see the module doc).

    Parameters
    ----------
    config:
        A GAN vocoder config (``HifiganConfig``, ``MultibandMelganConfig``, ...): the ``use_*`` switches,
        the ``*_weight`` fields, ``stft_loss_params``, ``subband_stft_loss_params``, ``l1_spec_loss_params``.
        Read once, here.
    """

    def __init__(self, config: Any) -> None:
        super().__init__()
        check_adversarial_choice(config)

        def flag(name: str) -> bool:
            return bool(getattr(config, name, False))

        def weight(name: str) -> float:
            return float(getattr(config, name, 0.0) or 0.0)

        self.stft_loss_weight = weight("stft_loss_weight")
        self.subband_stft_loss_weight = weight("subband_stft_loss_weight")
        self.mse_gan_loss_weight = weight("mse_G_loss_weight")
        self.hinge_gan_loss_weight = weight("hinge_G_loss_weight")
        self.feat_match_loss_weight = weight("feat_match_loss_weight")
        self.l1_spec_loss_weight = weight("l1_spec_loss_weight")
        self.stft_loss = MultiScaleSTFTLoss(**config.stft_loss_params) if flag("use_stft_loss") else None
        self.subband_stft_loss = None
        if flag("use_subband_stft_loss"):
            params = getattr(config, "subband_stft_loss_params", None)
            if not params:
                raise ConfigError(
                    "config field 'subband_stft_loss_params': use_subband_stft_loss is true but it is not set"
                )
            self.subband_stft_loss = MultiScaleSubbandSTFTLoss(**params)
        self.mse_loss = MSEGLoss() if flag("use_mse_gan_loss") else None
        self.hinge_loss = HingeGLoss() if flag("use_hinge_gan_loss") else None
        self.feat_match_loss = MelganFeatureLoss() if flag("use_feat_match_loss") else None
        self.l1_spec_loss = None
        if flag("use_l1_spec_loss"):
            params = dict(config.l1_spec_loss_params)
            rate = config.audio.sample_rate
            if params.get("sample_rate") != rate:
                raise ConfigError(
                    f"config field 'l1_spec_loss_params.sample_rate': {params.get('sample_rate')} differs from "
                    f"audio.sample_rate {rate}; the mel loss must see the audio at its own rate"
                )
            self.l1_spec_loss = L1SpecLoss(**params)

    def forward(
        self,
        y_hat: torch.Tensor,
        y: torch.Tensor,
        scores_fake: Optional[Scores] = None,
        feats_fake: Optional[Sequence[Sequence[torch.Tensor]]] = None,
        feats_real: Optional[Sequence[Sequence[torch.Tensor]]] = None,
        y_hat_sub: Optional[torch.Tensor] = None,
        y_sub: Optional[torch.Tensor] = None,
    ) -> Dict[str, torch.Tensor]:
        """The weighted terms and their sum.

        Shapes
        ------
        y_hat, y: (B, 1, T); y_hat_sub, y_sub: (B, bands, T / bands) (multi-band models only)
        scores_fake / feats_*: the discriminator's outputs for ``y_hat`` (and ``y``); None before the
        discriminator starts (``steps_to_start_discriminator``), which leaves out the adversarial terms.

        Returns
        -------
        ``G_*`` terms (unweighted), ``G_gen_loss`` (weighted spectrogram terms), ``G_adv_loss`` (weighted
        adversarial terms) and ``loss`` (their sum).
        """
        out: Dict[str, torch.Tensor] = {}
        gen_loss = y_hat.new_zeros(())
        adv_loss = y_hat.new_zeros(())
        if self.stft_loss is not None:
            mag, sc = self.stft_loss(y_hat[..., : y.shape[-1]], y)
            out["G_stft_loss_mg"], out["G_stft_loss_sc"] = mag, sc
            gen_loss = gen_loss + self.stft_loss_weight * (mag + sc)
        if self.l1_spec_loss is not None:
            out["G_l1_spec_loss"] = self.l1_spec_loss(y_hat, y)
            gen_loss = gen_loss + self.l1_spec_loss_weight * out["G_l1_spec_loss"]
        if self.subband_stft_loss is not None:
            if y_hat_sub is None or y_sub is None:
                raise ValueError("use_subband_stft_loss needs the sub-band signals: the generator has no PQMF output")
            mag, sc = self.subband_stft_loss(y_hat_sub, y_sub)
            out["G_subband_stft_loss_mg"], out["G_subband_stft_loss_sc"] = mag, sc
            gen_loss = gen_loss + self.subband_stft_loss_weight * (mag + sc)
        if scores_fake is not None:
            if self.mse_loss is not None:
                out["G_mse_fake_loss"] = generator_adversarial_loss(scores_fake, self.mse_loss)
                adv_loss = adv_loss + self.mse_gan_loss_weight * out["G_mse_fake_loss"]
            if self.hinge_loss is not None:
                out["G_hinge_fake_loss"] = generator_adversarial_loss(scores_fake, self.hinge_loss)
                adv_loss = adv_loss + self.hinge_gan_loss_weight * out["G_hinge_fake_loss"]
        if self.feat_match_loss is not None and feats_fake is not None and feats_real is not None:
            out["G_feat_match_loss"] = self.feat_match_loss(feats_fake, feats_real)
            adv_loss = adv_loss + self.feat_match_loss_weight * out["G_feat_match_loss"]
        out["G_gen_loss"] = gen_loss
        out["G_adv_loss"] = adv_loss
        out["loss"] = gen_loss + adv_loss
        return out


class DiscriminatorLoss(nn.Module):
    """The discriminator's adversarial loss: LSGAN (``use_mse_gan_loss``) or hinge (``use_hinge_gan_loss``).

    Parameters
    ----------
    config:
        A GAN vocoder config; its two switches are read once, here.
    """

    def __init__(self, config: Any) -> None:
        super().__init__()
        check_adversarial_choice(config)
        self.mse_loss = MSEDLoss() if getattr(config, "use_mse_gan_loss", False) else None
        self.hinge_loss = HingeDLoss() if getattr(config, "use_hinge_gan_loss", False) else None
        if self.mse_loss is None and self.hinge_loss is None:
            raise ConfigError(
                "config fields 'use_mse_gan_loss' and 'use_hinge_gan_loss': both are false; the discriminator "
                "needs one of them"
            )

    def forward(self, scores_fake: Scores, scores_real: Scores) -> Dict[str, torch.Tensor]:
        """``D_<kind>_gan_loss`` / ``_real_loss`` / ``_fake_loss`` and ``loss``.

        Shapes
        ------
        scores_fake, scores_real: (B, N) or a list of them, one per sub-discriminator
        """
        out: Dict[str, torch.Tensor] = {}
        for kind, loss in (("mse", self.mse_loss), ("hinge", self.hinge_loss)):
            if loss is not None:
                total, real, fake = discriminator_loss(scores_fake, scores_real, loss)
                out[f"D_{kind}_gan_loss"] = total
                out[f"D_{kind}_gan_real_loss"] = real
                out[f"D_{kind}_gan_fake_loss"] = fake
                out["loss"] = total
        return out
