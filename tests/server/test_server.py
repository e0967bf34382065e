"""tts-server: the HTTP API on a toy two-speaker model (in-process), and the console script end to end."""

import io
import json
import logging
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Dict, Optional, Tuple

import pytest
import soundfile as sf
from helpers.toy_models import write_toy_model

from TTS.api import TTS
from TTS.server.server import TTSServer
from TTS.utils.synthesizer import SynthesisError

MAX_TEXT = 200


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    model_path, config_path = write_toy_model(
        tmp_path_factory.mktemp("server"), speakers=["ada", "bo"], stop_threshold=0.0
    )
    api = TTS(model_path=model_path, config_path=config_path)
    server = TTSServer(("127.0.0.1", 0), api, MAX_TEXT)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def request(url: str, data: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, str, bytes]:
    """(status, content type, body) of a GET (or a POST when ``data`` is given)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=60) as r:
            return r.status, r.headers.get_content_type(), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_content_type(), err.read()


def tts_url(server: TTSServer, **params: str) -> str:
    return f"{server.url}/api/tts?{urllib.parse.urlencode(params)}"


def wav_of(body: bytes) -> Tuple[int, int]:
    """(sample rate, samples) of wav bytes."""
    samples, rate = sf.read(io.BytesIO(body))
    return rate, len(samples)


def test_the_text_can_come_in_the_query_a_form_json_or_a_header_and_gives_the_same_wav(server):
    speaker = {"speaker_id": "bo"}
    answers = [
        request(tts_url(server, text="Hello there.", **speaker)),
        request(f"{server.url}/api/tts", urllib.parse.urlencode({"text": "Hello there.", **speaker}).encode()),
        request(
            f"{server.url}/api/tts",
            json.dumps({"text": "Hello there.", **speaker}).encode(),
            {"Content-Type": "application/json"},
        ),
        request(tts_url(server, **speaker), headers={"text": "Hello there."}),
    ]
    assert [(status, kind) for status, kind, _ in answers] == [(200, "audio/wav")] * 4
    shapes = {wav_of(body) for _, _, body in answers}
    assert len(shapes) == 1  # the decoder is deterministic: same length; Griffin-Lim phases may differ
    rate, samples = shapes.pop()
    assert rate == server.api.output_sample_rate and samples > 0


@pytest.mark.parametrize(
    "params, message",
    [
        ({"text": "  ", "speaker_id": "bo"}, "no text"),
        ({"text": "?!", "speaker_id": "bo"}, "nothing to synthesise"),
        ({"text": "x" * (MAX_TEXT + 1), "speaker_id": "bo"}, f"text too long: {MAX_TEXT + 1} characters"),
        ({"text": "Hello.", "speaker_id": "cy"}, "speaker 'cy' is not one of the model's: ada, bo"),
        ({"text": "Hello."}, "choose a speaker, one of: ada, bo"),
        ({"text": "Hello.", "speaker_id": "bo", "style_wav": "a.wav"}, "style_wav is not supported"),
    ],
)
def test_a_request_the_model_cannot_speak_gets_400_and_one_line_saying_why(server, params, message):
    status, kind, body = request(tts_url(server, **params))
    assert (status, kind) == (400, "text/plain")
    assert message in body.decode() and body.decode().count("\n") == 1


@pytest.mark.parametrize(
    "data, content_type, status, message",
    [
        (b"[1, 2]", "application/json", 400, "expected an object"),
        (b"{not json", "application/json", 400, "not valid UTF-8 application/json"),
        (b"\xff\xfe", "text/plain", 400, "not valid UTF-8 text/plain"),
    ],
)
def test_a_malformed_body_gets_a_clear_error(server, data, content_type, status, message):
    answer = request(f"{server.url}/api/tts", data, {"Content-Type": content_type})
    assert answer[0] == status and message in answer[2].decode()


def test_a_plain_text_body_is_the_text(server):
    status, kind, body = request(
        f"{server.url}/api/tts?speaker_id=ada", "Hello.".encode(), {"Content-Type": "text/plain"}
    )
    assert (status, kind) == (200, "audio/wav") and wav_of(body)[1] > 0


def test_page_details_and_unknown_paths(server):
    status, kind, body = request(f"{server.url}/")
    assert (status, kind) == (200, "text/html")
    page = body.decode()
    assert '<option value="ada">ada</option>' in page and "{{" not in page
    status, kind, body = request(f"{server.url}/details")
    assert (status, kind) == (200, "application/json")
    details = json.loads(body)
    assert details["speakers"] == ["ada", "bo"] and details["sample_rate"] == server.api.output_sample_rate
    assert request(f"{server.url}/nowhere")[:2] == (404, "text/plain")
    assert request(f"{server.url}/details", b"x=1")[0] == 405


def test_a_bug_answers_500_and_the_server_keeps_serving(server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(server.api, "tts_stream", broken)
    status, _, body = request(tts_url(server, text="Hello.", speaker_id="bo"))
    assert status == 500 and b"internal error" in body and b"boom" not in body
    monkeypatch.undo()
    assert request(tts_url(server, text="Hello.", speaker_id="bo"))[0] == 200


def run_server(*args: str, timeout: float = 120) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "TTS.server.server", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.slow
def test_the_console_script_serves_until_stopped(tmp_path):
    model_path, config_path = write_toy_model(tmp_path, stop_threshold=0.0)
    process = run_server("--model_path", str(model_path), "--config_path", str(config_path), "--port", "0")
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Serving {model_path} on http://127.0.0.1:"), line + process.stderr.read()
        url = line.split(" on ")[1].split()[0]
        status, kind, body = request(f"{url}/api/tts?text=Hello.")
        assert (status, kind) == (200, "audio/wav") and wav_of(body)[1] > 0
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model_name", "tts_models/en/nowhere/tacotron2-DDC"], "tts_models/en/nowhere/tacotron2-DDC"),
        (["--model_path", "missing.pth"], "--model_path and --config_path go together"),
    ],
)
def test_a_model_that_cannot_load_ends_in_one_line_before_serving(args, message):
    process = run_server(*args, "--port", "0")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1 and out == ""
    assert err.startswith("tts-server: error:") and message in err and "Traceback" not in err


def test_a_busy_port_is_reported_before_the_model_loads():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = run_server("--model_name", "tts_models/en/nowhere/tacotron2-DDC", "--port", str(port))
        _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert err.strip() == f"tts-server: error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_max_text_length_is_checked_by_the_parser():
    process = run_server("--max_text_length", "0")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err == "tts-server: error: argument --max_text_length: must be 1 or more, got 0 (see tts-server --help)\n"


def test_a_device_this_machine_does_not_have_is_one_line():
    process = run_server("--device", "xpu", "--port", "0")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1 and err.startswith("tts-server: error: --device 'xpu' is not supported")


def test_a_speaker_for_a_single_speaker_model_gets_400_and_one_line(tmp_path):
    model_path, config_path = write_toy_model(tmp_path, stop_threshold=0.0)
    single = TTSServer(("127.0.0.1", 0), TTS(model_path=model_path, config_path=config_path), MAX_TEXT)
    thread = threading.Thread(target=single.serve_forever, daemon=True)
    thread.start()
    try:
        status, kind, body = request(tts_url(single, text="Hello.", speaker_id="ada"))
        assert (status, kind) == (400, "text/plain")
        assert body.decode() == "speaker_id: the model has no speakers (single-speaker model)\n"
        assert request(tts_url(single, text="Hello.", speaker_id=""))[:2] == (200, "audio/wav")
    finally:
        single.shutdown()
        single.server_close()


def raw_request(server: TTSServer, data: bytes, half_close: bool = True, timeout: float = 20) -> Tuple[int, bytes]:
    """(status, body) of bytes sent as they are, for requests ``urllib`` will not send."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def post_head(content_length: str, extra: str = "") -> bytes:
    return (
        f"POST /api/tts HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {content_length}\r\n{extra}\r\n"
    ).encode()


@pytest.mark.parametrize(
    "data, status, message",
    [
        (post_head("abc") + b"Hi.", 400, "Content-Length: expected a number of bytes, got 'abc'"),
        (post_head("-5") + b"Hi.", 400, "Content-Length: expected a number of bytes, got '-5'"),
        (post_head("100") + b"Hi.", 400, "request body: 3 bytes, Content-Length said 100"),
        (
            b"POST /api/tts HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nHi.\r\n0\r\n\r\n",
            501,
            "Transfer-Encoding chunked is not supported: send a Content-Length",
        ),
    ],
)
def test_a_body_with_a_bad_or_missing_length_gets_a_clear_error(server, data, status, message):
    assert raw_request(server, data) == (status, (message + "\n").encode())


def test_a_client_that_sends_less_than_its_content_length_gets_408_not_a_hang(server, monkeypatch):
    monkeypatch.setattr(server, "request_timeout", 0.5)
    status, body = raw_request(server, post_head("100") + b"Hi.", half_close=False, timeout=10)
    assert status == 408 and b"fewer than the 100 bytes of its Content-Length came in 0.5 s" in body


@pytest.mark.parametrize(
    "data, content_type, status, message",
    [
        (b"[" * 100_000, "application/json", 400, "not valid application/json: nested too deeply"),
        (b'{"text": 5}', "application/json", 400, "JSON field text: expected a string, got int"),
        (b'{"text": "Hi.", "speaker_id": ["bo"]}', "application/json", 400, "JSON field speaker_id: expected a"),
        (b'{"text": "a\\ud800"}', "application/json", 400, "JSON field text: has a lone surrogate"),
        (b'{"text": "Hi."}', "application/x-www-form-urlencoded", 415, "looks like JSON but its Content-Type is a"),
        (b"--x\r\ntext=Hi.\r\n--x--", "multipart/form-data; boundary=x", 415, "multipart/form-data is not supported"),
        (b"text=%FF", "application/x-www-form-urlencoded", 400, "request body (form) is not valid UTF-8"),
    ],
)
def test_a_body_of_the_wrong_shape_or_type_gets_a_clear_error(server, data, content_type, status, message):
    answer = request(f"{server.url}/api/tts?speaker_id=bo", data, {"Content-Type": content_type})
    assert answer[:2] == (status, "text/plain") and message in answer[2].decode()


def test_a_query_string_that_is_not_utf8_gets_400(server):
    status, kind, body = request(f"{server.url}/api/tts?text=%FF&speaker_id=bo")
    assert (status, kind) == (400, "text/plain")
    assert body == b"query string is not valid UTF-8 (percent-encode the text as UTF-8)\n"


def test_utf8_text_arrives_intact_whether_percent_encoded_raw_or_in_the_header(server, monkeypatch):
    seen = []

    def record(text, **kwargs):
        seen.append(text)
        raise SynthesisError("recorded")

    monkeypatch.setattr(server.api, "tts_stream", record)
    request(f"{server.url}/api/tts?text=caf%C3%A9.&speaker_id=bo")
    raw_request(server, "GET /api/tts?text=café.&speaker_id=bo HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    raw_request(server, "GET /api/tts?speaker_id=bo HTTP/1.1\r\nHost: localhost\r\ntext: café.\r\n\r\n".encode())
    assert seen == ["café."] * 3


def test_head_options_other_methods_and_long_urls_get_plain_answers(server):
    head = urllib.request.Request(f"{server.url}/details", method="HEAD")
    with urllib.request.urlopen(head, timeout=60) as answer:
        assert answer.status == 200 and answer.read() == b"" and int(answer.headers["Content-Length"]) > 0
    status, body = raw_request(server, b"HEAD /api/tts?text=Hi. HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert status == 405 and body == b""
    options = urllib.request.Request(f"{server.url}/api/tts", method="OPTIONS")
    with urllib.request.urlopen(options, timeout=60) as answer:
        assert answer.status == 204 and answer.headers["Allow"] == "GET, POST, OPTIONS"
    try:
        urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/tts", b"x", method="PUT"), timeout=60)
    except urllib.error.HTTPError as err:
        assert (err.code, err.headers.get_content_type()) == (501, "text/plain")
        assert err.read().decode().startswith("method PUT is not supported: GET")
    status, kind, body = request(tts_url(server, text="x" * 70_000))
    assert (status, kind) == (414, "text/plain") and body.decode().startswith("URL too long: send long text by POST")


def test_a_client_that_goes_away_before_the_answer_is_one_log_line_and_the_server_keeps_serving(
    server, monkeypatch, caplog
):
    closed = threading.Event()

    def slow(params):
        closed.wait(10)
        return b"\0" * (8 << 20)  # more than the socket buffers take

    monkeypatch.setattr(server, "synthesise", slow)
    with caplog.at_level(logging.INFO, logger="TTS.server"):
        sock = socket.create_connection(server.server_address[:2], timeout=10)
        sock.sendall(b"GET /api/tts?text=Hi. HTTP/1.1\r\nHost: localhost\r\n\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not a clean close
        sock.close()
        closed.set()
        deadline = time.monotonic() + 10
        while "closed the connection" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "closed the connection before the answer to GET /api/tts" in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    monkeypatch.undo()
    assert request(f"{server.url}/details")[0] == 200
