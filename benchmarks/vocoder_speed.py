#!/usr/bin/env python3
"""Neural vocoders against Griffin-Lim, in one run: speed, reconstruction of real speech, ``tts --text`` end to end.

1. Vocoder alone. A mel spectrogram of ``--frames`` frames (400: about 4.6 s at 22050 Hz, hop 256) is
   turned into a waveform by each vocoder and by Griffin-Lim (the shipped voice's audio config: the
   fast Griffin-Lim it uses by default), with 1 and 2 threads (torch threads, and the BLAS/FFT pools
   through threadpoolctl). Median of ``--repeats`` runs after a warm-up, the vocoders interleaved so
   that load from other processes hits them alike. RTF = seconds / seconds of audio; the ratio column
   is Griffin-Lim's time over the vocoder's, from the same run (the figure to compare across machines).
   Vocoders: the universal HiFi-GAN V1 (the shipped default, real weights; also in bfloat16 where the
   CPU computes it natively, a measured lighter path that is not the default) and every other Coqui
   architecture at its config's default size (random weights: the speed does not depend on them).
   WaveGrad runs ``WAVEGRAD_STEPS`` refinement steps; its default test schedule has 50 (x 50/6 slower).
2. Reconstruction (needs ``espeakng_loader``): espeak-ng speech -> its mel (the shipped voice's audio
   config) -> HiFi-GAN V1 or Griffin-Lim -> the mel of the result, against the original: mean absolute
   log-mel difference (nepers, the mel's own unit) and mel-cepstral distortion (dB, 13 coefficients),
   both mels floored 8 nepers (69.5 dB) below the peak.
   Lower is better; the same inputs for both.
3. End to end: the shipped default voice through the Python API that ``tts --text`` uses (model
   loaded once, as ``tts`` does before it synthesises), a paragraph of ``E2E_TEXT``; RTF with the
   default neural vocoder and with ``vocoder_name="griffin_lim"``, 1 and 2 threads.

Usage::

    python benchmarks/vocoder_speed.py             # everything (several minutes on 2 cores)
    python benchmarks/vocoder_speed.py --default-only   # V1 and Griffin-Lim only (a few minutes)
    python benchmarks/vocoder_speed.py --quick     # smoke run: short input, one repeat, V1 only
"""

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence

import numpy as np
import torch
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from TTS.api import GRIFFIN_LIM, TTS  # noqa: E402
from TTS.config import load_config  # noqa: E402
from TTS.utils.audio import AudioProcessor  # noqa: E402
from TTS.utils.manage import ModelManager  # noqa: E402
from TTS.vocoder.configs import (  # noqa: E402
    FullbandMelganConfig,
    HifiganConfig,
    HifiganGeneratorParams,
    MultibandMelganConfig,
    ParallelWaveganConfig,
    UnivnetConfig,
    WavegradConfig,
)
from TTS.vocoder.models import setup_model  # noqa: E402

UNIVERSAL_V1 = "vocoder_models/universal/official/hifigan_v1"
DEFAULT_VOICE = "tts_models/en/kumo/tacotron2-DDC"
VOICE_CONFIG = REPO_ROOT / "TTS" / ".models" / "tts_models--en--kumo--tacotron2-DDC" / "config.json"
WAVEGRAD_STEPS = 6
# dynamic range kept by the reconstruction figures: 8 nepers = 69.5 dB below the peak
FLOOR_NEPERS = 8.0
QUICK_FRAMES = 48
SPEECH = (
    "The quick brown fox jumps over the lazy dog. She sells sea shells by the sea shore, "
    "and the shells she sells are surely seashells."
)
E2E_TEXT = (
    "Speech synthesis turns a line of text into sound. This paragraph is long enough to time the whole "
    "pipeline: text processing, the acoustic model and the vocoder. It ends here."
)


def _median_seconds(run: Callable[[], object], repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _universal_v1():
    checkpoint, config_path, _ = ModelManager(progress_bar=False).download_model(UNIVERSAL_V1)
    config = load_config(config_path)
    model = setup_model(config)
    model.load_checkpoint(config, str(checkpoint), eval=True)
    return model, config


def _random(config):
    model = setup_model(config)
    if isinstance(config, WavegradConfig):
        config.test_noise_schedule = {**config.test_noise_schedule, "num_steps": WAVEGRAD_STEPS}
        model.after_load(config, eval=True)
    model.remove_weight_norm()
    return model.eval()


def _has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX), the only case where it can pay."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def vocoders(default_only: bool) -> Dict[str, torch.nn.Module]:
    """The vocoders to time, by label: the shipped V1, then Coqui's architectures at their default sizes."""
    torch.manual_seed(0)
    found = {"hifigan V1 universal (default)": _universal_v1()[0]}
    if _has_bf16():
        found["hifigan V1 in bfloat16 (not the default)"] = _universal_v1()[0].to(torch.bfloat16)
    if default_only:
        return found
    v2 = HifiganGeneratorParams(upsample_initial_channel=128)
    found.update(
        {
            "hifigan V2 size": _random(HifiganConfig(generator_model_params=v2)),
            "fullband-melgan": _random(FullbandMelganConfig()),
            "multiband-melgan": _random(MultibandMelganConfig()),
            "parallel-wavegan": _random(ParallelWaveganConfig()),
            "univnet": _random(UnivnetConfig()),
            f"wavegrad ({WAVEGRAD_STEPS} steps)": _random(WavegradConfig()),
        }
    )
    return found


def speed_table(frames: int, repeats: int, threads: Sequence[int], default_only: bool) -> None:
    ap = AudioProcessor.init_from_config(load_config(VOICE_CONFIG))
    rng = np.random.default_rng(0)
    mel = np.log(np.exp(rng.normal(-4.0, 1.5, size=(ap.num_mels, frames))).clip(1e-5)).astype(np.float32)
    audio_s = frames * ap.hop_length / ap.sample_rate
    models = vocoders(default_only)
    mel_t = torch.from_numpy(mel)[None]
    print(f"## Vocoder alone: {frames} frames = {audio_s:.2f} s of audio, median of {repeats}\n")
    print("| vocoder | threads | seconds | RTF | Griffin-Lim s / vocoder s |")
    print("|---|---|---|---|---|")
    for n in threads:
        torch.set_num_threads(n)
        with threadpool_limits(limits=n), torch.inference_mode():
            runs = {label: (lambda m=m: m.waveform(mel_t)) for label, m in models.items()}
            runs["Griffin-Lim (fast, shipped config)"] = lambda: ap.inv_melspectrogram(mel)
            seconds = {label: _median_seconds(run, repeats) for label, run in runs.items()}
        griffin = seconds["Griffin-Lim (fast, shipped config)"]
        for label, s in seconds.items():
            print(f"| {label} | {n} | {s:.3f} | {s / audio_s:.3f} | {griffin / s:.2f} |")
    print()


def _mel_distances(ap: AudioProcessor, reference: np.ndarray, wav: np.ndarray):
    """Mean |log-mel difference| and MCD (dB, 13 cepstra) between ``reference`` (C, T) and the mel of ``wav``.

    Both mels are floored ``FLOOR_NEPERS`` below the reference's peak, so that the digital silence of the
    input (log 1e-5) against a vocoder's faint noise does not dominate the figure.
    """
    from scipy.fft import dct

    mel = ap.melspectrogram(wav.astype(np.float32))
    frames = min(mel.shape[1], reference.shape[1])
    floor = float(reference.max()) - FLOOR_NEPERS
    a, b = np.maximum(reference[:, :frames], floor), np.maximum(mel[:, :frames], floor)
    l1 = float(np.mean(np.abs(a - b)))
    ca, cb = dct(a, axis=0, norm="ortho")[1:14], dct(b, axis=0, norm="ortho")[1:14]
    mcd = float(np.mean((10 / np.log(10)) * np.sqrt(2 * np.sum((ca - cb) ** 2, axis=0))))
    return l1, mcd


def reconstruction_table(quick: bool) -> None:
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "recipes" / "kumo"))  # beside its recipe
        from espeak_voice import EspeakVoice

        wav, rate = EspeakVoice("en-us").speak(SPEECH if not quick else "Hello there.")
    except (ImportError, OSError, ValueError) as err:
        print(f"## Reconstruction: skipped (espeak-ng not available: {err})\n")
        return
    ap = AudioProcessor.init_from_config(load_config(VOICE_CONFIG))
    if rate != ap.sample_rate:
        import librosa

        wav = librosa.resample(wav, orig_sr=rate, target_sr=ap.sample_rate)
    mel = ap.melspectrogram(wav.astype(np.float32))
    model, _ = _universal_v1()
    torch.set_num_threads(2)
    with torch.inference_mode():
        neural = model.waveform(torch.from_numpy(mel)[None]).reshape(-1).numpy()
    griffin = ap.inv_melspectrogram(mel)
    print(f"## Reconstruction of espeak-ng speech ({mel.shape[1]} frames), lower is better\n")
    print("| vocoder | mean abs log-mel diff | MCD dB |")
    print("|---|---|---|")
    outputs = [("hifigan V1 universal", neural), ("Griffin-Lim (fast, shipped config)", griffin)]
    if _has_bf16():
        with torch.inference_mode():
            half = model.to(torch.bfloat16).waveform(torch.from_numpy(mel)[None]).float().reshape(-1).numpy()
        outputs.insert(1, ("hifigan V1 in bfloat16 (not the default)", half))
    for label, out in outputs:
        l1, mcd = _mel_distances(ap, mel, out)
        print(f"| {label} | {l1:.3f} | {mcd:.2f} |")
    print()


def end_to_end_table(repeats: int, threads: Sequence[int], quick: bool) -> None:
    text = "Hello there." if quick else E2E_TEXT
    apis = {"default (hifigan V1)": TTS(DEFAULT_VOICE, progress_bar=False)}
    apis["griffin_lim"] = TTS(DEFAULT_VOICE, vocoder_name=GRIFFIN_LIM, progress_bar=False)
    print(f"## `tts --text` end to end ({DEFAULT_VOICE}, {len(text)} characters), median of {repeats}\n")
    print("| vocoder | threads | seconds | audio s | RTF |")
    print("|---|---|---|---|---|")
    for n in threads:
        torch.set_num_threads(n)
        with threadpool_limits(limits=n):
            for label, api in apis.items():
                audio_s = len(api.tts(text)) / api.synthesizer.output_sample_rate
                s = _median_seconds(lambda api=api: api.tts(text), repeats)
                print(f"| {label} | {n} | {s:.3f} | {audio_s:.2f} | {s / audio_s:.3f} |")
    print()


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=400, help="mel frames of the vocoder-alone input")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per measurement (after a warm-up)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to time")
    parser.add_argument("--quick", action="store_true", help="smoke run: short input, one repeat, V1 only")
    parser.add_argument("--default-only", action="store_true", help="time only the default vocoder and Griffin-Lim")
    parser.add_argument(
        "--sections", nargs="+", default=["speed", "reconstruction", "e2e"],
        choices=["speed", "reconstruction", "e2e"], help="which tables to print",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    sys.stdout.reconfigure(line_buffering=True)
    frames, repeats = (QUICK_FRAMES, 1) if args.quick else (args.frames, args.repeats)
    if "speed" in args.sections:
        speed_table(frames, repeats, args.threads, args.quick or args.default_only)
    if "reconstruction" in args.sections:
        reconstruction_table(args.quick)
    if "e2e" in args.sections:
        end_to_end_table(repeats, args.threads, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
