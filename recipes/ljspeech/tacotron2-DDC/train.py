"""Tacotron2-DDC (double decoder consistency) on LJSpeech, en-us phonemes through espeak-ng.

    python recipes/ljspeech/tacotron2-DDC/train.py [--coqpit.datasets.0.path /data/LJSpeech-1.1]
    python recipes/ljspeech/tacotron2-DDC/train.py --continue_path recipes/ljspeech/tacotron2-DDC/<run folder>
    python recipes/ljspeech/tacotron2-DDC/train.py --restore_path <checkpoint.pth> --coqpit.lr 1e-5

``--restore_path`` loads the weights only (new run, step 0, fresh optimizer); ``--continue_path``
resumes a run exactly (weights, optimizer, scheduler, step, epoch). Any config field can be
overridden with ``--coqpit.<field> <value>``. Runs are written next to this file.
"""

import os

from TTS.bin.train_tts import run
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))


def make_config() -> Tacotron2Config:
    dataset_config = BaseDatasetConfig(
        formatter="ljspeech",
        meta_file_train="metadata.csv",
        path=os.path.join(os.path.dirname(RECIPE_DIR), "LJSpeech-1.1"),
    )
    audio_config = BaseAudioConfig(
        sample_rate=22050, fft_size=1024, win_length=1024, hop_length=256, num_mels=80,
        mel_fmin=0.0, mel_fmax=8000, log_func="np.log", spec_gain=1.0, signal_norm=False,
        do_trim_silence=True, trim_db=60.0, preemphasis=0.0, ref_level_db=20, power=1.5,
    )  # fmt: skip
    config = Tacotron2Config(
        run_name="tacotron2-DDC",
        output_path=RECIPE_DIR,
        datasets=[dataset_config],
        audio=audio_config,
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        languages=["en-us"],
        text_cleaner="phoneme_cleaners",
        r=6,
        double_decoder_consistency=True,
        ddc_r=6,
        # [start_step, r, batch_size]: coarse frames first, finer as the attention settles
        gradual_training=[[0, 6, 64], [10000, 4, 32], [50000, 3, 32], [100000, 2, 32]],
        batch_size=64,
        eval_batch_size=16,
        num_loader_workers=4,
        num_eval_loader_workers=4,
        epochs=1000,
        lr=1e-4,
        # NoamLR's warmup counts optimizer steps (and trainer 0.4.0 never steps a per-epoch
        # scheduler of a one-optimizer model)
        scheduler_after_epoch=False,
        print_step=25,
        print_eval=True,
        save_step=10000,
        mixed_precision=False,
        test_delay_epochs=-1,
    )

    return config


if __name__ == "__main__":
    # --restore_path, --continue_path and --coqpit.<field> overrides are handled by train_tts
    run(make_config())
