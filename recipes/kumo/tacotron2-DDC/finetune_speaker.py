"""Fine-tune the default voice (kumo) to a second English voice from 15-30 minutes of its speech.

    python recipes/kumo/make_corpus.py --voice jf_gongitsune --limit 400 --out_path data/gongitsune_en
    python recipes/kumo/tacotron2-DDC/finetune_speaker.py                  # restores the default model
    python recipes/kumo/tacotron2-DDC/finetune_speaker.py --restore_path other.pth --coqpit.lr 5e-5
    python recipes/kumo/tacotron2-DDC/finetune_speaker.py --continue_path recipes/kumo/tacotron2-DDC/<run>

Same language, same vocabulary: every tensor restores as it is. What has to change is the sound of
the voice, and pitch, timbre and rhythm live all through the decoder, not only in its last layers:
the attention, the decoder (prenet, LSTMs, projection, stop net) and the postnet all train from
the first step, at a fine-tuning rate. The text side the two voices share (symbol embedding,
encoder) stays frozen for the first 500 steps, so that the small corpus does not wear it down
while the decoder moves; then it joins at half the rate.

About 400 clips (25 minutes) of the new voice are enough to move it; ``benchmarks/intelligibility.py``
checks that the result stays intelligible, and ``benchmarks/speaker_similarity.py`` that it sounds like
the new teacher rather than the old one.
"""

import os
import sys

from train import REPO_ROOT, make_config as make_base_config, run_from_default_model

from TTS.tts.configs.tacotron2_config import Tacotron2Config

NEW_VOICE = "gongitsune"
TEXT_SIDE = ["embedding.*", "encoder.*"]


def make_config() -> Tacotron2Config:
    config = make_base_config()
    config.datasets[0].path = os.path.join(REPO_ROOT, "data", f"{NEW_VOICE}_en")
    config.run_name = f"kumo-{NEW_VOICE}-finetune"
    config.lr = 1e-4
    config.lr_scheduler_params = {"warmup_steps": 100}
    config.freeze_layers = list(TEXT_SIDE)
    config.unfreeze_schedule = [[500, ["*"], 0.5]]
    config.attention_prior_until_step = config.attention_prior_fade_steps = 0  # the restored attention is trained
    return config


if __name__ == "__main__":
    run_from_default_model(make_config(), sys.argv[1:])
