#!/usr/bin/env python3
"""Whose voice is it? Distance of a candidate's audio to two (or more) reference speakers.

Made for speaker fine-tuning: a Tacotron2 voice trained on speaker A ("kumo") is fine-tuned on
speaker B ("gongitsune"); its audio should now sound like B, not A. Each set of wavs (a reference
speaker's corpus, the candidate model's audio) is summarised by a speaker profile:

- spectral envelope: the mean of MFCCs c1..c19 over speech frames (frames within ``SPEECH_DB`` = 35 dB
  of the clip's loudest and above -60 dBFS; c0 is dropped because it is the frame's loudness, which
  follows recording gain, not the speaker). 80 mel bands up to ``MEL_FMAX`` = 8 kHz, 1024-point FFT,
  hop 256, at 22050 Hz;
- pitch: median and spread of log F0 over voiced frames. F0 from ``librosa.yin`` (60-500 Hz, low
  male to high female voices); a frame is voiced when it is speech and periodic: the normalised
  autocorrelation of the frame at yin's period is at least ``VOICED_PERIODICITY`` (yin gives a
  period for every frame, noise and silence included). The spread is half the 16-84 percentile range
  in semitones (the std for a normal law, but robust to yin's occasional octave errors);
- speaking rate, when the texts are known (corpus ``metadata.csv``, synthesised sentences): seconds of
  speech frames per character of normalised text. Reported, not used in the decision (it depends on
  the sentences as much as on the voice).

Two measures decide:

- MFCC distance: the RMS over c1..c19 of the difference of the mean MFCCs, each coefficient divided by
  the within-speaker frame std pooled over the references (a diagonal Mahalanobis distance of the
  means, per dimension). Plain Euclidean distance would be almost only c1-c3 (spectral tilt), whose
  frame std is five to ten times that of the higher coefficients that carry the formant structure;
  the pooled std of the references (not of the candidate) is one fixed yardstick for every candidate;
- F0 median distance: |12 log2(F0_candidate / F0_reference)| in semitones.

For each measure the report gives the distance to every reference, the closest one, and the position
between the first two references, A and B: d_A / (d_A + d_B), 0 at A, 1 at B, below 0.5 exactly when
the candidate is closer to A; for a candidate on the segment from A to B it is its linear position.
Each reference's split-half distance (even vs odd clips) is printed as the floor: differences
smaller than it are noise of the sampling of sentences.

Why these measures: mean spectral envelope (vocal-tract length and shape, voice quality) and pitch
level and range are among the main cues listeners use to tell two voices apart, and they are the
parts of a voice a speaker fine-tune is meant to move. A speaker-verification network (x-vector, ECAPA)
would be the standard measure, but it needs a downloaded model, which this offline machine cannot
get; these statistics need only librosa, are deterministic, and each number can be read.

Limits: a mean spectrum also carries the channel, so a vocoder and the recording chain move the
candidate away from both references (compare positions, not raw distances, and mind the floor):
kumo's own held-out wavs through Griffin-Lim (mel -> 60 iterations, the kumo recipe's audio config)
sit at position 0.24 (MFCC) and 0.31 (F0, +0.6 semitone) between kumo and espeak-ng's en-us male
voice, against 0.01 and 0.03 for the same wavs unvocoded. Sentences with different phonemes shift
the mean MFCCs (use tens of clips, not three). ``--through_vocoder CONFIG`` measures the vocoder's
share for any set of wavs: each candidate clip goes through the model config's mel spectrogram and
Griffin-Lim (what synthesis with that config does to a perfect mel spectrogram) before it is profiled.
Pitch says nothing of timbre, so two voices of the same pitch are separated by the MFCC measure alone.
Nothing here measures prosody beyond the F0 spread, nor naturalness. The profiles are statistics of
a set of clips, not of a single clip.

Usage::

    # the candidate is a folder of wavs (or a corpus folder: its metadata.csv gives the texts)
    python benchmarks/speaker_similarity.py --reference kumo=data/kumo_en \\
        --reference gongitsune=data/gongitsune_en --candidate run/ours_wavs --json similarity.json
    # the candidate is a model: the held-out sentences of the first reference's corpus are synthesised
    python benchmarks/speaker_similarity.py --reference kumo=data/kumo_en --reference gongitsune=data/gongitsune_en \\
        --model_path RUN/best_model.pth --config_path RUN/config.json --save_candidate run/ours_wavs
    # one voice of a multi-speaker model
    python benchmarks/speaker_similarity.py --reference kumo=data/kumo_en --reference gongitsune=data/gongitsune_en \\
        --model_path RUN/best_model.pth --config_path RUN/config.json --speaker_idx gongitsune
    # the vocoder's share: the new voice's own wavs through a model's mel spectrogram and Griffin-Lim
    python benchmarks/speaker_similarity.py --reference kumo=data/kumo_en --reference gongitsune=data/gongitsune_en \\
        --candidate data/gongitsune_en --through_vocoder RUN/config.json
    # quick look: 20 clips per set; the references' held-out wavs instead of their training wavs
    python benchmarks/speaker_similarity.py --reference kumo=data/kumo_en --reference gongitsune=data/gongitsune_en \\
        --candidate run/ours_wavs --limit 20 --heldout
"""

import argparse
import csv
import json
import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import librosa
import numpy as np
import soundfile as sf

# Analysis settings (see the module docstring).
SAMPLE_RATE = 22050  # every wav is resampled to this before analysis
FFT_SIZE = 1024
HOP_LENGTH = 256
NUM_MELS = 80
MEL_FMAX = 8000.0  # Tacotron2 mels stop at 8 kHz: the band above would only measure the vocoder
NUM_MFCC = 20  # c0..c19; c0 (loudness) is dropped
SPEECH_DB = 35.0  # a frame is speech when its RMS is within this many dB of the clip's loudest frame
SILENCE_DBFS = -60.0  # ... and above this (dB re full scale): a silent clip has no speech at all
F0_MIN_HZ, F0_MAX_HZ = 60.0, 500.0
VOICED_PERIODICITY = 0.7  # normalised autocorrelation at yin's period of a voiced frame
PERIODICITY_WINDOW = FFT_SIZE // 2  # samples correlated; + the longest period must fit in a frame
SEMITONES_PER_OCTAVE = 12.0
MIN_SPEECH_FRAMES = 10  # a clip with fewer speech frames is skipped (silent or failed synthesis)

CANDIDATE = "candidate"  # the candidate's name in the report

MEASURES = {
    "mfcc": "MFCC c1-c19 mean (RMS, within-speaker std units)",
    "f0_median": "F0 median (semitones)",
}

logger = logging.getLogger("speaker_similarity")


class BenchmarkError(Exception):
    """A problem with the inputs, reported as one line and a non-zero exit."""


# --------------------------------------------------------------------------- inputs


@dataclass
class Clip:
    """One wav of a set, with its normalised text when known."""

    path: Path
    text: str | None = None


def _read_pipe_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        # the layout make_corpus.py writes: no quoting, sentences never hold '|'
        return [row for row in csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE) if row]


def read_clip_set(folder: Path, heldout: bool = False, limit: int | None = None) -> list[Clip]:
    """The clips of a corpus folder (``metadata.csv`` + ``wavs/``, or ``heldout.csv`` + ``heldout_wavs/``)
    or, for any other folder, its ``*.wav`` files in name order; the first ``limit`` of them.

    Raises
    ------
    BenchmarkError
        The folder is missing, holds no wav, or a listed wav is missing.
    """
    if not folder.is_dir():
        raise BenchmarkError(f"folder not found: {folder}")
    listing, wav_dir = ("heldout.csv", "heldout_wavs") if heldout else ("metadata.csv", "wavs")
    if (folder / listing).is_file():
        clips = []
        for row in _read_pipe_csv(folder / listing):
            text = row[2] if len(row) > 2 else row[1] if len(row) > 1 else None
            clips.append(Clip(folder / wav_dir / f"{row[0]}.wav", text))
        source = folder / listing
    elif heldout:
        raise BenchmarkError(f"--heldout: no heldout.csv in {folder}")
    else:
        clips = [Clip(path) for path in sorted(folder.glob("*.wav"))]
        source = folder
    clips = clips[:limit] if limit is not None else clips
    if not clips:
        raise BenchmarkError(f"no wavs in {source}")
    missing = [str(c.path) for c in clips if not c.path.is_file()]
    if missing:
        raise BenchmarkError(f"{len(missing)} wav(s) listed in {source} are missing, e.g. {missing[0]}")
    return clips


def load_wav(path: Path) -> np.ndarray:
    """A wav file as mono float32 samples at ``SAMPLE_RATE``."""
    try:
        wav, rate = sf.read(path, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as err:
        raise BenchmarkError(f"cannot read {path}: {err}") from None
    return resample(wav.mean(axis=1), rate)


def resample(wav: np.ndarray, sample_rate: int) -> np.ndarray:
    wav = np.asarray(wav, dtype=np.float32)
    if sample_rate == SAMPLE_RATE or wav.size == 0:
        return wav
    return librosa.resample(wav, orig_sr=sample_rate, target_sr=SAMPLE_RATE).astype(np.float32)


# --------------------------------------------------------------------------- features


@dataclass
class ClipFeatures:
    """What a profile needs of one clip.

    Shapes: mfcc (NUM_MFCC - 1, T_speech), f0_hz (T_voiced,).
    """

    mfcc: np.ndarray
    f0_hz: np.ndarray
    speech_s: float
    chars: int | None = None


def _frames(wav: np.ndarray) -> np.ndarray:
    """Centred, zero-padded frames, aligned with librosa's ``center=True`` analyses.

    Shapes: wav (T_wav,) -> (FFT_SIZE, T).
    """
    padded = np.pad(wav, FFT_SIZE // 2)
    return librosa.util.frame(padded, frame_length=FFT_SIZE, hop_length=HOP_LENGTH)


def periodicity(frames: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation of each frame at its period (in samples), in [-1, 1].

    Shapes: frames (FFT_SIZE, T), period (T,) -> (T,).
    """
    lag = np.clip(np.round(period).astype(int), 1, FFT_SIZE - PERIODICITY_WINDOW)
    index = np.arange(PERIODICITY_WINDOW)[:, None]
    head = frames[:PERIODICITY_WINDOW]
    shifted = np.take_along_axis(frames, index + lag[None, :], axis=0)
    energy = np.sqrt(np.sum(head**2, axis=0) * np.sum(shifted**2, axis=0))
    return np.sum(head * shifted, axis=0) / np.maximum(energy, 1e-12)


def clip_features(wav: np.ndarray, text: str | None = None) -> ClipFeatures | None:
    """MFCCs of the speech frames and F0 of the voiced frames of one clip at ``SAMPLE_RATE``; None when
    the clip has fewer than ``MIN_SPEECH_FRAMES`` speech frames."""
    if wav.size < FFT_SIZE:
        return None
    frames = _frames(wav)
    rms_db = 10.0 * np.log10(np.mean(frames**2, axis=0) + 1e-12)
    speech = (rms_db >= rms_db.max() - SPEECH_DB) & (rms_db > SILENCE_DBFS)
    if speech.sum() < MIN_SPEECH_FRAMES:
        return None
    mfcc = librosa.feature.mfcc(
        y=wav, sr=SAMPLE_RATE, n_mfcc=NUM_MFCC, n_fft=FFT_SIZE, hop_length=HOP_LENGTH, n_mels=NUM_MELS,
        fmax=MEL_FMAX, center=True, pad_mode="constant",
    )[1:]  # fmt: skip
    f0 = librosa.yin(
        wav, fmin=F0_MIN_HZ, fmax=F0_MAX_HZ, sr=SAMPLE_RATE, frame_length=FFT_SIZE, hop_length=HOP_LENGTH,
        center=True, pad_mode="constant",
    )  # fmt: skip
    count = min(frames.shape[1], mfcc.shape[1], f0.size)
    speech, f0 = speech[:count], f0[:count]
    voiced = speech & (periodicity(frames[:, :count], SAMPLE_RATE / f0) >= VOICED_PERIODICITY)
    return ClipFeatures(
        mfcc=mfcc[:, :count][:, speech],
        f0_hz=f0[voiced],
        speech_s=float(speech.sum() * HOP_LENGTH / SAMPLE_RATE),
        chars=len(text) if text else None,
    )


# --------------------------------------------------------------------------- profiles


@dataclass
class SpeakerProfile:
    """Statistics of a set of clips of one speaker (see the module docstring).

    Shapes: mfcc_mean, mfcc_std (NUM_MFCC - 1,).
    """

    name: str
    clips: int
    skipped: int
    speech_s: float
    voiced_frames: int
    mfcc_mean: np.ndarray
    mfcc_std: np.ndarray
    f0_median_hz: float
    f0_spread_st: float
    seconds_per_char: float | None = None
    floor: dict[str, float] = field(default_factory=dict)  # split-half distance per measure

    def to_json(self) -> dict[str, Any]:
        return {
            "clips": self.clips,
            "skipped": self.skipped,
            "speech_s": self.speech_s,
            "voiced_frames": self.voiced_frames,
            "f0_median_hz": self.f0_median_hz,
            "f0_spread_st": self.f0_spread_st,
            "seconds_per_char": self.seconds_per_char,
            "mfcc_mean": [float(x) for x in self.mfcc_mean],
            "mfcc_std": [float(x) for x in self.mfcc_std],
            "split_half_distance": self.floor,
        }


def semitones(hz: np.ndarray) -> np.ndarray:
    return SEMITONES_PER_OCTAVE * np.log2(hz)


def build_profile(name: str, features: Sequence[ClipFeatures], skipped: int = 0) -> SpeakerProfile:
    """The profile of the clips ``features`` (all frames pooled).

    Raises
    ------
    BenchmarkError
        No clip, or no voiced frame in any clip.
    """
    if not features:
        raise BenchmarkError(f"{name}: no clip with speech (all {skipped} silent or too short)")
    mfcc = np.concatenate([f.mfcc for f in features], axis=1)
    f0 = np.concatenate([f.f0_hz for f in features])
    if f0.size == 0:
        raise BenchmarkError(f"{name}: no voiced frame in {len(features)} clip(s)")
    pitch = semitones(f0)
    low, high = np.percentile(pitch, [16, 84])
    with_text = [f for f in features if f.chars]
    rate = sum(f.speech_s for f in with_text) / sum(f.chars for f in with_text) if with_text else None
    return SpeakerProfile(
        name=name,
        clips=len(features),
        skipped=skipped,
        speech_s=float(sum(f.speech_s for f in features)),
        voiced_frames=int(f0.size),
        mfcc_mean=mfcc.mean(axis=1),
        mfcc_std=mfcc.std(axis=1),
        f0_median_hz=float(2 ** (np.median(pitch) / SEMITONES_PER_OCTAVE)),
        f0_spread_st=float((high - low) / 2),
        seconds_per_char=rate,
    )


def profile_clips(name: str, clips: Sequence[Clip]) -> tuple[SpeakerProfile, list[ClipFeatures]]:
    """Profile of a set of clips read from disk, and the features of its clips."""
    features = [clip_features(load_wav(c.path), c.text) for c in clips]
    return profile_features(name, features, [c.path for c in clips])


def load_audio_processor(config_path: Path):
    """The ``AudioProcessor`` of a model config: its mel analysis and Griffin-Lim."""
    # imported here: the package is needed only in this mode, not to compare wav folders
    from TTS.config import load_config
    from TTS.errors import TTSError
    from TTS.utils.audio import AudioProcessor

    try:
        return AudioProcessor.init_from_config(load_config(str(config_path)), verbose=False)
    except (TTSError, FileNotFoundError) as err:
        raise BenchmarkError(f"--through_vocoder: {err}") from None


def vocoder_features(clips: Sequence[Clip], ap) -> list[ClipFeatures | None]:
    """Features of each clip after the mel spectrogram and Griffin-Lim of ``ap`` (an ``AudioProcessor``)."""
    features = []
    for clip in clips:
        wav = librosa.resample(load_wav(clip.path), orig_sr=SAMPLE_RATE, target_sr=ap.sample_rate)
        vocoded = ap.inv_melspectrogram(ap.melspectrogram(wav))
        features.append(clip_features(resample(vocoded, ap.sample_rate), clip.text))
    return features


def profile_features(
    name: str, features: Sequence[ClipFeatures | None], labels: Sequence[Any]
) -> tuple[SpeakerProfile, list[ClipFeatures]]:
    for feature, label in zip(features, labels):
        if feature is None:
            logger.warning("%s: skipping %s: no speech in it", name, label)
    kept = [f for f in features if f is not None]
    return build_profile(name, kept, skipped=len(features) - len(kept)), kept


# --------------------------------------------------------------------------- distances


def mfcc_scale(references: Sequence[SpeakerProfile]) -> np.ndarray:
    """Per-coefficient within-speaker frame std, pooled over the references (root mean variance)."""
    return np.sqrt(np.mean([p.mfcc_std**2 for p in references], axis=0))


def distance(measure: str, a: SpeakerProfile, b: SpeakerProfile, scale: np.ndarray) -> float:
    """Distance between two profiles on one of ``MEASURES``."""
    if measure == "mfcc":
        return float(np.sqrt(np.mean(((a.mfcc_mean - b.mfcc_mean) / scale) ** 2)))
    if measure == "f0_median":
        return float(abs(SEMITONES_PER_OCTAVE * math.log2(a.f0_median_hz / b.f0_median_hz)))
    raise ValueError(f"unknown measure {measure!r}; known: {', '.join(MEASURES)}")


def position(distance_a: float, distance_b: float) -> float:
    """Where a candidate lies between A (0) and B (1): d_A / (d_A + d_B); 0.5 when both are 0."""
    total = distance_a + distance_b
    return distance_a / total if total > 0 else 0.5


def split_half_floor(name: str, features: Sequence[ClipFeatures], scale: np.ndarray) -> dict[str, float]:
    """Distance between the even and the odd clips of one speaker, per measure (empty under 4 clips)."""
    if len(features) < 4:
        return {}
    try:
        even, odd = build_profile(name, features[0::2]), build_profile(name, features[1::2])
    except BenchmarkError:
        return {}
    return {measure: distance(measure, even, odd, scale) for measure in MEASURES}


def compare(references: Sequence[SpeakerProfile], candidate: SpeakerProfile) -> dict[str, Any]:
    """Distances of the candidate to each reference, the closest one and the A-B position, per measure."""
    scale = mfcc_scale(references)
    first, second = references[0].name, references[1].name
    result: dict[str, Any] = {}
    for measure in MEASURES:
        distances = {ref.name: distance(measure, candidate, ref, scale) for ref in references}
        result[measure] = {
            "distances": distances,
            "closest": min(distances, key=distances.get),
            "position": position(distances[first], distances[second]),
        }
    return result


# --------------------------------------------------------------------------- candidate from a model


@dataclass
class Sentence:
    id: str
    text: str


def read_heldout_sentences(corpus: Path, limit: int | None) -> list[Sentence]:
    """``id`` and normalised text (column 3) of the held-out sentences of a corpus folder."""
    listing = corpus / "heldout.csv"
    if not listing.is_file():
        raise BenchmarkError(f"--model_path synthesises the held-out sentences of the first reference: no {listing}")
    rows = _read_pipe_csv(listing)
    bad = [row for row in rows if len(row) < 3]
    if bad:
        raise BenchmarkError(f"{listing}: malformed line {'|'.join(bad[0])!r} (expected id|text|normalized text)")
    sentences = [Sentence(row[0], row[2]) for row in rows]
    sentences = sentences[:limit] if limit is not None else sentences
    if not sentences:
        raise BenchmarkError(f"no sentences in {listing}")
    return sentences


def load_synthesizer(model_path: Path, config_path: Path):
    """``TTS.utils.synthesizer.Synthesizer`` of a checkpoint and its config, on the CPU."""
    # imported here: torch and the model code are needed only in this mode, not to compare wav folders
    from TTS.errors import TTSError
    from TTS.utils.synthesizer import Synthesizer

    try:
        return Synthesizer(model_path, config_path)
    except (TTSError, FileNotFoundError) as err:
        raise BenchmarkError(f"cannot load the model: {err}") from None


def synthesise_candidate(
    synthesizer, sentences: Sequence[Sentence], save_dir: Path | None, speaker: str | None = None
) -> tuple[list[ClipFeatures | None], list[str]]:
    """Features of the synthesiser's audio of each sentence (None where it failed or is silent).

    ``synthesizer`` is anything with ``tts(text, speaker_name=...) -> samples`` and
    ``output_sample_rate``; ``speaker`` picks the voice of a multi-speaker model.
    """
    if save_dir is not None:
        save_dir.mkdir(parents=True, exist_ok=True)
    features = []
    for sentence in sentences:
        try:
            wav = np.asarray(synthesizer.tts(sentence.text, speaker_name=speaker), dtype=np.float32)
        except ValueError as err:  # SynthesisError is a ValueError
            logger.warning("cannot synthesise %s: %s", sentence.id, err)
            features.append(None)
            continue
        if save_dir is not None:
            sf.write(save_dir / f"{sentence.id}.wav", wav, synthesizer.output_sample_rate)
        features.append(clip_features(resample(wav, synthesizer.output_sample_rate), sentence.text))
        logger.info("synthesised %s (%.1f s)", sentence.id, wav.size / synthesizer.output_sample_rate)
    return features, [s.id for s in sentences]


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def format_report(report: dict[str, Any]) -> str:
    names = list(report["references"])
    a, b = names[0], names[1]
    rows = {**report["references"], report["candidate_name"]: report["candidate"]}
    width = max(12, *(len(n) for n in rows)) + 2
    header = (
        f"{'set':<{width}}{'clips':>6}{'speech s':>10}{'F0 med Hz':>11}{'F0 spread st':>14}{'s/char':>8}"
        f"{'floor MFCC':>12}{'floor F0 st':>13}"
    )
    lines = [header]
    for name, p in rows.items():
        floor = p["split_half_distance"]
        lines.append(
            f"{name:<{width}}{p['clips']:>6}{p['speech_s']:>10.1f}{p['f0_median_hz']:>11.1f}{p['f0_spread_st']:>14.2f}"
            f"{_fmt(p['seconds_per_char'], '.3f'):>8}{_fmt(floor.get('mfcc'), '.3f'):>12}"
            f"{_fmt(floor.get('f0_median'), '.2f'):>13}"
        )
    lines.append("")
    lines.append(f"candidate: {report['candidate_source']}")
    columns = "".join(f"{'to ' + n:>{max(12, len(n) + 5)}}" for n in names)
    lines.append(f"{'measure':<48}{columns}  closest     position (0={a}, 1={b})")
    for measure, label in MEASURES.items():
        result = report["comparison"][measure]
        cells = "".join(f"{result['distances'][n]:>{max(12, len(n) + 5)}.3f}" for n in names)
        lines.append(f"{label:<48}{cells}  {result['closest']:<12}{result['position']:.2f}")
    lines.append("")
    for measure, label in MEASURES.items():
        result = report["comparison"][measure]
        lines.append(f"decision ({measure}): closer to {result['closest']}, position {result['position']:.2f}")
    verdict = report["verdict"]
    lines.append(f"verdict: closer to {b} than to {a} on {verdict['closer_to_b']}/{len(MEASURES)} measures")
    return "\n".join(lines)


def build_report(
    references: Sequence[SpeakerProfile],
    candidate: SpeakerProfile,
    candidate_source: str,
    sources: dict[str, str],
) -> dict[str, Any]:
    comparison = compare(references, candidate)
    a, b = references[0].name, references[1].name
    return {
        "analysis": {
            "sample_rate": SAMPLE_RATE,
            "fft_size": FFT_SIZE,
            "hop_length": HOP_LENGTH,
            "num_mels": NUM_MELS,
            "mel_fmax": MEL_FMAX,
            "mfcc": f"c1..c{NUM_MFCC - 1}",
            "speech_db": SPEECH_DB,
            "silence_dbfs": SILENCE_DBFS,
            "f0_range_hz": [F0_MIN_HZ, F0_MAX_HZ],
            "voiced_periodicity": VOICED_PERIODICITY,
            "mfcc_scale": [float(x) for x in mfcc_scale(references)],
        },
        "measures": MEASURES,
        "references": {p.name: {"source": sources[p.name], **p.to_json()} for p in references},
        "candidate_name": candidate.name,
        "candidate_source": candidate_source,
        "candidate": candidate.to_json(),
        "comparison": comparison,
        "verdict": {
            "a": a,
            "b": b,
            "closer_to_b": sum(comparison[m]["distances"][b] < comparison[m]["distances"][a] for m in MEASURES),
            "measures": len(MEASURES),
        },
    }


# --------------------------------------------------------------------------- main


def parse_reference(value: str) -> tuple[str, Path]:
    name, sep, path = value.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=FOLDER, got {value!r}")
    return name.strip(), Path(path.strip())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", type=parse_reference, action="append", required=True, metavar="NAME=FOLDER",
                        help="a reference speaker: corpus folder or folder of wavs; give at least two, "
                             "A (the old voice) first, B (the new voice) second")  # fmt: skip
    parser.add_argument("--candidate", type=Path, help="folder of the candidate's wavs (or a corpus folder)")
    parser.add_argument("--model_path", type=Path, help="instead of --candidate: a checkpoint to synthesise with")
    parser.add_argument("--config_path", type=Path, help="config.json of --model_path")
    parser.add_argument("--save_candidate", type=Path, help="with --model_path: save the synthesised wavs here")
    parser.add_argument("--speaker_idx", help="with --model_path: the voice of a multi-speaker model")
    parser.add_argument("--through_vocoder", type=Path, metavar="CONFIG",
                        help="with --candidate: pass its wavs through this model config's mel spectrogram and "
                             "Griffin-Lim first (the vocoder's floor)")  # fmt: skip
    parser.add_argument("--heldout", action="store_true", help="use the references' heldout_wavs, not their wavs")
    parser.add_argument("--limit", type=int, help="use only the first N clips of each set")
    parser.add_argument("--json", type=Path, help="save the report here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    args = parser.parse_args(argv)
    if len(args.reference) < 2:
        parser.error("give at least two --reference NAME=FOLDER")
    names = [name for name, _ in args.reference]
    if len(set(names)) < len(names) or CANDIDATE in names:
        parser.error(f"reference names must differ from each other and from {CANDIDATE!r}")
    if (args.candidate is None) == (args.model_path is None):
        parser.error("give either --candidate or --model_path (with --config_path)")
    if (args.model_path is None) != (args.config_path is None):
        parser.error("--model_path and --config_path go together")
    if args.speaker_idx and args.model_path is None:
        parser.error("--speaker_idx picks a voice of --model_path; a --candidate folder has its own")
    if args.through_vocoder and args.candidate is None:
        parser.error("--through_vocoder vocodes --candidate's wavs; a --model_path is synthesised with its own vocoder")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    # every input is checked (and the model loaded) before the slow part, the profiles
    reference_clips = {
        name: read_clip_set(folder, heldout=args.heldout, limit=args.limit) for name, folder in args.reference
    }
    first_corpus = args.reference[0][1]
    if args.model_path is not None:
        sentences = read_heldout_sentences(first_corpus, args.limit)
        synthesizer = load_synthesizer(args.model_path, args.config_path)
        if args.speaker_idx and args.speaker_idx not in synthesizer.speakers:
            voices = ", ".join(synthesizer.speakers) or "none: a single-speaker model"
            raise BenchmarkError(f"--speaker_idx {args.speaker_idx!r} is not a voice of {args.model_path} ({voices})")
    else:
        candidate_clips = read_clip_set(args.candidate, limit=args.limit)
        vocoder_ap = load_audio_processor(args.through_vocoder) if args.through_vocoder is not None else None
    references, reference_features, sources = [], [], {}
    for (name, folder), clips in zip(args.reference, reference_clips.values()):
        profile, features = profile_clips(name, clips)
        references.append(profile)
        reference_features.append(features)
        sources[name] = f"{folder} ({'heldout_wavs' if args.heldout else 'wavs'}, {len(clips)} clips)"
        logger.info("%s: %d clips profiled", name, len(clips))
    scale = mfcc_scale(references)
    for profile, features in zip(references, reference_features):
        profile.floor = split_half_floor(profile.name, features, scale)
    if args.model_path is not None:
        features, labels = synthesise_candidate(synthesizer, sentences, args.save_candidate, args.speaker_idx)
        candidate, kept = profile_features(CANDIDATE, features, labels)
        voice = f" (speaker {args.speaker_idx})" if args.speaker_idx else ""
        source = f"{args.model_path}{voice}, {len(sentences)} held-out sentences of {first_corpus}"
    elif vocoder_ap is not None:
        features = vocoder_features(candidate_clips, vocoder_ap)
        candidate, kept = profile_features(CANDIDATE, features, [c.path for c in candidate_clips])
        source = (
            f"{args.candidate} ({len(candidate_clips)} clips) through the mel and Griffin-Lim of {args.through_vocoder}"
        )
    else:
        candidate, kept = profile_clips(CANDIDATE, candidate_clips)
        source = f"{args.candidate} ({len(candidate_clips)} clips)"
    candidate.floor = split_half_floor(CANDIDATE, kept, scale)
    return build_report(references, candidate, source, sources)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    try:
        report = run(args)
    except BenchmarkError as err:
        raise SystemExit(f"speaker_similarity: {err}") from None
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"report saved to {args.json}")


if __name__ == "__main__":
    sys.exit(main())
