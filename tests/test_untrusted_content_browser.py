"""A hostile shared session makes no page and no report contact the network.

Headless Debian Chromium (never a downloaded browser) opens the Therapist
page of ``streamlit run app.py``, uploads a session JSON whose exercise
name, warnings, cues, units, patient and source carry Markdown images,
``<img>``/``<a>`` tags and bare links to ``tracker.example``, then builds and
opens the HTML report. Every request of the browser is logged (and anything
not on this machine is blocked); none may leave localhost, no element may
point at the tracker, and the hostile text must be shown as text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from devtools.browser import (
    CHROMIUM,
    StreamlitStartError,
    chromium_context,
    server_tracebacks,
    streamlit_app,
    wait_idle,
)
from formcheck.analyze import analyze_landmarks
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA, REPO
from tests.hostile import EXERCISE_NAME, HOSTILE, hostile_session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)",
    ),
]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "file", "about", "chrome", "chrome-extension"}

#: Attributes through which an element loads or links something.
POINTING_AT_TRACKER = """() => {
  const names = ['href', 'src', 'srcset', 'xlink:href', 'action', 'formaction',
                 'poster', 'data', 'background', 'style'];
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (names.includes(attr.name) && attr.value.includes('tracker.example')) {
        found.push(el.tagName + ' ' + attr.name + '=' + attr.value);
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def shared_session(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    record = hostile_session(analyze_landmarks(seq, load_spec("bird_dog")).session)
    path = tmp_path_factory.mktemp("shared") / "shared [x](y).session.json"
    path.write_text(record.to_json(), encoding="utf-8")
    return path


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """``streamlit run app.py``; the test fails if the server logged a traceback."""
    log = tmp_path / "streamlit.log"
    try:
        with streamlit_app(
            REPO, log, env={"FORMCHECK_HOME": str(tmp_path / "home")}
        ) as url:
            yield url
    except StreamlitStartError as exc:
        pytest.fail(str(exc))
    tracebacks = server_tracebacks(log.read_text(errors="replace"))
    assert not tracebacks, "\n".join(tracebacks[:3])


def visible_text(page: object) -> str:
    """The page's text as a reader sees it (invisible word joiners removed)."""
    text: str = page.inner_text("body")  # type: ignore[attr-defined]
    return text.replace("\u2060", "")


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname in LOCAL_HOSTS


def test_hostile_session_loads_nothing_from_the_network(
    shared_session: Path, app_url: str, tmp_path: Path
) -> None:
    pytest.importorskip("playwright.sync_api")
    requested: list[str] = []

    def guard(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        requested.append(url)
        if _is_local(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    with chromium_context(tmp_path / "profile", viewport_wh=(1280, 1000)) as context:
        context.route("**/*", guard)
        page = context.new_page()
        page.goto(f"{app_url}/Therapist", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Therapist").wait_for(timeout=60_000)
        wait_idle(page, timeout_s=30.0)
        uploader = page.get_by_test_id("stFileUploader").filter(
            has_text="sessions a patient shared"
        )
        uploader.locator("input[type=file]").set_input_files(str(shared_session))
        page.get_by_test_id("stExpander").first.wait_for(timeout=60_000)
        wait_idle(page, timeout_s=30.0)
        page.locator("svg.main-svg").first.wait_for(timeout=30_000)
        time.sleep(1.0)  # let images and plots ask for whatever they would
        page.screenshot(path=str(tmp_path / "therapist.png"), full_page=True)
        shown = visible_text(page)
        assert f"shared [x](y).session.json — {EXERCISE_NAME}" in shown
        assert "Note: ![t](http://tracker.example/t.png)" in shown
        assert 'Note: <a href="http://tracker.example/a">click</a>' in shown
        assert f"Note: {HOSTILE[4]}" in shown  # no emphasis, emoji, icon, maths
        assert page.evaluate(POINTING_AT_TRACKER) == []

        page.get_by_role("tab", name="Report").click()
        page.get_by_role("button", name="Build report").click()
        download_button = page.get_by_role(
            "button", name="Download report (HTML, works offline, printable)"
        )
        download_button.wait_for(timeout=120_000)
        with page.expect_download() as download:
            download_button.click()
        report = tmp_path / "report.html"
        download.value.save_as(report)

        opened = context.new_page()
        opened.goto(report.as_uri(), wait_until="load")
        opened.locator("svg.main-svg").first.wait_for(timeout=30_000)
        time.sleep(1.0)
        assert f"{EXERCISE_NAME} — " in visible_text(opened)
        assert opened.evaluate(POINTING_AT_TRACKER) == []

    outside = sorted({u for u in requested if not _is_local(u)})
    assert outside == [], f"requests that would leave the machine: {outside}"
    assert any(u.startswith(app_url) for u in requested)  # the log works
