#!/usr/bin/env python3
"""End-to-end synthesis speed (text in, wav out) and batch vs one-by-one throughput.

Model: the Coqui fixture a checkpoint (tacotron2-DDC recipe: r=6, espeak phonemes) rebuilt by
the fixtures' ``regen_weights.py``, vocoded by Griffin-Lim from its audio config, through the
``Synthesizer`` exactly as ``tts`` runs it. The weights are random, so the stop token never
fires: every sentence decodes exactly its step limit, ``PACE_S`` seconds of audio per input
token (about a normal reading pace), so the work is proportional to the text as with a trained
model.

For each torch thread count (``--threads``), the median of ``--repeats`` runs after a warm-up:

- end to end: ``Synthesizer.tts(PARAGRAPH)`` (8 sentences: split, phonemize, decode, Griffin-Lim,
  trim, join) one sentence at a time and with ``batch_size=8``; real-time factor = seconds / seconds
  of audio;
- model only: the mels of the same 8 sentences, one by one and as one batch of 8;
- the parts: tokenising the 8 sentences (espeak-ng phonemes, cache emptied first, as in the end-to-end
  runs), Griffin-Lim of their mels (as ``tts`` runs it: as many at a time as torch has threads),
  the postnet over their frames; the postnet and Griffin-Lim do
  the same work per frame with or without batching, which bounds what batching can gain (printed as
  the ceiling with a free decoder loop).

Ratios compare runs of the same process, back to back, so they hold on a machine that other
processes load; absolute seconds do not.

Usage::

    python benchmarks/synthesis_speed.py                    # 1 and 2 threads, 3 repeats
    python benchmarks/synthesis_speed.py --threads 1 --repeats 1 --quick   # smoke run
"""

import argparse
import importlib.util
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

from TTS.tts.utils.text.sentences import split_into_sentences
from TTS.utils.synthesizer import Synthesizer

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURE = "a_ljspeech_ddc"
PACE_S = 0.075  # seconds of audio per input token: the fixed per-sentence decoding length
QUICK_PACE_S = 0.01
BATCH = 8
PARAGRAPH = (
    "The old lighthouse stood at the edge of the cliff, watching over the restless sea. "
    "Every night its lamp turned slowly, sending a beam of light across the dark water. "
    "Dr. Evans, the keeper, had lived there alone for almost thirty years. "
    "He kept a careful log of every ship that passed, and of every storm. "
    "One winter evening, a small boat appeared on the horizon, fighting the waves. "
    "He lit a second lantern and waved it from the gallery until his arms ached. "
    "By morning the sea was calm, and the boat lay safely in the harbour below. "
    "The fishermen still tell the story, though most of them never met him."
)


def fixtures_dir(arg: Optional[str]) -> Path:
    path = Path(arg or os.environ.get("TTS_FIXTURES_DIR") or REPO_ROOT.parent / "shared" / "fixtures" / "coqui")
    if not (path / "regen_weights.py").is_file():
        raise SystemExit(f"Coqui fixtures not found at {path} (use --fixtures or TTS_FIXTURES_DIR)")
    return path


def build_synthesizer(fixtures: Path, folder: Path, pace_s: float) -> Synthesizer:
    spec = importlib.util.spec_from_file_location("regen_weights", fixtures / "regen_weights.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    torch.save(regen.build_checkpoint(str(fixtures / FIXTURE)), folder / "model.pth")
    config = json.loads((fixtures / FIXTURE / "config.json").read_text())
    config["stop_threshold"] = 2.0  # a probability never passes it: every sentence runs to its step limit
    (folder / "config.json").write_text(json.dumps(config))
    return Synthesizer(
        folder / "model.pth", folder / "config.json", max_seconds_per_token=pace_s, min_seconds_per_sentence=0
    )


def timed(fn: Callable[[], object], repeats: int) -> List[float]:
    """Seconds of ``repeats`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def cold(synth: Synthesizer) -> Synthesizer:
    """Forget the phonemizer's cache, so that a run phonemizes the text as a first run does."""
    tokenizer = synth.tts_model.tokenizer
    if tokenizer.phonemizer is not None:
        tokenizer.phonemizer = type(tokenizer.phonemizer)(tokenizer.phonemizer.language)
    return synth


def measure(synth: Synthesizer, repeats: int) -> Dict[str, float]:
    language = synth.tts_model.language()
    sentences = split_into_sentences(PARAGRAPH, language)
    assert len(sentences) == BATCH, sentences
    ids = [synth._token_ids(sentence, language)[0] for sentence in sentences]
    mels = synth.synthesize_mels(ids, batch_size=1)
    audio_s = sum(d.mel.shape[0] for d in mels) * synth.tts_model.ap.hop_length / synth.tts_model.ap.sample_rate
    batched = synth.synthesize_mels(ids, batch_size=BATCH)
    results = {
        "audio_s": audio_s,
        "frames": sum(d.mel.shape[0] for d in mels),
        "tokens": sum(len(i) for i in ids),
        "max_mel_diff": max(float(np.abs(a.mel - b.mel).max()) for a, b in zip(mels, batched)),
    }
    runs = {
        "e2e_one_by_one": lambda: cold(synth).tts(PARAGRAPH, batch_size=1),
        "e2e_batch": lambda: cold(synth).tts(PARAGRAPH, batch_size=BATCH),
        "model_one_by_one": lambda: synth.synthesize_mels(ids, batch_size=1),
        "model_batch": lambda: synth.synthesize_mels(ids, batch_size=BATCH),
        "tokenise": lambda: (
            [cold(synth)._token_ids(sentence, language) for sentence in sentences[:1]]
            + [synth._token_ids(sentence, language) for sentence in sentences[1:]]
        ),
        "griffin_lim": lambda: synth.vocode_all([d.mel for d in mels]),
        "postnet": lambda: postnet_only(synth, mels),
    }
    for name, fn in runs.items():
        results[name] = statistics.median(timed(fn, repeats))
    return results


def postnet_only(synth: Synthesizer, mels) -> None:
    """The postnet over every sentence's frames: per-frame work that batching cannot share."""
    with torch.inference_mode():
        for decoded in mels:
            synth.tts_model.postnet(torch.as_tensor(decoded.mel.T[None], device=synth.device))


def report(threads: int, r: Dict[str, float]) -> None:
    audio = r["audio_s"]
    print(
        f"\n== {threads} thread(s): {BATCH} sentences, {r['tokens']} tokens, "
        f"{r['frames']} frames = {audio:.1f} s of audio"
    )
    rows = [
        ("end to end, one by one", r["e2e_one_by_one"]),
        (f"end to end, batch of {BATCH}", r["e2e_batch"]),
        ("model only, one by one", r["model_one_by_one"]),
        (f"model only, batch of {BATCH}", r["model_batch"]),
        ("  tokenising (espeak phonemes)", r["tokenise"]),
        ("  Griffin-Lim", r["griffin_lim"]),
        ("  postnet (inside model only)", r["postnet"]),
    ]
    print(f"{'':34} {'seconds':>8} {'RTF':>7} {'x real time':>11}")
    for label, seconds in rows:
        print(f"{label:34} {seconds:8.3f} {seconds / audio:7.3f} {audio / seconds:11.1f}")
    print(f"batch / one-by-one throughput: model {r['model_one_by_one'] / r['model_batch']:.2f}x, "
          f"end to end {r['e2e_one_by_one'] / r['e2e_batch']:.2f}x")  # fmt: skip
    print(f"max |batched mel - one-by-one mel| = {r['max_mel_diff']:.2e}")
    # The postnet and Griffin-Lim do the same work per frame either way: even a free decoder loop
    # could not make batching faster than these ratios (Amdahl's law).
    print(f"ceiling with a free batched decoder loop: model {r['model_one_by_one'] / r['postnet']:.2f}x, "
          f"end to end {r['e2e_one_by_one'] / (r['postnet'] + r['griffin_lim'] + r['tokenise']):.2f}x")  # fmt: skip


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch thread counts (default 1 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measurement after a warm-up (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_PACE_S} s of audio per token instead of {PACE_S} (smoke run)"
    )
    parser.add_argument(
        "--fixtures", default=None, help="Coqui fixtures folder (default $TTS_FIXTURES_DIR or ../shared/fixtures/coqui)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1 or any(t < 1 for t in args.threads):
        parser.error("--repeats and --threads must be >= 1")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.getLogger("TTS").setLevel(logging.ERROR)  # every sentence ends at its step limit: no warnings
    with tempfile.TemporaryDirectory() as folder:
        synth = build_synthesizer(fixtures_dir(args.fixtures), Path(folder), QUICK_PACE_S if args.quick else PACE_S)
    ap = synth.tts_model.ap
    print(
        f"fixture {FIXTURE}: r={synth.tts_model.decoder.r}, Griffin-Lim momentum {ap.griffin_lim_momentum}, "
        f"torch {torch.__version__}, {os.cpu_count()} CPUs; other processes may load the machine: compare the ratios"
    )
    default_threads = torch.get_num_threads()
    for threads in args.threads:
        torch.set_num_threads(threads)
        report(threads, measure(synth, args.repeats))
    torch.set_num_threads(default_threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
