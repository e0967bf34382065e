"""HiFi-GAN generator: shapes, Coqui's checkpoint layouts (all weight-norm namings), config loading."""

import json
import logging
import math

import pytest
import torch

from TTS.config import ConfigError, load_config
from TTS.utils.restore import RestoreError
from TTS.vocoder.configs import HifiganConfig
from TTS.vocoder.models import setup_model
from TTS.vocoder.models.hifigan_generator import HifiganGenerator

TOY = dict(
    in_channels=8,
    upsample_factors=(4, 2),
    upsample_kernel_sizes=(8, 4),
    upsample_initial_channel=16,
    resblock_kernel_sizes=(3, 5),
    resblock_dilation_sizes=((1, 3, 5), (1, 3, 5)),
)
TOY_TYPE2 = dict(TOY, resblock_type="2", resblock_dilation_sizes=((1, 2), (2, 6)))

# HiFi-GAN V2 as Coqui's generator stores it (vocoder_models/en/ljspeech/hifigan_v2: 80 mels,
# upsample_initial_channel 128, factors [8, 8, 2, 2], kernels [16, 16, 4, 4], resblock type "1" with
# kernels [3, 7, 11], dilations [1, 3, 5]). Layer -> shape of its weight; every layer also has
# weight norm (g of shape (weight.shape[0], 1, 1)) and a bias of the output channels.
V2_LAYERS = {
    "conv_pre": (128, 80, 7),
    "ups.0": (128, 64, 16),  # ConvTranspose1d weights are (in, out, kernel)
    "ups.1": (64, 32, 16),
    "ups.2": (32, 16, 4),
    "ups.3": (16, 8, 4),
    "conv_post": (1, 8, 7),
}
# resblocks[i * 3 + j]: (index, channels, kernel size); each has convs1.{0,1,2} and convs2.{0,1,2}
V2_RESBLOCKS = [
    (0, 64, 3), (1, 64, 7), (2, 64, 11),
    (3, 32, 3), (4, 32, 7), (5, 32, 11),
    (6, 16, 3), (7, 16, 7), (8, 16, 11),
    (9, 8, 3), (10, 8, 7), (11, 8, 11),
]  # fmt: skip


def v2_layers():
    layers = dict(V2_LAYERS)
    for index, channels, kernel in V2_RESBLOCKS:
        for conv in ("convs1", "convs2"):
            for j in range(3):
                layers[f"resblocks.{index}.{conv}.{j}"] = (channels, channels, kernel)
    return layers


def v2_coqui_keys(g="parametrizations.weight.original0", v="parametrizations.weight.original1"):
    """Key -> shape of a V2 generator state dict in Coqui's layout, with weight norm named ``g``/``v``."""
    keys = {}
    for layer, shape in v2_layers().items():
        out_channels = shape[1] if layer.startswith("ups.") else shape[0]
        keys[f"{layer}.bias"] = (out_channels,)
        keys[f"{layer}.{g}"] = (shape[0], 1, 1)
        keys[f"{layer}.{v}"] = shape
    return keys


def toy(**changes):
    torch.manual_seed(0)
    return HifiganGenerator(**dict(TOY, **changes))


def rename_weight_norm(state, g="weight_g", v="weight_v"):
    return {
        k.replace("parametrizations.weight.original0", g).replace("parametrizations.weight.original1", v): t
        for k, t in state.items()
    }


def loaded(tmp_path, checkpoint, name="ckpt.pth", **model_changes):
    path = tmp_path / name
    torch.save(checkpoint, path)
    model = toy(**model_changes)
    torch.manual_seed(1)  # other weights than the source model
    for p in model.parameters():
        p.data.normal_()
    model.load_checkpoint(None, str(path), eval=True)
    return model


MEL = torch.randn(2, 8, 6, generator=torch.Generator().manual_seed(3))


# ---------------------------------------------------------------------- shapes
@pytest.mark.parametrize("kwargs", [TOY, TOY_TYPE2], ids=["resblock1", "resblock2"])
def test_output_length_is_frames_times_hop(kwargs):
    model = HifiganGenerator(**kwargs)
    hop = math.prod(kwargs["upsample_factors"])
    wav = model(MEL)
    assert wav.shape == (2, 1, 6 * hop)
    assert wav.abs().max() <= 1.0
    out = model.inference(MEL)
    assert out.shape == (2, 1, 6 * hop) and out.is_inference()
    # inference = forward over replicate-padded input with the padding's samples cut (Coqui without the cut)
    pad, cut = model.inference_padding, model.inference_padding * hop
    padded = torch.nn.functional.pad(MEL, (pad, pad), mode="replicate")
    torch.testing.assert_close(out, model(padded)[..., cut:-cut])


def test_every_parameter_gets_a_gradient():
    model = toy()
    model(MEL).pow(2).mean().backward()
    dead = [name for name, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not dead


def test_real_size_v2_forward_and_parameter_count():
    model = HifiganGenerator(upsample_initial_channel=128)
    assert {k: tuple(t.shape) for k, t in model.state_dict().items()} == v2_coqui_keys()
    assert model.inference(torch.randn(1, 80, 3)).shape == (1, 1, 3 * 256)
    model.remove_weight_norm()
    # the paper lists V2 at 0.92M parameters (two decimals, truncated)
    assert math.floor(sum(p.numel() for p in model.parameters()) / 1e4) == 92


# ---------------------------------------------------------------------- checkpoints
def test_coqui_gan_checkpoint_loads_generator_and_skips_discriminator(tmp_path, caplog):
    source = toy()
    gan_state = {f"model_g.{k}": t for k, t in source.state_dict().items()}
    gan_state["model_d.mpd.discriminators.0.convs.0.bias"] = torch.zeros(32)
    gan_state["model_d.msd.discriminators.0.conv_post.bias"] = torch.zeros(1)
    with caplog.at_level(logging.INFO, logger="TTS"):
        model = loaded(tmp_path, {"model": gan_state, "step": 10, "config": {}})
    assert model.restore_report.complete
    assert sorted(model.ignored_keys) == sorted(k for k in gan_state if k.startswith("model_d."))
    assert any("skipped 2 discriminator tensors" in r.getMessage() for r in caplog.records)
    # eval folds weight norm into plain weights, and the output is the source model's
    assert "conv_pre.weight" in model.state_dict() and not any("parametrizations" in k for k in model.state_dict())
    assert not model.training
    torch.testing.assert_close(model.inference(MEL), source.inference(MEL))


def test_old_weight_g_weight_v_checkpoint_with_model_disc_loads(tmp_path):
    source = toy()
    old = rename_weight_norm(source.state_dict())
    assert "resblocks.3.convs2.2.weight_g" in old
    model = loaded(tmp_path, {"model": old, "model_disc": {"disc.layers.0.weight": torch.zeros(3)}})
    assert model.restore_report.complete
    assert model.ignored_keys == ["model_disc.disc.layers.0.weight"]
    torch.testing.assert_close(model.inference(MEL), source.inference(MEL))


def test_weight_norm_free_checkpoint_loads_and_round_trips(tmp_path):
    source = toy(**TOY_TYPE2)
    source.remove_weight_norm()
    plain = source.state_dict()
    assert "resblocks.1.convs.1.weight" in plain
    model = loaded(tmp_path, plain, **TOY_TYPE2)  # a bare state dict, into a model with weight norm
    torch.testing.assert_close(model.inference(MEL), source.inference(MEL))
    torch.testing.assert_close(model.state_dict(), plain)


def test_v2_sized_coqui_state_dict_round_trips(tmp_path):
    torch.manual_seed(0)
    coqui = {k: torch.randn(shape) for k, shape in v2_coqui_keys(g="weight_g", v="weight_v").items()}
    path = tmp_path / "v2.pth"
    torch.save({"model": {f"model_g.{k}": t for k, t in coqui.items()}}, path)
    model = HifiganGenerator(upsample_initial_channel=128)
    model.load_checkpoint(None, str(path), eval=False)
    saved = rename_weight_norm(model.state_dict())
    assert saved.keys() == coqui.keys()
    assert all(torch.equal(saved[k], coqui[k]) for k in coqui)


def test_mismatched_checkpoint_names_the_keys(tmp_path):
    wide = toy(upsample_initial_channel=32).state_dict()
    wide["conv_mid.bias"] = torch.zeros(3)
    del wide["conv_post.bias"]
    path = tmp_path / "wide.pth"
    torch.save({"model": wide}, path)
    with pytest.raises(RestoreError) as err:
        toy().load_checkpoint(None, str(path))
    message = str(err.value)
    assert "conv_pre.parametrizations.weight.original1: (16, 8, 7) <- (32, 8, 7)" in message
    assert "conv_post.bias" in message and "conv_mid.bias" in message
    assert str(path) in message


# ---------------------------------------------------------------------- config
COQUI_HIFIGAN_V2_CONFIG = {
    "output_path": "/home/erogol/Models/LJSpeech/",
    "logger_uri": None,
    "run_name": "hifigan_ljspeech",
    "project_name": None,
    "run_description": "HiFi-GAN v2 on LJSpeech",
    "print_step": 25,
    "plot_step": 100,
    "model_param_stats": False,
    "dashboard_logger": "tensorboard",
    "save_step": 10000,
    "checkpoint": True,
    "keep_all_best": False,
    "mixed_precision": False,
    "epochs": 10000,
    "batch_size": 16,
    "eval_batch_size": 16,
    "grad_clip": [5, 5],
    "scheduler_after_epoch": True,
    "lr": 0.0001,
    "optimizer": "AdamW",
    "optimizer_params": {"betas": [0.8, 0.99], "weight_decay": 0.0},
    "lr_scheduler": None,
    "lr_scheduler_params": {},
    "use_grad_scaler": False,
    "cudnn_enable": True,
    "model": "hifigan",
    "num_loader_workers": 8,
    "num_eval_loader_workers": 0,
    "use_noise_augment": False,
    "audio": {
        "fft_size": 1024, "win_length": 1024, "hop_length": 256, "frame_shift_ms": None, "frame_length_ms": None,
        "stft_pad_mode": "reflect", "sample_rate": 22050, "resample": False, "preemphasis": 0.0, "ref_level_db": 20,
        "do_sound_norm": False, "log_func": "np.log10", "do_trim_silence": True, "trim_db": 60.0, "do_rms_norm": False,
        "db_level": None, "power": 1.5, "griffin_lim_iters": 60, "num_mels": 80, "mel_fmin": 0.0, "mel_fmax": 8000.0,
        "spec_gain": 20, "do_amp_to_db_linear": True, "do_amp_to_db_mel": True, "pitch_fmax": 640.0, "pitch_fmin": 1.0,
        "signal_norm": True, "min_level_db": -100, "symmetric_norm": True, "max_norm": 4.0, "clip_norm": True,
        "stats_path": None,
    },  # fmt: skip
    "eval_split_size": 10,
    "data_path": "/home/erogol/Data/LJSpeech-1.1/wavs/",
    "feature_path": None,
    "seq_len": 8192,
    "pad_short": 2000,
    "conv_pad": 0,
    "use_cache": False,
    "wd": 1e-06,
    "use_stft_loss": False,
    "use_subband_stft_loss": False,
    "use_mse_gan_loss": True,
    "use_hinge_gan_loss": False,
    "use_feat_match_loss": True,
    "use_l1_spec_loss": True,
    "stft_loss_weight": 0,
    "subband_stft_loss_weight": 0,
    "mse_G_loss_weight": 1,
    "hinge_G_loss_weight": 0,
    "feat_match_loss_weight": 108,
    "l1_spec_loss_weight": 45,
    "stft_loss_params": {"n_ffts": [1024, 2048, 512], "hop_lengths": [120, 240, 50], "win_lengths": [600, 1200, 240]},
    "l1_spec_loss_params": {
        "use_mel": True, "sample_rate": 22050, "n_fft": 1024, "hop_length": 256, "win_length": 1024, "n_mels": 80,
        "mel_fmin": 0.0, "mel_fmax": None,
    },  # fmt: skip
    "target_loss": "loss_1",
    "lr_gen": 0.0002,
    "lr_disc": 0.0002,
    "lr_scheduler_gen": "ExponentialLR",
    "lr_scheduler_gen_params": {"gamma": 0.999, "last_epoch": -1},
    "lr_scheduler_disc": "ExponentialLR",
    "lr_scheduler_disc_params": {"gamma": 0.999, "last_epoch": -1},
    "use_pqmf": False,
    "steps_to_start_discriminator": 0,
    "diff_samples_for_G_and_D": False,
    "discriminator_model": "hifigan_discriminator",
    "generator_model": "hifigan_generator",
    "generator_model_params": {
        "upsample_factors": [8, 8, 2, 2],
        "upsample_kernel_sizes": [16, 16, 4, 4],
        "upsample_initial_channel": 128,
        "resblock_kernel_sizes": [3, 7, 11],
        "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
        "resblock_type": "1",
        "in_channels": 80,
    },
}


def test_coqui_hifigan_config_json_loads(tmp_path, caplog):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(COQUI_HIFIGAN_V2_CONFIG))
    with caplog.at_level(logging.INFO, logger="TTS.config"):
        config = load_config(path)
    assert isinstance(config, HifiganConfig)
    params = config.generator_model_params
    assert params.upsample_initial_channel == 128 and params.resblock_dilation_sizes == [[1, 3, 5]] * 3
    assert config.audio.mel_fmax == 8000.0 and config.num_input_channels == 80
    unknown = [r.getMessage() for r in caplog.records if "ignoring fields" in r.getMessage()]
    # the GAN training fields are config fields now, kept with the file's values; only old trainer fields drop
    assert len(unknown) == 1 and "discriminator_model" not in unknown[0] and "l1_spec_loss_params" not in unknown[0]
    assert config.discriminator_model == "hifigan_discriminator" and config.seq_len == 8192
    assert config.l1_spec_loss_params["n_mels"] == 80 and config.target_loss == "loss_1" and config.wd == 1e-06
    assert not [r for r in caplog.records if "did you mean" in r.getMessage()]  # none taken for a typo
    model = setup_model(config)
    assert isinstance(model, HifiganGenerator) and model.hop_length == config.audio.hop_length
    assert model.state_dict().keys() == v2_coqui_keys().keys()
    # the fields we keep are saved back as they were
    saved = config.to_dict()
    for key, value in COQUI_HIFIGAN_V2_CONFIG["generator_model_params"].items():
        assert saved["generator_model_params"][key] == value


@pytest.mark.parametrize(
    "params, field",
    [
        ({"resblock_type": "3"}, "'generator_model_params.resblock_type'"),
        ({"upsample_kernel_sizes": [16, 16, 4]}, "'generator_model_params.upsample_kernel_sizes'"),
        ({"upsample_kernel_sizes": [16, 16, 4, 5]}, "'generator_model_params.upsample_kernel_sizes[3]'"),
        (
            {"resblock_dilation_sizes": [[1, 3, 5], [1, 3], [1, 3, 5]]},
            "'generator_model_params.resblock_dilation_sizes[1]'",
        ),
        (  # product 512 != audio.hop_length 256
            {"upsample_factors": [8, 8, 4, 2], "upsample_kernel_sizes": [16, 16, 8, 4]},
            "'generator_model_params.upsample_factors'",
        ),
        ({"upsample_initial_channel": "wide"}, "'generator_model_params.upsample_initial_channel'"),
    ],
)
def test_bad_generator_params_name_the_field(tmp_path, params, field):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model": "hifigan", "generator_model_params": params}))
    with pytest.raises(ConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_other_generators_are_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model": "hifigan", "generator_model": "melgan_generator"}))
    with pytest.raises(ConfigError, match="'generator_model'"):
        load_config(path)
