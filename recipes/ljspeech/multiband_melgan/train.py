"""Multi-band MelGAN vocoder on the LJSpeech wavs: 4 PQMF sub-bands, MelGAN multi-scale discriminator.

    python recipes/ljspeech/multiband_melgan/train.py [--coqpit.data_path /data/LJSpeech-1.1/wavs]
    python recipes/ljspeech/multiband_melgan/train.py --continue_path recipes/ljspeech/multiband_melgan/<run folder>
    python recipes/ljspeech/multiband_melgan/train.py --restore_path <vocoder model_file.pth>

The generator first learns on its own from the full-band and sub-band multi-resolution STFT losses; the
discriminator joins after ``steps_to_start_discriminator`` steps. Ground-truth-aligned mels of an acoustic
model (``python -m TTS.bin.compute_gta_mels``) go in with ``--coqpit.feature_path <folder>``. Runs are
written next to this file.
"""

import os

from TTS.bin.train_vocoder import run
from TTS.config.shared_configs import BaseAudioConfig
from TTS.vocoder.configs import MultibandMelganConfig

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))


def make_config() -> MultibandMelganConfig:
    audio_config = BaseAudioConfig(
        sample_rate=22050, fft_size=1024, win_length=1024, hop_length=256, num_mels=80,
        mel_fmin=0.0, mel_fmax=8000, log_func="np.log", spec_gain=1.0, signal_norm=False,
        do_trim_silence=False, preemphasis=0.0, ref_level_db=20, power=1.5,
    )  # fmt: skip
    return MultibandMelganConfig(
        run_name="multiband_melgan",
        output_path=RECIPE_DIR,
        data_path=os.path.join(os.path.dirname(RECIPE_DIR), "LJSpeech-1.1", "wavs"),
        audio=audio_config,
        # 8 x 4 x 2 upsampling times 4 bands = the hop of 256 samples
        generator_model_params={"upsample_factors": [8, 4, 2], "num_res_blocks": 4},
        batch_size=32,
        eval_batch_size=16,
        num_loader_workers=4,
        num_eval_loader_workers=4,
        run_eval=True,
        eval_split_size=10,
        test_delay_epochs=5,
        epochs=1000,
        seq_len=8192,
        pad_short=2000,
        use_noise_augment=True,
        steps_to_start_discriminator=200000,
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
