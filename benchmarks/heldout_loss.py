"""Teacher-forced loss of Tacotron2 weight files on a corpus's held-out clips, on identical batches.

The training log gives the loss of training batches only, and its epoch means depend on how the
batches were drawn (``training_seed``): two stages of the default voice with different seeds sat
0.04 apart for the same weights. This script scores each ``--model_path`` (its ``config.json``
beside it, or ``--config_path``) on the held-out clips of a ``make_corpus.py`` corpus
(``heldout.csv`` + ``heldout_wavs/``, never trained on): the same batches for every model (the
evaluation sampler: no shuffling, nothing dropped), training mode with the prenet's dropout drawn
from the same seed for every model, no gradients. It prints the mean of each loss term and the
alignment error per model. A lower held-out loss says a stage still generalises better; it does
not say that the free-running audio is more intelligible: ``intelligibility.py`` measures that.

    python benchmarks/heldout_loss.py --corpus data/kumo_en --model_path A/model.pth B/model.pth
"""

import argparse
import csv
import sys
from pathlib import Path
from typing import Dict, List, Optional

import torch

from TTS.config import load_config
from TTS.tts.datasets.formatters import make_sample
from TTS.tts.models import setup_model
from TTS.utils.io import CheckpointError
from TTS.utils.restore import RestoreError, restore_error_summary

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO_ROOT / "data" / "kumo_en"
COLUMNS = ("loss", "decoder_loss", "postnet_loss", "stopnet_loss", "align_error")


def read_heldout_samples(corpus: Path, speaker: Optional[str]) -> List[Dict[str, object]]:
    """The held-out clips as training samples: the normalized text column, as the ``ljspeech`` formatter reads it."""
    metadata = corpus / "heldout.csv"
    if not metadata.is_file():
        raise SystemExit(f"held-out list not found: {metadata}")
    samples = []
    with open(metadata, encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE), start=1):
            if not row:
                continue
            if len(row) < 2:
                raise SystemExit(f"{metadata}:{line}: expected id|text|normalized text, got {'|'.join(row)!r}")
            wav = corpus / "heldout_wavs" / f"{row[0]}.wav"
            if not wav.is_file():
                raise SystemExit(f"{metadata}:{line}: teacher wav missing: {wav}")
            text = row[2] if len(row) > 2 and row[2].strip() else row[1]
            samples.append(
                make_sample(
                    text=text,
                    audio_file=str(wav),
                    speaker_name=speaker or "ljspeech",
                    root_path=str(corpus),
                    metadata_file=str(metadata),
                    metadata_line=line,
                )
            )
    if not samples:
        raise SystemExit(f"{metadata}: no held-out clips")
    return samples


def heldout_losses(
    model_path: Path, config_path: Path, samples: List[Dict[str, object]], batch_size: int, seed: int
) -> Dict[str, float]:
    """Mean loss terms of one weight file over the held-out batches (weighted by batch size)."""
    config = load_config(str(config_path))
    config.eval_batch_size = batch_size
    config.num_eval_loader_workers = 0
    model = setup_model(config, samples)
    try:
        model.load_checkpoint(config, str(model_path))
    except CheckpointError as err:
        raise SystemExit(str(err)) from None
    except RestoreError as err:
        raise SystemExit(f"{model_path} does not match {config_path}: {restore_error_summary(str(err))}") from None
    loader = model.get_data_loader(config, is_eval=True, samples=samples, verbose=False)
    criterion = model.get_criterion()
    model.train()  # teacher forcing as in training: the prenet's dropout is part of the model's input path
    torch.manual_seed(seed)
    sums = dict.fromkeys(COLUMNS, 0.0)
    count = 0
    with torch.no_grad():
        for batch in loader:
            batch = model.format_batch(batch)
            _, loss_dict = model.train_step(batch, criterion)
            size = len(batch["token_id_lengths"])
            for key in COLUMNS:
                sums[key] += float(loss_dict[key]) * size
            count += size
    return {key: value / count for key, value in sums.items()} | {"clips": count}


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model_path", type=Path, nargs="+", required=True, help="weight files to compare")
    parser.add_argument("--config_path", type=Path, help="config of every model (default: config.json beside each)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="make_corpus.py folder (heldout.csv)")
    parser.add_argument("--speaker", help="speaker name of the held-out clips, for a multi-speaker model")
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0, help="seed of the prenet dropout (the same for every model)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    for flag, value in (("--batch_size", args.batch_size), ("--threads", args.threads)):
        if value < 1:
            parser.error(f"{flag} {value}: must be at least 1")
    for model_path in args.model_path:
        if model_path.is_dir():
            parser.error(f"--model_path {model_path} is a folder, not a weight file")
        if not model_path.is_file():
            parser.error(f"--model_path {model_path}: file not found")
    if args.config_path is not None and not args.config_path.is_file():
        parser.error(f"--config_path {args.config_path}: file not found")
    torch.set_num_threads(args.threads)
    samples = read_heldout_samples(args.corpus, args.speaker)
    print(f"held-out clips of {args.corpus}: {len(samples)}, batches of {args.batch_size}, teacher-forced")
    print(f"{'model':<60} " + " ".join(f"{key:>12}" for key in COLUMNS))
    for model_path in args.model_path:
        config_path = args.config_path or model_path.parent / "config.json"
        if not config_path.is_file():
            raise SystemExit(f"{model_path}: no config.json beside it; give --config_path")
        scores = heldout_losses(model_path, config_path, samples, args.batch_size, args.seed)
        print(f"{str(model_path):<60} " + " ".join(f"{scores[key]:>12.4f}" for key in COLUMNS), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
