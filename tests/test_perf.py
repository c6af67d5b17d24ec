"""The speed benchmark's machinery (no figure is asserted: speed is not tested)."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.analyze import analyze_landmarks
from formcheck.perf.live import load_frames, run_sessions
from formcheck.perf.report import to_markdown
from formcheck.perf.speed import (
    Clip,
    Ratio,
    Variant,
    bare,
    check_equality,
    measure,
    outcome_differences,
    ratios,
)
from formcheck.pose import ReplayPoseEstimator
from formcheck.specs import load_spec
from formcheck.types import PoseSequence
from tests.parallel_support import BIRD_DOG, blank_video

FRAMES = len(PoseSequence.load_npz(BIRD_DOG))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return blank_video(tmp_path_factory.mktemp("perf") / "bird_dog.mp4", FRAMES)


def test_targets_read_as_the_issue_states_them() -> None:
    overhead = Ratio("overhead", "one", "bare", 1.02, 1.03)
    slow = Ratio("overhead", "one", "bare", 1.11, 1.03)
    parallel = Ratio("parallel", "par", "bare", 0.6, 1.6, "speed-up")
    assert overhead.met is True
    assert slow.met is False
    assert parallel.speedup == pytest.approx(1 / 0.6)
    assert parallel.met is True
    assert Ratio("info", "a", "b", 1.5).met is None


def test_every_variant_runs_the_same_number_of_times() -> None:
    quick = (sys.executable, "-c", "pass")
    order: list[str] = []
    variants = [Variant(n, n, (quick,)) for n in ("a", "b", "c")]
    samples = measure(variants, 2, progress=order.append)
    assert {k: len(v) for k, v in samples.items()} == {"a": 2, "b": 2, "c": 2}
    # The order turns from one round to the next.
    assert order[0].endswith(": a") and order[3].endswith(": b")


def test_a_short_variant_is_sampled_more_and_alternates_with_its_reference() -> None:
    quick = (sys.executable, "-c", "pass")
    order: list[str] = []
    variants = [
        Variant("long", "long", (quick,)),
        Variant("bare", "bare", (quick,), passes=3),
        Variant("one", "one", (quick,), passes=3),
    ]
    samples = measure(variants, 1, progress=order.append)
    assert {k: len(v) for k, v in samples.items()} == {"long": 1, "bare": 3, "one": 3}
    names = [line.rsplit(": ", 1)[1] for line in order]
    assert names == ["long", "bare", "one", "bare", "one", "bare", "one"]


def test_ratios_compare_medians_with_the_bare_loop() -> None:
    samples = {
        "bare_long": [10.0, 11.0, 12.0],
        "one_long": [11.0, 11.0, 11.5],
        "par_long": [6.0, 6.5, 7.0],
        "par_long_video": [7.0, 7.0, 7.0],
        "one_long_video": [14.0, 14.0, 14.0],
        "bare_short": [2.0, 2.0, 2.0],
        "one_short": [2.0, 2.1, 2.2],
    }
    figures = {r.variant: r for r in ratios(samples, 2)}
    assert figures["one_long"].time_ratio == pytest.approx(1.0)
    assert figures["par_long"].speedup == pytest.approx(11.0 / 6.5)
    assert figures["one_short"].met is False


def test_the_short_clip_is_also_compared_with_a_bare_loop_ending_at_once() -> None:
    samples = {
        "bare_long": [10.0],
        "one_long": [10.0],
        "par_long": [6.0],
        "par_long_video": [7.0],
        "one_long_video": [14.0],
        "bare_short": [2.2, 2.2, 2.2],
        "one_short": [2.0, 2.0, 2.0],
        "bare_short_at_once": [1.6, 1.6, 1.6],
    }
    figures = {(r.variant, r.reference): r for r in ratios(samples, 2)}
    assert figures["one_short", "bare_short"].met is True
    at_once = figures["one_short", "bare_short_at_once"]
    assert at_once.time_ratio == pytest.approx(1.25) and at_once.met is None


def test_the_bare_loop_refuses_a_wrong_command_line(clip: Path) -> None:
    command = bare(clip, exit_at_once=True)
    assert command[-2:] == ("--exit-at-once", str(clip))
    proc = subprocess.run(
        [*command[:3], "--exit-at-once", "a.mp4", "b.mp4"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "usage:" in proc.stderr


@pytest.mark.model
@pytest.mark.parametrize("at_once", [False, True])
def test_the_bare_loop_estimates_every_frame_however_it_ends(
    tmp_path: Path, at_once: bool
) -> None:
    short = blank_video(tmp_path / "short.mp4", 12)
    proc = subprocess.run(
        bare(short, exit_at_once=at_once),
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "12\n"


def test_equality_check_on_a_replay_finds_no_difference(clip: Path) -> None:
    factory = functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG))
    result = check_equality(
        Clip(clip, "bird_dog"), 2, estimator_factory=factory, min_chunk_s=3.0
    )
    assert result.chunks == 2
    assert result.equal
    assert result.max_px == 0.0 and result.frames_differing == 0
    assert result.frames == FRAMES


def test_a_missing_repetition_is_a_difference() -> None:
    session = analyze_landmarks(
        PoseSequence.load_npz(BIRD_DOG), load_spec("bird_dog")
    ).session
    fewer = session.model_copy(update={"reps": session.reps[1:]})
    assert outcome_differences(session, session) == []
    assert outcome_differences(session, fewer)[0].startswith("repetitions")


def test_live_sessions_all_get_frames_and_report_latency(clip: Path) -> None:
    frames = load_frames(clip, seconds=1.0)
    factory = functools.partial(ReplayPoseEstimator.from_file, str(BIRD_DOG))
    row = run_sessions(
        2, frames, "bird_dog", seconds=0.5, warm_up_s=0.2, estimator_factory=factory
    )
    assert row.sessions == 2 and len(row.figures) == 2
    for figures in row.figures:
        assert figures.fps > 0
        assert figures.latency_ms_median >= 0
        assert 0.0 <= figures.dropped_share <= 1.0
    text = to_markdown("formcheck bench --speed", 2, None, [], [row])
    assert "| 2 |" in text and "Live capacity" in text


def test_capacity_is_the_most_sessions_whose_slowest_keeps_up() -> None:
    from formcheck.perf.live import CapacityRow, SessionFigures, sessions_held

    def row(k: int, fps: float) -> CapacityRow:
        return CapacityRow(
            k, 30.0, tuple(SessionFigures(fps, 40.0, 60.0, 0.1) for _ in range(k))
        )

    rows = [row(1, 27.0), row(2, 18.0), row(3, 12.0), row(4, 9.0)]
    assert sessions_held(rows) == 2
    assert sessions_held([row(1, 10.0)]) == 0
    text = to_markdown("formcheck bench --speed", 2, None, [], rows)
    assert "**2** on 2 cores, about **1.0 per core**" in text
