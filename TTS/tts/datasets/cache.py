"""On-disk cache of preprocessed features (token ids, mel spectrograms), keyed by the settings that make them.

Each cache lives in ``<root>/<kind>_<key>/``, where ``key`` hashes every setting that
changes the feature (``text_cache_settings`` / ``audio_cache_settings``); the
settings are written next to the entries in ``settings.json``. Changing a setting
therefore opens a fresh folder instead of reading stale features. Entry names hash
the input (text and language, or audio path, size and modification time), so an
edited transcript or a replaced wav is recomputed too.

Entries are written to a temporary file in the same folder and moved into place
with ``os.replace``: an interrupted run leaves only whole entries (plus stray
``*.tmp`` files that are never read) and the next run resumes where it stopped.
"""

import hashlib
import json
import logging
import os
import tempfile
from typing import Any, Dict, Optional

import numpy as np
import torch
from tqdm import tqdm

logger = logging.getLogger(__name__)

KEY_LENGTH = 16  # hex digits of the sha256 kept in folder and entry names
# audio settings that do not change the mel or linear spectrogram
AUDIO_FIELDS_NOT_IN_FEATURES = (
    "griffin_lim_iters",
    "griffin_lim_momentum",
    "griffin_lim_fast_iters",
    "power",
    "pitch_fmin",
    "pitch_fmax",
)


def settings_key(settings: Dict[str, Any]) -> str:
    """Short stable hash of a JSON-serialisable settings dict."""
    encoded = json.dumps(settings, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:KEY_LENGTH]


def _file_digest(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def audio_cache_settings(audio_config: Any) -> Dict[str, Any]:
    """Settings of a ``BaseAudioConfig`` that change the spectrograms, including the stats file's content."""
    settings = {key: value for key, value in audio_config.to_dict().items() if key not in AUDIO_FIELDS_NOT_IN_FEATURES}
    if audio_config.stats_path:
        settings["stats_sha256"] = _file_digest(audio_config.stats_path)
    return settings


def text_cache_settings(tokenizer: Any) -> Dict[str, Any]:
    """Settings of a ``TTSTokenizer`` that change the token ids (cleaner, phonemizer and its version, vocabulary)."""
    phonemizer = tokenizer.phonemizer if tokenizer.use_phonemes else None
    return {
        "text_cleaner": tokenizer.text_cleaner.__name__ if tokenizer.text_cleaner is not None else None,
        "use_phonemes": tokenizer.use_phonemes,
        "phonemizer": None if phonemizer is None else [phonemizer.name, phonemizer.language, phonemizer.version()],
        "phoneme_language": tokenizer.phoneme_language,
        "add_blank": tokenizer.add_blank,
        "use_eos_bos": tokenizer.use_eos_bos,
        "vocab": list(tokenizer.characters.vocab),
    }


class FeatureCache:
    """A folder of ``.npy`` entries for one kind of feature under one set of settings.

    Parameters
    ----------
    root : str
        Cache root (e.g. ``phoneme_cache_path``); created when missing.
    kind : str
        Feature name used in the folder name, e.g. ``"tokens"`` or ``"mel"``.
    settings : dict
        Every setting that changes the feature; hashed into the folder name.
    """

    def __init__(self, *, root: str, kind: str, settings: Dict[str, Any]):
        self.settings = settings
        self.folder = os.path.join(root, f"{kind}_{settings_key(settings)}")
        os.makedirs(self.folder, exist_ok=True)
        settings_file = os.path.join(self.folder, "settings.json")
        if not os.path.isfile(settings_file):
            self._write_atomically(
                settings_file, json.dumps(settings, indent=2, sort_keys=True, default=str).encode("utf-8")
            )

    @staticmethod
    def entry_name(*parts: Any) -> str:
        """Entry name hashing ``parts`` (the inputs of the feature)."""
        return settings_key({"parts": [str(part) for part in parts]})

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name + ".npy")

    def load(self, name: str) -> Optional[np.ndarray]:
        """The cached array, or None when it has not been computed yet."""
        path = self.path(name)
        if not os.path.isfile(path):
            return None
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError) as err:
            raise OSError(f"cannot read cache entry {path} ({err}); delete it to recompute it") from None

    def save(self, name: str, array: np.ndarray) -> None:
        """Store ``array`` atomically."""
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as file:
            np.save(file, array, allow_pickle=False)
        os.replace(file.name, self.path(name))

    def _write_atomically(self, path: str, data: bytes) -> None:
        with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as file:
            file.write(data)
        os.replace(file.name, path)


class _CacheFiller(torch.utils.data.Dataset):
    """Calls ``dataset.cache_features(index)`` from DataLoader worker processes."""

    def __init__(self, dataset: Any):
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> int:
        self.dataset.cache_features(index)
        return index


def _discard(batch: Any) -> None:
    return None


def precompute(dataset: Any, *, num_workers: int = 0) -> None:
    """Fill the caches of ``dataset`` (a ``TTSDataset``) for every sample, with a progress bar.

    Parameters
    ----------
    dataset : TTSDataset
        Dataset whose ``cache_features(index)`` computes and stores the cached features.
    num_workers : int
        Worker processes (``precompute_num_workers``); 0 works in this process.
    """
    loader = torch.utils.data.DataLoader(
        _CacheFiller(dataset), batch_size=1, shuffle=False, num_workers=num_workers, collate_fn=_discard
    )
    for _ in tqdm(loader, total=len(dataset), desc="precomputing features", unit="sample"):
        pass
