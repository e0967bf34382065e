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
its socket after sending counts as gone). With more than one torch thread (or ``--batch_requests``)
concurrent requests are synthesised together, their sentences decoded in shared batches
(``TTS.server.batching``); ``--no-batch_requests`` serves them one at a time.

Origin: a request a web page of another origin sends (its ``Origin`` header is not this server's)
is refused with 403, unless ``--allow_origin`` lists that origin: this is a local service that
pages on the web must not drive. Host: a server listening on a loopback address (the default) answers
only requests addressed to a loopback name (``localhost``, ``127.0.0.1``, ``[::1]``, any port) or to a
name ``--allow_host`` lists; another ``Host`` is 403. This stops DNS rebinding, where a site's own name
is made to resolve to 127.0.0.1 so that its page counts as same-origin.
"""

import argparse
import ipaddress
import logging
import socket
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

from TTS import __version__
from TTS.api import TTS
from TTS.command_line import OneLineErrorParser, load_api, parse_device
from TTS.errors import TTSError
from TTS.inference.checks import SynthesisCancelled, SynthesisError
from TTS.server.batching import DecodeBatcher
from TTS.server.handler import Handler
from TTS.server.limits import ReadDeadlines, SynthesisQueue
from TTS.server.protocol import (  # noqa: F401 - LISTEN_BACKLOG and the errors are part of this module's API
    BUSY_PAGE,
    DEFAULT_PORT,
    LISTEN_BACKLOG,
    MAX_AUDIO_SECONDS,
    MAX_CONNECTIONS,
    MAX_QUEUE,
    REQUEST_ERRORS,
    REQUEST_TIMEOUT_S,
    RequestError,
    ServerStartError,
    _prepend,
    pcm_of,
)
from TTS.utils.wav_stream import wav_header

logger = logging.getLogger("TTS.server")


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
        allow_hosts: Sequence[str] = (),
        batch_requests: bool = False,
    ) -> None:
        super().__init__(address, Handler)  # binds now: a busy port is reported before a model loads
        self.api = api
        self.max_text_length = max_text_length
        self.request_timeout = request_timeout
        self.max_audio_seconds = max_audio_seconds
        self.max_connections = max_connections
        self.allow_origins = {origin.rstrip("/").lower() for origin in allow_origins}
        self.allow_hosts = {host.strip().lower() for host in allow_hosts}
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

    def host_problem(self, host: Optional[str]) -> Optional[str]:
        """Why a request addressed to ``host`` (its ``Host`` header) is refused, or None.

        Only a server on a loopback address checks: its requests must name a loopback host or one
        of ``allow_hosts``. A request with no ``Host`` (HTTP/1.0) passes.
        """
        if host is None or not _is_loopback(self.server_address[0]):
            return None
        name = urllib.parse.urlsplit("//" + host.strip().lower()).hostname or ""
        if name in self.allow_hosts or name == "localhost" or _is_loopback(name):
            return None
        return (
            f"Host {host.strip()!r} is not this server's: it answers requests to localhost only "
            "(start tts-server with --allow_host NAME to let one)"
        )

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


def batching(requested: Optional[bool]) -> bool:
    """``--batch_requests`` / ``--no-batch_requests``, else on when torch has more than one thread."""
    return torch.get_num_threads() > 1 if requested is None else requested


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


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
        "--allow_host",
        action="append",
        default=[],
        metavar="NAME",
        help="A host name (tts.example.lan) requests may be addressed to, besides localhost; repeat for more.",
    )
    parser.add_argument(
        "--batch_requests",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Synthesise concurrent requests together, their sentences decoded in shared batches (default: on with "
        "more than one torch thread, where it serves bursts ~3x faster; a request's samples then depend in their "
        "last bits on what it was batched with: --no-batch_requests for bit-exact answers under load).",
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
            allow_hosts=args.allow_host,
            batch_requests=batching(args.batch_requests),
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
