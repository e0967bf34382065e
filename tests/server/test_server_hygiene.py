"""Text and protocol hygiene: control characters, unsayable numbers, Content-Length, untyped JSON, Origin."""

import io
import logging
import socket
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, Tuple

import pytest
import soundfile as sf
from helpers.toy_models import write_toy_model

from TTS.api import TTS
from TTS.bin.synthesize import main as tts_main
from TTS.server.server import TTSServer
from TTS.tts.utils.text.cleaners import english_cleaners, english_cleaners_plus
from TTS.tts.utils.text.control_chars import strip_control_characters
from TTS.tts.utils.text.english.number_norm import MAX_NUMBER_DIGITS, normalize_numbers
from TTS.zoo import download

NUL_TEXT = "Please do\x00 not open the door."
CLEAN_TEXT = "Please do not open the door."


@pytest.fixture(scope="module")
def toy_paths(tmp_path_factory) -> Tuple[Path, Path]:
    return write_toy_model(tmp_path_factory.mktemp("hygiene"), speakers=["ada", "bo"], stop_threshold=0.0)


@pytest.fixture(scope="module")
def api(toy_paths) -> TTS:
    return TTS(model_path=toy_paths[0], config_path=toy_paths[1])


def start(api: TTS, **kwargs) -> TTSServer:
    server = TTSServer(("127.0.0.1", 0), api, 200, **kwargs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def server(api):
    server = start(api, allow_origins=["https://friend.example"])
    yield server
    server.shutdown()
    server.server_close()


def raw(server: TTSServer, data: bytes) -> Tuple[int, Dict[str, str], bytes]:
    """(status, headers, body) of bytes sent as they are (with ``Connection: close``), read to the end.

    The socket is not half-closed: the server takes the end of its input for a client that left.
    """
    if b"Connection: close" not in data:
        data = data.replace(b"\r\n", b"\r\nConnection: close\r\n", 1)
    with socket.create_connection(server.server_address[:2], timeout=60) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def post(path: str, body: bytes, headers: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {len(body)}\r\n{headers}\r\n"
    ).encode() + body


# ---------------------------------------------------------------------------- control characters
def test_control_characters_are_removed_except_tab_and_newline():
    clean, removed = strip_control_characters("a\x00b\x07c\td\ne\x1bf\x85g\x7fh\r\ni")
    assert clean == "abc\td\nefgh\ni" and removed == "\x00\x07\x1b\x85\x7f"


def test_the_api_removes_a_nul_with_a_warning_and_speaks_every_word(api, caplog):
    with caplog.at_level(logging.WARNING, logger="TTS"):
        with_nul = api.tts(NUL_TEXT, speaker="bo")
    assert "removed 1 control character(s) from the text: U+0000" in caplog.text
    assert with_nul == api.tts(CLEAN_TEXT, speaker="bo")  # the same words, the same samples
    assert api.synthesizer.speakable_sentences(NUL_TEXT) == [CLEAN_TEXT]


def test_the_cli_warns_about_a_nul_on_stderr(toy_paths, tmp_path, capsys):
    root, package = logging.getLogger(), logging.getLogger("TTS")
    saved = (root.handlers[:], root.level, package.level)
    try:
        code = tts_main(
            ["--model_path", str(toy_paths[0]), "--config_path", str(toy_paths[1]), "--speaker_idx", "bo",
             "--text", NUL_TEXT, "--out_path", str(tmp_path / "out.wav")]
        )  # fmt: skip
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        package.setLevel(saved[2])
    err = capsys.readouterr().err
    assert code == 0 and "tts: WARNING: removed 1 control character(s) from the text: U+0000" in err


def test_the_server_removes_a_nul_with_a_warning_and_answers_the_same_audio(server, caplog):
    with caplog.at_level(logging.WARNING, logger="TTS"):
        status, headers, with_nul = raw(
            server, b"GET /api/tts?speaker_id=bo&text=Please%20do%00%20not. HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
    assert status == 200 and "U+0000" in caplog.text
    assert headers["X-TTS-Warning"] == "removed 1 control character(s) from the text: U+0000"
    _, _, clean = raw(server, b"GET /api/tts?speaker_id=bo&text=Please%20do%20not. HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert with_nul == clean


# ---------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("digits", [MAX_NUMBER_DIGITS + 1, 307, 5000])
@pytest.mark.parametrize("cleaner", [english_cleaners, english_cleaners_plus])
def test_a_number_too_long_to_say_is_read_digit_by_digit(cleaner, digits):
    number = "12" * (digits // 2) + "3" * (digits % 2)
    text = cleaner(f"Call {number} now, or ${number}.")
    assert "one two one two" in text and not any(char.isdigit() for char in text)


def test_numbers_up_to_the_limit_are_still_read_as_amounts():
    assert normalize_numbers("1" + "0" * (MAX_NUMBER_DIGITS - 1)) == "one hundred decillion"
    assert normalize_numbers("1,000,000") == "one million"


def test_the_server_speaks_a_very_long_number_instead_of_answering_500(api):
    server = start(api)
    server.max_text_length = 1000
    try:
        data = post("/api/tts?speaker_id=bo", b"9" * 400 + b".", "Content-Type: text/plain\r\n")
        status, _, body = raw(server, data)
    finally:
        server.shutdown()
        server.server_close()
    assert status == 200 and sf.read(io.BytesIO(body))[0].size > 0


# ---------------------------------------------------------------------------- headers and bodies
def test_a_content_length_of_non_ascii_digits_gets_400_not_a_dropped_connection(server):
    # b"\xb2" is "²" in latin-1, as http.server reads headers: "²".isdigit() is True, int("²") fails
    data = b"POST /api/tts HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: \xb2\r\n\r\nHi."
    status, _, body = raw(server, data)
    assert status == 400 and body == "Content-Length: expected a number of bytes, got '²'\n".encode()


def test_two_different_content_lengths_get_400(server):
    head = b"POST /api/tts?speaker_id=bo HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
    data = head + b"Content-Length: 3\r\nContent-Length: 30\r\n\r\nHi."
    status, _, body = raw(server, data)
    assert status == 400 and body == b"Content-Length: 2 different values (3, 30)\n"
    assert raw(server, head + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nHi.")[0] == 200


def test_the_download_code_ignores_a_content_length_of_non_ascii_digits(tmp_path):
    class Response:
        status_code, reason = 200, "OK"
        headers = {"Content-Length": "²", "Content-Type": "application/octet-stream"}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def iter_content(self, chunk_size):
            yield b"model bytes"

    session = SimpleNamespace(get=lambda *args, **kwargs: Response())
    target = tmp_path / "model.pth"
    download.fetch_file("http://127.0.0.1:1/model.pth", target, session=session, progress_bar=False)
    assert target.read_bytes() == b"model bytes"


def test_json_without_a_content_type_is_read_as_json_when_it_has_a_text_field(server):
    typed = raw(
        server, post("/api/tts", b'{"text": "Hello.", "speaker_id": "bo"}', "Content-Type: application/json\r\n")
    )
    untyped = raw(server, post("/api/tts", b'{"text": "Hello.", "speaker_id": "bo"}'))
    assert typed[0] == untyped[0] == 200 and untyped[2] == typed[2]
    # an object without a text field is the text itself (spoken as such, here refused for its braces' sake)
    spoken_as_text = raw(server, post("/api/tts?speaker_id=bo", b'{"words": "Hello."}'))
    assert spoken_as_text[0] == 200 and spoken_as_text[2] != typed[2]


# ---------------------------------------------------------------------------- Origin
def test_a_page_of_another_origin_is_refused_with_403(server):
    host = "%s:%d" % server.server_address[:2]
    status, _, body = raw(
        server, f"GET /details HTTP/1.1\r\nHost: {host}\r\nOrigin: https://evil.example\r\n\r\n".encode()
    )
    assert status == 403 and b"Origin https://evil.example is not this server's" in body and b"--allow_origin" in body
    status, _, _ = raw(server, f"GET /details HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n\r\n".encode())
    assert status == 200  # the server's own page
    status, headers, _ = raw(
        server, f"GET /details HTTP/1.1\r\nHost: {host}\r\nOrigin: https://friend.example\r\n\r\n".encode()
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://friend.example"
    port = server.server_address[1]
    for name in ("localhost", f"localhost:{port}", "127.0.0.1", f"[::1]:{port}"):  # no Origin: curl, scripts
        assert raw(server, f"GET /details HTTP/1.1\r\nHost: {name}\r\n\r\n".encode())[0] == 200, name
    assert raw(server, b"GET /details HTTP/1.0\r\n\r\n")[0] == 200  # no Host at all


def test_a_request_to_another_host_name_is_refused_on_loopback(api):
    """DNS rebinding: evil.example made to resolve to 127.0.0.1, its page then counts as same-origin."""
    server = start(api, allow_origins=["https://friend.example"])
    try:
        port = server.server_address[1]
        rebound = f"GET /details HTTP/1.1\r\nHost: evil.example:{port}\r\nOrigin: http://evil.example:{port}\r\n\r\n"
        status, _, body = raw(server, rebound.encode())
        assert status == 403 and b"Host 'evil.example:" in body and b"--allow_host" in body
        assert raw(server, f"GET /details HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n".encode())[0] == 403
    finally:
        server.shutdown()
        server.server_close()
    server = start(api, allow_hosts=["tts.example.lan"])
    try:
        port = server.server_address[1]
        named = f"GET /details HTTP/1.1\r\nHost: TTS.example.lan:{port}\r\nOrigin: http://tts.example.lan:{port}\r\n\r\n"
        assert raw(server, named.encode())[0] == 200  # a name given with --allow_host, and its own page
    finally:
        server.shutdown()
        server.server_close()
