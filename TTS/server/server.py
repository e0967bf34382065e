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
"""

import argparse
import html
import io
import json
import logging
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from TTS import __version__
from TTS.api import TTS
from TTS.bin.synthesize import USER_ERRORS, OneLineErrorParser, UsageError, load_api, parse_device
from TTS.tts.utils.text.tokenizer import UnknownCharacterError
from TTS.utils.synthesizer import SynthesisError

logger = logging.getLogger("TTS.server")

DEFAULT_PORT = 5002  # Coqui's
MAX_BODY_BYTES = 1 << 20
REQUEST_TIMEOUT_S = 30.0  # a client that stops sending (a Content-Length over its body) is dropped after this
FIELDS = ("text", "speaker_id", "language_id", "style_wav")
BODY_TYPES = ("application/json", "application/x-www-form-urlencoded", "text/plain")
ALLOWED_METHODS = {"/api/tts": "GET, POST, OPTIONS", "/": "GET, HEAD, OPTIONS", "/details": "GET, HEAD, OPTIONS"}
PAGE = (Path(__file__).parent / "index.html").read_text(encoding="utf-8")
# what a client did wrong: status 400 with the message
REQUEST_ERRORS = (SynthesisError, UnknownCharacterError)


class ServerStartError(Exception):
    """The server cannot start (its port is taken, ...)."""


class RequestError(Exception):
    """A request the server refuses, with the HTTP status to answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class TTSServer(ThreadingHTTPServer):
    """An HTTP server holding one model; requests are synthesised one at a time."""

    daemon_threads = True

    def __init__(
        self,
        address: Tuple[str, int],
        api: Optional[TTS],
        max_text_length: int,
        request_timeout: float = REQUEST_TIMEOUT_S,
    ) -> None:
        super().__init__(address, Handler)  # binds now: a busy port is reported before a model loads
        self.api = api
        self.max_text_length = max_text_length
        self.request_timeout = request_timeout
        self.lock = threading.Lock()  # one model, one synthesis at a time

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    def details(self) -> Dict:
        return {
            "model_name": self.api.model_name,
            "speakers": self.api.speakers or [],
            "languages": self.api.languages or [],
            "sample_rate": self.api.output_sample_rate,
            "max_text_length": self.max_text_length,
            "version": __version__,
        }

    def synthesise(self, params: Dict[str, str]) -> bytes:
        """The wav bytes of the request's ``text``; ``RequestError`` for a request that cannot be spoken."""
        text = params.get("text", "")
        if not text.strip():
            raise RequestError(HTTPStatus.BAD_REQUEST, "no text: give text=... (query string, form, JSON or header)")
        if len(text) > self.max_text_length:
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"text too long: {len(text)} characters, this server takes at most {self.max_text_length}",
            )
        if params.get("style_wav"):
            raise RequestError(HTTPStatus.BAD_REQUEST, "style_wav is not supported by Tacotron2 models without GST")
        if params.get("speaker_id") and not self.api.speakers:
            raise RequestError(HTTPStatus.BAD_REQUEST, "speaker_id: the model has no speakers (single-speaker model)")
        buffer = io.BytesIO()
        try:
            with self.lock:
                wav = self.api.tts(
                    text, speaker=params.get("speaker_id") or None, language=params.get("language_id") or None
                )
                self.api.synthesizer.save_wav(wav, None, pipe_out=buffer)
        except REQUEST_ERRORS as err:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(err)) from None
        return buffer.getvalue()


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

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # read by the base class: no read or write waits forever
        super().setup()

    def do_GET(self) -> None:
        self._answer(with_body=False)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_POST(self) -> None:
        self._answer(with_body=True)

    def do_OPTIONS(self) -> None:
        path = self._path()
        if path not in ALLOWED_METHODS:
            self._send_text(HTTPStatus.NOT_FOUND, f"no such endpoint: {path} (/, /api/tts, /details)")
            return
        self._send(HTTPStatus.NO_CONTENT, "text/plain; charset=utf-8", b"")

    def _path(self) -> str:
        return urllib.parse.urlsplit(self.path).path.rstrip("/") or "/"

    def _answer(self, with_body: bool) -> None:
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
            self._send_text(err.status, str(err))
            return
        self._route(params)

    def _route(self, params: Dict[str, str]) -> None:
        path = self._path()
        try:
            if path == "/api/tts" and self.command == "HEAD":
                raise RequestError(
                    HTTPStatus.METHOD_NOT_ALLOWED, "/api/tts answers GET or POST (HEAD would synthesise)"
                )
            if path == "/api/tts":
                self._send(HTTPStatus.OK, "audio/wav", self.server.synthesise(params))
            elif path == "/details" and self.command in ("GET", "HEAD"):
                self._send(HTTPStatus.OK, "application/json", json.dumps(self.server.details()).encode())
            elif path == "/" and self.command in ("GET", "HEAD"):
                self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._page().encode())
            elif path in ("/", "/details"):
                raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} answers GET only")
            else:
                raise RequestError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path} (/, /api/tts, /details)")
        except RequestError as err:
            self._send_text(err.status, str(err))
        except Exception:  # a bug, not the request: log it, answer 500, keep serving
            logger.exception("error while answering %s %s", self.command, self.path)
            self._send_text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error: see the server's log")

    def _read_body(self) -> bytes:
        """The request body, as long as its Content-Length says; ``RequestError`` for one that cannot be read."""
        if self.headers.get("Transfer-Encoding"):
            raise RequestError(
                HTTPStatus.NOT_IMPLEMENTED,
                f"Transfer-Encoding {self.headers['Transfer-Encoding']} is not supported: send a Content-Length",
            )
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
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
        if len(body) < length:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"request body: {len(body)} bytes, Content-Length said {length}")
        return body

    def _body_params(self) -> Dict[str, str]:
        body = self._read_body()
        if not body:
            return {}
        kind = self.headers.get_content_type()  # text/plain when there is no Content-Type
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

    def _page(self) -> str:
        options = "".join(
            f'<option value="{html.escape(name)}">{html.escape(name)}</option>'
            for name in self.server.api.speakers or []
        )
        return (
            PAGE.replace("{{model}}", html.escape(self.server.api.model_name or "local model files"))
            .replace("{{speaker_options}}", options)
            .replace("{{speaker_hidden}}", "" if options else "hidden")
            .replace("{{version}}", __version__)
        )

    def send_error(self, code: int, message: Optional[str] = None, explain: Optional[str] = None) -> None:
        """The base class's errors (unknown method, URL too long, bad request line) as one line of plain text."""
        status = HTTPStatus(code)
        if status == HTTPStatus.NOT_IMPLEMENTED and self.command:
            message = f"method {self.command} is not supported: GET (/, /details, /api/tts) or POST (/api/tts)"
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
        server = TTSServer((args.host, args.port), None, args.max_text_length)
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
    except (*USER_ERRORS, UsageError, ServerStartError) as err:
        print(f"tts-server: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
