"""A two-voice Tacotron2-DDC: the kumo corpus and a second teacher voice, one speaker embedding row each.

    python recipes/kumo/make_corpus.py --voice jf_gongitsune --limit 400 --out_path data/gongitsune_en
    python recipes/kumo/tacotron2-DDC/train_multispeaker.py               # starts from the default model
    tts --model_path <run>/best_model.pth --config_path <run>/config.json --list_speaker_idxs
    tts --model_path <run>/best_model.pth --config_path <run>/config.json --speaker_idx gongitsune --text "Hello."

Each corpus is single-speaker in the LJSpeech layout; ``speaker_name`` in its dataset entry names
its voice, and the config's ``speakers`` list (stored in every checkpoint) fixes the rows of the
speaker embedding. The embedding (64 wide) joins the encoder outputs, so the attention and decoder
read wider inputs than the single-speaker default model's. Starting from that model, those inputs
are grown (``restore_grown_inputs``): the layers reading the encoder outputs keep their trained
columns and get zero columns for the speaker embedding, so the restored model first speaks exactly as
the default voice did, aligned, for every speaker, and the new columns learn the voices. The only
tensor left at its initial value is the speaker embedding itself (the report lists both). A later
``--restore_path`` from a checkpoint of this recipe with other voices keeps the shared voices' rows
by name (``restore_new_speakers``).
"""

import os
import sys

from train import REPO_ROOT, make_config as make_base_config, run_from_default_model

from TTS.config.shared_configs import BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.models.tacotron2 import SPEAKER_INPUT_WEIGHTS

VOICES = {"kumo": "kumo_en", "gongitsune": "gongitsune_en"}  # speaker name -> corpus folder under data/


def make_config() -> Tacotron2Config:
    config = make_base_config()
    config.run_name = "kumo-multispeaker"
    config.datasets = [
        BaseDatasetConfig(
            formatter="ljspeech", meta_file_train="metadata.csv", path=os.path.join(REPO_ROOT, "data", folder),
            language="en-us", speaker_name=speaker,
        )  # fmt: skip
        for speaker, folder in VOICES.items()
    ]
    config.speakers = sorted(VOICES)
    config.use_speaker_embedding = True
    config.speaker_embedding_dim = 64
    config.allow_partial_restore = True  # the speaker embedding is new
    config.restore_grown_inputs = list(SPEAKER_INPUT_WEIGHTS)
    config.use_speaker_weighted_sampler = False
    config.test_sentences = ["Hello world."]
    config.attention_prior_until_step = config.attention_prior_fade_steps = 0  # the restored attention is trained
    return config


if __name__ == "__main__":
    run_from_default_model(make_config(), sys.argv[1:])
