"""Coqui TTS users' code runs unchanged: each Coqui 0.27 / 0.28 call form gives exactly what our own form gives.

Every form is run against this package's own form on the same inputs, with the weights of the Coqui
fixture checkpoints (``coqui_fixtures`` / ``coqui_checkpoint``), and the outputs must be identical.
A Coqui feature this package does not have (GST, Capacitron, XTTS, voice cloning) ends in one error line
naming it. The recipe form (``Trainer(...).fit()`` in a Coqui-style script) is in ``test_coqui_recipe.py``.
"""

import importlib
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf
import torch
from helpers.corpus import make_ljspeech_corpus
from helpers.toy_models import TOY_TACOTRON2_WIDTHS

from TTS.api import TTS
from TTS.config import ConfigError, config_from_dict, load_config
from TTS.config.shared_configs import BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.datasets import load_tts_samples
from TTS.tts.layers.losses import MSELossMasked, TacotronLoss
from TTS.tts.layers.tacotron2.losses import masked_mse
from TTS.tts.models import setup_model
from TTS.tts.models.tacotron2 import Tacotron2
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor
from TTS.utils.manage import ModelManager, ModelNotFoundError
from TTS.utils.synthesizer import SynthesisError, Synthesizer

FIXTURE = "b_tacotron2_r2"  # plain Tacotron2, graphemes: no espeak needed
STEPS = 12  # decoder steps of the inference comparisons (the fixture's random weights never stop)
DEFAULT = "tts_models/en/kumo/tacotron2-DDC"  # the registry's default model, shipped in the package

pytestmark = pytest.mark.usefixtures("one_thread_and_seed")


@pytest.fixture(scope="module")
def files(coqui_fixtures, coqui_checkpoint):
    """(config.json, checkpoint) of the fixture."""
    return coqui_fixtures / FIXTURE / "config.json", coqui_checkpoint(FIXTURE)


@pytest.fixture(scope="module")
def refs(coqui_fixtures):
    return np.load(coqui_fixtures / FIXTURE / "refs.npz")


def ours(files) -> Tacotron2:
    """This package's form: ``setup_model(load_config(...))`` and ``load_checkpoint``."""
    config = load_config(files[0])
    model = setup_model(config)
    model.load_checkpoint(config, str(files[1]), eval=True)
    return model


def loaded(model: Tacotron2, files) -> Tacotron2:
    model.load_checkpoint(model.config, str(files[1]), eval=True)
    return model


def run_inference(model: Tacotron2, ids: torch.Tensor, *args, **kwargs):
    model.decoder.stop_threshold = 2.0  # never stop early: every form runs STEPS steps
    model.decoder.max_decoder_steps = STEPS
    return model.inference(ids, *args, **kwargs)


def assert_same_outputs(a, b, keys=("model_outputs", "decoder_outputs", "alignments", "stop_tokens")):
    for key in keys:
        assert torch.equal(a[key], b[key]), key


# ---------------------------------------------------------------------------- import paths
@pytest.mark.parametrize(
    "module, names",
    [
        ("TTS.config", ["load_config", "BaseAudioConfig", "BaseDatasetConfig", "BaseTrainingConfig"]),
        ("TTS.config.shared_configs", ["BaseAudioConfig", "BaseDatasetConfig", "BaseTrainingConfig"]),
        ("TTS.tts.configs.shared_configs", ["BaseDatasetConfig", "CharactersConfig", "BaseTTSConfig", "GSTConfig"]),
        ("TTS.tts.configs.tacotron2_config", ["Tacotron2Config"]),
        ("TTS.tts.datasets", ["load_tts_samples"]),
        ("TTS.tts.models.tacotron2", ["Tacotron2"]),
        ("TTS.tts.models", ["setup_model"]),
        ("TTS.tts.layers.losses", ["MSELossMasked", "L1LossMasked", "TacotronLoss"]),
        ("TTS.tts.utils.text.tokenizer", ["TTSTokenizer"]),
        ("TTS.utils.audio", ["AudioProcessor"]),
        ("TTS.utils.synthesizer", ["Synthesizer"]),
        ("TTS.utils.manage", ["ModelManager"]),
        ("TTS.api", ["TTS"]),
    ],
)
def test_coqui_import_paths(module, names):
    imported = importlib.import_module(module)
    missing = [name for name in names if not hasattr(imported, name)]
    assert not missing, f"{module} lacks {missing}"


def test_reexported_configs_are_the_same_classes():
    config_package = importlib.import_module("TTS.config")
    shared = importlib.import_module("TTS.config.shared_configs")
    tts_shared = importlib.import_module("TTS.tts.configs.shared_configs")
    for name in ("BaseAudioConfig", "BaseDatasetConfig", "BaseTrainingConfig"):
        assert getattr(config_package, name) is getattr(shared, name) is getattr(tts_shared, name)


# ---------------------------------------------------------------------------- constructors
def test_model_constructor_forms_give_the_same_model(files, refs):
    ids = torch.from_numpy(refs["ids_0"])[None]
    reference = run_inference(ours(files), ids)

    # Coqui 0.27: every asset built by the script, handed over positionally
    config = load_config(files[0])
    ap = AudioProcessor(**config.audio.to_dict())
    tokenizer, config = TTSTokenizer.init_from_config(config)
    positional = loaded(Tacotron2(config, ap, tokenizer, speaker_manager=None), files)
    assert_same_outputs(run_inference(positional, ids), reference)
    assert positional.ap is ap and positional.tokenizer is tokenizer

    # Coqui 0.28: the config alone (ap and tokenizer from it); also as the recipe hands it over,
    # before any vocabulary is filled in (characters null, num_chars 0)
    for blank_vocabulary in (False, True):
        config = load_config(files[0])
        if blank_vocabulary:
            config.characters, config.num_chars = None, 0
        alone = loaded(Tacotron2(config), files)
        assert config.num_chars == alone.embedding.num_embeddings == 67
        assert_same_outputs(run_inference(alone, ids), reference)
        assert alone.tokenizer.text_to_ids("Hello world.", language="en") == refs["ids_0"].tolist()
        assert alone.ap.sample_rate == config.audio.sample_rate


def test_speaker_manager_is_the_same_as_speaker_names(one_thread_and_seed):
    names = ["ann", "bob", "cy"]
    config = Tacotron2Config(num_chars=20, use_speaker_embedding=True, **TOY_TACOTRON2_WIDTHS)
    own = Tacotron2(config, speaker_names=names).eval()
    manager = SimpleNamespace(num_speakers=3, speaker_names=names)  # Coqui's SpeakerManager, duck-typed
    coqui = Tacotron2(config, None, None, manager).eval()
    coqui.load_state_dict(own.state_dict())
    assert coqui.speaker_names == names and coqui.num_speakers == 3
    # Coqui's unnamed speakers: config.num_speakers rows
    unnamed_config = Tacotron2Config(num_chars=20, use_speaker_embedding=True, num_speakers=3, **TOY_TACOTRON2_WIDTHS)
    unnamed = Tacotron2(unnamed_config)
    assert unnamed.speaker_embedding.weight.shape == own.speaker_embedding.weight.shape

    ids, lengths = torch.randint(1, 20, (2, 7)), torch.tensor([7, 5])
    mel, mel_lengths = torch.rand(2, 8, config.audio.num_mels), torch.tensor([8, 6])
    speakers = torch.tensor([2, 0])
    expected = own.forward(ids, lengths, mel, mel_lengths, speaker_ids=speakers)
    for outputs in (
        coqui.forward(ids, lengths, mel, mel_lengths, aux_input={"speaker_ids": speakers, "d_vectors": None}),
        coqui.forward(ids, lengths, mel, mel_lengths, {"speaker_ids": speakers[:, None]}),  # (B, 1), positional
    ):
        assert_same_outputs(outputs, expected)
    own.decoder.max_decoder_steps = coqui.decoder.max_decoder_steps = 5
    expected = own.inference(ids[:1], speaker_ids=speakers[:1])
    assert_same_outputs(coqui.inference(ids[:1], aux_input={"speaker_ids": speakers[:1]}), expected)


def test_audio_processor_forms(coqui_fixtures):
    config = load_config(coqui_fixtures / "a_ljspeech_ddc" / "config.json")  # the recipe's audio settings
    wav_path = coqui_fixtures / "a_ljspeech_ddc" / "chirp.wav"
    own = AudioProcessor.init_from_config(config)
    expected = own.melspectrogram(own.load_wav(wav_path))
    forms = {
        "AudioProcessor(**config.audio.to_dict())": AudioProcessor(**config.audio.to_dict()),  # Coqui <= 0.27
        "AudioProcessor(**config.audio)": AudioProcessor(**config.audio),
        "AudioProcessor(config.audio)": AudioProcessor(config.audio),  # Coqui 0.28
        "AudioProcessor(config.audio.to_dict())": AudioProcessor(config.audio.to_dict()),
        "AudioProcessor.init_from_config(config.audio)": AudioProcessor.init_from_config(config.audio),
    }
    for form, ap in forms.items():
        assert np.array_equal(ap.melspectrogram(ap.load_wav(wav_path)), expected), form
        assert ap.log_func == "np.log" and ap.mel_fmax == 8000, form
    with pytest.raises(TypeError, match="give an audio config or keyword settings, not both"):
        AudioProcessor(config.audio, num_mels=40)


def test_tokenizer_init_from_config_returns_the_tokenizer_and_the_config(files, refs):
    config = load_config(files[0])
    config.characters, config.num_chars = None, 0  # as a recipe builds it
    tokenizer, new_config = TTSTokenizer.init_from_config(config)
    assert isinstance(tokenizer, TTSTokenizer) and isinstance(new_config, Tacotron2Config)
    assert new_config.num_chars == tokenizer.characters.num_chars == 67
    assert tokenizer.text_to_ids("Hello world.", language="en") == refs["ids_0"].tolist()


def test_load_tts_samples_forms(tmp_path):
    corpus = make_ljspeech_corpus(tmp_path / "LJSpeech-1.1", count=8)
    dataset = BaseDatasetConfig(formatter="ljspeech", meta_file_train="metadata.csv", path=str(corpus))
    expected = load_tts_samples([dataset], eval_split=True, eval_split_size=2)
    config = Tacotron2Config(datasets=[dataset], eval_split_size=2)
    for form in (dataset, [dataset], dataset.to_dict(), config):
        got = load_tts_samples(form, eval_split=True, eval_split_max_size=None, eval_split_size=2)
        assert got == expected
    assert len(expected[0]) == 6 and len(expected[1]) == 2


# ---------------------------------------------------------------------------- aux_input and Coqui's keys
def test_inference_aux_input_forms(files, refs):
    model = ours(files)
    ids = torch.from_numpy(refs["ids_0"])[None]
    lengths = torch.tensor([ids.shape[1]])
    expected = run_inference(model, ids, text_lengths=lengths)
    for outputs in (
        run_inference(model, ids, aux_input={"x_lengths": lengths, "speaker_ids": None, "d_vectors": None}),
        run_inference(model, ids, {"x_lengths": lengths}),  # positional, as Coqui's models are called
        run_inference(model, ids, aux_input={}),
    ):
        assert set(outputs) >= {"model_outputs", "decoder_outputs", "alignments", "stop_tokens"}
        assert_same_outputs(outputs, expected)
    with pytest.raises(TypeError, match="given twice"):
        model.inference(ids, text_lengths=lengths, aux_input={"x_lengths": lengths})


def teacher_forced_batch(refs, r: int):
    tensor = lambda key: torch.from_numpy(refs[key])  # noqa: E731
    return {
        "token_id": tensor("tf_text_input"),
        "token_id_lengths": tensor("tf_text_lengths"),
        "mel": tensor("tf_mel_input"),
        "mel_lengths": tensor("tf_mel_lengths"),
        "stop_targets": torch.repeat_interleave(tensor("tf_stop_targets"), r, dim=1),
    }


def test_forward_train_step_and_format_batch_forms(files, refs):
    model = ours(files)
    criterion = model.get_criterion()
    batch = model.format_batch(teacher_forced_batch(refs, model.decoder.r))
    # format_batch gives Coqui's names as well
    for coqui_key, own_key in (("text_input", "token_id"), ("text_lengths", "token_id_lengths"), ("mel_input", "mel")):
        assert batch[coqui_key] is batch[own_key]
    assert batch["d_vectors"] is None and batch["speaker_ids"] is None
    with torch.no_grad():
        expected_outputs, expected_losses = model.train_step(batch, criterion)
        text, lengths = batch["token_id"], batch["token_id_lengths"]
        mel, mel_lengths = batch["mel"], batch["mel_lengths"]
        forward = model.forward(text, lengths, mel, mel_lengths, aux_input={"speaker_ids": None, "d_vectors": None})
        assert_same_outputs(forward, expected_outputs)
        assert forward["capacitron_vae_outputs"] is None and "alignments_backward" in forward

        # Coqui's train_step batch: its own names, stop targets already per decoder step
        coqui_batch = {
            key: batch[key]
            for key in ("text_input", "text_lengths", "mel_input", "mel_lengths", "stop_targets", "stop_target_lengths")
        }
        coqui_batch.update(speaker_ids=None, d_vectors=None)
        outputs, losses = model.train_step(coqui_batch, criterion)
        assert_same_outputs(outputs, expected_outputs)
        assert losses.keys() == expected_losses.keys()
        assert all(torch.equal(losses[key], expected_losses[key]) for key in losses)

        # Coqui's loss modules and call forms
        coqui_loss = TacotronLoss(model.config)(
            outputs["model_outputs"], outputs["decoder_outputs"], mel, None, outputs["stop_tokens"],
            batch["stop_targets"], batch["stop_target_lengths"], None, mel_lengths, outputs["decoder_outputs_backward"],
            outputs["alignments"], batch["alignment_lengths"], outputs["alignments_backward"], lengths,
        )  # fmt: skip
        for key in ("loss", "decoder_loss", "postnet_loss", "stopnet_loss", "ga_loss"):
            assert torch.equal(coqui_loss[key], expected_losses[key]), key
        masked = MSELossMasked(seq_len_norm=False)(outputs["decoder_outputs"], mel, mel_lengths)
        assert torch.equal(masked, masked_mse(outputs["decoder_outputs"], mel, mel_lengths))
        assert torch.equal(masked, expected_losses["decoder_loss"])


# ---------------------------------------------------------------------------- Synthesizer
def test_synthesizer_coqui_keywords(files, tmp_path):
    config_path, checkpoint = files
    own = Synthesizer(checkpoint, config_path, max_seconds_per_token=0.03)
    coqui = Synthesizer(
        tts_checkpoint=checkpoint,
        tts_config_path=config_path,
        tts_speakers_file=None,
        tts_languages_file=None,
        vocoder_checkpoint=None,
        vocoder_config=None,
        use_cuda=False,
        max_seconds_per_token=0.03,
    )
    older = Synthesizer(  # Coqui before 0.22 defaults the unused files to ""
        tts_checkpoint=str(checkpoint), tts_config_path=str(config_path), tts_speakers_file="", tts_languages_file="",
        vocoder_checkpoint="", vocoder_config="", encoder_checkpoint="", encoder_config="", use_cuda=False,
        max_seconds_per_token=0.03,
    )  # fmt: skip
    np.random.seed(0)  # Griffin-Lim starts from random phases
    expected = own.tts("Hello world.")
    for synthesizer in (coqui, older):
        np.random.seed(0)
        wav = synthesizer.tts("Hello world.", speaker_name=None, language_name=None)
        assert isinstance(wav, list) and isinstance(wav[0], float)
        assert wav == expected
        assert synthesizer.output_sample_rate == own.output_sample_rate == 22050
    coqui.save_wav(expected, tmp_path / "hello.wav")
    data, rate = sf.read(tmp_path / "hello.wav")
    assert rate == 22050 and data.shape == (len(expected),)


@pytest.mark.parametrize(
    "keyword, message",
    [
        ("vc_checkpoint", "vc_checkpoint: this package has no voice conversion models"),
        ("tts_languages_file", "tts_languages_file: this package has no multilingual models"),
        ("model_dir", "model_dir: this package has no XTTS"),
    ],
)
def test_synthesizer_keywords_of_models_we_do_not_have_are_one_error(files, keyword, message):
    with pytest.raises(SynthesisError, match=message):
        Synthesizer(tts_checkpoint=files[1], tts_config_path=files[0], **{keyword: "x"})


# ---------------------------------------------------------------------------- ModelManager and TTS
def test_model_manager_coqui_forms(offline, tmp_path):
    own = ModelManager(progress_bar=False)
    coqui = ModelManager(models_file=None, output_prefix=str(tmp_path / "cache"), progress_bar=False)
    assert coqui.list_models() == own.list_models() and DEFAULT in coqui.list_models()
    model_path, config_path, model_item = coqui.download_model(DEFAULT)
    assert (model_path, config_path, model_item) == own.download_model(DEFAULT)
    assert model_path.is_file() and config_path.is_file() and model_item["model_name"] == DEFAULT
    assert coqui.model_info_by_name(DEFAULT)["model_name"] == DEFAULT
    assert coqui.list_tts_models() == [name for name in own.list_models() if name.startswith("tts_models/")]
    with pytest.raises(ModelNotFoundError, match="xtts"):
        coqui.download_model("tts_models/multilingual/multi-dataset/xtts_v2")


def test_tts_api_coqui_forms(offline, tmp_path):
    tts = TTS(DEFAULT, progress_bar=False)  # positional model name, as Coqui's docs write it
    manager = ModelManager(progress_bar=False)
    model_path, config_path, item = manager.download_model(DEFAULT)
    vocoder_path, vocoder_config_path, _ = manager.download_model(item["default_vocoder"])  # as the name brings
    by_path = TTS(
        model_path=model_path,
        config_path=config_path,
        vocoder_path=vocoder_path,
        vocoder_config_path=vocoder_config_path,
        progress_bar=False,
        gpu=False,
    )
    assert tts.list_models() == TTS.list_models()  # instance (Coqui >= 0.22) and static forms
    np.random.seed(0)
    expected = by_path.tts("Hi.")
    np.random.seed(0)
    assert tts.tts("Hi.", speaker=None, language=None) == expected
    np.random.seed(0)
    out = tts.tts_to_file(text="Hi.", speaker=None, language=None, file_path=tmp_path / "hi.wav")
    data, rate = sf.read(out)
    assert rate == tts.output_sample_rate and data.shape == (len(expected),)
    with pytest.raises(SynthesisError, match="speaker_wav: the models of this package have no voice cloning"):
        tts.tts("Hi.", speaker_wav=str(tmp_path / "me.wav"))
    with pytest.raises(ModelNotFoundError, match="xtts"):
        TTS("tts_models/multilingual/multi-dataset/xtts_v2", progress_bar=False)


# ---------------------------------------------------------------------------- what we do not have
@pytest.mark.parametrize(
    "field, message",
    [
        ("use_gst", "config field 'use_gst': this Tacotron2 has no Global Style Tokens"),
        ("use_capacitron_vae", "config field 'use_capacitron_vae': this Tacotron2 has no Capacitron VAE"),
        ("use_d_vector_file", "config field 'use_d_vector_file': this Tacotron2 has no external speaker d-vectors"),
    ],
)
def test_coqui_features_we_do_not_have_end_in_one_line(field, message):
    config = Tacotron2Config(num_chars=20, **TOY_TACOTRON2_WIDTHS)
    setattr(config, field, True)  # as Coqui's scripts set it, after building the config
    with pytest.raises(ConfigError, match=message) as caught:
        Tacotron2(config)
    assert "\n" not in str(caught.value)


def test_style_inputs_we_do_not_have_end_in_one_line():
    model = Tacotron2(Tacotron2Config(num_chars=20, **TOY_TACOTRON2_WIDTHS)).eval()
    with pytest.raises(ConfigError, match="aux_input 'style_mel': this Tacotron2 has no GST / Capacitron style input"):
        model.inference(torch.ones(1, 3, dtype=torch.long), aux_input={"style_mel": torch.zeros(1, 5, 80)})
    with pytest.raises(TypeError, match="aux_input: unknown key 'speaker_id'"):
        model.inference(torch.ones(1, 3, dtype=torch.long), aux_input={"speaker_id": 0})


def test_a_coqui_model_we_do_not_have_is_one_config_error():
    with pytest.raises(ConfigError, match="config field 'model': unknown model 'xtts'; known models: .*tacotron2"):
        config_from_dict({"model": "xtts"}, source="xtts/config.json")
