"""Toy vocoder training setups shared by the vocoder training tests: generated audio and a tiny HiFi-GAN config."""

from pathlib import Path
from typing import List

import numpy as np
import soundfile as sf

from TTS.config.shared_configs import BaseAudioConfig
from TTS.vocoder.configs import HifiganConfig, HifiganGeneratorParams

RATE = 8000
HOP = 64
MELS = 20
# a HiFi-GAN of a few thousand weights: 4 x 4 x 4 = HOP samples per frame
TOY_GENERATOR = {
    "upsample_factors": [4, 4, 4],
    "upsample_kernel_sizes": [8, 8, 8],
    "upsample_initial_channel": 16,
    "resblock_kernel_sizes": [3],
    "resblock_dilation_sizes": [[1, 3, 5]],
}
# both HiFi-GAN discriminators, narrow: two period layers, three scale layers
TOY_DISCRIMINATOR = {
    "periods": [2, 3],
    "period_channels": [4, 8],
    "num_scales": 2,
    "scale_layers": [[8, 15, 1, 1], [16, 41, 4, 4], [16, 5, 1, 1]],
}


def write_tones(folder: Path, count: int = 6, seconds: float = 0.5, rate: int = RATE) -> List[Path]:
    """``count`` wav files of a different tone each, with a little noise (seeded)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    t = np.arange(int(seconds * rate)) / rate
    paths = []
    for i in range(count):
        wav = 0.3 * np.sin(2 * np.pi * (150 + 40 * i) * t) + 0.01 * rng.randn(len(t))
        path = folder / f"tone_{i:02d}.wav"
        sf.write(path, wav, rate)
        paths.append(path)
    return paths


def toy_hifigan_config(data_path: Path, output_path: Path, **fields) -> HifiganConfig:
    """A HiFi-GAN config that trains an epoch on ``write_tones`` audio in a second or two."""
    audio = BaseAudioConfig(
        sample_rate=RATE, fft_size=256, win_length=256, hop_length=HOP, num_mels=MELS, do_trim_silence=False
    )
    config = HifiganConfig(
        run_name="toy_hifigan",
        audio=audio,
        data_path=str(data_path),
        output_path=str(output_path),
        generator_model_params=HifiganGeneratorParams(**TOY_GENERATOR),
        discriminator_model_params=dict(TOY_DISCRIMINATOR),
        l1_spec_loss_params={
            "use_mel": True,
            "sample_rate": RATE,
            "n_fft": 256,
            "hop_length": HOP,
            "win_length": 256,
            "n_mels": MELS,
            "mel_fmin": 0.0,
            "mel_fmax": None,
        },  # fmt: skip
        seq_len=8 * HOP,
        batch_size=2,
        eval_split_size=2,
        epochs=1,
        print_step=1,
        save_step=1000,
        dashboard_logger="tensorboard",
    )
    for name, value in fields.items():
        setattr(config, name, value)
    config.check_values()
    return config
