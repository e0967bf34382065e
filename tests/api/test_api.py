"""The Python API ``TTS.api.TTS`` on toy models loaded by path (zoo names: see test_cli's zoo tests)."""

import io
import json
import os
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from TTS.api import TTS, default_model_name
from TTS.utils.manage import ModelManager
from TTS.zoo.registry import REGISTRY_PATH, iter_models, load_registry
from TTS.utils.synthesizer import SynthesisError

from helpers.toy_models import write_toy_model

pytestmark = pytest.mark.usefixtures("isolated_zoo", "one_thread")


@pytest.fixture
def toy_paths(tmp_path):
    return write_toy_model(tmp_path / "toy", max_decoder_steps=5)


def test_load_by_path_and_synthesise(toy_paths, tmp_path):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    assert tts.to("cpu") is tts
    assert tts.model_name is None and tts.speakers is None and not tts.is_multi_speaker
    assert tts.languages is None and not tts.is_multi_lingual
    assert tts.output_sample_rate == 22050
    wav = tts.tts("Hello there. Bye.")
    assert isinstance(wav, list) and all(isinstance(x, float) for x in wav[:10]) and len(wav) > 0
    assert tts.tts_to_file(text="Hello there.", file_path=tmp_path / "out.wav") == tmp_path / "out.wav"
    data, sr = sf.read(tmp_path / "out.wav")
    assert sr == 22050 and data.size > 0


def test_batch_option_gives_the_same_audio(toy_paths):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    text = "Hello there. The quick brown fox jumps. Short. A longer sentence with more words in it."
    tts.synthesizer.tts_model.decoder.max_decoder_steps = 10_000
    tts.synthesizer.max_seconds_per_token = 0.02
    np.random.seed(0)
    one_by_one = np.asarray(tts.tts(text))
    np.random.seed(0)
    batched = np.asarray(tts.tts(text, batch_size=4))
    assert batched.shape == one_by_one.shape
    assert np.abs(batched - one_by_one).max() < 1e-5


def test_multi_speaker_model(tmp_path):
    model_path, config_path = write_toy_model(tmp_path, speakers=["ada", "bo"])
    tts = TTS(model_path=model_path, config_path=config_path)
    assert tts.speakers == ["ada", "bo"] and tts.is_multi_speaker
    assert len(tts.tts("Hello.", speaker="ada")) > 0
    with pytest.raises(SynthesisError, match="choose a speaker"):
        tts.tts("Hello.")


def test_list_models_lists_the_registry():
    names = [name for name, _ in iter_models(load_registry(REGISTRY_PATH))]
    assert TTS.list_models() == names
    assert "tts_models/en/ljspeech/tacotron2-DDC" in names


def test_default_model_name(tmp_path):
    assert default_model_name(ModelManager(models_file=REGISTRY_PATH)) == "tts_models/en/kumo/tacotron2-DDC"
    registry = {
        "tts_models": {
            "en": {"x": {"y": {"description": "d", "license": "l", "github_rls_url": "http://127.0.0.1:9/y.zip"}}}
        },
        "vocoder_models": {},
    }
    (tmp_path / "models.json").write_text(json.dumps(registry))
    with pytest.raises(SynthesisError, match="marks no default model"):
        default_model_name(ModelManager(models_file=tmp_path / "models.json"))


def test_argument_errors(toy_paths, tmp_path):
    model_path, config_path = toy_paths
    with pytest.raises(SynthesisError, match="needs its config"):
        TTS(model_path=model_path)
    with pytest.raises(SynthesisError, match="not both"):
        TTS("tts_models/en/ljspeech/tacotron2-DDC", model_path=model_path, config_path=config_path)
    with pytest.raises(FileNotFoundError, match="model file not found"):
        TTS(model_path=tmp_path / "missing.pth", config_path=config_path)
    with pytest.raises(SynthesisError, match="vocoder_config_path"):
        TTS(model_path=model_path, config_path=config_path, vocoder_path=model_path)
    with pytest.raises(SynthesisError, match="not a TTS model name"):
        TTS("vocoder_models/en/ljspeech/hifigan_v2")


@pytest.mark.parametrize(
    "text, message",
    [
        (None, "text must be a str, got None"),
        (123, "text must be a str, got int"),
        (b"Hello.", r"got bytes; decode it first: text.decode\('utf-8'\)"),
        (["Hello.", "Bye."], "got list; join the sentences"),
    ],
)
def test_text_of_the_wrong_type_is_a_clear_type_error(toy_paths, text, message):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    with pytest.raises(TypeError, match=message):
        tts.tts(text)
    with pytest.raises(TypeError, match=message):
        tts.tts_to_file(text)


def test_other_arguments_of_the_wrong_type_or_value(toy_paths, tmp_path):
    with pytest.raises(TypeError, match="model_name must be a str, got int"):
        TTS(3)
    with pytest.raises(TypeError, match="config_path must be a path"):
        TTS(model_path=toy_paths[0], config_path=5)
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    with pytest.raises(TypeError, match=r"batch_size must be an int, got str \('2'\)"):
        tts.tts("Hi.", batch_size="2")
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        tts.tts("Hi.", batch_size=0)
    with pytest.raises(TypeError, match="speaker must be a str or None, got int"):
        tts.tts("Hi.", speaker=1)
    with pytest.raises(TypeError, match="split_sentences must be True or False"):
        tts.tts("Hi.", split_sentences="no")


def test_tts_to_file_checks_the_path_before_synthesis(toy_paths, tmp_path, monkeypatch):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    monkeypatch.setattr(tts.synthesizer, "tts", lambda *a, **k: pytest.fail("synthesised for a bad path"))
    with pytest.raises(ValueError, match="file_path is None and there is no pipe_out"):
        tts.tts_to_file("Hi.", file_path=None)
    with pytest.raises(SynthesisError, match="is a folder"):
        tts.tts_to_file("Hi.", file_path=tmp_path)
    with pytest.raises(SynthesisError, match="folder .* does not exist"):
        tts.tts_to_file("Hi.", file_path=tmp_path / "nope" / "x.wav")
    before = toy_paths[1].read_bytes()
    with pytest.raises(SynthesisError, match="is the model's config"):
        tts.tts_to_file("Hi.", file_path=toy_paths[1])
    assert toy_paths[1].read_bytes() == before


def test_tts_to_file_defaults_to_output_wav(toy_paths, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    assert tts.tts_to_file("Hi.") == "output.wav"
    assert sf.read(tmp_path / "output.wav")[0].size > 0


def test_tts_to_file_keeps_the_old_file_when_the_write_fails(toy_paths, tmp_path, failing_wav_write):
    interruption = failing_wav_write
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    out = tmp_path / "out" / "o.wav"
    out.parent.mkdir()
    out.write_bytes(b"the old recording")

    with pytest.raises(type(interruption)):
        tts.tts_to_file("Hi.", file_path=out)
    assert out.read_bytes() == b"the old recording"
    assert os.listdir(out.parent) == ["o.wav"]


# ---------------------------------------------------------------------------- audit findings
def test_a_vocoder_config_or_a_folder_as_the_model_is_a_clear_error(toy_paths, tmp_path):
    (tmp_path / "hifi.json").write_text(json.dumps({"model": "hifigan"}))
    with pytest.raises(ValueError, match=r"hifi\.json is a vocoder config \(hifigan\), not a TTS model config"):
        TTS(model_path=toy_paths[0], config_path=tmp_path / "hifi.json")
    with pytest.raises(SynthesisError, match="model file .* is a folder, not a file"):
        TTS(model_path=tmp_path, config_path=toy_paths[1])
    with pytest.raises(SynthesisError, match="config file .* is a folder, not a file"):
        TTS(model_path=toy_paths[0], config_path=tmp_path)


def test_to_a_device_this_machine_lacks_is_the_cli_s_one_line_value_error(toy_paths):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    with pytest.raises(ValueError, match=r"^device 'nonsense' is not a torch device; use cpu, cuda, cuda:N or mps$"):
        tts.to("nonsense")
    with pytest.raises(ValueError, match=r"^device 'xpu' is not supported"):
        tts.to("xpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"^device 'cuda': device cuda is not available on this machine; use cpu$"):
            tts.to("cuda")
    assert tts.to(torch.device("cpu")) is tts and tts.to(device="cpu") is tts


@pytest.mark.parametrize("pipe_out", [io.StringIO(), sys.stdout], ids=["StringIO", "sys.stdout"])
def test_a_text_stream_as_pipe_out_is_refused_before_anything_is_written(toy_paths, tmp_path, monkeypatch, pipe_out):
    monkeypatch.chdir(tmp_path)
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    monkeypatch.setattr(tts.synthesizer, "tts", lambda *a, **k: pytest.fail("synthesised for a bad pipe_out"))
    with pytest.raises(TypeError, match=r"pipe_out is a text stream \(\w+\); wav bytes need a binary one"):
        tts.tts_to_file("Hi.", pipe_out=pipe_out)
    assert not (tmp_path / "output.wav").exists()


def test_a_file_path_ending_with_a_separator_is_refused(toy_paths, tmp_path, monkeypatch):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    monkeypatch.setattr(tts.synthesizer, "tts", lambda *a, **k: pytest.fail("synthesised for a bad path"))
    (tmp_path / "exist.wav").write_bytes(b"the old recording")
    for path in (f"{tmp_path}/missing_dir/", f"{tmp_path}/exist.wav/"):
        with pytest.raises(SynthesisError, match="ends with a path separator, so it names a folder"):
            tts.tts_to_file("Hi.", file_path=path)
    assert sorted(os.listdir(tmp_path)) == ["exist.wav", "toy"]
    assert (tmp_path / "exist.wav").read_bytes() == b"the old recording"


def test_a_speaker_for_a_single_speaker_model_is_an_error(toy_paths, tmp_path):
    tts = TTS(model_path=toy_paths[0], config_path=toy_paths[1])
    with pytest.raises(SynthesisError, match=r"^speaker 'ada': the model has no speakers \(single-speaker model\)$"):
        tts.tts("Hi.", speaker="ada")
    assert len(tts.tts("Hi.", speaker=None)) > 0
    (tmp_path / "speakers.json").write_text(json.dumps({"ada": 0}))
    with pytest.raises(SynthesisError, match=r"speakers.json: the model has no speakers \(single-speaker model\)"):
        TTS(model_path=toy_paths[0], config_path=toy_paths[1], speakers_file_path=tmp_path / "speakers.json")
