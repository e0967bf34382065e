"""Safe checkpoint reading: ``torch.load(weights_only=True)`` only, with clear errors naming the file."""

import collections
import logging
import pickle
import zipfile
from pathlib import Path
from typing import Any, Dict, Union

import torch

logger = logging.getLogger(__name__)

# Harmless types that checkpoints written by Coqui's trainer carry besides tensors and
# plain containers (optimizer state uses defaultdict). Nothing here can run code.
SAFE_GLOBALS = [collections.defaultdict, collections.OrderedDict, dict, list]


class CheckpointError(ValueError):
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
        Missing file, not a checkpoint, or a checkpoint that needs types outside the allow-list
        (such a file is refused, never loaded with full pickle).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise CheckpointError(
            f"{path}: refused: the checkpoint holds Python objects that could run code when loaded; only tensors "
            f"and plain containers are accepted ({str(err).splitlines()[0]})"
        ) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as err:
        raise CheckpointError(f"{path}: not a readable PyTorch checkpoint ({str(err).splitlines()[0]})") from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"{path}: expected a dict checkpoint, got {type(checkpoint).__name__}")
    if "model" not in checkpoint:
        if all(isinstance(v, torch.Tensor) for v in checkpoint.values()):
            return {"model": checkpoint}
        raise CheckpointError(f"{path}: no 'model' entry (keys: {', '.join(map(str, checkpoint))})")
    return checkpoint
