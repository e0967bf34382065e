"""GAN vocoder training data: random waveform segments with the mel frames they were computed from.

Each item is a ``(mel, wav)`` pair of one file. The mel comes from the wav (``AudioProcessor.melspectrogram``)
or, for items given as ``(wav_path, mel_path)``, from a precomputed ``.npy`` (ground-truth-aligned mels of an
acoustic model). Frame ``k`` of the mel covers samples ``k * hop_len ... (k + 1) * hop_len`` of the audio, which
is cut (or edge-padded) to exactly ``frames * hop_len`` samples.

In training (``return_segments``) a random window of ``seq_len`` samples is taken together with its
``seq_len / hop_len`` frames, plus ``conv_pad`` frames of context at each side; in evaluation the whole file.
"""

import logging
import random
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch.utils.data import Dataset

from TTS.utils.audio import AudioProcessor

logger = logging.getLogger(__name__)

# std of the noise ``use_noise_augment`` adds to training segments: one 16-bit quantisation step
NOISE_STD = 1 / 32768

Item = Union[str, Sequence[str]]
Pair = Tuple[torch.Tensor, torch.Tensor]


class GANDataset(Dataset):
    """Random ``(mel, wav)`` segments of a list of wav files (or wav / mel file pairs).

    Parameters
    ----------
    ap:
        Audio processor: loads the wavs and computes their mels.
    items:
        Wav paths, or ``(wav_path, mel_npy_path)`` pairs (``TTS.vocoder.datasets.preprocess``).
    seq_len:
        Samples per training segment; a multiple of ``hop_len``.
    hop_len:
        Samples per mel frame.
    pad_short:
        Zero samples appended to a clip shorter than ``seq_len`` on top of what it lacks.
    conv_pad:
        Extra mel frames of context on each side of a segment.
    return_pairs:
        Each item is two segments: one for the generator and one of another file for the discriminator
        (``diff_samples_for_G_and_D``).
    is_training:
        Training data: noise augmentation applies.
    return_segments:
        Random segments (training); False returns whole files (evaluation).
    use_noise_augment:
        Add Gaussian noise of one 16-bit step to training segments.
    use_cache:
        Keep every loaded ``(audio, mel)`` in memory (in each loader worker).

    Shapes
    ------
    item: mel (num_mels, seq_len / hop_len + 2 conv_pad), wav (1, seq_len); whole files: (num_mels, F), (1, F hop_len)
    """

    def __init__(
        self,
        ap: AudioProcessor,
        items: Sequence[Item],
        *,
        seq_len: int,
        hop_len: int,
        pad_short: int = 0,
        conv_pad: int = 2,
        return_pairs: bool = False,
        is_training: bool = True,
        return_segments: bool = True,
        use_noise_augment: bool = False,
        use_cache: bool = False,
    ) -> None:
        super().__init__()
        if not items:
            raise ValueError("GANDataset: no files")
        if seq_len <= 0 or seq_len % hop_len != 0:
            raise ValueError(
                f"config field 'seq_len': must be a positive multiple of the hop length {hop_len}, got {seq_len}"
            )
        if conv_pad < 0 or pad_short < 0:
            raise ValueError(f"config fields 'conv_pad' and 'pad_short' must be >= 0, got {conv_pad} and {pad_short}")
        self.ap = ap
        self.item_list = list(items)
        self.compute_feat = isinstance(self.item_list[0], str) or not isinstance(self.item_list[0], (tuple, list))
        self.seq_len = seq_len
        self.hop_len = hop_len
        self.pad_short = pad_short
        self.conv_pad = conv_pad
        self.return_pairs = return_pairs
        self.is_training = is_training
        self.return_segments = return_segments
        self.use_noise_augment = use_noise_augment
        self.use_cache = use_cache
        self.feat_frame_len = seq_len // hop_len + 2 * conv_pad
        self.G_to_D_mappings = list(range(len(self.item_list)))
        self.cache: Dict[int, Tuple[np.ndarray, np.ndarray]] = {}
        self._silence: Optional[float] = None
        self.shuffle_mapping()

    def __len__(self) -> int:
        return len(self.item_list)

    def shuffle_mapping(self) -> None:
        """Pick anew which file gives the discriminator's segment for each generator segment."""
        random.shuffle(self.G_to_D_mappings)

    def __getitem__(self, idx: int) -> Union[Pair, Tuple[Pair, Pair]]:
        worker = torch.utils.data.get_worker_info()
        if worker is not None and getattr(self, "_seeded_worker", None) != worker.id:
            random.seed(worker.seed)  # every worker draws its own segments
            self._seeded_worker = worker.id
        item = self.load_item(idx)
        if self.return_segments and self.return_pairs:
            return item, self.load_item(self.G_to_D_mappings[idx])
        return item

    # ------------------------------------------------------------------ loading
    def _silent_frame_value(self) -> float:
        if self._silence is None:
            self._silence = float(self.ap.melspectrogram(np.zeros(self.ap.win_length)).mean())
        return self._silence

    def _load(self, idx: int) -> Tuple[np.ndarray, np.ndarray]:
        """Audio (T,) and mel (num_mels, F) of one item, short clips padded, audio cut to ``F * hop_len``."""
        if idx in self.cache:
            return self.cache[idx]
        min_samples = self.seq_len + self.pad_short if self.return_segments else 0
        if self.compute_feat:
            audio = self.ap.load_wav(self.item_list[idx])
            if len(audio) < min_samples:
                audio = np.pad(audio, (0, min_samples - len(audio)))
            mel = self.ap.melspectrogram(audio)
        else:
            wav_path, mel_path = self.item_list[idx]
            audio = self.ap.load_wav(wav_path)
            mel = np.load(mel_path, allow_pickle=False)
            if mel.ndim != 2 or mel.shape[0] != self.ap.num_mels:
                raise ValueError(
                    f"{mel_path}: a mel of shape (num_mels={self.ap.num_mels}, frames) expected, got {mel.shape}"
                )
            expected = 1 + len(audio) // self.hop_len
            if abs(mel.shape[1] - expected) > 1:
                raise ValueError(
                    f"{mel_path}: {mel.shape[1]} mel frames for {wav_path}, whose {len(audio)} samples make {expected} "
                    "frames: the vocoder's audio settings (hop_length, do_trim_silence, sample_rate) must be those the "
                    "mels were computed with"
                )
            if len(audio) < min_samples:
                audio = np.pad(audio, (0, min_samples - len(audio)))
        min_frames = self.feat_frame_len if self.return_segments else 0
        if mel.shape[1] < min_frames:
            mel = np.pad(mel, ((0, 0), (0, min_frames - mel.shape[1])), constant_values=self._silent_frame_value())
        # the centred STFT gives 1 + T // hop frames: extend the audio by one hop, then cut it to the frames
        audio = np.pad(audio, (0, self.hop_len), mode="edge")[: mel.shape[1] * self.hop_len]
        if len(audio) < mel.shape[1] * self.hop_len:  # a precomputed mel longer than its audio
            audio = np.pad(audio, (0, mel.shape[1] * self.hop_len - len(audio)))
        result = (audio.astype(np.float32), mel.astype(np.float32))
        if self.use_cache:
            self.cache[idx] = result
        return result

    def load_item(self, idx: int) -> Pair:
        """``(mel, wav)`` of item ``idx``: a random segment when ``return_segments``, else the whole file."""
        audio, mel = self._load(idx)
        audio_t = torch.from_numpy(audio).unsqueeze(0)
        mel_t = torch.from_numpy(mel)
        if self.return_segments:
            frames = self.seq_len // self.hop_len
            start = random.randint(0, mel_t.shape[1] - self.feat_frame_len)
            mel_t = mel_t[:, start : start + self.feat_frame_len]
            audio_start = (start + self.conv_pad) * self.hop_len
            audio_t = audio_t[:, audio_start : audio_start + frames * self.hop_len]
            if self.use_noise_augment and self.is_training:
                audio_t = audio_t + NOISE_STD * torch.randn_like(audio_t)
        return mel_t, audio_t


def gan_dataset_from_config(config: Any, ap: AudioProcessor, items: List[Item], *, is_eval: bool) -> GANDataset:
    """The dataset a GAN vocoder config describes: segments for training, whole files for evaluation."""
    return GANDataset(
        ap,
        items,
        seq_len=config.seq_len,
        hop_len=ap.hop_length,
        pad_short=config.pad_short,
        conv_pad=config.conv_pad,
        return_pairs=bool(getattr(config, "diff_samples_for_G_and_D", False)) and not is_eval,
        is_training=not is_eval,
        return_segments=not is_eval,
        use_noise_augment=config.use_noise_augment,
        use_cache=config.use_cache,
    )
