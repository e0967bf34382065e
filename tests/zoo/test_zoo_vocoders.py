"""Every default vocoder of the zoo's Tacotron2 entries, through the CLI, from a local mirror of the zoo.

Coqui-layout zips (``config.json`` + ``model_file.pth`` with ``model_g.``/``model_d.`` keys) are served on
127.0.0.1 under the real zoo names; ``TTS_MODELS_FILE`` points at a registry naming them.
"""

import json
import math

import pytest
import soundfile as sf
import torch

from TTS.config.shared_configs import BaseAudioConfig
from TTS.zoo.registry import REGISTRY_PATH, iter_models, load_registry
from TTS.vocoder.configs import (
    FullbandMelganConfig,
    HifiganConfig,
    HifiganGeneratorParams,
    ParallelWaveganConfig,
    UnivnetConfig,
    WavegradArgs,
    WavegradConfig,
)
from TTS.vocoder.models import setup_model as setup_vocoder_model

from helpers.cli import one_error_line, release_zip
from helpers.toy_models import write_toy_model

ES_MAI = "tts_models/es/mai/tacotron2-DDC"


def small_vocoder_config(name: str, audio: BaseAudioConfig):
    """A small config of the architecture a zoo vocoder name stands for (its last part), for ``audio``."""
    kind = name.rsplit("/", 1)[1]
    if kind.startswith("hifigan"):
        params = HifiganGeneratorParams(upsample_initial_channel=32, resblock_kernel_sizes=[3],
                                        resblock_dilation_sizes=[[1, 3, 5]])  # fmt: skip
        return HifiganConfig(audio=audio, generator_model_params=params)
    if kind == "fullband-melgan":
        return FullbandMelganConfig(audio=audio, generator_model_params={"upsample_factors": [8, 8, 2, 2],
                                                                         "num_res_blocks": 1})  # fmt: skip
    if kind == "parallel-wavegan":
        return ParallelWaveganConfig(audio=audio, generator_model_params={"upsample_factors": [4, 4, 4, 4],
                                                                          "stacks": 1, "num_res_blocks": 2})  # fmt: skip
    if kind == "univnet":
        config = UnivnetConfig(audio=audio)
        config.generator_model_params.update(hidden_channels=4, lvc_layers_each_block=1, kpnet_hidden_channels=8)
        return config
    if kind == "wavegrad":
        args = WavegradArgs(y_conv_channels=4, x_conv_channels=8, dblock_out_channels=[4, 4, 4, 8],
                            ublock_out_channels=[8, 8, 4, 4, 4])  # fmt: skip
        return WavegradConfig(audio=audio, model_params=args,
                              test_noise_schedule={"min_val": 1e-4, "max_val": 0.05, "num_steps": 2})  # fmt: skip
    raise AssertionError(f"no small config for {name}: add one when the zoo gets a new default vocoder")


def zoo_default_vocoders():
    """The default vocoders of the packaged registry's Tacotron2 entries (the names the zoo really uses)."""
    entries = dict(iter_models(load_registry(REGISTRY_PATH)))
    return sorted({e["default_vocoder"] for n, e in entries.items() if "tacotron2" in n and e.get("default_vocoder")})


def write_vocoder(folder, config, *, gan: bool = True):
    """A Coqui-layout vocoder: ``config.json`` and ``model_file.pth`` (GAN checkpoints carry a discriminator key)."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    state = setup_vocoder_model(config).state_dict()
    if gan:
        state = {**{f"model_g.{k}": t for k, t in state.items()}, "model_d.layers.0.weight": torch.zeros(2)}
    torch.save({"model": state, "step": 1}, folder / "model_file.pth")
    (folder / "config.json").write_text(json.dumps(config.to_dict()))
    return folder / "model_file.pth", folder / "config.json"


def serve(www, url, tmp_path, monkeypatch, tts_name, tts_files, vocoders):
    """Zip the TTS model and the vocoders into ``www`` and point ``TTS_MODELS_FILE`` at a registry of them."""
    registry = {"tts_models": {}, "vocoder_models": {}}

    def add(name, files, **extra):
        zip_name = name.replace("/", "--") + ".zip"
        release_zip(www / zip_name, {"model_file.pth": files[0], "config.json": files[1]})
        kind, lang, dataset, model = name.split("/")
        entry = {"description": "served locally", "license": "MPL", "github_rls_url": f"{url}/{zip_name}", **extra}
        registry[kind].setdefault(lang, {}).setdefault(dataset, {})[model] = entry

    for name, files in vocoders.items():
        add(name, files)
    add(tts_name, tts_files, default_vocoder=next(iter(vocoders)))
    (tmp_path / "models.json").write_text(json.dumps(registry))
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.json"))


@pytest.mark.slow
def test_es_mai_uses_its_default_fullband_melgan(cli, zoo, coqui_fixtures, coqui_checkpoint, tmp_path, monkeypatch):
    """The mission's command: Coqui's fixture full-band MelGAN (a real Coqui GAN checkpoint) behind es/mai."""
    www, url, _ = zoo
    tts = write_toy_model(tmp_path / "tts", stop_threshold=0.0, audio=BaseAudioConfig(sample_rate=16000))
    fullband = (coqui_checkpoint("v_fullband_melgan"), coqui_fixtures / "v_fullband_melgan" / "config.json")
    serve(www, url, tmp_path, monkeypatch, ES_MAI, tts,
          {"vocoder_models/universal/libri-tts/fullband-melgan": fullband})  # fmt: skip
    out = tmp_path / "hola.wav"
    code, _, err = cli("--model_name", ES_MAI, "--text", "Hola.", "--out_path", out, "--no-progress_bar", "-v")
    assert code == 0, err
    assert "griffin" not in err.lower(), err
    assert "fullband-melgan" in err and "vocoder" in err  # the default vocoder was downloaded and loaded
    wav, rate = sf.read(out)
    assert rate == 22050 and wav.size > 0  # the vocoder's rate: the 16 kHz mel was stretched to 22.05 kHz frames


@pytest.mark.slow
@pytest.mark.parametrize("vocoder_name", zoo_default_vocoders())
def test_every_zoo_default_vocoder_loads_by_name_and_by_path(cli, zoo, tmp_path, monkeypatch, vocoder_name):
    www, url, _ = zoo
    tts = write_toy_model(tmp_path / "tts", stop_threshold=0.0)
    config = small_vocoder_config(vocoder_name, BaseAudioConfig(sample_rate=24000))
    vocoder = write_vocoder(tmp_path / "vocoder", config, gan=not isinstance(config, WavegradConfig))
    serve(www, url, tmp_path, monkeypatch, "tts_models/en/test/tacotron2-DDC", tts, {vocoder_name: vocoder})
    runs = {
        "default": ["--model_name", "tts_models/en/test/tacotron2-DDC"],
        "name": ["--model_name", "tts_models/en/test/tacotron2-DDC", "--vocoder_name", vocoder_name],
        "path": ["--model_path", tts[0], "--config_path", tts[1], "--vocoder_path", vocoder[0],
                 "--vocoder_config_path", vocoder[1]],
    }  # fmt: skip
    lengths = {}
    for how, argv in runs.items():
        out = tmp_path / f"{how}.wav"
        code, _, err = cli(*argv, "--text", "Hi.", "--out_path", out, "--no-progress_bar")
        assert code == 0, f"{how}: {err}"
        assert "griffin" not in err.lower(), f"{how}: {err}"
        wav, rate = sf.read(out)
        assert rate == 24000, how
        lengths[how] = wav.size
    assert len(set(lengths.values())) == 1, lengths  # the same model and vocoder each way


def test_all_zoo_default_vocoders_are_covered():
    names = zoo_default_vocoders()
    assert len(names) >= 6
    for name in names:
        assert small_vocoder_config(name, BaseAudioConfig()).audio.num_mels == 80


def test_a_vocoder_of_other_mel_bands_is_one_line_naming_both_configs(cli, tmp_path):
    tts = write_toy_model(tmp_path / "tts", stop_threshold=0.0)
    config = small_vocoder_config("vocoder_models/x/y/hifigan_v1", BaseAudioConfig(num_mels=64))
    vocoder = write_vocoder(tmp_path / "vocoder", config)
    code, _, err = cli("--model_path", tts[0], "--config_path", tts[1], "--vocoder_path", vocoder[0],
                       "--vocoder_config_path", vocoder[1], "--text", "Hi.", "--out_path", tmp_path / "o.wav")  # fmt: skip
    line = one_error_line(err)
    assert code == 1 and "64 mel bands" in line and "makes 80" in line
    assert str(vocoder[1]) in line and str(tts[1]) in line


def test_sample_rate_stretch_is_coquis_bilinear(tmp_path):
    from TTS.vocoder.utils.generic_utils import interpolate_vocoder_input

    spec = torch.arange(80 * 10, dtype=torch.float32).reshape(80, 10)
    out = interpolate_vocoder_input([1, 24000 / 16000], spec.numpy())
    assert out.shape == (1, 80, math.floor(10 * 1.5))
    # rows (mel bands) are left alone; each row is interpolated along time with the recomputed scale
    expected = torch.nn.functional.interpolate(spec[:, None], size=15, mode="linear", align_corners=False)[:, 0]
    torch.testing.assert_close(out[0], expected)
