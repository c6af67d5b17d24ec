"""The whole pipeline on recorded landmarks of a real clip (no model needed)."""

from __future__ import annotations

import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.conftest import DATA


@pytest.fixture(scope="module")
def bird_dog():
    return PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")


def test_recorded_bird_dog_counts_one_rep_per_side(bird_dog: PoseSequence) -> None:
    session = analyze_landmarks(bird_dog, load_spec("bird_dog")).session
    assert session.summary.reps == 2
    per_side = {p.side: p.reps for p in session.summary.per_side}
    assert per_side == {None: 2, "left": 1, "right": 1}
    counted = [r for r in session.reps if r.counted]
    assert [r.side for r in counted] == ["right", "left"]
    assert counted[0].start_s == pytest.approx(1.1, abs=0.5)
    assert counted[1].end_s == pytest.approx(12.6, abs=0.7)


def test_recorded_bird_dog_hidden_hand_is_not_a_fault(bird_dog: PoseSequence) -> None:
    """The far hand leaves the frame at full reach: the arm check must stay unknown, not fail."""
    session = analyze_landmarks(bird_dog, load_spec("bird_dog")).session
    assert all("arm_short_of_line" not in r.faults for r in session.reps)


def test_replay_is_deterministic(bird_dog: PoseSequence) -> None:
    a = analyze_landmarks(bird_dog, load_spec("bird_dog")).session
    b = analyze_landmarks(bird_dog, load_spec("bird_dog")).session
    assert a.reps == b.reps
    assert a.signals.values == b.signals.values
