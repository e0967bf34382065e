"""Helpers of the ``tts`` command's tests: its one-line errors, and Coqui-layout release zips for a local zoo."""

import zipfile
from pathlib import Path


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tts: error: ")
    return lines[0]


def release_zip(path: Path, files) -> None:
    """A zip in Coqui's release layout: config.json and model_file.pth at the top."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, source in files.items():
            archive.write(source, name)
