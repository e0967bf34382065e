"""Fine-tune the English kumo Tacotron2-DDC (the embedded default voice) to Spanish.

    python recipes/kumo/make_corpus.py --lang es --out_path data/kumo_es          # the corpus, once
    python recipes/kumo/tacotron2-DDC/finetune_language.py                        # restores the default model
    python recipes/kumo/tacotron2-DDC/finetune_language.py --restore_path other.pth --coqpit.lr 1e-4
    python recipes/kumo/tacotron2-DDC/finetune_language.py --continue_path recipes/kumo/tacotron2-DDC/<run>
    python recipes/kumo/tacotron2-DDC/finetune_language.py --coqpit.lr 1e-4 \
        --restore_path TTS/.models/tts_models--es--kumo--tacotron2-DDC/model.pth   # a further stage

The model keeps the English model's architecture and audio settings; what changes is the text side:
espeak-ng ``es`` phonemes, and a vocabulary with the Spanish question and exclamation marks. The
restore carries every symbol's embedding row over by name (``--restore_path`` in ``train_tts``);
the Spanish sounds English never used, whose rows in the English model are still at their random
initialisation, start from the nearest English sounds (``SPANISH_FROM_ENGLISH``), and the report
lists what was shared, mapped, new and dropped.

Then layer-wise, as config (``freeze_layers`` / ``unfreeze_schedule``):

1. steps 0-199: the embedding, encoder and attention learn the new language's text and timing,
   while the acoustic half (decoder prenet, LSTM, projection, stop net; postnet) keeps the voice;
2. from step 200 the rest of the decoder joins at half the learning rate (it has to learn how
   Spanish sounds: its vowels, trill and fricatives; frozen, it keeps saying English);
3. from step 500 the postnet joins, also at half.

(A first stage froze the decoder for 1,000 steps: after 420 steps its Spanish aligned and stopped
but was not understood, WER 102 %; see the model card of ``tts_models/es/kumo/tacotron2-DDC``.)

A checkpoint that already speaks Spanish (its config's ``phoneme_language`` is ``es``: the shipped
Spanish model, or a weights-only checkpoint of an earlier run on a new machine) starts a further
stage instead: every layer trains from step 0, the acoustic half at half the rate as in the last
stage above, at ``lr`` 1e-4 (about the rate the first run had decayed to; the Noam warm-up starts
again with the fresh optimizer), and every symbol row is restored as trained (no map).

Without ``--restore_path`` or ``--continue_path`` the recipe restores the embedded English model.
The restored attention is already trained, so the training-only attention prior of the English
recipe is off. ``--from_scratch`` trains the same Spanish model from random weights with nothing
frozen and with the English recipe's rate and attention prior: the baseline a fine-tuned run is
compared with on the same step budget.
"""

import logging
import os
import sys
from typing import List, Optional

from train import DEFAULT_MODEL, REPO_ROOT, run_from_default_model
from train import make_config as make_english_config

from TTS.bin.train_tts import checkpoint_config, run
from TTS.errors import TTSError
from TTS.tts.configs.shared_configs import CharactersConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.utils.text.characters import DEFAULT_PUNCTUATIONS, IPA_CHARACTERS

logger = logging.getLogger("TTS.recipes.finetune_language")

ENGLISH_MODEL = DEFAULT_MODEL
# Spanish sounds (espeak-ng ``es``) absent from English (``en-us``) speech -> English sounds to start from
SPANISH_FROM_ENGLISH = {
    "r": "ɾ",  # trill <- flap
    "x": "h",  # jota
    "ɣ": "ɡ",
    "β": "b",
    "ʝ": "j",
    "ɲ": "nj",  # the mean of n and j
    "ʎ": "lj",
    "¿": "?",
    "¡": "!",
}
# the acoustic half: frozen first, so the voice survives while the text side learns Spanish
FURTHER_STAGE_LR = 1e-4  # about the rate the first Spanish run had decayed to
ACOUSTIC_LAYERS = ["*decoder.prenet.*", "*decoder.decoder_rnn.*", "*decoder.linear_projection.*", "*decoder.stopnet.*", "postnet.*"]


def make_config() -> Tacotron2Config:
    config = make_english_config()
    dataset = config.datasets[0]
    dataset.path = os.path.join(REPO_ROOT, "data", "kumo_es")
    dataset.language = "es"
    config.run_name = "kumo-es-finetune"
    config.phoneme_language = "es"
    config.languages = ["es"]
    config.text_cleaner = "spanish_cleaners_plus"  # times, money, ordinals, signs in words; espeak-ng reads the rest
    config.characters = CharactersConfig(
        characters_class="TTS.tts.utils.text.characters.IPAPhonemes",
        characters=IPA_CHARACTERS,
        punctuations=DEFAULT_PUNCTUATIONS + "¿¡",
        pad="<PAD>", eos="<EOS>", bos="<BOS>", blank="<BLNK>",
        is_unique=False,
    )  # fmt: skip
    config.restore_new_symbols = "mean"
    config.restore_symbol_map = dict(SPANISH_FROM_ENGLISH)
    config.lr = 2e-4
    config.lr_scheduler_params = {"warmup_steps": 200}
    config.freeze_layers = list(ACOUSTIC_LAYERS)
    config.unfreeze_schedule = [[200, ["*decoder.*"], 0.5], [500, ["*"], 0.5]]
    config.attention_prior_until_step = config.attention_prior_fade_steps = 0  # the restored attention is trained
    config.test_sentences = ["Hola, ¿cómo estás?", "El niño llama a la puerta con cuidado."]
    return config


def from_scratch(config: Tacotron2Config) -> Tacotron2Config:
    """The baseline: the same model and data, random weights, nothing frozen, the English recipe's rate
    and its training-only attention prior (what made the English model align on a CPU budget)."""
    english = make_english_config()
    config.run_name = "kumo-es-scratch"
    config.freeze_layers, config.unfreeze_schedule = [], []
    config.lr, config.lr_scheduler_params = english.lr, dict(english.lr_scheduler_params)
    config.attention_prior_until_step = english.attention_prior_until_step
    config.attention_prior_fade_steps = english.attention_prior_fade_steps
    return config


def restore_path(argv: List[str]) -> Optional[str]:
    """The ``--restore_path`` value in ``argv`` (``--restore_path X`` or ``--restore_path=X``), or None."""
    for index, arg in enumerate(argv):
        if arg.startswith("--restore_path="):
            return arg.split("=", 1)[1]
        if arg == "--restore_path" and index + 1 < len(argv):
            return argv[index + 1]
    return None


def speaks_language(checkpoint_path: Optional[str], language: str) -> bool:
    """Whether the checkpoint's config was trained on ``language`` phonemes (False if it cannot be read:
    the training script then reports the bad file)."""
    if checkpoint_path is None:
        return False
    try:
        config = checkpoint_config(checkpoint_path)
    except TTSError:
        return False
    return config is not None and getattr(config, "phoneme_language", None) == language


def further_stage(config: Tacotron2Config) -> Tacotron2Config:
    """Restoring a Spanish checkpoint: nothing left to protect, every layer trains from step 0.

    The symbol map is dropped: it would start the checkpoint's trained Spanish rows (``r``, ``x``, ...)
    again from English sounds, since a map entry wins over a shared row.
    """
    config.restore_symbol_map = {}
    config.unfreeze_schedule = [[0, ["*decoder.*"], 0.5], [0, ["*"], 0.5]]
    config.lr = FURTHER_STAGE_LR
    return config


def main(argv) -> None:
    if "--from_scratch" in argv:
        run(from_scratch(make_config()), [arg for arg in argv if arg != "--from_scratch"])
        return
    config = make_config()
    if speaks_language(restore_path(argv), config.phoneme_language):
        logging.basicConfig(format=" > %(message)s")  # as train_tts, which configures it again (a no-op)
        logger.setLevel(logging.INFO)
        logger.info(
            "restoring a checkpoint that already speaks %r: a further stage, every layer trains from step 0 "
            "(the acoustic half at half the rate), lr %g unless --coqpit.lr says otherwise",
            config.phoneme_language,
            FURTHER_STAGE_LR,
        )
        config = further_stage(config)
    run_from_default_model(config, argv)


if __name__ == "__main__":
    main(sys.argv[1:])
