"""Discriminators of GAN vocoder training: output shapes, and Coqui's state-dict keys (``model_d.*``)."""

import json

import pytest
import torch

from TTS.config import ConfigError
from TTS.vocoder.models import setup_discriminator
from TTS.vocoder.models.hifigan_discriminator import HifiganDiscriminator
from TTS.vocoder.models.melgan_discriminator import MelganDiscriminator
from TTS.vocoder.models.melgan_multiscale_discriminator import MelganMultiscaleDiscriminator


def fixture_discriminator_shapes(coqui_fixtures, name):
    manifest = json.loads((coqui_fixtures / name / "manifest.json").read_text())["state_dict"]
    return {key[len("model_d.") :]: tuple(v["shape"]) for key, v in manifest.items() if key.startswith("model_d.")}


def shapes(module):
    return {key: tuple(tensor.shape) for key, tensor in module.state_dict().items()}


def test_hifigan_discriminator_has_coquis_keys_and_shapes(coqui_fixtures):
    expected = fixture_discriminator_shapes(coqui_fixtures, "v_hifigan")
    assert len(expected) == 170
    assert shapes(HifiganDiscriminator()) == expected
    # the first scale discriminator is spectrally normalised in torch's original form
    assert "msd.discriminators.0.convs.0.weight_orig" in expected


def test_melgan_multiscale_discriminator_has_coquis_keys_and_shapes(coqui_fixtures):
    expected = fixture_discriminator_shapes(coqui_fixtures, "v_fullband_melgan")
    config = json.loads((coqui_fixtures / "v_fullband_melgan" / "config.json").read_text())
    model = MelganMultiscaleDiscriminator(**config["discriminator_model_params"])
    assert shapes(model) == expected


def test_hifigan_discriminator_scores_and_features(one_thread_and_seed):
    model = HifiganDiscriminator(
        periods=[2, 3], period_channels=[4, 8], num_scales=2, scale_layers=[[8, 15, 1, 1], [8, 41, 4, 4]]
    )
    scores, feats = model(torch.randn(3, 1, 1001))  # not a multiple of the periods: padded
    assert len(scores) == len(feats) == 4
    for period, score, feat in zip([2, 3], scores[:2], feats[:2]):
        assert len(feat) == 4  # 2 strided + 1 plain convolution + conv_post
        assert feat[0].shape[0] == 3 and feat[0].shape[-1] == period
        assert score.shape == (3, feat[-1].shape[2] * period)
    assert [f[-1].shape[-1] for f in feats[2:]] == [251, 126]  # 1001 -> /4, then the pooled half
    assert all(len(f) == 3 for f in feats[2:])
    scores[0].sum().backward()  # gradients flow to the waveform-side weights


def test_melgan_discriminators_score_every_scale(one_thread_and_seed):
    single = MelganDiscriminator(base_channels=4, max_channels=16, downsample_factors=(4, 4))
    score, feats = single(torch.randn(2, 1, 512))
    assert score.shape == (2, 1, 32) and len(feats) == 5
    multi = MelganMultiscaleDiscriminator(base_channels=4, max_channels=16, downsample_factors=(4,))
    scores, feats = multi(torch.randn(2, 1, 512))
    assert [s.shape for s in scores] == [(2, 1, 128), (2, 1, 65), (2, 1, 33)]
    assert len(feats) == 3 and all(len(f) == 4 for f in feats)


class _Config:
    def __init__(self, name, params):
        self.discriminator_model, self.discriminator_model_params = name, params


def test_setup_discriminator_takes_the_configs_params_and_names_bad_ones():
    model = setup_discriminator(
        _Config("MelGAN_multiscale_discriminator", {"base_channels": 4, "max_channels": 8, "downsample_factors": [4]})
    )
    assert isinstance(model, MelganMultiscaleDiscriminator)
    assert model.discriminators[0].layers[0][1].out_channels == 4
    with pytest.raises(ConfigError, match="'discriminator_model_params': base_chanels not taken by melgan_multiscale"):
        setup_discriminator(_Config("melgan_multiscale_discriminator", {"base_chanels": 4}))
    with pytest.raises(ConfigError, match="'discriminator_model': 'univnet_discriminator' cannot be trained here"):
        setup_discriminator(_Config("univnet_discriminator", {}))
