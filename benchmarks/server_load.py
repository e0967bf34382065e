#!/usr/bin/env python3
"""tts-server under load, on 127.0.0.1 only, with bounded loops: what a burst, a long run and
clients that leave do to it.

Starts ``tts-server`` (the default model, or ``--model_path``/``--config_path``) as a subprocess
on a free port of 127.0.0.1 and measures:

1. ``--bursts`` bursts of ``--burst`` concurrent requests: every answer must be 200 or 503 (with
   ``Retry-After``), never a reset; the wall time of each burst and its requests per second;
2. the same number of requests one at a time: requests per second, for the concurrency ratio;
3. ``--sequential`` requests one after the other: the server's RSS after ``--warmup`` of them and at
   the end (growth must stay under 150 MB);
4. ``--leavers`` clients that send a long text and go away after 0.3 s: the latency of the next
   short request against its latency on an idle server (the abandoned work must be cancelled).

``--batch_requests`` starts the server with that flag (concurrent requests decoded together) and
a queue that takes a whole burst, to compare concurrent with one-at-a-time throughput.

Prints a table; exits 1 when a check fails.

    python benchmarks/server_load.py                       # the default model, full run (minutes)
    python benchmarks/server_load.py --quick --model_path m.pth --config_path c.json   # smoke run
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Tuple

import psutil

HOST = "127.0.0.1"
SHORT_TEXT = "Hello world."
LONG_TEXT = " ".join(["The quick brown fox jumps over the lazy dog."] * 40)  # about 1,800 characters
RSS_LIMIT_MB = 150


def start_server(args: argparse.Namespace) -> Tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "TTS.server.server", "--host", HOST, "--port", "0", "--no-progress_bar"]
    if args.model_path:
        command += ["--model_path", args.model_path, "--config_path", args.config_path]
    if args.batch_requests:
        command += ["--batch_requests", "--max_queue", str(max(32, args.burst))]
    else:
        command += ["--no-batch_requests"]  # one request at a time, whatever the thread count
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = process.stdout.readline()
    if " on http://" not in line:
        process.kill()
        raise SystemExit(f"tts-server did not start: {line!r}")
    return process, int(line.split(" on ")[1].split()[0].rsplit(":", 1)[1])


def request(port: int, text: str = SHORT_TEXT, timeout: float = 600) -> Tuple[str, float]:
    """(outcome, seconds): outcome is the status ('200', '503') or 'reset' / the error's name."""
    start = time.monotonic()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", "/api/tts?" + urllib.parse.urlencode({"text": text}))
        answer = connection.getresponse()
        answer.read()
        outcome = str(answer.status)
        if answer.status == 503 and not answer.getheader("Retry-After"):
            outcome = "503 without Retry-After"
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
        outcome = "reset"
    except OSError as err:
        outcome = type(err).__name__
    finally:
        connection.close()
    return outcome, time.monotonic() - start


def leave_after(port: int, seconds: float) -> None:
    with socket.create_connection((HOST, port)) as sock:
        query = urllib.parse.urlencode({"text": LONG_TEXT})
        sock.sendall(f"GET /api/tts?{query} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        time.sleep(seconds)


def rss_mb(process: subprocess.Popen) -> float:
    return psutil.Process(process.pid).memory_info().rss / 2**20


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model_path")
    parser.add_argument("--config_path")
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--leavers", type=int, default=5)
    parser.add_argument(
        "--batch_requests",
        action="store_true",
        help="Start the server with --batch_requests (and a queue for a burst).",
    )
    parser.add_argument("--quick", action="store_true", help="2 bursts of 10, 20 sequential (5 warm-up), 2 leavers")
    args = parser.parse_args(argv)
    if args.quick:
        args.bursts, args.burst, args.sequential, args.warmup, args.leavers = 2, 10, 20, 5, 2
    process, port = start_server(args)
    failures = []
    try:
        request(port)  # first request: lazy imports, caches
        idle = statistics.median(request(port)[1] for _ in range(3))
        print(f"server pid {process.pid} on {HOST}:{port}; one short request on an idle server: {idle:.2f} s")
        print("\n| phase | requests | 200 | 503 | resets/other | wall s | req/s (200) | median s | max s |")
        print("|---|---|---|---|---|---|---|---|---|")
        burst_rates = []
        for number in range(1, args.bursts + 1):
            start = time.monotonic()
            with ThreadPoolExecutor(args.burst) as pool:
                results = list(pool.map(lambda _: request(port), range(args.burst)))
            wall = time.monotonic() - start
            outcomes = [outcome for outcome, _ in results]
            ok, busy = outcomes.count("200"), outcomes.count("503")
            other = len(outcomes) - ok - busy
            burst_rates.append(ok / wall)
            times = [seconds for outcome, seconds in results if outcome == "200"] or [0.0]
            print(f"| burst {number} of {args.burst} concurrent | {len(results)} | {ok} | {busy} | {other} "
                  f"| {wall:.1f} | {ok / wall:.2f} | {statistics.median(times):.2f} | {max(times):.2f} |")  # fmt: skip
            if other:
                failures.append(
                    f"burst {number}: {other} answers neither 200 nor 503: {set(outcomes) - {'200', '503'}}"
                )
        start = time.monotonic()
        results = [request(port) for _ in range(args.burst)]
        wall = time.monotonic() - start
        ok = sum(outcome == "200" for outcome, _ in results)
        times = [seconds for _, seconds in results]
        print(f"| {args.burst} one at a time | {args.burst} | {ok} | 0 | {args.burst - ok} | {wall:.1f} "
              f"| {ok / wall:.2f} | {statistics.median(times):.2f} | {max(times):.2f} |")  # fmt: skip
        print(f"\nconcurrent / one-at-a-time throughput: {statistics.median(burst_rates) / (ok / wall):.2f}x")

        rss_start = None
        for index in range(args.sequential):
            outcome, _ = request(port)
            if outcome != "200":
                failures.append(f"sequential request {index}: {outcome}")
                break
            if index + 1 == args.warmup:
                rss_start = rss_mb(process)
        growth = rss_mb(process) - (rss_start or 0.0)
        print(f"{args.sequential} sequential requests: RSS {rss_start:.0f} MB after {args.warmup}, "
              f"{rss_start + growth:.0f} MB at the end: growth {growth:+.1f} MB (limit {RSS_LIMIT_MB} MB)")  # fmt: skip
        if growth >= RSS_LIMIT_MB:
            failures.append(f"RSS grew {growth:.0f} MB")

        with ThreadPoolExecutor(args.leavers) as pool:
            list(pool.map(lambda _: leave_after(port, 0.3), range(args.leavers)))
        outcome, after = request(port)
        print(f"{args.leavers} clients sent {len(LONG_TEXT)} characters and left after 0.3 s: "
              f"the next short request took {after:.2f} s (idle: {idle:.2f} s)")  # fmt: skip
        if outcome != "200" or after > 3 * idle + 2.0:
            failures.append(f"the request after the leavers: {outcome} in {after:.2f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)
    for failure in failures:
        print(f"FAILED: {failure}")
    print("PASSED" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
