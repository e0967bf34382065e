"""Tacotron2-DDC on the kumo corpus: the embedded default English voice, sized for a CPU.

    python recipes/kumo/make_corpus.py --out_path data/kumo_en          # the corpus, once
    python recipes/kumo/tacotron2-DDC/train.py --coqpit.datasets.0.path data/kumo_en
    python recipes/kumo/tacotron2-DDC/train.py --continue_path recipes/kumo/tacotron2-DDC/<run folder>
    python recipes/kumo/tacotron2-DDC/train.py \
        --restore_path TTS/.models/tts_models--en--kumo--tacotron2-DDC/model.pth   # on a new machine

Half the widths of the LJSpeech model (encoder 256, LSTMs 512, postnet 256) so that a 2-core
CPU learns to align within hours; DDC coarse decoder r=6; guided attention; gradual training
from r=6 down to 2. Phonemes from espeak-ng (en-us) after ``english_cleaners_plus``.

Guided attention alone left this model unaligned after 1,500 steps (alignment error 0.95: the
decoder had learned to predict from the previous frames and ignore the text). So the attention
weights are multiplied by a diagonal beta-binomial prior during training (``attention_prior_*``),
fully until step 2,000, then fading out until step 3,500; inference never uses it.

``--continue_path`` resumes a run exactly. The repository keeps the latest stage as a weights-only
checkpoint: the shipped default voice itself (``TTS/.models/tts_models--en--kumo--tacotron2-DDC/``,
made by ``TTS.bin.export_model``, with its loss and alignment plots and the stages in its card): ``--restore_path`` starts a new run from it (fresh optimizer; step counters restart, so the
learning-rate warm-up runs again: add ``--coqpit.lr 1.75e-4``, as 1e-3 is for a run from scratch and
set a trained model back for ~950 steps; gradual training starts at the stage's r, see
``schedule_from_r``). Runs are written next to this file.
"""

import os
from typing import List

from TTS.bin.train_tts import run
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(RECIPE_DIR)))
# the embedded default voice: where the fine-tuning recipes start
DEFAULT_MODEL = os.path.join(REPO_ROOT, "TTS", ".models", "tts_models--en--kumo--tacotron2-DDC", "model.pth")


def make_config() -> Tacotron2Config:
    dataset_config = BaseDatasetConfig(
        formatter="ljspeech",
        meta_file_train="metadata.csv",
        path=os.path.join(REPO_ROOT, "data", "kumo_en"),
        language="en-us",
    )
    audio_config = BaseAudioConfig(
        sample_rate=22050, fft_size=1024, win_length=1024, hop_length=256, num_mels=80,
        mel_fmin=0.0, mel_fmax=8000, log_func="np.log", spec_gain=1.0, signal_norm=False,
        do_trim_silence=True, trim_db=45.0, preemphasis=0.0, ref_level_db=20, power=1.5,
    )  # fmt: skip
    return Tacotron2Config(
        run_name="kumo-tacotron2-DDC",
        output_path=RECIPE_DIR,
        datasets=[dataset_config],
        audio=audio_config,
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        languages=["en-us"],
        text_cleaner="english_cleaners_plus",
        # CPU-sized widths (Coqui's: 512, 512, 1024, 1024, 512)
        encoder_in_features=256,
        decoder_in_features=256,
        attention_rnn_dim=512,
        decoder_rnn_dim=512,
        postnet_channels=256,
        prenet_dims=[192, 192],
        r=6,
        double_decoder_consistency=True,
        ddc_r=6,
        # [start_step, r, batch_size]: small batches of coarse frames while the attention forms
        gradual_training=[[0, 6, 16], [6000, 4, 24], [7500, 3, 32], [30000, 2, 32]],
        attention_prior_until_step=3500,
        attention_prior_fade_steps=1500,
        batch_size=16,
        eval_batch_size=16,
        eval_split_max_size=32,
        eval_split_size=32,
        batch_sampler="bucket",
        num_loader_workers=1,
        num_eval_loader_workers=0,
        mel_cache_path=os.path.join(RECIPE_DIR, "mel_cache"),
        epochs=10000,
        lr=1e-3,
        lr_scheduler_params={"warmup_steps": 400},
        grad_clip=1.0,
        scheduler_after_epoch=False,
        # no per-epoch evaluation on a CPU (it costs more than the short epochs of a small corpus);
        # alignments and losses go to TensorBoard every print_step
        run_eval=False,
        test_sentences=["Hello world.", "This sentence ends here, and then it stops."],
        test_delay_epochs=10000,
        max_decoder_steps=1000,
        # inference: end a sentence whose attention sits on its last symbol for 0.35 s (a stop token that did not fire)
        stop_after_text_end_frames=30,
        print_step=25,
        save_step=250,
        save_n_checkpoints=2,
        mixed_precision=False,
    )  # fmt: skip


def run_from_default_model(config: Tacotron2Config, argv: List[str]) -> None:
    """Train ``config`` from the default model, unless ``argv`` restores or continues from elsewhere."""
    if any(arg.split("=")[0] in ("--restore_path", "--continue_path") for arg in argv):
        run(config, argv)
    else:
        run(config, ["--restore_path", DEFAULT_MODEL, *argv])


if __name__ == "__main__":
    # --restore_path, --continue_path and --coqpit.<field> overrides are handled by train_tts
    run(make_config())
