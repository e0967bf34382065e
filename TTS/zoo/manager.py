"""The model zoo manager: names in the registry -> verified model folders in the local cache.

Cache layout (Coqui's, so folders downloaded by either tool look alike)::

    <cache>/tts_models--<lang>--<dataset>--<model>/
        model_file.pth | model_file.pth.tar | model.pth | checkpoint.pth
        config.json          paths inside pointed at this folder
        config.json.orig     the config exactly as released
        scale_stats.npy, speakers.json, ...   as released
        .complete            completion marker, written last

``<cache>`` is ``<output_prefix>/tts`` when given, else ``$TTS_HOME/tts``, else
``$XDG_DATA_HOME/tts``, else ``~/.local/share/tts``.

How a download stays safe:

1. Everything is fetched and unpacked into ``<cache>/.partial--<folder>--<host>--<pid>--<random>/``
   and verified there (HTTP status, Content-Length, sha256 when the registry gives one, zip CRCs,
   every zip member a plain file or folder inside the target, a model file and config.json present).
2. config.json is rewritten to local paths, then ``.complete`` is written (source, per-file sizes
   and sha256s, the registry entry) and the files are flushed to disk.
3. The staged folder is moved into place with one ``os.replace``.

A model folder without a valid ``.complete`` (an interrupted run of an older tool, a hand-made
copy, a file deleted or truncated since, a marker made for another model) is never used: it is
replaced by a fresh download, and when that fails the error says what is wrong with the folder.
config.json is the exception: it may be edited in place (the edit is used); an edit that left it
unreadable is an error naming the file, never a reason to replace it. A failure or Ctrl-C removes
the partial folder; one left by a killed process is never read and is deleted by the next download
on the same host once its process is gone.

A cached model is served from its folder and marker alone: no registry is read and no network
call is made.
"""

import difflib
import errno
import json
import logging
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Optional, Tuple, Union
from urllib.parse import unquote, urlparse


from TTS.zoo.cache import (
    CONFIG_FILE,
    FOREIGN_PARTIAL_MAX_AGE_S,
    MARKER_FILE,
    MARKER_FORMAT,
    MODEL_FILES,
    PARTIAL_PREFIX,
    _pid_alive,
    _sha256,
    default_cache_dir,
    folder_name,
    localize_config,
)
from TTS.zoo.download import (
    fetch_repo,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    ModelDownloadError,
    extract_zip,
    fetch_file,
    fetch_text,
    fsync_tree,
    make_session,
)
from TTS.zoo.registry import (
    ModelNotFoundError,
    package_data_file,
    EMBEDDED_MODELS_DIR,
    MODEL_TYPES,
    REGISTRY_PATH,
    RegistryError,
    iter_models,
    load_registry,
    parse_registry,
)

logger = logging.getLogger(__name__)

_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_HOST = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"


# What the CLI should catch to print one line instead of a traceback.
MANAGER_ERRORS = (RegistryError, ModelNotFoundError, ModelDownloadError)


class ModelManager:
    """Lists the registry's models and downloads them into the cache, safely.

    Parameters
    ----------
    models_file:
        Registry to use. Default: ``$TTS_MODELS_FILE`` (a path or an http(s) URL), else the
        packaged ``.models.json``. Read only when a registry answer is needed.
    output_prefix:
        Cache root; models go to ``<output_prefix>/tts``. Default: see ``default_cache_dir``.
    progress_bar:
        Show download progress on stderr.
    retries:
        Transport retries per request (connection errors, 5xx), with exponential back-off.
    timeout:
        (connect, read) seconds per request.
    """

    def __init__(
        self,
        models_file: Union[str, Path, None] = None,
        output_prefix: Union[str, Path, None] = None,
        progress_bar: bool = True,
        *,
        retries: int = DEFAULT_RETRIES,
        timeout: Tuple[float, float] = DEFAULT_TIMEOUT,
    ):
        self.models_file = str(models_file or os.environ.get("TTS_MODELS_FILE") or REGISTRY_PATH)
        self.output_prefix = Path(output_prefix).expanduser() / "tts" if output_prefix else default_cache_dir()
        self._output_prefix_given = bool(output_prefix)
        self.progress_bar = progress_bar
        self.timeout = timeout
        self._retries = retries
        self._registry: Optional[Dict[str, Any]] = None
        self._session = None

    # ----- registry ---------------------------------------------------------------------------

    @property
    def _http(self):
        """The retrying requests session, made on first use."""
        if self._session is None:
            self._session = make_session(retries=self._retries)
        return self._session

    @property
    def registry(self) -> Dict[str, Any]:
        """The validated registry, read on first use."""
        if self._registry is None:
            if re.match(r"^https?://", self.models_file):
                text = fetch_text(self.models_file, session=self._http, timeout=self.timeout)
                self._registry = parse_registry(text, self.models_file)
            else:
                self._registry = load_registry(Path(self.models_file).expanduser())
        return self._registry

    def list_models(self, model_type: Optional[str] = None) -> List[str]:
        """Registry names (``<type>/<lang>/<dataset>/<model>``), optionally of one type only."""
        if model_type is not None and model_type not in MODEL_TYPES:
            raise ValueError(f"model_type must be one of {', '.join(MODEL_TYPES)}, got {model_type!r}")
        return [
            name for name, _ in iter_models(self.registry) if model_type is None or name.startswith(model_type + "/")
        ]

    def list_tts_models(self) -> List[str]:
        """Coqui's name for ``list_models("tts_models")``."""
        return self.list_models("tts_models")

    def list_vocoder_models(self) -> List[str]:
        """Coqui's name for ``list_models("vocoder_models")``."""
        return self.list_models("vocoder_models")

    def list_models_info(self, model_type: Optional[str] = None) -> List[Dict[str, Any]]:
        """``model_info_by_name`` of every model: entry fields plus ``downloaded`` and ``path``."""
        return [self.model_info_by_name(name) for name in self.list_models(model_type)]

    def model_info_by_name(self, model_name: str) -> Dict[str, Any]:
        """The registry entry of ``model_name`` plus ``model_name``, ``model_type``, ``downloaded``, ``path``.

        Raises
        ------
        ModelNotFoundError
            The name is not in the registry; the message lists the closest names.
        """
        entry = self._entry(model_name)
        if "embedded" in entry:
            folder = self._embedded_folder(entry)
            return {**entry, "downloaded": True, "path": str(folder)}
        folder = self.output_prefix / folder_name(model_name)
        downloaded = self._read_marker(folder) is not None
        return {**entry, "downloaded": downloaded, "path": str(folder) if downloaded else None}

    def _embedded_folder(self, entry: Dict[str, Any]) -> Path:
        """The package folder of an ``embedded`` entry (``TTS/.models/<name>``)."""
        return EMBEDDED_MODELS_DIR / entry["embedded"]

    def _embedded_files(self, entry: Dict[str, Any]) -> Tuple[Path, Path, Dict[str, Any]]:
        folder = self._embedded_folder(entry)
        config = folder / CONFIG_FILE
        if "package_file" in entry:  # config here, weights in an installed package
            return package_data_file(entry["package_file"], entry["model_name"]), config, entry
        model_files = [folder / name for name in MODEL_FILES if (folder / name).is_file()]
        if not config.is_file() or not model_files:
            raise ModelNotFoundError(
                f"{entry['model_name']} is registered as shipped with the package, but {folder} has no "
                f"{' / '.join(MODEL_FILES)} and {CONFIG_FILE}; reinstall the package"
            )
        return model_files[0], config, entry

    def _entry(self, model_name: str) -> Dict[str, Any]:
        entries = dict(iter_models(self.registry))
        if model_name not in entries:
            raise ModelNotFoundError(self._not_found_message(model_name, list(entries)))
        return {**entries[model_name], "model_name": model_name, "model_type": model_name.split("/")[0]}

    def _not_found_message(self, model_name: str, names: List[str]) -> str:
        lowered = {name.lower(): name for name in names}
        close = [lowered[n] for n in difflib.get_close_matches(model_name.lower(), list(lowered), n=3, cutoff=0.6)]
        if not close:  # a bare model or dataset name: match on the last parts
            close = [name for name in names if model_name.lower() in name.lower()][:3]
        hint = f"; closest: {', '.join(close)}" if close else f"; see `tts --list_models` ({len(names)} models)"
        return f"model {model_name!r} is not in the registry {self.models_file}{hint}"

    # ----- cache ------------------------------------------------------------------------------

    def _folder(self, model_name: str) -> Path:
        """The cache folder of a well-formed name (one that cannot escape the cache)."""
        parts = model_name.split("/")
        if len(parts) != 4 or parts[0] not in MODEL_TYPES or not all(_NAME_PART.match(p) for p in parts[1:]):
            raise ModelNotFoundError(self._not_found_message(model_name, self.list_models()))
        return self.output_prefix / folder_name(model_name)

    def _read_marker(self, folder: Path) -> Optional[Dict[str, Any]]:
        """The completion marker of ``folder`` when the folder is complete and usable, else None."""
        return self._check_folder(folder)[0]

    def _check_folder(self, folder: Path) -> Tuple[Optional[Dict[str, Any]], Optional[str]]:
        """``(marker, None)`` for a complete folder, else ``(None, what is wrong)``.

        Complete: a valid marker made for this folder's model, every listed file present with its
        size. config.json may differ from its recorded size when it still parses (an edit).
        """
        try:
            marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, f"no completion marker {MARKER_FILE}"
        except (OSError, ValueError) as err:
            return None, f"unreadable completion marker {MARKER_FILE} ({err})"
        try:
            if marker.get("format") != MARKER_FORMAT:
                return None, f"completion marker of format {marker.get('format')!r}, not {MARKER_FORMAT}"
            if not isinstance(marker["model_item"], dict):
                return None, f"damaged completion marker {MARKER_FILE} (no registry entry)"
            if folder_name(marker["model_name"]) != folder.name:
                return None, f"its completion marker is for {marker['model_name']}"
            if marker["model_file"] not in marker["files"] or CONFIG_FILE not in marker["files"]:
                return None, f"completion marker {MARKER_FILE} lists no model file or no {CONFIG_FILE}"
            for relative, record in marker["files"].items():
                path = folder / relative
                if not path.is_file():
                    return None, f"{relative} is missing"
                size = path.stat().st_size
                if size != record["size"] and relative != CONFIG_FILE:
                    return None, f"{relative} has {size} bytes, the download had {record['size']}"
        except (OSError, KeyError, TypeError, AttributeError) as err:
            return None, f"damaged completion marker {MARKER_FILE} ({type(err).__name__}: {err})"
        return marker, None

    def is_downloaded(self, model_name: str) -> bool:
        """True when the model's folder is complete (valid marker, every file present with its size)."""
        return self._read_marker(self.output_prefix / folder_name(model_name)) is not None

    def _cached(self, folder: Path) -> Optional[Tuple[Path, Path, Dict[str, Any]]]:
        marker = self._read_marker(folder)
        if marker is None:
            return None
        config = folder / CONFIG_FILE
        if config.stat().st_size != marker["files"][CONFIG_FILE]["size"]:  # edited: use it if it still reads
            try:
                json.loads(config.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as err:
                raise ModelDownloadError(
                    f"{config} was changed since the download and is no longer valid JSON ({err}); "
                    f"fix it, or delete the folder {folder} to download {marker['model_name']} again"
                ) from None
            logger.info("%s: using the edited %s", marker["model_name"], config)
        return folder / marker["model_file"], config, marker["model_item"]

    # ----- download ---------------------------------------------------------------------------

    def download_model(self, model_name: str) -> Tuple[Path, Path, Dict[str, Any]]:
        """Return the model file, config.json and registry entry of ``model_name``, downloading it when needed.

        A complete cached copy is returned without reading the registry or touching the network.

        Returns
        -------
        (model_path, config_path, model_item): the checkpoint (``model_file.pth`` or one of the other
        released names), the config with paths pointed at the folder, and the registry entry with
        ``model_name`` and ``model_type`` added.

        Raises
        ------
        ModelNotFoundError
            The name is not in the registry.
        ModelDownloadError
            The download failed or did not verify; the message names the URL. Nothing is left
            in the cache that could later pass for the model.
        RegistryError
            The registry is unreadable or invalid.
        """
        folder = self._folder(model_name)
        cached = self._cached(folder)
        if cached is not None:
            logger.info("%s: using the cached copy in %s", model_name, folder)
            return cached
        entry = self._entry(model_name)
        if "embedded" in entry:  # shipped in the package: nothing to download or cache
            return self._embedded_files(entry)
        problem = self._check_folder(folder)[1] if folder.exists() or folder.is_symlink() else None
        if problem:
            logger.warning(
                "%s: %s is incomplete (%s); it will be replaced by a fresh download", model_name, folder, problem
            )
        where = (
            f"{model_name}: the copy in {folder} is not usable ({problem}) and was left as it is"
            if problem
            else f"{model_name} is not in the model cache {self.output_prefix}"
        )
        try:
            self.output_prefix.mkdir(parents=True, exist_ok=True)
            self._remove_stale_partials()
            work = self._new_partial(folder.name)
        except OSError as err:
            raise ModelDownloadError(
                f"cannot create a folder in the model cache {self.output_prefix} ({err.strerror or err})"
                + self._cache_hint()
            ) from None
        try:
            staged = work / "model"
            staged.mkdir()
            try:
                sources = self._fetch(entry, work, staged)
                marker = self._finish_folder(staged, folder, entry, sources)
            except ModelDownloadError as err:
                raise ModelDownloadError(f"{err} ({where})") from None
            except OSError as err:  # disk full or a folder turned read-only while the files were written
                raise ModelDownloadError(
                    f"could not write the download into {work}: {err.strerror or err} ({where})" + self._cache_hint()
                ) from None
            try:
                self._commit(staged, folder)
            except OSError as err:
                raise ModelDownloadError(
                    f"could not move the download into {folder}: {err.strerror or err}" + self._cache_hint()
                ) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info("%s: downloaded into %s", model_name, folder)
        return folder / marker["model_file"], folder / CONFIG_FILE, entry

    def _fetch(self, entry: Dict[str, Any], work: Path, staged: Path) -> Dict[str, Any]:
        """Download the entry's files into ``staged``; return what the marker records as the source."""
        if "repo_id" in entry:
            return self._fetch_repo(entry, work, staged)
        urls = entry["github_rls_url"]
        digests = entry.get("sha256", {})
        if isinstance(urls, str):
            archive = work / "download.zip"
            digest = fetch_file(
                urls,
                archive,
                session=self._http,
                timeout=self.timeout,
                expected_sha256=digests.get(urls),
                progress_bar=self.progress_bar,
            )
            extract_zip(archive, staged, source=urls)
            archive.unlink()
            return {"urls": {urls: digest}}
        fetched = {}
        for url in urls:
            name = unquote(PurePosixPath(urlparse(url).path).name)
            if not _NAME_PART.match(name) or (staged / name).exists():
                raise ModelDownloadError(f"{url}: cannot store it as {name!r} (unsafe or repeated file name)")
            fetched[url] = fetch_file(
                url,
                staged / name,
                session=self._http,
                timeout=self.timeout,
                expected_sha256=digests.get(url),
                progress_bar=self.progress_bar,
            )
        return {"urls": fetched}

    def _fetch_repo(self, entry: Dict[str, Any], work: Path, staged: Path) -> Dict[str, Any]:
        return fetch_repo(entry, work, staged, timeout=self.timeout, progress_bar=self.progress_bar)

    def _finish_folder(
        self, staged: Path, folder: Path, entry: Dict[str, Any], sources: Dict[str, Any]
    ) -> Dict[str, Any]:
        """Check the staged files, localise config.json, then write the marker (last)."""
        source = next(iter(sources.get("urls", {})), None) or sources.get("repo_id")
        links = [str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_symlink()]
        if links:
            raise ModelDownloadError(f"{source}: refused: the download holds links ({', '.join(links)})")
        candidates = [name for name in MODEL_FILES if (staged / name).is_file()]
        model_file = candidates[0] if candidates else None
        if len(candidates) > 1:
            logger.warning(
                "%s: the download holds %s; using %s (the first of %s)",
                source,
                " and ".join(candidates),
                model_file,
                ", ".join(MODEL_FILES),
            )
        if model_file is None or not (staged / CONFIG_FILE).is_file():
            found = ", ".join(sorted(p.name for p in staged.iterdir())) or "nothing"
            raise ModelDownloadError(
                f"{source}: expected {CONFIG_FILE} and one of {', '.join(MODEL_FILES)} at the top level, found: {found}"
            )
        changed = localize_config(staged, folder, source=source)
        if changed:
            logger.info("config.json: pointed %s at %s", ", ".join(changed), folder)
        files = {}
        for path in sorted(p for p in staged.rglob("*") if p.is_file()):
            files[path.relative_to(staged).as_posix()] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        marker = {
            "format": MARKER_FORMAT,
            "model_name": entry["model_name"],
            "source": sources,
            "model_file": model_file,
            "files": files,
            "model_item": entry,
            "completed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        fsync_tree(staged)
        _write_synced(staged / MARKER_FILE, json.dumps(marker, indent=2, ensure_ascii=False))
        return marker

    def _commit(self, staged: Path, folder: Path) -> None:
        """Move the staged folder into place atomically, replacing an incomplete folder there."""
        for _ in range(3):
            if folder.exists() or folder.is_symlink():
                if self._read_marker(folder) is not None:
                    logger.info("%s was completed by another process meanwhile; using that copy", folder)
                    return
                trash = self._new_partial(folder.name)
                try:
                    os.replace(folder, trash / "old")
                except FileNotFoundError:  # another process moved it away first
                    pass
                shutil.rmtree(trash, ignore_errors=True)
            try:
                os.replace(staged, folder)
                return
            except OSError as err:  # another process put a folder there between the two steps
                if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise ModelDownloadError(f"could not move the download into {folder}: the folder keeps being recreated")

    def _new_partial(self, name: str) -> Path:
        return Path(
            tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{name}--{_HOST}--{os.getpid()}--", dir=self.output_prefix)
        )

    def _cache_hint(self) -> str:
        """Where the cache folder comes from and how to choose another, for error messages."""
        if self._output_prefix_given:
            return "; pass a writable output_prefix"
        for variable in ("TTS_HOME", "XDG_DATA_HOME"):
            if os.environ.get(variable):
                return f"; it comes from {variable}={os.environ[variable]}: set TTS_HOME to a writable folder"
        return "; set TTS_HOME to a writable folder"

    def _remove_stale_partials(self) -> None:
        """Delete partial folders whose process is gone (same host) or that are a week old (other hosts)."""
        for path in self.output_prefix.glob(PARTIAL_PREFIX + "*"):
            try:
                _, host, pid, _ = path.name[len(PARTIAL_PREFIX) :].rsplit("--", 3)
                stale = (host == _HOST and not _pid_alive(int(pid))) or (
                    host != _HOST and time.time() - path.stat().st_mtime > FOREIGN_PARTIAL_MAX_AGE_S
                )
            except (ValueError, OSError):
                continue
            if stale:
                logger.info("removing %s, left by an interrupted download", path)
                shutil.rmtree(path, ignore_errors=True)


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
