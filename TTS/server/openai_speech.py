"""``POST /v1/audio/speech``: OpenAI's speech API on this server's model.

    {"model": "tts-1", "input": "Hello.", "voice": "alloy", "response_format": "wav", "speed": 1.0}

- ``model`` is any name (there is one model here); ``input`` is the text.
- ``voice`` is one of the model's speakers; a single-speaker model takes any voice (OpenAI's
  clients always send one).
- ``response_format``: ``wav``, ``flac`` or ``pcm`` (raw 16-bit little-endian mono at the
  model's sample rate, ``X-Sample-Rate`` says which); ``mp3``, ``opus`` and ``aac`` are refused by
  name, since no encoder for them is installed. The default is ``wav`` (OpenAI's is ``mp3``).
- ``speed`` other than 1 needs a model with a speaking rate (Glow-TTS's ``length_scale``);
  the models here (Tacotron2) have none, so it is an error naming the field, never ignored.

Errors are OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``, so that its
clients show the message.
"""

import io
import json
from http import HTTPStatus
from typing import Any, List, NamedTuple, Optional

import numpy as np
import soundfile as sf

from TTS.errors import TTSError

FORMATS = {"wav": "audio/wav", "flac": "audio/flac", "pcm": "audio/L16"}
UNSUPPORTED_FORMATS = ("mp3", "opus", "aac")


class SpeechRequestError(TTSError):
    """A speech request this server refuses, with the field it is about."""

    def __init__(self, message: str, param: Optional[str] = None, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.param = param
        self.status = status

    def body(self) -> bytes:
        error = {"message": str(self), "type": "invalid_request_error", "param": self.param, "code": None}
        return json.dumps({"error": error}).encode()


class SpeechRequest(NamedTuple):
    text: str
    speaker: Optional[str]
    response_format: str
    speed: float


def parse_speech_request(body: bytes, speakers: List[str], model_kind: str) -> SpeechRequest:
    """The fields of a speech request body; ``SpeechRequestError`` naming the field that is wrong."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SpeechRequestError("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise SpeechRequestError('request body: expected a JSON object like {"input": "...", "voice": "..."}')
    text = data.get("input")
    if not isinstance(text, str) or not text.strip():
        raise SpeechRequestError("input: expected the text to speak, a non-empty string", "input")
    voice = data.get("voice")
    if voice is not None and not isinstance(voice, str):
        raise SpeechRequestError(f"voice: expected a string, got {type(voice).__name__}", "voice")
    speaker = None
    if speakers:
        if voice not in speakers:
            raise SpeechRequestError(f"voice {voice!r} is not one of the model's: {', '.join(speakers)}", "voice")
        speaker = voice
    response_format = data.get("response_format") or "wav"
    if response_format in UNSUPPORTED_FORMATS:
        raise SpeechRequestError(
            f"response_format {response_format!r} is not supported here: use {', '.join(FORMATS)}", "response_format"
        )
    if response_format not in FORMATS:
        raise SpeechRequestError(
            f"response_format {response_format!r} is not a format: use {', '.join(FORMATS)}", "response_format"
        )
    speed = data.get("speed", 1.0)
    if speed is None:
        speed = 1.0
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0.25 <= speed <= 4.0:
        raise SpeechRequestError(f"speed: expected a number from 0.25 to 4.0, got {speed!r}", "speed")
    if speed != 1.0:  # no model here has a speaking rate (``length_scale``) to map it to
        raise SpeechRequestError(
            f"speed {speed:g}: this model ({model_kind}) has no speaking rate; leave speed out or send 1.0", "speed"
        )
    return SpeechRequest(text, speaker, response_format, float(speed))


def encode(pcm: bytes, sample_rate: int, response_format: str) -> bytes:
    """16-bit PCM samples (little-endian, mono) in ``response_format``."""
    if response_format == "pcm":
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")
    out = io.BytesIO()
    sf.write(out, samples, sample_rate, format=response_format.upper(), subtype="PCM_16")
    return out.getvalue()
