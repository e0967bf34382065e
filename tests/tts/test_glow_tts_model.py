"""Glow-TTS at toy sizes: the call forms and output keys of Coqui's GlowTTS, speakers, training hooks."""

import json

import numpy as np
import pytest
import torch

from TTS.config import config_from_dict
from TTS.tts.configs.glow_tts_config import GlowTTSConfig
from TTS.tts.layers.losses import GlowTTSLoss
from TTS.tts.models import setup_model
from TTS.tts.models.glow_tts import GlowTTS, OutputTooLongError
from TTS.tts.utils.speakers import SpeakerManager

pytestmark = pytest.mark.usefixtures("one_thread_and_seed")


def toy_config(**overrides) -> GlowTTSConfig:
    fields = dict(
        hidden_channels_enc=16,
        hidden_channels_dec=16,
        hidden_channels_dp=16,
        num_flow_blocks_dec=2,
        num_block_layers=2,
        encoder_params={"kernel_size": 3, "dropout_p": 0.1, "num_layers": 1, "num_heads": 2, "hidden_channels_ffn": 32, "input_length": None},
        test_sentences=["Be a voice."],
    )
    fields.update(overrides)
    return GlowTTSConfig(**fields)


def inputs(batch=3, text=12, frames=30):
    x = torch.randint(1, 30, (batch, text))
    x_lengths = torch.tensor([text] + [text - 2] * (batch - 1))
    y = torch.rand(batch, frames, 80)
    y_lengths = torch.tensor([frames] + [frames - 6] * (batch - 1))
    return x, x_lengths, y, y_lengths


def d_vector_file(tmp_path, dim=8, speakers=("a", "b")):
    table = {f"{s}_{i}.wav": {"name": s, "embedding": np.random.rand(dim).tolist()} for s in speakers for i in range(2)}
    path = tmp_path / "d_vectors.json"
    path.write_text(json.dumps(table))
    return str(path)


def test_forward_keys_and_shapes():
    model = GlowTTS(toy_config()).train()
    x, x_lengths, y, y_lengths = inputs(frames=31)  # odd: trimmed to the squeeze factor
    out = model.forward(x, x_lengths, y, y_lengths)
    for key in ("z", "y_mean", "y_log_scale"):
        assert out[key].shape == (3, 30, 80)
    assert out["logdet"].shape == (3,)
    assert out["alignments"].shape == (3, 30, 12)
    assert out["durations_log"].shape == out["total_durations_log"].shape == (3, 12, 1)
    # each real frame is aligned to exactly one real token
    assert out["alignments"][1, :24].sum(-1).eq(1).all() and out["alignments"][1, 24:].sum() == 0


def test_inference_keys_length_scale_and_limit():
    model = GlowTTS(toy_config()).eval()
    torch.nn.init.constant_(model.encoder.duration_predictor.proj.bias, np.log(4.0))  # about 3 frames per token
    x, x_lengths, _, _ = inputs()
    out = model.inference(x, aux_input={"x_lengths": x_lengths})
    assert out["logdet"] is None
    frames = out["model_outputs"].shape[1]
    # as Coqui: the alignment and priors keep a last odd frame that the flow's squeeze drops from the mel
    assert out["alignments"].shape[1] - frames in (0, 1) and out["alignments"].shape[2] == 12
    assert out["y_mean"].shape[1] == out["alignments"].shape[1]
    assert out["lengths"].max() == frames
    model.length_scale = 2.0
    assert model.inference(x, aux_input={"x_lengths": x_lengths})["model_outputs"].shape[1] > frames
    model.config.max_inference_frames = 5
    with pytest.raises(OutputTooLongError, match="max_inference_frames"):
        model.inference(x, aux_input={"x_lengths": x_lengths})


def test_batch_inference_equals_one_by_one():
    model = GlowTTS(toy_config()).eval()
    torch.nn.init.constant_(model.encoder.duration_predictor.proj.bias, np.log(4.0))
    texts = [torch.randint(1, 30, (n,)) for n in (9, 4, 7)]
    batched = model.synthesize_batches([t.tolist() for t in texts], batch_size=3)
    for tokens, mel in zip(texts, batched):
        alone = model.inference(tokens[None])["model_outputs"][0].numpy()
        assert mel.shape == alone.shape
        assert np.abs(mel - alone).max() < 1e-4


def test_decoder_is_invertible():
    model = GlowTTS(toy_config()).eval()
    _, _, y, y_lengths = inputs()
    mel = model.decoder_inference(y, y_lengths)["model_outputs"]
    mask = (torch.arange(30)[None, :] < y_lengths[:, None]).float()[..., None]
    assert torch.allclose(mel * mask, y * mask, atol=1e-4)
    assert model.inference_with_MAS(*inputs())["model_outputs"].shape == mel.shape


def test_speaker_ids_condition_the_output():
    config = toy_config(use_speaker_embedding=True, speakers=["a", "b", "c"])
    model = GlowTTS(config).eval()
    assert model.num_speakers == 3 and model.c_in_channels == model.hidden_channels_enc
    assert model.emb_g.weight.shape == (3, 16)
    x, x_lengths, _, _ = inputs(batch=1)
    out_a = model.inference(x, {"x_lengths": x_lengths, "speaker_ids": torch.tensor([0])})["durations_log"]
    out_b = model.inference(x, {"x_lengths": x_lengths, "speaker_ids": torch.tensor([1])})["durations_log"]
    assert not torch.allclose(out_a, out_b)
    with pytest.raises(ValueError, match="speaker_ids"):
        model.inference(x, {"x_lengths": x_lengths})


def test_d_vectors(tmp_path):
    config = toy_config(use_d_vector_file=True, d_vector_dim=8, d_vector_file=d_vector_file(tmp_path))
    model = GlowTTS(config).train()
    assert model.c_in_channels == model.speaker_manager.embedding_dim == 8
    assert model.num_speakers == 2 and not hasattr(model, "emb_g")
    x, x_lengths, y, y_lengths = inputs()
    out = model.forward(x, x_lengths, y, y_lengths, {"d_vectors": torch.rand(3, 8)})
    assert out["z"].shape == (3, 30, 80)
    with pytest.raises(Exception, match="d_vector_dim"):
        GlowTTS(toy_config(use_d_vector_file=True, d_vector_dim=4, d_vector_file=config.d_vector_file))


def test_speaker_manager_from_config(tmp_path):
    speakers_file = tmp_path / "speakers.json"
    speakers_file.write_text(json.dumps({"x": 0, "y": 1}))
    manager = SpeakerManager.init_from_config(toy_config(use_speaker_embedding=True, speakers_file=str(speakers_file)))
    assert manager.num_speakers == 2 and manager.speaker_names == ["x", "y"] and manager.name_to_id["y"] == 1
    assert SpeakerManager.init_from_config(toy_config(speakers=["p"])) is None  # no speaker embedding asked for
    assert GlowTTS(toy_config(speakers=["p", "q"])).num_speakers == 1


def test_act_norm_lock_unlock_and_data_dependent_init():
    model = GlowTTS(toy_config()).train()
    model.unlock_act_norm_layers()
    act_norms = [f for f in model.decoder.flows if hasattr(f, "set_ddi")]
    assert act_norms and not any(f.initialized for f in act_norms)
    batch = dict(zip(("text_input", "text_lengths", "mel_input", "mel_lengths"), inputs()))
    batch.update(d_vectors=None, speaker_ids=None)
    model.run_data_dep_init = True
    assert model.train_step(batch, model.get_criterion()) == (None, None)
    assert all(f.initialized for f in act_norms)
    assert act_norms[0].logs.abs().sum() > 0  # set from the data
    model.lock_act_norm_layers()
    assert all(f.initialized for f in act_norms)


def test_train_step_changes_every_parameter():
    model = GlowTTS(toy_config()).train()
    model.run_data_dep_init = False
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, x_lengths, y, y_lengths = inputs()
    batch = {"token_id": x, "token_id_lengths": x_lengths, "mel": y, "mel_lengths": y_lengths}  # our loader's keys
    criterion = model.get_criterion()
    assert isinstance(criterion, GlowTTSLoss)
    for _ in range(3):
        optimizer.zero_grad()
        _, losses = model.train_step(model.format_batch(dict(batch)), criterion)
        assert set(losses) == {"loss", "log_mle", "loss_dur"}
        losses["loss"].backward()
        optimizer.step()
    unchanged = [name for name, p in model.named_parameters() if torch.equal(p, before[name])]
    assert not unchanged


class RecordingLogger:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args: self.calls.append(name)


def test_train_eval_log_and_test_run():
    model = GlowTTS(toy_config()).train()
    model.run_data_dep_init = False
    batch = dict(zip(("text_input", "text_lengths", "mel_input", "mel_lengths"), inputs()))
    batch.update(d_vectors=None, speaker_ids=None)
    outputs, _ = model.train_step(batch, model.get_criterion())
    logger = RecordingLogger()
    model.train_log(batch, outputs, logger, None, 1)
    model.eval_log(batch, outputs, logger, None, 1)
    assert logger.calls == ["train_figures", "train_audios", "eval_figures", "eval_audios"]
    figures, audios = model.eval().test_run(None)
    assert set(figures) == {"0-prediction", "0-alignment"} and audios["0-audio"].ndim == 1


def test_load_checkpoint_eval_and_old_weight_norm_keys(tmp_path):
    model = GlowTTS(toy_config())
    state = model.state_dict()
    path = tmp_path / "model.pth"
    torch.save({"model": state}, path)
    model.load_checkpoint(model.config, str(path))
    assert model.training
    x, x_lengths, _, _ = inputs(batch=1)
    reference = GlowTTS(toy_config())
    reference.load_state_dict(state)
    expected = reference.eval().inference(x)["model_outputs"]
    model.load_checkpoint(model.config, str(path), eval=True)
    assert not model.training
    assert torch.allclose(model.inference(x)["model_outputs"], expected, atol=1e-4)
    # keys of checkpoints saved before torch's weight-norm parametrisation
    old = {}
    for key, value in state.items():
        key = key.replace(".parametrizations.weight.original0", ".weight_g").replace(".parametrizations.weight.original1", ".weight_v")
        old[key] = value
    fresh = GlowTTS(toy_config())
    fresh.load_state_dict(old)
    assert torch.allclose(fresh.eval().inference(x)["model_outputs"], expected, atol=1e-4)
    # into a model prepared for inference (weight norm folded), old and new keys alike
    for source in (old, state):
        model.load_state_dict(source)
        assert torch.allclose(model.inference(x)["model_outputs"], expected, atol=1e-4)


def test_config_loader_and_setup_model():
    config = config_from_dict({"model": "glow_tts", "hidden_channels_enc": 16, "num_flow_blocks_dec": 1})
    assert isinstance(config, GlowTTSConfig) and config.hidden_channels_enc == 16
    config.encoder_params = dict(toy_config().encoder_params)
    config.hidden_channels_dec = config.hidden_channels_dp = 16
    model = setup_model(config)
    assert isinstance(model, GlowTTS) and model.config.num_chars == model.encoder.emb.num_embeddings
    with pytest.raises(Exception, match="num_splits"):
        config_from_dict({"model": "glow_tts", "num_splits": 3})


@pytest.fixture
def glow_files(tmp_path):
    """A toy Glow-TTS checkpoint and config.json (durations of about 3 frames per token)."""
    from TTS.config.shared_configs import BaseAudioConfig

    audio = BaseAudioConfig(
        sample_rate=8000, fft_size=256, win_length=256, hop_length=64, num_mels=20, mel_fmax=4000,
        griffin_lim_iters=2, do_trim_silence=False,
    )  # fmt: skip
    config = toy_config(out_channels=20, audio=audio)
    model = GlowTTS.init_from_config(config)
    torch.nn.init.constant_(model.encoder.duration_predictor.proj.bias, np.log(4.0))
    model_path, config_path = tmp_path / "model.pth", tmp_path / "config.json"
    state = {  # saved as torch's old weight norm did (Coqui's zoo checkpoints)
        key.replace(".parametrizations.weight.original0", ".weight_g").replace(".parametrizations.weight.original1", ".weight_v"): value
        for key, value in model.state_dict().items()
    }
    torch.save({"model": state, "config": model.config.to_dict()}, model_path)
    model.config.save_json(str(config_path))
    return model_path, config_path


def test_api_synthesises_batches_with_speed_and_a_length_limit(glow_files):
    from TTS.api import TTS
    from TTS.utils.synthesizer import SynthesisError

    api = TTS(model_path=glow_files[0], config_path=glow_files[1])
    text = "Go home now. The sun is up. We ran fast."
    one_by_one = np.asarray(api.tts(text, batch_size=1))
    batched = np.asarray(api.tts(text, batch_size=3))
    assert one_by_one.shape == batched.shape
    slow = api.tts(text, batch_size=3, speed=0.5)
    assert len(slow) > 1.5 * len(batched)
    assert api.synthesizer.tts_model.length_scale == 1.0  # speed applies to one call
    api.synthesizer.tts_model.config.max_inference_frames = 20
    with pytest.raises(SynthesisError, match="max_inference_frames"):
        api.tts(text)


def test_tts_cli_length_scale(glow_files, tmp_path):
    import subprocess
    import sys

    import soundfile as sf

    lengths = {}
    for scale in ("1", "2"):
        out = tmp_path / f"{scale}.wav"
        result = subprocess.run(
            [sys.executable, "-m", "TTS.bin.synthesize", "--model_path", str(glow_files[0]), "--config_path",
             str(glow_files[1]), "--text", "Go home now.", "--length_scale", scale, "--out_path", str(out)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        lengths[scale] = sf.info(str(out)).frames
    assert lengths["2"] > 1.5 * lengths["1"]


def test_coqui_recipe_call_form():
    from TTS.tts.utils.text.tokenizer import TTSTokenizer
    from TTS.utils.audio import AudioProcessor

    config = toy_config()
    ap = AudioProcessor.init_from_config(config)
    tokenizer, config = TTSTokenizer.init_from_config(config)
    model = GlowTTS(config, ap, tokenizer, speaker_manager=None)
    assert model.ap is ap and model.tokenizer is tokenizer and model.speaker_manager is None
    assert model.encoder.emb.num_embeddings == tokenizer.characters.num_chars
