#!/usr/bin/env python3
"""Griffin-Lim alone: the classic, Coqui-identical algorithm against the fast one.

For every test signal and audio config, the signal's mel spectrogram (400 frames, as
``fixtures/coqui/SPEED.md`` times it) is turned back into a waveform by
``AudioProcessor.inv_melspectrogram`` with

- ``classic``: the Coqui-identical algorithm (``griffin_lim_momentum = 0``), 60 iterations,
  the baseline, measured in the same run;
- ``fast``: the fast Griffin-Lim at the default ``griffin_lim_fast_iters`` (marked ``*``) and a
  few other iteration counts (``--fast-iters``).

Each is timed (median of ``--repeats`` runs after a warm-up, the variants interleaved so
that load from other processes hits them alike) with 1 and 2 threads (``scipy.fft`` workers
and the BLAS/OpenMP pools through threadpoolctl), and its spectral convergence
``||S - |STFT(wav)| ||_F / ||S||_F`` against the Griffin-Lim target ``S`` is computed (the
same for every thread count: the starting phases are seeded). The table gives the
speed-up over the classic baseline of the same run and the spectral convergence difference
``fast - classic`` (negative: the fast one is closer to the target).

Signals (``SIGNALS``), 22050 Hz: Coqui's fixture chirp (tiled), a sung vowel (harmonics
with vibrato under a moving formant envelope), noise bursts between silences, a
source-filter speech-like signal (syllables of voiced vowels with formant transitions,
fricatives, plosives, pauses), and espeak-ng speech when ``espeakng_loader`` is installed.
Audio configs: ``BaseAudioConfig()`` defaults and the recipe's
(``a_ljspeech_ddc/config.json``).

Usage::

    python benchmarks/griffin_lim.py                 # 400 frames, 1 and 2 threads
    python benchmarks/griffin_lim.py --quick         # smoke run: short input, one repeat
"""

import argparse
import contextlib
import ctypes
import functools
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import numpy as np
import scipy.fft
import scipy.signal
import soundfile as sf
from threadpoolctl import threadpool_limits

from TTS.config.shared_configs import BaseAudioConfig
from TTS.utils.audio import AudioProcessor

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RATE = 22050
TARGET_FRAMES = 400  # mel length of SPEED.md's Griffin-Lim measurement
QUICK_FRAMES = 64
CLASSIC_ITERS = 60  # Coqui's griffin_lim_iters in every released config
OTHER_FAST_ITERS = (16, 24, 48)
SEED = 0
#: SPEED.md: Coqui 0.28's inv_melspectrogram of a 400-frame mel, 60 iterations, on this machine class.
COQUI_GL_SECONDS = (0.895, 0.988)
ESPEAK_TEXT = (
    "Printing, in the only sense with which we are at present concerned, differs from most if not from all "
    "the arts and crafts represented in the Exhibition."
)


# --------------------------------------------------------------------------- test signals


def _fixtures_dir() -> Path:
    return Path(os.environ.get("TTS_FIXTURES_DIR") or REPO_ROOT.parent / "shared" / "fixtures" / "coqui")


def _fit(x: np.ndarray, num_samples: int) -> np.ndarray:
    """``x`` repeated or cut to ``num_samples``, peak-normalised to 0.5."""
    x = np.resize(x, num_samples)
    return 0.5 * x / np.max(np.abs(x))


def _glide(track: np.ndarray, sample_rate: int, glide_s: float) -> np.ndarray:
    """Per-sample step track ``(N, C)`` smoothed by a Hann kernel of ``glide_s`` seconds (edges held)."""
    width = max(1, int(glide_s * sample_rate))
    kernel = np.hanning(width + 2)[1:-1]
    kernel /= kernel.sum()
    padded = np.pad(track, [(width, width), (0, 0)], mode="edge")
    return np.stack([np.convolve(padded[:, j], kernel, mode="same")[width:-width] for j in range(track.shape[1])], 1)


#: (F1, F2, F3, F4) in Hz of a few vowels, and the bandwidths used for every vowel.
VOWEL_FORMANTS = np.array(
    [
        [730, 1090, 2440, 3400],  # a
        [270, 2290, 3010, 3700],  # i
        [300, 870, 2240, 3300],  # u
        [530, 1840, 2480, 3500],  # e
        [570, 840, 2410, 3300],  # o
        [660, 1720, 2410, 3400],  # ae
    ],
    dtype=float,
)
FORMANT_BANDWIDTHS = np.array([80.0, 100.0, 140.0, 200.0])


def chirp(num_samples: int, sample_rate: int, seed: int) -> np.ndarray:
    """Coqui's fixture chirp (``a_ljspeech_ddc/chirp.wav``, 1.2 s), repeated to the length."""
    path = _fixtures_dir() / "a_ljspeech_ddc" / "chirp.wav"
    if not path.is_file():
        raise FileNotFoundError(f"fixture chirp not found at {path}; set TTS_FIXTURES_DIR to the Coqui fixtures folder")
    x, file_sr = sf.read(path, dtype="float64")
    if file_sr != sample_rate:
        raise ValueError(f"{path} is at {file_sr} Hz, not {sample_rate} Hz")
    return _fit(x, num_samples)


def vibrato_vowel(num_samples: int, sample_rate: int, seed: int) -> np.ndarray:
    """A sung vowel: harmonics of a gliding f0 with 5.5 Hz vibrato, weighted by a moving formant envelope."""
    t = np.arange(num_samples) / sample_rate
    f0 = 150.0 * (1 + 0.15 * np.sin(2 * np.pi * 0.25 * t)) * (1 + 0.03 * np.sin(2 * np.pi * 5.5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    order = np.random.default_rng(seed).permutation(len(VOWEL_FORMANTS))
    steps = np.repeat(VOWEL_FORMANTS[order], -(-num_samples // len(order)), axis=0)[:num_samples]
    formants = _glide(steps, sample_rate, glide_s=0.15)
    out = np.zeros(num_samples)
    for k in range(1, int(sample_rate / 2 / f0.min())):
        freq = k * f0
        gain = sum(
            1.0 / (1.0 + ((freq - formants[:, j]) / FORMANT_BANDWIDTHS[j]) ** 2) / (j + 1) for j in range(4)
        ) / np.sqrt(k)
        out += np.where(freq < 0.45 * sample_rate, gain, 0.0) * np.sin(k * phase)
    tremolo = 0.8 + 0.2 * np.sin(2 * np.pi * 3.0 * t)
    return _fit(out * tremolo, num_samples)


def noise_bursts(num_samples: int, sample_rate: int, seed: int) -> np.ndarray:
    """Bursts of band-limited noise (30-250 ms, random bands and levels, 5 ms ramps) between silences."""
    rng = np.random.default_rng(seed)
    out = np.zeros(num_samples)
    start = int(0.05 * sample_rate)
    while start < num_samples:
        length = int(rng.uniform(0.03, 0.25) * sample_rate)
        low, high = sorted(rng.uniform(100, 0.45 * sample_rate, size=2))
        sos = scipy.signal.butter(4, [low, max(high, low + 200)], btype="bandpass", fs=sample_rate, output="sos")
        burst = scipy.signal.sosfilt(sos, rng.standard_normal(length)) * 10 ** rng.uniform(-1.5, 0)
        ramp = min(int(0.005 * sample_rate), length // 2)
        burst[:ramp] *= np.linspace(0, 1, ramp)
        burst[length - ramp :] *= np.linspace(1, 0, ramp)
        stop = min(start + length, num_samples)
        out[start:stop] = burst[: stop - start]
        start = stop + int(rng.uniform(0.02, 0.3) * sample_rate)
    return _fit(out, num_samples)


def _resonator_cascade(source: np.ndarray, formants: np.ndarray, sample_rate: int, block: int = 64) -> np.ndarray:
    """``source`` through four time-varying two-pole resonators (formants updated every ``block`` samples)."""
    out = source.copy()
    for j in range(formants.shape[1]):
        radius = np.exp(-np.pi * FORMANT_BANDWIDTHS[j] / sample_rate)
        state = np.zeros(2)
        for begin in range(0, len(out), block):
            theta = 2 * np.pi * formants[begin, j] / sample_rate
            a = [1.0, -2 * radius * np.cos(theta), radius**2]
            segment, state = scipy.signal.lfilter([sum(a)], a, out[begin : begin + block], zi=state)
            out[begin : begin + block] = segment
    return out


def _place(track: np.ndarray, start: int, values: np.ndarray) -> None:
    """Write ``values`` into ``track`` from ``start``, cut at the end of ``track``."""
    stop = min(start + len(values), len(track))
    if stop > start:
        track[start:stop] = values[: stop - start]


def speech_like(num_samples: int, sample_rate: int, seed: int) -> np.ndarray:
    """Source-filter speech: consonant-vowel syllables with a falling intonation, fricatives, plosives, pauses.

    Voiced parts are harmonics of a jittered, declining f0 (-6 dB/octave) through a cascade of
    formant resonators gliding between vowels; fricatives are high-passed noise, plosives a
    40 ms closure then a 12 ms broadband burst; phrases of 3-6 syllables end in 150-300 ms pauses.
    """
    rng = np.random.default_rng(seed)
    voicing = np.zeros(num_samples)
    frication = np.zeros(num_samples)
    burst = np.zeros(num_samples)
    vowel_starts = []
    position = 0
    while position < num_samples:
        for _ in range(rng.integers(3, 7)):
            consonant = rng.choice(["fricative", "plosive", "none"])
            if consonant == "fricative":
                length = int(rng.uniform(0.05, 0.12) * sample_rate)
                _place(frication, position, np.hanning(length))
                position += length
            elif consonant == "plosive":
                position += int(0.04 * sample_rate)
                length = int(0.012 * sample_rate)
                _place(burst, position, np.exp(-np.arange(length) / (0.003 * sample_rate)))
                position += length
            length = int(rng.uniform(0.12, 0.25) * sample_rate)
            vowel_starts.append((min(position, num_samples), VOWEL_FORMANTS[rng.integers(len(VOWEL_FORMANTS))]))
            _place(voicing, position, np.sqrt(np.hanning(length)))
            position += length
        position += int(rng.uniform(0.15, 0.3) * sample_rate)
    # each vowel's formants held from its start to the next vowel's, then glided
    formants = np.empty((num_samples, 4))
    formants[:] = vowel_starts[0][1]
    for (begin, vowel), (end, _) in zip(vowel_starts, vowel_starts[1:] + [(num_samples, None)]):
        formants[begin:end] = vowel
    formants = _glide(formants, sample_rate, glide_s=0.03)

    t = np.arange(num_samples) / sample_rate
    jitter = np.convolve(rng.standard_normal(num_samples), np.ones(200) / 200, mode="same")
    f0 = (190 - 60 * (t % 2.0) / 2.0) * (1 + 0.01 * jitter)
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    source = np.zeros(num_samples)
    for k in range(1, int(0.45 * sample_rate / f0.min())):
        source += np.where(k * f0 < 0.45 * sample_rate, 1.0 / k, 0.0) * np.sin(k * phase)
    source = (source + 0.02 * rng.standard_normal(num_samples)) * voicing  # with some aspiration
    voiced = _resonator_cascade(source, formants, sample_rate)
    high_pass = scipy.signal.butter(4, 3500, btype="highpass", fs=sample_rate, output="sos")
    noise = rng.standard_normal(num_samples)
    out = voiced / np.max(np.abs(voiced)) + 0.3 * (scipy.signal.sosfilt(high_pass, noise) * frication + noise * burst)
    return _fit(out, num_samples)


@functools.lru_cache(maxsize=1)
def _espeak_samples(text: str, sample_rate: int) -> np.ndarray:
    """espeak-ng's en-us voice reading ``text``, float64 in [-1, 1).

    Synthesised once per process: a second synthesis in the same process does not repeat the
    first sample for sample, while the first one is the same in every process.
    """
    try:
        import espeakng_loader
    except ImportError as err:
        raise RuntimeError("espeakng_loader is not installed") from err
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    chunks: List[np.ndarray] = []

    def collect(wav, count, events):  # espeak-ng hands over each chunk of samples here
        if count > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    callback = callback_type(collect)
    synchronous = 0x02  # AUDIO_OUTPUT_SYNCHRONOUS: espeak_Synth returns once every sample was delivered
    data_parent = os.path.dirname(espeakng_loader.get_data_path())  # the folder holding espeak-ng-data
    espeak_rate = lib.espeak_Initialize(synchronous, 0, data_parent.encode(), 0)
    if espeak_rate != sample_rate:
        raise RuntimeError(f"espeak-ng synthesises at {espeak_rate} Hz, not {sample_rate} Hz")
    lib.espeak_SetSynthCallback(callback)
    if lib.espeak_SetVoiceByName(b"en-us") != 0:
        raise RuntimeError("espeak-ng has no en-us voice")
    encoded = text.encode()
    position_character = 1
    if lib.espeak_Synth(encoded, len(encoded) + 1, 0, position_character, 0, 0, None, None) != 0 or not chunks:
        raise RuntimeError("espeak-ng synthesis failed")
    samples = np.concatenate(chunks).astype(np.float64) / 32768.0
    samples.flags.writeable = False
    return samples


def espeak_speech(num_samples: int, sample_rate: int, seed: int) -> np.ndarray:
    """espeak-ng reading an LJSpeech sentence (``ESPEAK_TEXT``) through ``ctypes``, from its first sound.

    Raises
    ------
    RuntimeError
        When ``espeakng_loader`` is missing or the library cannot synthesise at ``sample_rate``.
    """
    x = _espeak_samples(ESPEAK_TEXT, sample_rate)
    start = int(np.argmax(np.abs(x) > 0.01))
    return _fit(x[start:], num_samples)


SIGNALS: Dict[str, Callable[[int, int, int], np.ndarray]] = {
    "chirp": chirp,
    "vibrato_vowel": vibrato_vowel,
    "noise_bursts": noise_bursts,
    "speech_like": speech_like,
    "espeak": espeak_speech,
}
OPTIONAL_SIGNALS = ("espeak",)


def make_signals(
    num_frames: int, *, hop_length: int = 256, sample_rate: int = SAMPLE_RATE, seed: int = SEED
) -> Dict[str, np.ndarray]:
    """Every test signal, ``(num_frames - 1) * hop_length`` samples long (``num_frames`` STFT frames).

    Optional signals whose generator cannot run here (espeak-ng without ``espeakng_loader``)
    are left out with a message on stderr.
    """
    num_samples = (num_frames - 1) * hop_length
    signals = {}
    for name, generate in SIGNALS.items():
        try:
            signals[name] = generate(num_samples, sample_rate, seed)
        except RuntimeError as err:
            if name not in OPTIONAL_SIGNALS:
                raise
            print(f"note: signal {name} left out: {err}", file=sys.stderr)
    return signals


def audio_configs() -> Dict[str, BaseAudioConfig]:
    """The audio configs compared: ``BaseAudioConfig`` defaults and the recipe's (Coqui's ``a_ljspeech_ddc``)."""
    recipe = BaseAudioConfig()
    recipe.from_dict(json.loads((_fixtures_dir() / "a_ljspeech_ddc" / "config.json").read_text())["audio"])
    return {"default": BaseAudioConfig(), "recipe": recipe}


# --------------------------------------------------------------------------- measurement


@dataclass(frozen=True)
class Variant:
    """One Griffin-Lim setting: momentum 0 is the classic algorithm."""

    name: str
    momentum: float
    iters: int
    is_default: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}{'*' if self.is_default else ''}"

    def processor(self, audio: BaseAudioConfig) -> AudioProcessor:
        config = audio.copy()
        config.griffin_lim_momentum = self.momentum
        if self.momentum == 0.0:
            config.griffin_lim_iters = self.iters
        else:
            config.griffin_lim_fast_iters = self.iters
        return AudioProcessor.init_from_config(config)


@dataclass
class Row:
    threads: int
    config: str
    signal: str
    variant: Variant
    seconds: float
    speedup: float
    sc: float
    sc_diff: float


def variants(fast_iters: Sequence[int]) -> List[Variant]:
    """The classic baseline, the fast algorithm at the config default, then at ``fast_iters``."""
    default = BaseAudioConfig()
    momentum, default_iters = default.griffin_lim_momentum, default.griffin_lim_fast_iters
    out = [Variant("classic", 0.0, CLASSIC_ITERS), Variant("fast", momentum, default_iters, is_default=True)]
    out += [Variant("fast", momentum, n) for n in fast_iters if n != default_iters]
    return out


@contextlib.contextmanager
def thread_count(threads: int) -> Iterator[None]:
    """``threads`` for scipy.fft (the fast algorithm's FFTs) and the BLAS/OpenMP pools (the mel pseudo-inverse).

    The classic algorithm's FFTs (numpy's, through librosa) are single-threaded whatever this says.
    """
    with threadpool_limits(threads), scipy.fft.set_workers(threads):
        yield


def measure(
    *, audio: BaseAudioConfig, config_name: str, signal_name: str, wav: np.ndarray, candidates: Sequence[Variant],
    threads: Sequence[int], repeats: int,
) -> List[Row]:
    """Spectral convergence (seeded, once) and median time of ``inv_melspectrogram`` for every variant."""
    processors = [v.processor(audio) for v in candidates]
    ap = processors[0]
    if ap.preemphasis != 0:
        raise ValueError("spectral convergence is measured on the Griffin-Lim output: use a config without preemphasis")
    mel = ap.melspectrogram(wav)
    target = ap.mel_to_linear_magnitude(mel) ** ap.power
    convergence = []
    with thread_count(threads[0]):
        for processor in processors:
            np.random.seed(SEED)
            convergence.append(ap.spectral_convergence(target, processor.inv_melspectrogram(mel)))
    rows = []
    for position, count in enumerate(threads):
        times: List[List[float]] = [[] for _ in candidates]
        with thread_count(count):
            if position > 0:  # warm-up (for the first thread count, the seeded runs above were one)
                for processor in processors:
                    processor.inv_melspectrogram(mel)
            for _ in range(repeats):  # interleaved, so that load from other processes hits every variant alike
                for index, processor in enumerate(processors):
                    np.random.seed(SEED)
                    start = time.perf_counter()
                    processor.inv_melspectrogram(mel)
                    times[index].append(time.perf_counter() - start)
        medians = [statistics.median(t) for t in times]
        for variant, seconds, sc in zip(candidates, medians, convergence):
            speedup, sc_diff = medians[0] / seconds, sc - convergence[0]
            rows.append(Row(count, config_name, signal_name, variant, seconds, speedup, sc, sc_diff))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    lines = [
        "| threads | config | signal | variant | iters | median ms | speed-up | SC | SC - classic |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.threads} | {r.config} | {r.signal} | {r.variant.label} | {r.variant.iters} | {r.seconds * 1e3:.1f} "
            f"| {r.speedup:.2f}x | {r.sc:.4f} | {r.sc_diff:+.4f} |"
        )
    return "\n".join(lines)


def format_summary(rows: Sequence[Row], frames: int) -> str:
    """Per thread count: the default fast variant's speed-ups and worst SC difference, and Coqui's figure."""
    lines = []
    for count in sorted({r.threads for r in rows}):
        fast = [r for r in rows if r.threads == count and r.variant.is_default]
        classic = [r for r in rows if r.threads == count and r.variant.name == "classic"]
        speedups = [r.speedup for r in fast]
        worst = max(fast, key=lambda r: r.sc_diff)
        not_worse = sum(r.sc_diff <= 0 for r in fast)
        lines.append(
            f"threads={count}: default fast ({fast[0].variant.iters} iterations) vs classic {CLASSIC_ITERS}: "
            f"speed-up median {statistics.median(speedups):.2f}x (min {min(speedups):.2f}x), SC difference worst "
            f"{worst.sc_diff:+.4f} ({worst.config}/{worst.signal}), fast SC <= classic SC in {not_worse}/{len(fast)}; "
            f"classic median {statistics.median(r.seconds for r in classic) * 1e3:.0f} ms, "
            f"fast median {statistics.median(r.seconds for r in fast) * 1e3:.0f} ms"
        )
        if frames == TARGET_FRAMES:
            coqui_over_fast = [s / statistics.median(r.seconds for r in fast) for s in COQUI_GL_SECONDS]
            lines.append(
                f"  Coqui 0.28 (SPEED.md, another run on this machine class): "
                f"{COQUI_GL_SECONDS[0]}-{COQUI_GL_SECONDS[1]} s "
                f"for classic {CLASSIC_ITERS} on a {TARGET_FRAMES}-frame mel, i.e. {coqui_over_fast[0]:.1f}-"
                f"{coqui_over_fast[1]:.1f}x the default fast median here (not the same run: indicative only)"
            )
    if frames != TARGET_FRAMES:
        lines.append(
            f"Coqui 0.28 (SPEED.md): {COQUI_GL_SECONDS[0]}-{COQUI_GL_SECONDS[1]} s for classic {CLASSIC_ITERS} on a "
            f"{TARGET_FRAMES}-frame mel; not compared: this run used {frames} frames"
        )
    return "\n".join(lines)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to time with")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per variant (median)")
    parser.add_argument("--frames", type=int, default=TARGET_FRAMES, help="mel frames of each input")
    parser.add_argument("--fast-iters", type=int, nargs="*", default=list(OTHER_FAST_ITERS),
                        help="fast iteration counts timed besides the default")
    parser.add_argument("--signals", nargs="+", choices=sorted(SIGNALS), help="signals to use (default: all)")
    parser.add_argument("--configs", nargs="+", choices=["default", "recipe"], help="audio configs (default: both)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: {QUICK_FRAMES} frames, 1 repeat, one extra fast iteration count")
    args = parser.parse_args(argv)
    if args.quick:
        args.frames, args.repeats, args.fast_iters = QUICK_FRAMES, 1, args.fast_iters[:1]
    if args.repeats < 1 or args.frames < 8 or min(args.threads) < 1:
        parser.error("--repeats and --threads must be >= 1, --frames >= 8")
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    configs = {name: c for name, c in audio_configs().items() if not args.configs or name in args.configs}
    hops = {c.hop_length for c in configs.values()}
    if len(hops) != 1:
        raise ValueError(f"the audio configs differ in hop_length {sorted(hops)}: signals are made for one")
    signals = make_signals(args.frames, hop_length=hops.pop())
    if args.signals:
        signals = {name: signals[name] for name in args.signals if name in signals}
    candidates = variants(args.fast_iters)
    print(
        f"Griffin-Lim on {args.frames}-frame mels, inv_melspectrogram, median of {args.repeats} after a warm-up; "
        f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (timings vary with load: compare within a run)"
    )
    rows: List[Row] = []
    for config_name, audio in configs.items():
        for signal_name, wav in signals.items():
            rows += measure(
                audio=audio, config_name=config_name, signal_name=signal_name, wav=wav, candidates=candidates,
                threads=args.threads, repeats=args.repeats,
            )
    rows.sort(key=lambda r: r.threads)
    print(format_table(rows))
    print()
    print(format_summary(rows, args.frames))
    return 0


if __name__ == "__main__":
    sys.exit(main())
