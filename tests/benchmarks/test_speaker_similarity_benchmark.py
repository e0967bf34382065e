"""benchmarks/speaker_similarity.py: speaker profiles, distances and the CLI, on two espeak-ng voices.

Voice A is espeak-ng's en-us (a low male voice, F0 about 100 Hz), voice B its "f3" female variant
(about 210 Hz, other formants): two speakers that the measures must tell apart on new sentences.
"""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from helpers.corpus import load_script

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "recipes" / "kumo"))  # espeak_voice.py lives beside the recipe that uses it
from espeak_voice import EspeakVoice  # noqa: E402

DEFAULT_MODEL_CONFIG = REPO_ROOT / "TTS" / ".models" / "tts_models--en--kumo--tacotron2-DDC" / "config.json"
SCRIPT = REPO_ROOT / "benchmarks" / "speaker_similarity.py"
VOICE_A, VOICE_B = "en-us", "en-us+f3"
REFERENCE_A = [
    "the old mill stood by the river for a hundred years.",
    "can you bring the blue box to the kitchen?",
    "we walked home slowly under the bright evening stars.",
    "she asked whether the train would leave on time.",
]
REFERENCE_B = [
    "my brother painted the fence green last summer.",
    "nobody knew why the lights went out at noon.",
    "please read the letter aloud before dinner.",
    "the children laughed at the little brown dog.",
]
NEW_SENTENCES = [
    "a cold wind blew across the empty harbour.",
    "he found the missing key under a stone.",
    "our neighbours grow tomatoes in their garden.",
]


@pytest.fixture(scope="module")
def bench():
    return load_script(SCRIPT, "speaker_similarity")


def _write_clips(folder: Path, voice: EspeakVoice, sentences, prefix: str):
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"{prefix}{i}" for i in range(len(sentences))]
    for clip_id, text in zip(ids, sentences):
        audio, rate = voice.speak(text)
        sf.write(folder / f"{clip_id}.wav", audio, rate)
    return ids


def _write_listing(path: Path, ids, sentences):
    path.write_text("".join(f"{i}|{t.capitalize()}|{t}\n" for i, t in zip(ids, sentences)), encoding="utf-8")


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    """corpus_a: a corpus folder of voice A (with held-out sentences); folder_b: wavs of voice B;
    new_a, new_b: the new sentences spoken by A and by B."""
    root = tmp_path_factory.mktemp("speakers")
    voice_a, voice_b = EspeakVoice(VOICE_A), EspeakVoice(VOICE_B)
    corpus = root / "corpus_a"
    _write_listing(corpus / "metadata.csv", _write_clips(corpus / "wavs", voice_a, REFERENCE_A, "a"), REFERENCE_A)
    ids = _write_clips(corpus / "heldout_wavs", voice_a, NEW_SENTENCES, "h")
    _write_listing(corpus / "heldout.csv", ids, NEW_SENTENCES)
    _write_clips(root / "folder_b", voice_b, REFERENCE_B, "b")
    _write_clips(root / "new_a", voice_a, NEW_SENTENCES, "n")
    _write_clips(root / "new_b", voice_b, NEW_SENTENCES, "n")
    return {name: root / name for name in ("corpus_a", "folder_b", "new_a", "new_b")} | {"root": root}


def _profile(bench, name, folder, **kwargs):
    return bench.profile_clips(name, bench.read_clip_set(folder, **kwargs))[0]


def _harmonic_tone(f0: float, seconds: float, rate: int = 22050) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return sum(0.3 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 6)).astype(np.float32)


def test_tone_gives_its_f0_and_noise_and_silence_are_not_voiced(bench):
    rate = bench.SAMPLE_RATE
    noise = 0.2 * np.random.default_rng(0).standard_normal(rate // 2).astype(np.float32)
    wav = np.concatenate([np.zeros(rate // 4, np.float32), _harmonic_tone(150.0, 1.0), noise])
    features = bench.clip_features(wav, text="twelve chars")
    assert np.median(features.f0_hz) == pytest.approx(150.0, rel=0.01)
    tone_frames = rate / bench.HOP_LENGTH  # one second
    assert 0.85 * tone_frames < features.f0_hz.size < 1.1 * tone_frames  # the noise is speech, not voiced
    assert features.speech_s == pytest.approx(1.5, abs=0.1)  # tone + noise, not the leading silence
    assert features.mfcc.shape == (bench.NUM_MFCC - 1, round(features.speech_s * rate / bench.HOP_LENGTH))
    assert features.chars == 12
    assert bench.clip_features(np.zeros(rate, np.float32)) is None


def test_profile_ignores_recording_gain(bench):
    wavs = [_harmonic_tone(120.0, 0.8), _harmonic_tone(130.0, 0.8) * np.linspace(0.5, 1, 17640, dtype=np.float32)]
    loud = bench.build_profile("loud", [bench.clip_features(w) for w in wavs])
    quiet = bench.build_profile("quiet", [bench.clip_features(0.05 * w) for w in wavs])
    scale = bench.mfcc_scale([loud])
    assert bench.distance("mfcc", loud, quiet, scale) < 1e-3  # c0, the loudness, is not compared
    assert bench.distance("f0_median", loud, quiet, scale) < 1e-3


def test_position_between_two_references(bench):
    assert bench.position(0.0, 2.0) == 0.0
    assert bench.position(2.0, 0.0) == 1.0
    assert bench.position(1.0, 3.0) == pytest.approx(0.25)
    assert bench.position(0.0, 0.0) == 0.5


@pytest.mark.parametrize("candidate, closest", [("new_a", "a"), ("new_b", "b")])
def test_new_sentences_are_closer_to_their_own_speaker_on_both_measures(bench, sets, candidate, closest):
    references = [_profile(bench, "a", sets["corpus_a"]), _profile(bench, "b", sets["folder_b"])]
    comparison = bench.compare(references, _profile(bench, "candidate", sets[candidate]))
    for measure in bench.MEASURES:
        result = comparison[measure]
        assert result["closest"] == closest, (measure, result)
        if closest == "a":
            assert 0.0 <= result["position"] < 0.5, (measure, result)
        else:
            assert 0.5 < result["position"] <= 1.0, (measure, result)
        # the other speaker is much further than the own one
        own, other = result["distances"][closest], result["distances"]["b" if closest == "a" else "a"]
        assert other > 3 * own, (measure, result)
    # the two voices are about an octave apart
    assert bench.distance("f0_median", *references, bench.mfcc_scale(references)) > 9.0


def test_corpus_folder_uses_its_listing_and_texts(bench, sets):
    corpus = sets["corpus_a"]
    (corpus / "wavs" / "stray.wav").write_bytes((corpus / "wavs" / "a0.wav").read_bytes())
    try:
        clips = bench.read_clip_set(corpus)
        assert [c.path.name for c in clips] == ["a0.wav", "a1.wav", "a2.wav", "a3.wav"]  # not the stray wav
        assert clips[1].text == REFERENCE_A[1]  # the normalised column
        assert [c.path.parent.name for c in bench.read_clip_set(corpus, heldout=True, limit=2)] == ["heldout_wavs"] * 2
        assert len(bench.read_clip_set(corpus / "wavs")) == 5  # a plain folder: every wav
    finally:
        (corpus / "wavs" / "stray.wav").unlink()
    profile = _profile(bench, "a", corpus)
    assert 0.03 < profile.seconds_per_char < 0.1  # espeak at 160 wpm: about 0.05 s of speech per character
    assert _profile(bench, "b", sets["folder_b"]).seconds_per_char is None  # no texts


def test_cli_prints_decision_and_writes_json(bench, sets, tmp_path, capsys):
    out = tmp_path / "report.json"
    # a silent clip in the candidate's folder is skipped, not counted as speech
    candidate = tmp_path / "candidate"
    candidate.mkdir()
    for wav in sets["new_b"].glob("*.wav"):
        (candidate / wav.name).write_bytes(wav.read_bytes())
    sf.write(candidate / "silent.wav", np.zeros(22050, np.float32), 22050)
    bench.main(["--reference", f"A={sets['corpus_a']}", "--reference", f"B={sets['folder_b']}",
                "--candidate", str(candidate), "--json", str(out)])  # fmt: skip
    printed = capsys.readouterr().out
    assert "decision (mfcc): closer to B" in printed
    assert "decision (f0_median): closer to B" in printed
    assert "verdict: closer to B than to A on 2/2 measures" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"analysis", "measures", "references", "candidate", "comparison", "verdict"}
    assert list(report["references"]) == ["A", "B"]
    assert report["candidate"]["clips"] == 3 and report["candidate"]["skipped"] == 1
    for profile in (*report["references"].values(), report["candidate"]):
        assert set(profile) >= {"clips", "f0_median_hz", "f0_spread_st", "mfcc_mean", "split_half_distance"}
        assert len(profile["mfcc_mean"]) == bench.NUM_MFCC - 1
    for measure in ("mfcc", "f0_median"):
        result = report["comparison"][measure]
        assert set(result["distances"]) == {"A", "B"} and result["closest"] == "B" and result["position"] > 0.5
    assert report["verdict"] == {"a": "A", "b": "B", "closer_to_b": 2, "measures": 2}


class EspeakSynthesizer:
    """The Synthesizer API the benchmark uses: a single-speaker model speaking with voice B, or a
    two-voice one (speakers "A" and "B", the first by default)."""

    output_sample_rate = 22050

    def __init__(self, speakers=()):
        self.speakers, self.texts = list(speakers), []
        self.voices = {"A": EspeakVoice(VOICE_A), "B": EspeakVoice(VOICE_B)}

    def tts(self, text, speaker_name=None):
        self.texts.append(text)
        voice = (speaker_name or self.speakers[0]) if self.speakers else "B"
        return self.voices[voice].speak(text)[0].tolist()


def test_model_mode_synthesises_the_heldout_sentences_of_the_first_reference(bench, sets, tmp_path, monkeypatch):
    synthesizer = EspeakSynthesizer()
    monkeypatch.setattr(bench, "load_synthesizer", lambda model_path, config_path: synthesizer)
    args = bench.parse_args(["--reference", f"A={sets['corpus_a']}", "--reference", f"B={sets['folder_b']}",
                             "--model_path", "model.pth", "--config_path", "config.json",
                             "--save_candidate", str(tmp_path / "ours")])  # fmt: skip
    report = bench.run(args)
    assert synthesizer.texts == NEW_SENTENCES  # column 3 of heldout.csv
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == ["h0.wav", "h1.wav", "h2.wav"]
    assert report["verdict"]["closer_to_b"] == 2
    assert report["candidate"]["seconds_per_char"] is not None


def test_speaker_idx_picks_the_voice_of_a_multispeaker_model(bench, sets, monkeypatch):
    monkeypatch.setattr(bench, "load_synthesizer", lambda model_path, config_path: EspeakSynthesizer(["A", "B"]))
    refs = ["--reference", f"A={sets['corpus_a']}", "--reference", f"B={sets['folder_b']}",
            "--model_path", "model.pth", "--config_path", "config.json"]  # fmt: skip
    assert bench.run(bench.parse_args(refs))["verdict"]["closer_to_b"] == 0  # its first voice
    report = bench.run(bench.parse_args([*refs, "--speaker_idx", "B"]))
    assert report["verdict"]["closer_to_b"] == 2 and "(speaker B)" in report["candidate_source"]
    with pytest.raises(SystemExit, match="--speaker_idx 'C' is not a voice of model.pth \\(A, B\\)"):
        bench.main([*refs, "--speaker_idx", "C"])
    with pytest.raises(SystemExit):  # argparse: a voice for a folder of wavs
        bench.parse_args([*refs[:4], "--candidate", str(sets["new_a"]), "--speaker_idx", "B"])


def test_cli_errors(bench, sets, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    refs = ["--reference", f"A={sets['corpus_a']}", "--reference", f"B={sets['folder_b']}"]
    with pytest.raises(SystemExit, match="no wavs in .*empty"):
        bench.main([*refs, "--candidate", str(empty)])
    with pytest.raises(SystemExit, match="folder not found: .*missing"):
        bench.main(["--reference", f"A={tmp_path / 'missing'}", "--reference", f"B={sets['folder_b']}",
                    "--candidate", str(sets["new_a"])])  # fmt: skip
    silent = tmp_path / "silent"
    silent.mkdir()
    sf.write(silent / "x.wav", np.zeros(22050, np.float32), 22050)
    with pytest.raises(SystemExit, match="no clip with speech"):
        bench.main([*refs, "--candidate", str(silent)])
    with pytest.raises(SystemExit, match="no heldout.csv"):
        bench.main([*refs, "--candidate", str(sets["new_a"]), "--heldout"])  # folder_b is no corpus
    with pytest.raises(SystemExit):  # argparse: one reference only
        bench.parse_args(["--reference", f"A={sets['corpus_a']}", "--candidate", str(sets["new_a"])])
    with pytest.raises(SystemExit):  # argparse: both a candidate folder and a model
        bench.parse_args([*refs, "--candidate", str(empty), "--model_path", "m.pth", "--config_path", "c.json"])


def test_script_exits_non_zero_with_one_line_for_an_empty_folder(sets, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--reference", f"A={sets['corpus_a']}", "--reference", f"B={sets['folder_b']}",
         "--candidate", str(empty)],
        check=False, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"speaker_similarity: no wavs in {empty}"]


def test_through_vocoder_profiles_the_candidate_after_the_models_mel_and_griffin_lim(bench, sets):
    refs = [
        "--reference",
        f"A={sets['corpus_a']}",
        "--reference",
        f"B={sets['folder_b']}",
        "--candidate",
        str(sets["new_b"]),
    ]
    plain = bench.run(bench.parse_args(refs))
    vocoded = bench.run(bench.parse_args([*refs, "--through_vocoder", str(DEFAULT_MODEL_CONFIG)]))
    assert "Griffin-Lim" in vocoded["candidate_source"]
    assert vocoded["verdict"]["closer_to_b"] == 2  # Griffin-Lim keeps B's voice B's
    assert vocoded["candidate"]["mfcc_mean"] != plain["candidate"]["mfcc_mean"]  # the wavs were vocoded
    assert abs(math.log2(vocoded["candidate"]["f0_median_hz"] / plain["candidate"]["f0_median_hz"])) < 1 / 12
    with pytest.raises(SystemExit, match="through_vocoder"):
        bench.main([*refs, "--through_vocoder", str(sets["root"] / "missing.json")])
    with pytest.raises(SystemExit):  # a model is synthesised with its own vocoder
        bench.parse_args([*refs[:4], "--model_path", "m.pth", "--config_path", "c.json", "--through_vocoder", "c.json"])
