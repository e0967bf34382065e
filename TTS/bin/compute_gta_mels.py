"""Ground-truth-aligned (GTA) mels: an acoustic model run teacher-forced over its corpus, one ``.npy`` per wav.

    python -m TTS.bin.compute_gta_mels --config_path tts/config.json --checkpoint_path tts/model.pth \\
        --out_path gta_mels/ [--batch_size 16] [--use_cuda]

Each mel is the model's postnet output for the clip while it reads the clip's real frames (teacher
forcing), so it has exactly the clip's frame count and the model's own errors in it. A vocoder trained
on these instead of on mels computed from the audio learns to fix what the acoustic model gets wrong:
train it with ``data_path`` = the corpus' wav folder and ``feature_path`` = ``--out_path``
(``TTS.bin.train_vocoder``), and with the acoustic model's audio settings. Files are named after the
wavs (``LJ001-0001.wav`` -> ``LJ001-0001.npy``) and shaped ``(num_mels, frames)``, normalised like the
model's mels.

Every sample of the config's datasets is used (training and evaluation lists together); clips the
dataset's length limits drop are named in a warning and get no file.
"""

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import torch
from torch.utils.data import DataLoader

from TTS.bin.train_tts import INPUT_ERRORS
from TTS.config import load_config
from TTS.tts.datasets import TTSDataset, load_tts_samples
from TTS.tts.models import setup_model
from TTS.utils.io import atomic_output

logger = logging.getLogger(__name__)


@torch.inference_mode()
def compute_gta_mels(
    model: Any, samples: List[Dict[str, Any]], out_path: Path, *, batch_size: int = 16, device: str = "cpu"
) -> List[Path]:
    """Write the teacher-forced mel of every sample to ``out_path/<wav stem>.npy``; return the files written.

    Shapes
    ------
    each file: (num_mels, T_mel), T_mel = the clip's frame count
    """
    config = model.config
    dataset = TTSDataset.init_from_config(
        config,
        samples=samples,
        tokenizer=model.tokenizer,
        ap=model.ap,
        outputs_per_step=model.decoder.r,
        speaker_id_mapping=model.speaker_id_mapping,
    )
    kept = {sample["audio_file"] for sample in dataset.samples}
    if len(kept) < len(samples):
        dropped = [Path(s["audio_file"]).name for s in samples if s["audio_file"] not in kept]
        logger.warning(
            "%d clips are outside the dataset's length limits and get no GTA mel: %s", len(dropped), ", ".join(dropped)
        )
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, collate_fn=dataset.collate_fn, num_workers=0)
    out_path.mkdir(parents=True, exist_ok=True)
    model.eval().to(device)
    written = []
    for batch in loader:
        speaker_ids = batch.get("speaker_ids")
        outputs = model.forward(
            batch["token_id"].to(device),
            batch["token_id_lengths"].to(device),
            batch["mel"].to(device),
            batch["mel_lengths"].to(device),
            speaker_ids=speaker_ids.to(device) if speaker_ids is not None else None,
        )
        mels = outputs["model_outputs"].float().cpu().numpy()  # (B, T_mel padded, C)
        for mel, length, audio_file in zip(mels, batch["mel_lengths"].tolist(), batch["audio_files"]):
            path = out_path / f"{Path(audio_file).stem}.npy"
            with atomic_output(path) as f:
                np.save(f, np.ascontiguousarray(mel[:length].T.astype(np.float32)))
            written.append(path)
    logger.info("%d GTA mels written to %s", len(written), out_path)
    return written


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(
        prog="compute_gta_mels", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--config_path", required=True, help="config.json of the acoustic model (its datasets are read)."
    )
    parser.add_argument("--checkpoint_path", required=True, help="Checkpoint of the acoustic model.")
    parser.add_argument("--out_path", required=True, help="Folder for the .npy mels.")
    parser.add_argument("--batch_size", type=int, default=16, help="Clips per forward pass.")
    parser.add_argument("--use_cuda", action="store_true", help="Run on the GPU.")
    args = parser.parse_args(argv)
    logging.basicConfig(format=" > %(message)s")
    logging.getLogger("TTS").setLevel(logging.INFO)
    try:
        config = load_config(args.config_path)
        train_samples, eval_samples = load_tts_samples(config.datasets, eval_split=False)
        samples = train_samples + (eval_samples or [])
        model = setup_model(config, samples)
        model.load_checkpoint(config, args.checkpoint_path, eval=True)
        device = "cuda" if args.use_cuda else "cpu"
        compute_gta_mels(model, samples, Path(args.out_path), batch_size=args.batch_size, device=device)
    except INPUT_ERRORS as err:
        sys.exit(f"error: {err}")


if __name__ == "__main__":
    main()
