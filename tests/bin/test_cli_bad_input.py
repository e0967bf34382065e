"""The ``tts`` command on bad input: one ``tts: error:`` line and a non-zero exit, checked before the model is
loaded where possible, and never an existing file lost.

Cases run ``main(argv)`` in-process on the toy Tacotron2 of ``test_synthesizer``; the closed-pipe cases run
the real command in a subprocess.
"""


import json
import os
import re
import subprocess
import sys

import pytest
import scipy.io.wavfile
import torch

from TTS.bin import synthesize

from helpers.cli import one_error_line
from helpers.toy_models import write_mismatched_vocoder, write_toy_model

pytestmark = pytest.mark.usefixtures("isolated_zoo", "one_thread")


@pytest.fixture
def no_loading(monkeypatch):
    """Fail the test if the command gets as far as loading a model."""

    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded although the command line is bad")

    monkeypatch.setattr(synthesize, "TTS", refuse)


def _edit_config(config_path, **fields):
    config = json.loads(config_path.read_text())
    for key, value in fields.items():
        if "." in key:
            block, field = key.split(".")
            config[block][field] = value
        else:
            config[key] = value
    config_path.write_text(json.dumps(config))


# ---------------------------------------------------------------------------- --out_path
@pytest.mark.parametrize(
    "out_path, message",
    [
        ("", "--out_path '' is empty"),
        (".", "is a folder"),
        ("missing/x.wav", "folder .*missing does not exist"),
        ("missing_dir/", "ends with a path separator, so it names a folder"),
        ("missing_dir//", "ends with a path separator, so it names a folder"),
    ],
)
def test_bad_out_path_is_refused_before_loading(cli, toy_files, no_loading, tmp_path, monkeypatch, out_path, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*toy_files, "--text", "Hi.", "--out_path", out_path)
    assert code == 1 and out == ""
    assert re.search(message, one_error_line(err))
    assert os.listdir(tmp_path) == ["toy"]  # the model only: no file named after the folder


@pytest.mark.parametrize(
    "name, message",
    [
        ("exist.wav/", "ends with a path separator, so it names a folder"),
        ("exist.wav/x.wav", "exist.wav is a file, not a folder"),
        ("exist.wav/sub/x.wav", "exist.wav is a file, not a folder"),
    ],
)
def test_out_path_through_an_existing_file_keeps_it(cli, toy_files, no_loading, tmp_path, name, message):
    (tmp_path / "exist.wav").write_bytes(b"the old recording")
    code, _, err = cli(*toy_files, "--text", "Hi.", "--out_path", f"{tmp_path}/{name}")
    assert code == 1 and message in one_error_line(err)
    assert (tmp_path / "exist.wav").read_bytes() == b"the old recording"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_a_folder_that_takes_no_new_files_is_refused_before_loading(cli, toy_files, no_loading):
    """/proc refuses new files even to root, for whom os.access says yes."""
    code, _, err = cli(*toy_files, "--text", "Hi.", "--out_path", "/proc/x.wav")
    assert code == 1 and "folder /proc takes no new files" in one_error_line(err)


@pytest.mark.parametrize("flag", ["--model_path", "--config_path"])
def test_out_path_never_overwrites_the_model_files(cli, toy_files, no_loading, tmp_path, flag):
    target = toy_files[toy_files.index(flag) + 1]
    before = target.read_bytes()
    link = tmp_path / "link"
    link.symlink_to(target)
    for out_path in (target, link):
        code, _, err = cli(*toy_files, "--text", "Hi.", "--out_path", out_path)
        assert code == 1 and "writing the wav there would destroy it" in one_error_line(err)
        assert flag in err
    assert target.read_bytes() == before


def test_out_path_never_overwrites_a_file_named_by_the_config(cli, tmp_path):
    """The speakers file the config points at is known only once the model is read: refused before synthesis."""
    model_path, config_path = write_toy_model(tmp_path / "m", speakers=["ada", "bo"], stop_threshold=0.0)
    speakers = tmp_path / "m" / "speakers.json"
    speakers.write_text(json.dumps({"ada": 0, "bo": 1}))
    _edit_config(config_path, speakers_file=str(speakers))
    code, _, err = cli(
        "--model_path", model_path, "--config_path", config_path, "--text", "Hi.", "--speaker_idx", "ada",
        "--out_path", speakers,
    )  # fmt: skip
    assert code == 1 and "is the model's speakers file" in one_error_line(err)
    assert json.loads(speakers.read_text()) == {"ada": 0, "bo": 1}


def test_a_failed_write_keeps_the_old_output(cli, toy_files, tmp_path, failing_wav_write):
    interruption = failing_wav_write
    out = tmp_path / "out" / "o.wav"
    out.parent.mkdir()
    out.write_bytes(b"the old recording")

    code, _, err = cli(*toy_files, "--text", "Hi.", "--out_path", out)
    if isinstance(interruption, KeyboardInterrupt):
        assert code == 130 and "interrupted" in err
    else:
        assert code == 1 and "No space left on device" in one_error_line(err)
    assert out.read_bytes() == b"the old recording"
    assert os.listdir(out.parent) == ["o.wav"]  # no temporary file left


# ---------------------------------------------------------------------------- other flags
@pytest.mark.parametrize(
    "device, code, message",
    [
        ("xpu", 2, "--device 'xpu' is not supported; use cpu, cuda, cuda:N or mps"),
        ("meta", 2, "--device 'meta' is not supported"),
        ("garbage", 2, "--device 'garbage' is not a torch device; use cpu, cuda, cuda:N or mps"),
        ("cuda:99", 1, "--device 'cuda:99'"),
    ],
)
def test_bad_device_is_refused_before_loading(cli, toy_files, no_loading, device, code, message):
    got, _, err = cli(*toy_files, "--text", "Hi.", "--device", device)
    assert got == code and message in err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--list_models", "--text", "Hi.", "--out_path", "lm.wav"], "--text, --out_path would be ignored"),
        (["--model_info_by_name", "tts_models/en/kumo/tacotron2-DDC", "--device", "cuda"], "--device would be"),
        (["--list_models", "--model_info_by_name", "x"], "not both"),
        (["--json", "--text", "Hi."], "--json only applies to --list_models"),
        (["--list_speaker_idxs", "--text", "Hi."], "--list_speaker_idxs only lists speakers: --text"),
    ],
)
def test_flags_that_would_be_ignored_are_usage_errors(cli, no_loading, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(*argv)
    assert code == 2 and out == "" and message in one_error_line(err) and err.rstrip().endswith("(see tts --help)")
    assert not (tmp_path / "lm.wav").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--text"], "argument --text: expected one argument"),
        ([], "nothing to do"),
        (["--model_info_by_name", ""], "--model_info_by_name: the model name is empty"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(cli, no_loading, capsys, argv, message):
    """argparse's own errors (exiting from parse_args) and the command's checks read alike: one line, exit 2."""
    try:
        code, out, err = cli(*argv)
    except SystemExit as exit_:
        code, (out, err) = exit_.code, capsys.readouterr()
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert line.startswith(f"tts: error: {message}") and line.endswith("(see tts --help)")


def test_help_keeps_the_full_usage(capsys):
    with pytest.raises(SystemExit) as info:
        synthesize.main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and out.startswith("usage: tts") and "--speaker_idx" in out and "Examples:" in out


def test_pipe_out_to_a_closed_stdout_is_refused_before_loading(cli, toy_files, no_loading, monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)  # what Python gives a process started with `>&-`
    code, _, err = cli(*toy_files, "--text", "Hi.", "--pipe_out")
    assert code == 1 and "--pipe_out: standard output is closed" in one_error_line(err)


@pytest.mark.slow
def test_pipe_out_to_a_closed_stdout_in_a_real_process(toy_files, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "TTS.bin.synthesize", *map(str, toy_files), "--text", "Hi.", "--pipe_out"],
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        timeout=300,
        preexec_fn=lambda: os.close(1),  # `tts ... --pipe_out >&-`
    )
    assert proc.returncode == 1
    assert proc.stderr.decode().startswith("tts: error: --pipe_out: standard output is closed")


@pytest.mark.slow
def test_listing_into_a_closed_pipe_exits_quietly(tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader is gone, as after `tts --list_models | head -2`
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "TTS.bin.synthesize", "--list_models"],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=300,
        )
    finally:
        os.close(write)
    assert proc.stderr.decode() == ""
    assert proc.returncode == synthesize.EXIT_BROKEN_PIPE


# ---------------------------------------------------------------------------- model files
def test_unsupported_espeak_language_is_one_line_without_python(cli, toy_files):
    from TTS.tts.utils.text.phonemizers.espeak import espeak_languages

    try:
        espeak_languages()
    except Exception as err:  # noqa: BLE001 - no espeak-ng here
        pytest.skip(f"espeak-ng is not usable: {err}")
    _edit_config(toy_files[3], use_phonemes=True, phoneme_language="xx-yy")
    code, _, err = cli(*toy_files, "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and "does not support the language 'xx-yy'" in line
    assert "TTS.tts" not in line and "e.g. en-us" in line


def test_missing_scale_stats_is_one_line(cli, toy_files, tmp_path):
    _edit_config(toy_files[3], **{"audio.signal_norm": True, "audio.stats_path": str(tmp_path / "nope.npy")})
    code, _, err = cli(*toy_files, "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and "scale stats file not found" in line and str(toy_files[3]) in line


@pytest.mark.parametrize(
    "model, message",
    [(5, "should be a state dict of tensors, got int"), ({"w": 5}, "'w' is int")],
)
def test_checkpoint_whose_model_entry_is_not_a_state_dict(cli, toy_files, tmp_path, model, message):
    torch.save({"model": model}, tmp_path / "odd.pth")
    code, _, err = cli("--model_path", tmp_path / "odd.pth", "--config_path", toy_files[3], "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and "odd.pth" in line and message in line


def test_binary_config_is_one_line(cli, toy_files, tmp_path):
    (tmp_path / "bin.json").write_bytes(bytes(range(256)))
    code, _, err = cli("--model_path", toy_files[1], "--config_path", tmp_path / "bin.json", "--text", "Hi.")
    assert code == 1
    assert (
        one_error_line(err) == f"tts: error: --config_path {tmp_path / 'bin.json'} is not a text file (UTF-8 JSON/YAML)"
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{bad", "is not valid JSON"),
        (b"[1, 2]", "holds a JSON list"),
        (b'{"ada": "zero"}', "speaker 'ada' has id 'zero'"),
        (b"\xff\xfe\x00\x01", "is not a text file"),
    ],
)
@pytest.mark.parametrize("model", ["single", "multi"])
def test_bad_speakers_file_is_one_line(cli, toy_files, speaker_files, tmp_path, content, message, model):
    (tmp_path / "speakers.json").write_bytes(content)
    files = toy_files if model == "single" else speaker_files
    code, _, err = cli(*files, "--speakers_file_path", tmp_path / "speakers.json", "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and message in line and "speakers.json" in line


def test_unwritable_model_cache_is_one_line(cli, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "file"))
    code, _, err = cli("--model_name", "tts_models/en/ljspeech/tacotron2-DDC", "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and "cannot create a folder in the model cache" in line
    assert f"TTS_HOME={tmp_path / 'file'}" in line


def test_mismatched_vocoder_is_a_short_line(cli, toy_files, tmp_path):
    write_mismatched_vocoder(tmp_path)
    code, _, err = cli(
        *toy_files, "--text", "Hi.", "--vocoder_path", tmp_path / "vocoder.pth",
        "--vocoder_config_path", tmp_path / "vocoder.json",
    )  # fmt: skip
    line = one_error_line(err)
    assert code == 1 and len(line) < 400
    assert "does not match its config" in line and "with a different shape" in line and "e.g." in line


def test_good_input_still_works(cli, toy_files, tmp_path):
    out = tmp_path / "ok.wav"
    out.write_bytes(b"old")
    os.chmod(out, 0o640)
    code, _, _ = cli(*toy_files, "--text", "Hi.", "--out_path", out)
    assert code == 0 and scipy.io.wavfile.read(out)[1].size > 0
    assert os.stat(out).st_mode & 0o777 == 0o640  # replaced, permissions kept
    assert sorted(os.listdir(tmp_path)) == ["ok.wav", "toy"]
    code, _, _ = cli(*toy_files, "--text", "Hi.", "--out_path", os.devnull)  # written in place, not replaced
    assert code == 0 and os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


# ---------------------------------------------------------------------------- audit findings: configs and flags
def test_a_vocoder_config_as_the_model_config_is_one_line(cli, toy_files, tmp_path):
    (tmp_path / "hifi.json").write_text(json.dumps({"model": "hifigan"}))
    code, _, err = cli("--model_path", toy_files[1], "--config_path", tmp_path / "hifi.json", "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and f"{tmp_path / 'hifi.json'} is a vocoder config (hifigan), not a TTS model config" in line


def test_a_model_config_without_an_audio_section_is_refused(cli, toy_files, tmp_path):
    config = json.loads(toy_files[3].read_text())
    del config["audio"]
    (tmp_path / "noaudio.json").write_text(json.dumps(config))
    out = tmp_path / "x.wav"
    code, _, err = cli("--model_path", toy_files[1], "--config_path", tmp_path / "noaudio.json", "--text", "Hi.",
                       "--out_path", out)  # fmt: skip
    line = one_error_line(err)
    assert code == 1 and f"config {tmp_path / 'noaudio.json'} has no 'audio' section" in line
    assert "audio settings are needed to turn its output into sound" in line and not out.exists()


@pytest.mark.parametrize("flag, what", [("--model_path", "model file"), ("--config_path", "config file")])
def test_a_folder_as_model_or_config_says_so(cli, toy_files, tmp_path, flag, what):
    argv = list(toy_files)
    argv[argv.index(flag) + 1] = tmp_path
    code, _, err = cli(*argv, "--text", "Hi.")
    assert code == 1 and one_error_line(err) == f"tts: error: {what} {tmp_path} is a folder, not a file"


def test_a_config_field_the_model_cannot_use_names_the_config_file(cli, toy_files):
    _edit_config(toy_files[3], use_phonemes=True, phoneme_language="en-us", phonemizer="gruut")
    code, _, err = cli(*toy_files, "--text", "Hi.")
    line = one_error_line(err)
    assert code == 1 and str(toy_files[3]) in line and "config field 'phonemizer'" in line


def test_a_speaker_for_a_single_speaker_model_is_an_error(cli, toy_files, tmp_path):
    out = tmp_path / "x.wav"
    code, _, err = cli(*toy_files, "--text", "Hi.", "--speaker_idx", "ada", "--out_path", out)
    assert code == 1 and not out.exists()
    assert one_error_line(err) == "tts: error: --speaker_idx: the model has no speakers (single-speaker model)"
    (tmp_path / "speakers.json").write_text(json.dumps({"ada": 0}))
    code, _, err = cli(*toy_files, "--text", "Hi.", "--speakers_file_path", tmp_path / "speakers.json",
                       "--out_path", out)  # fmt: skip
    assert code == 1 and not out.exists()
    line = one_error_line(err)
    assert f"speakers file {tmp_path / 'speakers.json'}: the model has no speakers (single-speaker model)" in line


def test_an_unreadable_model_registry_is_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path))
    code, _, err = cli("--list_models")
    assert code == 1 and one_error_line(err) == f"tts: error: model registry {tmp_path} is a folder, not a JSON file"
    (tmp_path / "models.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.png"))
    code, _, err = cli("--list_models")
    assert code == 1 and f"model registry {tmp_path / 'models.png'} is not UTF-8 JSON" in one_error_line(err)
    (tmp_path / "models.json").write_text(json.dumps({"tts_models": [], "vocoder_models": 1}))
    monkeypatch.setenv("TTS_MODELS_FILE", str(tmp_path / "models.json"))
    code, _, err = cli("--list_models")
    assert code == 1 and one_error_line(err) == (
        f"tts: error: {tmp_path / 'models.json'}: 2 problem(s): 'tts_models' must be a mapping of languages; "
        "'vocoder_models' must be a mapping of languages"
    )
