"""The MelGAN family, Parallel WaveGAN, UnivNet and WaveGrad generators: Coqui's fixtures, keys, shapes, noise draws.

Toy sizes everywhere except the two fixture tests, which rebuild Coqui's default-size checkpoints.
"""

import json
import math

import numpy as np
import pytest
import torch

from TTS.config import load_config
from TTS.vocoder.configs import (
    FullbandMelganConfig,
    MelganConfig,
    MultibandMelganConfig,
    ParallelWaveganConfig,
    UnivnetConfig,
    WavegradConfig,
)
from TTS.vocoder.layers.pqmf import PQMF
from TTS.vocoder.models import GENERATORS, setup_model
from TTS.vocoder.models.base_generator import BaseGenerator
from TTS.vocoder.models.melgan_generator import MelganGenerator
from TTS.vocoder.models.multiband_melgan_generator import MultibandMelganGenerator
from TTS.vocoder.models.parallel_wavegan_generator import ParallelWaveganGenerator
from TTS.vocoder.models.univnet_generator import UnivnetGenerator
from TTS.vocoder.models.wavegrad import Wavegrad, WavegradArgs

pytestmark = pytest.mark.usefixtures("one_thread_and_seed")

MEL = torch.randn(2, 8, 6, generator=torch.Generator().manual_seed(3))


def toy_melgan(**kwargs) -> MelganGenerator:
    return MelganGenerator(in_channels=8, base_channels=16, upsample_factors=(4, 2), num_res_blocks=2, **kwargs)


def toy_multiband() -> MultibandMelganGenerator:
    return MultibandMelganGenerator(in_channels=8, base_channels=16, upsample_factors=(2, 2), num_res_blocks=2)


def toy_pwgan() -> ParallelWaveganGenerator:
    return ParallelWaveganGenerator(
        num_res_blocks=4, stacks=2, res_channels=8, gate_channels=16, skip_channels=8, aux_channels=8,
        upsample_factors=(2, 4),
    )  # fmt: skip


def toy_univnet() -> UnivnetGenerator:
    return UnivnetGenerator(
        in_channels=4, hidden_channels=4, cond_channels=8, upsample_factors=(2, 4), lvc_layers_each_block=2,
        kpnet_hidden_channels=8,
    )  # fmt: skip


def toy_wavegrad() -> Wavegrad:
    args = WavegradArgs(
        in_channels=8, y_conv_channels=4, x_conv_channels=8, dblock_out_channels=[4], ublock_out_channels=[8, 4],
        upsample_factors=[4, 2], upsample_dilations=[[1, 2, 1, 2], [1, 2, 4, 8]],
    )  # fmt: skip
    model = Wavegrad(WavegradConfig(model_params=args))
    model.compute_noise_level(np.linspace(1e-4, 0.05, 4))
    return model


TOYS = {"melgan": toy_melgan, "multiband": toy_multiband, "pwgan": toy_pwgan, "univnet": toy_univnet,
        "wavegrad": toy_wavegrad}  # fmt: skip


# ---------------------------------------------------------------------- Coqui's fixtures
@pytest.mark.slow
@pytest.mark.parametrize("name", ["v_hifigan", "v_fullband_melgan"])
def test_coqui_fixture_waveform(name, coqui_fixtures, coqui_checkpoint):
    folder = coqui_fixtures / name
    config = load_config(folder / "config.json")
    model = setup_model(config)
    model.load_checkpoint(config, str(coqui_checkpoint(name)), eval=True)
    refs = np.load(folder / "refs.npz")
    wav = model.waveform(torch.from_numpy(refs["mel"])).numpy()
    ref = refs["wav"]
    cut = (ref.shape[-1] - wav.shape[-1]) // 2
    assert wav.shape[-1] == refs["mel"].shape[-1] * config.audio.hop_length and cut > 0
    centre = ref[..., cut : ref.shape[-1] - cut]
    assert np.abs(centre - wav).max() <= 1e-4 * max(1.0, float(np.abs(ref).max()))


# ---------------------------------------------------------------------- shapes and padding
@pytest.mark.parametrize("name", sorted(TOYS))
def test_inference_and_waveform_lengths(name):
    model = TOYS[name]().eval()
    frames = MEL.shape[-1]
    wav = model.inference(MEL)
    pad = model.inference_padding
    assert wav.shape == (2, 1, (frames + 2 * pad) * model.hop_length)
    assert model.waveform(MEL).shape == (2, 1, frames * model.hop_length)
    assert torch.isfinite(wav).all()


def test_waveform_is_the_centre_of_inference():
    model = toy_melgan().eval()
    full = model.inference(MEL)
    cut = model.inference_padding * model.hop_length
    torch.testing.assert_close(model.waveform(MEL), full[..., cut:-cut])


def test_multiband_joins_four_bands_with_pqmf():
    model = toy_multiband().eval()
    assert model.hop_length == 4 * 4
    bands = model.forward(MEL)
    assert bands.shape == (2, 4, MEL.shape[-1] * 4)
    assert {"pqmf_layer.H", "pqmf_layer.G", "pqmf_layer.updown_filter"} <= set(model.state_dict())


def test_pqmf_round_trip_keeps_the_signal_energy():
    pqmf = PQMF(N=4, taps=62, cutoff=0.15, beta=9.0)
    t = torch.arange(4096) / 22050
    wav = (0.5 * torch.sin(2 * math.pi * 440 * t) + 0.2 * torch.sin(2 * math.pi * 2500 * t))[None, None]
    bands = pqmf.analysis(wav)
    assert bands.shape == (1, 4, 1024) and pqmf.H.shape == (4, 1, 63) and pqmf.G.shape == (1, 4, 63)
    back = pqmf.synthesis(bands)
    assert back.shape == wav.shape
    assert 0.9 < float(back[..., 200:-200].std() / wav[..., 200:-200].std()) < 1.1
    # band 0 holds the 440 Hz tone, the top band next to nothing of it
    assert bands[0, 0].std() > 10 * bands[0, 3].std()


# ---------------------------------------------------------------------- checkpoint keys (Coqui's names)
def test_melgan_keys():
    keys = set(toy_melgan().state_dict())
    assert "layers.1.parametrizations.weight.original0" in keys
    assert "layers.3.parametrizations.weight.original1" in keys  # first transposed convolution
    assert "layers.4.blocks.1.2.parametrizations.weight.original0" in keys  # dilated conv of the 2nd block
    assert "layers.4.shortcuts.0.bias" in keys
    assert "layers.10.parametrizations.weight.original0" in keys  # output convolution (after lrelu and pad)


def test_pwgan_keys_and_receptive_field():
    model = toy_pwgan()
    keys = set(model.state_dict())
    for key in ("first_conv.parametrizations.weight.original0", "upsample_net.conv_in.parametrizations.weight.original0",
                "upsample_net.upsample.up_layers.3.parametrizations.weight.original1",
                "conv_layers.3.conv1x1_aux.parametrizations.weight.original0", "conv_layers.0.conv1x1_skip.bias",
                "last_conv_layers.3.bias"):  # fmt: skip
        assert key in keys, key
    assert not any(k.startswith("conv_layers.0.conv1x1_aux.bias") for k in keys)
    assert model.receptive_field_size == 2 * (1 + 2 + 1 + 2) + 1


def test_univnet_keys():
    keys = set(toy_univnet().state_dict())
    for key in ("first_conv.parametrizations.weight.original0", "lvc_blocks.0.upsample.weight",
                "lvc_blocks.1.kernel_predictor.input_conv.0.parametrizations.weight.original0",
                "lvc_blocks.1.kernel_predictor.residual_conv.13.bias",
                "lvc_blocks.0.kernel_predictor.kernel_conv.parametrizations.weight.original1",
                "lvc_blocks.0.convs.1.bias", "last_conv_layers.0.parametrizations.weight.original0"):  # fmt: skip
        assert key in keys, key


def test_wavegrad_keys():
    keys = set(toy_wavegrad().state_dict())
    for key in ("y_conv.weight", "x_conv.bias", "out_conv.weight", "dblocks.0.res_block.weight",
                "dblocks.0.main_block.2.weight", "film.1.input_conv.weight", "film.0.output_conv.bias",
                "ublocks.1.out_block.1.weight"):  # fmt: skip
        assert key in keys, key


# ---------------------------------------------------------------------- noise draws
@pytest.mark.parametrize("name, shape", [("pwgan", lambda m, t: (2, 1, t * m.hop_length)),
                                         ("univnet", lambda m, t: (2, m.in_channels, t))])  # fmt: skip
def test_noise_is_one_randn_of_coquis_shape(name, shape, monkeypatch):
    model = TOYS[name]().eval()
    shapes = []
    real_randn = torch.randn

    def recording_randn(*args, **kwargs):
        shapes.append(tuple(args[0]) if len(args) == 1 else tuple(args))
        return real_randn(*args, **kwargs)

    monkeypatch.setattr(torch, "randn", recording_randn)
    model.forward(MEL)
    assert shapes == [shape(model, MEL.shape[-1])]


@pytest.mark.parametrize("name", ["pwgan", "univnet", "wavegrad"])
def test_a_fixed_seed_gives_the_same_waveform(name):
    model = TOYS[name]().eval()
    torch.manual_seed(5)
    first = model.inference(MEL)
    torch.manual_seed(5)
    again = model.inference(MEL)
    torch.manual_seed(6)
    other = model.inference(MEL)
    assert torch.equal(first, again) and not torch.equal(first, other)


# ---------------------------------------------------------------------- checkpoint layouts
def _rename(state, g, v):
    out = {}
    for key, tensor in state.items():
        key = key.replace(".parametrizations.weight.original0", g).replace(".parametrizations.weight.original1", v)
        out[key] = tensor
    return out


@pytest.mark.parametrize("name", ["melgan", "pwgan", "univnet"])
def test_old_weight_norm_names_and_model_disc_load(name, tmp_path):
    source = TOYS[name]().eval()
    old = _rename(source.state_dict(), ".weight_g", ".weight_v")
    path = tmp_path / "old.pth"
    torch.save({"model": old, "model_disc": {"layers.0.weight": torch.zeros(2)}}, path)
    model = TOYS[name]()
    model.load_checkpoint(None, str(path), eval=True)
    assert model.restore_report.complete and model.ignored_keys == ["model_disc.layers.0.weight"]
    assert not any("parametrizations" in key for key in model.state_dict())
    torch.manual_seed(1)
    expected = source.inference(MEL)
    torch.manual_seed(1)
    torch.testing.assert_close(model.inference(MEL), expected)


def test_gan_checkpoint_skips_the_discriminator(tmp_path):
    source = toy_multiband()
    gan = {f"model_g.{k}": t for k, t in source.state_dict().items()}
    gan["model_d.discriminators.0.layers.0.weight"] = torch.zeros(3)
    path = tmp_path / "gan.pth"
    torch.save({"model": gan}, path)
    model = toy_multiband()
    model.load_checkpoint(None, str(path), eval=True)
    assert model.ignored_keys == ["model_d.discriminators.0.layers.0.weight"]
    torch.testing.assert_close(model.waveform(MEL), source.eval().waveform(MEL))


def test_wavegrad_schedules_follow_the_load_mode(tmp_path):
    source = toy_wavegrad()
    path = tmp_path / "wavegrad.pth"
    torch.save({"model": source.state_dict()}, path)
    config = source.config
    config.train_noise_schedule = {"min_val": 1e-6, "max_val": 1e-2, "num_steps": 7}
    config.test_noise_schedule = {"min_val": 1e-6, "max_val": 1e-2, "num_steps": 3}
    model = Wavegrad(config)
    model.load_checkpoint(config, str(path), eval=False)
    assert model.num_steps == 7
    model.load_checkpoint(config, str(path), eval=True)
    assert model.num_steps == 3 and model.sigma.shape == (2,)
    torch.testing.assert_close(model.beta, torch.linspace(1e-6, 1e-2, 3))


# ---------------------------------------------------------------------- configs -> generators
@pytest.mark.parametrize(
    "cls, generator",
    [(MelganConfig, MelganGenerator), (MultibandMelganConfig, MultibandMelganGenerator),
     (FullbandMelganConfig, MelganGenerator), (ParallelWaveganConfig, ParallelWaveganGenerator),
     (UnivnetConfig, UnivnetGenerator), (WavegradConfig, Wavegrad)],
)  # fmt: skip
def test_setup_model_builds_the_configs_generator_with_its_hop(cls, generator, tmp_path):
    config = cls()
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    model = setup_model(load_config(path))
    assert type(model) is generator and isinstance(model, BaseGenerator)
    assert model.hop_length == config.audio.hop_length


def test_registry_names_coquis_generators():
    assert set(GENERATORS) == {"hifigan_generator", "melgan_generator", "fullband_melgan_generator",
                               "multiband_melgan_generator", "parallel_wavegan_generator", "univnet_generator",
                               "wavegrad"}  # fmt: skip
