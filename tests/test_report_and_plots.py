"""Tables, timeline and report: typed columns, linear timeline, no remote content."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.app_support import report
from formcheck.record import FaultEntry, SessionRecord
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA


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
    between = FaultEntry(
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
