"""What ``tts-server`` accepts and answers: limits, fields, request errors, and the parsing of request bodies."""

import urllib.parse
from http import HTTPStatus
from pathlib import Path
from typing import Dict, Generator, Iterator, Optional

import numpy as np

from TTS.errors import TTSError
from TTS.utils.wav_stream import PcmEncoder

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
