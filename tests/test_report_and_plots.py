"""Tables, timeline and report: typed columns, linear timeline, no remote content."""

from __future__ import annotations

import importlib.util
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from markdown_it import MarkdownIt

from formcheck.analyze import analyze_landmarks
from formcheck.app_support import plots, report
from formcheck.app_support.plain import markdown_text
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord
from formcheck.results import FaultEvent
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA, REPO
from tests.hostile import HOSTILE, TRACKER, hostile_session


@pytest.fixture(scope="module")
def bird_dog_session() -> SessionRecord:
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    return analyze_landmarks(seq, load_spec("bird_dog")).session


@pytest.fixture(scope="module")
def with_attempt(bird_dog_session: SessionRecord) -> SessionRecord:
    """The bird dog session plus an uncounted attempt and a fault between reps."""
    attempt = bird_dog_session.reps[0].model_copy(
        update={"index": 3, "counted": False, "correct": False, "reason": "too shallow"}
    )
    between = FaultEvent(
        rule_id="back_moving",
        cue="Keep your back still.",
        severity="warn",
        start_s=6.0,
        end_s=7.0,
        worst_value=12.0,
        side=None,
        rep_index=None,
    )
    in_rep = between.model_copy(update={"start_s": 2.0, "end_s": 3.0, "rep_index": 1})
    return bird_dog_session.model_copy(
        update={
            "reps": [*bird_dog_session.reps, attempt],
            "faults": [*bird_dog_session.faults, in_rep, between],
        }
    )


# ------------------------------------------------------------------- tables
@pytest.mark.parametrize("rows_of", [report.rep_rows, report.fault_rows])
def test_table_columns_have_one_type(rows_of, with_attempt: SessionRecord) -> None:
    rows = rows_of(with_attempt)
    # What st.dataframe does: pandas, then Arrow. A '–' among numbers made
    # Arrow fail (a traceback in the server log) and turned numbers into text.
    table = pa.Table.from_pandas(pd.DataFrame(rows))
    assert pa.types.is_integer(table.schema.field("rep").type) or pa.types.is_floating(
        table.schema.field("rep").type
    )
    for column in rows[0]:
        kinds = {type(row[column]) for row in rows if row[column] is not None}
        assert len(kinds) <= 1, (column, kinds)


def test_uncounted_attempt_has_no_rep_number(with_attempt: SessionRecord) -> None:
    rows = report.rep_rows(with_attempt)
    assert [r["rep"] for r in rows] == [1, 2, None]
    assert rows[-1]["faults"] == "too shallow"


# ----------------------------------------------------------------- timeline
def _bench_module():
    spec = importlib.util.spec_from_file_location(
        "bench_timeline", REPO / "scripts" / "bench_timeline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def long_sessions() -> dict[int, SessionRecord]:
    """Generated glute bridge sessions of 12 and 240 repetitions (the benchmark's)."""
    bench = _bench_module()
    spec = load_spec("glute_bridge")
    return {n: bench.make_session(n, spec) for n in (12, 240)}


def _spans(fig, color: str) -> list[tuple[float, float]]:
    """The (start, end) of every span drawn in ``color`` on the first row."""
    (trace,) = [t for t in fig.data if t.fillcolor == color and t.yaxis in (None, "y")]
    x = np.asarray(trace.x, dtype=float).reshape(-1, 6)
    return [(float(r[0]), float(r[2])) for r in x]


def test_timeline_shows_every_rep_and_fault_of_a_long_session(
    long_sessions: dict[int, SessionRecord],
) -> None:
    spec = load_spec("glute_bridge")
    session = long_sessions[240]
    fig = plots.timeline_figure(session, spec)
    counted = [r for r in session.reps if r.counted]
    assert _spans(fig, plots.REP_OK) == [
        (r.start_s, r.end_s) for r in counted if r.correct
    ]
    assert _spans(fig, plots.REP_BAD) == [
        (r.start_s, r.end_s) for r in counted if not r.correct
    ]
    markers = [t for t in fig.data if t.name == "fault"]
    clickable = sorted(i for t in markers for i in t.customdata)
    assert clickable == list(range(len(session.faults)))
    assert len(session.faults) == 80


def test_timeline_size_does_not_grow_with_reps(
    long_sessions: dict[int, SessionRecord],
) -> None:
    # One trace per kind and row, not one shape per repetition: a 20-minute
    # session took minutes when every rep was added to the layout one by one.
    spec = load_spec("glute_bridge")
    short, long = (plots.timeline_figure(long_sessions[n], spec) for n in (12, 240))
    assert len(long.data) == len(short.data)
    assert len(long.layout.shapes) == len(short.layout.shapes)
    assert len(long.layout.annotations) == len(short.layout.annotations)


def test_timeline_is_cached_by_content(bird_dog_session: SessionRecord) -> None:
    spec = load_spec("bird_dog")
    first = plots.cached_timeline_figure(bird_dog_session, spec)
    reread = SessionRecord.model_validate_json(bird_dog_session.to_json())
    assert plots.cached_timeline_figure(reread, spec) is first
    changed = bird_dog_session.model_copy(update={"patient": "Jane Doe"})
    assert plots.cached_timeline_figure(changed, spec) is not first
    assert plots.cached_timeline_figure(bird_dog_session, spec, 125) is not first


# ------------------------------------------------- user text as plain text
@pytest.fixture(scope="module")
def hostile(bird_dog_session: SessionRecord) -> SessionRecord:
    return hostile_session(bird_dog_session)


class _Tags(HTMLParser):
    """Every tag of a document with its attributes, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_renders_as_the_same_plain_text(text: str) -> None:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = md.render(markdown_text(text))
    parser = _Tags()
    parser.feed(rendered)
    assert {tag for tag, _ in parser.tags} <= {"p", "br"}, rendered
    # (Bare addresses carry an invisible word joiner, so they stay text.)
    shown = " ".join("".join(parser.text).replace("\u2060", "").split())
    assert shown == " ".join(text.split())


def test_markdown_text_leaves_plain_messages_alone() -> None:
    for message in (
        "holiday.mp4: not a video file",
        "rep_enter must be between 50 and 80 for bird_dog, but got 95",
        "broken.json: not valid JSON (line 1: Expecting value)",
    ):
        assert markdown_text(message) == message


def test_plotly_text_is_escaped_in_the_timeline(hostile: SessionRecord) -> None:
    fig = plots.timeline_figure(hostile, load_spec("bird_dog"))
    labels = [a.text for a in fig.layout.annotations]
    # The row title names the signal in words and shows the recorded unit as text.
    assert (
        "Extension (&lt;a href=&#x27;http://tracker.example/unit&#x27;&gt;deg&lt;/a&gt;)"
        in labels
    )
    (marker,) = [t for t in fig.data if t.name == "fault"]
    assert "&lt;a href=&quot;http://tracker.example/cue&quot;&gt;Keep" in marker.text[0]
    assert not any("<a" in label or "<img" in label for label in labels)
    progress = plots.progress_figure([hostile, hostile])
    assert progress.data[0].name == "Bird dog ![t](http://tracker.example/name.png)"
    assert "<" not in progress.data[0].name


def test_report_shows_user_text_as_text_and_loads_nothing(
    hostile: SessionRecord,
) -> None:
    html = report.build_report_html(
        [("<i>shared</i>.json", hostile), ("second.json", hostile)],
        {"bird_dog": load_spec("bird_dog")},
        prescriptions=[
            Prescription(
                patient="Jane Doe",
                exercise="bird_dog",
                notes=f"<a href='{TRACKER}/rx'>see</a> ![x]({TRACKER}/rx.png)",
            )
        ],
    )
    parser = _Tags()
    parser.feed(html)
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"a", "img", "iframe", "link", "object", "embed", "i"}, tags
    assert all("src" not in attrs for tag, attrs in parser.tags if tag == "script")
    text = "".join(parser.text)
    for shown in (
        "Patient: <b>Jane</b> ![p](http://tracker.example/p.png)",
        "<i>shared</i>.json",
        "<script src='http://tracker.example/s.js'></script>",
        "<a href='http://tracker.example/rx'>see</a>",
        "pain spread <img src=http://tracker.example/w>",
    ):
        assert shown in text
    (csp,) = [
        a for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert (csp["content"] or "").startswith("default-src 'none';")
