"""``tts-server``: one model behind a small HTTP API and a web page, with no web framework.

    tts-server                                            # the default model on http://127.0.0.1:5002
    tts-server --model_name tts_models/es/kumo/tacotron2-DDC --port 8000
    tts-server --model_path model.pth --config_path config.json --host 0.0.0.0

    curl -o hello.wav "http://127.0.0.1:5002/api/tts?text=Hello%20world."
    curl -o hello.wav -H "Content-Type: application/json" -d '{"text": "Hello."}' http://127.0.0.1:5002/api/tts

Endpoints (Coqui's names): ``/`` the web page; ``/api/tts`` (GET or POST; ``text``, ``speaker_id``,
``language_id`` from the query string, a form, a JSON object or a ``text`` header) answers
``audio/wav``; ``/details`` the model, its speakers and languages as JSON. A request the model
cannot speak (empty text, unknown speaker, a speaker for a single-speaker model, too long) gets
status 400 and one line of plain text saying why; so, with its own status, does a body that is not a
UTF-8 JSON object, form or text/plain sent with a Content-Length (chunked encoding is refused, and a
client that sends less than it announced is answered 408 after ``REQUEST_TIMEOUT_S``). ``/`` and
``/details`` answer HEAD too. The server listens on 127.0.0.1 unless ``--host``
says otherwise: it has no authentication, so expose it on purpose.

Streaming: ``stream=true`` (query, form or JSON) answers a wav with chunked transfer encoding,
its header for an unknown length and then each sentence's samples as soon as they are made;
``stream=events`` answers one JSON line per sentence (``application/x-ndjson``: the sentence's
number, the total and its 16-bit PCM in base64; the web page reads these). Streamed or not, the
samples are the same (``TTS.utils.wav_stream``), and the same request gives the same samples.
``POST /v1/audio/speech`` speaks OpenAI's speech API (``TTS.server.openai_speech``).

Text: control characters (NUL and the rest of C0/C1 but tab and newline) are removed with a
warning; a request's audio is limited by ``--max_audio_seconds`` besides its characters.

Load: the listen backlog takes bursts (``LISTEN_BACKLOG``); at most ``--max_queue`` requests wait
for the model, one more is answered 503 with ``Retry-After``; at most ``--max_connections`` are
open (one more gets 503 at once); a request must be read within ``--request_timeout`` seconds;
the synthesis for a client that went away stops at the next sentence (a client that half-closes
its socket after sending counts as gone). ``--batch_requests`` synthesises concurrent requests
together, their sentences decoded in shared batches (``TTS.server.batching``).

Origin: a request a web page of another origin sends (its ``Origin`` header is not this server's)
is refused with 403, unless ``--allow_origin`` lists that origin: this is a local service that
pages on the web must not drive.
"""

import argparse
import base64
import html
import json
import logging
import select
import socket
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Generator, Iterator, List, Optional, Sequence, Tuple

import numpy as np

from TTS import __version__
from TTS.api import TTS
from TTS.command_line import OneLineErrorParser, load_api, parse_device
from TTS.errors import TTSError
from TTS.inference.checks import SynthesisCancelled, SynthesisError
from TTS.server.batching import DecodeBatcher
from TTS.server.limits import QueueFull, ReadDeadlines, SynthesisQueue
from TTS.server.openai_speech import FORMATS, SpeechRequestError, encode, parse_speech_request
from TTS.tts.utils.text.control_chars import strip_control_characters
from TTS.utils.wav_stream import PcmEncoder, wav_header

logger = logging.getLogger("TTS.server")

DEFAULT_PORT = 5002  # Coqui's
MAX_BODY_BYTES = 1 << 20
REQUEST_TIMEOUT_S = 30.0  # a request (line, headers, body) must come in within this; idle connections end after it
LISTEN_BACKLOG = 128  # connections the kernel holds before accept(): bursts wait instead of being reset
MAX_QUEUE = 32  # requests waiting for the model or being synthesised; one more gets 503
MAX_CONNECTIONS = 64  # open connections (one thread each); one more gets 503 at once
MAX_AUDIO_SECONDS = 600.0
FIELDS = ("text", "speaker_id", "language_id", "style_wav", "stream")
STREAM_VALUES = {"true": "wav", "1": "wav", "yes": "wav", "on": "wav", "wav": "wav", "events": "events"}
NO_STREAM_VALUES = ("", "false", "0", "no", "off")
BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain")
ALLOWED_METHODS = {
    "/api/tts": "GET, POST, OPTIONS",
    "/": "GET, HEAD, OPTIONS",
    "/details": "GET, HEAD, OPTIONS",
    "/v1/audio/speech": "POST, OPTIONS",
}
ENDPOINTS = "/, /api/tts, /details, /v1/audio/speech"
POST_PATHS = "/api/tts, /v1/audio/speech"
PAGE = (Path(__file__).parent / "index.html").read_text(encoding="utf-8")
# what a client did wrong: status 400 with the message
REQUEST_ERRORS = TTSError
BUSY_PAGE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\n"
    b"Connection: close\r\nContent-Length: 54\r\n\r\ntoo many open connections: try again in a second\n\n\n\n\n\n"
)


class ServerStartError(TTSError):
    """The server cannot start (its port is taken, ...)."""


class RequestError(TTSError):
    """A request the server refuses, with the HTTP status to answer."""

    def __init__(self, status: HTTPStatus, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class TTSServer(ThreadingHTTPServer):
    """An HTTP server holding one model: a bounded queue in front of it, one synthesis at a time."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: Tuple[str, int],
        api: Optional[TTS],
        max_text_length: int,
        request_timeout: float = REQUEST_TIMEOUT_S,
        *,
        max_audio_seconds: float = MAX_AUDIO_SECONDS,
        max_queue: int = MAX_QUEUE,
        max_connections: int = MAX_CONNECTIONS,
        allow_origins: Sequence[str] = (),
        batch_requests: bool = False,
    ) -> None:
        super().__init__(address, Handler)  # binds now: a busy port is reported before a model loads
        self.api = api
        self.max_text_length = max_text_length
        self.request_timeout = request_timeout
        self.max_audio_seconds = max_audio_seconds
        self.max_connections = max_connections
        self.allow_origins = {origin.rstrip("/").lower() for origin in allow_origins}
        self.queue = SynthesisQueue(max_queue, exclusive=not batch_requests)
        self.batch_requests = batch_requests
        self._batcher: Optional[DecodeBatcher] = None
        self.read_deadlines = ReadDeadlines()
        self.open_connections = 0
        self._connections_lock = threading.Lock()
        self.context = threading.local()  # per handler thread: ``gone``, whether its client left

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def server_close(self) -> None:
        super().server_close()
        if hasattr(self, "read_deadlines"):  # not when binding failed (the base class closes then)
            self.read_deadlines.stop()

    @property
    def batcher(self) -> DecodeBatcher:
        """The decoder thread of ``batch_requests`` (started with the first request: the model loads after binding)."""
        with self._connections_lock:
            if self._batcher is None:
                self._batcher = DecodeBatcher(self.api.synthesizer)
            return self._batcher

    # ---------------------------------------------------------------- connections
    def process_request(self, request: socket.socket, client_address) -> None:
        with self._connections_lock:
            busy = self.open_connections >= self.max_connections
            if not busy:
                self.open_connections += 1
        if busy:
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connection_ended()
            raise

    def process_request_thread(self, request: socket.socket, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connection_ended()

    def _connection_ended(self) -> None:
        with self._connections_lock:
            self.open_connections -= 1

    def _refuse(self, request: socket.socket) -> None:
        """503 for a connection over the cap, without a thread; what it sent is drained so it is no reset."""
        logger.warning("%d connections open (--max_connections): a new one was answered 503", self.max_connections)
        try:
            request.settimeout(0.05)
            request.sendall(BUSY_PAGE)
            request.shutdown(socket.SHUT_WR)
            for _ in range(16):  # what already came in, so that closing sends no reset; bounded
                if not request.recv(65536):
                    break
        except OSError:
            pass
        finally:
            request.close()

    # ---------------------------------------------------------------- requests
    def details(self) -> Dict:
        return {
            "model_name": self.api.model_name,
            "speakers": self.api.speakers or [],
            "languages": self.api.languages or [],
            "sample_rate": self.api.output_sample_rate,
            "max_text_length": self.max_text_length,
            "max_audio_seconds": self.max_audio_seconds,
            "version": __version__,
        }

    def check_text(self, text: str) -> None:
        if not text.strip():
            raise RequestError(HTTPStatus.BAD_REQUEST, "no text: give text=... (query string, form, JSON or header)")
        if len(text) > self.max_text_length:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"text too long: {len(text)} characters, this server takes at most {self.max_text_length}",
            )

    def check_params(self, params: Dict[str, str]) -> None:
        """``RequestError`` for a request that cannot be spoken, before it waits for the model."""
        self.check_text(params.get("text", ""))
        if params.get("style_wav"):
            raise RequestError(HTTPStatus.BAD_REQUEST, "style_wav is not supported by Tacotron2 models without GST")
        if params.get("speaker_id") and not self.api.speakers:
            raise RequestError(HTTPStatus.BAD_REQUEST, "speaker_id: the model has no speakers (single-speaker model)")

    def pieces(self, text: str, speaker: Optional[str], language: Optional[str], gone) -> Iterator[np.ndarray]:
        """The request's audio sentence by sentence; the first piece is made here, so its errors come before any byte.

        Raises ``RequestError`` (400) for text the model cannot speak and ``SynthesisCancelled`` when
        ``gone()`` says the client left.
        """
        try:
            if self.batch_requests:  # the decoder shared with the other requests
                stream = self.api.synthesizer.tts_stream(
                    text,
                    speaker or None,
                    language or None,
                    max_audio_seconds=self.max_audio_seconds,
                    should_stop=gone,
                    decoder=self.batcher.decode,
                )
            else:
                stream = self.api.tts_stream(
                    text,
                    speaker=speaker or None,
                    language=language or None,
                    max_audio_seconds=self.max_audio_seconds,
                    should_stop=gone,
                )
            first = next(stream)
        except REQUEST_ERRORS as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(err)) from None
        return _prepend(first, stream)

    def synthesise(self, params: Dict[str, str]) -> bytes:
        """The wav bytes of the request's ``text``; ``RequestError`` for a request that cannot be spoken.

        Waits for the model; ``SynthesisCancelled`` when the handler's client goes away meanwhile
        (``context.gone``, set by the handler of this thread).
        """
        self.check_params(params)
        gone = getattr(self.context, "gone", None) or (lambda: False)
        with self.queue.model(gone) as got_it:
            if not got_it:
                raise SynthesisCancelled("the client went away while its request waited")
            try:
                pieces = self.pieces(params["text"], params.get("speaker_id"), params.get("language_id"), gone)
                pcm = pcm_of(pieces)
            except REQUEST_ERRORS as err:  # the audio limit, reached after the first sentence
                raise RequestError(HTTPStatus.BAD_REQUEST, str(err)) from None
        return wav_header(self.api.output_sample_rate, len(pcm) // 2) + pcm

    def origin_problem(self, origin: Optional[str], host: Optional[str]) -> Optional[str]:
        """Why a request from a page at ``origin`` is refused (another site's page), or None."""
        if origin is None:
            return None
        origin = origin.strip().rstrip("/").lower()
        if origin in self.allow_origins:
            return None
        parsed = urllib.parse.urlsplit(origin)
        if parsed.scheme in ("http", "https") and host and parsed.netloc == host.strip().lower():
            return None
        return (
            f"Origin {origin} is not this server's: pages of other sites may not use it "
            "(start tts-server with --allow_origin ORIGIN to let one)"
        )


def _prepend(first: np.ndarray, rest: Generator[np.ndarray, None, None]) -> Generator[np.ndarray, None, None]:
    """``first`` then ``rest``; closing it closes ``rest`` (the synthesis stops)."""
    yield first
    yield from rest


def pcm_of(pieces: Iterator[np.ndarray]) -> bytes:
    """The 16-bit PCM of a request's pieces (gain set by the first, as when they are streamed)."""
    encoder = PcmEncoder()
    return b"".join(encoder.encode(piece) for piece in pieces)


def stream_flag(value: str) -> Optional[str]:
    """``stream=`` as the kind of stream (``wav``, ``events``) or None; ``RequestError`` for another value."""
    value = value.strip().lower()
    if value in NO_STREAM_VALUES:
        return None
    if value in STREAM_VALUES:
        return STREAM_VALUES[value]
    raise RequestError(HTTPStatus.BAD_REQUEST, f"stream: expected true, false or events, got {value!r}")


def utf8_form(raw: str, where: str) -> Dict[str, str]:
    """The fields of a query string or form; ``raw`` holds bytes as latin-1 (how ``http.server`` reads them)."""
    try:
        return {
            key.encode("latin-1").decode("utf-8"): value.encode("latin-1").decode("utf-8")
            for key, value in urllib.parse.parse_qsl(raw, encoding="latin-1")
        }
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise RequestError(
            HTTPStatus.BAD_REQUEST, f"{where} is not valid UTF-8 (percent-encode the text as UTF-8)"
        ) from None


def json_fields(data: Dict) -> Dict[str, str]:
    """The known fields of a JSON object: strings, ``null`` taken as absent, anything else refused."""
    params = {}
    for key in FIELDS:
        value = data.get(key)
        if value is None:
            continue
        if key == "stream" and isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str):
            raise RequestError(
                HTTPStatus.BAD_REQUEST, f"JSON field {key}: expected a string, got {type(value).__name__}"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, f"JSON field {key}: has a lone surrogate (\\ud800-\\udfff)"
            ) from None
        params[key] = value
    return params


class Handler(BaseHTTPRequestHandler):
    server: TTSServer
    server_version = f"tts-server/{__version__}"
    protocol_version = "HTTP/1.1"  # chunked answers (streaming) and keep-alive

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # read by the base class: no read or write waits forever
        super().setup()
        self.extra_headers: Dict[str, str] = {}

    def handle_one_request(self) -> None:
        """One request, which must come in (line, headers, body) within the request timeout."""
        self.server.read_deadlines.start(self.connection, self.server.request_timeout)
        self.extra_headers = {}
        try:
            super().handle_one_request()
        finally:
            self.server.read_deadlines.done(self.connection)

    def do_GET(self) -> None:
        self._answer(with_body=False)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_POST(self) -> None:
        self._answer(with_body=True)

    def do_OPTIONS(self) -> None:
        path = self._path()
        if self._refuse_origin():
            return
        if path not in ALLOWED_METHODS:
            self._send_text(HTTPStatus.NOT_FOUND, f"no such endpoint: {path} ({ENDPOINTS})")
            return
        if self.headers.get("Origin"):
            self.extra_headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS[path]
            self.extra_headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
        self._send(HTTPStatus.NO_CONTENT, "text/plain; charset=utf-8", b"")

    def _path(self) -> str:
        return urllib.parse.urlsplit(self.path).path.rstrip("/") or "/"

    def _refuse_origin(self) -> bool:
        """403 for a request a page of another origin sent; True when it was refused."""
        origin = self.headers.get("Origin")
        problem = self.server.origin_problem(origin, self.headers.get("Host"))
        if problem is not None:
            self.close_connection = True
            self._send_text(HTTPStatus.FORBIDDEN, problem)
            return True
        if origin is not None and origin.strip().rstrip("/").lower() in self.server.allow_origins:
            self.extra_headers["Access-Control-Allow-Origin"] = origin.strip()
            self.extra_headers["Vary"] = "Origin"
        return False

    def _answer(self, with_body: bool) -> None:
        if self._refuse_origin():
            return
        if self._path() == "/v1/audio/speech":
            self._openai_speech(with_body)
            return
        try:
            params = utf8_form(urllib.parse.urlsplit(self.path).query, "query string")
            if with_body:
                params.update(self._body_params())
            if "text" not in params and self.headers.get("text"):
                try:  # Coqui's clients send the text as a header too
                    params["text"] = self.headers["text"].encode("latin-1").decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    raise RequestError(HTTPStatus.BAD_REQUEST, "text header is not valid UTF-8") from None
        except RequestError as err:
            self.close_connection = True  # the body may be unread: the next bytes are not a request
            self._send_text(err.status, str(err))
            return
        finally:
            self.server.read_deadlines.done(self.connection)
        self._route(params)

    def _route(self, params: Dict[str, str]) -> None:
        path = self._path()
        try:
            if path == "/api/tts" and self.command == "HEAD":
                raise RequestError(
                    HTTPStatus.METHOD_NOT_ALLOWED, "/api/tts answers GET or POST (HEAD would synthesise)"
                )
            if path == "/api/tts":
                self._speak(params)
            elif path == "/details" and self.command in ("GET", "HEAD"):
                self._send(HTTPStatus.OK, "application/json", json.dumps(self.server.details()).encode())
            elif path == "/" and self.command in ("GET", "HEAD"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._page().encode())
            elif path in ("/", "/details"):
                raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} answers GET only")
            else:
                raise RequestError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path} ({ENDPOINTS})")
        except RequestError as err:
            self.extra_headers.update(err.headers)
            self._send_text(err.status, str(err))
        except SynthesisCancelled:
            self.close_connection = True
            logger.info("%s went away: its synthesis was stopped (%s)", self.address_string(), self.requestline)
        except Exception:  # a bug, not the request: log it, answer 500, keep serving
            logger.exception("error while answering %s %s", self.command, self.path)
            self.close_connection = True
            self._send_text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error: see the server's log")

    def _speak(self, params: Dict[str, str]) -> None:
        """``/api/tts``: the whole wav, or a stream (``stream=true`` or ``events``)."""
        kind = stream_flag(params.get("stream", ""))
        self.server.check_params(params)
        self._warn_control_characters(params["text"])
        try:
            with self.server.queue.admit():
                if kind is None:
                    self.server.context.gone = self._client_gone
                    try:
                        body = self.server.synthesise(params)
                    finally:
                        self.server.context.gone = None
                    self._send(HTTPStatus.OK, "audio/wav", body)
                    return
                with self.server.queue.model(self._client_gone) as got_it:
                    if not got_it:
                        raise SynthesisCancelled("the client went away while its request waited")
                    self._stream(params, kind)
        except QueueFull as err:
            raise RequestError(
                HTTPStatus.SERVICE_UNAVAILABLE, str(err), {"Retry-After": str(err.retry_after)}
            ) from None

    def _stream(self, params: Dict[str, str], kind: str) -> None:
        """A chunked answer, one chunk per sentence, sent as each is made (``model`` is held by the caller)."""
        api = self.server.api
        try:
            total = len(api.synthesizer.speakable_sentences(params["text"], params.get("language_id") or None))
        except REQUEST_ERRORS as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(err)) from None
        pieces = self.server.pieces(
            params["text"], params.get("speaker_id"), params.get("language_id"), self._client_gone
        )
        rate = api.output_sample_rate
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "audio/wav" if kind == "wav" else "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Sentences", str(total))
        self.send_header("X-Sample-Rate", str(rate))
        self.send_header("Cache-Control", "no-store")
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        encoder = PcmEncoder()
        try:
            if kind == "wav":
                self._chunk(wav_header(rate))
            for number, piece in enumerate(pieces, start=1):
                pcm = encoder.encode(piece)
                if kind == "wav":
                    self._chunk(pcm)
                else:
                    line = {"sentence": number, "sentences": total, "sample_rate": rate}
                    self._chunk(json.dumps({**line, "pcm16": base64.b64encode(pcm).decode("ascii")}).encode() + b"\n")
            self._chunk(b"")
        except REQUEST_ERRORS as err:  # the audio limit, after the first sentence: say so and end the stream early
            logger.warning("stream to %s ended early: %s", self.address_string(), err)
            if kind == "events":
                self._chunk(json.dumps({"error": str(err)}).encode() + b"\n")
                self._chunk(b"")
            self.close_connection = True  # a wav stream ends without its last chunk: the client sees it cut
        except ConnectionError:
            self.close_connection = True
            logger.info("%s went away during the stream: its synthesis was stopped", self.address_string())
        finally:
            pieces.close()

    def _warn_control_characters(self, text: str) -> None:
        """Tell the client, in a header, which control characters were removed (the log says it too)."""
        removed = strip_control_characters(text)[1]
        if removed:
            codes = ", ".join(f"U+{ord(char):04X}" for char in dict.fromkeys(removed))
            self.extra_headers["X-TTS-Warning"] = f"removed {len(removed)} control character(s) from the text: {codes}"

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _client_gone(self) -> bool:
        """Whether the client closed its connection (asked between sentences: its synthesis stops)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _openai_speech(self, with_body: bool) -> None:
        """``POST /v1/audio/speech`` (see ``TTS.server.openai_speech``)."""
        api = self.server.api
        try:
            try:
                if not with_body:
                    raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, "/v1/audio/speech answers POST only")
                body = self._read_body()
            finally:
                self.server.read_deadlines.done(self.connection)
            speech = parse_speech_request(body, api.speakers or [], type(api.synthesizer.tts_model).__name__)
            self._warn_control_characters(speech.text)
            try:
                self.server.check_text(speech.text)
            except RequestError as err:
                raise SpeechRequestError(str(err), "input") from None
            with self.server.queue.admit():
                with self.server.queue.model(self._client_gone) as got_it:
                    if not got_it:
                        raise SynthesisCancelled("the client went away while its request waited")
                    try:
                        pcm = pcm_of(self.server.pieces(speech.text, speech.speaker, None, self._client_gone))
                    except REQUEST_ERRORS as err:
                        raise SpeechRequestError(str(err), "input") from None
            rate = api.output_sample_rate
            self.extra_headers["X-Sample-Rate"] = str(rate)
            self._send(HTTPStatus.OK, FORMATS[speech.response_format], encode(pcm, rate, speech.response_format))
        except RequestError as err:
            self.close_connection = True
            self.extra_headers.update(err.headers)
            self._send_json_error(err.status, SpeechRequestError(str(err), None, err.status))
        except SpeechRequestError as err:
            self._send_json_error(err.status, err)
        except QueueFull as err:
            self.extra_headers["Retry-After"] = str(err.retry_after)
            self._send_json_error(HTTPStatus.SERVICE_UNAVAILABLE, SpeechRequestError(str(err)))
        except SynthesisCancelled:
            self.close_connection = True
            logger.info("%s went away: its synthesis was stopped (%s)", self.address_string(), self.requestline)
        except Exception:
            logger.exception("error while answering %s %s", self.command, self.path)
            self.close_connection = True
            self._send_json_error(
                HTTPStatus.INTERNAL_SERVER_ERROR, SpeechRequestError("internal error: see the server's log")
            )

    def _send_json_error(self, status: HTTPStatus, err: SpeechRequestError) -> None:
        self._send(status, "application/json", err.body())

    def _read_body(self) -> bytes:
        """The request body, as long as its Content-Length says; ``RequestError`` for one that cannot be read."""
        if self.headers.get("Transfer-Encoding"):
            raise RequestError(
                HTTPStatus.NOT_IMPLEMENTED,
                f"Transfer-Encoding {self.headers['Transfer-Encoding']} is not supported: send a Content-Length",
            )
        lengths = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if len(lengths) > 1:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"Content-Length: {len(lengths)} different values ({', '.join(sorted(lengths))})",
            )
        declared = lengths.pop() if lengths else "0"
        if not (declared.isascii() and declared.isdigit()):  # "²".isdigit() is True
            raise RequestError(HTTPStatus.BAD_REQUEST, f"Content-Length: expected a number of bytes, got {declared!r}")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body over {MAX_BODY_BYTES} bytes")
        try:
            body = self.rfile.read(length) if length else b""
        except TimeoutError:
            raise RequestError(
                HTTPStatus.REQUEST_TIMEOUT,
                f"request body: fewer than the {length} bytes of its Content-Length came in {self.timeout:g} s",
            ) from None
        except ConnectionError:
            body = b""
        if len(body) < length and self.server.read_deadlines.expired(self.connection):
            raise RequestError(
                HTTPStatus.REQUEST_TIMEOUT,
                f"request body: fewer than the {length} bytes of its Content-Length came in {self.timeout:g} s",
            )
        if len(body) < length:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"request body: {len(body)} bytes, Content-Length said {length}")
        return body

    def _body_params(self) -> Dict[str, str]:
        body = self._read_body()
        if not body:
            return {}
        if self.headers.get("Content-Type") is None:
            return self._untyped_body(body)
        kind = self.headers.get_content_type()
        if kind not in BODY_TYPES:
            raise RequestError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"Content-Type {kind} is not supported: send {', '.join(BODY_TYPES)}",
            )
        if kind == "application/x-www-form-urlencoded" and body.lstrip()[:1] in (b"{", b"["):
            raise RequestError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                "request body looks like JSON but its Content-Type is a form: send Content-Type: application/json",
            )
        if kind == "application/x-www-form-urlencoded":
            return utf8_form(body.decode("latin-1"), "request body (form)")
        try:
            if kind == "text/plain":
                return {"text": body.decode("utf-8")}
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError) as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"request body is not valid UTF-8 {kind}: {err}") from None
        except RecursionError:
            raise RequestError(HTTPStatus.BAD_REQUEST, "request body is not valid application/json: nested too deeply")
        if not isinstance(data, dict):
            raise RequestError(HTTPStatus.BAD_REQUEST, 'JSON body: expected an object like {"text": "..."}')
        return json_fields(data)

    def _untyped_body(self, body: bytes) -> Dict[str, str]:
        """A body without a Content-Type: JSON when it is an object with a ``text`` string, the text otherwise."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"request body is not valid UTF-8 text/plain: {err}") from None
        if text.lstrip()[:1] == "{":
            try:
                data = json.loads(text)
            except (ValueError, RecursionError):
                data = None
            if isinstance(data, dict) and isinstance(data.get("text"), str):
                return json_fields(data)
        return {"text": text}

    def _page(self) -> str:
        speakers = "".join(
            f'<option value="{html.escape(name)}">{html.escape(name)}</option>'
            for name in self.server.api.speakers or []
        )
        languages = "".join(
            f'<option value="{html.escape(name)}">{html.escape(name)}</option>'
            for name in self.server.api.languages or []
        )
        return (
            PAGE.replace("{{model}}", html.escape(self.server.api.model_name or "local model files"))
            .replace("{{speaker_options}}", speakers)
            .replace("{{speaker_hidden}}", "" if speakers else "hidden")
            .replace("{{language_options}}", languages)
            .replace("{{language_hidden}}", "" if len(self.server.api.languages or []) > 1 else "hidden")
            .replace("{{max_text_length}}", str(self.server.max_text_length))
            .replace("{{version}}", __version__)
        )

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """The base class's errors (unknown method, URL too long, bad request line) as one line of plain text."""
        status = HTTPStatus(code)
        if status == HTTPStatus.NOT_IMPLEMENTED and self.command:
            message = f"method {self.command} is not supported: GET (/, /details, /api/tts) or POST ({POST_PATHS})"
        elif status == HTTPStatus.REQUEST_URI_TOO_LONG:
            message = "URL too long: send long text by POST (JSON, form or text/plain body)"
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        self._send_text(status, message or status.phrase)

    def _send_text(self, status: HTTPStatus, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8", "backslashreplace"))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if status == HTTPStatus.METHOD_NOT_ALLOWED or self.command == "OPTIONS":
                self.send_header("Allow", ALLOWED_METHODS.get(self._path(), "GET"))
            for name, value in self.extra_headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except ConnectionError:  # the client went away: nothing to answer, keep serving
            self.close_connection = True
            logger.info("%s closed the connection before the answer to %s", self.address_string(), self.requestline)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        logger.info("%s %s", self.address_string(), format % args)


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0, got {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="tts-server", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list_models", action="store_true", help="List the registry's models and exit.")
    parser.add_argument("--model_name", default=None, help="Zoo name (default: the registry's default model).")
    parser.add_argument("--model_path", default=None, help="Model checkpoint (with --config_path).")
    parser.add_argument("--config_path", default=None, help="The model's config.json.")
    parser.add_argument("--vocoder_name", default=None, help="Zoo name of the vocoder (default: the model's).")
    parser.add_argument("--vocoder_path", default=None, help="Vocoder checkpoint (with --vocoder_config_path).")
    parser.add_argument("--vocoder_config_path", default=None, help="The vocoder's config.json.")
    parser.add_argument("--speakers_file_path", default=None, help="speakers.json to use instead of the config's.")
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: this machine only).")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port (default {DEFAULT_PORT}; 0: any free).")
    parser.add_argument("--device", default="cpu", help="Torch device to run on (default: cpu).")
    parser.add_argument("--use_cuda", action="store_true", help="Same as --device cuda (Coqui's flag).")
    parser.add_argument(
        "--max_text_length", type=positive_int, default=5000, help="Longest text a request may send, in characters."
    )
    parser.add_argument(
        "--max_audio_seconds",
        type=positive_float,
        default=MAX_AUDIO_SECONDS,
        help="Longest audio a request may give (checked from the text first, then while decoding).",
    )
    parser.add_argument(
        "--max_queue", type=positive_int, default=MAX_QUEUE, help="Requests waiting for the model; more get 503."
    )
    parser.add_argument(
        "--max_connections", type=positive_int, default=MAX_CONNECTIONS, help="Open connections; more get 503."
    )
    parser.add_argument(
        "--request_timeout",
        type=positive_float,
        default=REQUEST_TIMEOUT_S,
        help="Seconds a client has to send its request; idle connections are closed after as long.",
    )
    parser.add_argument(
        "--allow_origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="A web origin (https://example.org) whose pages may use this server; repeat for more.",
    )
    parser.add_argument(
        "--batch_requests",
        action="store_true",
        help="Synthesise concurrent requests together, their sentences decoded in shared batches (faster with "
        "several torch threads; a request's samples then depend in their last bits on what it was batched with).",
    )
    parser.add_argument(
        "--progress_bar", action=argparse.BooleanOptionalAction, default=True, help="Show download progress."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def load_model(args: argparse.Namespace) -> TTS:
    if args.model_path is not None and args.model_name is not None:
        raise SynthesisError("give --model_name or --model_path, not both")
    if (args.model_path is None) != (args.config_path is None):
        raise SynthesisError("--model_path and --config_path go together")
    return load_api(args, parse_device("cuda" if args.use_cuda else args.device))


def serve(args: argparse.Namespace) -> int:
    if args.list_models:
        for name in TTS.list_models():
            print(name)
        return 0
    try:
        server = TTSServer(
            (args.host, args.port),
            None,
            args.max_text_length,
            args.request_timeout,
            max_audio_seconds=args.max_audio_seconds,
            max_queue=args.max_queue,
            max_connections=args.max_connections,
            allow_origins=args.allow_origin,
            batch_requests=args.batch_requests,
        )
    except OSError as err:
        raise ServerStartError(f"cannot listen on {args.host}:{args.port}: {err.strerror or err}") from None
    try:
        server.api = load_model(args)
        print(f"Serving {server.api.model_name or args.model_path} on {server.url} (Ctrl-C stops)", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="tts-server: %(levelname)s: %(message)s")
    logging.getLogger("TTS").setLevel(logging.INFO)
    try:
        return serve(args)
    except (TTSError, FileNotFoundError) as err:
        print(f"tts-server: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
