from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import Landmark
from formcheck.synth.camera import Camera, SubjectFrame
from formcheck.synth.cli import main
from formcheck.synth.clip import ClipSpec, render_clip
from formcheck.synth.faults import EXERCISE_FAULTS, FAULTS
from formcheck.synth.keyframes import pose_skeleton
from formcheck.synth.motions import EXERCISES, Motion, MotionParams, build_motion
from formcheck.synth.postures import standing, tabletop
from formcheck.synth.render import GROUP_ID, Look, Renderer, Scene
from formcheck.synth.skeleton import (
    SHAPES,
    Part,
    body_parts,
    forward_kinematics,
    landmarks_3d,
    two_link_ik,
)
from formcheck.synth.truth import (
    ANGLE_NAMES,
    evaluate_signal,
    joint_angles,
    landmark_visibility,
    load_truth,
)

MEDIUM = SHAPES["medium"]
UPRIGHT = SubjectFrame(
    centre=np.array([0.0, 0.0, 0.9]),
    left=np.array([0.0, 1.0, 0.0]),
    front=np.array([1.0, 0.0, 0.0]),
    feet=None,
)


def _camera(size: tuple[int, int] = (320, 240), height: float = 0.9) -> Camera:
    return Camera.side_view(
        UPRIGHT, near="left", distance_m=3.0, height_m=height, resolution_wh=size
    )


def _quiet_look() -> Look:
    look = Look.from_seed(0)
    return Look(**{**look.__dict__, "noise_sigma": 0.0})


# ------------------------------------------------------------------ geometry
@pytest.mark.parametrize(
    "offset", [(0.0, 0.0, 0.0), (0.4, 0.0, -0.3), (-0.5, 0.2, 0.25)]
)
def test_render_sphere_centroid_matches_projection(
    offset: tuple[float, float, float],
) -> None:
    cam = _camera()
    centre = np.array([0.0, 0.0, 0.9]) + np.array(offset)
    sphere = Part("ball", "torso", "top", "sphere", centre, r1=0.08)
    frame = Renderer(cam, Scene(), _quiet_look(), blur_sigma_px=0).render([sphere])
    rows, cols = np.nonzero(frame.group_id == GROUP_ID["torso"])
    assert rows.size > 100
    centroid = np.array([cols.mean() + 0.5, rows.mean() + 0.5])
    expected, _ = cam.project(centre)
    assert np.linalg.norm(centroid - expected) < 0.6


def test_render_keeps_the_nearer_part() -> None:
    cam = _camera()
    near = Part("near", "l_thigh", "top", "sphere", np.array([0.0, 0.5, 0.9]), r1=0.1)
    far = Part("far", "r_thigh", "top", "sphere", np.array([0.0, -0.5, 0.9]), r1=0.2)
    for order in ([near, far], [far, near]):
        frame = Renderer(cam, Scene(), _quiet_look()).render(order)
        (u, v), _ = cam.project(np.array([0.0, 0.0, 0.9]))
        assert frame.group_id[int(v), int(u)] == GROUP_ID["l_thigh"]


def test_straight_knee_projects_to_180_and_right_angle_to_90_in_side_view() -> None:
    cam = _camera(height=0.5)
    # Collinear points stay collinear under perspective; a right angle is only
    # approximately kept (the shin is off the optical axis).
    for knee_flex, hip_flex, expected, tol in (
        (0.0, 0.0, 180.0, 1e-3),
        (90.0, 90.0, 90.0, 2.0),
    ):
        sk = forward_kinematics(
            MEDIUM, {"root_z": 0.93, "l_hip_flex": hip_flex, "l_knee_flex": knee_flex}
        )
        xy, _ = cam.project(landmarks_3d(sk))
        angles = joint_angles(xy, "left")
        assert angles[ANGLE_NAMES.index("left_knee")] == pytest.approx(
            expected, abs=tol
        )


def test_forward_kinematics_keeps_segment_lengths() -> None:
    d = MEDIUM.dims
    sk = forward_kinematics(
        MEDIUM,
        {
            "pitch": 37.0,
            "l_hip_flex": 80.0,
            "l_knee_flex": 45.0,
            "r_shoulder_flex": 120.0,
            "r_elbow_flex": 30.0,
        },
    )
    j = sk.joints
    assert np.linalg.norm(j["l_knee"] - j["l_hip"]) == pytest.approx(d.thigh)
    assert np.linalg.norm(j["l_ankle"] - j["l_knee"]) == pytest.approx(d.shin)
    assert np.linalg.norm(j["r_elbow"] - j["r_shoulder"]) == pytest.approx(d.upper_arm)
    assert np.linalg.norm(j["r_wrist"] - j["r_elbow"]) == pytest.approx(d.forearm)


def test_two_link_ik_reaches_a_reachable_target() -> None:
    base, target = np.zeros(3), np.array([0.3, 0.1, -0.5])
    mid, end = two_link_ik(base, target, 0.43, 0.43, np.array([1.0, 0.0, 0.0]))
    assert np.allclose(end, target, atol=1e-9)
    assert np.linalg.norm(mid - base) == pytest.approx(0.43)
    assert np.linalg.norm(end - mid) == pytest.approx(0.43)
    assert mid[0] > target[0] * 0.5  # bends toward the pole


def test_landmarks_face_points_are_on_the_front_of_the_head() -> None:
    sk = pose_skeleton(MEDIUM, standing(MEDIUM))
    lm = landmarks_3d(sk)
    assert lm.shape == (33, 3)
    assert lm[Landmark.NOSE, 0] > lm[Landmark.LEFT_EAR, 0] + 0.08
    assert lm[Landmark.LEFT_EYE, 1] > 0 > lm[Landmark.RIGHT_EYE, 1]
    assert lm[Landmark.NOSE, 2] == pytest.approx(1.63, abs=0.05)
    assert lm[Landmark.LEFT_HEEL, 2] < lm[Landmark.LEFT_ANKLE, 2]


@pytest.mark.parametrize("body", sorted(SHAPES))
def test_tabletop_plants_hands_and_knees_on_the_floor(body: str) -> None:
    shape = SHAPES[body]
    sk = pose_skeleton(shape, tabletop(shape))
    parts = body_parts(sk)
    low = {
        g: min(p.min_z() for p in parts if p.group == g)
        for g in ("l_hand", "r_hand", "l_shin", "r_shin")
    }
    assert all(abs(z) < 0.02 for z in low.values()), low
    assert sk.joints["l_shoulder"][2] > sk.joints["l_hip"][2]


def test_side_view_hides_the_far_knee() -> None:
    cam = _camera()
    sk = pose_skeleton(
        MEDIUM, standing(MEDIUM).with_angles(l_hip_flex=20.0, r_hip_flex=20.0)
    )
    frame = Renderer(cam, Scene(), _quiet_look()).render(body_parts(sk))
    lm = landmarks_3d(sk)
    xy, _ = cam.project(lm)
    visible, in_frame = landmark_visibility(lm, xy, cam.position_m, frame)
    assert in_frame.all()
    assert (
        visible[Landmark.LEFT_KNEE]
        and visible[Landmark.NOSE]
        and visible[Landmark.LEFT_EAR]
    )
    assert not visible[Landmark.RIGHT_KNEE]
    assert not visible[Landmark.RIGHT_EAR]


def test_no_side_view_of_a_side_lying_body() -> None:
    motion = build_motion("clamshell", MEDIUM, MotionParams(n_reps=1))
    with pytest.raises(ValueError, match="no side view"):
        Camera.for_view(motion.subject, "side")


# ------------------------------------------------------------------- motions
def _signal_series(
    motion: Motion, fps: float = 8.0
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The counting signal over the exercise phase (the lead-in and walk-out
    may cross the thresholds too: sitting up from lying flat is not a rep)."""
    sig = motion.signal
    assert sig is not None
    (_, start, end), *_ = (p for p in motion.timeline.phases if p[0] == "exercise")
    times = np.arange(start, end, 1.0 / fps)
    names = (
        [sig.name.format(side=s) for s in ("left", "right")]
        if sig.per_side
        else [sig.name]
    )
    values: dict[str, list[float]] = {n: [] for n in names}
    for t in times:
        lm = landmarks_3d(motion.timeline.skeleton_at(float(t)))
        params = motion.timeline.angles_at(float(t))
        for n in names:
            values[n].append(evaluate_signal(n, lm, params))
    return times, {n: np.array(v) for n, v in values.items()}


def _count(values: np.ndarray, enter: float, exit_: float, up: bool) -> int:
    v = values if up else -values
    e, x = (enter, exit_) if up else (-enter, -exit_)
    count, active = 0, False
    for value in v:
        if not active and value >= e:
            active = True
        elif active and value <= x:
            active = False
            count += 1
    return count


REP_EXERCISES = sorted(k for k, v in EXERCISES.items() if v.kind == "reps")
HOLD_EXERCISES = sorted(k for k, v in EXERCISES.items() if v.kind == "hold")


@pytest.mark.parametrize("exercise", REP_EXERCISES)
def test_truth_signal_crosses_thresholds_once_per_counted_rep(exercise: str) -> None:
    faults = (
        ("shallow",) if exercise in ("glute_bridge", "bird_dog", "clamshell") else ()
    )
    motion = build_motion(
        exercise, MEDIUM, MotionParams(n_reps=3, seed=5, faults=faults)
    )
    sig = motion.signal
    assert sig is not None
    _, series = _signal_series(motion)
    reps = motion.timeline.reps
    if sig.per_side:
        for side in ("left", "right"):
            expected = sum(r.counted for r in reps if r.side == side)
            got = _count(
                series[sig.name.format(side=side)],
                sig.enter,
                sig.exit,
                sig.direction == "up",
            )
            assert got == expected, (exercise, side)
    else:
        (values,) = series.values()
        got = _count(values, sig.enter, sig.exit, sig.direction == "up")
        assert got == sum(r.counted for r in reps)
    if faults:
        assert [r.counted for r in reps].count(False) >= 1


@pytest.mark.parametrize("exercise", HOLD_EXERCISES)
def test_truth_signal_is_held_during_each_labelled_hold(exercise: str) -> None:
    motion = build_motion(exercise, MEDIUM, MotionParams(hold_s=6.0, seed=2))
    sig = motion.signal
    assert sig is not None
    times, series = _signal_series(motion)
    (values,) = series.values()
    inside = values >= sig.enter if sig.direction == "up" else values <= sig.enter
    (hold,) = motion.timeline.holds
    during = (times >= hold.start_s) & (times <= hold.end_s)
    assert inside[during].all()
    assert not inside[times < hold.start_s - 3.5].any()
    assert not inside[times > hold.end_s + 3.5].any()
    assert hold.held_s == pytest.approx(6.0 * 1.0, rel=0.01)


def test_every_exercise_has_three_phases_and_its_faults_exist() -> None:
    for exercise in EXERCISES:
        assert set(EXERCISE_FAULTS[exercise]) <= set(FAULTS)
        motion = build_motion(
            exercise, SHAPES["small"], MotionParams(n_reps=1, hold_s=2.0)
        )
        names = [p[0] for p in motion.timeline.phases]
        assert names == ["lead_in", "exercise", "walk_out"], exercise
        assert motion.duration_s < 40.0, exercise


def _peak(motion: Motion, name: str, rep_index: int) -> float:
    rep = motion.timeline.reps[rep_index]
    lm = landmarks_3d(motion.timeline.skeleton_at(rep.peak_s))
    return evaluate_signal(name, lm, motion.timeline.angles_at(rep.peak_s))


@pytest.mark.parametrize(
    ("fault", "low", "high"),
    [
        ("over_arch", 190.0, 210.0),
        ("not_high_enough", 160.0, 165.0),
        ("shallow", 140.0, 158.0),
    ],
)
def test_bridge_faults_set_the_peak_hip_angle(
    fault: str, low: float, high: float
) -> None:
    motion = build_motion(
        "glute_bridge", MEDIUM, MotionParams(n_reps=2, faults=(fault,))
    )
    good, bad = motion.timeline.reps
    assert good.faults == () and bad.faults == (fault,)
    assert bad.counted == (fault != "shallow")
    assert 176.0 < _peak(motion, "sag:hip_ext_left", 0) < 184.0
    assert low < _peak(motion, "sag:hip_ext_left", 1) < high


def test_other_faults_change_their_measure() -> None:
    glide = build_motion(
        "sciatic_nerve_glide_supine",
        MEDIUM,
        MotionParams(n_reps=2, faults=("thigh_drift",)),
    )
    assert abs(_peak(glide, "sag:hip_left", 0) - 90.0) < 8.0
    assert abs(_peak(glide, "sag:hip_left", 1) - 90.0) > 20.0
    press = build_motion(
        "mckenzie_press_up", MEDIUM, MotionParams(n_reps=2, faults=("hips_lifting",))
    )
    assert _peak(press, "mid_hip_z_m", 1) - _peak(press, "mid_hip_z_m", 0) > 0.05
    dog = build_motion(
        "bird_dog", MEDIUM, MotionParams(n_reps=2, faults=("arm_short_of_line",))
    )
    assert _peak(dog, "sag:arm_lift_right", 0) > 80.0
    assert _peak(dog, "sag:arm_lift_right", 2) < 55.0
    k2c = build_motion(
        "knee_to_chest_single", MEDIUM, MotionParams(faults=("released_early",))
    )
    (hold,) = k2c.timeline.holds
    assert hold.held_s < hold.min_s and hold.faults == ("released_early",)


def test_twist_turns_toward_the_chair_back_and_the_chair_is_turned_between_sides() -> (
    None
):
    motion = build_motion(
        "seated_torso_twist",
        MEDIUM,
        MotionParams(n_reps=2, side="left", faults=("shallow",), seed=1),
    )
    reps = motion.timeline.reps
    assert [(r.side, r.counted) for r in reps] == [
        ("left", True),
        ("left", False),
        ("right", True),
        ("right", False),
    ]
    assert 36.0 < _peak(motion, "twist_left", 0) < 48.0
    assert 36.0 < _peak(motion, "twist_right", 2) < 48.0
    assert _peak(motion, "twist_right", 1) < 15.0  # shallow: below the truth band

    # The chair back is on the side being turned toward: +y is the body's left.
    def back_y(t: float) -> float:
        back = max(motion.props_at(t), key=lambda box: box.centre_m[2])
        return back.centre_m[1]

    assert back_y(reps[0].peak_s) > 0.15
    assert back_y(reps[2].peak_s) < -0.15
    # The switch happens while the person stands between the two sides.
    ((switch_s, _),) = motion.prop_changes
    assert reps[1].end_s < switch_s < reps[2].start_s


def test_unsupported_fault_is_rejected() -> None:
    with pytest.raises(ValueError, match="does not apply"):
        build_motion("glute_bridge", MEDIUM, MotionParams(faults=("hip_opening",)))


# ------------------------------------------------------- clips and truth files
def _tiny(**kw: object) -> ClipSpec:
    base: dict[str, object] = {
        "exercise": "glute_bridge",
        "n_reps": 1,
        "seed": 7,
        "fps": 4.0,
        "resolution_wh": (96, 72),
        "lead_in": "short",
    }
    return ClipSpec(**{**base, **kw})  # type: ignore[arg-type]


def test_same_seed_gives_identical_truth_and_pixels(tmp_path: Path) -> None:
    spec = _tiny()
    a = render_clip(spec, tmp_path / "a", write_video=False)
    b = render_clip(spec, tmp_path / "b", write_video=False)
    assert a.truth_json.read_bytes() == b.truth_json.read_bytes()
    assert a.truth_npz.read_bytes() == b.truth_npz.read_bytes()
    motion = build_motion("glute_bridge", MEDIUM, spec.motion_params())
    from formcheck.synth.clip import fit_camera

    cam = fit_camera(motion, spec)
    frames = [
        Renderer(cam, Scene(props=motion.props), Look.from_seed(7), seed=7)
        .render(body_parts(motion.timeline.skeleton_at(0.0)), 0)
        .image_bgr
        for _ in range(2)
    ]
    assert np.array_equal(frames[0], frames[1])
    other = render_clip(_tiny(seed=8), tmp_path / "c", write_video=False)
    assert other.truth_npz.read_bytes() != a.truth_npz.read_bytes()


def test_truth_files_describe_the_clip(tmp_path: Path) -> None:
    spec = _tiny(exercise="bird_dog", faults=("hip_opening",), fault_reps=(1,))
    result = render_clip(spec, tmp_path)
    assert result.video_path is not None and result.video_path.stat().st_size > 0
    truth = load_truth(result.video_path)
    meta = json.loads(result.truth_json.read_text())
    assert meta == truth.meta
    assert meta["exercise"] == "bird_dog" and meta["view"] == "side"
    assert meta["summary"]["per_side"] == {"left": 1, "right": 1}
    assert [r["faults"] for r in meta["reps"]] == [["hip_opening"], ["hip_opening"]]
    n = meta["frames"]
    assert truth.arrays["landmarks_xy_px"].shape == (n, 33, 2)
    assert truth.arrays["landmarks_xyz_m"].shape == (n, 33, 3)
    assert truth.arrays["visible"].shape == (n, 33)
    assert truth.angle("near_knee", "3d").shape == (n,)
    assert meta["camera"]["width_px"] == 96
    xy = truth.arrays["landmarks_xy_px"]
    assert np.isfinite(xy).all()
    assert truth.arrays["in_frame"].mean() > 0.95


def test_cli_render_writes_video_and_truth(tmp_path: Path) -> None:
    status = main(
        [
            "render", "--exercise", "clamshell", "--view", "front", "--body", "small",
            "--fault", "hip_rolls_back", "--seed", "3", "--reps", "1", "--fps", "4",
            "--size", "96x72", "--lead-in", "short", "--out", str(tmp_path),
        ]
    )  # fmt: skip
    assert status == 0
    stem = "clamshell_front_small_left_s3_short_hip_rolls_back"
    for suffix in (".mp4", ".truth.json", ".truth.npz"):
        assert (tmp_path / f"{stem}{suffix}").is_file()


def test_cli_reports_an_impossible_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["render", "--exercise", "clamshell", "--view", "side", "--out", str(tmp_path)]
    )
    assert status == 1
    assert "no side view" in capsys.readouterr().err


def test_short_lead_in_keeps_the_chair_turn_between_the_sides() -> None:
    motion = build_motion(
        "seated_torso_twist", MEDIUM, MotionParams(n_reps=1, lead_in="short")
    )
    first, second = motion.timeline.reps
    ((switch_s, _),) = motion.prop_changes
    assert first.end_s < switch_s < second.start_s
