"""Batch samplers: length buckets (little padding, still shuffled) and plain random batches.

Both are reproducible: the order of an epoch depends only on ``seed`` and the epoch
number. The epoch advances by one at each iteration, or is set with ``set_epoch``.
"""

import math
from typing import Any, Iterator, List, Sequence

import numpy as np
import torch


class _EpochBatchSampler(torch.utils.data.Sampler):
    """Shared bookkeeping: epoch seeding, ``drop_last`` and ``start_by_longest``."""

    def __init__(self, *, lengths: Sequence[int], batch_size: int, drop_last: bool, start_by_longest: bool, seed: int):
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if len(lengths) == 0:
            raise ValueError("cannot sample batches from an empty dataset")
        self.lengths = np.asarray(lengths)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.start_by_longest = start_by_longest
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Make the next iteration yield the batches of ``epoch``."""
        self.epoch = epoch

    def _batches(self, rng: np.random.Generator) -> List[List[int]]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[List[int]]:
        batches = self._batches(np.random.default_rng([self.seed, self.epoch]))
        self.epoch += 1
        if self.drop_last:
            batches = [batch for batch in batches if len(batch) == self.batch_size]
        if self.start_by_longest and batches:
            longest = int(np.argmax(self.lengths))
            first = next(i for i, batch in enumerate(batches) if longest in batch)
            batches.insert(0, batches.pop(first))
        return iter(batches)

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.lengths) // self.batch_size
        return math.ceil(len(self.lengths) / self.batch_size)


class BucketBatchSampler(_EpochBatchSampler):
    """Batches of samples of similar length.

    Indices are sorted by length and cut into buckets of ``bucket_size_multiplier *
    batch_size``; each bucket is shuffled and cut into batches, and the order of all
    batches is shuffled. With ``shuffle=False`` (evaluation) batches are the sorted
    order cut in pieces.

    Parameters
    ----------
    lengths : sequence of int
        Length of every sample (e.g. audio samples).
    batch_size : int
        Samples per batch.
    bucket_size_multiplier : int
        Batches per bucket: larger buckets mix more, smaller ones pad less.
    shuffle : bool
        Shuffle within buckets and across batches.
    drop_last : bool
        Drop the incomplete batch.
    start_by_longest : bool
        Yield the batch with the longest sample first (catches out-of-memory early).
    seed : int
        Seed of the shuffles (combined with the epoch).
    """

    def __init__(
        self,
        *,
        lengths: Sequence[int],
        batch_size: int,
        bucket_size_multiplier: int = 10,
        shuffle: bool = True,
        drop_last: bool = False,
        start_by_longest: bool = False,
        seed: int = 0,
    ):
        super().__init__(
            lengths=lengths, batch_size=batch_size, drop_last=drop_last, start_by_longest=start_by_longest, seed=seed
        )
        if bucket_size_multiplier < 1:
            raise ValueError(f"bucket_size_multiplier must be >= 1, got {bucket_size_multiplier}")
        self.bucket_size = bucket_size_multiplier * batch_size
        self.shuffle = shuffle

    def _batches(self, rng: np.random.Generator) -> List[List[int]]:
        order = np.argsort(self.lengths, kind="stable")
        batches = []
        for start in range(0, len(order), self.bucket_size):
            bucket = order[start : start + self.bucket_size]
            if self.shuffle:
                bucket = rng.permutation(bucket)
            batches += [bucket[i : i + self.batch_size].tolist() for i in range(0, len(bucket), self.batch_size)]
        if self.shuffle:
            batches = [batches[i] for i in rng.permutation(len(batches))]
        return batches


class RandomBatchSampler(_EpochBatchSampler):
    """Batches of a random permutation (or of the dataset order with ``shuffle=False``).

    Parameters are those of ``BucketBatchSampler`` without ``bucket_size_multiplier``.
    """

    def __init__(
        self,
        *,
        lengths: Sequence[int],
        batch_size: int,
        shuffle: bool = True,
        drop_last: bool = False,
        start_by_longest: bool = False,
        seed: int = 0,
    ):
        super().__init__(
            lengths=lengths, batch_size=batch_size, drop_last=drop_last, start_by_longest=start_by_longest, seed=seed
        )
        self.shuffle = shuffle

    def _batches(self, rng: np.random.Generator) -> List[List[int]]:
        order = rng.permutation(len(self.lengths)) if self.shuffle else np.arange(len(self.lengths))
        return [order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size)]


def batch_sampler_from_config(
    config: Any, *, lengths: Sequence[int], batch_size: int, is_eval: bool = False, seed: int = 0
) -> _EpochBatchSampler:
    """The batch sampler a ``BaseTTSConfig`` asks for (``batch_sampler``, ``bucket_size_multiplier``, ...).

    ``batch_group_size``, when positive, sets the bucket size in batches (Coqui's field).
    The bucket sampler always shuffles for training; ``shuffle`` applies to the random
    sampler. Evaluation batches are never shuffled and nothing is dropped.
    """
    common = {
        "lengths": lengths,
        "batch_size": batch_size,
        "drop_last": config.drop_last and not is_eval,
        "start_by_longest": config.start_by_longest,
        "seed": seed,
    }
    if config.batch_sampler == "bucket":
        multiplier = config.batch_group_size if config.batch_group_size > 0 else config.bucket_size_multiplier
        return BucketBatchSampler(bucket_size_multiplier=multiplier, shuffle=not is_eval, **common)
    if config.batch_sampler == "random":
        return RandomBatchSampler(shuffle=config.shuffle and not is_eval, **common)
    raise ValueError(f"config field 'batch_sampler': must be 'bucket' or 'random', got {config.batch_sampler!r}")
