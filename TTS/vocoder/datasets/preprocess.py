"""Training file lists of a vocoder: every wav under a folder, optionally paired with precomputed mels.

``load_wav_data`` and ``load_wav_feat_data`` return ``(eval_items, train_items)`` like Coqui's, after a
seeded shuffle (seed 0) of the sorted list, so the split is the same on every machine.
"""

import glob
import os
from pathlib import Path
from typing import List, Sequence, Tuple, TypeVar

import numpy as np

from TTS.config.errors import ConfigError

Item = TypeVar("Item")
# seed of the shuffle that splits the files into evaluation and training ones
SPLIT_SEED = 0


def find_wav_files(data_path: str, file_ext: str = "wav") -> List[str]:
    """Every ``*.<file_ext>`` file under ``data_path`` (recursively), sorted."""
    return sorted(glob.glob(os.path.join(data_path, "**", f"*.{file_ext}"), recursive=True))


def find_feat_files(data_path: str) -> List[str]:
    """Every ``*.npy`` file under ``data_path`` (recursively), sorted."""
    return sorted(glob.glob(os.path.join(data_path, "**", "*.npy"), recursive=True))


def _split(items: Sequence[Item], eval_split_size: int, what: str) -> Tuple[List[Item], List[Item]]:
    if eval_split_size < 0:
        raise ConfigError(f"config field 'eval_split_size': must be >= 0, got {eval_split_size}")
    if eval_split_size >= len(items):
        raise ConfigError(
            f"config field 'eval_split_size': {eval_split_size} evaluation files leave none of the {len(items)} {what} "
            "for training"
        )
    shuffled = list(items)
    np.random.RandomState(SPLIT_SEED).shuffle(shuffled)
    return shuffled[:eval_split_size], shuffled[eval_split_size:]


def load_wav_data(data_path: str, eval_split_size: int, file_ext: str = "wav") -> Tuple[List[str], List[str]]:
    """Split the wav files under ``data_path`` into ``eval_split_size`` evaluation files and the training rest.

    Raises
    ------
    FileNotFoundError
        ``data_path`` holds no such file.
    ConfigError
        ``eval_split_size`` leaves no training file.
    """
    wavs = find_wav_files(data_path, file_ext=file_ext)
    if not wavs:
        raise FileNotFoundError(f"config field 'data_path': no *.{file_ext} file under {data_path}")
    return _split(wavs, eval_split_size, f"{file_ext} files under {data_path}")


def load_wav_feat_data(
    data_path: str, feat_path: str, eval_split_size: int
) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    """``(wav, mel.npy)`` pairs, matched by file name (stem), split like ``load_wav_data``.

    The mels are those a vocoder is trained on instead of the ones computed from the wavs: ground-truth-
    aligned (GTA) mels of an acoustic model (``TTS.bin.compute_gta_mels``), shaped ``(num_mels, T_frames)``.

    Raises
    ------
    FileNotFoundError
        No wav under ``data_path``, or a wav without its ``.npy`` under ``feat_path``.
    """
    wavs = find_wav_files(data_path)
    if not wavs:
        raise FileNotFoundError(f"config field 'data_path': no *.wav file under {data_path}")
    feats = {Path(path).stem: path for path in find_feat_files(feat_path)}
    missing = [Path(wav).name for wav in wavs if Path(wav).stem not in feats]
    if missing:
        raise FileNotFoundError(
            f"config field 'feature_path': {len(missing)} of {len(wavs)} wav files have no mel (.npy) of the same name "
            f"under {feat_path}, e.g. {missing[0]}"
        )
    pairs = [(wav, feats[Path(wav).stem]) for wav in wavs]
    return _split(pairs, eval_split_size, f"wav/mel pairs under {data_path}")
