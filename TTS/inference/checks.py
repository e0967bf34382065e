"""The errors of synthesis and the checks made before any work: device names, output files, speaker tables."""

import io
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from TTS.errors import TTSError

PathLike = Union[str, Path]
DEVICES = "cpu, cuda, cuda:N or mps"


class SynthesisError(TTSError, ValueError):
    """Text that cannot be synthesised, or a model that cannot be used; the message is one line."""


class AudioLimitError(SynthesisError):
    """A request whose audio would be longer than its ``max_audio_seconds``."""


class SynthesisCancelled(Exception):
    """The caller's ``should_stop`` asked to stop (a client that went away); not an error of the text."""


def _check_stop(should_stop: Optional[Callable[[], bool]]) -> None:
    if should_stop is not None and should_stop():
        raise SynthesisCancelled("synthesis cancelled between sentences")


class UnsupportedVocoderError(SynthesisError):
    """A vocoder whose architecture (its config's ``model``) this package does not implement."""


class UnknownDeviceError(SynthesisError):
    """A device name that is not a torch device this package runs on (``xpu``, ``toaster``)."""


def parse_device(name: Union[str, torch.device], label: str = "device") -> torch.device:
    """The torch device ``name`` names: cpu, cuda, cuda:N (an existing GPU) or mps, when available here.

    ``label`` names the argument in messages (``--device`` for the command line).

    Raises
    ------
    UnknownDeviceError
        Not a torch device, or one this package does not run on.
    SynthesisError
        A device this machine does not have.
    """
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError, TypeError):
        raise UnknownDeviceError(f"{label} {str(name)!r} is not a torch device; use {DEVICES}") from None
    if device.type not in ("cpu", "cuda", "mps"):
        raise UnknownDeviceError(f"{label} {str(name)!r} is not supported; use {DEVICES}")
    backend = {"cuda": torch.cuda, "mps": getattr(torch.backends, "mps", None)}.get(device.type)
    if backend is not None and not backend.is_available():
        raise SynthesisError(f"{label} {str(name)!r}: device {device.type} is not available on this machine; use cpu")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise SynthesisError(
            f"{label} {str(name)!r}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}"
        )
    return device


def check_pipe_out(pipe_out: Any) -> None:
    """Raise unless wav bytes can be written to ``pipe_out``; called before anything is synthesised or written.

    Raises
    ------
    TypeError
        Not a file object, or a text stream (``sys.stdout``, ``io.StringIO``).
    ValueError
        A closed stream, or one not open for writing.
    """
    if not callable(getattr(pipe_out, "write", None)):
        raise TypeError(
            f"pipe_out must be a binary file object (e.g. sys.stdout.buffer), got {type(pipe_out).__name__}"
        )
    if isinstance(pipe_out, io.TextIOBase):
        raise TypeError(
            f"pipe_out is a text stream ({type(pipe_out).__name__}); wav bytes need a binary one "
            "(sys.stdout.buffer, io.BytesIO, a file opened with 'wb')"
        )
    if getattr(pipe_out, "closed", False):
        raise ValueError("pipe_out is closed")
    writable = getattr(pipe_out, "writable", None)
    if callable(writable) and not writable():
        raise ValueError("pipe_out is not open for writing")


def output_path_problem(path: PathLike, protected: Sequence[Tuple[Optional[PathLike], str]] = ()) -> Optional[str]:
    """Why a wav cannot be written to ``path`` (checked before any synthesis), or None when it can.

    ``protected`` pairs files that must never be overwritten (the model's own) with what they are.
    The answer leaves out the path itself: callers say which argument it came from. The folder is
    checked by creating (and removing) an empty hidden file in it, so a folder that refuses new
    files (``/proc``, a read-only mount, even for root) is reported before the synthesis.
    """
    text = os.fspath(path)
    if not text:
        return "is empty; give a wav file name"
    if os.path.isdir(text):
        return "is a folder; give a wav file name"
    if text.endswith(tuple(sep for sep in (os.sep, os.altsep, "/") if sep)):
        return "ends with a path separator, so it names a folder; give a wav file name"
    for other, what in protected:
        if other is not None and _same_file(text, os.fspath(other)):
            return f"is the model's {what}; writing the wav there would destroy it"
    if os.path.exists(text) and not os.path.isfile(text):
        return None  # /dev/stdout, a named pipe: written in place
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        existing = folder
        while not os.path.exists(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)
        if os.path.exists(existing) and not os.path.isdir(existing):
            return f"cannot be written: {existing} is a file, not a folder"
        return f"cannot be written: folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be written: folder {folder} is not writable"
    return _folder_write_problem(folder)


def _folder_write_problem(folder: str) -> Optional[str]:
    """Why no new file can be made in ``folder`` (tried with an empty hidden file, removed at once), or None."""
    probe = os.path.join(folder, f".tts-write-check.{secrets.token_hex(4)}")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as err:
        return f"cannot be written: folder {folder} takes no new files ({err.strerror or err})"
    try:
        os.unlink(probe)
    except OSError:
        pass
    return None


def _same_file(a: str, b: str) -> bool:
    """Whether two paths name the same file (through symlinks, or hard links of an existing file)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def check_speakers_file(path: PathLike) -> None:
    """Raise ``SynthesisError`` naming ``path`` unless it is JSON mapping speaker names to integer ids."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SynthesisError(f"speakers file {path} is not a text file (UTF-8 JSON)") from None
    except json.JSONDecodeError as err:
        raise SynthesisError(f"speakers file {path} is not valid JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(mapping, dict):
        raise SynthesisError(
            f"speakers file {path} holds a JSON {type(mapping).__name__}; expected an object of speaker name -> id"
        )
    bad = [name for name, value in mapping.items() if not isinstance(value, int) or isinstance(value, bool)]
    if bad:
        raise SynthesisError(f"speakers file {path}: speaker {bad[0]!r} has id {mapping[bad[0]]!r}, not an integer")


def write_wav(ap, wav: np.ndarray, path: Optional[PathLike], pipe_out: Optional[BinaryIO], *, sample_rate: int) -> None:
    """Write ``wav`` with ``ap.save_wav`` to ``path`` and/or copy the wav bytes to ``pipe_out`` (checked before)."""
    if path is not None:
        ap.save_wav(wav, path, sr=sample_rate)
    if pipe_out is None:
        return
    with tempfile.TemporaryDirectory() as folder:
        source = Path(path) if path is not None else Path(folder) / "out.wav"
        if path is None:
            ap.save_wav(wav, source, sr=sample_rate)
        with open(source, "rb") as f:
            shutil.copyfileobj(f, pipe_out)
