"""tts-server under load: backlog, bounded queue (503 + Retry-After), connection cap, read deadlines,
cancellation of abandoned work and the audio-seconds limit. Toy model; small, bounded numbers."""

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from helpers.toy_models import write_toy_model

from TTS.api import TTS
from TTS.server.server import LISTEN_BACKLOG, TTSServer, batching, build_parser
from TTS.utils.synthesizer import AudioLimitError, Synthesizer

LONG_TEXT = " ".join(f"Sentence number {word} is here." for word in ("one two three four five six seven eight".split()))


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    paths = write_toy_model(tmp_path_factory.mktemp("load"), stop_threshold=0.0)
    return TTS(model_path=paths[0], config_path=paths[1])


def started(api, **kwargs) -> TTSServer:
    server = TTSServer(("127.0.0.1", 0), api, 1000, **kwargs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def server(api):
    server = started(api, max_queue=4)
    yield server
    server.shutdown()
    server.server_close()


def get(url: str, timeout: float = 60):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_the_listen_backlog_takes_bursts(server):
    assert server.request_queue_size == LISTEN_BACKLOG >= 128


def test_a_burst_is_answered_200_or_503_never_reset(server):
    url = f"{server.url}/api/tts?text=Hi."
    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(lambda _: get(url)[0], range(40)))
    assert set(statuses) <= {200, 503} and 200 in statuses


def test_a_full_queue_answers_503_with_retry_after(server):
    entered = [server.queue.admit() for _ in range(server.queue.max_queue)]
    for place in entered:
        place.__enter__()
    try:
        status, headers, body = get(f"{server.url}/api/tts?text=Hi.")
    finally:
        for place in entered:
            place.__exit__(None, None, None)
    assert status == 503 and int(headers["Retry-After"]) >= 1 and body.startswith(b"the server is busy")
    assert get(f"{server.url}/api/tts?text=Hi.")[0] == 200


def test_connections_over_the_cap_get_503_at_once(api):
    server = started(api, max_connections=2)
    idle = [socket.create_connection(server.server_address[:2]) for _ in range(2)]
    try:
        time.sleep(0.2)
        status, headers, _ = get(f"{server.url}/details", timeout=10)
        assert status == 503 and headers["Retry-After"] == "1"
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert get(f"{server.url}/details")[0] == 200
    server.shutdown()
    server.server_close()


def test_a_trickling_client_is_dropped_at_the_read_deadline(api):
    server = started(api, request_timeout=0.6)
    start = time.monotonic()
    with socket.create_connection(server.server_address[:2], timeout=10) as sock:
        try:
            for byte in b"GET /details HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)  # each byte within the socket timeout, the whole far over the deadline
            ended = sock.recv(100) == b""
        except (BrokenPipeError, ConnectionResetError):
            ended = True
    assert ended and time.monotonic() - start < 3
    deadline = time.monotonic() + 2
    while server.open_connections and time.monotonic() < deadline:  # its thread ends just after
        time.sleep(0.05)
    assert server.open_connections == 0
    server.shutdown()
    server.server_close()


def test_synthesis_for_a_client_that_left_stops_at_the_next_sentence(server, monkeypatch):
    decoded = []
    original = Synthesizer.synthesize_mels

    def slow(self, token_ids, speaker_id=None, batch_size=1):
        decoded.append(len(token_ids))
        time.sleep(0.3)
        return original(self, token_ids, speaker_id, batch_size)

    monkeypatch.setattr(Synthesizer, "synthesize_mels", slow)
    query = urllib.parse.urlencode({"text": LONG_TEXT})
    with socket.create_connection(server.server_address[:2]) as sock:
        sock.sendall(f"GET /api/tts?{query} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        time.sleep(0.4)
    start = time.monotonic()
    status, _, _ = get(f"{server.url}/api/tts?text=Hi.")
    assert status == 200 and time.monotonic() - start < 2.0  # not behind the 8 sentences (2.4 s) of the gone client
    assert len(decoded) <= 5, decoded  # 8 + 1 when nothing is cancelled


def test_too_much_audio_is_refused_before_decoding(api, monkeypatch):
    server = started(api, max_audio_seconds=2.0)
    monkeypatch.setattr(Synthesizer, "synthesize_mels", lambda *a, **k: pytest.fail("decoded a refused request"))
    status, _, body = get(f"{server.url}/api/tts?{urllib.parse.urlencode({'text': 'Hi. ' * 60})}")
    assert status == 400 and body.startswith(b"text too long for the limit of 2 s of audio (max_audio_seconds)")
    server.shutdown()
    server.server_close()


def test_the_audio_limit_is_enforced_while_decoding(api, monkeypatch):
    monkeypatch.setattr(Synthesizer, "estimated_seconds", lambda self, token_ids: 0.0)  # the estimate lets it through
    with pytest.raises(AudioLimitError, match=r"audio over the limit of 0.05 s \(max_audio_seconds\) after [1-7] of 8"):
        api.synthesizer.tts(LONG_TEXT, max_audio_seconds=0.05)


def test_concurrent_requests_decode_together_with_batch_requests(api):
    server = started(api, batch_requests=True)
    try:
        texts = [f"Sentence number {word} is here. And a second one." for word in "one two three four five six".split()]
        urls = [f"{server.url}/api/tts?{urllib.parse.urlencode({'text': text})}" for text in texts]
        with ThreadPoolExecutor(len(urls)) as pool:
            answers = list(pool.map(get, urls))
        assert [status for status, _, _ in answers] == [200] * len(urls)
        assert max(server.batcher.batch_sizes) > 1  # sentences of different requests shared a batch
        alone = [get(url)[2] for url in urls]
        for (_, _, together), solo in zip(answers, alone):
            a, b = (np.frombuffer(body[44:], dtype="<i2").astype(float) for body in (together, solo))
            assert a.shape == b.shape and np.abs(a - b).max() <= 64  # float rounding of the batch, in 16-bit steps
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("threads, flags, expected", [
    (2, [], True), (1, [], False), (2, ["--no-batch_requests"], False), (1, ["--batch_requests"], True),
])  # fmt: skip
def test_requests_are_batched_by_default_with_more_than_one_torch_thread(threads, flags, expected):
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        assert batching(build_parser().parse_args(flags).batch_requests) is expected
    finally:
        torch.set_num_threads(saved)


@pytest.mark.slow
def test_the_load_benchmark_quick_run_passes_on_a_toy_model(tmp_path):
    model_path, config_path = write_toy_model(tmp_path, stop_threshold=0.0)
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "server_load.py"
    result = subprocess.run(
        [sys.executable, str(script), "--quick", "--model_path", str(model_path), "--config_path", str(config_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| burst 2 of 10 concurrent | 10 |" in result.stdout and result.stdout.rstrip().endswith("PASSED")
