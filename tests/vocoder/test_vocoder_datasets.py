"""Vocoder training data: the seeded wav split, random segments with their mel frames, GTA mel pairs."""

import random

import numpy as np
import pytest
import torch
from helpers.vocoder import HOP, toy_hifigan_config, write_tones

from TTS.config import ConfigError
from TTS.utils.audio import AudioProcessor
from TTS.vocoder.datasets.gan_dataset import GANDataset
from TTS.vocoder.datasets.preprocess import load_wav_data, load_wav_feat_data


@pytest.fixture
def tones(tmp_path):
    return write_tones(tmp_path / "wavs")


@pytest.fixture
def ap(tmp_path):
    return AudioProcessor.init_from_config(toy_hifigan_config(tmp_path, tmp_path))


def test_wav_split_is_seeded_disjoint_and_complete(tones, tmp_path):
    eval_items, train_items = load_wav_data(str(tmp_path / "wavs"), 2)
    assert len(eval_items) == 2 and len(train_items) == 4
    assert sorted(eval_items + train_items) == sorted(map(str, tones))
    assert load_wav_data(str(tmp_path / "wavs"), 2) == (eval_items, train_items)
    with pytest.raises(ConfigError, match="'eval_split_size': 6 evaluation files leave none of the 6"):
        load_wav_data(str(tmp_path / "wavs"), 6)
    with pytest.raises(FileNotFoundError, match="'data_path': no \\*.wav file under"):
        load_wav_data(str(tmp_path / "empty"), 1)


def test_segments_hold_the_mel_frames_of_their_audio(tones, ap):
    random.seed(0)
    dataset = GANDataset(ap, [str(p) for p in tones], seq_len=8 * HOP, hop_len=HOP, conv_pad=0)
    for idx in range(len(dataset)):
        mel, wav = dataset[idx]
        assert mel.shape == (ap.num_mels, 8) and wav.shape == (1, 8 * HOP)
        again = ap.melspectrogram(wav[0].double().numpy())
        # inner frames see the same samples (the outer ones see the STFT padding)
        assert np.abs(again[:, 2:-3] - mel[:, 2:-2].numpy()).max() < 1e-4


def test_conv_pad_adds_context_frames_around_the_segment(tones, ap):
    dataset = GANDataset(ap, [str(tones[0])], seq_len=4 * HOP, hop_len=HOP, conv_pad=2)
    full = torch.from_numpy(ap.melspectrogram(ap.load_wav(tones[0])))
    random.seed(3)
    mel, wav = dataset[0]
    assert mel.shape[1] == 4 + 2 * 2 and wav.shape[-1] == 4 * HOP
    start = next(s for s in range(full.shape[1] - 7) if torch.allclose(full[:, s : s + 8], mel, atol=1e-5))
    audio = torch.from_numpy(ap.load_wav(tones[0])).float()
    assert torch.allclose(audio[(start + 2) * HOP : (start + 6) * HOP], wav[0], atol=1e-6)


def test_short_clips_are_padded_and_evaluation_takes_whole_files(tmp_path, ap):
    short = write_tones(tmp_path / "short", count=1, seconds=0.05)[0]  # 400 samples < seq_len
    mel, wav = GANDataset(ap, [str(short)], seq_len=16 * HOP, hop_len=HOP, conv_pad=0)[0]
    assert mel.shape[1] == 16 and wav.shape[-1] == 16 * HOP
    assert torch.all(wav[0, 500:] == 0)
    whole = GANDataset(ap, [str(short)], seq_len=16 * HOP, hop_len=HOP, return_segments=False)
    mel, wav = whole[0]
    assert mel.shape[1] == 1 + 400 // HOP and wav.shape[-1] == mel.shape[1] * HOP


def test_pairs_and_noise(tones, ap):
    dataset = GANDataset(
        ap, [str(p) for p in tones], seq_len=4 * HOP, hop_len=HOP, return_pairs=True, use_noise_augment=True
    )
    (mel_g, wav_g), (mel_d, wav_d) = dataset[0]
    assert mel_g.shape == mel_d.shape and wav_g.shape == wav_d.shape
    clean = GANDataset(ap, [str(tones[0])], seq_len=4 * HOP, hop_len=HOP, conv_pad=0, use_noise_augment=False)
    noisy = GANDataset(ap, [str(tones[0])], seq_len=4 * HOP, hop_len=HOP, conv_pad=0, use_noise_augment=True)
    random.seed(1)
    _, wav_clean = clean[0]
    random.seed(1)
    _, wav_noisy = noisy[0]
    assert 0 < (wav_noisy - wav_clean).abs().max() < 10 / 32768


def test_gta_mels_are_paired_by_name_and_used_instead_of_the_computed_ones(tones, ap, tmp_path):
    feats = tmp_path / "gta"
    feats.mkdir()
    for path in tones:
        frames = ap.melspectrogram(ap.load_wav(path)).shape[1]
        np.save(feats / f"{path.stem}.npy", np.full((ap.num_mels, frames), 0.25, dtype=np.float32))
    eval_items, train_items = load_wav_feat_data(str(tmp_path / "wavs"), str(feats), 1)
    assert all(wav.endswith(".wav") and feat.endswith(".npy") for wav, feat in eval_items + train_items)
    mel, wav = GANDataset(ap, train_items, seq_len=4 * HOP, hop_len=HOP, conv_pad=0)[0]
    assert torch.all(mel == 0.25) and wav.shape[-1] == 4 * HOP
    (feats / f"{tones[3].stem}.npy").unlink()
    with pytest.raises(FileNotFoundError, match="'feature_path': 1 of 6 wav files have no mel .* e.g. tone_03.wav"):
        load_wav_feat_data(str(tmp_path / "wavs"), str(feats), 1)


def test_gta_mels_of_another_frame_count_are_refused(tones, ap, tmp_path):
    feats = tmp_path / "gta"
    feats.mkdir()
    np.save(feats / f"{tones[0].stem}.npy", np.zeros((ap.num_mels, 10), dtype=np.float32))  # 63 frames expected
    dataset = GANDataset(ap, [(str(tones[0]), str(feats / f"{tones[0].stem}.npy"))], seq_len=4 * HOP, hop_len=HOP)
    with pytest.raises(ValueError, match="10 mel frames for .*tone_00.wav, whose 4000 samples make 63 frames"):
        dataset[0]
