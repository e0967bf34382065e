"""Model zoo manager against a local HTTP server: downloads, cache, and every way a download can go wrong."""

import errno
import hashlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import torch

from TTS.zoo import manager as manage
from TTS.zoo.download import fetch_file, make_session
from TTS.utils.io import load_checkpoint_file
from TTS.utils.manage import MARKER_FILE, PARTIAL_PREFIX, ModelDownloadError, ModelManager, ModelNotFoundError

NAME = "tts_models/en/ljspeech/tacotron2-DDC"
FOLDER = "tts_models--en--ljspeech--tacotron2-DDC"
VOCODER = "vocoder_models/en/ljspeech/hifigan_v2"
TRAINER_DIR = "/home/trainer/.local/share/tts/" + FOLDER
HUB_SHA = "0123456789abcdef0123456789abcdef01234567"


class Server:
    """A threaded HTTP server on 127.0.0.1 serving ``routes``: path -> dict(body, status, mode, headers)."""

    def __init__(self):
        self.routes = {}
        self.hits = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self, with_body):
                path = urlparse(self.path).path
                server.hits.append((self.command, path))
                route = server.routes.get(path)
                if route is None:
                    route = {"status": 404, "body": b"not found"}
                if route.get("fail_first") and not route.get("failed"):
                    route["failed"] = True
                    route = {"status": 503, "body": b"busy"}
                body = route.get("body", b"")
                self.send_response(route.get("status", 200))
                self.send_header("Content-Length", str(route.get("length", len(body))))
                for key, value in route.get("headers", {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if not with_body:
                    return
                if route.get("mode") == "drop":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def do_GET(self):
                self._serve(True)

            def do_HEAD(self):
                self._serve(False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self):
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.stop()


def _model_files():
    """A fake Coqui model folder: config with the trainer's absolute paths, tiny checkpoint, stats."""
    buffer = io.BytesIO()
    torch.save({"model": {"encoder.weight": torch.arange(6.0).reshape(2, 3)}, "step": 10}, buffer)
    config = {
        "model": "tacotron2",
        "audio": {"sample_rate": 22050, "stats_path": f"{TRAINER_DIR}/scale_stats.npy"},
        "output_path": "/home/trainer/runs/",
        "datasets": [{"path": "/data/LJSpeech-1.1/", "meta_file_train": "metadata.csv"}],
    }
    return {
        "config.json": json.dumps(config).encode(),
        "model_file.pth": buffer.getvalue(),
        "scale_stats.npy": b"\x93NUMPY fake stats",
    }


FILES = _model_files()


def _zip(files=FILES, top=FOLDER, extra=()):
    """Zip bytes in Coqui's release layout (one top-level folder), plus raw ``ZipInfo`` extras."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"{top}/{name}" if top else name, data)
        for info, data in extra:
            zf.writestr(info, data)
    return buffer.getvalue()


def _registry(tmp_path, server, **overrides):
    entry = {
        "description": "test model",
        "github_rls_url": server.url(f"/releases/{FOLDER}.zip"),
        "default_vocoder": VOCODER,
        "license": "apache 2.0",
        **overrides,
    }
    registry = {
        "tts_models": {"en": {"ljspeech": {"tacotron2-DDC": entry}}},
        "vocoder_models": {
            "en": {
                "ljspeech": {"hifigan_v2": {"description": "vocoder", "repo_id": "tts-hub/hifigan", "license": "mit"}}
            }
        },
    }
    path = tmp_path / "models.json"
    path.write_text(json.dumps(registry))
    return path


@pytest.fixture
def zoo(tmp_path, server, monkeypatch):
    """Cache under tmp, TTS_MODELS_FILE pointing at a local registry, the release zip served."""
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server)))
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip()}
    return tmp_path / "home" / "tts"


def _manager(**kwargs):
    return ModelManager(progress_bar=False, retries=1, timeout=(2.0, 2.0), **kwargs)


def _leftovers(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


@pytest.mark.parametrize("top", [FOLDER, ""], ids=["top-folder", "flat"])
def test_download_verifies_localizes_and_marks_complete(zoo, server, top):
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip(top=top)}
    model_path, config_path, item = _manager().download_model(NAME)
    folder = zoo / FOLDER
    assert model_path == folder / "model_file.pth" and config_path == folder / "config.json"
    assert item["default_vocoder"] == VOCODER and item["model_name"] == NAME and item["model_type"] == "tts_models"
    config = json.loads(config_path.read_text())
    assert config["audio"]["stats_path"] == str(folder / "scale_stats.npy")
    assert config["output_path"] == "/home/trainer/runs/"  # not a shipped file: left alone
    assert config["datasets"][0]["meta_file_train"] == "metadata.csv"
    assert json.loads((folder / "config.json.orig").read_text())["audio"]["stats_path"].startswith(TRAINER_DIR)
    marker = json.loads((folder / MARKER_FILE).read_text())
    url = server.url(f"/releases/{FOLDER}.zip")
    assert marker["source"]["urls"][url] == hashlib.sha256(server.routes[f"/releases/{FOLDER}.zip"]["body"]).hexdigest()
    assert marker["files"]["model_file.pth"]["sha256"] == hashlib.sha256(FILES["model_file.pth"]).hexdigest()
    assert _leftovers(zoo) == [FOLDER]  # no partial folder, no stray zip
    assert torch.equal(load_checkpoint_file(model_path)["model"]["encoder.weight"], torch.arange(6.0).reshape(2, 3))


def test_cached_model_makes_no_network_call(zoo, server, monkeypatch, tmp_path):
    # registry as a URL: even reading it would need the server
    monkeypatch.setenv("TTS_MODELS_FILE", server.url("/models.json"))
    server.routes["/models.json"] = {"body": (tmp_path / "models.json").read_bytes()}
    first = _manager().download_model(NAME)
    assert ("GET", "/models.json") in server.hits
    server.stop()

    def no_network(*args, **kwargs):
        raise AssertionError(f"network call while the model is cached: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    manager = _manager()
    assert manager.is_downloaded(NAME)
    assert manager.download_model(NAME) == first


def test_registry_url_and_path_are_both_read(zoo, server, tmp_path, monkeypatch):
    assert _manager().list_models() == [NAME, "vocoder_models/en/ljspeech/hifigan_v2"]
    server.routes["/zoo.json"] = {"body": (tmp_path / "models.json").read_bytes()}
    monkeypatch.setenv("TTS_MODELS_FILE", server.url("/zoo.json"))
    assert _manager().list_models("vocoder_models") == [VOCODER]
    info = _manager().list_models_info("tts_models")
    assert [(i["model_name"], i["downloaded"], i["path"]) for i in info] == [(NAME, False, None)]
    _manager().download_model(NAME)
    assert _manager().model_info_by_name(NAME)["downloaded"] is True


def _symlink_member():
    info = zipfile.ZipInfo(f"{FOLDER}/stats_link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, "/etc/passwd"


@pytest.mark.parametrize(
    "route, message",
    [
        ({"body": _zip(), "mode": "drop"}, "of .* bytes"),
        ({"body": b"<html>this is not a zip</html>"}, "sent a web page instead of the file"),
        ({"body": _zip()[:-40]}, "not a readable zip"),
        ({"body": _zip(extra=[(f"{FOLDER}/../escape.txt", "x")])}, r"unsafe zip member .*'\.\.' in path"),
        ({"body": _zip(extra=[("/tmp/owned.txt", "x")])}, "unsafe zip member .*absolute path"),
        ({"body": _zip(extra=[("C:/owned.txt", "x")])}, "unsafe zip member .*absolute path"),
        ({"body": _zip(extra=[_symlink_member()])}, "unsafe zip member .*symbolic link"),
        ({"body": _zip(files={"config.json": b"{}"})}, "expected config.json and one of model_file.pth"),
        ({"status": 404, "body": b"gone"}, "HTTP 404"),
        ({"status": 302, "headers": {"Location": f"/releases/{FOLDER}.zip"}}, "TooManyRedirects"),
        ({"body": _zip(files={**FILES, "config.json": b"\xff\xfe{}"})}, r"config\.json is not UTF-8 text"),
        ({"body": _zip(files={**FILES, "config.json": b"[1, 2]"})}, r"config\.json must hold a JSON object"),
    ],
    ids=[
        "dropped",
        "html",
        "truncated-zip",
        "dotdot",
        "absolute",
        "drive",
        "symlink",
        "no-model-file",
        "404",
        "redirect-loop",
        "config-not-utf8",
        "config-not-object",
    ],
)
def test_bad_downloads_fail_cleanly_and_a_fixed_server_then_works(zoo, server, route, message):
    server.routes[f"/releases/{FOLDER}.zip"] = route
    manager = _manager()
    with pytest.raises(ModelDownloadError, match=message) as caught:
        manager.download_model(NAME)
    text = str(caught.value)
    assert server.url(f"/releases/{FOLDER}.zip") in text and "not in the model cache" in text and "\n" not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no chained traceback
    assert _leftovers(zoo) == [] and not manager.is_downloaded(NAME)
    assert not (zoo.parent / "escape.txt").exists()
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip()}
    assert manager.download_model(NAME)[0].is_file()


def test_corrupt_member_data_is_caught_by_the_crc_check(zoo, server):
    body = bytearray(_zip(files={**FILES, "model_file.pth": FILES["model_file.pth"] * 4}))
    start = body.index(b"model_file.pth") + 200  # inside the compressed data of that member
    body[start : start + 8] = b"\x00" * 8
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": bytes(body)}
    with pytest.raises(ModelDownloadError, match="corrupt zip|not a readable zip"):
        _manager().download_model(NAME)
    assert _leftovers(zoo) == []


def test_wrong_sha256_is_refused(tmp_path, server, zoo, monkeypatch):
    url = server.url(f"/releases/{FOLDER}.zip")
    monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server, sha256={url: "0" * 64})))
    with pytest.raises(ModelDownloadError, match="sha256 mismatch"):
        _manager().download_model(NAME)
    assert _leftovers(zoo) == []
    good = hashlib.sha256(server.routes[f"/releases/{FOLDER}.zip"]["body"]).hexdigest()
    monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server, sha256={url: good})))
    assert _manager().download_model(NAME)[0].is_file()


def test_a_5xx_answer_is_retried(zoo, server):
    server.routes[f"/releases/{FOLDER}.zip"]["fail_first"] = True
    assert _manager().download_model(NAME)[0].is_file()
    assert server.hits.count(("GET", f"/releases/{FOLDER}.zip")) == 2


def test_folder_without_marker_is_replaced(zoo, server):
    folder = zoo / FOLDER
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")  # half-extracted by an interrupted run
    (folder / "model_file.pth").write_bytes(b"half")
    manager = _manager()
    assert not manager.is_downloaded(NAME)
    model_path, _, _ = manager.download_model(NAME)
    assert model_path.read_bytes() == FILES["model_file.pth"] and (folder / MARKER_FILE).is_file()
    assert _leftovers(zoo) == [FOLDER]


def test_complete_folder_with_a_damaged_file_is_downloaded_again(zoo, server):
    manager = _manager()
    model_path, _, _ = manager.download_model(NAME)
    model_path.write_bytes(b"truncated")
    assert not manager.is_downloaded(NAME)
    assert manager.download_model(NAME)[0].read_bytes() == FILES["model_file.pth"]
    assert server.hits.count(("GET", f"/releases/{FOLDER}.zip")) == 2


def test_interrupt_leaves_nothing_and_stale_partials_are_removed(zoo, server, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(manage, "extract_zip", interrupted)
        with pytest.raises(KeyboardInterrupt):
            _manager().download_model(NAME)
    assert _leftovers(zoo) == []
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = zoo / f"{PARTIAL_PREFIX}{FOLDER}--{manage._HOST}--{dead.stdout.strip()}--abc"
    alive = zoo / f"{PARTIAL_PREFIX}{FOLDER}--{manage._HOST}--{os.getpid()}--def"
    for partial in (stale, alive):
        (partial / "model").mkdir(parents=True)
        (partial / "model" / "model_file.pth").write_bytes(b"partial")
    assert _manager().download_model(NAME)[0].read_bytes() == FILES["model_file.pth"]
    assert not stale.exists() and alive.exists()  # a live process's partial folder is left alone


def test_offline_error_names_the_url_and_the_cache(tmp_path, monkeypatch):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/releases/{FOLDER}.zip"
    registry = {
        "tts_models": {
            "en": {"ljspeech": {"tacotron2-DDC": {"description": "x", "github_rls_url": url, "license": "mit"}}}
        },
        "vocoder_models": {},
    }
    (tmp_path / "models.json").write_text(json.dumps(registry))
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "home"))
    with pytest.raises(ModelDownloadError) as caught:
        _manager(models_file=tmp_path / "models.json").download_model(NAME)
    assert url in str(caught.value) and "not in the model cache" in str(caught.value)
    assert _leftovers(tmp_path / "home" / "tts") == []


def test_typo_names_the_closest_models(zoo):
    with pytest.raises(ModelNotFoundError, match="closest: tts_models/en/ljspeech/tacotron2-DDC") as caught:
        _manager().download_model("tts_models/en/ljspeech/tacotron2-DCC")
    assert str(caught.value).startswith("model 'tts_models/en/ljspeech/tacotron2-DCC' is not in the registry")
    with pytest.raises(ModelNotFoundError, match="closest: tts_models/en/ljspeech/tacotron2-DDC"):
        _manager().model_info_by_name("tacotron2-ddc")
    with pytest.raises(ModelNotFoundError):
        _manager().download_model("tts_models/../../etc")
    assert _leftovers(zoo) == []


def test_list_of_file_urls_downloads_each_file(tmp_path, server, zoo, monkeypatch):
    urls = []
    for name, data in FILES.items():
        server.routes[f"/files/{name}"] = {"body": data}
        urls.append(server.url(f"/files/{name}"))
    digests = {urls[1]: hashlib.sha256(FILES["model_file.pth"]).hexdigest()}
    monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server, github_rls_url=urls, sha256=digests)))
    model_path, config_path, _ = _manager().download_model(NAME)
    assert model_path.read_bytes() == FILES["model_file.pth"]
    assert json.loads(config_path.read_text())["audio"]["stats_path"] == str(zoo / FOLDER / "scale_stats.npy")


# ----- Hugging Face repositories ------------------------------------------------------------------


def _serve_hub(server, repo_id, files):
    """The routes huggingface_hub's snapshot_download uses: revision info, tree listing, resolve."""
    siblings = [{"rfilename": name} for name in files]
    server.routes[f"/api/models/{repo_id}/revision/main"] = {
        "body": json.dumps({"id": repo_id, "sha": HUB_SHA, "siblings": siblings}).encode(),
        "headers": {"Content-Type": "application/json"},
    }
    tree = [
        {"type": "file", "path": name, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
        for name, data in files.items()
    ]
    server.routes[f"/api/models/{repo_id}/tree/{HUB_SHA}"] = {
        "body": json.dumps(tree).encode(),
        "headers": {"Content-Type": "application/json"},
    }
    for name, data in files.items():
        headers = {"X-Repo-Commit": HUB_SHA, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
        server.routes[f"/{repo_id}/resolve/{HUB_SHA}/{name}"] = {"body": data, "headers": headers}


def test_repo_id_entry_downloads_through_huggingface_hub(tmp_path, server, zoo, monkeypatch):
    files = {**FILES, "README.md": b"# model card", "events.out.tfevents": b"logs"}
    _serve_hub(server, "tts-hub/tacotron2_ddc-es-mai", files)
    monkeypatch.setenv("HF_ENDPOINT", server.url(""))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    registry = _registry(tmp_path, server)
    data = json.loads(registry.read_text())
    data["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"] = {
        "description": "hub model",
        "repo_id": "tts-hub/tacotron2_ddc-es-mai",
        "license": "MPL",
        "ignore": ["*.tfevents", "README.md"],
    }
    registry.write_text(json.dumps(data))
    model_path, config_path, item = _manager().download_model(NAME)
    folder = zoo / FOLDER
    assert model_path == folder / "model_file.pth" and model_path.read_bytes() == FILES["model_file.pth"]
    assert json.loads(config_path.read_text())["audio"]["stats_path"] == str(folder / "scale_stats.npy")
    assert not (folder / "README.md").exists() and not (folder / "events.out.tfevents").exists()
    assert not (folder / ".cache").exists() and item["repo_id"] == "tts-hub/tacotron2_ddc-es-mai"
    assert json.loads((folder / MARKER_FILE).read_text())["source"]["repo_id"] == "tts-hub/tacotron2_ddc-es-mai"
    assert _leftovers(zoo) == [FOLDER]
    # the hub going away breaks nothing once cached; a missing repo names the URL
    server.routes.clear()
    assert _manager().download_model(NAME)[0] == model_path
    with pytest.raises(ModelDownloadError, match=r"tts-hub/hifigan.*not in the model cache"):
        _manager().download_model(VOCODER)
    assert _leftovers(zoo) == [FOLDER]


# ----- models shipped inside the package ("embedded") ---------------------------------------------

SHIPPED = "tts_models/en/kumo/tacotron2-DDC"


def test_the_shipped_default_model_needs_no_cache_and_no_network(tmp_path, offline):
    manager = ModelManager()
    model_path, config_path, entry = manager.download_model(SHIPPED)
    assert model_path.parent == manage.EMBEDDED_MODELS_DIR / "tts_models--en--kumo--tacotron2-DDC"
    assert config_path == model_path.parent / "config.json" and config_path.is_file()
    assert entry["default"] is True
    info = manager.model_info_by_name(SHIPPED)
    assert info["downloaded"] is True and info["path"] == str(model_path.parent)
    assert not (tmp_path / "home").exists()  # nothing written to the cache
    # weights only: no optimizer state in the shipped file, and small enough to ship
    checkpoint = load_checkpoint_file(model_path)
    assert "optimizer" not in checkpoint and "model" in checkpoint
    assert model_path.stat().st_size < 40e6


def test_an_embedded_entry_whose_folder_is_missing_says_to_reinstall(tmp_path):
    registry = {
        "tts_models": {"en": {"x": {"m": {"description": "x", "embedded": "no-such-folder", "license": "mit"}}}},
        "vocoder_models": {},
    }
    (tmp_path / "models.json").write_text(json.dumps(registry))
    with pytest.raises(ModelNotFoundError, match="no-such-folder.*reinstall the package"):
        _manager(models_file=tmp_path / "models.json").download_model("tts_models/en/x/m")


@pytest.mark.parametrize("kind", ["a file", "unwritable"])
def test_model_cache_that_cannot_be_created_names_the_folder_and_tts_home(tmp_path, monkeypatch, kind):
    home = tmp_path / "home"
    if kind == "a file":
        home.write_text("not a folder")
    else:
        home.mkdir()
        monkeypatch.setattr(Path, "mkdir", _refuse_mkdir)
    monkeypatch.setenv("TTS_HOME", str(home))
    monkeypatch.delenv("TTS_MODELS_FILE", raising=False)
    with pytest.raises(ModelDownloadError) as info:
        ModelManager(progress_bar=False).download_model("tts_models/en/ljspeech/tacotron2-DDC")
    message = str(info.value)
    assert f"cannot create a folder in the model cache {home / 'tts'}" in message
    assert f"it comes from TTS_HOME={home}: set TTS_HOME to a writable folder" in message


def _refuse_mkdir(self, *args, **kwargs):
    raise PermissionError(1, "Operation not permitted", str(self))


# ----- robustness: servers that lie, zips in odd layouts, caches changed by hand ----------------------


def _file_urls(tmp_path, server, monkeypatch, routes):
    """Serve FILES one URL each (``routes`` overrides a file's route) and register them as a list of URLs."""
    urls = []
    for name, data in FILES.items():
        server.routes[f"/files/{name}"] = routes.get(name, {"body": data})
        urls.append(server.url(f"/files/{name}"))
    monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server, github_rls_url=urls)))
    return urls


@pytest.mark.parametrize(
    "route",
    [
        {"body": b"<p>Sign in to the hotel wifi</p>", "headers": {"Content-Type": "text/html; charset=utf-8"}},
        {"body": b"\n  <!DOCTYPE html><html><body>404</body></html>"},
    ],
    ids=["content-type", "sniffed"],
)
def test_a_web_page_sent_with_status_200_is_not_stored_as_the_model(tmp_path, server, zoo, monkeypatch, route):
    urls = _file_urls(tmp_path, server, monkeypatch, {"model_file.pth": route})
    with pytest.raises(ModelDownloadError, match="sent a web page instead of the file") as caught:
        _manager().download_model(NAME)
    assert urls[1] in str(caught.value)
    assert _leftovers(zoo) == []


def test_an_announced_size_larger_than_the_free_disk_is_refused_before_writing(zoo, server):
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": b"PK", "length": 10**18}
    with pytest.raises(ModelDownloadError, match=r"announces 1000000000\.00 GB, only .* GB free in") as caught:
        _manager().download_model(NAME)
    assert server.url(f"/releases/{FOLDER}.zip") in str(caught.value)
    assert _leftovers(zoo) == []


def test_a_stalled_server_times_out_with_the_url_and_the_timeout(tmp_path, zoo, server, monkeypatch):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/releases/{FOLDER}.zip"
        monkeypatch.setenv("TTS_MODELS_FILE", str(_registry(tmp_path, server, github_rls_url=url)))
        manager = ModelManager(progress_bar=False, retries=0, timeout=(1.0, 0.5))
        with pytest.raises(ModelDownloadError, match=r"timed out.*read timeout=0\.5") as caught:
            manager.download_model(NAME)
    assert url in str(caught.value) and _leftovers(zoo) == []


def test_writing_the_download_fails_with_one_line_naming_the_cache(zoo, server, monkeypatch):
    def disk_full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(manage, "_write_synced", disk_full)
    with pytest.raises(ModelDownloadError, match="No space left on device") as caught:
        _manager().download_model(NAME)
    assert "TTS_HOME" in str(caught.value) and caught.value.__cause__ is None
    assert _leftovers(zoo) == []


def test_fetch_file_turns_file_and_url_errors_into_one_line(server, tmp_path):
    server.routes["/f"] = {"body": b"data"}
    session = make_session(retries=0)
    with pytest.raises(ModelDownloadError, match="cannot write .*missing"):
        fetch_file(server.url("/f"), tmp_path / "missing" / "f", session=session, progress_bar=False)
    with pytest.raises(ModelDownloadError, match=r"could not download http://a\.\.b/x\.zip"):
        fetch_file("http://a..b/x.zip", tmp_path / "f", session=session, progress_bar=False)


def test_a_zip_nested_one_folder_deeper_is_flattened(zoo, server):
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip(top=f"release-v1/{FOLDER}")}
    model_path, config_path, _ = _manager().download_model(NAME)
    assert model_path == zoo / FOLDER / "model_file.pth" and config_path.is_file()


def test_two_model_files_use_the_first_of_the_documented_order_with_a_warning(zoo, server, caplog):
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip(files={**FILES, "checkpoint.pth": b"training state"})}
    with caplog.at_level("WARNING", logger="TTS.utils.manage"):
        model_path, _, _ = _manager().download_model(NAME)
    assert model_path.name == "model_file.pth"
    assert "model_file.pth and checkpoint.pth; using model_file.pth" in caplog.text


def test_a_config_with_a_byte_order_mark_is_accepted_and_kept_as_released(zoo, server):
    released = b"\xef\xbb\xbf" + FILES["config.json"]
    server.routes[f"/releases/{FOLDER}.zip"] = {"body": _zip(files={**FILES, "config.json": released})}
    _, config_path, _ = _manager().download_model(NAME)
    assert json.loads(config_path.read_text())["audio"]["stats_path"] == str(zoo / FOLDER / "scale_stats.npy")
    assert (zoo / FOLDER / "config.json.orig").read_bytes() == released


def test_an_edited_config_is_used_not_downloaded_over(zoo, server):
    manager = _manager()
    _, config_path, _ = manager.download_model(NAME)
    config = json.loads(config_path.read_text())
    config["audio"]["sample_rate"] = 16000
    config_path.write_text(json.dumps(config, indent=2))
    assert manager.is_downloaded(NAME)
    assert manager.download_model(NAME)[1] == config_path
    assert json.loads(config_path.read_text())["audio"]["sample_rate"] == 16000
    config_path.write_text(config_path.read_text()[:-20])  # an edit that broke it: say so, keep it
    with pytest.raises(ModelDownloadError, match=r"no longer valid JSON.*delete the folder") as caught:
        manager.download_model(NAME)
    assert str(config_path) in str(caught.value)
    assert server.hits.count(("GET", f"/releases/{FOLDER}.zip")) == 1


def test_a_folder_copied_under_another_models_name_is_not_used(tmp_path, zoo, server, monkeypatch):
    registry = _registry(tmp_path, server)
    data = json.loads(registry.read_text())
    other = dict(data["tts_models"]["en"]["ljspeech"]["tacotron2-DDC"], github_rls_url=server.url("/other.zip"))
    data["tts_models"]["en"]["ljspeech"]["other"] = other
    registry.write_text(json.dumps(data))
    server.routes["/other.zip"] = {"body": _zip(top="")}
    _manager().download_model(NAME)
    shutil.copytree(zoo / FOLDER, zoo / "tts_models--en--ljspeech--other")
    assert not _manager().is_downloaded("tts_models/en/ljspeech/other")
    _manager().download_model("tts_models/en/ljspeech/other")
    assert ("GET", "/other.zip") in server.hits
    marker = json.loads((zoo / "tts_models--en--ljspeech--other" / MARKER_FILE).read_text())
    assert marker["model_name"] == "tts_models/en/ljspeech/other"


@pytest.mark.parametrize("damage", ["config.json", "model_file.pth", MARKER_FILE])
def test_offline_error_says_what_is_wrong_with_the_cached_copy_and_keeps_it(zoo, server, damage):
    _manager().download_model(NAME)
    folder = zoo / FOLDER
    (folder / damage).unlink()
    server.stop()
    with pytest.raises(ModelDownloadError) as caught:
        _manager().download_model(NAME)  # a new session: no kept-alive connection to the stopped server
    message = str(caught.value)
    problem = f"no completion marker {MARKER_FILE}" if damage == MARKER_FILE else f"{damage} is missing"
    assert f"the copy in {folder} is not usable ({problem}) and was left as it is" in message
    assert "\n" not in message and (folder / "scale_stats.npy").is_file()


def test_an_incomplete_folder_moved_away_by_another_process_meanwhile(zoo, server, monkeypatch):
    folder = zoo / FOLDER
    folder.mkdir(parents=True)
    (folder / "model_file.pth").write_bytes(b"half")
    real_replace = os.replace

    def other_process_first(src, dst):
        if Path(src) == folder and Path(dst).name == "old":
            shutil.rmtree(folder)  # the other process moved it to its own trash first
        return real_replace(src, dst)

    monkeypatch.setattr(manage.os, "replace", other_process_first)
    assert _manager().download_model(NAME)[0].read_bytes() == FILES["model_file.pth"]
    assert _leftovers(zoo) == [FOLDER]


def test_two_downloads_of_the_same_model_at_once_leave_one_good_folder(zoo, server):
    results, errors = [], []

    def download():
        try:
            results.append(_manager().download_model(NAME))
        except Exception as err:  # noqa: BLE001 -- reported below
            errors.append(err)

    threads = [threading.Thread(target=download) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 3 and len({r[0] for r in results}) == 1
    assert _manager().is_downloaded(NAME) and _leftovers(zoo) == [FOLDER]



def test_a_hub_entry_with_the_default_endpoint_fails_in_one_line_naming_the_hub_url(tmp_path):
    """The shipped registry's repo_id entries (es/mai among them), HF_ENDPOINT unset, in a fresh process (where
    nothing has imported huggingface_hub.constants yet) and no way out: one line naming huggingface.co, exit 1.
    It was an AttributeError traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(TTS_HOME=str(tmp_path / "home"), HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    env.pop("TTS_MODELS_FILE", None)
    command = [sys.executable, "-m", "TTS.bin.synthesize", "--model_name", "tts_models/es/mai/tacotron2-DDC"]
    result = subprocess.run(
        [*command, "--text", "Hola.", "--out_path", str(tmp_path / "hola.wav"), "--no-progress_bar"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "AttributeError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "huggingface.co/" in lines[0] and "not in the model cache" in lines[0], lines
