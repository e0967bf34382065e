"""Every one-line error class of the package derives from ``TTSError`` and keeps its standard base."""

import ast
from pathlib import Path

import pytest

from TTS.errors import TTSError

PACKAGE = Path(__file__).resolve().parents[2] / "TTS"
# control flow, not errors: a cancelled request and a full queue are answered, not reported
NOT_ERRORS = {"SynthesisCancelled", "QueueFull"}


def _exception_classes():
    """(module path, class name) of every class in the package whose name ends in Error."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                yield path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", "."), node.name


@pytest.mark.parametrize(("module", "name"), list(_exception_classes()))
def test_every_error_class_derives_from_tts_error(module, name):
    cls = getattr(__import__(module, fromlist=[name]), name)
    assert issubclass(cls, TTSError), f"{module}.{name} does not derive from TTSError"


def test_error_classes_keep_their_standard_base():
    from TTS.config import ConfigError
    from TTS.zoo.download import ModelDownloadError
    from TTS.utils.manage import ModelNotFoundError

    assert issubclass(ConfigError, ValueError)
    assert issubclass(ModelNotFoundError, LookupError)
    assert issubclass(ModelDownloadError, RuntimeError)
    with pytest.raises(ValueError, match="field x"):
        raise ConfigError("field x")


def test_there_are_error_classes_to_check():
    names = {name for _, name in _exception_classes()}
    assert {"ConfigError", "SynthesisError", "CheckpointError", "RequestError"} <= names
