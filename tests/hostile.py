"""A shared session whose every free text tries to load or link something.

Used by the report unit tests and the real-browser test of the Therapist
page: nothing in it may be rendered as markup, and nothing may make a page
contact ``tracker.example``.
"""

from __future__ import annotations

from formcheck.record import SessionRecord
from formcheck.results import FaultEvent

TRACKER = "http://tracker.example"
HOSTILE = [
    f"![t]({TRACKER}/t.png)",
    f"<img src={TRACKER}/i.png>",
    f'<a href="{TRACKER}/a">click</a>',
    f"[link]({TRACKER}/l) and <{TRACKER}/auto> and {TRACKER}/bare www.tracker.example",
    "*em* _em_ **strong** `code` ~~strike~~ $x^2$ :red[red] :material/home: :smile:",
    "# heading\n- item\n1. one\nsetext\n---\n> quote\n| a | b |\n|---|---|",
    "back\\slash &amp; &lt;b&gt; mail@tracker.example",
]
EXERCISE_NAME = f"Bird dog ![t]({TRACKER}/name.png)"
CUE = f'<a href="{TRACKER}/cue">Keep</a> <img src="{TRACKER}/cue.png"> still'
UNIT = f"<a href='{TRACKER}/unit'>deg</a>"
PATIENT = f"<b>Jane</b> ![p]({TRACKER}/p.png)"


def hostile_session(base: SessionRecord) -> SessionRecord:
    """``base`` with hostile text in every free-text field a session carries."""
    fault = FaultEvent(
        rule_id="back_moving",
        cue=CUE,
        severity="warn",
        start_s=3.0,
        end_s=4.0,
        worst_value=12.0,
        side="right",
        rep_index=1,
    )
    units = dict(base.signals.units)
    units["extension"] = UNIT
    # The fault happened in rep 1, so that rep is "with a fault" (as the engine
    # would record it) and carries the hostile cue too.
    first = base.reps[0].model_copy(
        update={"faults": ("back_moving",), "cues": (CUE,), "correct": False}
    )
    return base.model_copy(
        update={
            "reps": [first, *base.reps[1:]],
            "exercise": base.exercise.model_copy(update={"name": EXERCISE_NAME}),
            "warnings": [*HOSTILE, f"pain spread <img src={TRACKER}/w>"],
            "faults": [fault],
            "patient": PATIENT,
            "source": base.source.model_copy(
                update={"name": f"<script src='{TRACKER}/s.js'></script>"}
            ),
            "signals": base.signals.model_copy(update={"units": units}),
        }
    )
