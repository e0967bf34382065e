"""The default voice shipped inside the package: found offline, loads, and ends a short sentence by itself."""

import logging
import os
import subprocess
import sys

import numpy as np
import soundfile as sf

from TTS.api import TTS

DEFAULT = "tts_models/en/kumo/tacotron2-DDC"


def test_the_default_model_is_the_shipped_one_and_ends_hello_world_by_itself(offline, caplog):
    tts = TTS(progress_bar=False)
    assert tts.model_name == DEFAULT
    with caplog.at_level(logging.WARNING, logger="TTS.utils.synthesizer"):
        wav = np.asarray(tts.tts("Hello world."))
    assert not [r for r in caplog.records if "step limit" in r.getMessage()], "decoding ran to the step limit"
    assert wav.size > 0 and np.isfinite(wav).all()
    assert wav.size / tts.synthesizer.output_sample_rate < 5.0


def test_tts_command_with_no_model_writes_a_wav_offline(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "TTS_MODELS_FILE"}
    env["TTS_HOME"] = str(tmp_path / "home")
    out = tmp_path / "hello.wav"
    result = subprocess.run(
        [sys.executable, "-m", "TTS.bin.synthesize", "--text", "Hello world.", "--out_path", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    info = sf.info(str(out))
    assert info.samplerate == 22050 and info.frames > 0
    assert not (tmp_path / "home").exists()  # the shipped model is used in place, nothing cached
