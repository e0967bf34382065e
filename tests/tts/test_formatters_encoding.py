"""A metadata file that is not UTF-8 is one MetadataError naming the file, the line and the byte."""

import pytest

from TTS.tts.datasets.formatters import MetadataError, get_formatter

LATIN1_TEXT = b"in caf\xe9 being comparatively modern"


def _expect(tmp_path, formatter, meta_file, bad_file, line, column):
    with pytest.raises(MetadataError) as err:
        get_formatter(formatter)(str(tmp_path), meta_file)
    assert str(err.value).startswith(f"{bad_file}:{line}: not UTF-8 (byte 0xe9 at column {column})")


def test_ljspeech_metadata(tmp_path):
    (tmp_path / "metadata.csv").write_bytes(b"LJ001-0001|hello|hello\nLJ001-0002|" + LATIN1_TEXT + b"|x\n")
    _expect(tmp_path, "ljspeech", "metadata.csv", tmp_path / "metadata.csv", 2, 18)


def test_utf8_with_bom_still_reads(tmp_path):
    (tmp_path / "metadata.csv").write_bytes(b"\xef\xbb\xbfLJ001-0001|caf\xc3\xa9|caf\xc3\xa9\n")
    samples = get_formatter("ljspeech")(str(tmp_path), "metadata.csv")
    assert samples[0]["text"] == "café"


def test_common_voice_tsv(tmp_path):
    (tmp_path / "train.tsv").write_bytes(b"client_id\tpath\tsentence\nc1\ta.mp3\t" + LATIN1_TEXT + b"\n")
    _expect(tmp_path, "common_voice", "train.tsv", tmp_path / "train.tsv", 2, 16)


def test_vctk_transcript(tmp_path):
    (tmp_path / "txt" / "p225").mkdir(parents=True)
    (tmp_path / "wav48" / "p225").mkdir(parents=True)
    (tmp_path / "wav48" / "p225" / "p225_001.wav").touch()
    (tmp_path / "txt" / "p225" / "p225_001.txt").write_bytes(LATIN1_TEXT)
    _expect(tmp_path, "vctk", "", tmp_path / "txt" / "p225" / "p225_001.txt", 1, 7)


@pytest.mark.parametrize("name", ["19_198.trans.tsv", "19_198_000000_000000.normalized.txt"])
def test_libri_tts(tmp_path, name):
    chapter = tmp_path / "19" / "198"
    chapter.mkdir(parents=True)
    if name.endswith(".tsv"):
        (chapter / name).write_bytes(b"19_198_000000_000000\tx\t" + LATIN1_TEXT + b"\n")
        column = 30
    else:
        (chapter / name).write_bytes(LATIN1_TEXT)
        column = 7
    _expect(tmp_path, "libri_tts", "", chapter / name, 1, column)
