import dataclasses
import json
import logging

import pytest

from TTS.config import ConfigError, config_from_dict, load_config
from TTS.config.shared_configs import BaseAudioConfig, BaseDatasetConfig, BaseTrainingConfig
from TTS.tts.configs.shared_configs import BaseTTSConfig, CharactersConfig
from TTS.tts.configs.tacotron2_config import Tacotron2Config
from trainer import TrainerConfig

FIXTURES = ["a_ljspeech_ddc/config.json", "a_ljspeech_ddc/config_recipe_flow.json", "b_tacotron2_r2/config.json"]


@pytest.mark.parametrize("name", FIXTURES)
def test_coqui_fixture_configs_load_with_their_values(coqui_fixtures, name, caplog):
    raw = json.loads((coqui_fixtures / name).read_text())
    with caplog.at_level(logging.INFO, logger="TTS.config"):
        config = load_config(coqui_fixtures / name)
    assert isinstance(config, Tacotron2Config)
    assert config.r == raw["r"]
    assert config.double_decoder_consistency == raw["double_decoder_consistency"]
    assert config.audio.log_func == raw["audio"]["log_func"]
    assert config.audio.mel_fmax == raw["audio"]["mel_fmax"]
    assert config.datasets[0].formatter == "ljspeech"
    assert config.gradual_training == raw["gradual_training"]
    assert config.max_audio_len == float("inf")
    if raw["characters"]:
        assert config.characters.characters == raw["characters"]["characters"]
    # every known field comes back unchanged when saved again
    saved = config.to_dict()
    for key, value in raw.items():
        if key in saved and key not in ("audio", "characters", "datasets"):
            assert saved[key] == value, key
    # one log line names the fields we do not use
    unknown_lines = [r.getMessage() for r in caplog.records if "ignoring fields" in r.getMessage()]
    assert len(unknown_lines) == 1
    assert "gst_style_input" in unknown_lines[0]
    # Coqui's GST / Capacitron switches are known fields (so that true is an error naming them), off here
    assert config.use_gst is False and config.use_capacitron_vae is False
    assert not [r for r in caplog.records if "did you mean" in r.getMessage()]  # none taken for a typo


def _base(**changes):
    data = {"model": "tacotron2", "audio": {"sample_rate": 22050}}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"r": "six"}, "'r'"),
        ({"r": 2.5}, "'r'"),
        ({"audio": {"sample_rate": "fast"}}, "'audio.sample_rate'"),
        ({"use_phonemes": "yes"}, "'use_phonemes'"),
        ({"datasets": [{"formatter": "ljspeech", "path": 5}]}, "'datasets[0].path'"),
        ({"gradual_training": [[0, 6]]}, "'gradual_training[0]'"),
        ({"attention_norm": "tanh"}, "'attention_norm'"),
        ({"audio": {"win_length": 4096, "fft_size": 1024}}, "'audio.win_length'"),
        ({"audio": {"mel_fmax": 20000.0, "sample_rate": 22050}}, "'audio.mel_fmax'"),
        ({"unknown_chars": "ignore"}, "'unknown_chars'"),
        ({"decoder_in_features": 256}, "'decoder_in_features'"),
        ({"out_channels": 40}, "'out_channels'"),
        ({"batch_sampler": "sorted"}, "'batch_sampler'"),
        ({"use_phonemes": True, "phoneme_language": None}, "'phoneme_language'"),
    ],
)
def test_wrong_type_or_value_names_the_field(changes, field):
    with pytest.raises(ConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        config_from_dict(_base(**changes))


def test_file_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"model": "tacotron2",, }')
    with pytest.raises(ConfigError, match=r"bad\.json.*line 1"):
        load_config(bad)
    no_model = tmp_path / "no_model.json"
    no_model.write_text('{"r": 2}')
    with pytest.raises(ConfigError, match=r"no_model\.json.*'model'"):
        load_config(no_model)
    unknown_model = tmp_path / "unknown_model.json"
    unknown_model.write_text('{"model": "wavenet9000"}')
    with pytest.raises(ConfigError, match="unknown model 'wavenet9000'.*tacotron2"):
        load_config(unknown_model)
    typed = tmp_path / "typed.json"
    typed.write_text('{"model": "tacotron2", "audio": {"num_mels": "eighty"}}')
    with pytest.raises(ConfigError, match=r"typed\.json.*'audio\.num_mels'"):
        load_config(typed)


def test_yaml_and_commented_json(tmp_path):
    yaml_file = tmp_path / "config.yaml"
    yaml_file.write_text("model: tacotron2\nr: 3\naudio:\n  sample_rate: 16000\n  mel_fmax: 7600.0\n")
    config = load_config(yaml_file)
    assert config.r == 3 and config.audio.sample_rate == 16000
    commented = tmp_path / "config.json"
    commented.write_text('{\n  // reduction factor\n  "model": "tacotron2",\n  "r": 4\n}\n')
    assert load_config(commented).r == 4


def test_utf8_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"model": "tacotron2", "r": 3}).encode())  # Notepad's UTF-8
    assert load_config(path).r == 3


def test_round_trip_through_json(tmp_path):
    config = Tacotron2Config(
        r=3, use_phonemes=True, phoneme_language="es", datasets=[BaseDatasetConfig(formatter="ljspeech", path="/d")]
    )
    path = tmp_path / "config.json"
    config.save_json(str(path))
    again = load_config(path)
    assert again.to_dict() == config.to_dict()


@pytest.mark.parametrize(
    "cls", [BaseAudioConfig, BaseDatasetConfig, BaseTrainingConfig, CharactersConfig, BaseTTSConfig, Tacotron2Config]
)
def test_every_field_is_documented(cls):
    trainer_fields = {f.name for f in dataclasses.fields(TrainerConfig)}
    for f in dataclasses.fields(cls):
        if f.name in trainer_fields and f.name not in cls.__dict__.get("__annotations__", {}):
            continue
        assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help text"


@pytest.mark.parametrize(
    "characters, message",
    [
        ({"characters": "abc", "is_unique": "no"}, "'characters.is_unique': expected true/false, got 'no'"),
        ({"characters": 5}, "'characters.characters': expected a string, got 5"),
        ("abc", "'characters': expected a mapping of CharactersConfig fields, got 'abc'"),
    ],
)
def test_errors_inside_optional_sections_name_the_nested_field(characters, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict(_base(characters=characters), source="run/config.json")
    assert str(err.value) == f"run/config.json: config field {message}"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"model": "fast_pitch"}, "'model': unknown model 'fast_pitch'"),
        ({"text_cleaner": "englsh_cleaners"}, "'text_cleaner': unknown cleaner 'englsh_cleaners'"),
        ({"characters": {"characters_class": "Letters"}}, "'characters.characters_class': unknown class 'Letters'"),
    ],
)
def test_name_errors_name_the_config_file(tmp_path, changes, field):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(_base(**changes)))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path}: config field {field}")


def test_non_utf8_or_binary_config_is_one_line(tmp_path):
    latin1 = tmp_path / "config.json"
    latin1.write_bytes(b'{"model": "tacotron2",\n "run_name": "caf\xe9"}')
    with pytest.raises(ConfigError) as err:
        load_config(latin1)
    assert str(err.value).startswith(
        f"config {latin1} is not UTF-8 text (JSON or YAML): byte 0xe9 at line 2, column 18"
    )
    checkpoint = tmp_path / "model.pth"
    checkpoint.write_bytes(b"PK\x03\x04\x00\x00\x80\x02}q\x00")
    with pytest.raises(
        ConfigError, match=r"model\.pth is not a text file \(UTF-8 JSON or YAML\): it looks like binary data"
    ):
        load_config(checkpoint)
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_misspelt_fields_are_named_with_the_field_they_resemble(caplog):
    data = _base(batch_szie=8, audio={"sample_rte": 16000}, gst_style_input=None)
    with caplog.at_level(logging.INFO, logger="TTS.config"):
        config = config_from_dict(data, source="c.json")
    assert config.batch_size != 8 and config.audio.sample_rate == 22050  # dropped, as unknown fields are
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "c.json: ignoring unknown config field 'audio.sample_rte' (did you mean 'audio.sample_rate'?), "
        "'batch_szie' (did you mean 'batch_size'?)"
    ]
    assert any("does not use: gst_style_input" in r.getMessage() for r in caplog.records)  # not a typo: an info line
    with pytest.raises(ConfigError, match=r"c.json: unknown config field .*'batch_szie' \(did you mean 'batch_size'\?\)"):
        config_from_dict(data, source="c.json", typos="error")
    config_from_dict(_base(gst_style_input=None), typos="error")  # unknown but unlike any field: still only dropped


@pytest.mark.parametrize(
    "field, what",
    [("use_gst", "Global Style Tokens"), ("use_capacitron_vae", "Capacitron"), ("use_d_vector_file", "d-vectors")],
)
def test_coqui_features_we_do_not_have_are_one_config_error_naming_them(field, what):
    with pytest.raises(ConfigError, match=f"c.json: config field '{field}': this Tacotron2 has no .*{what}"):
        config_from_dict(_base(**{field: True}), source="c.json")
