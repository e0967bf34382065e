"""Restoring weights with a report, and reading checkpoint files safely (``TTS.utils.restore``, ``TTS.utils.io``)."""

import logging
import os
import shlex
from pathlib import Path
from typing import Dict

import pytest
import torch
from helpers.toy_models import TOY_TACOTRON2_WIDTHS

from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.shared_configs import CharactersConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from TTS.tts.models.tacotron2 import SPEAKER_INPUT_WEIGHTS, Tacotron2
from TTS.utils.io import CheckpointError, load_checkpoint_file
from TTS.utils.restore import RestoreError, compare_state_dicts, restore_weights

NUM_MELS = 12
RESTORE_LOGGER = "TTS.utils.restore"
DROPPED_KEY = "postnet.convolutions.4.batch_normalization.running_var"


pytestmark = pytest.mark.usefixtures("one_thread_and_seed")


def toy_config(**overrides) -> Tacotron2Config:
    fields = dict(
        num_chars=20,
        **TOY_TACOTRON2_WIDTHS,
        out_channels=NUM_MELS,
        decoder_output_dim=NUM_MELS,
        audio=BaseAudioConfig(num_mels=NUM_MELS),
    )
    fields.update(overrides)
    return Tacotron2Config(**fields)


def snapshot(model: torch.nn.Module) -> Dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def mismatched_pair():
    """A DDC checkpoint (20 symbols) lacking one buffer, and a plain model with 25 symbols to restore it into."""
    source = Tacotron2(toy_config(double_decoder_consistency=True, ddc_r=4))
    checkpoint_state = snapshot(source)
    del checkpoint_state[DROPPED_KEY]
    target = Tacotron2(toy_config(num_chars=25))
    return checkpoint_state, target


def expected_sorting(checkpoint_state, target):
    target_keys = list(target.state_dict())
    unexpected = [key for key in checkpoint_state if key.startswith("coarse_decoder.")]
    loaded = [key for key in target_keys if key not in ("embedding.weight", DROPPED_KEY)]
    return loaded, unexpected


def trainer_checkpoint(model: Tacotron2, config: Tacotron2Config) -> dict:
    """A checkpoint in the layout the trainer writes, after one RAdam step (its state nests dicts and lists)."""
    optimizer = torch.optim.RAdam(model.parameters(), lr=1e-3, betas=(0.9, 0.998), weight_decay=1e-6)
    loss = sum(p.square().sum() for p in model.parameters())
    loss.backward()
    optimizer.step()
    return {
        "config": config.to_dict(),
        "model": model.state_dict(),
        "optimizer": [optimizer.state_dict()],
        "scheduler": None,
        "scaler": None,
        "step": 3,
        "epoch": 1,
        "date": "March-14-2024_09+26AM",
        "model_loss": {"train_loss": 1.25, "eval_loss": None},
    }


# ---------------------------------------------------------------------------- restore report
def test_report_sorts_every_key():
    checkpoint_state, target = mismatched_pair()
    report = compare_state_dicts(target.state_dict(), checkpoint_state)
    loaded, unexpected = expected_sorting(checkpoint_state, target)
    assert report.loaded == loaded
    assert report.shape_mismatch == [("embedding.weight", (25, 16), (20, 16))]
    assert report.missing == [DROPPED_KEY]
    assert report.unexpected == unexpected and unexpected
    assert not report.complete

    text = report.format(partial=True)
    assert f"{len(loaded)} tensors loaded" in text
    assert "embedding.weight: (25, 16) <- (20, 16)" in text
    assert f"1 missing from the checkpoint:\n    {DROPPED_KEY}" in text
    assert f"{len(unexpected)} in the checkpoint but not in the model" in text
    assert all(f"    {key}\n" in text + "\n" for key in unexpected)
    assert f"left at their initial values: embedding.weight, {DROPPED_KEY}" in text


def test_complete_restore_loads_everything_and_logs_at_info(caplog):
    source, target = Tacotron2(toy_config()), Tacotron2(toy_config())
    with caplog.at_level(logging.INFO, logger=RESTORE_LOGGER):
        target.load_state_dict(source.state_dict())
    assert target.restore_report.complete
    assert len(target.restore_report.loaded) == len(source.state_dict())
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
    assert [r.levelno for r in caplog.records] == [logging.INFO]


def test_mismatch_raises_restore_error_listing_the_keys_and_loads_nothing():
    checkpoint_state, target = mismatched_pair()
    before = snapshot(target)
    with pytest.raises(RestoreError) as raised:
        target.load_state_dict(checkpoint_state)
    message = str(raised.value)
    assert "embedding.weight: (25, 16) <- (20, 16)" in message
    assert DROPPED_KEY in message
    assert all(key in message for key in checkpoint_state if key.startswith("coarse_decoder."))
    assert "allow_partial_restore" in message
    # not a ValueError / RuntimeError / KeyError, which the trainer turns into a silent partial load
    assert not isinstance(raised.value, (ValueError, RuntimeError, KeyError))
    for key, value in target.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_model_load_checkpoint_refuses_a_mismatched_checkpoint(tmp_path):
    checkpoint_state, target = mismatched_pair()
    path = tmp_path / "best_model.pth"
    torch.save({"model": checkpoint_state}, path)
    with pytest.raises(RestoreError, match="embedding.weight"):
        target.load_checkpoint(target.config, str(path))


@pytest.mark.parametrize("how", ["config", "strict_false"])
def test_partial_restore_keeps_initial_values_bit_for_bit(how, caplog):
    checkpoint_state, target = mismatched_pair()
    if how == "config":
        target.config.allow_partial_restore = True
    before = snapshot(target)
    with caplog.at_level(logging.INFO, logger=RESTORE_LOGGER):
        incompatible = target.load_state_dict(checkpoint_state, strict=how != "strict_false")
    report = target.restore_report
    loaded, unexpected = expected_sorting(checkpoint_state, target)
    assert report.loaded == loaded
    assert incompatible.missing_keys == [DROPPED_KEY] and incompatible.unexpected_keys == unexpected
    after = target.state_dict()
    for key in ("embedding.weight", DROPPED_KEY):
        assert torch.equal(after[key], before[key]), key
    for key in loaded:
        assert torch.equal(after[key], checkpoint_state[key]), key
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "left at their initial values: embedding.weight" in warnings[0]


def test_restore_weights_into_a_submodule():
    source, target = Tacotron2(toy_config()), Tacotron2(toy_config())
    report = restore_weights(target.postnet, source.postnet.state_dict(), allow_partial=False, source="postnet.pth")
    assert report.complete
    restored, original = target.postnet.state_dict(), source.postnet.state_dict()
    assert all(torch.equal(restored[key], value) for key, value in original.items())
    with pytest.raises(RestoreError, match="^postnet.pth does not match"):
        restore_weights(target.encoder, source.postnet.state_dict(), allow_partial=False, source="postnet.pth")


# ---------------------------------------------------------------------------- checkpoints from the trainer
def test_load_checkpoint_takes_r_from_the_checkpoint(tmp_path):
    config = toy_config(r=3)
    trained = Tacotron2(config)
    trained.decoder.set_r(2)  # gradual training reached r=2; the trainer stores that in the config
    saved_config = toy_config(r=2)
    path = tmp_path / "checkpoint_3.pth"
    torch.save({"config": saved_config.to_dict(), "model": trained.state_dict()}, path)

    model = Tacotron2(config)
    assert model.training and model.decoder.r == 3
    checkpoint = model.load_checkpoint(config, str(path), eval=True)
    assert checkpoint["config"]["r"] == 2
    assert (model.decoder.r, model.decoder.r_init) == (2, 3)
    assert not model.training
    model.decoder.stop_threshold = 1.0
    model.decoder.max_decoder_steps = 3
    outputs = model.inference(torch.tensor([[3, 4, 5, 6]]))
    assert outputs["model_outputs"].shape == (1, 3 * 2, NUM_MELS)


def test_bare_state_dict_keeps_the_model_r(tmp_path):
    config = toy_config(r=3)
    path = tmp_path / "weights.pth"
    torch.save(Tacotron2(config).state_dict(), path)
    model = Tacotron2(config)
    model.load_checkpoint(config, str(path), eval=True)
    assert model.decoder.r == 3 and model.restore_report.complete


def test_trainer_layout_checkpoint_loads_weights_only(tmp_path):
    config = toy_config(r=2)
    model = Tacotron2(config)
    saved = trainer_checkpoint(model, config)
    path = tmp_path / "checkpoint_3.pth"
    torch.save(saved, path)

    plain = torch.load(path, weights_only=True)  # no allow-list needed
    ours = load_checkpoint_file(path)
    for checkpoint in (plain, ours):
        assert set(checkpoint) == set(saved)
        assert checkpoint["config"] == saved["config"]
        assert (checkpoint["step"], checkpoint["epoch"], checkpoint["model_loss"]) == (3, 1, saved["model_loss"])
        state = checkpoint["optimizer"][0]["state"]
        assert len(state) == len(list(model.parameters()))
        assert torch.equal(state[0]["exp_avg"], saved["optimizer"][0]["state"][0]["exp_avg"])
        assert checkpoint["optimizer"][0]["param_groups"][0]["betas"] == (0.9, 0.998)

    fresh = Tacotron2(config)
    fresh.load_checkpoint(config, str(path), eval=True)
    for key, value in saved["model"].items():
        assert torch.equal(fresh.state_dict()[key], value), key


# ---------------------------------------------------------------------------- unreadable and unsafe files
def write_random_bytes(path: Path) -> None:
    noise = torch.randint(0, 256, (4096,), generator=torch.Generator().manual_seed(7), dtype=torch.uint8)
    path.write_bytes(noise.numpy().tobytes())


def write_truncated_zip(path: Path) -> None:
    torch.save({"model": Tacotron2(toy_config()).state_dict()}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def write_empty_file(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("write", [write_random_bytes, write_truncated_zip, write_empty_file], ids=lambda f: f.__name__)
def test_corrupt_file_raises_checkpoint_error_naming_it(tmp_path, write):
    path = tmp_path / "broken_model.pth"
    write(path)
    with pytest.raises(CheckpointError, match="broken_model.pth") as raised:
        load_checkpoint_file(path)
    assert "could run code" not in str(raised.value)  # damaged, not dangerous
    model = Tacotron2(toy_config())
    with pytest.raises(CheckpointError, match="broken_model.pth"):
        model.load_checkpoint(model.config, str(path))


def test_truncated_zip_is_named_as_such_without_torchs_advice(tmp_path):
    path = tmp_path / "cut.pth"
    write_truncated_zip(path)
    with pytest.raises(CheckpointError) as raised:
        load_checkpoint_file(path)
    message = str(raised.value)
    assert "truncated or damaged" in message and str(path) in message
    assert "If you are seeing this error" not in message and "\n" not in message


def test_missing_file_raises_checkpoint_error_naming_it(tmp_path):
    path = tmp_path / "no_such_model.pth"
    with pytest.raises(CheckpointError, match="no_such_model.pth"):
        load_checkpoint_file(path)


class RunsACommand:
    """Unpickling this calls os.system: what a malicious checkpoint does."""

    def __init__(self, marker: Path) -> None:
        self.command = f"touch {shlex.quote(str(marker))}"

    def __reduce__(self):
        return (os.system, (self.command,))


def test_checkpoint_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    model = Tacotron2(toy_config())
    payload = {"config": model.config.to_dict(), "model": model.state_dict(), "optimizer": [RunsACommand(marker)]}
    path = tmp_path / "evil_model.pth"
    torch.save(payload, path)

    # the payload is live: a full unpickle runs it
    torch.load(path, weights_only=False)
    assert marker.exists()
    marker.unlink()

    with pytest.raises(CheckpointError, match="evil_model.pth") as raised:
        load_checkpoint_file(path)
    assert "system" in str(raised.value) and "could run code" in str(raised.value)
    before = snapshot(model)
    with pytest.raises(CheckpointError, match="evil_model.pth"):
        model.load_checkpoint(model.config, str(path))
    assert not marker.exists()
    assert all(torch.equal(value, before[key]) for key, value in model.state_dict().items())


# ---------------------------------------------------------------- vocabularies and speakers carried over by name
ENGLISH = "abcdefghijklmnopqrstuvwxyz"
SPANISH = "abcdefghijlmnñopqrstuvxyzáéíóú"  # no k, w; adds ñ and the accented vowels


def grapheme_config(letters: str, **overrides) -> Tacotron2Config:
    characters = CharactersConfig(
        characters_class="TTS.tts.utils.text.characters.Graphemes", characters=letters, punctuations="!,.? ",
        pad="<PAD>", eos="<EOS>", bos="<BOS>", blank="<BLNK>",
    )  # fmt: skip
    vocab = ["<PAD>", "<EOS>", "<BOS>", "<BLNK>", *sorted(letters), *"!,.? "]
    return toy_config(characters=characters, num_chars=len(vocab), **overrides)


def rows_by_symbol(model) -> Dict[str, torch.Tensor]:
    return dict(zip(model.symbols(), model.embedding.weight.detach().clone()))


@pytest.mark.parametrize("new_init", ["mean", "random"])
def test_new_vocabulary_keeps_shared_rows_by_name_and_initialises_new_ones(new_init, caplog):
    source = Tacotron2(grapheme_config(ENGLISH))
    target = Tacotron2(grapheme_config(SPANISH, restore_new_symbols=new_init, restore_symbol_map={"ñ": "nj"}))
    old, initial = rows_by_symbol(source), rows_by_symbol(target)
    assert len(old) != len(initial)  # a plain restore would be a shape mismatch

    target.set_restore_source(source.config)
    with caplog.at_level(logging.INFO, logger=RESTORE_LOGGER):
        target.load_state_dict(snapshot(source))
    new = rows_by_symbol(target)

    shared = [s for s in new if s in old and s != "ñ"]
    assert "a" in shared and "<PAD>" in shared and "z" in shared
    for symbol in shared:  # copied by name although their row numbers moved (k and w are gone)
        assert torch.equal(new[symbol], old[symbol]), symbol
    assert torch.allclose(new["ñ"], (old["n"] + old["j"]) / 2)
    mean = torch.stack(list(old.values())).mean(dim=0)
    for symbol in "áéíóú":
        expected = mean if new_init == "mean" else initial[symbol]
        assert torch.allclose(new[symbol], expected), symbol
    # every other tensor is the checkpoint's
    for key, value in snapshot(source).items():
        if key != "embedding.weight":
            assert torch.equal(target.state_dict()[key], value), key

    table = target.restore_report.tables[0]
    assert (table.key, table.new, table.dropped, table.mapped) == ("embedding.weight", list("áéíóú"), ["k", "w"], {"ñ": ["n", "j"]})
    assert len(table.shared) == len(shared)
    log = caplog.text
    assert "restore: embedding.weight: symbols carried over by name" in log
    assert "5 new" in log and "'á' 'é' 'í' 'ó' 'ú'" in log
    assert "2 dropped (in the checkpoint only): 'k' 'w'" in log
    assert "'ñ' <- 'n' 'j'" in log
    assert any(record.levelno == logging.WARNING for record in caplog.records)


def test_same_symbols_in_another_order_are_matched_by_name_not_by_row():
    source = Tacotron2(grapheme_config(ENGLISH))
    unsorted = grapheme_config(ENGLISH[::-1])
    unsorted.characters.is_sorted = False
    target = Tacotron2(unsorted)
    assert target.symbols() != source.symbols() and sorted(target.symbols()) == sorted(source.symbols())
    target.set_restore_source(source.config)
    target.load_state_dict(snapshot(source))
    old, new = rows_by_symbol(source), rows_by_symbol(target)
    assert all(torch.equal(new[s], old[s]) for s in old)
    assert not target.restore_report.tables[0].changed


def test_restore_without_a_source_config_is_unchanged():
    source, target = Tacotron2(grapheme_config(ENGLISH)), Tacotron2(grapheme_config(ENGLISH))
    target.load_state_dict(snapshot(source))
    assert target.restore_report.tables == [] and target.restore_report.complete


@pytest.mark.parametrize(
    "symbol_map, message",
    [({"ß": "s"}, "the map names 'ß', which is not among the model's symbols"),
     ({"ñ": "nŋ"}, "the map starts 'ñ' from 'ŋ', not among the checkpoint's symbols")],
)  # fmt: skip
def test_a_symbol_map_naming_unknown_symbols_is_an_error(symbol_map, message):
    source = Tacotron2(grapheme_config(ENGLISH))
    target = Tacotron2(grapheme_config(SPANISH, restore_symbol_map=symbol_map))
    before = snapshot(target)
    target.set_restore_source(source.config)
    with pytest.raises(RestoreError, match=message):
        target.load_state_dict(snapshot(source))
    assert all(torch.equal(target.state_dict()[k], v) for k, v in before.items())  # nothing loaded


def test_speaker_table_keeps_speakers_by_name_and_adds_new_ones():
    def model(speakers):
        config = toy_config(use_speaker_embedding=True, speaker_embedding_dim=4, speakers=speakers)
        return Tacotron2(config, speaker_names=speakers)

    source, target = model(["ana", "ben", "cy"]), model(["cy", "ana", "dee", "eve"])
    old = dict(zip(source.speaker_names, source.speaker_embedding.weight.detach().clone()))
    target.set_restore_source(source.config)
    target.load_state_dict(snapshot(source))
    new = dict(zip(target.speaker_names, target.speaker_embedding.weight.detach()))
    assert torch.equal(new["cy"], old["cy"]) and torch.equal(new["ana"], old["ana"])
    mean = torch.stack(list(old.values())).mean(dim=0)
    assert torch.allclose(new["dee"], mean) and torch.allclose(new["eve"], mean)
    table = target.restore_report.tables[0]
    assert (table.key, table.shared, table.new, table.dropped) == ("speaker_embedding.weight", ["cy", "ana"], ["dee", "eve"], ["ben"])


def test_bad_restore_init_choice_names_the_field():
    from TTS.config.errors import ConfigError

    with pytest.raises(ConfigError, match="config field 'restore_new_symbols': must be 'mean' or 'random'"):
        toy_config(restore_new_symbols="zeros").check_values()


# ---------------------------------------------------------------------------- grown inputs
def multispeaker_config(**overrides) -> Tacotron2Config:
    fields = dict(use_speaker_embedding=True, speaker_embedding_dim=8, speakers=["a", "b"], allow_partial_restore=True)
    fields.update(overrides)
    return toy_config(**fields)


def test_grown_inputs_keep_the_restored_model_speaking_as_before_for_every_speaker(caplog):
    source = Tacotron2(toy_config(double_decoder_consistency=True, ddc_r=4)).eval()
    config = multispeaker_config(double_decoder_consistency=True, ddc_r=4, restore_grown_inputs=list(SPEAKER_INPUT_WEIGHTS))
    target = Tacotron2(config, speaker_names=config.speakers).eval()
    initial_speakers = target.speaker_embedding.weight.detach().clone()
    with caplog.at_level(logging.INFO, logger=RESTORE_LOGGER):
        target.load_state_dict(snapshot(source))

    report = target.restore_report
    assert sorted(key for key, _, _ in report.grown) == sorted(
        f"{decoder}.{key}" for decoder in ("decoder", "coarse_decoder") for key in
        ("attention_rnn.weight_ih", "attention.inputs_layer.linear_layer.weight", "decoder_rnn.weight_ih", "linear_projection.linear_layer.weight")
    )  # fmt: skip
    assert report.missing == ["speaker_embedding.weight"] and not report.shape_mismatch
    assert torch.equal(target.speaker_embedding.weight, initial_speakers)
    for key, _, (rows, columns) in report.grown:
        grown = target.state_dict()[key]
        assert torch.equal(grown[:, :columns], snapshot(source)[key]) and not grown[:, columns:].any(), key
    assert "8 with inputs grown at the end (old columns copied, new ones zero" in caplog.text

    text = torch.randint(0, 20, (1, 9))
    with torch.no_grad():
        expected = source.inference(text, max_decoder_steps=torch.tensor([12]))["model_outputs"]
        for speaker in (0, 1):
            got = target.inference(text, speaker_ids=torch.tensor([speaker]), max_decoder_steps=torch.tensor([12]))["model_outputs"]
            assert torch.allclose(got, expected, atol=1e-6), speaker


@pytest.mark.parametrize(
    "patterns, message",
    [
        (["*decoder.no_such_layer.weight"], "matches no tensor of the model"),
        (["postnet.convolutions.0.convolution1d.weight"], "only a matrix with the same rows and more columns"),
    ],
)
def test_grown_inputs_refuse_a_pattern_matching_nothing_or_another_shape_change(patterns, message):
    source = Tacotron2(toy_config())
    config = multispeaker_config(postnet_channels=TOY_TACOTRON2_WIDTHS["postnet_channels"] + 4, restore_grown_inputs=patterns)
    target = Tacotron2(config, speaker_names=config.speakers)
    with pytest.raises(RestoreError, match=message):
        target.load_state_dict(snapshot(source))
