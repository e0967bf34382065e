"""Decoding the sentences of concurrent requests together (``tts-server --batch_requests``).

Each request runs in its own thread (text, Griffin-Lim and sending stay there); the Tacotron2
decoder, the part that gains from batches, runs in one thread that takes every sentence waiting
from any request (``MAX_BATCH`` at most, waiting ``GATHER_S`` for more) and decodes those of the
same speaker as one batch. Requests that arrive together decode together.

Batched mels equal one-by-one ones only up to float rounding, so with this on, the same request
may differ in its last bits from one time to the next, depending on what it was batched with
(the stream still equals the whole answer of the same request only when it ran alone).
"""

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Dict, List, Optional, Sequence, Tuple

from TTS.inference.synthesizer import DecodedSentence, Synthesizer

logger = logging.getLogger("TTS.server")

MAX_BATCH = 16
GATHER_S = 0.005

Job = Tuple[Sequence[int], Optional[int], Future]


class DecodeBatcher:
    """A decoder thread shared by all requests; ``decode`` has ``synthesize_mels``'s arguments."""

    def __init__(self, synthesizer: Synthesizer, *, max_batch: int = MAX_BATCH, gather_s: float = GATHER_S) -> None:
        self.synthesizer = synthesizer
        self.max_batch = max_batch
        self.gather_s = gather_s
        self.batch_sizes: List[int] = []  # of the last batches decoded, for tests and logs
        self._jobs: "queue.Queue[Job]" = queue.Queue()
        threading.Thread(target=self._run, name="tts-server-decoder", daemon=True).start()

    def decode(
        self, token_ids: Sequence[Sequence[int]], speaker_id: Optional[int] = None, batch_size: int = 1
    ) -> List[DecodedSentence]:
        futures = []
        for ids in token_ids:
            future: Future = Future()
            self._jobs.put((ids, speaker_id, future))
            futures.append(future)
        return [future.result() for future in futures]

    def _gather(self) -> List[Job]:
        jobs = [self._jobs.get()]
        while len(jobs) < self.max_batch:
            try:
                jobs.append(self._jobs.get(timeout=self.gather_s))
            except queue.Empty:
                break
        return jobs

    def _run(self) -> None:
        while True:
            jobs = self._gather()
            by_speaker: Dict[Optional[int], List[Job]] = {}
            for job in jobs:
                by_speaker.setdefault(job[1], []).append(job)
            for speaker_id, group in by_speaker.items():
                try:
                    mels = self.synthesizer.synthesize_mels(
                        [ids for ids, _, _ in group], speaker_id, batch_size=len(group)
                    )
                except BaseException as err:  # handed to the requests, which answer it
                    for _, _, future in group:
                        future.set_exception(err)
                    continue
                self.batch_sizes = (self.batch_sizes + [len(group)])[-100:]
                for (_, _, future), mel in zip(group, mels):
                    future.set_result(mel)
