"""One real-browser end-to-end test of the Live page.

Headless Debian Chromium (``/usr/bin/chromium``, never a downloaded browser)
driven by Playwright plays a known clip through its fake camera into
``streamlit run app.py``; the test asserts that the rep count the page shows
(rendered server-side from the live processor) reaches the clip's true count.

Reliability recipe (docs/app.md, stack-notes): wait for the app's first script
run to finish before clicking START; treat the stream as up only once the
page reports frames being analysed server-side and that number grows;
otherwise STOP and START again, up to 3 times. Only the start is retried,
never the assertion.

Set ``FORMCHECK_SCREENSHOTS=1`` to also write ``docs/images/live.png``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from devtools.browser import (
    CHROMIUM,
    StreamlitStartError,
    chromium_context,
    save_screenshot,
    server_tracebacks,
    streamlit_app,
    wait_idle,
)
from tests.conftest import REPO, SHARED_VIDEOS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)",
    ),
]

CLIP = SHARED_VIDEOS / "HonzaCzSk+polybag__videos__bird_dog.mp4"
#: Reps in one pass of the clip: 1 with each leg (MediaPipe counts it right offline).
TRUE_REPS = 2
#: Still start pose before the clip, so positioning ends before the first rep.
LEAD_IN_S = 4.0
SIZE_WH = (360, 640)
IFRAME = "iframe[title='streamlit_webrtc.component.webrtc_streamer']"


@pytest.fixture(scope="module")
def fake_camera_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bird dog clip as y4m (Chromium's fake camera format), 360x640."""
    if not CLIP.is_file():
        pytest.skip(f"{CLIP} is not available")
    from formcheck.video import FrameReader, write_y4m

    reader = FrameReader(CLIP)
    frames = [
        np.ascontiguousarray(
            cv2.resize(f.image_bgr, SIZE_WH, interpolation=cv2.INTER_AREA)
        )
        for f in reader.frames()
    ]
    fps = reader.info.fps
    lead_in = [frames[0]] * round(LEAD_IN_S * fps)
    path = tmp_path_factory.mktemp("camera") / "bird_dog.y4m"
    write_y4m([*lead_in, *frames], path, fps)
    return path


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``streamlit run app.py`` on a free localhost port, with its data folder.

    The test fails if the server logged a Python traceback.
    """
    home = tmp_path / "home"
    log = tmp_path / "streamlit.log"
    try:
        with streamlit_app(REPO, log, env={"FORMCHECK_HOME": str(home)}) as url:
            yield url, home
    except StreamlitStartError as exc:
        pytest.fail(str(exc))
    tracebacks = server_tracebacks(log.read_text(errors="replace"))
    assert not tracebacks, f"the server logged {len(tracebacks)} traceback(s):\n" + (
        "\n".join(tracebacks[:3])
    )


def _captions(page: object) -> str:
    return "\n".join(page.get_by_test_id("stCaptionContainer").all_inner_texts())  # type: ignore[attr-defined]


def _frames_analysed(page: object) -> int:
    match = re.search(r"Frames analysed: (\d+)", _captions(page))
    return int(match.group(1)) if match else 0


def _reps(page: object) -> int | None:
    metric = page.get_by_test_id("stMetric").filter(has_text="Reps this set")  # type: ignore[attr-defined]
    if metric.count() == 0:
        return None
    value = metric.first.get_by_test_id("stMetricValue").inner_text().strip()
    return int(value) if value.isdigit() else None


def _start_stream(page: object, attempts: int = 3) -> int:
    """Click START until frames are analysed server-side; returns attempts used."""
    frame = page.frame_locator(IFRAME)  # type: ignore[attr-defined]
    for attempt in range(1, attempts + 1):
        frame.get_by_role("button", name="START").click(timeout=30_000)
        deadline = time.monotonic() + 25
        first = None
        while time.monotonic() < deadline:
            n = _frames_analysed(page)
            if n > 0 and first is None:
                first = (n, time.monotonic())
            if first is not None and time.monotonic() - first[1] >= 3.0:
                if n > first[0] + 10:
                    return attempt
                break
            time.sleep(0.5)
        stop = frame.get_by_role("button", name="STOP")
        if stop.count():
            stop.click()
        time.sleep(2.0)
        wait_idle(page, timeout_s=30.0)
    pytest.fail(f"the webcam stream did not come up after {attempts} attempts")


def test_live_page_counts_bird_dog_reps(
    fake_camera_clip: Path, app_url: tuple[str, Path], tmp_path: Path
) -> None:
    pytest.importorskip("playwright.sync_api")
    url, home = app_url
    fake_camera = [
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={fake_camera_clip}",
        "--use-fake-ui-for-media-stream",
    ]
    with chromium_context(
        tmp_path / "chromium-profile", viewport_wh=(1280, 900), extra_args=fake_camera
    ) as context:
        page = context.new_page()
        page.goto(f"{url}/Live", wait_until="domcontentloaded")
        page.get_by_text("Live exercise check").wait_for(timeout=60_000)
        page.frame_locator(IFRAME).get_by_role("button", name="START").wait_for(
            timeout=60_000
        )
        wait_idle(page, timeout_s=30.0)
        # Choose the exercise explicitly.
        combo = page.get_by_role("combobox", name="Exercise")
        combo.click()
        page.get_by_role("option", name="Bird dog", exact=True).click()
        wait_idle(page, timeout_s=30.0)
        assert combo.input_value() == "Bird dog"

        attempts = _start_stream(page)

        deadline = time.monotonic() + 60
        reps = None
        while time.monotonic() < deadline:
            reps = _reps(page)
            if reps is not None and reps >= TRUE_REPS:
                break
            time.sleep(0.5)
        captions = _captions(page)
        shot = page.screenshot(full_page=False)
        (tmp_path / "live.png").write_bytes(shot)
        if os.environ.get("FORMCHECK_SCREENSHOTS") == "1":
            save_screenshot(shot, REPO / "docs" / "images" / "live.png")
        print(f"start attempts: {attempts}; {captions!r}")
        assert reps == TRUE_REPS, f"reps shown: {reps}; captions: {captions}"
        assert "Left: 1 " in captions and "Right: 1 " in captions, captions

        # STOP saves the set as a session record (in the local database).
        page.frame_locator(IFRAME).get_by_role("button", name="STOP").click()
        from formcheck.store.sql import Database, load_database_config

        db = Database.open(load_database_config(env={"FORMCHECK_HOME": str(home)}))
        try:
            store = db.store(db.local_principal())
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not store.list_sessions():
                time.sleep(0.5)
            saved = store.list_sessions()
            assert saved, "no session saved on STOP"
            record = store.load_session(saved[0].id)
        finally:
            db.close()
        assert record.source.kind == "live"
        assert record.summary.reps >= TRUE_REPS
