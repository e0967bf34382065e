"""Streaming in the API, the CLI and the server: the pieces joined are the whole output, sample for sample."""

import base64
import io
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pytest
import soundfile as sf
from helpers.toy_models import write_toy_model

from TTS.api import TTS
from TTS.bin.synthesize import main as tts_main
from TTS.server.server import TTSServer
from TTS.utils.wav_stream import UNKNOWN_SIZE, pcm_pieces, wav_header

TEXT = "Hello there. The cat sat on the mat. It rained all day. Then it stopped."


@pytest.fixture(scope="module")
def toy_paths(tmp_path_factory):
    return write_toy_model(tmp_path_factory.mktemp("stream"), stop_threshold=0.0)


@pytest.fixture(scope="module")
def api(toy_paths):
    return TTS(model_path=toy_paths[0], config_path=toy_paths[1])


@pytest.fixture(scope="module")
def server(api):
    server = TTSServer(("127.0.0.1", 0), api, 500)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.status, answer.headers, answer.read()


@pytest.mark.parametrize("batch_size", [1, 3])
def test_api_stream_joined_equals_tts_sample_for_sample(api, batch_size):
    pieces = list(api.tts_stream(TEXT, batch_size=batch_size))
    assert len(pieces) == 4 and all(isinstance(piece, np.ndarray) for piece in pieces)
    whole = api.tts(TEXT, batch_size=batch_size)
    assert np.concatenate(pieces).tolist() == whole


def test_the_same_request_gives_the_same_samples(api):
    np.random.seed(1)
    first = api.tts(TEXT)
    np.random.seed(2)
    assert api.tts(TEXT) == first


def test_api_stream_checks_its_arguments_at_once_and_the_text_at_the_first_piece(api):
    with pytest.raises(TypeError, match="text must be a str"):
        api.tts_stream(b"Hi.")
    stream = api.tts_stream("?!")
    with pytest.raises(Exception, match="nothing to synthesise"):
        next(stream)


def test_cli_pipe_out_streams_a_wav_of_unknown_length_with_the_samples_of_the_api(api, toy_paths, monkeypatch):
    stdout = io.TextIOWrapper(io.BytesIO())
    monkeypatch.setattr(sys, "stdout", stdout)
    code = tts_main(
        ["--model_path", str(toy_paths[0]), "--config_path", str(toy_paths[1]), "--text", TEXT, "--pipe_out"]
    )
    assert code == 0
    piped = stdout.buffer.getvalue()
    assert piped[4:8] == UNKNOWN_SIZE.to_bytes(4, "little") and piped[40:44] == UNKNOWN_SIZE.to_bytes(4, "little")
    assert piped == wav_header(api.output_sample_rate) + b"".join(pcm_pieces(api.tts_stream(TEXT)))
    samples, rate = sf.read(io.BytesIO(piped), dtype="int16")
    assert rate == api.output_sample_rate and samples.size == (len(piped) - 44) // 2


def test_server_stream_is_chunked_and_holds_the_samples_of_the_whole_answer(server):
    query = urllib.parse.urlencode({"text": TEXT})
    status, headers, whole = fetch(f"{server.url}/api/tts?{query}")
    assert status == 200 and headers["Content-Length"] == str(len(whole))
    status, headers, streamed = fetch(f"{server.url}/api/tts?{query}&stream=true")
    assert status == 200 and headers["Transfer-Encoding"] == "chunked" and headers["X-Sentences"] == "4"
    assert streamed[44:] == whole[44:] and len(whole) > 44 + 1000
    assert sf.read(io.BytesIO(streamed))[0].size == (len(whole) - 44) // 2
    # the same request again: the same bytes
    assert fetch(f"{server.url}/api/tts?{query}")[2] == whole


def test_server_stream_by_json_and_form(server):
    whole = fetch(f"{server.url}/api/tts?{urllib.parse.urlencode({'text': 'Hi. Bye.'})}")[2]
    for data, kind in (
        (json.dumps({"text": "Hi. Bye.", "stream": True}).encode(), "application/json"),
        (b"text=Hi.+Bye.&stream=true", "application/x-www-form-urlencoded"),
    ):
        request = urllib.request.Request(f"{server.url}/api/tts", data, {"Content-Type": kind})
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.headers["Transfer-Encoding"] == "chunked" and answer.read()[44:] == whole[44:]


def test_server_events_give_progress_and_the_same_samples(server):
    query = urllib.parse.urlencode({"text": TEXT, "stream": "events"})
    status, headers, body = fetch(f"{server.url}/api/tts?{query}")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert status == 200 and headers.get_content_type() == "application/x-ndjson"
    assert [(line["sentence"], line["sentences"]) for line in lines] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    whole = fetch(f"{server.url}/api/tts?{urllib.parse.urlencode({'text': TEXT})}")[2]
    assert b"".join(base64.b64decode(line["pcm16"]) for line in lines) == whole[44:]


def test_a_bad_stream_value_gets_400(server):
    try:
        fetch(f"{server.url}/api/tts?text=Hi.&stream=maybe")
    except urllib.error.HTTPError as err:
        assert err.code == 400 and err.read() == b"stream: expected true, false or events, got 'maybe'\n"
    else:
        pytest.fail("stream=maybe was accepted")


def test_a_stream_of_text_the_model_cannot_speak_gets_400_before_any_audio(server):
    try:
        fetch(f"{server.url}/api/tts?text=%3F%21&stream=events")
    except urllib.error.HTTPError as err:
        assert err.code == 400 and err.read().startswith(b"nothing to synthesise")
    else:
        pytest.fail("an unspeakable text was streamed")
