"""Glow-TTS on LJSpeech, en-us phonemes through espeak-ng.

    python recipes/ljspeech/glow_tts/train_glowtts.py [--coqpit.datasets.0.path /data/LJSpeech-1.1]
    python recipes/ljspeech/glow_tts/train_glowtts.py --continue_path recipes/ljspeech/glow_tts/<run folder>
    python recipes/ljspeech/glow_tts/train_glowtts.py \
        --restore_path ~/.local/share/tts/tts_models--en--ljspeech--glow-tts/model_file.pth \
        --coqpit.run_name glow-tts-finetune --coqpit.lr 0.00001

Glow-TTS needs no attention to learn: monotonic alignment search assigns the frames to the text at every
step, and the first ``data_dep_init_steps`` steps only initialise the ActNorm layers from the data.
``--restore_path`` loads the weights only (new run, step 0, fresh optimizer; a checkpoint with another
vocabulary or speaker table is carried over by name); ``--continue_path`` resumes a run exactly. Any
config field can be overridden with ``--coqpit.<field> <value>``. Runs are written next to this file.
"""

import os

from TTS.bin.train_tts import run
from TTS.config.shared_configs import BaseDatasetConfig
from TTS.tts.configs.glow_tts_config import GlowTTSConfig

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))


def make_config() -> GlowTTSConfig:
    dataset_config = BaseDatasetConfig(
        formatter="ljspeech",
        meta_file_train="metadata.csv",
        path=os.path.join(os.path.dirname(RECIPE_DIR), "LJSpeech-1.1"),
    )
    return GlowTTSConfig(
        run_name="glow_tts",
        output_path=RECIPE_DIR,
        datasets=[dataset_config],
        batch_size=32,
        eval_batch_size=16,
        num_loader_workers=4,
        num_eval_loader_workers=4,
        run_eval=True,
        test_delay_epochs=-1,
        epochs=1000,
        text_cleaner="phoneme_cleaners",
        use_phonemes=True,
        phonemizer="espeak",
        phoneme_language="en-us",
        languages=["en-us"],
        print_step=25,
        print_eval=False,
        # a CPU trains in float32; on a GPU, --coqpit.mixed_precision true
        mixed_precision=False,
    )


if __name__ == "__main__":
    # --restore_path, --continue_path and --coqpit.<field> overrides are handled by train_tts
    run(make_config())
