"""Shared pytest fixtures."""

import os
import socket
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def one_thread_and_seed():
    """Toy tensors: thread hand-offs cost more than the maths on a shared CPU. Fixed seed per test."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


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
