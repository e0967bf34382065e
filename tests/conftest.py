"""Shared pytest fixtures (plain helper functions and classes are in ``tests/helpers/``)."""

import functools
import http.server
import json
import logging
import os
import socket
import threading
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def one_thread():
    """Small tensors: thread hand-offs cost more than the maths on a shared CPU."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def one_thread_and_seed(one_thread):
    """One thread, and a fixed seed per test."""
    import torch

    torch.manual_seed(0)


@pytest.fixture(scope="session")
def coqui_fixtures() -> Path:
    """Folder of the Coqui reference fixtures (``../shared/fixtures/coqui``, or ``$TTS_FIXTURES_DIR``)."""
    path = Path(os.environ.get("TTS_FIXTURES_DIR") or REPO_ROOT.parent / "shared" / "fixtures" / "coqui")
    if not (path / "a_ljspeech_ddc" / "config.json").is_file():
        raise FileNotFoundError(
            f"Coqui reference fixtures not found at {path}; set TTS_FIXTURES_DIR to the folder holding a_ljspeech_ddc/"
        )
    return path


@pytest.fixture(scope="session")
def coqui_checkpoint(coqui_fixtures, tmp_path_factory):
    """Factory: path of a Coqui-layout checkpoint rebuilt by the fixtures' ``regen_weights.py`` (cached per session)."""
    import importlib.util

    import torch

    spec = importlib.util.spec_from_file_location("regen_weights", coqui_fixtures / "regen_weights.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    folder = tmp_path_factory.mktemp("coqui_checkpoints")
    made = {}

    def make(name: str, ckpt_r=None) -> Path:
        key = (name, ckpt_r)
        if key not in made:
            path = folder / f"{name}_r{ckpt_r}.pth"
            torch.save(regen.build_checkpoint(str(coqui_fixtures / name), ckpt_r=ckpt_r), path)
            made[key] = path
        return made[key]

    return make


@pytest.fixture
def isolated_zoo(monkeypatch, tmp_path):
    """The packaged registry and an empty model cache, whatever the environment says."""
    monkeypatch.delenv("TTS_MODELS_FILE", raising=False)
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "home"))


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """The packaged registry, an empty model cache in ``tmp_path/home``, and any network connection an error."""
    monkeypatch.delenv("TTS_MODELS_FILE", raising=False)
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "home"))

    def no_network(*args, **kwargs):
        raise AssertionError(f"network call: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)


@pytest.fixture(params=[OSError(28, "No space left on device"), KeyboardInterrupt()], ids=["disk-full", "ctrl-c"])
def failing_wav_write(request, monkeypatch):
    """scipy's wav writer starts a file, then fails as a full disk or Ctrl-C would; yields that exception."""
    import scipy.io.wavfile

    def write_half_then_fail(f, rate, data):
        f.write(b"RIFF\x00\x00")
        raise request.param

    monkeypatch.setattr(scipy.io.wavfile, "write", write_half_then_fail)
    return request.param


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A tiny LJSpeech-layout corpus (``helpers.corpus.make_ljspeech_corpus``), one per test module."""
    from helpers.corpus import make_ljspeech_corpus

    return make_ljspeech_corpus(tmp_path_factory.mktemp("corpus") / "LJSpeech-1.1")


# ---------------------------------------------------------------------------- the ``tts`` command
@pytest.fixture
def cli(capsys):
    """Run ``tts`` in-process: returns (exit code, stdout, stderr); logging is restored afterwards."""
    from TTS.bin.synthesize import main

    root, package = logging.getLogger(), logging.getLogger("TTS")
    saved = (root.handlers[:], root.level, package.level)

    def run(*argv: str):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    yield run
    logging.captureWarnings(False)
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    package.setLevel(saved[2])


@pytest.fixture
def toy_files(tmp_path):
    """A single-speaker toy model whose stop token fires at step 2 (no step-limit warning)."""
    from helpers.toy_models import write_toy_model

    model_path, config_path = write_toy_model(tmp_path / "toy", stop_threshold=0.0)
    return ["--model_path", model_path, "--config_path", config_path]


@pytest.fixture
def speaker_files(tmp_path):
    """A two-speaker toy model (ada, bo) whose stop token fires at step 2."""
    from helpers.toy_models import write_toy_model

    model_path, config_path = write_toy_model(tmp_path / "multi", speakers=["ada", "bo"], stop_threshold=0.0)
    return ["--model_path", model_path, "--config_path", config_path]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def zoo(tmp_path, monkeypatch):
    """A local model zoo: an HTTP server on 127.0.0.1 serving ``www/``; ``TTS_HOME`` in tmp_path."""
    www = tmp_path / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(www)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "home"))
    state = {"running": True}

    def stop() -> None:
        if state["running"]:
            server.shutdown()
            server.server_close()
            state["running"] = False

    yield www, f"http://127.0.0.1:{server.server_port}", stop
    stop()


@pytest.fixture
def standin_vocoder(monkeypatch, tmp_path):
    """Register the stand-in vocoder; returns a writer of its (config, checkpoint) for an audio config."""
    import torch

    from helpers.standin_vocoder import StandInVocoder, StandInVocoderConfig
    from TTS.config import MODEL_CONFIGS
    from TTS.config.shared_configs import BaseAudioConfig
    from TTS.inference import synthesizer as synthesizer_module

    made = []

    def setup(config):
        made.append(StandInVocoder(config.audio.hop_length))
        return made[-1]

    monkeypatch.setitem(MODEL_CONFIGS, "standin_vocoder", StandInVocoderConfig)
    monkeypatch.setattr(synthesizer_module, "setup_vocoder_model", setup)

    def write(audio: BaseAudioConfig, model: str = "standin_vocoder"):
        folder = tmp_path / "vocoder"
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text(json.dumps({"model": model, "audio": audio.to_dict()}))
        torch.save({"model": {}}, folder / "model.pth")
        return folder / "model.pth", folder / "config.json"

    write.made = made
    return write
