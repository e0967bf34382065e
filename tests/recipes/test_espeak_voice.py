"""``recipes/kumo/espeak_voice.py``: real espeak-ng speech from espeakng_loader, and the ``espeak`` teacher of
``recipes/kumo/make_corpus.py`` run end to end on a few Spanish sentences.

espeak-ng's output varies by a few samples from call to call, so no test compares waveforms exactly.
"""

import importlib
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

REPO_ROOT = Path(__file__).resolve().parents[2]
# espeak_voice.py lives beside the recipe that uses it (one module object: the library has one global state)
sys.path.insert(0, str(REPO_ROOT / "recipes" / "kumo"))
from espeak_voice import EspeakVoice, espeak_voice_names  # noqa: E402

RATE = 22050
ENGLISH = "The kettle just clicked off."
SPANISH = "La cena está lista, cierra la ventana."
SPANISH_SENTENCES = [
    "La cena está lista.",
    "Cierra la ventana, por favor.",
    "¿Quién dejó la leche fuera de la nevera?",
    "La impresora del tercer piso se ha atascado otra vez.",
    "Entregad los informes de gastos antes del viernes.",
    "Mañana llueve en el valle y en la montaña.",
]


def spectrum(audio: np.ndarray, n_fft: int = 512) -> np.ndarray:
    """Average magnitude spectrum, summing to 1: a timbre fingerprint that ignores timing."""
    frames = audio[: len(audio) // n_fft * n_fft].reshape(-1, n_fft) * np.hanning(n_fft)
    magnitude = np.abs(np.fft.rfft(frames, axis=1)).mean(axis=0)
    return magnitude / magnitude.sum()


@pytest.fixture(scope="module")
def english():
    return EspeakVoice("en-us")


@pytest.fixture(scope="module")
def spanish():
    return EspeakVoice("es")


# ---------------------------------------------------------------------------- speech
@pytest.mark.parametrize("voice_name, text", [("en-us", ENGLISH), ("es", SPANISH)])
def test_a_sentence_gives_plausible_speech(voice_name, text):
    audio, rate = EspeakVoice(voice_name).speak(text)
    assert rate == RATE
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 0.5 < audio.size / rate < 5.0
    assert np.all(np.abs(audio) <= 1.0)
    assert np.abs(audio).max() > 0.1
    assert np.sqrt(np.mean(audio**2)) > 0.02
    # speech, not a tone: the level rises and falls (syllables, pauses) over 20 ms frames
    frame_rms = np.sqrt(np.mean(audio[: audio.size // 441 * 441].reshape(-1, 441) ** 2, axis=1))
    assert (frame_rms < 0.1 * frame_rms.max()).mean() > 0.05
    assert (frame_rms > 0.3 * frame_rms.max()).mean() > 0.2


def test_a_longer_sentence_gives_longer_audio(spanish):
    short, _ = spanish.speak("La cena está lista.")
    long, _ = spanish.speak("La cena está lista y la mesa está puesta, así que venid todos a la cocina ahora.")
    assert long.size > 2.0 * short.size


def test_the_rate_sets_the_speed():
    normal, _ = EspeakVoice("en-us", rate_wpm=160).speak(ENGLISH)
    fast, _ = EspeakVoice("en-us", rate_wpm=320).speak(ENGLISH)
    assert 0.4 < fast.size / normal.size < 0.7


def test_spanish_and_english_voices_sound_different(english, spanish):
    text = "El perro come pan en la cocina."
    en_a, en_b = english.speak(text)[0], english.speak(text)[0]
    es_a, es_b = spanish.speak(text)[0], spanish.speak(text)[0]
    same_voice = max(np.abs(spectrum(en_a) - spectrum(en_b)).sum(), np.abs(spectrum(es_a) - spectrum(es_b)).sum())
    across = np.abs(spectrum(en_a) - spectrum(es_a)).sum()
    assert across > 3 * same_voice, (across, same_voice)


def test_voices_share_the_library_safely_across_instances_and_threads(english, spanish):
    """The library holds one voice at a time: each call must speak with its own instance's voice."""
    expected = {"en": english.speak(ENGLISH)[0].size, "es": spanish.speak(ENGLISH)[0].size}
    assert abs(expected["en"] - expected["es"]) > 0.05 * expected["en"]  # the check below can tell them apart
    again = EspeakVoice("en-us")  # a second instance of a voice already in use
    results = []

    def work(key, voice):
        for _ in range(3):
            results.append((key, voice.speak(ENGLISH)[0].size))

    threads = [threading.Thread(target=work, args=args) for args in (("en", english), ("es", spanish), ("en", again))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 9
    for key, size in results:
        assert abs(size - expected[key]) < 0.01 * expected[key], (key, size, expected)


def test_voice_names_include_the_common_ones():
    names = espeak_voice_names()
    assert {"en-us", "es", "es-419", "fr", "de"} <= set(names)
    assert len(names) > 100


def test_language_codes_reach_the_voice_that_declares_them():
    """espeak_SetVoiceByName takes file names ("fr", "es-419") but not the codes phonemizer lists ("fr-fr")."""
    assert "fr-fr" in espeak_voice_names() and "es-mx" in espeak_voice_names()
    assert EspeakVoice("fr-fr").voice == EspeakVoice("fr").voice
    assert EspeakVoice("es-mx").voice == EspeakVoice("es-419").voice != EspeakVoice("es").voice
    assert EspeakVoice("EN-US").voice == EspeakVoice("en-us").voice
    audio, _ = EspeakVoice("fr-fr").speak("Le dîner est prêt.")
    assert audio.size / RATE > 0.5 and np.abs(audio).max() > 0.1


# ---------------------------------------------------------------------------- errors
def test_an_unknown_voice_is_named():
    with pytest.raises(ValueError, match=r"no voice 'xx-nope'"):
        EspeakVoice("xx-nope")
    with pytest.raises(ValueError, match=r"no voice 'es_mx'.*close matches: .*es-mx"):
        EspeakVoice("es_mx")
    with pytest.raises(ValueError, match=r"no voice ''"):
        EspeakVoice("")


def test_a_voice_without_its_dictionary_is_refused():
    import espeakng_loader

    if (Path(espeakng_loader.get_data_path()) / "fo_dict").exists():
        pytest.skip("this espeak-ng build has the Faroese dictionary")
    with pytest.raises(ValueError, match=r"voice 'fo' is silent"):
        EspeakVoice("fo")


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_refused(english, text):
    with pytest.raises(ValueError, match="empty text"):
        english.speak(text)


def test_text_with_a_nul_is_refused(english):
    with pytest.raises(ValueError, match="NUL"):
        english.speak("Dinner\0 is ready.")


@pytest.mark.parametrize("rate", [79, 451])
def test_a_rate_outside_the_range_is_refused(rate):
    with pytest.raises(ValueError, match=f"rate_wpm={rate}"):
        EspeakVoice("en-us", rate_wpm=rate)


# ---------------------------------------------------------------------------- make_corpus --teacher espeak
@pytest.fixture
def make_corpus(monkeypatch):
    """The recipe imported by name from its folder, so the spawned workers can import it too."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / "recipes" / "kumo"))
    return importlib.import_module("make_corpus")


def test_make_corpus_with_espeak_writes_a_spanish_corpus(make_corpus, tmp_path, capsys):
    sentences = tmp_path / "es.txt"
    sentences.write_text("\n".join(SPANISH_SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "corpus"
    assert make_corpus.main(["--teacher", "espeak", "--lang", "es", "--sentences", str(sentences),
                             "--out_path", str(out), "--workers", "1", "--heldout_fraction", "0"]) == 0

    rows = [line.split("|") for line in (out / "metadata.csv").read_text(encoding="utf-8").splitlines()]
    assert [row[1] for row in rows] == SPANISH_SENTENCES
    assert all(row[0].startswith("es_es_") and row[2] == row[1] for row in rows)
    durations = []
    for item_id, text, _ in rows:
        audio, rate = sf.read(str(out / "wavs" / f"{item_id}.wav"), dtype="float32")
        assert rate == RATE
        assert sf.info(str(out / "wavs" / f"{item_id}.wav")).subtype == "PCM_16"
        assert np.abs(audio).max() > 0.1
        durations.append(audio.size / rate)
        assert 0.05 * len(text) < durations[-1] < 0.15 * len(text), (text, durations[-1])
    assert durations[3] > durations[0]  # the long sentence is longer than the short one
    assert "teacher: espeak, voice: es, language: es, sample rate: 22050" in (out / "PROVENANCE.txt").read_text()
    assert "6 training clips" in capsys.readouterr().out


def test_make_corpus_espeak_voice_defaults_from_the_language(make_corpus, tmp_path):
    sentences = tmp_path / "en.txt"
    sentences.write_text("Dinner is ready.\n", encoding="utf-8")
    out = tmp_path / "corpus"
    assert make_corpus.main(["--teacher", "espeak", "--sentences", str(sentences), "--out_path", str(out),
                             "--metadata_only"]) == 0
    assert "teacher: espeak, voice: en-us, language: en" in (out / "PROVENANCE.txt").read_text()


def test_make_corpus_refuses_an_unknown_espeak_voice(make_corpus, tmp_path, capsys):
    sentences = tmp_path / "es.txt"
    sentences.write_text("La cena está lista.\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        make_corpus.main(["--teacher", "espeak", "--voice", "es_mx", "--sentences", str(sentences),
                          "--out_path", str(tmp_path / "corpus"), "--metadata_only"])
    assert exc.value.code == 2
    assert "--voice: espeak-ng has no voice 'es_mx'" in capsys.readouterr().err
    assert not (tmp_path / "corpus").exists()
