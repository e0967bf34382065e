"""Shared pytest fixtures."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def coqui_fixtures() -> Path:
    """Folder of the Coqui reference fixtures (``../shared/fixtures/coqui``, or ``$TTS_FIXTURES_DIR``)."""
    path = Path(os.environ.get("TTS_FIXTURES_DIR") or REPO_ROOT.parent / "shared" / "fixtures" / "coqui")
    if not (path / "a_ljspeech_ddc" / "config.json").is_file():
        raise FileNotFoundError(
            f"Coqui reference fixtures not found at {path}; set TTS_FIXTURES_DIR to the folder holding a_ljspeech_ddc/"
        )
    return path
