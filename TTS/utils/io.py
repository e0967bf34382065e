"""Safe file io: checkpoints read with ``torch.load(weights_only=True)`` only, with clear errors naming
the file, and output files replaced atomically (``atomic_output``)."""

import collections
import contextlib
import errno
import logging
import os
import pickle
import re
import secrets
import shutil
from pathlib import Path
from typing import Any, BinaryIO, Dict, Iterator, List, Union

import numpy
import torch

from TTS.errors import TTSError

logger = logging.getLogger(__name__)

# Harmless types that checkpoints written by Coqui's trainer carry besides tensors and
# plain containers: optimizer state in a defaultdict, and losses that older trainers stored
# as numpy scalars (pickled as numpy's ``scalar(dtype, raw bytes)`` under numpy 1's module
# name ``numpy.core`` or numpy 2's ``numpy._core``). Nothing here can run code.
try:
    from numpy._core.multiarray import scalar as _numpy_scalar
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import scalar as _numpy_scalar


def _defaultdict_as_dict(default_factory=None):
    """Stands in for ``collections.defaultdict`` when unpickling: torch's safe unpickler fills
    only plain dicts, so a pickled defaultdict comes back as a dict with the same items."""
    return {}


SAFE_GLOBALS = [
    (_defaultdict_as_dict, "collections.defaultdict"),
    collections.OrderedDict,
    dict,
    list,
    (_numpy_scalar, "numpy.core.multiarray.scalar"),
    (_numpy_scalar, "numpy._core.multiarray.scalar"),
    numpy.dtype,
    # the dtype classes of numeric scalars (numpy >= 1.25), whose state the unpickler restores
    *(
        getattr(numpy.dtypes, f"{kind}DType")
        for kind in (
            "Bool",
            "Int8",
            "Int16",
            "Int32",
            "Int64",
            "UInt8",
            "UInt16",
            "UInt32",
            "UInt64",
            "Float16",
            "Float32",
            "Float64",
        )
        if hasattr(numpy, "dtypes")
    ),
]


MAX_NAMED_TENSORS = 3  # tensors named in a message about a checkpoint's weights

# How torch's weights-only unpickler words a refusal (a global, a call or an object outside the allow-list),
# as opposed to bytes that are simply not a pickle.
_UNSAFE_PICKLE = re.compile(r"GLOBAL (\S+)|(?:call reduce for|Can only build|Can only create new object)")


def _error_detail(err: BaseException) -> str:
    """The informative line of an exception message (torch wraps its reason in advice), or its type name."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Check the documentation", "Weights only load failed"))]
    if not lines:
        return type(err).__name__
    # torch follows some reasons with sentences of advice ("This is an internal miniz error. If you are ...")
    return re.split(r"(?<=[a-z])\. (?=[A-Z])", lines[-1])[0].rstrip(".")


def _unreadable(path: Path, err: BaseException) -> "CheckpointError":
    """The error for a file torch cannot read; a zip archive (torch's format) cut short says so."""
    try:
        with open(path, "rb") as file:
            zipped = file.read(4) == b"PK\x03\x04"
    except OSError:
        zipped = False
    hint = "; the zip archive is truncated or damaged (an interrupted save or download?)" if zipped else ""
    return CheckpointError(f"{path}: not a readable PyTorch checkpoint ({_error_detail(err)}){hint}")


class CheckpointError(TTSError, ValueError):
    """A checkpoint file is missing, corrupt, unsafe or does not match the model; the message names the file."""


def load_checkpoint_file(path: Union[str, Path], map_location: Union[str, torch.device] = "cpu") -> Dict[str, Any]:
    """Read a checkpoint without ever unpickling arbitrary objects.

    Parameters
    ----------
    path:
        A ``.pth`` file saved by the trainer (``{"config", "model", "optimizer", ...}``) or a bare
        state dict.
    map_location:
        Where tensors are placed.

    Returns
    -------
    The checkpoint as a dict; a bare state dict is wrapped as ``{"model": state_dict}``.

    Raises
    ------
    CheckpointError
        Missing file, not a checkpoint, a checkpoint that needs types outside the allow-list
        (such a file is refused, never loaded with full pickle), or weights with NaN or infinite
        values (saved by a diverged run: it would synthesise nothing, or train on garbage).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.stat().st_size == 0:
        raise CheckpointError(f"{path}: empty file, not a PyTorch checkpoint (an interrupted save?)")
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        refused = _UNSAFE_PICKLE.search(str(err))
        if refused:
            needs = f"it would load {refused.group(1)}" if refused.group(1) else _error_detail(err)
            raise CheckpointError(
                f"{path}: refused: the checkpoint holds Python objects that could run code when loaded ({needs}); "
                "only tensors and plain containers are accepted"
            ) from None
        raise _unreadable(path, err) from None
    except Exception as err:  # a corrupt file fails anywhere in the unpickler (EOFError, KeyError, IndexError, ...)
        raise _unreadable(path, err) from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"{path}: expected a dict checkpoint, got {type(checkpoint).__name__}")
    if "model" not in checkpoint and isinstance(checkpoint.get("generator"), dict):
        checkpoint = {**checkpoint, "model": checkpoint["generator"]}  # the official HiFi-GAN release layout
    if "model" not in checkpoint:
        if not all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
            raise CheckpointError(f"{path}: no 'model' entry (keys: {', '.join(map(str, checkpoint))})")
        checkpoint = {"model": checkpoint}
    state = checkpoint["model"]
    if not isinstance(state, dict):
        raise CheckpointError(
            f"{path}: the 'model' entry should be a state dict of tensors, got {type(state).__name__}"
        )
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise CheckpointError(
                f"{path}: the 'model' entry should be a state dict of tensors; {key!r} is {type(value).__name__}"
            )
    diverged = non_finite_tensors(state)
    if diverged:
        shown = ", ".join(diverged[:MAX_NAMED_TENSORS]) + (", ..." if len(diverged) > MAX_NAMED_TENSORS else "")
        raise CheckpointError(
            f"{path}: {len(diverged)} weight tensor(s) hold NaN or infinite values ({shown}): "
            "it was saved by a run whose loss diverged; take an earlier checkpoint"
        )
    return checkpoint


def non_finite_tensors(state: Dict[str, torch.Tensor]) -> List[str]:
    """Names of the floating-point tensors of a state dict that hold NaN or infinite values."""
    return [
        name for name, tensor in state.items() if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all())
    ]


@contextlib.contextmanager
def atomic_output(path: Union[str, Path]) -> Iterator[BinaryIO]:
    """Open ``path`` for writing so that it is replaced in one step, or not at all.

    The data goes to a hidden temporary file in the same folder, which is flushed to disk and moved
    over ``path`` with ``os.replace`` once the ``with`` block ends normally; an existing file keeps
    its permissions. On any exception (a full disk, Ctrl-C) the temporary file is removed and an
    existing ``path`` is left as it was. A symlink is followed (its target is replaced); a path that
    exists but is not a regular file (``/dev/stdout``, a named pipe) is written directly.

    Yields
    ------
    The binary file object to write to.

    Raises
    ------
    IsADirectoryError
        ``path`` ends with a path separator: it names a folder (``realpath`` would drop the separator and
        write, or replace, a file of the folder's name).
    """
    if os.fspath(path).endswith(tuple(sep for sep in (os.sep, os.altsep, "/") if sep)):
        raise IsADirectoryError(errno.EISDIR, "ends with a path separator, so it names a folder", os.fspath(path))
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "wb") as f:
            yield f
        return
    target = Path(os.path.realpath(path))
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    # 0o666 minus the umask, as a plain open() would give (mkstemp would make it 0o600)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if target.is_file():
            shutil.copymode(target, temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
