"""HiFi-GAN V1 vocoder on the LJSpeech wavs: generator and multi-period + multi-scale discriminators.

    python recipes/ljspeech/hifigan/train_hifigan.py [--coqpit.data_path /data/LJSpeech-1.1/wavs]
    python recipes/ljspeech/hifigan/train_hifigan.py --continue_path recipes/ljspeech/hifigan/<run folder>
    python recipes/ljspeech/hifigan/train_hifigan.py --restore_path <vocoder model_file.pth> --coqpit.lr_gen 1e-5

The mel the generator learns from is computed from each wav with the audio settings below. To make the
vocoder fit an acoustic model's output instead (fine-tuning), compute ground-truth-aligned mels with
``python -m TTS.bin.compute_gta_mels`` and pass their folder: ``--coqpit.feature_path <folder>``.
``--restore_path`` loads the weights only (a Coqui zoo HiFi-GAN's discriminator too) into a new run;
``--continue_path`` resumes a run exactly. Runs are written next to this file.
"""

import os

from TTS.bin.train_vocoder import run
from TTS.config.shared_configs import BaseAudioConfig
from TTS.vocoder.configs import HifiganConfig

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))


def make_config() -> HifiganConfig:
    audio_config = BaseAudioConfig(
        sample_rate=22050, fft_size=1024, win_length=1024, hop_length=256, num_mels=80,
        mel_fmin=0.0, mel_fmax=8000, log_func="np.log", spec_gain=1.0, signal_norm=False,
        do_trim_silence=False, preemphasis=0.0, ref_level_db=20, power=1.5,
    )  # fmt: skip
    return HifiganConfig(
        run_name="hifigan",
        output_path=RECIPE_DIR,
        data_path=os.path.join(os.path.dirname(RECIPE_DIR), "LJSpeech-1.1", "wavs"),
        audio=audio_config,
        # the mel loss looks at the audio with the vocoder's own mel settings
        l1_spec_loss_params={
            "use_mel": True, "sample_rate": 22050, "n_fft": 1024, "hop_length": 256,
            "win_length": 1024, "n_mels": 80, "mel_fmin": 0.0, "mel_fmax": 8000,
        },  # fmt: skip
        batch_size=32,
        eval_batch_size=16,
        num_loader_workers=4,
        num_eval_loader_workers=4,
        run_eval=True,
        eval_split_size=10,
        test_delay_epochs=5,
        epochs=1000,
        seq_len=8192,  # 32 frames of 256 samples per training segment
        pad_short=2000,
        use_noise_augment=True,
        lr_gen=1e-4,
        lr_disc=1e-4,
        print_step=25,
        print_eval=False,
        save_step=10000,
        mixed_precision=False,
    )


if __name__ == "__main__":
    # --restore_path, --continue_path and --coqpit.<field> overrides are handled by train_vocoder
    run(make_config())
