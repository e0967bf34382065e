"""The TTS dataset: token ids and mel spectrograms of the samples, batched for Tacotron-style models.

Batches follow Coqui TTS' conventions so that its models' ``format_batch`` logic
carries over: sorted by text length (longest first), text padded with the pad id,
mels padded to a multiple of the reduction factor ``r``, and frame-level stop
targets that are 1 from the last real frame on (padding included). The model
reduces them to one target per decoder step with ``reduce_stop_targets``.
"""

import logging
import math
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import soundfile as sf
import torch

from TTS.errors import TTSError
from TTS.tts.datasets.cache import FeatureCache, audio_cache_settings, text_cache_settings
from TTS.utils.audio.numpy_transforms import NonFiniteAudioError

logger = logging.getLogger(__name__)

MAX_LOGGED_NAMES = 5  # file names quoted per reason when samples are dropped
FLOAT_SUBTYPES = ("FLOAT", "DOUBLE")  # the sample formats that can hold NaN or inf (integer ones cannot)

# problems that make a sample unusable (not merely filtered out): what the files have, and what to do
SAMPLE_PROBLEMS = {
    "missing": ("audio files not found", "run TTS.bin.check_dataset"),
    "unreadable": ("audio files not readable", "not a sound file libsndfile knows, or truncated"),
    "sample_rate": (
        "audio files at another sample rate than audio.sample_rate={sample_rate} Hz",
        "resample the data or set audio.resample = true",
    ),
    "no_tokens": ("texts without any token", "no character the tokenizer knows: check the characters and the cleaner"),
}


class SampleError(TTSError, ValueError):
    """Samples that training cannot use: missing or unreadable audio, another sample rate, text without tokens."""


def audio_is_finite(path: str, subtype: str) -> bool:
    """Whether every sample of an audio file is finite; only float files (``subtype`` from ``sf.info``) are decoded.

    Raises libsndfile's ``RuntimeError`` when the file cannot be read.
    """
    if subtype not in FLOAT_SUBTYPES:
        return True
    return bool(np.isfinite(sf.read(path, dtype="float64")[0]).all())


def describe_problems(problems: Dict[str, List[str]], *, sample_rate: int) -> str:
    """One line: per problem (a ``SAMPLE_PROBLEMS`` key), how many samples have it and the first of them."""
    parts = []
    for problem, examples in problems.items():
        what, hint = SAMPLE_PROBLEMS[problem]
        what = what.format(sample_rate=sample_rate)
        if len(examples) == 1:
            what = what.replace("files", "file", 1).replace("texts", "text", 1)
        parts.append(f"{len(examples)} {what}, e.g. {examples[0]} ({hint})")
    return "; ".join(parts)


def reduce_stop_targets(
    stop_targets: torch.Tensor, mel_lengths: torch.Tensor, *, r: int
) -> Tuple[torch.Tensor, torch.Tensor]:
    """Reduce frame-level stop targets to one per decoder step of ``r`` frames (Coqui's ``format_batch``).

    A step's target is 1 when any of its frames is; the number of valid steps is ``ceil(mel_length / r)``.

    Shapes
    ------
    stop_targets: (B, T_mel) with T_mel a multiple of r
    mel_lengths: (B,)
    returns: (B, T_mel // r) float targets and (B,) float step counts
    """
    batch_size, frames = stop_targets.shape
    if frames % r:
        raise ValueError(f"stop targets have {frames} frames, not a multiple of r={r}")
    reduced = (stop_targets.view(batch_size, frames // r, r).sum(dim=2) > 0).float()
    return reduced, torch.ceil(mel_lengths.float() / r)


class TTSDataset(torch.utils.data.Dataset):
    """Samples filtered by length, with cached token ids and mels, and a ``collate_fn`` for batches.

    Parameters
    ----------
    samples : list of dict
        Samples from ``load_tts_samples``.
    tokenizer : TTSTokenizer
        Turns texts into token ids (``text_to_ids``, ``pad_id``).
    ap : AudioProcessor
        Loads audio and computes spectrograms (``load_wav``, ``melspectrogram``, ``spectrogram``, ``mel_pad_value``).
    outputs_per_step : int
        Reduction factor r: mels are padded to a multiple of it. May be changed between epochs.
    compute_linear_spec : bool
        Also return linear spectrograms.
    min_audio_len, max_audio_len : float
        Audio length bounds in samples at ``ap.sample_rate``; samples outside are dropped.
    min_text_len, max_text_len : float
        Text length bounds in characters; samples outside are dropped.
    token_cache, mel_cache : FeatureCache, optional
        Caches of token ids and mel spectrograms (see ``init_from_config``).
    speaker_id_mapping, language_id_mapping : dict, optional
        Name -> id maps; when given, batches carry ``speaker_ids`` / ``language_ids``.
    verbose : bool
        Log the filtering summary at INFO instead of DEBUG.
    """

    def __init__(
        self,
        *,
        samples: List[Dict[str, Any]],
        tokenizer: Any,
        ap: Any,
        outputs_per_step: int = 1,
        compute_linear_spec: bool = False,
        min_audio_len: float = 1,
        max_audio_len: float = float("inf"),
        min_text_len: float = 1,
        max_text_len: float = float("inf"),
        token_cache: Optional[FeatureCache] = None,
        mel_cache: Optional[FeatureCache] = None,
        speaker_id_mapping: Optional[Dict[str, int]] = None,
        language_id_mapping: Optional[Dict[str, int]] = None,
        verbose: bool = False,
    ):
        super().__init__()
        self.tokenizer = tokenizer
        self.ap = ap
        self.outputs_per_step = outputs_per_step
        self.compute_linear_spec = compute_linear_spec
        self.token_cache = token_cache
        self.mel_cache = mel_cache
        self.speaker_id_mapping = speaker_id_mapping
        self.language_id_mapping = language_id_mapping
        self.samples, self.audio_lengths = self._filter(
            samples,
            audio_range=(min_audio_len, max_audio_len),
            text_range=(min_text_len, max_text_len),
            verbose=verbose,
        )
        self.text_lengths = [len(sample["text"]) for sample in self.samples]

    @classmethod
    def init_from_config(
        cls,
        config: Any,
        *,
        samples: List[Dict[str, Any]],
        tokenizer: Any,
        ap: Any,
        outputs_per_step: Optional[int] = None,
        speaker_id_mapping: Optional[Dict[str, int]] = None,
        language_id_mapping: Optional[Dict[str, int]] = None,
        verbose: bool = False,
    ) -> "TTSDataset":
        """Build the dataset from a ``BaseTTSConfig``; ``outputs_per_step`` defaults to ``config.r``.

        The caches are opened under ``phoneme_cache_path`` and ``mel_cache_path`` when those are set.
        """
        token_cache = mel_cache = None
        if config.phoneme_cache_path:
            token_cache = FeatureCache(
                root=config.phoneme_cache_path, kind="tokens", settings=text_cache_settings(tokenizer)
            )
        if config.mel_cache_path:
            mel_cache = FeatureCache(
                root=config.mel_cache_path, kind="mel", settings=audio_cache_settings(config.audio)
            )
        return cls(
            samples=samples,
            tokenizer=tokenizer,
            ap=ap,
            outputs_per_step=config.r if outputs_per_step is None else outputs_per_step,
            compute_linear_spec=config.compute_linear_spec,
            min_audio_len=config.min_audio_len,
            max_audio_len=config.max_audio_len,
            min_text_len=config.min_text_len,
            max_text_len=config.max_text_len,
            token_cache=token_cache,
            mel_cache=mel_cache,
            speaker_id_mapping=speaker_id_mapping,
            language_id_mapping=language_id_mapping,
            verbose=verbose,
        )

    def _audio_info(self, path: str) -> Tuple[Optional[int], Optional[str]]:
        """Length of an audio file in samples at ``ap.sample_rate`` (from its header, no decoding), or a problem.

        Returns ``(length, None)``, or ``(None, problem)`` with ``problem`` one of the ``SAMPLE_PROBLEMS`` keys.
        """
        if not os.path.isfile(path):
            return None, "missing"
        try:
            info = sf.info(path)
        except (RuntimeError, sf.LibsndfileError):  # libsndfile errors
            return None, "unreadable"
        if info.samplerate != self.ap.sample_rate and not getattr(self.ap, "resample", False):
            return None, "sample_rate"
        return round(info.frames * self.ap.sample_rate / info.samplerate), None

    def _audio_too_short(self, audio_length: int) -> Optional[str]:
        """Why a clip is too short to train on at all (fewer frames than one decoder step, or than fft_size)."""
        hop_length = getattr(self.ap, "hop_length", None)
        fft_size = getattr(self.ap, "fft_size", None)
        if fft_size and audio_length < fft_size:
            return f"audio shorter than fft_size={fft_size} samples"
        if hop_length and 1 + audio_length // hop_length < self.outputs_per_step:
            return f"audio shorter than one decoder step (r={self.outputs_per_step} frames)"
        return None

    def _filter(
        self,
        samples: List[Dict[str, Any]],
        *,
        audio_range: Tuple[float, float],
        text_range: Tuple[float, float],
        verbose: bool,
    ) -> Tuple[List[Dict[str, Any]], List[int]]:
        """Drop the samples outside the length bounds; raise ``SampleError`` for audio that cannot be used."""
        infos = [self._audio_info(sample["audio_file"]) for sample in samples]
        problems: Dict[str, List[str]] = {}
        for sample, (_, problem) in zip(samples, infos):
            if problem is not None:
                problems.setdefault(problem, []).append(sample["audio_file"])
        if problems:
            raise SampleError(describe_problems(problems, sample_rate=self.ap.sample_rate))
        kept, lengths, dropped = [], [], {}
        for sample, (audio_length, _) in zip(samples, infos):
            text_length = len(sample["text"])
            reason = None
            if audio_length < audio_range[0]:
                reason = f"audio shorter than min_audio_len={audio_range[0]}"
            elif audio_length > audio_range[1]:
                reason = f"audio longer than max_audio_len={audio_range[1]}"
            elif text_length < text_range[0]:
                reason = f"text shorter than min_text_len={text_range[0]}"
            elif text_length > text_range[1]:
                reason = f"text longer than max_text_len={text_range[1]}"
            else:
                reason = self._audio_too_short(audio_length)
            if reason is None:
                kept.append(sample)
                lengths.append(audio_length)
            else:
                dropped.setdefault(reason, []).append(sample["audio_file"])
        level = logging.INFO if verbose else logging.DEBUG
        logger.log(level, "kept %d of %d samples", len(kept), len(samples))
        for reason, files in dropped.items():
            logger.info("dropped %d samples: %s, e.g. %s", len(files), reason, ", ".join(files[:MAX_LOGGED_NAMES]))
        if not kept:
            raise SampleError(
                f"no samples left after the length filters (dropped: { {r: len(f) for r, f in dropped.items()} })"
            )
        return kept, lengths

    def check_texts(self) -> None:
        """Raise ``SampleError`` naming the samples whose text gives no token (fills the token cache on the way)."""
        empty = []
        for index, sample in enumerate(self.samples):
            try:
                self.get_token_ids(index)
            except SampleError:
                empty.append(f"{sample['audio_file']} (text {sample['text']!r})")
        if empty:
            raise SampleError(describe_problems({"no_tokens": empty}, sample_rate=self.ap.sample_rate))

    def __len__(self) -> int:
        return len(self.samples)

    def _language(self, sample: Dict[str, Any]) -> Optional[str]:
        return sample.get("language") or None

    def get_token_ids(self, index: int) -> np.ndarray:
        """Token ids of sample ``index`` (from the cache when there is one)."""
        sample = self.samples[index]
        language = self._language(sample)
        name = None
        if self.token_cache is not None:
            name = FeatureCache.entry_name(language, sample["text"])
            cached = self.token_cache.load(name)
            if cached is not None:
                return cached
        token_ids = np.asarray(self.tokenizer.text_to_ids(sample["text"], language=language), dtype=np.int64)
        if token_ids.size == 0:
            raise SampleError(f"{sample['audio_file']}: text {sample['text']!r} gives no tokens")
        if self.token_cache is not None:
            self.token_cache.save(name, token_ids)
        return token_ids

    def _mel_entry(self, sample: Dict[str, Any]) -> str:
        stat = os.stat(sample["audio_file"])
        return FeatureCache.entry_name(sample["audio_file"], stat.st_size, stat.st_mtime_ns)

    def load_wav(self, path: str) -> np.ndarray:
        """``ap.load_wav``; a file with NaN or inf samples is a ``SampleError`` naming it."""
        try:
            return self.ap.load_wav(path)
        except NonFiniteAudioError as err:
            raise SampleError(f"{err} (re-export it; run TTS.bin.check_dataset)") from None

    def get_mel(self, index: int, wav: Optional[np.ndarray] = None) -> np.ndarray:
        """Mel spectrogram of sample ``index`` (from the cache when there is one). Shapes: returns (C_mel, T_mel)."""
        sample = self.samples[index]
        if self.mel_cache is not None:
            cached = self.mel_cache.load(self._mel_entry(sample))
            if cached is not None:
                return cached
        if wav is None:
            wav = self.load_wav(sample["audio_file"])
        mel = np.asarray(self.ap.melspectrogram(wav), dtype=np.float32)
        if self.mel_cache is not None:
            self.mel_cache.save(self._mel_entry(sample), mel)
        return mel

    def cache_features(self, index: int) -> None:
        """Compute and store the cached features of sample ``index`` (used by ``cache.precompute``)."""
        if self.token_cache is not None:
            self.get_token_ids(index)
        if self.mel_cache is not None:
            self.get_mel(index)

    def __getitem__(self, index: int) -> Dict[str, Any]:
        sample = self.samples[index]
        wav = self.load_wav(sample["audio_file"]) if self.compute_linear_spec else None
        return {
            "raw_text": sample["text"],
            "token_ids": self.get_token_ids(index),
            "mel": self.get_mel(index, wav),
            "linear": np.asarray(self.ap.spectrogram(wav), dtype=np.float32) if self.compute_linear_spec else None,
            "item_idx": index,
            "audio_file": sample["audio_file"],
            "audio_unique_name": sample["audio_unique_name"],
            "speaker_name": sample["speaker_name"],
            "language_name": sample.get("language") or "",
        }

    def _pad_frames(self, spectrograms: Sequence[np.ndarray], frames: int) -> torch.Tensor:
        """Stack (C, T_i) arrays into (B, frames, C), padded with ``ap.mel_pad_value`` (linear spectrograms too)."""
        padded = torch.full((len(spectrograms), frames, spectrograms[0].shape[0]), float(self.ap.mel_pad_value))
        for i, spectrogram in enumerate(spectrograms):
            padded[i, : spectrogram.shape[1]] = torch.from_numpy(spectrogram.T)
        return padded

    def _ids(self, names: Sequence[str], mapping: Optional[Dict[str, int]], what: str) -> Optional[torch.Tensor]:
        if mapping is None:
            return None
        unknown = sorted(set(names) - set(mapping))
        if unknown:
            raise KeyError(f"{what} {unknown} missing from the {what} id mapping ({len(mapping)} entries)")
        return torch.LongTensor([mapping[name] for name in names])

    def collate_fn(self, batch: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Pad and stack items, sorted by text length (longest first).

        Shapes
        ------
        token_id: (B, T_text) LongTensor padded with ``tokenizer.pad_id``; token_id_lengths: (B,)
        mel: (B, T_mel, C_mel) with T_mel rounded up to a multiple of r, padded with ``ap.mel_pad_value``
        mel_lengths: (B,)
        stop_targets: (B, T_mel), 1.0 from the last real frame on (padding included)
        linear: (B, T_mel, C_linear) or None
        speaker_ids, language_ids: (B,) or None
        """
        text_lengths = torch.LongTensor([len(item["token_ids"]) for item in batch])
        text_lengths, order = torch.sort(text_lengths, descending=True, stable=True)
        batch = [batch[i] for i in order.tolist()]
        tokens = torch.full((len(batch), int(text_lengths[0])), self.tokenizer.pad_id, dtype=torch.long)
        for i, item in enumerate(batch):
            tokens[i, : len(item["token_ids"])] = torch.from_numpy(np.asarray(item["token_ids"], dtype=np.int64))
        mel_lengths = torch.LongTensor([item["mel"].shape[1] for item in batch])
        r = self.outputs_per_step
        frames = math.ceil(int(mel_lengths.max()) / r) * r
        stop_targets = (torch.arange(frames)[None, :] >= (mel_lengths[:, None] - 1)).float()
        speaker_names = [item["speaker_name"] for item in batch]
        language_names = [item["language_name"] for item in batch]
        return {
            "token_id": tokens,
            "token_id_lengths": text_lengths,
            "mel": self._pad_frames([item["mel"] for item in batch], frames),
            "mel_lengths": mel_lengths,
            "stop_targets": stop_targets,
            "linear": self._pad_frames([item["linear"] for item in batch], frames)
            if self.compute_linear_spec
            else None,
            "item_idxs": [item["item_idx"] for item in batch],
            "audio_files": [item["audio_file"] for item in batch],
            "audio_unique_names": [item["audio_unique_name"] for item in batch],
            "raw_text": [item["raw_text"] for item in batch],
            "speaker_names": speaker_names,
            "language_names": language_names,
            "speaker_ids": self._ids(speaker_names, self.speaker_id_mapping, "speaker"),
            "language_ids": self._ids(language_names, self.language_id_mapping, "language"),
        }
