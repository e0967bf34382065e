"""Formatters: one plain function per corpus layout, turning its metadata into sample dicts.

A formatter is called as ``fn(root_path, meta_file, ignored_speakers=None)`` and
returns a list of dicts with the keys ``text``, ``audio_file`` (absolute path),
``speaker_name``, ``root_path``, ``audio_unique_name`` (audio path relative to the
root, without extension), ``language`` where the layout tells it, and
``metadata_file`` / ``metadata_line`` (1-based) so that tools can point at the line
a sample came from. ``ignored_speakers`` matches the corpus' own speaker id
(``p225``) or the returned name (``VCTK_p225``).

A malformed metadata line is a ``MetadataError`` naming the file and the line.
Formatters do not check that audio files exist (``TTS.bin.check_dataset`` does),
except for VCTK and M-AILABS, whose releases list texts without audio: those are
skipped with one warning giving their number and the first few names.

Speaker name prefixes (``VCTK_``, ``MCV_``, ``LTTS_``) follow Coqui TTS so that
its ``speakers.json`` files keep matching.
"""

import csv
import glob
import logging
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from TTS.tts.datasets.metadata import (  # noqa: F401 - the registry and errors are part of this module's API
    FORMATTERS,
    MAX_LOGGED_NAMES,
    Formatter,
    MetadataError,
    NoSamplesError,
    Sample,
    _delimited_corpus,
    _warn_missing_audio,
    get_formatter,
    is_ignored,
    language_code,
    make_sample,
    metadata_path,
    not_utf8_error,
    read_rows,
    read_text,
    register_formatter,
)

logger = logging.getLogger(__name__)


@register_formatter("ljspeech")
def ljspeech(
    root_path: str, meta_file: str = "metadata.csv", ignored_speakers: Optional[Sequence[str]] = None
) -> List[Sample]:
    """LJSpeech: ``metadata.csv`` lines ``id|text|normalized_text`` and ``wavs/<id>.wav``.

    The normalized column is used when present and non-empty. Two columns (``id|text``)
    are accepted, and a fourth column names the speaker (multi-speaker corpora in this
    layout; Coqui's ``ljspeech`` ignores extra columns). Speaker: ``ljspeech``.
    """
    return _delimited_corpus(root_path, meta_file, ignored_speakers, name="ljspeech", language=None)


@register_formatter("thorsten")
def thorsten(
    root_path: str, meta_file: str = "metadata.csv", ignored_speakers: Optional[Sequence[str]] = None
) -> List[Sample]:
    """Thorsten-Voice (German): ``metadata.csv`` lines ``id|text`` and ``wavs/<id>.wav``; speaker ``thorsten``."""
    return _delimited_corpus(root_path, meta_file, ignored_speakers, name="thorsten", language="de")


@register_formatter("css10")
def css10(
    root_path: str, meta_file: str = "transcript.txt", ignored_speakers: Optional[Sequence[str]] = None
) -> List[Sample]:
    """CSS10: ``transcript.txt`` lines ``<book>/<file>.wav|text|normalized_text|duration``; speaker ``css10``.

    The normalized text is used; the duration column may be missing.
    """
    path = metadata_path(root_path, meta_file, "transcript.txt", "css10")
    samples = []
    for line_number, columns in read_rows(path, num_columns=(3, 4)):
        if is_ignored("css10", "css10", ignored_speakers):
            continue
        samples.append(
            make_sample(
                text=columns[2] or columns[1],
                audio_file=os.path.join(root_path, columns[0]),
                speaker_name="css10",
                root_path=root_path,
                metadata_file=path,
                metadata_line=line_number,
            )
        )
    return samples


def _vctk(
    root_path: str, ignored_speakers: Optional[Sequence[str]], *, old_layout: bool, prefix: str, mic: str
) -> List[Sample]:
    text_files = sorted(glob.glob(os.path.join(root_path, "txt", "*", "*.txt")))
    if not text_files:
        raise FileNotFoundError(f"VCTK: no transcripts found under {os.path.join(root_path, 'txt')}")
    samples, missing = [], []
    for text_file in text_files:
        speaker_id = os.path.basename(os.path.dirname(text_file))
        file_id = os.path.splitext(os.path.basename(text_file))[0]
        if is_ignored(speaker_id, prefix + speaker_id, ignored_speakers):
            continue
        if old_layout:
            audio_file = os.path.join(root_path, "wav48", speaker_id, file_id + ".wav")
        else:
            audio_file = os.path.join(root_path, "wav48_silence_trimmed", speaker_id, f"{file_id}_{mic}.flac")
        if not os.path.isfile(audio_file):
            missing.append(audio_file)
            continue
        text = read_text(text_file).strip()
        samples.append(
            make_sample(
                text=text,
                audio_file=audio_file,
                speaker_name=prefix + speaker_id,
                root_path=root_path,
                metadata_file=text_file,
                metadata_line=1,
            )
        )
    _warn_missing_audio("vctk", missing)
    return samples


@register_formatter("vctk")
def vctk(
    root_path: str, meta_file: str = "", ignored_speakers: Optional[Sequence[str]] = None, mic: str = "mic1"
) -> List[Sample]:
    """VCTK: ``txt/<spk>/<spk>_<n>.txt`` with ``wav48_silence_trimmed/<spk>/<spk>_<n>_<mic>.flac`` (VCTK 0.92).

    When the root has only the older ``wav48/<spk>/<spk>_<n>.wav`` folder (VCTK 0.80) that
    layout is read instead. ``meta_file`` is not used. Speakers: ``VCTK_<spk>``.
    """
    if meta_file:
        logger.warning("vctk reads the transcripts under txt/ and does not use meta_file=%r", meta_file)
    if os.path.isdir(os.path.join(root_path, "wav48_silence_trimmed")):
        old_layout = False
    elif os.path.isdir(os.path.join(root_path, "wav48")):
        old_layout = True
    else:
        raise FileNotFoundError(f"VCTK: {root_path} has neither a wav48_silence_trimmed/ nor a wav48/ folder")
    return _vctk(root_path, ignored_speakers, old_layout=old_layout, prefix="VCTK_", mic=mic)


@register_formatter("vctk_old")
def vctk_old(root_path: str, meta_file: str = "", ignored_speakers: Optional[Sequence[str]] = None) -> List[Sample]:
    """VCTK 0.80 only: ``txt/<spk>/*.txt`` and ``wav48/<spk>/*.wav``; speakers ``VCTK_old_<spk>`` (Coqui's names)."""
    return _vctk(root_path, ignored_speakers, old_layout=True, prefix="VCTK_old_", mic="")


def _mailabs_speaker(csv_file: str) -> Tuple[str, Optional[str]]:
    """Speaker and language of an M-AILABS book from its path ``<lang>/by_book/<gender>/<speaker>/<book>/``."""
    parts = Path(os.path.abspath(csv_file)).parts
    if "by_book" not in parts:
        raise MetadataError(
            f"{csv_file}: cannot tell the speaker: M-AILABS books lie under "
            "<lang>/by_book/<female|male>/<speaker>/<book>/ or <lang>/by_book/mix/<book>/"
        )
    index = len(parts) - 1 - parts[::-1].index("by_book")
    language = language_code(parts[index - 1]) if index > 0 else None
    gender = parts[index + 1]
    if gender == "mix":  # books read by several unnamed speakers
        return (f"{language}_mix" if language else "mix"), language
    if index + 3 >= len(parts) - 1:  # <gender>/<speaker>/<book>/metadata.csv
        raise MetadataError(f"{csv_file}: expected by_book/{gender}/<speaker>/<book>/metadata.csv")
    return parts[index + 2], language


@register_formatter("mailabs")
def mailabs(root_path: str, meta_file: str = "", ignored_speakers: Optional[Sequence[str]] = None) -> List[Sample]:
    """M-AILABS: ``<lang>/by_book/<gender>/<speaker>/<book>/metadata.csv`` (``id|text|normalized_text``) + ``wavs/``.

    With an empty ``meta_file`` every ``metadata.csv`` below ``root_path`` is read, so the
    root may point at any level (language, by_book, gender, speaker or book). Books in
    ``by_book/mix/`` have no named speaker and get ``<lang>_mix``. The language comes from
    the folder name (``de_DE`` -> ``de-de``).
    """
    if meta_file:
        csv_files = [metadata_path(root_path, meta_file, None, "mailabs")]
    else:
        csv_files = sorted(glob.glob(os.path.join(root_path, "**", "metadata.csv"), recursive=True))
        if not csv_files:
            raise FileNotFoundError(f"M-AILABS: no metadata.csv found below {root_path}")
    samples, missing = [], []
    for csv_file in csv_files:
        speaker, language = _mailabs_speaker(csv_file)
        if is_ignored(speaker, speaker, ignored_speakers):
            continue
        for line_number, columns in read_rows(csv_file, num_columns=(2, 3)):
            audio_file = os.path.join(os.path.dirname(csv_file), "wavs", columns[0] + ".wav")
            if not os.path.isfile(audio_file):
                missing.append(audio_file)
                continue
            samples.append(
                make_sample(
                    text=columns[2] if len(columns) > 2 and columns[2] else columns[1],
                    audio_file=audio_file,
                    speaker_name=speaker,
                    root_path=root_path,
                    metadata_file=csv_file,
                    metadata_line=line_number,
                    language=language,
                )
            )
    _warn_missing_audio("mailabs", missing)
    return samples


@register_formatter("common_voice")
def common_voice(root_path: str, meta_file: str, ignored_speakers: Optional[Sequence[str]] = None) -> List[Sample]:
    """Mozilla Common Voice: a tsv (``train.tsv``, ``validated.tsv``...) with the header ``client_id path sentence``.

    Audio is ``clips/<path>``; when a ``.wav`` conversion of a listed ``.mp3`` lies next to
    it, the ``.wav`` is used. Speakers: ``MCV_<client_id>``; the language comes from the
    ``locale`` column when there is one.
    """
    path = metadata_path(root_path, meta_file, None, "common_voice")
    try:
        return _common_voice(path, root_path, ignored_speakers)
    except UnicodeDecodeError:
        raise not_utf8_error(path) from None


def _common_voice(path: str, root_path: str, ignored_speakers: Optional[Sequence[str]]) -> List[Sample]:
    samples, converted = [], 0
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        required = ("client_id", "path", "sentence")
        if header is None or any(column not in header for column in required):
            raise MetadataError(f"{path}:1: expected a header with the columns {', '.join(required)}, got {header}")
        column = {name: index for index, name in enumerate(header)}
        for row in rows:
            line_number = rows.line_num
            if not any(field.strip() for field in row):
                continue
            if len(row) != len(header):
                raise MetadataError(
                    f"{path}:{line_number}: expected {len(header)} tab-separated columns, got {len(row)}"
                )
            client_id = row[column["client_id"]]
            if is_ignored(client_id, "MCV_" + client_id, ignored_speakers):
                continue
            audio_file = os.path.join(root_path, "clips", row[column["path"]])
            wav_file = os.path.splitext(audio_file)[0] + ".wav"
            if audio_file.endswith(".mp3") and os.path.isfile(wav_file):
                audio_file, converted = wav_file, converted + 1
            samples.append(
                make_sample(
                    text=row[column["sentence"]].strip(),
                    audio_file=audio_file,
                    speaker_name="MCV_" + client_id,
                    root_path=root_path,
                    metadata_file=path,
                    metadata_line=line_number,
                    language=language_code(row[column["locale"]]) if "locale" in column else None,
                )
            )
    if converted:
        logger.info(
            "common_voice: %d of %d clips use their .wav conversion instead of the .mp3", converted, len(samples)
        )
    return samples


@register_formatter("libri_tts")
def libri_tts(root_path: str, meta_file: str = "", ignored_speakers: Optional[Sequence[str]] = None) -> List[Sample]:
    """LibriTTS: ``<spk>/<chapter>/<spk>_<chapter>.trans.tsv`` (``id<TAB>text<TAB>normalized``) + ``<id>.wav``.

    With an empty ``meta_file`` every ``*.trans.tsv`` below ``root_path`` is read; chapter
    folders without one are read from their ``<id>.normalized.txt`` files. The
    normalized text is used. Speakers: ``LTTS_<spk>``.
    """
    if meta_file:
        tsv_files = [metadata_path(root_path, meta_file, None, "libri_tts")]
        text_files = []
    else:
        tsv_files = sorted(glob.glob(os.path.join(root_path, "**", "*.trans.tsv"), recursive=True))
        tsv_dirs = {os.path.dirname(tsv_file) for tsv_file in tsv_files}
        text_files = sorted(
            text_file
            for text_file in glob.glob(os.path.join(root_path, "**", "*.normalized.txt"), recursive=True)
            if os.path.dirname(text_file) not in tsv_dirs
        )
        if not tsv_files and not text_files:
            raise FileNotFoundError(f"LibriTTS: no *.trans.tsv or *.normalized.txt found below {root_path}")
    entries = []  # (utterance id, text, metadata file, line)
    for tsv_file in tsv_files:
        entries += [
            (columns[0], columns[2], tsv_file, line)
            for line, columns in read_rows(tsv_file, delimiter="\t", num_columns=(3,))
        ]
    for text_file in text_files:
        utterance_id = os.path.basename(text_file)[: -len(".normalized.txt")]
        entries.append((utterance_id, read_text(text_file).strip(), text_file, 1))
    samples = []
    for utterance_id, text, source, line_number in entries:
        if "_" not in utterance_id:
            raise MetadataError(f"{source}:{line_number}: utterance id {utterance_id!r} is not <speaker>_<chapter>_...")
        speaker_id = utterance_id.split("_")[0]
        if is_ignored(speaker_id, "LTTS_" + speaker_id, ignored_speakers):
            continue
        samples.append(
            make_sample(
                text=text,
                audio_file=os.path.join(os.path.dirname(source), utterance_id + ".wav"),
                speaker_name="LTTS_" + speaker_id,
                root_path=root_path,
                metadata_file=source,
                metadata_line=line_number,
            )
        )
    return samples


@register_formatter("coqui")
def coqui(root_path: str, meta_file: str, ignored_speakers: Optional[Sequence[str]] = None) -> List[Sample]:
    """Coqui's own layout: a ``|``-separated file with the header ``audio_file|text|speaker_name[|emotion_name]``.

    ``audio_file`` is relative to ``root_path``. Without a ``speaker_name`` column the
    speaker is ``coqui``; without an ``emotion_name`` column the emotion is ``neutral``.
    """
    path = metadata_path(root_path, meta_file, None, "coqui")
    rows = read_rows(path, num_columns=None)
    _, header = next(rows, (1, []))
    if "audio_file" not in header or "text" not in header:
        raise MetadataError(
            f"{path}:1: expected a header with the columns audio_file|text[|speaker_name|emotion_name], got {header}"
        )
    column = {name: index for index, name in enumerate(header)}
    samples = []
    for line_number, columns in rows:
        if len(columns) != len(header):
            raise MetadataError(
                f"{path}:{line_number}: expected {len(header)} columns like the header, got {len(columns)}"
            )
        speaker = columns[column["speaker_name"]] if "speaker_name" in column else "coqui"
        if is_ignored(speaker, speaker, ignored_speakers):
            continue
        samples.append(
            make_sample(
                text=columns[column["text"]],
                audio_file=os.path.join(root_path, columns[column["audio_file"]]),
                speaker_name=speaker,
                root_path=root_path,
                metadata_file=path,
                metadata_line=line_number,
                emotion_name=columns[column["emotion_name"]] if "emotion_name" in column else "neutral",
            )
        )
    return samples
