"""SignalTracker on hand-made frames: per-side signals, smoothing, history, stillness."""

from __future__ import annotations

import math
from typing import Any

import pytest

from formcheck.engine.tracking import SignalTracker, Values
from formcheck.landmarks import Landmark as L, Side
from formcheck.signals import BodyContext, signal_order
from formcheck.specs.schema import ExerciseSpec, JointAngleSignal
from formcheck.types import PoseFrame
from tests.engine_support import body_frame, make_spec

FPS = 16.0
ONE: list[Side | None] = [None]
BOTH: list[Side | None] = [Side.LEFT, Side.RIGHT]
CONTEXTS = {
    None: BodyContext(),
    Side.LEFT: BodyContext(work=Side.LEFT),
    Side.RIGHT: BodyContext(work=Side.RIGHT),
}


def tracker(
    assignments: list[Side | None], spec: ExerciseSpec | None = None
) -> SignalTracker:
    spec = spec or make_spec()
    return SignalTracker(spec, assignments, signal_order(spec))


def run(
    trk: SignalTracker, frames: list[PoseFrame]
) -> list[dict[Side | None, dict[str, float]]]:
    return [
        trk.update(f, f.timestamp_ms / 1000.0, CONTEXTS, lambda _a: None)
        for f in frames
    ]


def knee_frames(angles: list[float], start: int = 0, **kw: Any) -> list[PoseFrame]:
    return [
        body_frame((start + i) / FPS, knee_deg=a, **kw) for i, a in enumerate(angles)
    ]


def knee(values: list[dict[Side | None, Values]], a: Side | None = None) -> list[float]:
    return [v[a]["knee"] for v in values]


# --------------------------------------------------------------- per side
def test_signals_are_computed_for_each_side_assignment() -> None:
    trk = tracker(BOTH)
    frame = body_frame(0.0, knee_deg=90.0, right_knee_deg=170.0)
    values = trk.update(frame, 0.0, CONTEXTS, lambda _a: None)
    assert values[Side.LEFT]["knee"] == pytest.approx(90.0)
    assert values[Side.RIGHT]["knee"] == pytest.approx(170.0)


def test_signals_are_unknown_while_nobody_is_in_view() -> None:
    trk = tracker(ONE)
    values = run(trk, [PoseFrame.empty(0.0, 0, (640, 480))])
    assert math.isnan(knee(values)[0])


def test_change_from_start_uses_the_start_values_of_each_assignment() -> None:
    spec = make_spec(
        signals={
            "knee": JointAngleSignal(
                type="joint_angle",
                points=("work.hip", "work.knee", "work.ankle"),
                change_from_start=True,
            )
        }
    )
    trk = tracker(BOTH, spec)
    start = {Side.LEFT: {"knee": 170.0}, Side.RIGHT: {"knee": 150.0}}
    frame = body_frame(0.0, knee_deg=120.0)
    values = trk.update(frame, 0.0, CONTEXTS, start.get)
    assert values[Side.LEFT]["knee"] == pytest.approx(-50.0)
    assert values[Side.RIGHT]["knee"] == pytest.approx(-30.0)


# -------------------------------------------------------------- smoothing
def test_jitter_is_smoothed() -> None:
    trk = tracker(ONE)
    raw = [120.0 + (4.0 if i % 2 else -4.0) for i in range(48)]
    shown = knee(run(trk, knee_frames(raw)))[16:]
    # The raw values swing by 8 deg; what is shown swings by less than half.
    assert max(shown) - min(shown) < 4.0


def test_smoothing_follows_a_real_change_within_a_second() -> None:
    trk = tracker(ONE)
    shown = knee(run(trk, knee_frames([170.0] * 16 + [90.0] * 16)))
    assert shown[16] > 95.0  # not at once ...
    assert shown[-1] == pytest.approx(90.0, abs=2.0)  # ... but within a second


def test_reset_restarts_the_smoothing_after_a_cut() -> None:
    trk = tracker(ONE)
    run(trk, knee_frames([170.0] * 16))
    trk.reset()
    after = knee(run(trk, knee_frames([90.0], start=16)))
    assert after == [pytest.approx(90.0)]


# ------------------------------------------------------------- statistics
def test_stats_are_the_extremes_between_two_times() -> None:
    trk = tracker(ONE)
    angles = [170.0] * 16 + [150.0 - 5.0 * i for i in range(16)] + [60.0] * 16
    shown = knee(run(trk, knee_frames(angles)))
    lo, hi = trk.stats(None, 1.0, 2.0)  # frames 16..32
    assert lo["knee"] == pytest.approx(min(shown[16:33]))
    assert hi["knee"] == pytest.approx(max(shown[16:33]))
    # The values after 2 s (down to 60 deg) are not in the stretch.
    assert lo["knee"] > min(shown) + 1.0


def test_stats_need_the_signal_for_half_the_stretch() -> None:
    knee_hidden = (L.LEFT_KNEE, L.RIGHT_KNEE)
    seen_six = knee_frames([120.0] * 6) + knee_frames(
        [120.0] * 4, start=6, hidden=knee_hidden
    )
    trk = tracker(ONE)
    run(trk, seen_six)
    lo, hi = trk.stats(None, 0.0, 10.0)
    assert (lo["knee"], hi["knee"]) == (pytest.approx(120.0), pytest.approx(120.0))

    seen_four = knee_frames([120.0] * 4) + knee_frames(
        [120.0] * 6, start=4, hidden=knee_hidden
    )
    trk = tracker(ONE)
    run(trk, seen_four)
    lo, hi = trk.stats(None, 0.0, 10.0)
    assert math.isnan(lo["knee"]) and math.isnan(hi["knee"])


def test_stats_of_a_stretch_with_no_frames_are_unknown() -> None:
    trk = tracker(ONE)
    run(trk, knee_frames([120.0] * 4))
    lo, hi = trk.stats(None, 5.0, 6.0)
    assert math.isnan(lo["knee"]) and math.isnan(hi["knee"])


def test_stats_are_kept_per_side_assignment() -> None:
    trk = tracker(BOTH)
    run(trk, knee_frames([100.0] * 8, right_knee_deg=170.0))
    left_lo, _ = trk.stats(Side.LEFT, 0.0, 1.0)
    right_lo, _ = trk.stats(Side.RIGHT, 0.0, 1.0)
    assert left_lo["knee"] == pytest.approx(100.0)
    assert right_lo["knee"] == pytest.approx(170.0)


# -------------------------------------------------------------- stillness
def ramp(deg_per_s: float, seconds: float = 2.0) -> list[float]:
    return [170.0 - deg_per_s * i / FPS for i in range(round(seconds * FPS))]


@pytest.mark.parametrize(
    ("deg_per_s", "still"),
    [(0.0, True), (10.0, True), (40.0, False), (80.0, False)],
)
def test_is_still_compares_the_speed_with_the_limit(
    deg_per_s: float, still: bool
) -> None:
    trk = tracker(ONE)
    frames = knee_frames(ramp(deg_per_s))
    run(trk, frames)
    t = frames[-1].timestamp_ms / 1000.0
    assert trk.is_still(None, t, {"knee": 20.0}) is still


def test_is_still_ignores_signals_without_a_limit() -> None:
    trk = tracker(ONE)
    frames = knee_frames(ramp(80.0))
    run(trk, frames)
    assert trk.is_still(None, frames[-1].timestamp_ms / 1000.0, {"knee": None})


def test_is_still_gives_the_benefit_of_the_doubt_at_the_start() -> None:
    trk = tracker(ONE)
    frames = knee_frames(ramp(80.0, seconds=0.25))  # less than 0.5 s of history
    run(trk, frames)
    assert trk.is_still(None, frames[-1].timestamp_ms / 1000.0, {"knee": 20.0})


def test_still_does_not_compare_across_a_reset() -> None:
    """Values before a calibration meant something else: no movement across it."""
    trk = tracker(ONE)
    before = knee_frames([120.0] * 10)
    after = knee_frames([170.0] * 12, start=10)
    run(trk, before)
    trk.reset(after[0].timestamp_ms / 1000.0)
    run(trk, after[:5])
    soon = after[4].timestamp_ms / 1000.0
    # Too soon after the reset to tell (the start of a recording is different).
    assert trk.is_still(None, soon, {"knee": 20.0}) is None
    run(trk, after[5:])
    t = after[-1].timestamp_ms / 1000.0
    assert trk.is_still(None, t, {"knee": 20.0}) is True
    assert math.isnan(trk.moving_since(None, t, {"knee": 20.0}))
    # The history stays for the statistics of a repetition.
    lo, hi = trk.stats(None, 0.0, t)
    assert lo["knee"] == pytest.approx(120.0, abs=1.0)
    assert hi["knee"] > 160.0


def test_moving_since_finds_when_a_movement_began() -> None:
    trk = tracker(ONE)
    frames = knee_frames([170.0] * 10 + ramp(60.0, 1.0), start=0)
    run(trk, frames)
    t = frames[-1].timestamp_ms / 1000.0
    assert not trk.is_still(None, t, {"knee": 20.0})
    onset = trk.moving_since(None, t, {"knee": 20.0})
    ramp_start = 10 / FPS
    assert ramp_start <= onset <= ramp_start + 0.25  # smoothing lags a little
    assert onset < t - 0.5  # well before the movement was noticed
