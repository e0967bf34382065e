"""Ground-truth-aligned mels: a toy Tacotron2 run teacher-forced over its corpus, then a vocoder trained on them."""

import json

import numpy as np
import pytest
import torch
from helpers.corpus import make_ljspeech_corpus, toy_config

from TTS.bin import compute_gta_mels
from TTS.config import load_config
from TTS.tts.models import setup_model
from TTS.utils.audio import AudioProcessor
from TTS.vocoder.datasets.gan_dataset import GANDataset
from TTS.vocoder.datasets.preprocess import load_wav_feat_data


@pytest.mark.slow
def test_gta_mels_are_the_teacher_forced_outputs_and_feed_the_vocoder(tmp_path, one_thread_and_seed):
    corpus = make_ljspeech_corpus(tmp_path / "corpus", count=4)
    (tmp_path / "config.json").write_text(json.dumps(toy_config(corpus, tmp_path / "run")))
    config = load_config(str(tmp_path / "config.json"))
    model = setup_model(config)
    torch.save({"model": model.state_dict(), "config": config.to_dict(), "step": 0, "epoch": 0}, tmp_path / "model.pth")
    compute_gta_mels.main(
        ["--config_path", str(tmp_path / "config.json"), "--checkpoint_path", str(tmp_path / "model.pth")]
        + ["--out_path", str(tmp_path / "gta"), "--batch_size", "1"]
    )
    # one clip per pass: in a padded batch the encoder convolutions see the padding at the end of shorter texts
    files = sorted((tmp_path / "gta").glob("*.npy"))
    assert [f.stem for f in files] == [f"LJ001-{i:04d}" for i in range(4)]
    ap = AudioProcessor.init_from_config(config)
    model.eval()
    for path in files:
        wav = ap.load_wav(corpus / "wavs" / f"{path.stem}.wav")
        target = torch.from_numpy(ap.melspectrogram(wav)).T[None]  # (1, T, C)
        frames = target.shape[1]
        padded = torch.nn.functional.pad(target, (0, 0, 0, (-frames) % model.decoder.r))
        line = next(row for row in (corpus / "metadata.csv").read_text().splitlines() if row.startswith(path.stem))
        text = torch.tensor([model.tokenizer.text_to_ids(line.split("|")[2])])
        with torch.no_grad():
            expected = model.forward(text, torch.tensor([text.shape[1]]), padded, torch.tensor([frames]))[
                "model_outputs"
            ]
        mel = np.load(path)
        assert mel.shape == (20, frames) == (20, 1 + len(wav) // 64)
        assert np.abs(mel - expected[0, :frames].T.numpy()).max() < 1e-4
    eval_items, train_items = load_wav_feat_data(str(corpus / "wavs"), str(tmp_path / "gta"), 1)
    mel, wav = GANDataset(ap, train_items, seq_len=4 * 64, hop_len=64, conv_pad=0)[0]
    assert mel.shape == (20, 4) and wav.shape == (1, 256)


def test_gta_tool_reports_a_missing_checkpoint_in_one_line(tmp_path, monkeypatch):
    corpus = make_ljspeech_corpus(tmp_path / "corpus", count=2)
    (tmp_path / "config.json").write_text(json.dumps(toy_config(corpus, tmp_path / "run")))
    with pytest.raises(SystemExit, match="error: .*missing.pth"):
        compute_gta_mels.main(
            [
                "--config_path",
                str(tmp_path / "config.json"),
                "--checkpoint_path",
                str(tmp_path / "missing.pth"),
                "--out_path",
                str(tmp_path / "gta"),
            ]
        )
