"""Every number says what it is: video labels, plot titles and axes, hold states, specs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml

from formcheck import messages
from formcheck.analyze import analyze_landmarks
from formcheck.annotate import AngleAnnotator, PanelAnnotator, draw_banner
from formcheck.app_support import plots
from formcheck.engine import FormChecker
from formcheck.errors import SpecError
from formcheck.record import SessionRecord
from formcheck.results import HoldState, HoldStatus
from formcheck.specs import load_spec, load_spec_file
from formcheck.types import PoseSequence
from tests.conftest import DATA, REPO


@pytest.fixture(scope="module")
def bird_dog_seq() -> PoseSequence:
    return PoseSequence.load_npz(DATA / "polybag_bird_dog.landmarks.npz")


@pytest.fixture(scope="module")
def bird_dog_session(bird_dog_seq: PoseSequence) -> SessionRecord:
    return analyze_landmarks(bird_dog_seq, load_spec("bird_dog")).session


# ------------------------------------------------------------------ specs
def test_signal_labels_default_to_the_name_in_words_and_can_be_set(
    tmp_path: object,
) -> None:
    spec = load_spec("glute_bridge")
    assert spec.signal_label("hip_extension") == "hip extension"
    data = yaml.safe_load((REPO / "pose_specs" / "glute_bridge.yaml").read_text())
    data["signals"]["hip_extension"]["label"] = "hips"
    path = tmp_path / "glute_bridge.yaml"  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data))
    assert load_spec_file(path).signal_label("hip_extension") == "hips"
    data["signals"]["hip_extension"]["label"] = "x" * 40
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError, match="signals.hip_extension"):
        load_spec_file(path)


# ------------------------------------------------------------------ video
def _drawn_labels(spec_id: str, seq: PoseSequence, frame: int) -> list[str]:
    spec = load_spec(spec_id)
    checker = FormChecker(spec)
    result = None
    for i in range(frame + 1):
        result = checker.update(seq[i])
    assert result is not None
    annotator = AngleAnnotator(spec)
    return [
        f"{annotator.label(name)} {result.signals[name]:.0f}°"
        for name in annotator._checked
        if annotator._anchor(name) is not None and np.isfinite(result.signals[name])
    ]


def test_angle_labels_name_the_joint_and_carry_degrees(
    bird_dog_seq: PoseSequence,
) -> None:
    labels = _drawn_labels("bird_dog", bird_dog_seq, 120)
    assert labels, "the checked angles are drawn"
    for label in labels:
        name, value = label.rsplit(" ", 1)
        assert name and not name.lstrip("-").isdigit()
        assert value.endswith("°")
    assert any(label.startswith("trunk ") for label in labels)


def test_angle_labels_are_drawn_on_a_640x480_frame(
    bird_dog_seq: PoseSequence,
) -> None:
    spec = load_spec("bird_dog")
    checker = FormChecker(spec)
    for i in range(121):
        result = checker.update(bird_dog_seq[i])
    # The recorded clip is 1080x1920; scale its landmarks onto a 640x480 frame.
    scaled = dataclasses.replace(
        result.pose,
        xy=result.pose.xy * np.array([640 / 1080, 480 / 1920], np.float32),
        resolution_wh=(640, 480),
    )
    scene = np.zeros((480, 640, 3), np.uint8)
    AngleAnnotator(spec).annotate(scene, dataclasses.replace(result, pose=scaled))
    assert scene.any()


def test_the_panel_speaks_plainly_about_holds_and_skips_reps_for_holds(
    bird_dog_seq: PoseSequence,
) -> None:
    spec = load_spec("childs_pose")
    panel = PanelAnnotator(spec)
    result = FormChecker(spec).update(bird_dog_seq[0])
    assert panel._count_lines(result) == []  # no "Reps 0" on a hold
    bird = PanelAnnotator(load_spec("bird_dog"))
    lines = bird._count_lines(
        FormChecker(load_spec("bird_dog")).update(bird_dog_seq[0])
    )
    assert lines[0] == "Reps: 0 of 10  correct 0  with a fault 0"
    hold = HoldState(HoldStatus.GRACE, 12.0, 10.0, 30.0, 0)
    scene = np.zeros((480, 640, 3), np.uint8)
    panel._hold(scene, hold, (10, 40), 0.67)
    assert scene.any()


@pytest.mark.parametrize("status", list(HoldStatus))
def test_hold_states_read_as_plain_words(status: HoldStatus) -> None:
    text = messages.hold_status_text(status)
    assert text and "_" not in text
    assert text not in {"confirming", "grace", "paused", "idle"}


def test_the_rest_banner_is_drawn_big() -> None:
    scene = np.zeros((480, 640, 3), np.uint8)
    draw_banner(scene, "Rest 12 s", ["Next: Glute bridge", "Put the camera low."])
    rows = np.flatnonzero(scene.max(axis=(1, 2)) > 200)
    assert rows.size and rows.max() - rows.min() > 50  # title and two lines
    gaps = np.flatnonzero(np.diff(rows) > 1)
    title_px = (rows[gaps[0]] if gaps.size else rows[-1]) - rows[0]
    assert title_px >= 18  # big enough to read from a mat 2 m away


# ------------------------------------------------------------------ plots
def test_plot_rows_have_plain_titles_units_and_one_band_label_each(
    bird_dog_session: SessionRecord,
) -> None:
    spec = load_spec("bird_dog")
    fig = plots.timeline_figure(bird_dog_session, spec)
    titles = [a.text for a in fig.layout.annotations if a.xref == "paper"]
    names = plots.key_signals(bird_dog_session, spec)
    assert len(titles) == len(names)
    for name, title in zip(names, titles, strict=True):
        assert title.startswith(spec.signal_label(name)[:1].upper())
        assert "_" not in title.split(" · ")[0]
        assert "(degrees)" in title or "torso lengths" in title
    # Band names are in the titles, not piled up as separate labels.
    band_notes = [a for a in fig.layout.annotations if "target" in str(a.text)]
    assert all(a.xref == "paper" for a in band_notes)
    axis_titles = {fig.layout[f"yaxis{'' if i == 1 else i}"].title.text for i in (1, 2)}
    assert "°" in axis_titles
    labels = [a.text for a in fig.layout.annotations if a.xref != "paper"]
    assert labels == ["a rep counts past this line", "back at the start"]


def test_progress_figure_names_the_range_unit(bird_dog_session: SessionRecord) -> None:
    specs = {"bird_dog": load_spec("bird_dog")}
    fig = plots.progress_figure([bird_dog_session, bird_dog_session], specs)
    assert fig.layout.yaxis.title.text == "degrees"
    assert plots.progress_figure([bird_dog_session]).layout.yaxis.title.text == (
        "degrees or body lengths"
    )
