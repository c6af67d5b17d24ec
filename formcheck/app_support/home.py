"""What the Home page shows a logged-in patient: comments and progress.

Plain functions over what the store hands out (no Streamlit): the latest
comments (their therapist's, and their own notes), newest first, and one
line per exercise
summarising the patient's recent sessions. The progress chart itself is
:func:`formcheck.app_support.plots.progress_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from formcheck.clinic import Comment
from formcheck.record.model import SessionRecord

#: How many recent sessions the Home page loads for the progress view.
RECENT_SESSIONS = 30
#: How many comments the Home page shows.
LATEST_COMMENTS = 5

Row = dict[str, Any]


def latest_comments(
    comments: Sequence[Comment], n: int = LATEST_COMMENTS
) -> list[Comment]:
    """The newest ``n`` comments, newest first.

    Args:
        comments: A patient's comments (any order).
        n: How many to keep.
    """
    return sorted(comments, key=lambda c: (c.created_utc, c.id), reverse=True)[:n]


def comment_heading(comment: Comment, own_name: str) -> str:
    """A comment's byline, e.g. ``Anna Physio · 2026-03-12 10:15 UTC``.

    Args:
        comment: The comment.
        own_name: The reader's display name: their own notes say "You".
    """
    when = comment.created_utc.strftime("%Y-%m-%d %H:%M UTC")
    author = "You" if comment.author_name == own_name else comment.author_name
    return f"{author or 'Your therapist'} · {when}"


def _date(record: SessionRecord) -> str:
    try:
        return datetime.fromisoformat(record.created_utc).strftime("%Y-%m-%d")
    except ValueError:
        return record.created_utc[:10]


def progress_rows(records: Sequence[SessionRecord]) -> list[Row]:
    """One line per exercise: how many sessions, when, and the latest result.

    Args:
        records: Session records (any order).

    Returns:
        Rows sorted by exercise name, with the number of sessions, the first
        and the latest date, and the latest session's repetitions, correct
        ones, holds and mean range of motion.
    """
    by_exercise: dict[str, list[SessionRecord]] = {}
    for record in sorted(records, key=lambda r: r.created_utc):
        by_exercise.setdefault(record.exercise.name, []).append(record)
    rows: list[Row] = []
    for name in sorted(by_exercise):
        done = by_exercise[name]
        last = done[-1].summary
        rows.append(
            {
                "exercise": name,
                "sessions": len(done),
                "first": _date(done[0]),
                "latest": _date(done[-1]),
                "reps last time": last.reps,
                "correct last time": last.correct,
                "holds last time": (
                    f"{last.holds_completed}/{last.holds}" if last.holds else ""
                ),
                "mean range of motion last time": last.mean_range_of_motion,
            }
        )
    return rows
