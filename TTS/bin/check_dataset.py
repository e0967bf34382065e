"""Check a dataset before training: audio files, sample rates, durations and characters.

    python -m TTS.bin.check_dataset --config_path config.json [--json]
    python -m TTS.bin.check_dataset --formatter ljspeech --path /data/LJSpeech-1.1 [--meta_file metadata.csv]

Reports missing or unreadable audio files, audio with NaN or infinite samples,
sample rates other than the config's, empty texts and characters outside the
model's vocabulary (with counts and one example line each), with a histogram of
durations and the total hours. Empty clips and clips outside the config's length
limits (``min_audio_len`` ... ``max_text_len``) are warnings, as training leaves
them out; an error when that leaves none. Every problem names the metadata file
and line it comes from. The exit code is 1 when there are errors (with
``--strict``, warnings too), else 0. A config that cannot be used ends in one
``error:`` line on stderr, exit code 1.
"""

import argparse
import dataclasses
import json
import logging
import os
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import soundfile as sf

from TTS.config import load_config
from TTS.config.errors import ConfigError
from TTS.config.shared_configs import BaseDatasetConfig
from TTS.errors import TTSError
from TTS.tts.configs.shared_configs import BaseTTSConfig
from TTS.tts.datasets import load_tts_samples
from TTS.tts.datasets.dataset import audio_is_finite
from TTS.tts.utils.text.tokenizer import TTSTokenizer

HISTOGRAM_BINS = 10
HISTOGRAM_WIDTH = 40  # characters of the longest bar
SECONDS_PER_HOUR = 3600.0
# errors that mean bad input, reported in one line instead of a traceback (as in train_tts)
INPUT_ERRORS = (TTSError, FileNotFoundError)


def _where(sample: Dict[str, Any]) -> str:
    if "metadata_file" in sample:
        return f"{sample['metadata_file']}:{sample['metadata_line']}"
    return sample["audio_file"]


def _problem(sample: Optional[Dict[str, Any]], problem: str, detail: str) -> Dict[str, Any]:
    return {
        "where": _where(sample) if sample else "",
        "audio_file": sample["audio_file"] if sample else "",
        "problem": problem,
        "detail": detail,
    }


def _outside_limits(
    audio_length: int, text_length: int, audio_range: Tuple[float, float], text_range: Tuple[float, float]
) -> Optional[str]:
    """Why ``TTSDataset`` would leave a clip out by its length limits, or None."""
    if audio_length < audio_range[0]:
        return f"audio of {audio_length} samples, shorter than min_audio_len={audio_range[0]}"
    if audio_length > audio_range[1]:
        return f"audio of {audio_length} samples, longer than max_audio_len={audio_range[1]}"
    if text_length < text_range[0]:
        return f"text of {text_length} characters, shorter than min_text_len={text_range[0]}"
    if text_length > text_range[1]:
        return f"text of {text_length} characters, longer than max_text_len={text_range[1]}"
    return None


def _histogram(durations: Sequence[float]) -> Tuple[np.ndarray, np.ndarray]:
    """Counts and edges of the durations; one bin when they are all equal (numpy would centre 1 s on the value)."""
    if not durations:
        return np.array([]), np.array([])
    low, high = min(durations), max(durations)
    if low == high:
        return np.array([len(durations)]), np.array([low, high])
    return np.histogram(durations, bins=HISTOGRAM_BINS, range=(low, high))


def check_samples(
    samples: Sequence[Dict[str, Any]],
    *,
    tokenizer: Any,
    sample_rate: int,
    resample: bool,
    unknown_chars_are_errors: bool,
    audio_range: Tuple[float, float] = (1, float("inf")),
    text_range: Tuple[float, float] = (1, float("inf")),
) -> Dict[str, Any]:
    """Check every sample; return a report dict with ``errors``, ``warnings`` and ``stats``.

    Parameters
    ----------
    samples : sequence of dict
        Samples from ``load_tts_samples``.
    tokenizer : TTSTokenizer
        Decides which characters are outside the vocabulary (``unknown_characters``).
    sample_rate : int
        Expected sample rate (``audio.sample_rate``).
    resample : bool
        ``audio.resample``: other sample rates are then warnings instead of errors.
    unknown_chars_are_errors : bool
        Report characters outside the vocabulary as errors (``unknown_chars='error'``).
    audio_range, text_range : tuple of float
        ``(min_audio_len, max_audio_len)`` in samples at ``sample_rate`` and ``(min_text_len, max_text_len)``.
    """
    errors: List[Dict[str, Any]] = []
    warnings: List[Dict[str, Any]] = []
    durations: List[float] = []
    unknown: Dict[str, Dict[str, Any]] = {}
    seen: Dict[str, Dict[str, Any]] = {}
    within_limits = 0
    for sample in samples:
        path = sample["audio_file"]
        if path in seen:
            warnings.append(_problem(sample, "duplicate audio file", f"{path} is also listed at {_where(seen[path])}"))
        seen[path] = sample
        if not sample["text"].strip():
            errors.append(_problem(sample, "empty text", path))
        else:
            for char in tokenizer.unknown_characters(sample["text"], language=sample.get("language") or None):
                entry = unknown.setdefault(char, {"count": 0, "sample": sample})
                entry["count"] += 1
        if not os.path.isfile(path):
            errors.append(_problem(sample, "missing audio file", path))
            continue
        try:
            info = sf.info(path)
            finite = audio_is_finite(path, info.subtype)
        except RuntimeError as err:
            errors.append(_problem(sample, "unreadable audio file", f"{path}: {err}"))
            continue
        durations.append(info.frames / info.samplerate)
        if not finite:
            errors.append(_problem(sample, "non-finite audio", f"{path} has NaN or infinite samples"))
        if info.samplerate != sample_rate:
            (warnings if resample else errors).append(
                _problem(sample, "sample rate", f"{path} is {info.samplerate} Hz, the config expects {sample_rate} Hz")
            )
        outside = _outside_limits(
            round(info.frames * sample_rate / info.samplerate), len(sample["text"]), audio_range, text_range
        )
        if info.frames == 0:
            warnings.append(_problem(sample, "empty audio", f"{path} has no samples (training leaves it out)"))
        elif outside and sample["text"].strip():  # an empty text is an error already
            warnings.append(_problem(sample, "outside length limits", f"{path}: {outside} (training leaves it out)"))
        elif not outside:
            within_limits += 1
    if durations and not within_limits:
        limits = (
            f"min_audio_len={audio_range[0]}, max_audio_len={audio_range[1]} (samples at {sample_rate} Hz), "
            f"min_text_len={text_range[0]}, max_text_len={text_range[1]}"
        )
        errors.append(
            {
                "where": "config",
                "audio_file": "",
                "problem": "no clip within the length limits",
                "detail": f"all {len(durations)} readable clips are outside {limits}: training would have no samples",
            }
        )
    for char, entry in sorted(unknown.items(), key=lambda item: -item[1]["count"]):
        detail = f"{char!r} (U+{ord(char):04X}) in {entry['count']} samples, e.g. {entry['sample']['text']!r}"
        (errors if unknown_chars_are_errors else warnings).append(
            _problem(entry["sample"], "unknown character", detail)
        )
    counts, edges = _histogram(durations)
    stats = {
        "num_samples": len(samples),
        "num_readable_audio": len(durations),
        "num_within_length_limits": within_limits,
        "total_hours": float(np.sum(durations)) / SECONDS_PER_HOUR,
        "duration_min_s": float(np.min(durations)) if durations else None,
        "duration_max_s": float(np.max(durations)) if durations else None,
        "duration_histogram": [
            {"from_s": float(lo), "to_s": float(hi), "count": int(n)}
            for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True)
        ],
        "unknown_characters": {char: entry["count"] for char, entry in unknown.items()},
    }
    return {"errors": errors, "warnings": warnings, "stats": stats}


def _load(datasets: List[BaseDatasetConfig]) -> Dict[str, Any]:
    """Samples of every metadata file of ``datasets``, or the errors that stopped loading them."""
    samples, errors = [], []
    for index, dataset in enumerate(datasets):
        splits = [dataset] + (
            [dataclasses.replace(dataset, meta_file_train=dataset.meta_file_val)] if dataset.meta_file_val else []
        )
        for split in splits:
            try:
                samples += load_tts_samples(split, eval_split=False)[0]
            except (ConfigError, ValueError, OSError) as err:
                errors.append(
                    {
                        "where": f"datasets[{index}]",
                        "audio_file": "",
                        "problem": "cannot load metadata",
                        "detail": str(err),
                    }
                )
    return {"samples": samples, "errors": errors}


def _print_report(report: Dict[str, Any]) -> None:
    stats = report["stats"]
    for kind in ("errors", "warnings"):
        for problem in report[kind]:
            print(f"{kind[:-1].upper():7s} {problem['where']}: {problem['problem']}: {problem['detail']}")
    seconds = stats["total_hours"] * SECONDS_PER_HOUR
    print(f"\n{stats['num_samples']} samples, {stats['num_readable_audio']} readable audio files, ", end="")
    print(f"{stats['total_hours']:.3f} hours ({seconds:.1f} s)")
    if stats["duration_histogram"]:
        print(f"durations from {stats['duration_min_s']:.2f} s to {stats['duration_max_s']:.2f} s:")
        top = max(bin_["count"] for bin_ in stats["duration_histogram"])
        for bin_ in stats["duration_histogram"]:
            bar = "#" * round(HISTOGRAM_WIDTH * bin_["count"] / top)
            print(f"  {bin_['from_s']:7.2f} - {bin_['to_s']:7.2f} s {bin_['count']:7d} {bar}")
    print(f"{len(report['errors'])} errors, {len(report['warnings'])} warnings")


def _check(args: argparse.Namespace) -> Dict[str, Any]:
    """The report of the datasets of ``args``; raises one of ``INPUT_ERRORS`` for a config that cannot be used."""
    config = load_config(args.config_path) if args.config_path else BaseTTSConfig()
    datasets = config.datasets
    if args.formatter:
        datasets = [BaseDatasetConfig(formatter=args.formatter, path=args.path, meta_file_train=args.meta_file)]
    if not datasets:
        raise ConfigError(f"{args.config_path}: config field 'datasets': no dataset given")
    tokenizer, config = TTSTokenizer.init_from_config(config)
    loaded = _load(datasets)
    report = check_samples(
        loaded["samples"],
        tokenizer=tokenizer,
        sample_rate=config.audio.sample_rate,
        resample=config.audio.resample,
        unknown_chars_are_errors=config.unknown_chars == "error",
        audio_range=(config.min_audio_len, config.max_audio_len),
        text_range=(config.min_text_len, config.max_text_len),
    )
    report["errors"] = loaded["errors"] + report["errors"]
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config_path", help="Training config (its datasets, audio and characters are used).")
    parser.add_argument("--formatter", help="Check this corpus instead of the config's datasets: formatter name ...")
    parser.add_argument("--path", help="... and the dataset root.")
    parser.add_argument(
        "--meta_file", default="", help="Metadata file relative to --path (the formatter's default when empty)."
    )
    parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
    parser.add_argument("--strict", action="store_true", help="Exit with 1 on warnings too.")
    parser.add_argument("-v", "--verbose", action="store_true", help="Show the loaders' log messages.")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if bool(args.formatter) != bool(args.path):
        parser.error("--formatter and --path go together")
    if not args.config_path and not args.formatter:
        parser.error("give --config_path or --formatter with --path")
    try:
        report = _check(args)
    except INPUT_ERRORS as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    failed = bool(report["errors"]) or (args.strict and bool(report["warnings"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
