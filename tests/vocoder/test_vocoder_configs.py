"""Vocoder configs: Coqui's defaults, loading by the ``model`` field, and the hop checks."""

import json

import pytest

from TTS.config import ConfigError, load_config
from TTS.config.shared_configs import BaseAudioConfig
from TTS.vocoder.configs import (
    FullbandMelganConfig,
    HifiganConfig,
    MelganConfig,
    MultibandMelganConfig,
    ParallelWaveganConfig,
    UnivnetConfig,
    WavegradConfig,
)

ALL = [HifiganConfig, MelganConfig, MultibandMelganConfig, FullbandMelganConfig, ParallelWaveganConfig, UnivnetConfig,
       WavegradConfig]  # fmt: skip


@pytest.mark.parametrize("cls", ALL)
def test_config_round_trips_through_load_config(cls, tmp_path):
    config = cls()
    config.check_values()
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    loaded = load_config(path)
    assert type(loaded) is cls and loaded.to_dict() == config.to_dict()


def test_coqui_defaults():
    assert MelganConfig().generator_model_params == {"upsample_factors": [8, 8, 2, 2], "num_res_blocks": 3}
    mb = MultibandMelganConfig()
    assert mb.use_pqmf and mb.steps_to_start_discriminator == 200000 and mb.lr_scheduler_gen == "MultiStepLR"
    assert FullbandMelganConfig().generator_model == "melgan_generator"
    pwg = ParallelWaveganConfig()
    assert pwg.target_loss == "loss_1" and not pwg.scheduler_after_epoch and pwg.seq_len == 25600
    assert UnivnetConfig().lr_scheduler_gen is None and UnivnetConfig().optimizer_params["betas"] == [0.5, 0.9]
    wg = WavegradConfig()
    assert wg.test_noise_schedule["num_steps"] == 50 and wg.train_noise_schedule["num_steps"] == 1000
    assert wg.model_params.x_conv_channels == 768
    hifi = HifiganConfig()
    assert hifi.feat_match_loss_weight == 108 and hifi.l1_spec_loss_weight == 45 and hifi.grad_clip == [5, 5]
    assert hifi.lr_gen == 0.0002 and hifi.discriminator_model == "hifigan_discriminator"


def test_univnet_cond_channels_follow_num_mels():
    config = UnivnetConfig(audio=BaseAudioConfig(num_mels=64))
    assert config.generator_model_params["cond_channels"] == 64


@pytest.mark.parametrize(
    "cls, data, field",
    [
        (MelganConfig, {"generator_model_params": {"upsample_factors": [8, 8, 2], "num_res_blocks": 3}},
         "generator_model_params.upsample_factors"),
        (MultibandMelganConfig, {"generator_model_params": {"upsample_factors": [8, 8, 2, 2], "num_res_blocks": 4}},
         "generator_model_params.upsample_factors"),
        (MelganConfig, {"generator_model": "melgen_generator"}, "generator_model"),
        (ParallelWaveganConfig, {"generator_model_params": {"upsample_factors": [4, 4, 4, 4], "stacks": 4,
                                                            "num_res_blocks": 30}},
         "generator_model_params.num_res_blocks"),
        (WavegradConfig, {"model_params": {"upsample_factors": [4, 4, 4, 2]}}, "model_params.upsample_dilations"),
    ],
)  # fmt: skip
def test_bad_generator_sizes_name_the_field(cls, data, field, tmp_path):
    config = cls().to_dict()
    for key, value in data.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    with pytest.raises(ConfigError, match=f"'{field}"):
        load_config(path)
