#!/usr/bin/env python3
"""Streaming: how soon the first audio of a 10-sentence text comes, against the whole synthesis.

Measured three ways on the same text, after a warm-up, as the median of ``--repeats`` runs:

- API: ``TTS.tts_stream`` until its first piece, against ``TTS.tts`` of the whole text;
- server: ``/api/tts?stream=true`` until the first sample after the wav header (a ``tts-server``
  subprocess on 127.0.0.1), against the whole non-streamed answer;
- the pieces joined against ``tts()``: they must be equal sample for sample.

The target is a first audio in at most 25 % of the whole synthesis time. Exits 1 when the pieces
differ or the target is missed.

    python benchmarks/server_streaming.py                  # the default model
    python benchmarks/server_streaming.py --model_path m.pth --config_path c.json --repeats 1
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from typing import List, Optional

import numpy as np

from TTS.api import TTS

TEXT = (
    "The train left the station at nine. It was raining in the valley. Nobody on board said a word. "
    "A child pressed her face to the window. The fields went by, grey and green. Somewhere a dog barked. "
    "The conductor walked slowly down the aisle. He checked every ticket twice. "
    "At noon the sun came out at last. Everyone smiled."
)
TARGET = 0.25


def first_and_whole_api(tts: TTS) -> tuple:
    start = time.monotonic()
    stream = tts.tts_stream(TEXT)
    next(stream)
    first = time.monotonic() - start
    stream.close()
    start = time.monotonic()
    tts.tts(TEXT)
    return first, time.monotonic() - start


def first_and_whole_server(port: int) -> tuple:
    query = urllib.parse.urlencode({"text": TEXT})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.monotonic()
    connection.request("GET", f"/api/tts?{query}&stream=true")
    answer = connection.getresponse()
    received = b""
    while len(received) <= 44:  # the header, then the first samples
        received += answer.read1(65536)
    first = time.monotonic() - start
    connection.close()  # the server stops this synthesis at its next sentence
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.monotonic()
    connection.request("GET", f"/api/tts?{query}")
    connection.getresponse().read()
    connection.close()
    return first, time.monotonic() - start


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model_path")
    parser.add_argument("--config_path")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    tts = TTS(model_path=args.model_path, config_path=args.config_path, progress_bar=False)
    sentences = tts.synthesizer.speakable_sentences(TEXT)
    joined = np.concatenate(list(tts.tts_stream(TEXT)))  # warm-up too
    equal = joined.tolist() == tts.tts(TEXT)
    print(f"{len(sentences)} sentences, {len(joined) / tts.output_sample_rate:.1f} s of audio; "
          f"stream joined == tts(): {equal}")  # fmt: skip
    api = [first_and_whole_api(tts) for _ in range(args.repeats)]

    command = [sys.executable, "-m", "TTS.server.server", "--port", "0", "--no-progress_bar"]
    if args.model_path:
        command += ["--model_path", args.model_path, "--config_path", args.config_path]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        port = int(server.stdout.readline().split(" on ")[1].split()[0].rsplit(":", 1)[1])
        first_and_whole_server(port)  # warm-up
        served = [first_and_whole_server(port) for _ in range(args.repeats)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print("\n| where | first audio s | whole s | first / whole |")
    print("|---|---|---|---|")
    ratios = []
    for label, runs in (("API tts_stream vs tts", api), ("server stream=true vs whole wav", served)):
        first, whole = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        ratios.append(first / whole)
        print(f"| {label} | {first:.2f} | {whole:.2f} | {100 * first / whole:.0f} % |")
    passed = equal and max(ratios) <= TARGET
    print(
        f"\ntarget: first audio within {100 * TARGET:.0f} % of the whole synthesis: {'PASSED' if passed else 'FAILED'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
