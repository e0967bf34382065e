"""Dataset layer: formatters on tiny generated corpora, sample loading and splits, batches, samplers, caches."""

import logging
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from TTS.config import load_config
from TTS.config.errors import ConfigError
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.datasets import get_speaker_names, load_tts_samples, split_dataset
from TTS.tts.datasets.cache import FeatureCache, precompute
from TTS.tts.datasets.dataset import SampleError, TTSDataset, reduce_stop_targets
from TTS.tts.datasets.formatters import FORMATTERS, MetadataError, register_formatter
from TTS.tts.datasets.samplers import BucketBatchSampler, RandomBatchSampler, batch_sampler_from_config
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor

SR = 16000
SMALL_AUDIO = dict(sample_rate=SR, fft_size=256, win_length=256, hop_length=64, num_mels=20, do_trim_silence=False)


def write_wav(path: Path, seconds: float = 0.1, sr: int = SR, fmt: str = "WAV") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * sr)) / sr
    sf.write(str(path), 0.3 * np.sin(2 * np.pi * 220 * t), sr, format=fmt)
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_ljspeech(root: Path, lines, seconds=None) -> Path:
    """``lines``: metadata lines; a wav is written for the id of each (durations from ``seconds``)."""
    write_text(root / "metadata.csv", "\n".join(lines) + "\n")
    for i, line in enumerate(lines):
        write_wav(root / "wavs" / (line.split("|")[0] + ".wav"), seconds[i] if seconds else 0.1)
    return root


def check_keys(samples, root: Path):
    for sample in samples:
        assert {"text", "audio_file", "speaker_name", "root_path", "audio_unique_name"} <= set(sample)
        assert os.path.isabs(sample["audio_file"]) and os.path.isfile(sample["audio_file"])
        assert sample["root_path"] == str(root.resolve())


# ------------------------------------------------------------------------------ formatters


def test_ljspeech_uses_normalized_column_and_speaker_column(tmp_path):
    root = make_ljspeech(tmp_path, ["LJ001|Text 1.|Text one.", "LJ002|Only text", "LJ003|a|b|anna"])
    samples = FORMATTERS["ljspeech"](str(root), "metadata.csv")
    check_keys(samples, tmp_path)
    assert [s["text"] for s in samples] == ["Text one.", "Only text", "b"]
    assert [s["speaker_name"] for s in samples] == ["ljspeech", "ljspeech", "anna"]
    assert samples[0]["audio_unique_name"] == os.path.join("wavs", "LJ001")
    assert samples[2]["metadata_line"] == 3


@pytest.mark.parametrize("bad_line", ["LJ009", "LJ009|a|b|c|d"])
def test_malformed_metadata_line_names_file_and_line(tmp_path, bad_line):
    make_ljspeech(tmp_path, ["LJ001|a|a", "LJ002|b|b"])
    with open(tmp_path / "metadata.csv", "a", encoding="utf-8") as f:
        f.write("\n" + bad_line + "\n")  # a blank line, then the bad one: line 4
    with pytest.raises(MetadataError, match=r"metadata\.csv:4: expected"):
        FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv")


def test_thorsten_and_css10(tmp_path):
    thorsten = make_ljspeech(tmp_path / "thorsten", ["a1|Hallo Welt.", "a2|Guten Tag."])
    samples = FORMATTERS["thorsten"](str(thorsten), "metadata.csv")
    check_keys(samples, thorsten)
    assert samples[1]["text"] == "Guten Tag." and samples[0]["speaker_name"] == "thorsten"
    css = tmp_path / "css10"
    write_wav(css / "book" / "book_0000.wav")
    write_text(css / "transcript.txt", "book/book_0000.wav|Orig 3.|Orig three.|0.1\n")
    samples = FORMATTERS["css10"](str(css), "transcript.txt")
    check_keys(samples, css)
    assert samples[0]["text"] == "Orig three." and samples[0]["audio_unique_name"] == os.path.join("book", "book_0000")


def test_vctk_new_layout_skips_missing_audio_and_ignores_speakers(tmp_path, caplog):
    for spk in ("p225", "p226"):
        for n in ("001", "002"):
            write_text(tmp_path / "txt" / spk / f"{spk}_{n}.txt", f"Please call {spk} {n}.\n")
            if (spk, n) != ("p226", "002"):
                write_wav(tmp_path / "wav48_silence_trimmed" / spk / f"{spk}_{n}_mic1.flac", fmt="FLAC")
    with caplog.at_level(logging.WARNING, logger="TTS.tts.datasets.formatters"):
        samples = FORMATTERS["vctk"](str(tmp_path), "")
    check_keys(samples, tmp_path)
    assert len(samples) == 3 and "skipped 1 transcripts" in caplog.text and "p226_002_mic1.flac" in caplog.text
    assert samples[0]["text"] == "Please call p225 001." and samples[0]["speaker_name"] == "VCTK_p225"
    assert {s["speaker_name"] for s in FORMATTERS["vctk"](str(tmp_path), "", ignored_speakers=["p225"])} == {
        "VCTK_p226"
    }


def test_vctk_old_layout(tmp_path):
    write_text(tmp_path / "txt" / "p225" / "p225_001.txt", "Hello.")
    write_wav(tmp_path / "wav48" / "p225" / "p225_001.wav")
    samples = FORMATTERS["vctk"](str(tmp_path), "")
    check_keys(samples, tmp_path)
    assert samples[0]["audio_file"].endswith(os.path.join("wav48", "p225", "p225_001.wav"))
    assert FORMATTERS["vctk_old"](str(tmp_path), "")[0]["speaker_name"] == "VCTK_old_p225"


def make_mailabs(root: Path) -> Path:
    for book_dir in (root / "de_DE/by_book/female/eva_k/book_a", root / "de_DE/by_book/mix/book_b"):
        write_text(book_dir / "metadata.csv", "s_01|Zahl 1.|Zahl eins.\ns_02|Zwei.|Zwei.\n")
        write_wav(book_dir / "wavs" / "s_01.wav")
        write_wav(book_dir / "wavs" / "s_02.wav")
    return root


@pytest.mark.parametrize("level", ["", "de_DE", "de_DE/by_book/female/eva_k"])
def test_mailabs_at_any_level_with_mix_folder(tmp_path, level):
    make_mailabs(tmp_path)
    root = tmp_path / level
    samples = FORMATTERS["mailabs"](str(root), "")
    check_keys(samples, root)
    speakers = {s["speaker_name"] for s in samples}
    assert speakers == ({"eva_k"} if "eva_k" in level else {"eva_k", "de-de_mix"})
    assert all(s["language"] == "de-de" for s in samples)
    assert samples[0]["text"] == "Zahl eins."


def test_common_voice_prefers_wav_conversion_and_checks_columns(tmp_path):
    header = "client_id\tpath\tsentence\tup_votes\tdown_votes\tage\tgender\taccent\tlocale\tsegment"
    rows = ['abc\tcv_1.mp3\tHallo "Welt".\t2\t0\t\t\t\tde\t', "def\tcv_2.wav\tNoch einer.\t2\t0\t\t\t\tde\t"]
    write_text(tmp_path / "train.tsv", "\n".join([header] + rows) + "\n")
    write_wav(tmp_path / "clips" / "cv_1.wav")
    write_wav(tmp_path / "clips" / "cv_2.wav")
    samples = FORMATTERS["common_voice"](str(tmp_path), "train.tsv")
    check_keys(samples, tmp_path)
    assert samples[0]["audio_file"].endswith("cv_1.wav") and samples[0]["text"] == 'Hallo "Welt".'
    assert samples[0]["speaker_name"] == "MCV_abc" and samples[0]["language"] == "de"
    write_text(tmp_path / "bad.tsv", "\n".join([header, rows[0], "xyz\tcv_3.mp3"]) + "\n")
    with pytest.raises(MetadataError, match=r"bad\.tsv:3"):
        FORMATTERS["common_voice"](str(tmp_path), "bad.tsv")


def test_libri_tts_reads_trans_tsv_and_normalized_txt(tmp_path):
    chapter = tmp_path / "train-clean-100" / "19" / "198"
    write_text(chapter / "19_198.trans.tsv", "19_198_000000_000000\tChapter 1.\tChapter one.\n")
    write_wav(chapter / "19_198_000000_000000.wav")
    other = tmp_path / "train-clean-100" / "26" / "495"  # no trans.tsv: read the .normalized.txt files
    write_text(other / "26_495_000004_000000.normalized.txt", "Norm text.")
    write_wav(other / "26_495_000004_000000.wav")
    samples = FORMATTERS["libri_tts"](str(tmp_path), "")
    check_keys(samples, tmp_path)
    assert [(s["speaker_name"], s["text"]) for s in samples] == [("LTTS_19", "Chapter one."), ("LTTS_26", "Norm text.")]


def test_coqui_formatter_with_and_without_speaker_column(tmp_path):
    write_wav(tmp_path / "a" / "x.wav")
    write_text(tmp_path / "m.csv", "audio_file|text|speaker_name|emotion_name\na/x.wav|Hi.|bob|happy\n")
    sample = FORMATTERS["coqui"](str(tmp_path), "m.csv")[0]
    check_keys([sample], tmp_path)
    assert (sample["speaker_name"], sample["emotion_name"]) == ("bob", "happy")
    write_text(tmp_path / "n.csv", "audio_file|text\na/x.wav|Hi.\n")
    sample = FORMATTERS["coqui"](str(tmp_path), "n.csv")[0]
    assert (sample["speaker_name"], sample["emotion_name"]) == ("coqui", "neutral")
    write_text(tmp_path / "o.csv", "audio_file|text\na/x.wav|Hi.|extra\n")
    with pytest.raises(MetadataError, match=r"o\.csv:2"):
        FORMATTERS["coqui"](str(tmp_path), "o.csv")


def test_register_formatter_rejects_duplicates():
    with pytest.raises(ValueError, match="already registered"):
        register_formatter("LJSpeech")(lambda root_path, meta_file, ignored_speakers=None: [])


# ------------------------------------------------------------------------------ load_tts_samples


def corpus(root: Path, n: int, speakers=None) -> BaseDatasetConfig:
    lines = [
        f"id{i:03d}|text {i}|Text {i}." + (f"|{speakers[i % len(speakers)]}" if speakers else "") for i in range(n)
    ]
    make_ljspeech(root, lines)
    return BaseDatasetConfig(formatter="ljspeech", dataset_name="tiny", path=str(root), meta_file_train="metadata.csv")


def test_random_split_is_seeded_and_sized(tmp_path):
    dataset = corpus(tmp_path, 20)
    train, evaluation = load_tts_samples(dataset, eval_split_size=0.1)
    assert len(evaluation) == 2 and len(train) == 18
    assert {s["audio_file"] for s in train} | {s["audio_file"] for s in evaluation} == {
        str((tmp_path / "wavs" / f"id{i:03d}.wav").resolve()) for i in range(20)
    }
    again = load_tts_samples([dataset], eval_split_size=0.1)[1]
    assert [s["audio_file"] for s in again] == [s["audio_file"] for s in evaluation]
    assert len(load_tts_samples(dataset, eval_split_size=5)[1]) == 5
    assert len(load_tts_samples(dataset, eval_split_size=5, eval_split_max_size=3)[1]) == 3
    assert load_tts_samples(dataset, eval_split=False)[1] is None
    assert train[0]["audio_unique_name"] == "tiny#" + os.path.join("wavs", "id000")


@pytest.mark.parametrize("size", [0.01, 0, 20])
def test_split_leaving_a_side_empty_is_an_error(tmp_path, size):
    with pytest.raises(ConfigError, match="eval_split_size"):
        load_tts_samples(corpus(tmp_path, 20), eval_split_size=size)


def test_split_keeps_every_eval_speaker_in_training():
    samples = [{"speaker_name": f"s{i % 5}", "audio_file": str(i)} for i in range(10)]
    evaluation, train = split_dataset(samples, None, 5)
    assert {s["speaker_name"] for s in evaluation} <= {s["speaker_name"] for s in train}
    with pytest.raises(ValueError, match="keep a training sample of every speaker"):
        split_dataset(samples, None, 6)


def test_meta_file_val_language_and_ignored_speakers(tmp_path):
    dataset = corpus(tmp_path, 6, speakers=["ann", "bob", "cid"])
    write_text(tmp_path / "val.csv", "id000|x|Val.|ann\n")
    dataset.meta_file_val, dataset.language, dataset.ignored_speakers = "val.csv", "en-us", ["bob"]
    train, evaluation = load_tts_samples(dataset)
    assert [s["text"] for s in evaluation] == ["Val."]
    assert get_speaker_names(train) == ["ann", "cid"] and len(train) == 4
    assert all(s["language"] == "en-us" for s in train + evaluation)


def test_speaker_name_joins_single_speaker_corpora_as_speakers(tmp_path):
    datasets = [corpus(tmp_path / "a", 4), corpus(tmp_path / "b", 3)]
    datasets[0].speaker_name, datasets[1].speaker_name = "kumo", "gongitsune"
    datasets[1].ignored_speakers = ["kumo"]  # ignoring applies to the dataset's own speaker name
    train, _ = load_tts_samples(datasets, eval_split=False)
    assert [s["speaker_name"] for s in train] == ["kumo"] * 4 + ["gongitsune"] * 3
    assert get_speaker_names(train) == ["gongitsune", "kumo"]
    plain, _ = load_tts_samples(corpus(tmp_path / "c", 2), eval_split=False)
    assert {s["speaker_name"] for s in plain} == {"ljspeech"}


def test_formatter_function_applies_to_every_dataset(tmp_path):
    calls = []

    def formatter(root_path, meta_file, ignored_speakers=None):
        calls.append(root_path)
        return FORMATTERS["ljspeech"](root_path, meta_file)

    datasets = [corpus(tmp_path / "a", 4), corpus(tmp_path / "b", 4)]
    datasets[0].formatter = datasets[1].formatter = "no_such_name"
    train, _ = load_tts_samples(datasets, eval_split=False, formatter=formatter)
    assert len(train) == 8 and len(calls) == 2


def test_config_errors_name_the_field(tmp_path):
    dataset = corpus(tmp_path, 4)
    with pytest.raises(ConfigError, match=r"datasets\[1\]\.formatter.*unknown formatter 'nope'.*ljspeech"):
        load_tts_samples([dataset, BaseDatasetConfig(formatter="nope", path=str(tmp_path))], eval_split=False)
    with pytest.raises(ConfigError, match=r"datasets\[0\]\.path.*/missing"):
        load_tts_samples(BaseDatasetConfig(formatter="ljspeech", path=str(tmp_path / "missing")), eval_split=False)
    dataset.meta_file_train = "other.csv"
    with pytest.raises(ConfigError, match=r"datasets\[0\]\.meta_file_train.*other\.csv"):
        load_tts_samples(dataset, eval_split=False)


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["zero_bytes", "blank_lines"])
def test_empty_metadata_is_a_metadata_error(tmp_path, content):
    write_text(tmp_path / "metadata.csv", content)
    dataset = BaseDatasetConfig(formatter="ljspeech", path=str(tmp_path), meta_file_train="metadata.csv")
    with pytest.raises(MetadataError, match=r"datasets\[0\]\.meta_file_train: no samples found in .*metadata\.csv"):
        load_tts_samples(dataset, eval_split=False)


# ------------------------------------------------------------------------------ TTSDataset


def small_config(tmp_path=None, **overrides) -> Tacotron2Config:
    num_mels = SMALL_AUDIO["num_mels"]
    config = Tacotron2Config(
        audio=BaseAudioConfig(**SMALL_AUDIO), r=3, out_channels=num_mels, decoder_output_dim=num_mels
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def build_dataset(config, samples, **kwargs) -> TTSDataset:
    tokenizer, config = TTSTokenizer.init_from_config(config)
    return TTSDataset.init_from_config(
        config, samples=samples, tokenizer=tokenizer, ap=AudioProcessor.init_from_config(config), **kwargs
    )


def test_collate_pads_sorts_and_builds_stop_targets(tmp_path):
    lines = ["a|Hi.", "b|A longer text here.", "c|Mid text."]
    make_ljspeech(tmp_path, lines, seconds=[0.1, 0.25, 0.17])
    dataset = build_dataset(small_config(), FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv"))
    batch = dataset.collate_fn([dataset[i] for i in range(3)])
    assert batch["raw_text"] == ["A longer text here.", "Mid text.", "Hi."]
    assert batch["item_idxs"] == [1, 2, 0] and batch["audio_files"][0].endswith("b.wav")
    lengths = batch["token_id_lengths"].tolist()
    assert lengths == sorted(lengths, reverse=True) and batch["token_id"].shape == (3, lengths[0])
    assert (batch["token_id"][2, lengths[2] :] == dataset.tokenizer.pad_id).all()
    mel, mel_lengths = batch["mel"], batch["mel_lengths"]
    assert mel.shape[0] == 3 and mel.shape[2] == 20 and mel.shape[1] % 3 == 0 and mel.shape[1] >= mel_lengths.max()
    expected = dataset.ap.melspectrogram(dataset.ap.load_wav(batch["audio_files"][1])).T
    np.testing.assert_allclose(mel[1, : mel_lengths[1]].numpy(), expected)
    for i, length in enumerate(mel_lengths.tolist()):
        assert torch.all(mel[i, length:] == dataset.ap.mel_pad_value)
        assert batch["stop_targets"][i, : length - 1].sum() == 0 and torch.all(
            batch["stop_targets"][i, length - 1 :] == 1
        )
    assert batch["stop_targets"].shape == mel.shape[:2] and batch["linear"] is None


@pytest.mark.parametrize("fixture", ["a_ljspeech_ddc", "b_tacotron2_r2"])
def test_batch_matches_coqui_teacher_forcing_inputs(coqui_fixtures, tmp_path, fixture):
    refs = np.load(coqui_fixtures / fixture / "refs.npz")
    r = load_config(coqui_fixtures / fixture / "config.json").r
    make_ljspeech(tmp_path, ["a|x"])
    dataset = build_dataset(small_config(), FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv"), outputs_per_step=r)
    items = [
        {
            "token_ids": refs["tf_text_input"][i, :n],
            "mel": refs["tf_mel_input"][i, :m].T,
            "item_idx": i,
            "raw_text": "",
            "audio_file": "",
            "audio_unique_name": "",
            "speaker_name": "",
            "language_name": "",
        }
        for i, (n, m) in enumerate(zip(refs["tf_text_lengths"], refs["tf_mel_lengths"], strict=True))
    ][::-1]  # shortest first: the collate must sort
    batch = dataset.collate_fn(items)
    np.testing.assert_array_equal(batch["token_id"].numpy(), refs["tf_text_input"])
    np.testing.assert_array_equal(batch["mel_lengths"].numpy(), refs["tf_mel_lengths"])
    stop_targets, stop_lengths = reduce_stop_targets(batch["stop_targets"], batch["mel_lengths"], r=r)
    np.testing.assert_array_equal(stop_targets.numpy(), refs["tf_stop_targets"])
    np.testing.assert_array_equal(stop_lengths.numpy(), refs["tf_stop_target_lengths"])


def test_length_filters_log_what_was_dropped(tmp_path, caplog):
    lines = ["short|ok text", "fine|ok text", "long|ok text", "wordy|" + "w" * 50]
    make_ljspeech(tmp_path, lines, seconds=[0.05, 0.2, 0.5, 0.2])
    samples = FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv")
    config = small_config(min_audio_len=int(0.1 * SR), max_audio_len=int(0.4 * SR), max_text_len=40)
    with caplog.at_level(logging.INFO, logger="TTS.tts.datasets.dataset"):
        dataset = build_dataset(config, samples)
    assert [s["audio_file"] for s in dataset.samples] == [samples[1]["audio_file"]]
    assert dataset.audio_lengths == [int(0.2 * SR)]
    for reason, name in [
        ("audio shorter than min_audio_len", "short.wav"),
        ("audio longer", "long.wav"),
        ("text longer", "wordy.wav"),
    ]:
        assert any(
            reason in record.message and name in record.message and "dropped 1 " in record.message
            for record in caplog.records
        )
    with pytest.raises(ValueError, match="no samples left"):
        build_dataset(small_config(min_audio_len=SR), samples)


def test_clips_shorter_than_one_decoder_step_or_fft_size_are_dropped_by_name(tmp_path, caplog):
    """Such a clip would have alignment length 0 (fewer frames than r) or no full STFT window."""
    lines = ["tiny|ok text", "fewframes|ok text", "fine|ok text"]
    hop, fft = SMALL_AUDIO["hop_length"], SMALL_AUDIO["fft_size"]
    make_ljspeech(tmp_path, lines, seconds=[(fft - 1) / SR, 4 * hop / SR, 0.2])  # 5 frames < r=6
    samples = FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv")
    with caplog.at_level(logging.INFO, logger="TTS.tts.datasets.dataset"):
        dataset = build_dataset(small_config(), samples, outputs_per_step=6)
    assert [os.path.basename(s["audio_file"]) for s in dataset.samples] == ["fine.wav"]
    messages = [record.message for record in caplog.records]
    assert any("audio shorter than fft_size=256" in m and "tiny.wav" in m for m in messages), messages
    assert any("shorter than one decoder step (r=6" in m and "fewframes.wav" in m for m in messages), messages
    assert len(build_dataset(small_config(), samples, outputs_per_step=5).samples) == 2  # 5 frames: one step


def test_unusable_audio_is_one_error_counting_the_samples(tmp_path):
    lines = ["a|ok", "b|ok", "c|ok", "d|ok"]
    make_ljspeech(tmp_path, lines)
    samples = FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv")
    (tmp_path / "wavs" / "a.wav").unlink()
    (tmp_path / "wavs" / "b.wav").unlink()
    (tmp_path / "wavs" / "c.wav").write_bytes(b"not audio")
    with pytest.raises(SampleError) as err:
        build_dataset(small_config(), samples)
    message = str(err.value)
    assert message.startswith("2 audio files not found, e.g. ") and "a.wav" in message
    assert "; 1 audio file not readable, e.g. " in message and "c.wav" in message


@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("trim", [False, True])
def test_non_finite_audio_is_a_sample_error_naming_the_file(tmp_path, value, trim):
    make_ljspeech(tmp_path, ["a|ok text", "b|ok text"])
    wav = 0.3 * np.sin(np.arange(int(0.1 * SR)) / 5.0).astype(np.float32)
    wav[800] = value
    sf.write(str(tmp_path / "wavs" / "b.wav"), wav, SR, subtype="FLOAT")
    samples = FORMATTERS["ljspeech"](str(tmp_path), "metadata.csv")
    dataset = build_dataset(small_config(), samples)
    dataset.ap.do_trim_silence = trim
    assert dataset[0]["mel"].shape[0] == SMALL_AUDIO["num_mels"]
    with pytest.raises(SampleError, match=f"{tmp_path / 'wavs' / 'b.wav'}: audio has NaN or infinite samples"):
        dataset[1]


# ------------------------------------------------------------------------------ samplers


def lengths_for_sampling(n=103, seed=3):
    return np.random.default_rng(seed).integers(1000, 100000, size=n).tolist()


def test_bucket_sampler_properties():
    lengths = lengths_for_sampling()
    sampler = BucketBatchSampler(lengths=lengths, batch_size=4, bucket_size_multiplier=3, seed=7)
    rank = {index: position for position, index in enumerate(np.argsort(lengths, kind="stable"))}
    first = list(sampler)
    assert sorted(i for batch in first for i in batch) == list(range(len(lengths))) and len(first) == len(sampler)
    for batch in first:  # each batch comes from one bucket of 12 neighbours in length order
        assert len({rank[i] // 12 for i in batch}) == 1
    means = [np.mean([lengths[i] for i in batch]) for batch in first]
    assert means != sorted(means) and means != sorted(means, reverse=True)
    second = list(sampler)
    assert second != first
    replay = BucketBatchSampler(lengths=lengths, batch_size=4, bucket_size_multiplier=3, seed=7)
    assert list(replay) == first
    replay.set_epoch(1)
    assert list(replay) == second


def test_sampler_options():
    lengths = lengths_for_sampling()
    longest = int(np.argmax(lengths))
    for cls in (BucketBatchSampler, RandomBatchSampler):
        batches = list(cls(lengths=lengths, batch_size=4, start_by_longest=True, drop_last=True, seed=1))
        assert longest in batches[0] and all(len(b) == 4 for b in batches) and len(batches) == len(lengths) // 4
    batches = list(RandomBatchSampler(lengths=lengths, batch_size=10, shuffle=False))
    assert batches[0] == list(range(10)) and len(batches[-1]) == 3
    config = small_config(batch_sampler="random", shuffle=True)
    assert isinstance(batch_sampler_from_config(config, lengths=lengths, batch_size=4), RandomBatchSampler)
    eval_sampler = batch_sampler_from_config(small_config(), lengths=lengths, batch_size=4, is_eval=True)
    assert [i for batch in eval_sampler for i in batch] == np.argsort(lengths, kind="stable").tolist()


# ------------------------------------------------------------------------------ caches


def test_caches_are_keyed_by_settings_and_reused(tmp_path, monkeypatch):
    make_ljspeech(tmp_path / "data", ["a|Hello.", "b|World."])
    samples = FORMATTERS["ljspeech"](str(tmp_path / "data"), "metadata.csv")
    caches = dict(phoneme_cache_path=str(tmp_path / "tokens"), mel_cache_path=str(tmp_path / "mels"))
    first = build_dataset(small_config(**caches), samples)
    item = first[0]
    second = build_dataset(small_config(**caches), samples)

    def fail(*args, **kwargs):
        raise AssertionError("recomputed a cached feature")

    monkeypatch.setattr(second.tokenizer, "text_to_ids", fail)
    monkeypatch.setattr(second.ap, "melspectrogram", fail)
    cached = second[0]
    np.testing.assert_array_equal(cached["token_ids"], item["token_ids"])
    np.testing.assert_array_equal(cached["mel"], item["mel"])
    assert second.mel_cache.folder == first.mel_cache.folder
    audio = dict(SMALL_AUDIO, num_mels=16)
    changed = build_dataset(
        small_config(audio=BaseAudioConfig(**audio), text_cleaner="english_cleaners", **caches), samples
    )
    assert changed.mel_cache.folder != first.mel_cache.folder and changed.token_cache.folder != first.token_cache.folder
    assert changed[0]["mel"].shape[0] == 16
    # griffin-lim settings do not change the features: same folder
    same = build_dataset(small_config(audio=BaseAudioConfig(**SMALL_AUDIO, griffin_lim_iters=5), **caches), samples)
    assert same.mel_cache.folder == first.mel_cache.folder


def test_precompute_resumes_and_writes_whole_files(tmp_path):
    make_ljspeech(tmp_path / "data", [f"s{i}|Text {i}." for i in range(4)])
    samples = FORMATTERS["ljspeech"](str(tmp_path / "data"), "metadata.csv")
    dataset = build_dataset(small_config(mel_cache_path=str(tmp_path / "mels")), samples)
    dataset.cache_features(0)
    Path(dataset.mel_cache.folder, "interrupted.tmp").write_bytes(b"half a file")  # as a killed run leaves it
    calls = []
    original = dataset.ap.melspectrogram
    dataset.ap.melspectrogram = lambda wav: calls.append(1) or original(wav)
    precompute(dataset, num_workers=0)
    assert len(calls) == 3  # sample 0 was already there
    entries = sorted(Path(dataset.mel_cache.folder).glob("*.npy"))
    assert len(entries) == 4 and all(np.load(path).shape[0] == 20 for path in entries)
    other = build_dataset(
        small_config(mel_cache_path=str(tmp_path / "mels2"), phoneme_cache_path=str(tmp_path / "ids")), samples
    )
    precompute(other, num_workers=1)  # in a worker process
    assert (
        len(list(Path(other.mel_cache.folder).glob("*.npy")))
        == len(list(Path(other.token_cache.folder).glob("*.npy")))
        == 4
    )
    cache = FeatureCache(root=str(tmp_path / "other"), kind="x", settings={"a": 1})
    cache.save("k", np.arange(3))
    assert cache.load("k").tolist() == [0, 1, 2] and cache.load("absent") is None
    assert not list(Path(cache.folder).glob("*.tmp"))
