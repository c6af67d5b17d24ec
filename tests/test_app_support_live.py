"""LiveProcessor: the live webcam pipeline, tested without a browser or model."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from aiortc import MediaStreamTrack
from streamlit_webrtc.models import CallbackAttachableProcessor
from streamlit_webrtc.process import AsyncVideoProcessTrack

from formcheck.app_support import safety
from formcheck.app_support.live import LatestSlot, LivePhase, LiveProcessor
from formcheck.clinic import SymptomLocation
from formcheck.errors import PoseBackendError
from formcheck.pose import ReplayPoseEstimator
from formcheck.prescription import Prescription, apply_prescription
from formcheck.record import load_session
from formcheck.results import FrameResult
from formcheck.specs import load_spec
from formcheck.store import FolderStore
from formcheck.types import PoseFrame, PoseSequence
from tests.conftest import DATA

FPS = 30.0


@pytest.fixture(scope="module")
def bird_dog() -> PoseSequence:
    """The recorded bird dog (2 reps, 1 per side) with 3 s of still start pose first."""
    seq = PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")
    lead = round(3 * FPS)
    xy = np.concatenate([np.repeat(seq.xy[:1], lead, 0), seq.xy])
    vis = np.concatenate([np.repeat(seq.visibility[:1], lead, 0), seq.visibility])
    people = np.ones(len(xy), dtype=np.int16)
    return PoseSequence(
        xy=xy,
        visibility=vis,
        timestamps_ms=np.arange(len(xy)) * 1000.0 / FPS,
        resolution_wh=seq.resolution_wh,
        fps=FPS,
        num_people=people,
    )


def image() -> np.ndarray:
    return np.zeros((96, 54, 3), np.uint8)


def feed(processor: LiveProcessor, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        processor.process(image(), i * 1000.0 / FPS)


class EmptyEstimator:
    """Nobody in view, optionally slow."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.calls = 0

    def __call__(self, image_bgr, timestamp_ms, frame_index):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        h, w = image_bgr.shape[:2]
        return PoseFrame.empty(timestamp_ms, frame_index, (w, h))

    def close(self) -> None:
        pass

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *args: object) -> None:
        pass


class FailingEstimator(ReplayPoseEstimator):
    """Replays poses, then fails like a crashed model."""

    def __init__(self, sequence: PoseSequence, fail_at: int) -> None:
        super().__init__(sequence)
        self.fail_at = fail_at

    def __call__(self, image_bgr, timestamp_ms, frame_index):  # type: ignore[no-untyped-def]
        if frame_index >= self.fail_at:
            raise PoseBackendError("mediapipe pose failed on frame 999: boom")
        return super().__call__(image_bgr, timestamp_ms, frame_index)


# ------------------------------------------------------------ latest slot
def test_latest_slot_keeps_only_the_newest_item() -> None:
    slot: LatestSlot[int] = LatestSlot()
    assert slot.get() is None
    for i in range(1000):
        slot.put(i)
    assert slot.get() == 999
    assert slot.get() == 999  # reading does not consume
    assert slot.version == 1000
    assert slot.take() == 999
    assert slot.get() is None


def test_latest_slot_is_thread_safe() -> None:
    slot: LatestSlot[tuple[int, int]] = LatestSlot()

    def producer(k: int) -> None:
        for i in range(2000):
            slot.put((k, i))

    threads = [threading.Thread(target=producer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    seen = [slot.get() for _ in range(2000)]
    for t in threads:
        t.join()
    assert slot.version == 8000
    assert all(s is None or isinstance(s, tuple) for s in seen)


# ------------------------------------------------------------- positioning
def test_positioning_waits_for_setup_ok_not_the_cue(
    bird_dog: PoseSequence, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any set-up issue blocks counting, even when the cue shown is another."""
    from formcheck.engine import FormChecker

    issues = ("Move back so your whole body is in the frame.", "Turn to the side.")
    update = FormChecker.update

    def with_issues(self: FormChecker, frame: PoseFrame) -> FrameResult:
        result = update(self, frame)
        return dataclasses.replace(result, setup_issues=issues, cue=None)

    monkeypatch.setattr(FormChecker, "update", with_issues)
    processor = LiveProcessor(
        load_spec("bird_dog"),
        estimator=ReplayPoseEstimator(bird_dog),
        warm_up=False,
        settle_s=0.5,
    )
    feed(processor, 120)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "positioning"
    assert snap.positioning_s == 0.0
    assert snap.setup_issues == issues
    assert snap.message == issues[0]
    monkeypatch.setattr(FormChecker, "update", update)
    feed(processor, 60, start=120)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "counting"
    assert snap.setup_issues == ()


def test_processor_positions_then_counts_bird_dog(bird_dog: PoseSequence) -> None:
    processor = LiveProcessor(
        load_spec("bird_dog"), estimator=ReplayPoseEstimator(bird_dog), warm_up=False
    )
    assert processor.latest() is not None
    assert processor.latest().phase == "waiting"  # type: ignore[union-attr]
    phases = []
    for i in range(len(bird_dog)):
        out = processor.process(image(), i * 1000.0 / FPS)
        assert out.shape == (96, 54, 3)
        snap = processor.latest()
        assert snap is not None
        if not phases or phases[-1] != snap.phase:
            phases.append(snap.phase)
    assert phases == ["positioning", "counting"]
    snap = processor.latest()
    assert snap is not None
    assert snap.set_number == 1
    assert snap.reps == 2
    assert {t.side: t.counted for t in snap.tallies} == {None: 2, "left": 1, "right": 1}
    assert snap.frames_processed == len(bird_dog)


def test_processor_annotates_the_frame(bird_dog: PoseSequence) -> None:
    processor = LiveProcessor(
        load_spec("bird_dog"), estimator=ReplayPoseEstimator(bird_dog), warm_up=False
    )
    big = np.zeros((1920, 1080, 3), np.uint8)
    out = processor.process(big, 0.0)
    assert out.any(), "the skeleton, panel and cue are drawn on the frame"


def test_no_person_keeps_positioning_and_saves_nothing(tmp_path: Path) -> None:
    processor = LiveProcessor(
        load_spec("glute_bridge"),
        estimator=EmptyEstimator(),
        store=FolderStore(tmp_path),
        warm_up=False,
        settle_s=0.5,
    )
    feed(processor, 90)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "positioning"
    assert not snap.has_person
    assert snap.message.startswith("Step into view")
    assert snap.cue is not None and snap.cue.kind == "setup"
    assert snap.setup_issues == (
        "Step into view so the camera can see your whole body.",
    )
    assert processor.end_stream() is None
    assert not list(tmp_path.glob("*"))


def test_second_person_blocks_positioning(bird_dog: PoseSequence) -> None:
    two = dataclasses.replace(
        bird_dog, num_people=np.full(len(bird_dog), 2, dtype=np.int16)
    )
    processor = LiveProcessor(
        load_spec("bird_dog"), estimator=ReplayPoseEstimator(two), warm_up=False
    )
    feed(processor, 150)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "positioning"
    assert snap.several_people
    assert snap.cue is not None and "more than one person" in snap.cue.text
    assert any("more than one person" in i for i in snap.setup_issues)


def test_second_person_walking_through_pauses_checks(bird_dog: PoseSequence) -> None:
    """A passer-by for a moment does not stop the set, and is recorded."""
    people = np.ones(len(bird_dog), dtype=np.int16)
    people[200:215] = 2  # half a second, during counting
    seq = dataclasses.replace(bird_dog, num_people=people)
    processor = LiveProcessor(
        load_spec("bird_dog"), estimator=ReplayPoseEstimator(seq), warm_up=False
    )
    feed(processor, len(seq))
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "counting"
    assert snap.reps == 2
    saved = processor.end_stream()
    assert saved is not None
    assert saved.record.source.frames_with_several_people == 15


# ------------------------------------------------------------- saving sets
class Clock:
    """A synthetic monotonic clock that the feed moves with the frames."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def feed_clocked(
    processor: LiveProcessor, clock: Clock, count: int, start: int = 0
) -> None:
    """Frames at 30 fps, the processor's clock keeping pace with them."""
    for i in range(start, start + count):
        clock.t = i / FPS
        processor.process(image(), i * 1000.0 / FPS)


def test_session_saved_on_stop(bird_dog: PoseSequence, tmp_path: Path) -> None:
    spec = load_spec("bird_dog")
    rx = Prescription(patient="Jane Doe", exercise="bird_dog", reps=6)
    processor = LiveProcessor(
        apply_prescription(spec, rx),
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(tmp_path),
        patient="Jane Doe",
        prescription=rx,
        warm_up=False,
    )
    feed(processor, 300)
    saved = processor.end_stream()
    assert saved is not None
    assert saved.reason == "stream stopped"
    assert processor.phase == LivePhase.WAITING  # START again to do the set again
    assert saved.ref is not None
    path = tmp_path / "sessions" / f"{saved.ref.id}.session.json"
    assert path.is_file()
    assert "jane-doe_bird_dog_set1" in path.name
    assert path.with_name(f"{saved.ref.id}.reps.csv").is_file()
    record = load_session(path)
    assert record.source.kind == "live"
    assert record.patient == "Jane Doe"
    assert record.prescription is not None and record.prescription["reps"] == 6
    assert 100 < record.source.frames < 300  # counting starts after positioning
    assert record.group is not None
    assert (record.group.label, record.group.step, record.group.set_number) == (
        "Bird dog",
        1,
        1,
    )
    assert processor.latest().symptom_question_pending  # type: ignore[union-attr]
    assert processor.end_stream() is None  # idempotent


def test_target_reached_rests_asks_where_the_symptoms_are_then_goes_on(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    spec = apply_prescription(
        load_spec("bird_dog"),
        Prescription(patient="p", exercise="bird_dog", reps=1, sets=2),
    )
    clock = Clock()
    processor = LiveProcessor(
        spec,
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(tmp_path),
        warm_up=False,
        clock=clock,
    )
    feed_clocked(processor, clock, 300)  # the first rep (right leg) ends near 9 s
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == LivePhase.RESTING
    assert snap.symptom_question_pending
    assert snap.reps == 1
    assert snap.routine is not None
    assert snap.routine.next_label == "Bird dog, set 2 of 2"
    assert snap.routine.remaining_s is not None and 20 < snap.routine.remaining_s <= 30
    assert len(snap.saved) == 1 and snap.saved[0].reason == "target reached"
    answer = processor.report_symptoms(SymptomLocation.BUTTOCK, worse=False)
    assert answer is not None and answer.before is None
    record = FolderStore(tmp_path).load_session(snap.saved[0].ref.id)  # type: ignore[union-attr]
    assert [(r.location, r.worse) for r in record.symptoms] == [
        (SymptomLocation.BUTTOCK, False)
    ]
    assert record.symptoms[0].answered_utc
    assert not processor.latest().symptom_question_pending  # type: ignore[union-attr]
    frame = 300
    while processor.phase == LivePhase.RESTING and frame < 300 + 40 * 30:
        feed_clocked(processor, clock, 1, start=frame)
        frame += 1
    # The rest ran out when its countdown said: set 2 of 2 begins, hands-free.
    assert (frame - 300) / FPS == pytest.approx(snap.routine.remaining_s, abs=0.1)
    assert processor.phase == LivePhase.POSITIONING
    assert processor.latest().set_number == 2  # type: ignore[union-attr]


def test_symptoms_spreading_down_the_leg_stop_the_exercise(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    processor = LiveProcessor(
        load_spec("bird_dog"),
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(tmp_path),
        warm_up=False,
        symptoms_before=SymptomLocation.BUTTOCK,
    )
    feed(processor, 200)
    saved = processor.finish_set()
    assert saved is not None
    answer = processor.report_symptoms(SymptomLocation.BELOW_KNEE, worse=True)
    assert answer is not None and answer.spread
    assert processor.phase == LivePhase.STOPPED
    frame = np.full((96, 54, 3), 7, np.uint8)
    out = processor.process(frame, 99_999.0)
    assert out is frame and (out == 7).all()  # no more checking, nothing drawn
    record = FolderStore(tmp_path).load_session(saved.ref.id)  # type: ignore[union-attr]
    assert record.symptoms[0].before is SymptomLocation.BUTTOCK
    assert record.symptoms[0].location is SymptomLocation.BELOW_KNEE
    assert safety.spread_note("buttock", "below_knee") in record.warnings, (
        record.warnings
    )


def test_symptoms_moving_toward_the_back_are_a_good_sign(
    bird_dog: PoseSequence,
) -> None:
    processor = LiveProcessor(
        load_spec("bird_dog"),
        estimator=ReplayPoseEstimator(bird_dog),
        warm_up=False,
        symptoms_before=SymptomLocation.THIGH,
    )
    feed(processor, 200)
    processor.finish_set()
    answer = processor.report_symptoms(SymptomLocation.LOWER_BACK, worse=False)
    assert answer is not None and answer.centralised
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == LivePhase.DONE
    assert snap.last_symptoms is not None and snap.last_symptoms.centralised


def test_error_saves_the_set_and_keeps_the_stream(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    processor = LiveProcessor(
        load_spec("bird_dog"),
        estimator=FailingEstimator(bird_dog, fail_at=200),
        store=FolderStore(tmp_path),
        warm_up=False,
    )
    for i in range(210):
        frame = av.VideoFrame.from_ndarray(image(), format="bgr24")
        frame.pts = i * 3000
        frame.time_base = Fraction(1, 90000)
        out = processor.video_frame_callback(frame)
        assert isinstance(out, av.VideoFrame)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase == "error"
    assert snap.error is not None and "boom" in snap.error
    assert len(snap.saved) == 1
    record = FolderStore(tmp_path).load_session(snap.saved[0].ref.id)  # type: ignore[union-attr]
    assert record.source.ended_early
    assert "boom" in (record.source.problem or "")


def test_unwritable_sessions_folder_keeps_the_record(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    processor = LiveProcessor(
        load_spec("bird_dog"),
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(blocker),
        warm_up=False,
    )
    feed(processor, 200)
    saved = processor.end_stream()
    assert saved is not None
    assert saved.ref is None
    assert saved.save_error is not None and "cannot write" in saved.save_error
    assert saved.record.summary is not None  # still downloadable from the page


def test_new_stream_restarts_time_and_keeps_the_estimator_clock(
    bird_dog: PoseSequence,
) -> None:
    stamps: list[float] = []

    class Recording(ReplayPoseEstimator):
        def __call__(self, image_bgr, timestamp_ms, frame_index):  # type: ignore[no-untyped-def]
            stamps.append(timestamp_ms)
            return super().__call__(image_bgr, timestamp_ms, frame_index)

    processor = LiveProcessor(
        load_spec("bird_dog"), estimator=Recording(bird_dog), warm_up=True
    )
    feed(processor, 50)
    processor.end_stream()
    feed(processor, 50)  # the second stream's times start at 0 again
    assert all(b > a for a, b in itertools.pairwise(stamps))
    assert processor.latest().phase == "positioning"  # type: ignore[union-attr]


# -------------------------------------------- webrtc hand-off (drop, not queue)
class PacedTrack(MediaStreamTrack):
    """A fake camera: ``count`` frames at ``fps``, in real time."""

    kind = "video"

    def __init__(self, count: int, fps: float) -> None:
        super().__init__()
        self.count, self.fps = count, fps
        self.sent = 0
        self.t0: float | None = None

    async def recv(self) -> av.VideoFrame:
        if self.t0 is None:
            self.t0 = time.monotonic()
        await asyncio.sleep(max(0.0, self.t0 + self.sent / self.fps - time.monotonic()))
        frame = av.VideoFrame.from_ndarray(image(), format="bgr24")
        frame.pts = self.sent * 3000
        frame.time_base = Fraction(1, 90000)
        self.sent += 1
        return frame


def run_through_webrtc(
    processor: LiveProcessor, seconds: float, monkeypatch: pytest.MonkeyPatch
) -> PacedTrack:
    """Pull frames through streamlit-webrtc's async track, as aiortc's sender does.

    streamlit-webrtc's worker thread never closes its event loop; the loops
    are tracked and closed here so no ResourceWarning leaks into other tests.
    """
    loops: list[asyncio.AbstractEventLoop] = []
    new_loop = asyncio.new_event_loop

    def tracked_loop() -> asyncio.AbstractEventLoop:
        loop = new_loop()
        loops.append(loop)
        return loop

    monkeypatch.setattr(asyncio, "new_event_loop", tracked_loop)
    source = PacedTrack(round(seconds * FPS), FPS)
    track = AsyncVideoProcessTrack(
        track=source,
        processor=CallbackAttachableProcessor(
            processor.video_frame_callback, None, processor.end_stream
        ),
        stop_timeout=5,
    )

    async def pull() -> None:
        for _ in range(source.count):
            await track.recv()
        await asyncio.sleep(0.3)
        track.stop()

    asyncio.run(pull())
    for loop in loops:
        if not loop.is_running():
            loop.close()
    return source


def test_fast_processing_drops_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    estimator = EmptyEstimator(delay_s=0.002)
    processor = LiveProcessor(
        load_spec("glute_bridge"), estimator=estimator, warm_up=False
    )
    source = run_through_webrtc(processor, seconds=2.0, monkeypatch=monkeypatch)
    snap = processor.latest()
    assert snap is not None
    assert snap.frames_processed >= 0.9 * source.sent
    assert snap.lag_ms_max < 100


def test_slow_processing_drops_frames_and_latency_stays_flat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    estimator = EmptyEstimator(delay_s=0.1)  # a 10 fps model behind a 30 fps camera
    processor = LiveProcessor(
        load_spec("glute_bridge"), estimator=estimator, warm_up=False
    )
    source = run_through_webrtc(processor, seconds=3.0, monkeypatch=monkeypatch)
    snap = processor.latest()
    assert snap is not None
    # About a third of the frames are processed: the rest are dropped, not queued.
    assert snap.frames_processed < 0.6 * source.sent
    assert snap.frames_processed >= 0.2 * source.sent
    # Had frames queued, the last ones would be ~2 s late; dropping keeps it flat.
    assert snap.lag_ms_max < 300, snap.lag_ms_max


# ------------------------------------------------------------ routines
def test_a_routine_runs_hands_free_timed_step_rest_two_exercises_one_group(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    """Walk (timed), rest, bird dog, rest, bird dog again: no STOP/START between."""
    from formcheck.app_support.live_plan import plan_for_routine
    from formcheck.routines import Routine
    from formcheck.specs import load_all

    routine = Routine.model_validate(
        {
            "id": "two_birds",
            "name": "Two birds",
            "items": [
                {
                    "exercise": None,
                    "name": "Walking in place",
                    "timed_s": 3,
                    "rest_s": 2,
                },
                {"exercise": "bird_dog", "reps": 1, "rest_s": 4},
                {"exercise": "bird_dog", "reps": 1},
            ],
        }
    )
    plan = plan_for_routine(routine, load_all())
    clock = Clock()
    processor = LiveProcessor(
        plan=plan,
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(tmp_path),
        warm_up=False,
        settle_s=0.5,
        clock=clock,
    )
    phases: list[tuple[str, str]] = []
    frame = 0
    while frame < 3000 and processor.phase != LivePhase.DONE:
        clock.t = frame / FPS
        processor.process(image(), frame * 1000.0 / FPS)
        snap = processor.latest()
        assert snap is not None
        if not phases or phases[-1] != (snap.phase, snap.exercise):
            phases.append((snap.phase, snap.exercise))
        frame += 1
    assert phases == [
        (LivePhase.TIMED, "Walking in place"),
        (LivePhase.RESTING, "Walking in place"),
        (LivePhase.POSITIONING, "Bird dog"),
        (LivePhase.COUNTING, "Bird dog"),
        (LivePhase.RESTING, "Bird dog"),
        (LivePhase.POSITIONING, "Bird dog"),
        (LivePhase.COUNTING, "Bird dog"),
        (LivePhase.DONE, "Bird dog"),
    ]
    snap = processor.latest()
    assert snap is not None
    records = [s.record for s in snap.saved]
    assert [r.summary.reps for r in records] == [1, 1]
    groups = {r.group.id for r in records if r.group is not None}
    assert len(groups) == 1  # one routine run, one session group
    assert [(r.group.step, r.group.steps) for r in records] == [(2, 3), (3, 3)]  # type: ignore[union-attr]
    rows = snap.summary_rows
    assert [r["done"] for r in rows] == ["3 s of 3 s", "1 of 1 set", "1 of 1 set"]
    assert rows[1]["result"] == "1 rep: 1 correct, 0 with a fault"


def test_pause_stop_and_start_again_lose_nothing_and_keep_time_sane(
    bird_dog: PoseSequence, tmp_path: Path
) -> None:
    """Pause mid-set then STOP saves the open set; START again checks position first."""
    spec = apply_prescription(
        load_spec("bird_dog"),
        Prescription(patient="p", exercise="bird_dog", reps=5, sets=2),
    )
    clock = Clock()
    processor = LiveProcessor(
        spec,
        estimator=ReplayPoseEstimator(bird_dog),
        store=FolderStore(tmp_path),
        warm_up=False,
        settle_s=0.5,
        clock=clock,
    )
    feed_clocked(processor, clock, 300)  # counting, one rep done
    assert processor.phase == LivePhase.COUNTING
    processor.pause()
    assert processor.phase == LivePhase.PAUSED
    saved = processor.end_stream()  # STOP while paused: the set is kept
    assert saved is not None and saved.record.summary.reps >= 1
    assert processor.phase == LivePhase.WAITING
    # START again: a new stream whose times start at 0 again.
    for i in range(60):
        clock.t = 100 + i / FPS
        processor.process(image(), i * 1000.0 / FPS)
    snap = processor.latest()
    assert snap is not None
    assert snap.phase in (LivePhase.POSITIONING, LivePhase.COUNTING)
    assert 0.0 <= snap.positioning_s <= 2.0
    assert processor.saved_sets[0].record.summary.reps >= 1
