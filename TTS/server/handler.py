"""The request handler of ``tts-server``: routing, the plain and streamed answers, the OpenAI endpoint."""

import base64
import html
import json
import logging
import select
import socket
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Dict, Optional

from TTS import __version__
from TTS.inference.checks import SynthesisCancelled
from TTS.server.limits import QueueFull
from TTS.server.openai_speech import FORMATS, SpeechRequestError, encode, parse_speech_request
from TTS.server.protocol import (
    ALLOWED_METHODS,
    BODY_TYPES,
    ENDPOINTS,
    MAX_BODY_BYTES,
    PAGE,
    POST_PATHS,
    REQUEST_ERRORS,
    RequestError,
    json_fields,
    pcm_of,
    stream_flag,
    utf8_form,
)
from TTS.tts.utils.text.control_chars import strip_control_characters
from TTS.utils.wav_stream import PcmEncoder, wav_header

if TYPE_CHECKING:  # the server module imports this one
    from TTS.server.server import TTSServer

logger = logging.getLogger("TTS.server")


class Handler(BaseHTTPRequestHandler):
    server: "TTSServer"
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
        """403 for a request to another host name or from a page of another origin; True when it was refused."""
        origin = self.headers.get("Origin")
        problem = self.server.host_problem(self.headers.get("Host"))
        problem = problem or self.server.origin_problem(origin, self.headers.get("Host"))
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
