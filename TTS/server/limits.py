"""What keeps ``tts-server`` answering under load: a bounded synthesis queue, a cap on open
connections and a deadline for reading each request.

- ``SynthesisQueue``: requests waiting for the model or being synthesised, at most ``max_queue``;
  one more is answered 503 with ``Retry-After`` (never a reset). One synthesis runs at a time,
  and a request whose client has gone away leaves the queue without being synthesised.
- ``ReadDeadlines``: a request (its line, headers and body) must come in within ``timeout``
  seconds, however slowly it trickles; an idle keep-alive connection is closed after as long. One
  watchdog thread ends the reads that are late (``shutdown(SHUT_RD)``: the handler's read returns).
"""

import logging
import math
import socket
import threading
import time
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, Set

logger = logging.getLogger("TTS.server")


class QueueFull(Exception):
    """The synthesis queue is full; ``retry_after`` is a hint in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the server is busy ({retry_after} s): try again later")
        self.retry_after = retry_after


class SynthesisQueue:
    """At most ``max_queue`` requests admitted (waiting or running); one synthesis at a time when ``exclusive``."""

    def __init__(self, max_queue: int, *, exclusive: bool = True) -> None:
        self.max_queue = max_queue
        self.exclusive = exclusive  # False: requests run together (their decoding is batched elsewhere)
        self.admitted = 0
        self._count_lock = threading.Lock()
        self._model = threading.Lock()
        self._mean_seconds = 1.0  # moving average of a synthesis, for Retry-After

    def retry_after(self) -> int:
        return max(1, min(120, math.ceil(self._mean_seconds * self.admitted)))

    @contextmanager
    def admit(self) -> Iterator[None]:
        """A place in the queue for the ``with`` block; ``QueueFull`` when there is none."""
        with self._count_lock:
            if self.admitted >= self.max_queue:
                raise QueueFull(self.retry_after())
            self.admitted += 1
        try:
            yield
        finally:
            with self._count_lock:
                self.admitted -= 1

    @contextmanager
    def model(self, gone: Callable[[], bool], poll_s: float = 0.1) -> Iterator[bool]:
        """The model for the ``with`` block; yields False (without it) when ``gone()`` says the client left."""
        if not self.exclusive:
            yield not gone()
            return
        while not self._model.acquire(timeout=poll_s):
            if gone():
                yield False
                return
        start = time.monotonic()
        try:
            yield True
        finally:
            self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (time.monotonic() - start)
            self._model.release()


class ReadDeadlines:
    """Sockets whose request must be read by a deadline; a watchdog thread ends the late reads."""

    def __init__(self, poll_s: float = 0.25) -> None:
        self._deadlines: Dict[socket.socket, float] = {}
        self._expired: Set[socket.socket] = set()
        self._lock = threading.Lock()
        self._poll_s = poll_s
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="tts-server-read-deadlines", daemon=True)
        self._thread.start()

    def start(self, sock: socket.socket, timeout: float) -> None:
        with self._lock:
            self._deadlines[sock] = time.monotonic() + timeout

    def done(self, sock: socket.socket) -> None:
        with self._lock:
            self._deadlines.pop(sock, None)
            self._expired.discard(sock)

    def expired(self, sock: socket.socket) -> bool:
        """Whether the watchdog ended this socket's read (until ``done``)."""
        with self._lock:
            return sock in self._expired

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(self._poll_s):
            now = time.monotonic()
            with self._lock:
                late = [sock for sock, deadline in self._deadlines.items() if deadline < now]
                for sock in late:
                    del self._deadlines[sock]
                    self._expired.add(sock)
            for sock in late:
                try:
                    sock.shutdown(socket.SHUT_RD)  # the blocked read returns; the handler can still answer
                except OSError:
                    pass
