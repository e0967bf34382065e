"""The package's layers: no module imports from a layer above its own, and ``config/`` imports nothing by string.

Layers, low to high (a module may import its own layer and the ones below):

0. leaf helpers: ``TTS.errors``, ``TTS.version``, ``TTS.config``, ``TTS.utils`` (audio, io, restore, ...), and
   ``TTS.vocoder.griffin_lim`` / ``TTS.vocoder.interface`` (numpy only: the AudioProcessor delegates Griffin-Lim there)
1. configs, text, datasets and the blocks of models: ``TTS.tts.configs``, ``TTS.tts.utils``, ``TTS.tts.layers``,
   ``TTS.tts.datasets``, and the same under ``TTS.vocoder`` (with Griffin-Lim)
2. models and the training glue: ``TTS.tts.models``, ``TTS.vocoder.models``, ``TTS.training``, ``TTS.model_configs``
3. ``TTS.inference`` (the Synthesizer) and ``TTS.zoo`` (the model registry, manager and downloads)
4. ``TTS.api`` and ``TTS.command_line`` (what ``tts`` and ``tts-server`` share)
5. ``TTS.server``
6. ``TTS.bin`` (the command-line entry points)

``TTS/__init__.py`` is the package root: it only registers the model configs (``TTS.model_configs``, layer 2,
which imports every config class and hands it to the loader in ``TTS.config.loader``).
The thin modules kept at Coqui's public paths (``TTS.utils.synthesizer``, ``TTS.utils.manage``) re-export a
higher layer for Coqui's users and are named in ``COMPAT_REEXPORTS``; nothing in the package imports them.
"""

import ast
from pathlib import Path
from typing import Iterator, Optional, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "TTS"
# (module prefix, layer), the longest matching prefix wins
LAYERS = (
    ("TTS.errors", 0),
    ("TTS.version", 0),
    ("TTS.tts", 1),  # the package inits, empty
    ("TTS.vocoder", 1),
    ("TTS.config", 0),
    ("TTS.utils", 0),
    ("TTS.tts.configs", 1),
    ("TTS.tts.utils", 1),
    ("TTS.tts.layers", 1),
    ("TTS.tts.datasets", 1),
    ("TTS.vocoder.configs", 1),
    ("TTS.vocoder.utils", 1),
    ("TTS.vocoder.layers", 1),
    ("TTS.vocoder.datasets", 1),
    ("TTS.vocoder.griffin_lim", 0),  # numpy algorithms the AudioProcessor delegates to: a leaf
    ("TTS.vocoder.interface", 0),  # the abstract Vocoder, no imports
    ("TTS.tts.models", 2),
    ("TTS.vocoder.models", 2),
    ("TTS.training", 2),
    ("TTS.model_configs", 2),
    ("TTS.inference", 3),
    ("TTS.zoo", 3),
    ("TTS.api", 4),
    ("TTS.command_line", 4),
    ("TTS.server", 5),
    ("TTS.bin", 6),
)
# Coqui's public import paths, kept as re-exports of the layer that now holds their code
COMPAT_REEXPORTS = {"TTS.utils.synthesizer", "TTS.utils.manage"}
ROOT = "TTS"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> Optional[int]:
    best = None
    for prefix, number in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, number)
    return None if best is None else best[1]


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, imported module) of every TTS import in ``path``, at any depth (inside functions too)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # "from TTS.x import y" may import the module TTS.x.y
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def package_files():
    return sorted(PACKAGE.rglob("*.py"))


def upward_imports():
    found = []
    for path in package_files():
        module = module_name(path)
        if module == ROOT or module in COMPAT_REEXPORTS:
            continue
        own = layer(module)
        assert own is not None, f"{module} is in no layer: add it to LAYERS"
        for line, target in imports(path):
            if not target.startswith("TTS."):
                continue
            target_layer = layer(target)
            if target in COMPAT_REEXPORTS:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports the compatibility path {target}")
            elif target_layer is not None and target_layer > own:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({own}) imports {target} ({target_layer})")
    return found


def test_no_module_imports_from_a_layer_above_it():
    assert upward_imports() == []


def test_every_module_has_a_layer():
    missing = [module_name(p) for p in package_files() if module_name(p) != ROOT and layer(module_name(p)) is None]
    assert missing == []


def test_config_imports_no_code_by_string():
    found = []
    for path in (PACKAGE / "config").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            if any(name.startswith("importlib") for name in names) or getattr(node, "module", None) == "importlib":
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} (__import__)")
    assert found == []


def test_the_server_imports_nothing_from_bin():
    found = [
        (path.name, target)
        for path in (PACKAGE / "server").rglob("*.py")
        for _, target in imports(path)
        if target.startswith("TTS.bin")
    ]
    assert found == []


def test_no_file_of_the_package_is_over_the_line_limit():
    long_files = {}
    for path in package_files():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            long_files[str(path.relative_to(PACKAGE.parent))] = count
    assert long_files == {}


@pytest.mark.parametrize(
    ("module", "expected"),
    [("TTS.utils.audio.processor", 0), ("TTS.tts.models.tacotron2", 2), ("TTS.bin.synthesize", 6), ("TTS.zoo", 3)],
)
def test_layer_lookup(module, expected):
    assert layer(module) == expected


def test_an_upward_import_is_found(tmp_path, monkeypatch):
    """The check reads imports inside functions and relative imports too."""
    source = "def f():\n    from TTS.api import TTS\n"
    fake = PACKAGE / "utils" / "_layering_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert [target for _, target in imports(fake)] == ["TTS.api"]
    assert layer("TTS.api") > layer(module_name(fake))
