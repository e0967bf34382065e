"""Synthesizer: sentence splitting, step limits, batch = one-by-one synthesis, vocoder input conversion, errors.

Most cases use a toy Tacotron2 (a few thousand random weights) written to disk the way a trainer
saves it; the batch-parity case at full size uses the Coqui fixture b checkpoint. Random weights
never make the stop token fire by themselves: tests set ``stop_threshold`` or small step limits.
"""

import io
import json
import logging
import os
import re

import numpy as np
import pytest
import soundfile as sf
import torch
from helpers.standin_vocoder import StandInVocoder
from helpers.toy_models import write_mismatched_vocoder, write_toy_model

from TTS.config import ConfigError
from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.models import setup_model
from TTS.tts.utils.text.sentences import is_speakable, split_into_sentences
from TTS.inference import synthesizer as synthesizer_module
from TTS.utils.io import atomic_output
from TTS.utils.synthesizer import (
    DecodedSentence,
    SynthesisError,
    Synthesizer,
    UnsupportedVocoderError,
    vocoder_support_problem,
)
from TTS.vocoder.configs.hifigan_config import HifiganConfig, HifiganGeneratorParams
from TTS.vocoder.models import setup_model as setup_vocoder_model

SYNTH_LOGGER = "TTS.utils.synthesizer"
SENTENCES = [
    "Hello there.",
    "The quick brown fox jumps over the lazy dog, twice.",
    "Short one.",
    "A somewhat longer sentence, with a comma and a few more words in it.",
    "Yes!",
]

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def toy(tmp_path) -> Synthesizer:
    return Synthesizer(*write_toy_model(tmp_path / "toy"))


# ---------------------------------------------------------------------------- sentences
@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dr. Smith paid $5. He left.", ["Dr. Smith paid $5.", "He left."]),
        ("...", []),
        (" - !? ", []),
        ("", []),
        ("Hello. ... Bye.", ["Hello.", "Bye."]),
        ("I like fruit, e.g. apples. He left.", ["I like fruit, e.g. apples.", "He left."]),
        ("That is, i.e. Paris, the capital.", ["That is, i.e. Paris, the capital."]),
        ("We bought pears, etc. Then we left.", ["We bought pears, etc.", "Then we left."]),
        ("We bought pears, etc. and left.", ["We bought pears, etc. and left."]),
        ("Mr. and Mrs. Jones met Capt. Hook vs. Sgt. Pepper.", ["Mr. and Mrs. Jones met Capt. Hook vs. Sgt. Pepper."]),
        ("See No. 5 for details. I said no. He left.", ["See No. 5 for details.", "I said no.", "He left."]),
        ("J. R. R. Tolkien wrote it. Yes!", ["J. R. R. Tolkien wrote it.", "Yes!"]),
        ("The U.S. Army left at 5 p.m. today. It rained.", ["The U.S. Army left at 5 p.m. today.", "It rained."]),
        ("Pi is 3.14. True.", ["Pi is 3.14.", "True."]),
        (
            'He asked "why?" and left. What?! Really... Yes.',
            ['He asked "why?" and left.', "What?!", "Really...", "Yes."],
        ),
        ('She said "Stop." Then she left.', ['She said "Stop."', "Then she left."]),
        ("Line one\n\nline two", ["Line one", "line two"]),
        ("Spread\nover  lines. Next.", ["Spread over lines.", "Next."]),
        ("你好。我很好！", ["你好。", "我很好！"]),
    ],
)
def test_sentence_splitter(text, expected):
    assert split_into_sentences(text, "en") == expected


def test_sentence_splitter_uses_the_french_abbreviations():
    text = "Mme. Dupont habite 12 av. Foch. Elle part."
    assert split_into_sentences(text, "fr") == ["Mme. Dupont habite 12 av. Foch.", "Elle part."]
    assert split_into_sentences("M. Martin arrive. Il part.", "fr-fr") == ["M. Martin arrive.", "Il part."]


def test_is_speakable():
    assert not is_speakable("... -- !?")
    assert is_speakable("$")
    assert is_speakable("a.")


# ---------------------------------------------------------------------------- step limits
def test_step_limit_is_proportional_to_tokens_and_capped(tmp_path):
    synth = Synthesizer(*write_toy_model(tmp_path, max_decoder_steps=10_000))
    ap, r = synth.tts_model.ap, synth.tts_model.decoder.r
    short, long = synth.sentence_step_limit(1), synth.sentence_step_limit(100)
    # one token ("." alone, say) gets the floor of half a second, never minutes
    assert short == int(np.ceil(0.5 * ap.sample_rate / ap.hop_length / r))
    assert long == int(np.ceil(100 * 0.25 * ap.sample_rate / ap.hop_length / r))
    assert synth.sentence_step_limit(200) == 2 * long
    synth.tts_model.decoder.max_decoder_steps = 30
    assert synth.sentence_step_limit(100) == 30


def test_output_with_nan_is_an_error_naming_the_sentence(toy):
    """Weights that turn NaN after loading (fp16 overflow on a GPU, say) must not reach Griffin-Lim."""
    with torch.no_grad():
        toy.tts_model.postnet.convolutions[0].convolution1d.weight[0, 0, 0] = float("nan")
    with pytest.raises(SynthesisError, match=r"the model's output for 'Hello there.' holds NaN or infinite values"):
        toy.tts("Hello there.")


def test_long_text_logs_its_progress_batch_by_batch(toy, caplog):
    with caplog.at_level(logging.INFO, logger=SYNTH_LOGGER):
        toy.tts("One. Two. Three. Four. Five.", batch_size=2)
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("decoded ")]
    assert progress == ["decoded 2 of 5 sentences", "decoded 4 of 5 sentences", "decoded 5 of 5 sentences"]


def test_step_limit_warning_names_the_sentence(toy, caplog):
    with caplog.at_level(logging.WARNING, logger=SYNTH_LOGGER):
        wav = toy.tts("Hello there. Bye now.")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "'Hello there.'" in warnings[0] and "'Bye now.'" in warnings[1]
    assert all("step limit" in w for w in warnings)
    assert len(wav) > 0


def test_text_end_stop_is_flagged_and_named_at_info(tmp_path, caplog, monkeypatch):
    synth = Synthesizer(*write_toy_model(tmp_path, stop_threshold=1.0, max_decoder_steps=40))  # never fires
    decoder = synth.tts_model.decoder
    decoder.stop_after_text_end_frames = decoder.r
    [one_symbol] = synth.synthesize_mels([[5]])  # the attention sits on its only symbol from the start
    assert one_symbol.stop_reached and one_symbol.text_end_stop
    assert one_symbol.mel.shape[0] == 2 * decoder.r
    # tts() names each sentence the rule ended, at INFO: its audio is whole, its stop token is what failed
    num_mels = synth.tts_model.ap.num_mels

    calls = []  # sentences decoded so far: tts() may decode them in several calls

    def decoded(self, token_ids, speaker_id=None, batch_size=1):
        mel = np.zeros((8, num_mels), dtype=np.float32)
        first = len(calls)
        calls.extend(token_ids)
        return [DecodedSentence(mel, True, first + index == 1) for index in range(len(token_ids))]

    monkeypatch.setattr(Synthesizer, "synthesize_mels", decoded)
    with caplog.at_level(logging.INFO, logger=SYNTH_LOGGER):
        synth.tts("Hello there. Bye now.")
    notes = [r.getMessage() for r in caplog.records if "stop_after_text_end_frames" in r.getMessage()]
    assert len(notes) == 1 and notes[0].startswith("stop_after_text_end_frames ended sentence 'Bye now.'")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_no_warning_when_the_stop_token_fires(tmp_path, caplog):
    synth = Synthesizer(*write_toy_model(tmp_path, stop_threshold=0.0))  # stops at step 2
    with caplog.at_level(logging.WARNING):
        mels = synth.synthesize_mels([[5, 6, 7], [8, 9]])
    assert [d.mel.shape[0] for d in mels] == [2 * synth.tts_model.decoder.r] * 2
    assert all(d.stop_reached and not d.text_end_stop for d in mels)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------------------- batch = one by one
class ScheduledStopnet(torch.nn.Module):
    """Stand-in stop-token layer: an item's stop token fires from step ``2 + text_length % 11`` on.

    Random weights give flat stop probabilities; this schedule makes items of one batch stop at
    different steps, some before and some after their step limit, the same way alone or batched.
    """

    def __init__(self, decoder) -> None:
        super().__init__()
        self.decoder = [decoder]  # a plain reference, not a submodule
        self.inputs, self.step = None, 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        decoder = self.decoder[0]
        if decoder.inputs is not self.inputs:  # a new utterance batch
            self.inputs, self.step = decoder.inputs, 0
        self.step += 1
        if decoder.mask is None:
            lengths = torch.full((x.shape[0],), decoder.inputs.shape[1])
        else:
            lengths = decoder.mask.sum(dim=1)
        return torch.where(self.step >= 2 + lengths % 11, 10.0, -10.0)[:, None]


@pytest.mark.parametrize("batch_size", [2, 8])
def test_batch_synthesis_equals_one_by_one_on_the_toy_model(tmp_path, batch_size):
    synth = Synthesizer(
        *write_toy_model(tmp_path, max_decoder_steps=10_000), max_seconds_per_token=0.005, min_seconds_per_sentence=0.05
    )
    decoder = synth.tts_model.decoder
    decoder.stopnet = ScheduledStopnet(decoder)
    ids = [synth.tts_model.tokenizer.text_to_ids(s, language="en") for s in SENTENCES]
    one_by_one = synth.synthesize_mels(ids, batch_size=1)
    batched = synth.synthesize_mels(ids, batch_size=batch_size)
    assert {d.stop_reached for d in one_by_one} == {True, False}  # both endings occur
    assert len({d.mel.shape[0] for d in one_by_one}) >= 3  # items of different lengths
    for (mel_1, stop_1, text_end_1), (mel_b, stop_b, text_end_b) in zip(one_by_one, batched):
        assert (stop_1, text_end_1) == (stop_b, text_end_b)
        assert mel_1.shape == mel_b.shape
        np.testing.assert_allclose(mel_b, mel_1, atol=1e-5, rtol=0)


def test_batched_model_inference_masks_padding(tmp_path):
    """Model level: every output of a padded batch equals the item decoded alone, lengths per item."""
    synth = Synthesizer(*write_toy_model(tmp_path, speakers=["ada", "bo"], stop_threshold=2.0))  # limits only
    model = synth.tts_model
    ids = [[5, 6, 7, 8, 9, 10, 11], [12, 13, 14], [15, 16, 17, 18, 19]]
    limits = torch.tensor([9, 4, 6])
    lengths = torch.tensor([len(i) for i in ids])
    text = torch.zeros(3, 7, dtype=torch.long)
    for row, item in enumerate(ids):
        text[row, : len(item)] = torch.tensor(item)
    speakers = torch.tensor([1, 0, 1])
    batch = model.inference(text, text_lengths=lengths, speaker_ids=speakers, max_decoder_steps=limits)
    r = model.decoder.r
    assert batch["lengths"].tolist() == (limits * r).tolist()
    assert not batch["stop_reached"].any()
    for row, item in enumerate(ids):
        alone = model.inference(
            torch.tensor([item]), speaker_ids=speakers[row : row + 1], max_decoder_steps=int(limits[row])
        )
        n = int(batch["lengths"][row])
        for key in ("model_outputs", "decoder_outputs"):
            torch.testing.assert_close(batch[key][row, :n], alone[key][0], atol=1e-5, rtol=0)
            assert torch.all(batch[key][row, n:] == 0)
        torch.testing.assert_close(
            batch["alignments"][row, : n // r, : len(item)], alone["alignments"][0], atol=1e-6, rtol=0
        )
        assert torch.all(batch["alignments"][row, :, len(item) :] == 0)  # no attention on padding


@pytest.mark.slow
def test_batch_synthesis_equals_one_by_one_on_fixture_b(coqui_fixtures, coqui_checkpoint, tmp_path):
    """Full-size Tacotron2 (Coqui fixture b): batched mels and waveforms match one-by-one within 1e-4."""
    config = json.loads((coqui_fixtures / "b_tacotron2_r2" / "config.json").read_text())
    config["audio"].update(griffin_lim_iters=4, griffin_lim_momentum=0.0)  # classic Griffin-Lim, see write_toy_model
    (tmp_path / "config.json").write_text(json.dumps(config))
    synth = Synthesizer(coqui_checkpoint("b_tacotron2_r2"), tmp_path / "config.json", max_seconds_per_token=0.015)
    texts = " ".join(SENTENCES[:4])
    np.random.seed(0)  # Griffin-Lim starts from random phases
    one_by_one = np.asarray(synth.tts(texts, batch_size=1))
    np.random.seed(0)
    batched = np.asarray(synth.tts(texts, batch_size=4))
    assert one_by_one.shape == batched.shape
    # mels agree to ~5e-7 (float rounding of batched vs single-row products); Griffin-Lim magnifies that a little
    assert np.abs(batched - one_by_one).max() < 1e-4
    ids = [synth.tts_model.tokenizer.text_to_ids(s, language="en") for s in SENTENCES[:4]]
    mels_1 = synth.synthesize_mels(ids, batch_size=1)
    mels_b = synth.synthesize_mels(ids, batch_size=4)
    assert len({d.mel.shape[0] for d in mels_1}) >= 3  # per-item step limits
    assert max(np.abs(a.mel - b.mel).max() for a, b in zip(mels_1, mels_b)) < 1e-5


# ---------------------------------------------------------------------------- text and speakers
def test_tts_returns_samples_with_pauses_between_sentences(toy):
    np.random.seed(0)
    one = toy.tts("Hello there.")
    np.random.seed(0)
    two = toy.tts("Hello there. Hello there.")
    assert isinstance(one, list) and isinstance(one[0], float)
    pause = int(synthesizer_module.SENTENCE_PAUSE_S * toy.output_sample_rate)
    assert len(two) == 2 * len(one) + pause
    assert np.all(np.asarray(two[len(one) : len(one) + pause]) == 0)


def test_punctuation_only_chunks_are_dropped(toy, caplog):
    with caplog.at_level(logging.WARNING, logger=SYNTH_LOGGER):
        toy.tts("Hello. ... !! Bye.")
    named = [r.getMessage() for r in caplog.records if "sentence" in r.getMessage()]
    assert len(named) == 2 and "'Hello.'" in named[0] and "'Bye.'" in named[1]


@pytest.mark.parametrize(
    "text, message", [("", "the text is empty"), ("  \n", "the text is empty"), ("... !?", "only punctuation")]
)
def test_empty_or_punctuation_text_is_an_error(toy, text, message):
    with pytest.raises(SynthesisError, match=message):
        toy.tts(text)


def test_text_of_unknown_characters_is_an_error(toy):
    with pytest.raises(SynthesisError, match=r"no character of the text is in the model's vocabulary.*U\+2603"):
        toy.tts("☃☃ ☃.")


def test_multi_speaker_model(tmp_path):
    synth = Synthesizer(*write_toy_model(tmp_path, speakers=["ada", "bo"]))
    assert synth.speakers == ["ada", "bo"]
    mel_ada = synth.synthesize_mels([[5, 6, 7]], speaker_id=0)[0].mel
    mel_bo = synth.synthesize_mels([[5, 6, 7]], speaker_id=1)[0].mel
    assert not np.allclose(mel_ada, mel_bo)
    with pytest.raises(SynthesisError, match="choose a speaker, one of: ada, bo"):
        synth.tts("Hello.")
    with pytest.raises(SynthesisError, match="'cy' is not one of"):
        synth.tts("Hello.", speaker_name="cy")
    assert len(synth.tts("Hello.", speaker_name="bo")) > 0


def test_speakers_file_overrides_the_config(tmp_path):
    model_path, config_path = write_toy_model(tmp_path, speakers=["ada", "bo"])
    (tmp_path / "speakers.json").write_text(json.dumps({"zed": 1, "yan": 0}))
    synth = Synthesizer(model_path, config_path, tmp_path / "speakers.json")
    assert synth.speakers == ["yan", "zed"]
    with pytest.raises(FileNotFoundError, match="speakers file not found"):
        Synthesizer(model_path, config_path, tmp_path / "missing.json")


def test_unknown_language_is_an_error(toy):
    with pytest.raises(SynthesisError, match="language 'xx' is not one of the model's: en"):
        toy.tts("Hello.", language_name="xx")


def test_checkpoint_not_matching_its_config_is_one_line(tmp_path):
    model_path, _ = write_toy_model(tmp_path / "a")
    config = json.loads((tmp_path / "a" / "config.json").read_text())
    config["postnet_channels"] = 12
    (tmp_path / "other.json").write_text(json.dumps(config))
    with pytest.raises(SynthesisError) as info:
        Synthesizer(model_path, tmp_path / "other.json")
    message = str(info.value)
    assert "\n" not in message
    assert "does not match its config" in message and "postnet" in message


# ---------------------------------------------------------------------------- vocoder
def test_vocoder_gets_the_mel_in_its_own_normalisation(tmp_path, standin_vocoder):
    tts_paths = write_toy_model(tmp_path / "tts", audio=BaseAudioConfig(do_trim_silence=False))
    vocoder = standin_vocoder(BaseAudioConfig(max_norm=1.0, symmetric_norm=False, ref_level_db=25))
    synth = Synthesizer(*tts_paths, vocoder_checkpoint=vocoder[0], vocoder_config=vocoder[1])
    vocoder = standin_vocoder.made[-1]
    assert vocoder.loaded is not None and synth.output_sample_rate == 22050
    mel = np.random.default_rng(0).uniform(-3, 3, size=(7, 80)).astype(np.float32)
    wav = synth.vocode(mel)
    expected = synth.vocoder_ap.normalize(synth.tts_model.ap.denormalize(mel.T))
    np.testing.assert_allclose(vocoder.inputs[-1][0].numpy(), expected, atol=1e-5)
    assert vocoder.inputs[-1].shape == (1, 80, 7)
    assert wav.shape == (7 * 256 + int(StandInVocoder.SILENCE_S * 22050),)


def test_vocoder_input_is_unchanged_when_normalisations_match(tmp_path, standin_vocoder):
    synth = Synthesizer(*write_toy_model(tmp_path / "tts"), None, *standin_vocoder(BaseAudioConfig()))
    mel = np.random.default_rng(1).uniform(-3, 3, size=(5, 80)).astype(np.float32)
    synth.vocode(mel)
    assert np.array_equal(standin_vocoder.made[-1].inputs[-1][0].numpy(), mel.T)


def test_vocoder_input_is_stretched_when_sample_rates_differ(tmp_path, standin_vocoder):
    synth = Synthesizer(*write_toy_model(tmp_path / "tts"), None, *standin_vocoder(BaseAudioConfig(sample_rate=44100)))
    assert synth.output_sample_rate == 44100
    synth.vocode(np.zeros((10, 80), dtype=np.float32))
    assert standin_vocoder.made[-1].inputs[-1].shape == (1, 80, 20)


def test_trailing_silence_is_trimmed(tmp_path, standin_vocoder):
    synth = Synthesizer(*write_toy_model(tmp_path / "tts"), None, *standin_vocoder(BaseAudioConfig()))
    assert synth.tts_config.audio.do_trim_silence
    wav = np.asarray(synth.tts("Hello."))
    spoken = 6 * synth.tts_model.decoder.r * 256  # 6 steps of r frames, one hop each, then 1.5 s of silence
    assert spoken <= len(wav) < spoken + 0.5 * 22050
    assert np.all(np.abs(wav[:spoken]) > 0.3)


def test_unsupported_vocoder_architecture(tmp_path, standin_vocoder):
    tts_paths = write_toy_model(tmp_path / "tts")
    paths = standin_vocoder(BaseAudioConfig(), model="wavernn")  # Coqui's autoregressive vocoder: not implemented
    assert "'wavernn'" in vocoder_support_problem(paths[1])
    with pytest.raises(UnsupportedVocoderError, match="'wavernn' .* is not supported"):
        Synthesizer(*tts_paths, None, *paths)
    assert "not of a vocoder" in vocoder_support_problem(standin_vocoder(BaseAudioConfig(), model="tacotron2")[1])
    assert vocoder_support_problem(standin_vocoder(BaseAudioConfig())[1]) is None


def test_vocoder_needs_both_files(tmp_path, standin_vocoder):
    tts_paths = write_toy_model(tmp_path / "tts")
    checkpoint, _ = standin_vocoder(BaseAudioConfig())
    with pytest.raises(SynthesisError, match="both its checkpoint and its config"):
        Synthesizer(*tts_paths, vocoder_checkpoint=checkpoint)
    with pytest.raises(FileNotFoundError, match="vocoder config not found"):
        Synthesizer(*tts_paths, None, checkpoint, tmp_path / "nope.json")


def test_hifigan_vocoder_end_to_end(tmp_path):
    """The real HiFi-GAN generator (tiny, random weights) behind the Synthesizer: 16 kHz out of a 22 kHz model."""
    config = HifiganConfig(
        audio=BaseAudioConfig(sample_rate=16000, max_norm=1.0, symmetric_norm=False),
        generator_model_params=HifiganGeneratorParams(
            upsample_initial_channel=16, resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]]
        ),
    )
    (tmp_path / "vocoder.json").write_text(json.dumps(config.to_dict()))
    torch.save({"model": setup_vocoder_model(config).state_dict()}, tmp_path / "vocoder.pth")
    synth = Synthesizer(
        *write_toy_model(tmp_path / "tts"),
        vocoder_checkpoint=tmp_path / "vocoder.pth",
        vocoder_config=tmp_path / "vocoder.json",
    )
    assert synth.output_sample_rate == 16000
    mel = np.zeros((10, 80), dtype=np.float32)
    assert synth.vocode(mel).shape == (round(10 * 16000 / 22050) * 256,)  # time stretched to 16 kHz frames
    wav = synth.tts("Hello there.")
    assert len(wav) > 0 and np.all(np.isfinite(wav))
    synth.save_wav(wav, tmp_path / "out.wav")
    assert sf.read(tmp_path / "out.wav")[1] == 16000


@pytest.mark.parametrize("momentum", [0.99, 0.0], ids=["fast", "classic"])
def test_griffin_lim_in_threads_equals_one_after_the_other(toy, momentum):
    """Several sentences vocoded in threads give, for the same numpy seed, the one-thread output."""
    toy.tts_model.ap.griffin_lim_momentum = momentum
    text = "Dr. Smith paid five dollars. He left early. Then it rained."

    def run(threads):
        torch.set_num_threads(threads)
        np.random.seed(7)
        return np.asarray(toy.tts(text))

    one_after_the_other, threaded = run(1), run(3)
    assert threaded.shape == one_after_the_other.shape and np.array_equal(threaded, one_after_the_other)
    np.random.seed(8)  # the phases are seeded per sentence: numpy's global seed does not change the audio
    assert np.array_equal(np.asarray(toy.tts(text)), threaded)
    assert not np.array_equal(np.asarray(toy.tts(text.replace("rained", "snowed")))[: len(threaded)], threaded)


def test_griffin_lim_phase_draw_of_the_wrong_shape_is_an_error(toy):
    ap = toy.tts_model.ap
    mel = np.zeros((ap.num_mels, 10))
    with pytest.raises(ValueError, match=r"phase_draw has shape \(3, 3\), the spectrogram \(\d+, 10\)"):
        ap.inv_melspectrogram(mel, phase_draw=np.zeros((3, 3)))


# ---------------------------------------------------------------------------- bad input
def test_failed_save_wav_keeps_the_old_file_and_leaves_no_temporary_file(toy, tmp_path, failing_wav_write):
    interruption = failing_wav_write
    out = tmp_path / "out" / "o.wav"
    out.parent.mkdir()
    out.write_bytes(b"the old recording")

    with pytest.raises(type(interruption)):
        toy.save_wav(np.ones(100), out)
    assert out.read_bytes() == b"the old recording"
    assert os.listdir(out.parent) == ["o.wav"]


def test_save_wav_replaces_the_target_of_a_symlink(toy, tmp_path):
    (tmp_path / "real.wav").write_bytes(b"old")
    (tmp_path / "link.wav").symlink_to(tmp_path / "real.wav")
    toy.save_wav(np.ones(100), tmp_path / "link.wav")
    assert (tmp_path / "link.wav").is_symlink()
    assert sf.read(tmp_path / "real.wav")[0].shape == (100,)


def test_save_wav_refuses_the_model_files_and_bad_paths(tmp_path):
    model_path, config_path = write_toy_model(tmp_path / "m")
    synth = Synthesizer(model_path, config_path)
    before = config_path.read_bytes()
    for path, message in [
        (config_path, "is the model's config"),
        (model_path, "is the model's checkpoint"),
        (tmp_path, "is a folder"),
        (tmp_path / "nope" / "x.wav", "does not exist"),
        ("", "is empty"),
    ]:
        with pytest.raises(SynthesisError, match=message):
            synth.save_wav(np.ones(10), path)
    assert config_path.read_bytes() == before


def test_binary_config_is_a_config_error(tmp_path):
    model_path, _ = write_toy_model(tmp_path / "m")
    (tmp_path / "bin.json").write_bytes(bytes(range(256)))
    with pytest.raises(ConfigError, match="bin.json is not a text file"):
        Synthesizer(model_path, tmp_path / "bin.json")


@pytest.mark.parametrize(
    "content, message",
    [(b"{bad", "is not valid JSON"), (b"[1]", "holds a JSON list"), (b"\xff\xfe", "is not a text file")],
)
def test_bad_speakers_file_names_the_file(tmp_path, content, message):
    model_path, config_path = write_toy_model(tmp_path, speakers=["ada", "bo"])
    (tmp_path / "speakers.json").write_bytes(content)
    with pytest.raises(SynthesisError, match=f"speakers file .*speakers.json {message}"):
        Synthesizer(model_path, config_path, tmp_path / "speakers.json")


def test_vocoder_not_matching_its_config_is_summarised(tmp_path):
    write_mismatched_vocoder(tmp_path, extra_tensor=True)
    with pytest.raises(SynthesisError) as info:
        Synthesizer(*write_toy_model(tmp_path / "tts"), None, tmp_path / "vocoder.pth", tmp_path / "vocoder.json")
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert re.search(
        r"does not match its config .*vocoder.json: \d+ with a different shape, 1 in the checkpoint", message
    )
    assert re.search(r"\(e\.g\. \S+: \(32,?.*\) in the checkpoint, \(16,?.*\) for the config\)$", message)


@pytest.mark.parametrize("interruption", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_atomic_output_keeps_the_old_file_when_a_partial_write_fails(tmp_path, interruption):
    out = tmp_path / "o.wav"
    out.write_bytes(b"the old recording")
    with pytest.raises(type(interruption)):
        with atomic_output(out) as f:
            f.write(b"RIFF" * 1000)
            f.flush()
            raise interruption
    assert out.read_bytes() == b"the old recording"
    assert os.listdir(tmp_path) == ["o.wav"]
    with atomic_output(out) as f:
        f.write(b"new")
    assert out.read_bytes() == b"new" and os.listdir(tmp_path) == ["o.wav"]


# ---------------------------------------------------------------------------- audit findings
@pytest.mark.parametrize("audio", [None, {}], ids=["missing", "empty"])
def test_a_config_without_audio_settings_is_refused_for_synthesis(tmp_path, standin_vocoder, audio):
    """Default audio settings would turn the model's mels into wrong, quieter sound: the file is named instead."""
    model_path, config_path = write_toy_model(tmp_path / "tts")
    config = json.loads(config_path.read_text())
    del config["audio"]
    if audio is not None:
        config["audio"] = audio
    (tmp_path / "noaudio.json").write_text(json.dumps(config))
    section = "no 'audio' section" if audio is None else "an empty 'audio' section"
    with pytest.raises(ConfigError, match=f"^config {re.escape(str(tmp_path / 'noaudio.json'))} has {section}: "):
        Synthesizer(model_path, tmp_path / "noaudio.json")
    vocoder_path, vocoder_config = standin_vocoder(BaseAudioConfig())
    vocoder_config.write_text(json.dumps({"model": "standin_vocoder"}))
    with pytest.raises(ConfigError, match="^vocoder config .* has no 'audio' section: the model's audio settings"):
        Synthesizer(model_path, config_path, None, vocoder_path, vocoder_config)


def test_a_vocoder_config_as_the_tts_config_names_the_file(tmp_path):
    model_path, _ = write_toy_model(tmp_path / "tts")
    (tmp_path / "hifi.json").write_text(json.dumps({"model": "hifigan"}))
    with pytest.raises(ConfigError, match=r"hifi\.json is a vocoder config \(hifigan\), not a TTS model config"):
        Synthesizer(model_path, tmp_path / "hifi.json")
    with pytest.raises(
        ConfigError, match="config field 'model': 'hifigan' is not a TTS model; known TTS models: glow_tts, tacot"
    ):
        setup_model(HifiganConfig())


def test_save_wav_refuses_a_path_ending_with_a_separator_and_a_text_pipe(toy, tmp_path):
    (tmp_path / "exist.wav").write_bytes(b"the old recording")
    for path in (f"{tmp_path}/exist.wav/", f"{tmp_path}/missing_dir/"):
        with pytest.raises(SynthesisError, match="ends with a path separator, so it names a folder"):
            toy.save_wav(np.ones(10), path)
    with pytest.raises(SynthesisError, match=r"exist\.wav is a file, not a folder"):
        toy.save_wav(np.ones(10), tmp_path / "exist.wav" / "x.wav")
    with pytest.raises(TypeError, match="pipe_out is a text stream"):
        toy.save_wav(np.ones(10), tmp_path / "new.wav", pipe_out=io.StringIO())
    with open(tmp_path / "exist.wav", "rb") as read_only:
        with pytest.raises(ValueError, match="pipe_out is not open for writing"):
            toy.save_wav(np.ones(10), tmp_path / "new.wav", pipe_out=read_only)
    assert sorted(os.listdir(tmp_path)) == ["exist.wav", "toy"]
    assert (tmp_path / "exist.wav").read_bytes() == b"the old recording"


def test_atomic_output_refuses_a_path_ending_with_a_separator(tmp_path):
    (tmp_path / "exist.wav").write_bytes(b"the old recording")
    for path in (f"{tmp_path}/exist.wav/", f"{tmp_path}/missing_dir/"):
        with pytest.raises(IsADirectoryError, match="names a folder"):
            with atomic_output(path) as f:
                f.write(b"new")
    assert os.listdir(tmp_path) == ["exist.wav"] and (tmp_path / "exist.wav").read_bytes() == b"the old recording"


def test_speakers_for_a_single_speaker_model_are_an_error(tmp_path):
    model_path, config_path = write_toy_model(tmp_path)
    synth = Synthesizer(model_path, config_path)
    with pytest.raises(SynthesisError, match=r"^speaker 'ada': the model has no speakers \(single-speaker model\)$"):
        synth.tts("Hello.", speaker_name="ada")
    (tmp_path / "speakers.json").write_text(json.dumps({"ada": 0}))
    with pytest.raises(SynthesisError, match=r"speakers\.json: the model has no speakers \(single-speaker model\)$"):
        Synthesizer(model_path, config_path, tmp_path / "speakers.json")


def test_device_errors_are_one_line_value_errors(tmp_path):
    with pytest.raises(ValueError, match=r"^device 'toaster' is not a torch device"):
        Synthesizer(*write_toy_model(tmp_path), device="toaster")
