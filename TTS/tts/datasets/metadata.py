"""Reading corpus metadata: the formatter registry, the errors of a metadata file, and the line readers the
formatters of ``TTS.tts.datasets.formatters`` share.
"""

import codecs
import logging
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from TTS.errors import TTSError

logger = logging.getLogger("TTS.tts.datasets.formatters")  # the formatters' warnings, as before

Sample = Dict[str, Any]
Formatter = Callable[..., List[Sample]]

FORMATTERS: Dict[str, Formatter] = {}
MAX_LOGGED_NAMES = 5  # file names quoted in a warning about many files


class MetadataError(TTSError, ValueError):
    """A metadata file is malformed; the message names the file and the line."""


class NoSamplesError(MetadataError):
    """A metadata file gives no samples (empty, or every sample ignored); the message names the file."""


def register_formatter(name: str) -> Callable[[Formatter], Formatter]:
    """Decorator adding a formatter to ``FORMATTERS`` under ``name`` (case-insensitive).

    Examples
    --------
    >>> @register_formatter("my_corpus")  # doctest: +SKIP
    ... def my_corpus(root_path, meta_file, ignored_speakers=None): ...
    """
    key = name.lower()

    def decorator(fn: Formatter) -> Formatter:
        if key in FORMATTERS:
            raise ValueError(
                f"formatter {key!r} is already registered ({FORMATTERS[key].__module__}.{FORMATTERS[key].__name__})"
            )
        FORMATTERS[key] = fn
        return fn

    return decorator


def get_formatter(name: str) -> Formatter:
    """Return the formatter registered as ``name``; an unknown name raises ``KeyError`` listing the known ones."""
    try:
        return FORMATTERS[name.lower()]
    except KeyError:
        raise KeyError(f"unknown formatter {name!r}; known formatters: {', '.join(sorted(FORMATTERS))}") from None


# ---------------------------------------------------------------------------- helpers


def make_sample(
    *,
    text: str,
    audio_file: str,
    speaker_name: str,
    root_path: str,
    metadata_file: str,
    metadata_line: int,
    **extra: Any,
) -> Sample:
    """Build a sample dict with absolute paths and the ``audio_unique_name`` derived from them."""
    root = os.path.abspath(root_path)
    audio = os.path.abspath(audio_file)
    sample = {
        "text": text,
        "audio_file": audio,
        "speaker_name": speaker_name,
        "root_path": root,
        "audio_unique_name": os.path.splitext(os.path.relpath(audio, root))[0],
        "metadata_file": os.path.abspath(metadata_file),
        "metadata_line": metadata_line,
    }
    sample.update({key: value for key, value in extra.items() if value is not None})
    return sample


def metadata_path(root_path: str, meta_file: str, default: Optional[str], formatter: str) -> str:
    """Resolve ``meta_file`` (``default`` when empty) against ``root_path`` and check that it exists."""
    name = meta_file or default
    if not name:
        raise ValueError(f"formatter {formatter!r} needs a metadata file, but meta_file is empty")
    path = os.path.join(root_path, name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"metadata file not found: {path}")
    return path


def not_utf8_error(path: str) -> MetadataError:
    """The ``MetadataError`` for a file that is not UTF-8, naming the line, the column and the first bad byte."""
    data = Path(path).read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        line_start = data.rfind(b"\n", 0, err.start) + 1
        column = len(data[line_start : err.start].decode("utf-8", errors="replace")) + 1
        return MetadataError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[err.start]:02x} at column {column}); save the file as UTF-8"
        )
    return MetadataError(f"{path}: not UTF-8")


def read_text(path: str) -> str:
    """The whole text of a UTF-8 file (a BOM is dropped); any other encoding is a ``MetadataError``."""
    try:
        with open(path, encoding="utf-8-sig") as file:
            return file.read()
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None


def read_rows(
    path: str, *, delimiter: str = "|", num_columns: Optional[Sequence[int]] = (2,)
) -> Iterator[Tuple[int, List[str]]]:
    """Yield ``(line_number, stripped_columns)`` of a delimited file, skipping blank lines.

    A line with a column count not in ``num_columns`` (None: any count) or an empty first
    column is a ``MetadataError``.
    """
    try:
        yield from _read_rows(path, delimiter=delimiter, num_columns=num_columns)
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None


def _read_rows(path: str, *, delimiter: str, num_columns: Optional[Sequence[int]]) -> Iterator[Tuple[int, List[str]]]:
    with open(path, encoding="utf-8-sig") as file:
        for line_number, line in enumerate(file, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            columns = [column.strip() for column in line.split(delimiter)]
            if num_columns is not None and len(columns) not in num_columns:
                expected = " or ".join(str(n) for n in num_columns)
                raise MetadataError(
                    f"{path}:{line_number}: expected {expected} columns separated by {delimiter!r}, "
                    f"got {len(columns)}: {line[:80]!r}"
                )
            if not columns[0]:
                raise MetadataError(f"{path}:{line_number}: the first column (the audio file id) is empty")
            yield line_number, columns


def is_ignored(speaker_id: str, speaker_name: str, ignored_speakers: Optional[Sequence[str]]) -> bool:
    """Whether a speaker is listed in ``ignored_speakers`` by its corpus id or by its sample name."""
    return bool(ignored_speakers) and (speaker_id in ignored_speakers or speaker_name in ignored_speakers)


def language_code(name: str) -> str:
    """Turn a corpus locale such as ``de_DE`` or ``pt-BR`` into a lowercase code such as ``de-de``."""
    return name.replace("_", "-").lower()


def _warn_missing_audio(formatter: str, missing: List[str]) -> None:
    if missing:
        logger.warning(
            "%s: skipped %d transcripts without an audio file, e.g. %s",
            formatter,
            len(missing),
            ", ".join(missing[:MAX_LOGGED_NAMES]),
        )


def _delimited_corpus(
    root_path: str, meta_file: str, ignored_speakers: Optional[Sequence[str]], *, name: str, language: Optional[str]
) -> List[Sample]:
    """LJSpeech-like ``id|text[|normalized_text[|speaker]]`` metadata with audio in ``wavs/<id>.wav``."""
    path = metadata_path(root_path, meta_file, "metadata.csv", name)
    samples = []
    for line_number, columns in read_rows(path, num_columns=(2, 3, 4)):
        # the normalized column when it is filled in, else the raw text
        text = columns[2] if len(columns) > 2 and columns[2] else columns[1]
        speaker = columns[3] if len(columns) == 4 else name
        if is_ignored(speaker, speaker, ignored_speakers):
            continue
        samples.append(
            make_sample(
                text=text,
                audio_file=os.path.join(root_path, "wavs", columns[0] + ".wav"),
                speaker_name=speaker,
                root_path=root_path,
                metadata_file=path,
                metadata_line=line_number,
                language=language,
            )
        )
    return samples


# ---------------------------------------------------------------------------- corpora
