"""The web page in a real browser: Debian's chromium driven by ``playwright`` (no browser download).

``playwright`` is a dev dependency. ``.ci/run`` installs chromium, so under CI (``CI`` set) a missing
``/usr/bin/chromium`` fails these tests; elsewhere they are skipped with the command that installs it.
"""

import os
import threading
from pathlib import Path

import pytest
from helpers.toy_models import write_toy_model
from playwright import sync_api

from TTS.api import TTS
from TTS.server.server import TTSServer

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file() and os.environ.get("CI"):
    raise RuntimeError("CI: /usr/bin/chromium is missing, so the page is untested (.ci/run installs it with apt-get)")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.is_file(), reason="no /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.slow,
]
TEXT = "Hello there. The cat sat on the mat. Then it rained."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    paths = write_toy_model(tmp_path_factory.mktemp("page"), speakers=["ada", "bo"], stop_threshold=0.0)
    server = TTSServer(("127.0.0.1", 0), TTS(model_path=paths[0], config_path=paths[1]), 300)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    page.goto(server.url + "/")
    yield page
    context.close()


def test_type_speak_play_progress_and_download(page, server, tmp_path):
    assert page.evaluate("document.activeElement.id") == "text"  # focused
    assert page.get_by_label("Text to speak").is_visible()  # labelled
    page.keyboard.type(TEXT)
    assert page.locator("#counter").inner_text() == f"{len(TEXT)} / 300 characters"  # the limit of /details
    page.select_option("#speaker_id", "bo")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#download:not([hidden])", timeout=60_000)
    assert page.locator("#progress-text").inner_text() == "Sentence 3 of 3"
    duration = page.evaluate(
        """async () => {
            const audio = document.getElementById("audio");
            if (!(audio.duration > 0)) {
                await new Promise((ok) => audio.addEventListener("loadedmetadata", ok, {once: true}));
            }
            await audio.play();
            await new Promise((ok) => setTimeout(ok, 200));
            return {duration: audio.duration, error: audio.error && audio.error.code, time: audio.currentTime};
        }"""
    )
    assert duration["duration"] > 0 and duration["error"] is None and duration["time"] > 0
    with page.expect_download() as caught:
        page.click("#download")
    download = caught.value
    assert download.suggested_filename == "speech-hello-there-the-cat-sat-on-the-mat-then.wav"
    saved = tmp_path / "clip.wav"
    download.save_as(saved)
    assert saved.read_bytes()[:4] == b"RIFF" and saved.stat().st_size > 44


def test_a_new_request_stops_and_releases_the_old_clip(page):
    page.fill("#text", "Hello there.")
    page.click("#speak")
    page.wait_for_selector("#download:not([hidden])", timeout=60_000)
    first = page.get_attribute("#audio", "src")
    page.evaluate("document.getElementById('audio').play()")
    page.fill("#text", "Bye now.")
    page.click("#speak")
    page.wait_for_selector("#download:not([hidden])", timeout=60_000)
    second = page.get_attribute("#audio", "src")
    assert first != second
    released = page.evaluate(
        "async (url) => { try { await (await fetch(url)).blob(); return false; } catch (e) { return true; } }", first
    )
    assert released  # its blob URL was revoked


def test_an_error_is_announced(page):
    page.fill("#text", "?!")
    page.click("#speak")
    error = page.locator("#error")
    error.filter(has_text="nothing to synthesise").wait_for(timeout=30_000)
    assert error.get_attribute("aria-live") == "assertive" and error.get_attribute("role") == "alert"


def test_no_horizontal_scroll_on_a_phone(page):
    page.fill("#text", "A fairly long sentence " * 20)
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] == 390
    assert page.evaluate("getComputedStyle(document.querySelector('textarea')).fontSize") == "16px"
