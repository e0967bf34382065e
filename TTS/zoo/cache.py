"""The model cache's layout: folder names, the files a model folder holds, and config.json localisation.

See ``TTS.zoo.manager`` for how a download fills a folder safely.
"""

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, List, Optional

from TTS.zoo.download import ModelDownloadError

MODEL_FILES = ("model_file.pth", "model_file.pth.tar", "model.pth", "checkpoint.pth")
CONFIG_FILE = "config.json"
ORIGINAL_CONFIG_FILE = "config.json.orig"
MARKER_FILE = ".complete"
MARKER_FORMAT = 1
PARTIAL_PREFIX = ".partial--"
# Partial folders of another host sharing the cache are only removed when this old.
FOREIGN_PARTIAL_MAX_AGE_S = 7 * 24 * 3600
# Speaker tables Coqui releases ship under either name.
SPEAKER_TABLES = ("speakers.json", "speaker_ids.json")


def default_cache_dir() -> Path:
    """``$TTS_HOME/tts``, else ``$XDG_DATA_HOME/tts``, else ``~/.local/share/tts``."""
    for variable in ("TTS_HOME", "XDG_DATA_HOME"):
        if os.environ.get(variable):
            return Path(os.environ[variable]).expanduser() / "tts"
    return Path.home() / ".local" / "share" / "tts"


def folder_name(model_name: str) -> str:
    """``tts_models/en/ljspeech/tacotron2-DDC`` -> ``tts_models--en--ljspeech--tacotron2-DDC``."""
    return model_name.replace("/", "--")


def localize_config(staged: Path, folder: Path, *, source: Optional[str] = None) -> List[str]:
    """Point file paths inside ``staged/config.json`` at ``folder``; keep the original as ``config.json.orig``.

    A string is a path to rewrite when its key ends in ``_path``/``_file`` or it contains a path
    separator, and its last component names a file shipped in the folder (``stats_path`` ->
    ``scale_stats.npy``, ``speakers_file`` -> ``speakers.json``, ``d_vector_file``, ...). A
    ``speakers_file`` whose file is not shipped under its own name is pointed at the one speaker
    table the folder has (``speakers.json`` or ``speaker_ids.json``).

    Returns
    -------
    The dotted keys that were changed (config.json is left as released when there are none).

    Raises
    ------
    ModelDownloadError
        config.json is not UTF-8 JSON holding an object; the message names ``source``.
    """
    config_path = staged / CONFIG_FILE
    origin = f"{source}: {CONFIG_FILE}" if source else f"{CONFIG_FILE} of the download"
    released = config_path.read_bytes()
    try:
        config = json.loads(released.decode("utf-8-sig"))  # a byte-order mark is allowed, as elsewhere
    except UnicodeDecodeError as err:
        raise ModelDownloadError(f"{origin} is not UTF-8 text (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise ModelDownloadError(f"{origin} is not valid JSON: {err}") from None
    if not isinstance(config, dict):
        raise ModelDownloadError(f"{origin} must hold a JSON object of settings, got {type(config).__name__}")
    shipped = {p.name for p in staged.iterdir() if p.is_file()} - {CONFIG_FILE, MARKER_FILE}
    tables = [name for name in SPEAKER_TABLES if name in shipped]
    changed: List[str] = []

    def local(key: str, value: str) -> Optional[str]:
        base = re.split(r"[\\/]", value)[-1]
        if base in shipped and (("/" in value or "\\" in value) or key.endswith(("_path", "_file"))):
            target = str(folder / base)
        elif key == "speakers_file" and value and len(tables) == 1:
            target = str(folder / tables[0])
        else:
            return None
        return target if target != value else None

    def walk(node: Any, dotted: str, key: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{dotted}.{k}" if dotted else k, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{dotted}[{i}]", key) for i, v in enumerate(node)]
        if isinstance(node, str):
            new = local(key, node)
            if new is not None:
                changed.append(dotted)
                return new
        return node

    localized = walk(config, "", "")
    (staged / ORIGINAL_CONFIG_FILE).write_bytes(released)
    if changed:
        config_path.write_text(json.dumps(localized, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
