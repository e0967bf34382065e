"""Helpers of the slow training tests: a tiny LJSpeech-layout corpus and toy-size config overrides."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import soundfile as sf

REPO_ROOT = Path(__file__).resolve().parents[2]
TACOTRON2_RECIPE = REPO_ROOT / "recipes" / "ljspeech" / "tacotron2" / "train.py"
DDC_RECIPE = REPO_ROOT / "recipes" / "ljspeech" / "tacotron2-DDC" / "train.py"
KUMO_RECIPE = REPO_ROOT / "recipes" / "kumo" / "tacotron2-DDC" / "train.py"
KUMO_FINETUNE_LANGUAGE = REPO_ROOT / "recipes" / "kumo" / "tacotron2-DDC" / "finetune_language.py"
KUMO_FINETUNE_SPEAKER = REPO_ROOT / "recipes" / "kumo" / "tacotron2-DDC" / "finetune_speaker.py"
KUMO_MULTISPEAKER = REPO_ROOT / "recipes" / "kumo" / "tacotron2-DDC" / "train_multispeaker.py"
TRAIN_TTS = REPO_ROOT / "TTS" / "bin" / "train_tts.py"

SAMPLE_RATE = 8000
SENTENCES = [
    "A cat sat.",
    "The sun is up.",
    "Go home now.",
    "It is cold today.",
    "We ran fast.",
    "She has a red hat.",
    "Dogs bark at night.",
    "Open the door.",
]

# Every size the model and the audio pipeline take, at toy values: a step takes milliseconds.
TOY_AUDIO = {
    "sample_rate": SAMPLE_RATE,
    "fft_size": 256,
    "win_length": 256,
    "hop_length": 64,
    "num_mels": 20,
    "mel_fmax": 4000,
    "griffin_lim_iters": 2,
    "do_trim_silence": False,
}
TOY_MODEL = {
    "encoder_in_features": 32,
    "decoder_in_features": 32,
    "decoder_output_dim": 20,
    "out_channels": 20,
    "prenet_dims.0": 16,
    "prenet_dims.1": 16,
    "attention_rnn_dim": 32,
    "decoder_rnn_dim": 32,
    "attention_dim": 16,
    "attention_location_filters": 4,
    "attention_location_kernel_size": 7,
    "postnet_channels": 16,
    "max_decoder_steps": 8,
}
TOY_TRAINING = {
    "epochs": 1,
    "batch_size": 2,
    "eval_batch_size": 2,
    "eval_split_size": 2,
    "print_step": 1,
    "plot_step": 1,
    "save_step": 2,
    "run_eval": True,
    "print_eval": True,
    "test_delay_epochs": 0,
    "test_sentences.0": "Hi there.",
    "dashboard_logger": "tensorboard",
    "num_loader_workers": 0,
    "num_eval_loader_workers": 0,
    "training_seed": 1,
}


def load_script(path: Path, name: str):
    """A script that is not in a package (``benchmarks/*.py``, ``recipes/...``) imported as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_ljspeech_corpus(root: Path, count: int = 8, seed: int = 0) -> Path:
    """Write ``count`` short wavs (a tone in noise, 0.3-0.6 s at 8 kHz) and an LJSpeech ``metadata.csv``."""
    rng = np.random.default_rng(seed)
    (root / "wavs").mkdir(parents=True, exist_ok=True)
    lines = []
    for index in range(count):
        seconds = 0.3 + 0.3 * index / max(count - 1, 1)
        t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
        wav = 0.3 * np.sin(2 * np.pi * (150 + 40 * index) * t) + 0.02 * rng.standard_normal(t.size)
        name = f"LJ001-{index:04d}"
        sf.write(str(root / "wavs" / f"{name}.wav"), wav.astype(np.float32), SAMPLE_RATE)
        text = SENTENCES[index % len(SENTENCES)]
        lines.append(f"{name}|{text}|{text}")
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def coqpit_args(values: Dict[str, object], prefix: str = "") -> List[str]:
    """``--coqpit.<prefix><field> value`` arguments for every entry of ``values``."""
    args = []
    for key, value in values.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        args += [f"--coqpit.{prefix}{key}", text]
    return args


def toy_args(data_path: Path, output_path: Path, **extra: object) -> List[str]:
    """Command-line overrides that shrink a recipe to toy size on the corpus at ``data_path``."""
    values = {**TOY_TRAINING, **TOY_MODEL, "output_path": output_path, "datasets.0.path": data_path}
    values.update(extra)
    return coqpit_args(values) + coqpit_args(TOY_AUDIO, prefix="audio.")


def toy_config(data_path: Path, output_path: Path) -> Dict[str, object]:
    """The same toy settings as a config.json dict (graphemes, DDC and a gradual-training schedule)."""
    model = {key: value for key, value in TOY_MODEL.items() if "." not in key}
    model["prenet_dims"] = [16, 16]
    training = {key: value for key, value in TOY_TRAINING.items() if "." not in key}
    training["test_sentences"] = ["Hi there."]
    return {
        "model": "tacotron2",
        **training,
        **model,
        "output_path": str(output_path),
        "audio": dict(TOY_AUDIO),
        "datasets": [{"formatter": "ljspeech", "path": str(data_path), "meta_file_train": "metadata.csv"}],
        "use_phonemes": False,
        "text_cleaner": "english_cleaners",
        "r": 6,
        "double_decoder_consistency": True,
        "ddc_r": 6,
        "gradual_training": [[0, 6, 2], [3, 2, 2]],
        "lr_scheduler": "NoamLR",
        "lr_scheduler_params": {"warmup_steps": 10},
        "scheduler_after_epoch": False,
    }


def run_script(script: Path, args: Sequence[str], *, module: Optional[str] = None, timeout: int = 300):
    """Run a training script (or ``python -m module``) from the repository root; returns the CompletedProcess."""
    env = dict(os.environ)
    env.pop("CUDA_VISIBLE_DEVICES", None)
    env["PYTHONUNBUFFERED"] = "1"
    env["OMP_NUM_THREADS"] = "1"
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", module] if module else [sys.executable, str(script)]
    return subprocess.run(
        command + list(args), cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def run_folder(output_path: Path) -> Path:
    """The one run folder the trainer created under ``output_path``."""
    runs = [path for path in output_path.iterdir() if path.is_dir() and (path / "config.json").is_file()]
    assert len(runs) == 1, f"expected one run folder in {output_path}, found {runs}"
    return runs[0]


def checkpoints(run: Path) -> Dict[str, Path]:
    """``{file name: path}`` of the ``.pth`` files of a run."""
    return {path.name: path for path in sorted(run.glob("*.pth"))}


def last_checkpoint(run: Path) -> Path:
    """The ``checkpoint_<step>.pth`` or ``best_model_<step>.pth`` with the highest step."""
    numbered = [path for path in run.glob("*_[0-9]*.pth")]
    assert numbered, f"no numbered checkpoint in {run}"
    return max(numbered, key=lambda path: int(path.stem.rsplit("_", 1)[1]))
