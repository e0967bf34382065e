"""Train a GAN vocoder (HiFi-GAN, MelGAN family) from a config file with the ``trainer`` package.

    python TTS/bin/train_vocoder.py --config_path config.json [--coqpit.<field> <value> ...]
    python TTS/bin/train_vocoder.py --config_path config.json --restore_path model_file.pth --coqpit.lr_gen 1e-5
    python TTS/bin/train_vocoder.py --continue_path run/               (also: python -m TTS.bin.train_vocoder)

The training audio is every wav under ``data_path`` (``eval_split_size`` of them held out for
evaluation); with ``feature_path`` set, each wav is paired with the ``.npy`` mel of the same name there,
e.g. ground-truth-aligned mels of an acoustic model (``python -m TTS.bin.compute_gta_mels``).

``--restore_path`` starts a new run (step 0, fresh optimizers) from the weights of a checkpoint: a Coqui
zoo vocoder's ``model_file.pth`` loads generator and discriminator (``model_g.*`` / ``model_d.*``, or the
old ``model_disc`` layout); one without a discriminator loads the generator and says so. The restore
report lists what loaded. ``--continue_path`` resumes a run folder exactly (weights, both optimizers
and schedulers, step, epoch) with the config stored there. ``--coqpit.<field> <value>`` overrides a
config field, named in full, before anything is built; the other trainer arguments apply too.

Bad input (config, data folder, audio files, a checkpoint that does not fit) ends with one ``error:``
line on stderr and exit code 1, before training starts.
"""

import logging
import math
import sys
from pathlib import Path
from typing import Any, List, Mapping, Optional, Sequence, Tuple

import soundfile as sf
import torch
from coqpit import Coqpit
from trainer import Trainer

from TTS.bin.train_tts import INPUT_ERRORS, _did_you_mean, parse_command_line, run_folder
from TTS.config import ConfigError
from TTS.utils.audio.numpy_transforms import AudioError
from TTS.utils.io import CheckpointError, load_checkpoint_file
from TTS.vocoder.datasets.preprocess import load_wav_data, load_wav_feat_data
from TTS.vocoder.models.gan import GAN

RESTORED_KEYS = ("model", "step", "epoch")  # what the trainer's restore_model() reads
LR_SCHEDULERS = ("lr_scheduler_gen", "lr_scheduler_disc")
TRAINER_SCHEDULERS = ("noamlr", "stepwisegraduallr")


def check_vocoder_values(config: Coqpit) -> None:
    """GAN fields the trainer and the data loader use unchecked: a bad one would fail in a traceback."""

    def require(ok: bool, name: str, message: str) -> None:
        if not ok:
            raise ConfigError(f"config field '{name}': {message}")

    if not hasattr(config, "discriminator_model"):
        raise ConfigError(f"config field 'model': {config.model!r} is not a GAN vocoder (no discriminator to train)")
    for name in ("lr_gen", "lr_disc"):
        value = getattr(config, name)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf
        require(ok, name, f"must be a number > 0, got {value!r}")
    for name in LR_SCHEDULERS:
        scheduler = getattr(config, name)
        if scheduler is None or scheduler.lower() in TRAINER_SCHEDULERS:
            continue
        if not isinstance(getattr(torch.optim.lr_scheduler, scheduler, None), type):
            names = [n for n, v in vars(torch.optim.lr_scheduler).items() if isinstance(v, type) and n.endswith("LR")]
            require(False, name, f"unknown scheduler {scheduler!r}{_did_you_mean(scheduler, names)}")
    clip = config.grad_clip
    require(
        not isinstance(clip, (list, tuple)) or len(clip) == 2,
        "grad_clip",
        f"one threshold, or two (discriminator, generator); got {clip}",
    )
    hop = config.audio.hop_length
    require(
        config.seq_len > 0 and config.seq_len % hop == 0,
        "seq_len",
        f"must be a positive multiple of audio.hop_length ({hop}), got {config.seq_len}",
    )
    require(config.pad_short >= 0, "pad_short", f"must be >= 0, got {config.pad_short}")
    require(config.conv_pad >= 0, "conv_pad", f"must be >= 0, got {config.conv_pad}")
    require(
        config.data_path != "", "data_path", "is empty: give the folder of the training wavs (--coqpit.data_path DIR)"
    )


def load_samples(config: Coqpit) -> Tuple[Optional[List[Any]], List[Any]]:
    """``(eval_samples, train_samples)``: wav paths, or ``(wav, mel.npy)`` pairs with ``feature_path``.

    Without evaluation (``run_eval`` false) every file trains and the first value is None.
    """
    split = config.eval_split_size if config.run_eval else 0
    if config.feature_path:
        eval_samples, train_samples = load_wav_feat_data(config.data_path, config.feature_path, split)
    else:
        eval_samples, train_samples = load_wav_data(config.data_path, split)
    if config.run_eval and not eval_samples:
        raise ConfigError(
            "config field 'eval_split_size': 0 evaluation files with run_eval on; set run_eval false or hold files out"
        )
    return (eval_samples if config.run_eval else None), train_samples


def check_audio_files(config: Coqpit, *sample_lists: Optional[Sequence[Any]]) -> None:
    """Every training and evaluation wav is readable and at ``audio.sample_rate`` (headers only, nothing decoded)."""
    rate = config.audio.sample_rate
    for samples in sample_lists:
        for item in samples or ():
            path = item if isinstance(item, str) else item[0]
            try:
                info = sf.info(path)
            except Exception as err:  # noqa: BLE001 - libsndfile's errors say little: name the file
                raise AudioError(f"cannot read audio file {path}: {err}") from None
            if info.samplerate != rate and not config.audio.resample:
                raise AudioError(
                    f"audio file {path} has sample rate {info.samplerate} Hz but audio.sample_rate is {rate} Hz; "
                    "resample the data or set audio.resample = true"
                )


def restore_source(path: str) -> Mapping[str, Any]:
    """The checkpoint ``--restore_path`` names, checked to be one the trainer can restore from."""
    checkpoint = load_checkpoint_file(path)
    missing = [key for key in RESTORED_KEYS if not isinstance(checkpoint, dict) or key not in checkpoint]
    if missing:
        raise CheckpointError(
            f"--restore_path {path}: not a training checkpoint: no {', '.join(repr(key) for key in missing)}"
        )
    return checkpoint


def train(argv: List[str], default_config: Optional[Coqpit] = None) -> Trainer:
    """Load the config (and overrides), the wav lists and the GAN, then train; returns the trainer."""
    args, config = parse_command_line(argv, default_config, prog="train_vocoder", description=__doc__)
    check_vocoder_values(config)
    eval_samples, train_samples = load_samples(config)
    check_audio_files(config, train_samples, eval_samples)
    torch.manual_seed(config.training_seed)  # the same config starts from the same weights
    model = GAN(config)
    if args.restore_path and not args.continue_path:
        checkpoint = restore_source(args.restore_path)
        if isinstance(checkpoint.get("model_disc"), Mapping):  # the old layout: the trainer reads "model" only
            model.set_restore_discriminator(checkpoint["model_disc"])
    with run_folder(args, model.config) as folder:
        trainer = Trainer(
            args,
            model.config,
            config.output_path,
            model=model,
            train_samples=train_samples,
            eval_samples=eval_samples,
            parse_command_line_args=True,
        )
        if folder is not None and Path(trainer.output_path) != folder:
            raise RuntimeError(f"the trainer chose the run folder {trainer.output_path}, not {folder}")
        trainer.fit()
    return trainer


def run(default_config: Optional[Coqpit] = None, argv: Optional[List[str]] = None) -> None:
    """Entry point of this script and of the vocoder recipes: bad input ends in one ``error:`` line, exit code 1."""
    logging.basicConfig(format=" > %(message)s")
    logging.getLogger("TTS").setLevel(logging.INFO)
    try:
        train(sys.argv[1:] if argv is None else argv, default_config)
    except INPUT_ERRORS as err:
        sys.exit(f"error: {err}")


def main() -> None:
    run()


if __name__ == "__main__":
    main()
