"""Checked HTTP downloads and zip extraction for the model zoo.

Every step refuses rather than guesses: a transfer is checked against its HTTP status,
its ``Content-Length`` and (when the registry gives one) its sha256; a zip is tested
before anything is written, and every member must be a plain file or folder that lands
inside the target folder (no absolute paths, ``..``, drive letters, links or devices).
Failures raise ``ModelDownloadError`` with one line naming the URL and the reason.
"""

import hashlib
import logging
import os
import shutil
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Optional, Tuple

import requests
from requests.adapters import HTTPAdapter
from tqdm.auto import tqdm
from urllib3.exceptions import LocationValueError
from urllib3.util.retry import Retry

from TTS.errors import TTSError

logger = logging.getLogger(__name__)

# (connect, read) seconds: the read timeout bounds the silence between two chunks, not the whole transfer.
DEFAULT_TIMEOUT = (10.0, 60.0)
DEFAULT_RETRIES = 3
RETRY_BACKOFF_S = 0.5
RETRY_STATUSES = (500, 502, 503, 504)
CHUNK_BYTES = 1 << 20
# Archive folders some zip tools add that hold no model files.
IGNORED_ZIP_FOLDERS = ("__MACOSX",)
# How a web page starts: what a captive portal or an error page sent with status 200 looks like.
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<?xml")


class ModelDownloadError(TTSError, RuntimeError):
    """A model could not be fetched, verified or unpacked; the message names the URL and the reason."""


def make_session(*, retries: int = DEFAULT_RETRIES) -> requests.Session:
    """A session that retries connection errors, read errors before the body and 5xx answers (GET/HEAD)."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=("GET", "HEAD"),
        backoff_factor=RETRY_BACKOFF_S,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _reason(err: BaseException) -> str:
    """One readable line for a requests error (they wrap urllib3 errors wrapping socket errors)."""
    inner: BaseException = err
    while True:  # requests error -> urllib3 MaxRetryError/ProtocolError -> the socket-level cause
        if inner.args and isinstance(inner.args[0], BaseException):
            inner = inner.args[0]
        elif isinstance(getattr(inner, "reason", None), BaseException):
            inner = inner.reason
        else:
            break
    text = inner.args[0] if inner.args and isinstance(inner.args[0], str) else str(inner)
    return f"{type(err).__name__}: {text.splitlines()[0] if text else type(inner).__name__}"


def fetch_text(url: str, *, session: requests.Session, timeout: Tuple[float, float] = DEFAULT_TIMEOUT) -> str:
    """GET a small text document (a registry), raising ``ModelDownloadError`` naming the URL."""
    try:
        response = session.get(url, timeout=timeout)
    except (requests.RequestException, LocationValueError) as err:
        raise ModelDownloadError(f"could not fetch {url}: {_reason(err)}") from None
    if response.status_code != 200:
        raise ModelDownloadError(f"could not fetch {url}: HTTP {response.status_code} {response.reason}")
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ModelDownloadError(f"could not fetch {url}: not UTF-8 text ({err})") from None


def fetch_file(
    url: str,
    destination: Path,
    *,
    session: requests.Session,
    timeout: Tuple[float, float] = DEFAULT_TIMEOUT,
    expected_sha256: Optional[str] = None,
    progress_bar: bool = True,
) -> str:
    """Stream ``url`` into ``destination`` (a new file) and verify it.

    Parameters
    ----------
    url:
        http(s) URL; redirects are followed.
    destination:
        File to create; on any failure it is deleted.
    session:
        From ``make_session``: transport retries happen there.
    timeout:
        (connect, read) seconds.
    expected_sha256:
        Lowercase hex digest the bytes must have, or None.
    progress_bar:
        Show a tqdm bar on stderr.

    Returns
    -------
    The sha256 hex digest of the file.

    Raises
    ------
    ModelDownloadError
        Connection failure, non-200 status, a body shorter or longer than ``Content-Length``
        (a dropped connection), or a digest mismatch.
    """
    digest = hashlib.sha256()
    received = 0
    expected_bytes = None
    try:
        with session.get(url, stream=True, timeout=timeout, headers={"Accept-Encoding": "identity"}) as response:
            if response.status_code != 200:
                raise ModelDownloadError(f"could not download {url}: HTTP {response.status_code} {response.reason}")
            length = response.headers.get("Content-Length")
            expected_bytes = int(length) if length and length.isascii() and length.isdigit() else None  # not "²"
            _check_room(url, destination.parent, expected_bytes)
            with (
                open(destination, "xb") as out,
                tqdm(
                    total=expected_bytes,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=PurePosixPath(url).name[:40],
                    disable=not progress_bar,
                    leave=False,
                ) as bar,
            ):
                for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
                    if received == 0:
                        _refuse_web_page(url, response.headers.get("Content-Type", ""), chunk)
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if expected_bytes is not None and received != expected_bytes:
            raise ModelDownloadError(
                f"could not download {url}: received {received} of {expected_bytes} bytes (the connection was cut)"
            )
    except (requests.RequestException, LocationValueError) as err:  # RequestException is an OSError: first
        destination.unlink(missing_ok=True)
        cut = f" (the transfer broke off: {received} of {expected_bytes} bytes written)" if expected_bytes else ""
        raise ModelDownloadError(f"could not download {url}{cut}: {_reason(err)}") from None
    except OSError as err:  # the file itself: disk full, folder not writable
        destination.unlink(missing_ok=True)
        raise ModelDownloadError(
            f"could not download {url}: cannot write {destination}: {err.strerror or err}"
        ) from None
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    actual = digest.hexdigest()
    if expected_sha256 is not None and actual != expected_sha256:
        destination.unlink(missing_ok=True)
        raise ModelDownloadError(
            f"{url}: sha256 mismatch: the registry expects {expected_sha256}, the download has {actual} "
            f"(corrupt transfer or a changed release)"
        )
    return actual


def _check_room(url: str, folder: Path, expected_bytes: Optional[int]) -> None:
    """Refuse a download whose announced size does not fit on the disk of ``folder``."""
    if expected_bytes is None:
        return
    free = shutil.disk_usage(folder).free
    if expected_bytes > free:
        raise ModelDownloadError(
            f"could not download {url}: the server announces {expected_bytes / 1e9:.2f} GB, "
            f"only {free / 1e9:.2f} GB free in {folder}"
        )


def _refuse_web_page(url: str, content_type: str, first_chunk: bytes) -> None:
    """Refuse an HTML page sent instead of the file (a captive portal or an error page with status 200)."""
    if url.lower().endswith((".html", ".htm")):
        return
    looks_like_html = first_chunk[:256].lstrip().lower().startswith(HTML_STARTS)
    if content_type.split(";")[0].strip().lower() == "text/html" or looks_like_html:
        raise ModelDownloadError(
            f"could not download {url}: the server sent a web page instead of the file "
            f"(a network login page, a proxy or an error page?)"
        )


def _member_problem(info: zipfile.ZipInfo) -> Optional[str]:
    """Why a zip member may not be extracted, or None when it is a plain file or folder with a relative path."""
    name = info.filename
    if not name or "\x00" in name:
        return "empty or NUL in name"
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if any(part == ".." for part in parts):
        return "'..' in path"
    # The high 16 bits carry the Unix mode (file type included) when the archiver recorded one.
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "symbolic link" if stat.S_ISLNK(mode) else "link or special file"
    return None


def _strip_prefix(names: List[str]) -> str:
    """The folders every member lives under (``"name/"``, ``"outer/name/"``), or ``""``.

    A model folder has files at its top, so folders holding nothing but one folder are all stripped.
    """
    prefix = ""
    names = [name.replace("\\", "/") for name in names]
    while True:
        rest = [name[len(prefix) :] for name in names if name[len(prefix) :].strip("/")]
        tops = {name.split("/", 1)[0] for name in rest}
        if len(tops) != 1 or not all("/" in name for name in rest):
            return prefix
        prefix += tops.pop() + "/"


def extract_zip(archive: Path, target: Path, *, source: str) -> List[str]:
    """Extract a verified zip into the empty folder ``target``, flattening a single top-level folder.

    Parameters
    ----------
    archive:
        The zip file.
    target:
        An existing empty folder.
    source:
        URL the archive came from, used in error messages.

    Returns
    -------
    The extracted file paths, relative to ``target``.

    Raises
    ------
    ModelDownloadError
        Not a zip, a member failing its CRC, or a member that is not a plain file/folder with a
        relative path inside ``target``; nothing is extracted in those cases.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ModelDownloadError(f"{source}: corrupt zip: member {bad!r} fails its CRC check")
            infos = [
                info
                for info in zf.infolist()
                if info.filename.replace("\\", "/").split("/", 1)[0] not in IGNORED_ZIP_FOLDERS
            ]
            for info in infos:
                problem = _member_problem(info)
                if problem:
                    raise ModelDownloadError(
                        f"{source}: unsafe zip member {info.filename!r} ({problem}); nothing was extracted"
                    )
            needed = sum(info.file_size for info in infos)
            free = shutil.disk_usage(target).free
            if needed > free:
                raise ModelDownloadError(
                    f"{source}: unpacking needs {needed / 1e9:.2f} GB, only {free / 1e9:.2f} GB free in {target}"
                )
            prefix = _strip_prefix([info.filename for info in infos])
            root = target.resolve()
            extracted = []
            for info in infos:
                relative = info.filename.replace("\\", "/")[len(prefix) :].strip("/")
                if not relative:
                    continue
                path = (root / relative).resolve()
                if root not in path.parents:
                    raise ModelDownloadError(f"{source}: zip member {info.filename!r} points outside the model folder")
                if info.is_dir():
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(path, "xb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK_BYTES)
                extracted.append(relative)
    except FileExistsError as err:
        raise ModelDownloadError(f"{source}: zip holds {Path(err.filename).name!r} twice") from None
    except OSError as err:
        raise ModelDownloadError(f"{source}: could not unpack into {target}: {err}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as err:
        raise ModelDownloadError(f"{source}: not a readable zip archive ({err})") from None
    return extracted


def fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to disk, so a completed download survives a power cut."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


class _QuietTqdm(tqdm):
    """A progress bar that never shows, for huggingface_hub when bars are off."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("name", None)
        kwargs["disable"] = True
        super().__init__(*args, **kwargs)


def fetch_repo(
    entry: Dict[str, Any], work: Path, staged: Path, *, timeout: Tuple[float, float], progress_bar: bool
) -> Dict[str, Any]:
    """Download the Hugging Face repository of a registry ``entry`` into ``staged``; return its source record."""
    # Imported here: huggingface_hub pulls in httpx and friends, which only repo_id downloads need.
    import huggingface_hub
    from huggingface_hub import constants as hub_constants  # a submodule: not an attribute until imported

    endpoint = (os.environ.get("HF_ENDPOINT") or hub_constants.ENDPOINT).rstrip("/")
    revision = entry.get("revision")
    url = f"{endpoint}/{entry['repo_id']}" + (f"/tree/{revision}" if revision else "")
    try:
        huggingface_hub.snapshot_download(
            entry["repo_id"],
            revision=revision,
            local_dir=staged,
            cache_dir=work / "hf-cache",
            allow_patterns=entry.get("allow"),
            ignore_patterns=entry.get("ignore"),
            endpoint=endpoint,
            etag_timeout=timeout[1],
            tqdm_class=None if progress_bar else _QuietTqdm,
        )
    except Exception as err:  # noqa: BLE001 -- huggingface_hub raises httpx, OSError and its own error types
        while err.__cause__ is not None:  # huggingface_hub wraps the HTTP error in a cache-lookup error
            err = err.__cause__
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise ModelDownloadError(f"could not download {url}: {type(err).__name__}: {reason}") from None
    shutil.rmtree(staged / ".cache", ignore_errors=True)  # huggingface_hub's local_dir bookkeeping
    return {"repo_id": entry["repo_id"], "revision": revision, "endpoint": endpoint}
