"""The small interfaces the Synthesizer uses: ``AcousticModel`` (tokens in, mel frames out) and ``Vocoder``
(mel in, waveform out), their implementations, and that inference code reaches into no model internals."""

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.glow_tts_config import GlowTTSConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.models.glow_tts import GlowTTS
from TTS.tts.models.interface import AcousticModel, MelBatch, OutputTooLongError, synthesize_in_batches
from TTS.tts.models.tacotron2 import Tacotron2
from TTS.utils.audio import AudioProcessor
from TTS.vocoder.configs.hifigan_config import HifiganConfig, HifiganGeneratorParams
from TTS.vocoder.griffin_lim import GriffinLimVocoder
from TTS.vocoder.interface import EXACT, STFT_CENTRED, Vocoder
from TTS.vocoder.models import setup_model as setup_vocoder_model
from TTS.vocoder.models.model_vocoder import ModelVocoder
from helpers.toy_models import TOY_TACOTRON2_WIDTHS

INFERENCE = Path(__file__).resolve().parents[2] / "TTS" / "inference"


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
    torch.set_num_threads(threads)


def tacotron2(**fields) -> Tacotron2:
    config = Tacotron2Config(**TOY_TACOTRON2_WIDTHS, max_decoder_steps=8, **fields)
    return Tacotron2.init_from_config(config).eval()


def glow_tts(**fields) -> GlowTTS:
    config = GlowTTSConfig(
        hidden_channels_enc=16,
        hidden_channels_dec=16,
        hidden_channels_dp=16,
        num_flow_blocks_dec=2,
        num_block_layers=2,
        encoder_params={"kernel_size": 3, "dropout_p": 0.1, "num_layers": 1, "num_heads": 2,
                        "hidden_channels_ffn": 32, "input_length": None},
        **fields,
    )  # fmt: skip
    return GlowTTS.init_from_config(config).eval()


def batch(*lengths: int):
    tokens = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
    for row, length in enumerate(lengths):
        tokens[row, :length] = torch.randint(1, 20, (length,))
    return tokens, torch.tensor(lengths)


@pytest.mark.parametrize("make", [tacotron2, glow_tts])
def test_models_give_a_mel_batch_with_per_item_lengths(make):
    model = make()
    assert isinstance(model, AcousticModel)
    tokens, lengths = batch(7, 4)
    limits = torch.full((2,), model.max_output_frames)
    out = model.synthesize(tokens, lengths, speaker_ids=None, max_frames=limits)
    assert isinstance(out, MelBatch)
    assert out.mels.shape[0] == 2 and out.mels.shape[2] == model.ap.num_mels
    assert out.lengths.shape == (2,) and int(out.lengths.max()) <= out.mels.shape[1]
    assert int(out.lengths.max()) <= model.max_output_frames
    assert model.frame_rate == pytest.approx(model.ap.sample_rate / model.ap.hop_length)


def test_tacotron2_limits_follow_its_decoder():
    model = tacotron2(r=2)
    assert model.frames_per_step == 2
    assert model.max_output_frames == 8 * 2
    assert model.can_batch
    model.decoder.attention.windowing = True
    assert not model.can_batch


def test_tacotron2_frame_limit_is_rounded_up_to_whole_steps():
    model = tacotron2(r=2, stop_threshold=1.1)  # the stop token never fires: the limit ends every item
    tokens, lengths = batch(5)
    out = model.synthesize(tokens, lengths, speaker_ids=None, max_frames=torch.tensor([3]))
    assert int(out.lengths[0]) == 4 and not bool(out.stop_reached[0])


def test_glow_tts_batch_equals_one_by_one_and_refuses_too_long_output():
    model = glow_tts()
    sequences = [torch.randint(1, 20, (n,)).tolist() for n in (9, 3, 6)]
    together = synthesize_in_batches(model, sequences, batch_size=3)
    alone = [synthesize_in_batches(model, [ids])[0] for ids in sequences]
    for a, b in zip(together, alone):
        assert a.mel.shape == b.mel.shape and np.abs(a.mel - b.mel).max() < 1e-4
        assert a.stop_reached and not a.text_end_stop
    assert model.can_batch and model.max_output_frames == model.config.max_inference_frames
    model.config.max_inference_frames = 2
    with pytest.raises(OutputTooLongError, match="max_inference_frames"):
        synthesize_in_batches(model, sequences)


def test_spoken_tokens_leave_out_the_blanks():
    assert tacotron2().spoken_tokens(10) == 10
    assert glow_tts(add_blank=True).spoken_tokens(11) == 5


def test_griffin_lim_vocoder():
    ap = AudioProcessor.init_from_config(BaseAudioConfig(griffin_lim_iters=2))
    vocoder = GriffinLimVocoder(ap)
    assert isinstance(vocoder, Vocoder) and vocoder.padding == STFT_CENTRED and vocoder.parallel_threads
    mel = ap.melspectrogram(0.1 * np.sin(np.arange(8192) / 10.0)).T
    start = np.random.default_rng(0).random(vocoder.start_shape(mel.shape[0]))
    wav = vocoder.vocode(mel, start=start)
    assert wav.shape == ((mel.shape[0] - 1) * ap.hop_length,)
    assert np.array_equal(wav, vocoder.vocode(mel, start=start))  # the start fixes the random phases
    assert (vocoder.sample_rate, vocoder.hop_length) == (ap.sample_rate, ap.hop_length)


def test_model_vocoder_gives_one_hop_per_frame():
    config = HifiganConfig(
        generator_model_params=HifiganGeneratorParams(
            upsample_factors=[8, 8, 4], upsample_kernel_sizes=[16, 16, 8], upsample_initial_channel=16,
            resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]],
        ),
    )  # fmt: skip
    ap = AudioProcessor.init_from_config(config)
    vocoder = ModelVocoder(model=setup_vocoder_model(config).eval(), ap=ap, source_ap=ap)
    assert vocoder.padding == EXACT and vocoder.start_shape(5) is None and not vocoder.parallel_threads
    wav = vocoder.vocode(np.zeros((5, ap.num_mels), dtype=np.float32))
    assert wav.shape == (5 * ap.hop_length,)


FORBIDDEN_ATTRIBUTES = {"decoder", "max_decoder_steps", "windowing", "add_blank", "r", "synthesize_batches"}


def test_inference_code_uses_only_the_interfaces():
    found = []
    for path in sorted(INFERENCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            # model-type checks: isinstance(x, GlowTTS), hasattr(self.tts_model, ...), getattr(model, ...)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("isinstance", "hasattr", "getattr"):
                source = ast.unparse(node)
                if any(word in source for word in ("tts_model", "vocoder_model", "Tacotron", "Glow", "BaseTTS")):
                    found.append(f"{path.name}:{node.lineno} {source}")
    assert found == []
