"""Loading the samples of one or more datasets and splitting off an evaluation set.

``load_tts_samples`` keeps Coqui TTS' signature: it reads each ``BaseDatasetConfig``
with its formatter (see ``formatters.py``), adds the dataset's language and a unique
audio name (``<dataset_name>#<audio path relative to the root, no extension>``) to
every sample, drops ignored speakers and takes the evaluation samples either from
``meta_file_val`` or from a seeded random split.
"""

import dataclasses
import logging
import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from TTS.config.errors import ConfigError
from TTS.config.shared_configs import BaseDatasetConfig
from TTS.tts.datasets.dataset import TTSDataset
from TTS.tts.datasets.formatters import FORMATTERS, NoSamplesError, get_formatter, register_formatter

logger = logging.getLogger(__name__)

Sample = Dict[str, Any]
EVAL_SPLIT_SEED = 0
REQUIRED_KEYS = ("text", "audio_file", "speaker_name", "root_path")

__all__ = [
    "FORMATTERS",
    "TTSDataset",
    "add_extra_keys",
    "get_formatter",
    "get_language_names",
    "get_speaker_names",
    "load_tts_samples",
    "register_formatter",
    "split_dataset",
]


def split_dataset(
    samples: List[Sample],
    eval_split_max_size: Optional[int] = None,
    eval_split_size: float = 0.01,
    *,
    seed: int = EVAL_SPLIT_SEED,
) -> Tuple[List[Sample], List[Sample]]:
    """Split ``samples`` into ``(eval_samples, train_samples)`` at random, reproducibly.

    Parameters
    ----------
    samples : list of dict
        Samples of one dataset; not modified.
    eval_split_max_size : int, optional
        Upper bound on the number of evaluation samples.
    eval_split_size : float
        A fraction of the samples when below 1, else a number of samples.
    seed : int
        Seed of the split; the same samples and seed give the same split.

    Returns
    -------
    tuple of list
        Evaluation samples (in random order) and training samples (in their original order).
        Every speaker of the evaluation samples keeps at least one training sample.
    """
    count = int(len(samples) * eval_split_size) if eval_split_size < 1 else int(eval_split_size)
    if eval_split_max_size is not None:
        count = min(count, eval_split_max_size)
    if count < 1:
        raise ValueError(
            f"eval_split_size={eval_split_size} (eval_split_max_size={eval_split_max_size}) leaves no evaluation "
            f"samples out of {len(samples)}: use a fraction of at least {1 / max(len(samples), 1):.4g}, "
            "a count of at least 1, or give meta_file_val"
        )
    if count >= len(samples):
        raise ValueError(
            f"eval_split_size={eval_split_size} takes {count} of {len(samples)} samples and leaves none for training"
        )
    remaining: Dict[str, int] = {}
    for sample in samples:
        remaining[sample["speaker_name"]] = remaining.get(sample["speaker_name"], 0) + 1
    chosen = []
    for index in np.random.default_rng(seed).permutation(len(samples)):
        speaker = samples[index]["speaker_name"]
        if remaining[speaker] > 1:
            chosen.append(int(index))
            remaining[speaker] -= 1
            if len(chosen) == count:
                break
    if len(chosen) < count:
        raise ValueError(f"cannot take {count} evaluation samples and keep a training sample of every speaker")
    chosen_set = set(chosen)
    return [samples[i] for i in chosen], [sample for i, sample in enumerate(samples) if i not in chosen_set]


def add_extra_keys(samples: List[Sample], *, language: str, dataset_name: str) -> List[Sample]:
    """Set ``language`` (the dataset's when given, else the formatter's, else ``""``) and ``audio_unique_name``."""
    for sample in samples:
        sample["language"] = language or sample.get("language") or ""
        relative = os.path.splitext(os.path.relpath(sample["audio_file"], sample["root_path"]))[0]
        sample["audio_unique_name"] = f"{dataset_name}#{relative}"
    return samples


def get_speaker_names(samples: Sequence[Sample]) -> List[str]:
    """Sorted distinct speaker names of ``samples``."""
    return sorted({sample["speaker_name"] for sample in samples})


def get_language_names(samples: Sequence[Sample]) -> List[str]:
    """Sorted distinct non-empty languages of ``samples``."""
    return sorted({sample["language"] for sample in samples if sample.get("language")})


def _as_dataset_config(dataset: Union[BaseDatasetConfig, Dict], field: str) -> BaseDatasetConfig:
    if isinstance(dataset, BaseDatasetConfig):
        return dataset
    if isinstance(dataset, dict):
        known = {f.name for f in dataclasses.fields(BaseDatasetConfig)}
        unknown = sorted(set(dataset) - known)
        if unknown:
            raise ConfigError(f"config field '{field}': unknown keys {unknown}; known: {sorted(known)}")
        return BaseDatasetConfig(**dataset)
    raise ConfigError(f"config field '{field}': expected a BaseDatasetConfig or a dict, got {type(dataset).__name__}")


def _read(formatter: Callable, dataset: BaseDatasetConfig, meta_file: str, field: str) -> List[Sample]:
    """Run the formatter on one metadata file of ``dataset`` and check what it returns."""
    if meta_file and not os.path.isfile(os.path.join(dataset.path, meta_file)):
        raise ConfigError(f"config field '{field}': metadata file not found: {os.path.join(dataset.path, meta_file)}")
    samples = formatter(dataset.path, meta_file, ignored_speakers=dataset.ignored_speakers)
    for sample in samples[:1]:
        missing = [key for key in REQUIRED_KEYS if key not in sample]
        if missing:
            raise ValueError(
                f"formatter {getattr(formatter, '__name__', formatter)!r} returned samples without {missing}"
            )
    if dataset.speaker_name:
        samples = [{**sample, "speaker_name": dataset.speaker_name} for sample in samples]
    if dataset.ignored_speakers:  # formatters match corpus ids; this also catches full names from any formatter
        kept = [sample for sample in samples if sample["speaker_name"] not in dataset.ignored_speakers]
        if len(kept) < len(samples):
            logger.info("%s: left out %d samples of ignored speakers", field, len(samples) - len(kept))
        samples = kept
    if not samples:
        raise NoSamplesError(
            f"{field}: no samples found in {dataset.path!r} (meta file {meta_file!r}, formatter {dataset.formatter!r})"
        )
    return add_extra_keys(samples, language=dataset.language, dataset_name=dataset.dataset_name)


def load_tts_samples(
    datasets: Union[BaseDatasetConfig, List[BaseDatasetConfig]],
    eval_split: bool = True,
    formatter: Optional[Callable] = None,
    eval_split_max_size: Optional[int] = None,
    eval_split_size: float = 0.01,
    *,
    seed: int = EVAL_SPLIT_SEED,
) -> Tuple[List[Sample], Optional[List[Sample]]]:
    """Load the training and evaluation samples of one or more datasets.

    Parameters
    ----------
    datasets : BaseDatasetConfig or list of BaseDatasetConfig, or a model config
        Datasets to read (dicts with the same keys are accepted), or a config whose
        ``datasets`` field lists them (Coqui 0.28's ``load_tts_samples(config, ...)``).
    eval_split : bool
        Whether to return evaluation samples (else the second value is None).
    formatter : callable, optional
        Formatter for every dataset, instead of the one named by ``datasets[i].formatter``.
    eval_split_max_size : int, optional
        Upper bound on the random evaluation split, shared equally among the datasets.
    eval_split_size : float
        Random evaluation split of datasets without ``meta_file_val``: a fraction when
        below 1, else a number of samples per dataset.
    seed : int
        Seed of the random split.

    Returns
    -------
    tuple
        ``(train_samples, eval_samples)``, lists of sample dicts.
    """
    if not isinstance(datasets, (list, tuple, dict, BaseDatasetConfig)) and hasattr(datasets, "datasets"):
        datasets = datasets.datasets  # a model config, as Coqui 0.28's recipes pass it
    if not isinstance(datasets, (list, tuple)):
        datasets = [datasets]
    if not datasets:
        raise ConfigError("config field 'datasets': no dataset given")
    per_dataset_max = None if eval_split_max_size is None else eval_split_max_size // len(datasets)
    train_samples: List[Sample] = []
    eval_samples: Optional[List[Sample]] = [] if eval_split else None
    for index, dataset in enumerate(datasets):
        field = f"datasets[{index}]"
        dataset = _as_dataset_config(dataset, field)
        if not dataset.path or not os.path.isdir(dataset.path):
            raise ConfigError(f"config field '{field}.path': dataset folder not found: {dataset.path!r}")
        dataset_formatter = formatter
        if dataset_formatter is None:
            try:
                dataset_formatter = get_formatter(dataset.formatter)
            except KeyError as err:
                raise ConfigError(f"config field '{field}.formatter': {err.args[0]}") from None
        train = _read(dataset_formatter, dataset, dataset.meta_file_train, f"{field}.meta_file_train")
        if eval_split:
            if dataset.meta_file_val:
                evaluation = _read(dataset_formatter, dataset, dataset.meta_file_val, f"{field}.meta_file_val")
            else:
                try:
                    evaluation, train = split_dataset(train, per_dataset_max, eval_split_size, seed=seed)
                except ValueError as err:
                    shared = (
                        f"; eval_split_max_size={eval_split_max_size} is shared by {len(datasets)} datasets"
                        if len(datasets) > 1
                        else ""
                    )
                    raise ConfigError(f"config field 'eval_split_size' ({field}): {err}{shared}") from None
            eval_samples += evaluation
        train_samples += train
        logger.info("%s (%s): %d training samples", field, dataset.dataset_name or dataset.path, len(train))
    return train_samples, eval_samples
