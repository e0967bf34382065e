"""16-bit PCM for audio that is written while it is made: a wav header for an unknown length, then samples.

A finished file is peak-normalised over the whole clip (``AudioProcessor.save_wav``); a stream cannot
wait for the last sentence, so its gain is set by the first piece (its peak to ``STREAM_PEAK`` of full
scale, boosted at most 1/``SAVE_WAV_MIN_PEAK``) and later pieces are clipped to full scale. The
server's answers (streamed or not) and ``tts --pipe_out`` use this encoding, so a streamed answer and
the one written whole hold the same samples.
"""

import struct
from typing import Iterable, Iterator, Optional

import numpy as np

from TTS.utils.audio.processor import SAVE_WAV_MIN_PEAK

#: Where the first piece's peak lands, as a fraction of full scale (headroom for louder sentences after it).
STREAM_PEAK = 0.9
#: RIFF and data sizes of a wav whose length is not known when its header is written (readers take "to the end").
UNKNOWN_SIZE = 0xFFFFFFFF


def wav_header(sample_rate: int, num_samples: Optional[int] = None) -> bytes:
    """The 44-byte header of a mono 16-bit PCM wav; ``num_samples`` None: length unknown (a stream)."""
    data = UNKNOWN_SIZE if num_samples is None else 2 * num_samples
    riff = UNKNOWN_SIZE if num_samples is None else 36 + data
    return (
        b"RIFF" + struct.pack("<I", riff) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, 2 * sample_rate, 2, 16)
        + b"data" + struct.pack("<I", data)
    )  # fmt: skip


class PcmEncoder:
    """Float pieces of one clip to 16-bit little-endian PCM bytes, with the gain set by the first piece."""

    def __init__(self) -> None:
        self.gain: Optional[float] = None

    def encode(self, piece: np.ndarray) -> bytes:
        piece = np.asarray(piece, dtype=np.float64)
        if self.gain is None:
            peak = float(np.max(np.abs(piece))) if piece.size else 0.0
            self.gain = STREAM_PEAK * 32767 / max(SAVE_WAV_MIN_PEAK, peak)
        return np.clip(np.rint(piece * self.gain), -32768, 32767).astype("<i2").tobytes()


def pcm_pieces(pieces: Iterable[np.ndarray]) -> Iterator[bytes]:
    """The PCM bytes of each piece of one clip (see ``PcmEncoder``)."""
    encoder = PcmEncoder()
    for piece in pieces:
        yield encoder.encode(piece)
