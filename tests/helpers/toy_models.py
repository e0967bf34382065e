"""Toy models of the unit tests: the real architectures at widths that run in milliseconds.

``TOY_TACOTRON2_WIDTHS`` are the Tacotron2 sizes; ``toy_config``/``build_model``/``make_batch`` give a
Tacotron2 and a hand-made batch for layer-level tests; ``write_toy_model`` and
``write_mismatched_vocoder`` write checkpoints the way a trainer saves them, for the Synthesizer, the
API, the CLI and the server.
"""

import json
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import torch

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.models import setup_model
from TTS.tts.models.tacotron2 import Tacotron2
from TTS.tts.utils.masks import sequence_mask
from TTS.vocoder.configs.hifigan_config import HifiganConfig, HifiganGeneratorParams
from TTS.vocoder.models import setup_model as setup_vocoder_model

TOY_TACOTRON2_WIDTHS = dict(
    encoder_in_features=16,
    decoder_in_features=16,
    encoder_kernel_size=3,
    prenet_dims=[8, 8],
    attention_rnn_dim=16,
    decoder_rnn_dim=16,
    attention_dim=8,
    attention_location_filters=4,
    attention_location_kernel_size=5,
    postnet_channels=8,
    postnet_kernel_size=3,
)

NUM_CHARS = 20
# The SSIM loss terms slide an 11 x 11 window over (frames, mel bands) without padding,
# as Coqui's do: a toy spectrogram needs at least 11 bands and 11 frames.
NUM_MELS = 12
SPEAKER_IDS = [0, 1, 0]
TEXT_LENGTHS = [9, 6, 3]
MEL_LENGTHS = [13, 8, 5]  # 13 is no multiple of 2 or 3: the batch is padded up to a multiple of r


def toy_config(**overrides) -> Tacotron2Config:
    fields = dict(
        num_chars=NUM_CHARS,
        **TOY_TACOTRON2_WIDTHS,
        speaker_embedding_dim=4,
        out_channels=NUM_MELS,
        decoder_output_dim=NUM_MELS,
        audio=BaseAudioConfig(num_mels=NUM_MELS),
    )
    fields.update(overrides)
    return Tacotron2Config(**fields)


def build_model(config: Tacotron2Config) -> Tacotron2:
    return Tacotron2(config, speaker_names=config.speakers)


def frames_for(r: int) -> int:
    """Padded batch length: the longest mel rounded up to a multiple of r (as the data loader pads)."""
    return -(-max(MEL_LENGTHS) // r) * r


def make_batch(r: int, *, speakers: bool) -> Dict[str, torch.Tensor]:
    """A collated batch as the data loader gives it: padded tokens, padded mels, frame-level stop targets."""
    generator = torch.Generator().manual_seed(1)
    text_lengths = torch.tensor(TEXT_LENGTHS)
    mel_lengths = torch.tensor(MEL_LENGTHS)
    frames = frames_for(r)
    tokens = torch.randint(1, NUM_CHARS, (len(TEXT_LENGTHS), max(TEXT_LENGTHS)), generator=generator)
    tokens = tokens * sequence_mask(text_lengths)  # pad id 0
    mel = torch.randn(len(MEL_LENGTHS), frames, NUM_MELS, generator=generator)
    mel = mel * sequence_mask(mel_lengths, max_len=frames).unsqueeze(2)
    stop_targets = (torch.arange(frames)[None, :] >= (mel_lengths - 1)[:, None]).float()
    batch = {
        "token_id": tokens,
        "token_id_lengths": text_lengths,
        "mel": mel,
        "mel_lengths": mel_lengths,
        "stop_targets": stop_targets,
    }
    if speakers:
        batch["speaker_ids"] = torch.tensor(SPEAKER_IDS)
    return batch


def no_gradient_by_design(name: str, config: Tacotron2Config) -> Optional[str]:
    """Why a parameter gets no gradient (or only rounding noise) from the training loss, or None if it must learn."""
    if name.endswith("convolution1d.bias"):
        return "conv bias right before training-mode batch norm: subtracting the batch mean cancels it (Coqui's layout)"
    if config.attention_norm == "softmax" and name.endswith("attention.v.linear_layer.bias"):
        return "softmax is shift invariant: a bias added to every attention energy cancels"
    if name.startswith("coarse_decoder.stopnet."):
        return "the DDC coarse decoder's stop tokens are never used (Coqui keeps the layer: checkpoint layout)"
    return None


def write_toy_model(
    folder: Path,
    *,
    speakers: Sequence[str] = (),
    max_decoder_steps: int = 6,
    stop_threshold: float = 0.5,
    audio: Optional[BaseAudioConfig] = None,
    seed: int = 0,
) -> Tuple[Path, Path]:
    """Write a toy Tacotron2 (random weights, 80 mels) as ``model.pth`` + ``config.json``; returns their paths.

    Its audio config asks for the classic Griffin-Lim (momentum 0): a few cheap iterations, and a
    waveform that follows its mel smoothly (the fast variant's momentum amplifies float rounding).
    """
    torch.manual_seed(seed)
    config = Tacotron2Config(
        **TOY_TACOTRON2_WIDTHS,
        speaker_embedding_dim=4,
        use_speaker_embedding=bool(speakers),
        speakers=list(speakers),
        text_cleaner="english_cleaners",
        languages=["en"],
        max_decoder_steps=max_decoder_steps,
        stop_threshold=stop_threshold,
        audio=audio or BaseAudioConfig(griffin_lim_iters=4),
    )
    model = setup_model(config)
    folder.mkdir(parents=True, exist_ok=True)
    config_path, model_path = folder / "config.json", folder / "model.pth"
    saved = model.config.to_dict()
    saved["audio"]["griffin_lim_momentum"] = 0.0
    config_path.write_text(json.dumps(saved, indent=2))
    torch.save({"config": saved, "model": model.state_dict()}, model_path)
    return model_path, config_path


def write_mismatched_vocoder(folder: Path, extra_tensor: bool = False) -> Tuple[Path, Path]:
    """A toy HiFi-GAN checkpoint (upsample width 32) with a config saying 16; returns (checkpoint, config)."""

    def config(channels):
        return HifiganConfig(
            audio=BaseAudioConfig(),
            generator_model_params=HifiganGeneratorParams(
                upsample_initial_channel=channels, resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3, 5]]
            ),
        )

    (folder / "vocoder.json").write_text(json.dumps(config(16).to_dict()))
    state = setup_vocoder_model(config(32)).state_dict()
    if extra_tensor:
        state["extra.weight"] = torch.zeros(1)
    torch.save({"model": state}, folder / "vocoder.pth")
    return folder / "vocoder.pth", folder / "vocoder.json"
