"""GAN vocoder losses on inputs whose values are known by hand, and how config fields weight them."""

import math

import numpy as np
import pytest
import torch
from helpers.vocoder import toy_hifigan_config

from TTS.config import ConfigError
from TTS.utils.audio.numpy_transforms import stft
from TTS.utils.audio.torch_transforms import TorchSTFT
from TTS.vocoder.layers.losses import (
    DiscriminatorLoss,
    GeneratorLoss,
    HingeDLoss,
    HingeGLoss,
    L1SpecLoss,
    MelganFeatureLoss,
    MSEDLoss,
    MSEGLoss,
    MultiScaleSTFTLoss,
    MultiScaleSubbandSTFTLoss,
    STFTLoss,
)


@pytest.fixture
def tone():
    rng = np.random.RandomState(1)
    t = np.arange(4096) / 8000
    wav = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.randn(len(t))
    return torch.from_numpy(wav).float()[None, None]  # (1, 1, T)


def test_torch_stft_magnitude_is_librosas(tone):
    ours = TorchSTFT(256, 64, 200)(tone)[0].numpy()
    reference = np.abs(stft(y=tone[0, 0].numpy(), fft_size=256, hop_length=64, win_length=200))
    assert ours.shape == reference.shape == (129, 1 + 4096 // 64)
    assert np.abs(ours - np.maximum(reference, 1e-4)).max() < 1e-4


def test_stft_loss_of_a_signal_and_its_double(tone):
    mag, sc = STFTLoss(256, 64, 256)(2 * tone, tone)
    assert mag.item() == pytest.approx(math.log(2), abs=1e-3)  # |log 2M - log M|
    assert sc.item() == pytest.approx(1.0, abs=1e-4)  # |M - 2M| / |M|
    same = STFTLoss(256, 64, 256)(tone, tone)
    assert same[0].item() == 0 and same[1].item() == 0


def test_multiscale_stft_loss_averages_its_resolutions(tone):
    geometries = ([256, 512], [64, 128], [256, 512])
    mag, sc = MultiScaleSTFTLoss(*geometries)(0.5 * tone, tone)
    singles = [STFTLoss(n, h, w)(0.5 * tone, tone) for n, h, w in zip(*geometries)]
    assert mag.item() == pytest.approx(sum(s[0].item() for s in singles) / 2, rel=1e-6)
    assert sc.item() == pytest.approx(sum(s[1].item() for s in singles) / 2, rel=1e-6)
    assert sc.item() == pytest.approx(0.5, abs=1e-4)
    with pytest.raises(ValueError, match="one entry per resolution"):
        MultiScaleSTFTLoss([256], [64, 32], [256])


def test_subband_stft_loss_treats_every_band_as_a_waveform(tone):
    bands = tone.reshape(1, 4, 1024)
    mag, sc = MultiScaleSubbandSTFTLoss([128], [32], [128])(3 * bands, bands)
    assert mag.item() == pytest.approx(math.log(3), abs=2e-3)
    assert sc.item() == pytest.approx(2.0, abs=1e-3)


def test_l1_mel_loss_of_a_scaled_signal_is_the_log_of_the_scale(tone):
    loss = L1SpecLoss(sample_rate=8000, n_fft=256, hop_length=64, win_length=256, n_mels=20, mel_fmin=0.0)
    assert loss(4 * tone, tone).item() == pytest.approx(math.log(4), abs=1e-3)


def test_adversarial_losses_on_known_scores():
    ones, zeros, half = torch.ones(2, 5), torch.zeros(2, 5), torch.full((2, 5), 0.5)
    assert MSEGLoss()(half).item() == pytest.approx(0.25)
    assert HingeGLoss()(half).item() == pytest.approx(-0.5)
    total, real, fake = MSEDLoss()(score_fake=zeros, score_real=ones)
    assert (total.item(), real.item(), fake.item()) == (0.0, 0.0, 0.0)
    total, real, fake = MSEDLoss()(score_fake=ones, score_real=zeros)
    assert (total.item(), real.item(), fake.item()) == (2.0, 1.0, 1.0)
    total, real, fake = HingeDLoss()(score_fake=-2 * ones, score_real=2 * ones)
    assert total.item() == 0.0
    total, real, fake = HingeDLoss()(score_fake=half, score_real=half)
    assert (real.item(), fake.item(), total.item()) == (0.5, 1.5, 2.0)


def test_feature_matching_averages_every_layer_of_every_discriminator():
    fake = [[torch.zeros(2, 3, 4), torch.zeros(2, 1, 7)], [torch.zeros(1, 5)]]
    real = [[torch.ones(2, 3, 4), torch.full((2, 1, 7), 3.0)], [torch.full((1, 5), 2.0)]]
    assert MelganFeatureLoss()(fake, real).item() == pytest.approx((1 + 3 + 2) / 3)
    assert MelganFeatureLoss()(real, real).item() == 0


def test_generator_loss_is_the_weighted_sum_of_its_terms(tmp_path, tone):
    config = toy_hifigan_config(tmp_path, tmp_path, use_stft_loss=True, stft_loss_weight=0.5,
                                stft_loss_params={"n_ffts": [256], "hop_lengths": [64], "win_lengths": [256]},
                                l1_spec_loss_weight=45, mse_G_loss_weight=2.5, feat_match_loss_weight=108)  # fmt: skip
    y = tone[..., :2048]
    y_hat = 0.8 * y
    scores = [torch.full((1, 4), 0.5), torch.full((1, 6), 0.0)]
    feats_fake, feats_real = [[torch.zeros(1, 2, 3)]], [[torch.ones(1, 2, 3)]]
    out = GeneratorLoss(config)(y_hat, y, scores, feats_fake, feats_real)
    assert out["G_mse_fake_loss"].item() == pytest.approx((0.25 + 1.0) / 2)
    assert out["G_feat_match_loss"].item() == pytest.approx(1.0)
    gen = 0.5 * (out["G_stft_loss_mg"] + out["G_stft_loss_sc"]) + 45 * out["G_l1_spec_loss"]
    adv = 2.5 * out["G_mse_fake_loss"] + 108 * out["G_feat_match_loss"]
    assert out["G_gen_loss"].item() == pytest.approx(gen.item(), rel=1e-6)
    assert out["G_adv_loss"].item() == pytest.approx(adv.item(), rel=1e-6)
    assert out["loss"].item() == pytest.approx((gen + adv).item(), rel=1e-6)
    # before the discriminator starts: spectrogram terms only
    alone = GeneratorLoss(config)(y_hat, y)
    assert "G_mse_fake_loss" not in alone and alone["G_adv_loss"].item() == 0
    assert alone["loss"].item() == pytest.approx(gen.item(), rel=1e-6)


def test_hinge_generator_loss_counts_with_its_weight(tmp_path, tone):
    config = toy_hifigan_config(tmp_path, tmp_path, use_mse_gan_loss=False, use_hinge_gan_loss=True,
                                hinge_G_loss_weight=3.0, use_l1_spec_loss=False, use_feat_match_loss=False)  # fmt: skip
    out = GeneratorLoss(config)(tone, tone, [torch.full((1, 4), 0.5)])
    assert out["G_hinge_fake_loss"].item() == pytest.approx(-0.5)
    assert out["loss"].item() == pytest.approx(-1.5)
    d = DiscriminatorLoss(config)([torch.zeros(1, 4)], [torch.zeros(1, 4)])
    assert set(d) == {"D_hinge_gan_loss", "D_hinge_gan_real_loss", "D_hinge_gan_fake_loss", "loss"}
    assert d["loss"].item() == 2.0


def test_discriminator_loss_averages_the_sub_discriminators(tmp_path):
    config = toy_hifigan_config(tmp_path, tmp_path)
    fake = [torch.zeros(2, 3), torch.ones(2, 5)]
    real = [torch.ones(2, 3), torch.zeros(2, 5)]
    out = DiscriminatorLoss(config)(fake, real)
    assert out["D_mse_gan_real_loss"].item() == pytest.approx(0.5)
    assert out["D_mse_gan_fake_loss"].item() == pytest.approx(0.5)
    assert out["loss"].item() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"use_hinge_gan_loss": True}, "'use_mse_gan_loss' and 'use_hinge_gan_loss': both are true"),
        ({"l1_spec_loss_params": {"sample_rate": 22050, "n_fft": 256, "hop_length": 64, "win_length": 256}},
         "'l1_spec_loss_params.sample_rate': 22050 differs from audio.sample_rate 8000"),
    ],
)  # fmt: skip
def test_contradicting_loss_fields_are_named(tmp_path, fields, message):
    config = toy_hifigan_config(tmp_path, tmp_path, **fields)
    with pytest.raises(ConfigError, match=message):
        GeneratorLoss(config)
