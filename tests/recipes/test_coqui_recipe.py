"""A recipe written the way Coqui TTS users write theirs trains with this package, and its checkpoint speaks.

The recipe below is our own text following Coqui's call sequence (configs -> AudioProcessor -> tokenizer ->
``load_tts_samples`` -> ``Tacotron2(config, ap, tokenizer, speaker_manager=None)`` -> ``Trainer(TrainerArgs(),
config, output_path, model=..., train_samples=..., eval_samples=...).fit()``): the trainer, not
``TTS/bin/train_tts.py``, reads the command line. One epoch on a 100-clip generated LJSpeech-format corpus at
toy sizes, then ``tts --model_path ... --config_path ...`` speaks from the checkpoint.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from helpers.corpus import (
    SAMPLE_RATE,
    TOY_AUDIO,
    TOY_MODEL,
    last_checkpoint,
    make_ljspeech_corpus,
    run_folder,
    run_script,
)

pytestmark = pytest.mark.slow

CLIPS = 100
EVAL_CLIPS = 4


def ok(result) -> str:
    """Failure message of a run: the tail of its output."""
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-5000:]}"


def toy_model_fields():
    fields = {key: value for key, value in TOY_MODEL.items() if "." not in key}
    fields["prenet_dims"] = [TOY_MODEL["prenet_dims.0"], TOY_MODEL["prenet_dims.1"]]
    return fields


def coqui_style_recipe(data_path: Path) -> str:
    """Recipe text in Coqui 0.27's form: every asset built by the script, then handed to the trainer."""
    config_fields = {
        **toy_model_fields(),
        "batch_size": 16,
        "eval_batch_size": 4,
        "eval_split_size": EVAL_CLIPS,
        "num_loader_workers": 0,
        "num_eval_loader_workers": 0,
        "run_eval": True,
        "test_delay_epochs": 0,
        "test_sentences": ["Hi there."],
        "epochs": 3,
        "r": 2,
        "text_cleaner": "english_cleaners",
        "use_phonemes": False,
        "print_step": 5,
        "mixed_precision": False,
        "training_seed": 1,
    }
    return f'''"""Tacotron2 on a small LJSpeech-format corpus, in the shape of Coqui TTS's recipes."""

import os

from trainer import Trainer, TrainerArgs

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.shared_configs import BaseDatasetConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.datasets import load_tts_samples
from TTS.tts.models.tacotron2 import Tacotron2
from TTS.tts.utils.text.tokenizer import TTSTokenizer
from TTS.utils.audio import AudioProcessor

output_path = os.path.dirname(os.path.abspath(__file__))


def main():
    dataset_config = BaseDatasetConfig(formatter="ljspeech", meta_file_train="metadata.csv", path={str(data_path)!r})
    audio_config = BaseAudioConfig(**{TOY_AUDIO!r})
    config = Tacotron2Config(
        audio=audio_config, datasets=[dataset_config], output_path=output_path, **{config_fields!r}
    )

    ap = AudioProcessor.init_from_config(config)
    tokenizer, config = TTSTokenizer.init_from_config(config)
    train_samples, eval_samples = load_tts_samples(
        dataset_config,
        eval_split=True,
        eval_split_max_size=config.eval_split_max_size,
        eval_split_size=config.eval_split_size,
    )
    model = Tacotron2(config, ap, tokenizer, speaker_manager=None)
    trainer = Trainer(
        TrainerArgs(), config, output_path, model=model, train_samples=train_samples, eval_samples=eval_samples
    )
    trainer.fit()


if __name__ == "__main__":
    main()
'''


def copy_of(recipe: Path, folder: Path) -> Path:
    """The recipe in a folder of its own: its runs (a failed one may leave a folder) go there."""
    copy = folder / recipe.name
    copy.write_text(recipe.read_text(encoding="utf-8"), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def recipe(tmp_path_factory):
    corpus = make_ljspeech_corpus(tmp_path_factory.mktemp("corpus") / "LJSpeech-1.1", count=CLIPS)
    folder = tmp_path_factory.mktemp("recipe")
    script = folder / "train_tacotron2.py"
    script.write_text(coqui_style_recipe(corpus), encoding="utf-8")
    return script


def test_coqui_style_recipe_trains_one_epoch_and_its_checkpoint_speaks(recipe, tmp_path):
    result = run_script(recipe, ["--coqpit.epochs", "1"])  # an override the trainer itself applies
    assert result.returncode == 0, ok(result)
    run = run_folder(recipe.parent)
    config = json.loads((run / "config.json").read_text())
    assert config["epochs"] == 1 and config["num_chars"] > 0
    checkpoint = torch.load(last_checkpoint(run), map_location="cpu", weights_only=True)
    steps = -(-(CLIPS - EVAL_CLIPS) // 16)  # one epoch of batches of 16
    assert checkpoint["step"] == steps and checkpoint["epoch"] == 0

    out = tmp_path / "hi.wav"
    speak = [
        "--text", "Hi there.", "--model_path", str(last_checkpoint(run)), "--config_path", str(run / "config.json"),
        "--out_path", str(out),
    ]  # fmt: skip
    result = run_script(Path(sys.executable), speak, module="TTS.bin.synthesize")
    assert result.returncode == 0, ok(result)
    wav, rate = sf.read(out)
    assert rate == SAMPLE_RATE and wav.size > 0 and np.isfinite(wav).all()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--coqpit.epoch", "1"], "unknown config field 'epoch' (did you mean 'epochs'"),
        (["--coqpit.decoder_rnn_dim", "64"], "config field 'decoder_rnn_dim': the model was built with 32"),
    ],
)
def test_the_command_line_checks_hold_when_the_trainer_reads_it(recipe, args, message, tmp_path):
    result = run_script(copy_of(recipe, tmp_path), args)
    assert result.returncode != 0
    assert f"ConfigError: {message}" in result.stderr, ok(result)


def test_a_restore_that_does_not_fit_is_still_the_restore_error(recipe, coqui_checkpoint, tmp_path):
    # the full-size Coqui fixture checkpoint into the toy model, through the trainer's own --restore_path
    result = run_script(copy_of(recipe, tmp_path), ["--restore_path", str(coqui_checkpoint("b_tacotron2_r2"))])
    assert result.returncode != 0
    assert "RestoreError: " in result.stderr and "allow_partial_restore" in result.stderr, ok(result)
    assert "encoder.convolutions" in result.stderr  # the keys that do not fit are listed


def test_samples_are_checked_before_the_first_step(tmp_path):
    corpus = make_ljspeech_corpus(tmp_path / "LJSpeech-1.1", count=CLIPS)
    (corpus / "wavs" / "LJ001-0050.wav").unlink()
    script = tmp_path / "train_tacotron2.py"
    script.write_text(coqui_style_recipe(corpus), encoding="utf-8")
    result = run_script(script, [])
    assert result.returncode != 0
    assert "SampleError: 1 audio file not found, e.g. " in result.stderr, ok(result)
    assert "on_init_start" in result.stderr and "EPOCH" not in result.stdout  # found before training
