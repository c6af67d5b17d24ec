"""The therapist's flow in a real browser, on formcheck's database.

Headless Debian Chromium (never a downloaded browser) drives
``streamlit run app.py`` in local mode with an SQLite database: the patient
list puts the patient whose symptoms spread first; the therapist opens their
own recorded session, replays a repetition as a skeleton, jumps to the
frame of a fault, disagrees with formcheck's verdict naming the fault,
writes a comment — and the Home page shows the comment to the patient. The
sign-off and the comment are checked in the database too. The test fails on
any traceback in the server's log.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devtools.browser import (
    CHROMIUM,
    StreamlitStartError,
    chromium_context,
    server_tracebacks,
    streamlit_app,
    wait_idle,
)
from formcheck.clinic import SymptomLocation, VerdictLevel
from formcheck.landmarks import Side
from formcheck.record import SessionRecord, SymptomReport
from formcheck.results import FaultEvent, Severity
from formcheck.store.sql import Database, DatabaseConfig, SqlStore
from formcheck.store.sql.config import sqlite_url
from tests.conftest import REPO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)",
    ),
]

COMMENT = "Lovely control: keep the hips level on the way back."
WAIT_MS = 60_000


def _recent(record: SessionRecord, hours_ago: float, **update: object) -> SessionRecord:
    when = datetime.now(UTC) - timedelta(hours=hours_ago)
    return record.model_copy(
        update={"created_utc": when.isoformat(timespec="seconds"), **update}
    )


@pytest.fixture
def clinic_data(
    tmp_path: Path, bird_dog_record: SessionRecord
) -> Iterator[tuple[str, SqlStore, str]]:
    """A database with the user's own session (one fault) and Ann's (spreading)."""
    url = sqlite_url(tmp_path / "home")
    database = Database.open(DatabaseConfig(url=url))
    store = database.store(database.local_principal())
    fault = FaultEvent(
        rule_id="back_sagging",
        cue="Keep your hips level",
        severity=Severity.WARN,
        start_s=3.0,
        end_s=3.8,
        worst_value=12.0,
        side=Side.RIGHT,
        rep_index=1,
    )
    own = store.save_session(_recent(bird_dog_record, 2, faults=[fault]), "set1")
    spread = SymptomReport(
        location=SymptomLocation.FOOT,
        before=SymptomLocation.THIGH,
        worse=True,
        answered_utc=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    store.save_session(
        _recent(bird_dog_record, 1, patient="Ann", symptoms=[spread]), "set1"
    )
    try:
        yield url.render_as_string(), store, own.id
    finally:
        database.close()


@pytest.fixture
def app_url(tmp_path: Path, clinic_data: tuple[str, SqlStore, str]) -> Iterator[str]:
    """``streamlit run app.py`` on that database; fails on a server traceback."""
    log = tmp_path / "streamlit.log"
    env = {
        "FORMCHECK_HOME": str(tmp_path / "home"),
        "FORMCHECK_DATABASE_URL": clinic_data[0],
    }
    try:
        with streamlit_app(REPO, log, env=env) as url:
            yield url
    except StreamlitStartError as exc:
        pytest.fail(str(exc))
    tracebacks = server_tracebacks(log.read_text(errors="replace"))
    assert not tracebacks, "\n".join(tracebacks[:3])


def _pick(page: object, label: str, option: str, kind: str = "stSelectbox") -> None:
    """Choose ``option`` in the select box (``stMultiSelect``: multiselect)."""
    box = page.get_by_test_id(kind).filter(has_text=label).first  # type: ignore[attr-defined]
    box.click()
    page.get_by_role("option", name=option).first.click()  # type: ignore[attr-defined]
    wait_idle(page)


def test_therapist_reviews_a_repetition_and_the_patient_reads_the_comment(
    app_url: str, clinic_data: tuple[str, SqlStore, str], tmp_path: Path
) -> None:
    pytest.importorskip("playwright.sync_api")
    _, store, own_id = clinic_data
    with chromium_context(tmp_path / "profile", viewport_wh=(1400, 1000)) as context:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{app_url}/Therapist", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Therapist").wait_for()
        wait_idle(page)

        # 1. The patient list: Ann (symptoms spreading) comes first.
        page.get_by_text(
            "Patients, most in need of attention first", exact=True
        ).wait_for()
        page.get_by_text(
            re.compile(r"Ann\W+Reported symptoms spreading")
        ).first.wait_for()

        # 2. The user's own session, then its first repetition.
        _pick(page, "Patient", "You (this computer)")
        _pick(page, "Sessions (1)", "bird_dog · set1", "stMultiSelect")
        page.get_by_text("Tracking quality:").wait_for()
        menu = page.locator("g.updatemenu-button")
        menu.filter(has_text="real speed").wait_for()

        # 3. Replay: slowed down, then one click to the fault's frame.
        menu.filter(has_text="¼ speed").click()
        page.wait_for_timeout(1500)
        menu.filter(has_text="pause").click()
        menu.filter(has_text="back_sagging at 3.0 s").click()
        current = page.locator("g.slider-container text.slider-label").first
        # The replay keeps every n-th frame: the kept frame nearest 3.0 s.
        page.wait_for_function(
            "el => /t = (2\\.9[5-9]|3\\.0[0-5]) s/.test(el.textContent)",
            arg=current.element_handle(),
        )

        # 4. Disagree: the back sagged.
        page.get_by_text("Wrong: I disagree").click()
        wait_idle(page)
        _pick(page, "What you see", "back_sagging")
        page.get_by_label("Note (optional)").fill("sagged at the end")
        page.get_by_label("Note (optional)").press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Save verdict").click()
        page.get_by_text("Verdict saved.").wait_for()

        # 5. A comment to the patient.
        page.get_by_label("Comment", exact=True).fill(COMMENT)
        page.get_by_label("Comment", exact=True).press("Control+Enter")
        wait_idle(page)
        page.get_by_role("button", name="Send to the patient").click()
        page.get_by_text("Sent: the patient sees it").wait_for()

        # 6. The patient's Home page shows it.
        page.goto(app_url, wait_until="domcontentloaded")
        page.get_by_text("From your therapist").wait_for()
        page.get_by_text(COMMENT).wait_for()

    (off,) = store.sign_offs(own_id)
    assert (off.level, off.index, off.agree, off.seen_fault, off.note) == (
        VerdictLevel.REP,
        1,
        False,
        "back_sagging",
        "sagged at the end",
    )
    assert [c.text for c in store.comments()] == [COMMENT]
