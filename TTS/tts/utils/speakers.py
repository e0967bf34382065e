"""Speaker tables of multi-speaker models: names -> ids for a learnt embedding, or external d-vectors.

``SpeakerManager.init_from_config`` reads what a Coqui-style config names: ``speakers`` (a list) or
``speakers_file`` (a JSON mapping of names to ids, or a d-vector file) for ``use_speaker_embedding``, and
``d_vector_file`` for ``use_d_vector_file``. A d-vector file maps clip names to
``{"name": speaker, "embedding": [floats]}``.
"""

import json
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)


def _load_json(path, field: str) -> Any:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config field '{field}': {path} does not exist")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"config field '{field}': {path} is not valid JSON ({err.msg})") from None


def _is_d_vector_table(data: Any) -> bool:
    return isinstance(data, dict) and bool(data) and all(
        isinstance(v, dict) and "name" in v and "embedding" in v for v in data.values()
    )


class SpeakerManager:
    """Speaker names and ids, and optionally one d-vector per clip.

    Parameters
    ----------
    speaker_id_file_path:
        JSON file mapping speaker names to ids (or a d-vector file, whose speaker names are taken).
    d_vectors_file_path:
        JSON d-vector file (clip name -> ``{"name", "embedding"}``).
    """

    def __init__(self, speaker_id_file_path: str = "", d_vectors_file_path: str = "") -> None:
        self.name_to_id: Dict[str, int] = {}
        self.embeddings: Dict[str, Dict[str, Any]] = {}
        self.embeddings_by_names: Dict[str, List[List[float]]] = {}
        if speaker_id_file_path:
            self.load_ids_from_file(speaker_id_file_path)
        if d_vectors_file_path:
            self.load_embeddings_from_file(d_vectors_file_path)

    # ------------------------------------------------------------------ names
    @property
    def num_speakers(self) -> int:
        return len(self.name_to_id)

    @property
    def speaker_names(self) -> List[str]:
        """Names in id order."""
        return [name for name, _ in sorted(self.name_to_id.items(), key=lambda item: item[1])]

    def set_ids_from_data(self, items: Sequence[Dict[str, Any]], parse_key: str = "speaker_name") -> None:
        self.name_to_id = {name: i for i, name in enumerate(sorted({item[parse_key] for item in items}))}

    def load_ids_from_file(self, file_path: str) -> None:
        data = _load_json(file_path, "speakers_file")
        if _is_d_vector_table(data):
            names = sorted({entry["name"] for entry in data.values()})
            self.name_to_id = {name: i for i, name in enumerate(names)}
        elif isinstance(data, dict) and all(isinstance(v, int) for v in data.values()):
            self.name_to_id = dict(data)
        else:
            raise ValueError(f"config field 'speakers_file': {file_path} must map speaker names to integer ids")

    def save_ids_to_file(self, file_path: str) -> None:
        Path(file_path).write_text(json.dumps(self.name_to_id, indent=2), encoding="utf-8")

    # ------------------------------------------------------------------ d-vectors
    def load_embeddings_from_file(self, file_path: str) -> None:
        data = _load_json(file_path, "d_vector_file")
        if not _is_d_vector_table(data):
            raise ValueError(
                f"config field 'd_vector_file': {file_path} must map clip names to {{\"name\": ..., \"embedding\": [...]}}"
            )
        dims = {len(entry["embedding"]) for entry in data.values()}
        if len(dims) != 1:
            raise ValueError(f"config field 'd_vector_file': {file_path} holds d-vectors of several sizes {sorted(dims)}")
        self.embeddings = data
        self.embeddings_by_names = {}
        for entry in data.values():
            self.embeddings_by_names.setdefault(entry["name"], []).append(entry["embedding"])
        self.name_to_id = {name: i for i, name in enumerate(sorted(self.embeddings_by_names))}

    @property
    def embedding_dim(self) -> int:
        """Width of the d-vectors (0 without any)."""
        return len(next(iter(self.embeddings.values()))["embedding"]) if self.embeddings else 0

    @property
    def num_embeddings(self) -> int:
        return len(self.embeddings)

    def get_embedding_by_clip(self, clip_name: str) -> List[float]:
        return self.embeddings[clip_name]["embedding"]

    def get_embeddings_by_name(self, name: str) -> List[List[float]]:
        return self.embeddings_by_names[name]

    def get_mean_embedding(self, name: str) -> np.ndarray:
        """Mean d-vector of a speaker."""
        if name not in self.embeddings_by_names:
            raise KeyError(f"no d-vector for speaker {name!r}; known: {', '.join(self.speaker_names)}")
        return np.mean(np.asarray(self.embeddings_by_names[name], dtype=np.float32), axis=0)

    # ------------------------------------------------------------------ config
    @staticmethod
    def init_from_config(config) -> Optional["SpeakerManager"]:
        """The speaker table a config describes, or None for a single-speaker model."""
        if getattr(config, "use_speaker_embedding", False):
            if getattr(config, "speakers", None):
                manager = SpeakerManager()
                manager.name_to_id = {name: i for i, name in enumerate(config.speakers)}
                return manager
            if getattr(config, "speakers_file", None):
                return SpeakerManager(speaker_id_file_path=config.speakers_file)
            return None
        if getattr(config, "use_d_vector_file", False):
            path = getattr(config, "d_vector_file", None)
            return SpeakerManager(d_vectors_file_path=path) if path else SpeakerManager()
        return None
