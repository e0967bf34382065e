"""``POST /v1/audio/speech`` answers OpenAI's own Python client (``openai`` from PyPI) on a toy model."""

import io
import threading

import numpy as np
import pytest
import soundfile as sf
from helpers.toy_models import write_toy_model

from TTS.api import TTS
from TTS.server.server import TTSServer

openai = pytest.importorskip("openai")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    paths = write_toy_model(tmp_path_factory.mktemp("openai"), speakers=["ada", "bo"], stop_threshold=0.0)
    server = TTSServer(("127.0.0.1", 0), TTS(model_path=paths[0], config_path=paths[1]), 200)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="not-needed", max_retries=0, timeout=60)


def test_wav_flac_and_pcm_hold_the_same_samples_as_api_tts(server, client):
    answers = {
        fmt: client.audio.speech.create(model="tts-1", voice="bo", input="Hello there.", response_format=fmt).content
        for fmt in ("wav", "flac", "pcm")
    }
    wav, rate = sf.read(io.BytesIO(answers["wav"]), dtype="int16")
    flac, flac_rate = sf.read(io.BytesIO(answers["flac"]), dtype="int16")
    pcm = np.frombuffer(answers["pcm"], dtype="<i2")
    assert rate == flac_rate == server.api.output_sample_rate and wav.size > 0
    assert np.array_equal(wav, flac) and np.array_equal(wav, pcm)
    with_api = io.BytesIO(server.synthesise({"text": "Hello there.", "speaker_id": "bo"}))
    assert np.array_equal(sf.read(with_api, dtype="int16")[0], wav)


def test_speed_on_a_model_without_a_speaking_rate_is_an_error_naming_the_field(client):
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(model="tts-1", voice="bo", input="Hello.", speed=1.5)
    assert caught.value.status_code == 400 and caught.value.body["param"] == "speed"
    assert "has no speaking rate" in caught.value.body["message"]
    assert client.audio.speech.create(model="tts-1", voice="bo", input="Hi.", speed=1.0, response_format="wav").content


@pytest.mark.parametrize(
    "fields, param, message",
    [
        ({"voice": "alloy"}, "voice", "voice 'alloy' is not one of the model's: ada, bo"),
        ({"response_format": "mp3"}, "response_format", "response_format 'mp3' is not supported here"),
        ({"input": " "}, "input", "input: expected the text to speak"),
    ],
)
def test_a_bad_field_is_named_in_openais_error_shape(client, fields, param, message):
    request = {"model": "tts-1", "voice": "bo", "input": "Hello.", "response_format": "wav", **fields}
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(**request)
    assert caught.value.body["param"] == param and message in caught.value.body["message"]
