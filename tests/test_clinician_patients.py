"""Patient list (adherence and flags), symptoms over time and agreement tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from formcheck.clinic import SignOff, SymptomAnswer, SymptomLocation, VerdictLevel
from formcheck.clinician import texts
from formcheck.clinician.agreement import (
    agreement_csv,
    by_exercise,
    by_rule,
    observations,
)
from formcheck.clinician.attention import (
    AttentionSettings,
    adherence,
    by_attention,
    overview,
)
from formcheck.clinician.model import Direction, Flag, SymptomChange
from formcheck.clinician.symptoms import (
    SymptomPoint,
    all_points,
    direction_preference,
    tendencies,
)
from formcheck.prescription import Prescription
from formcheck.record import SessionRecord, SymptomReport
from formcheck.specs import load_spec
from formcheck.store import SessionRef

NOW = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
L = SymptomLocation


def ref(days_ago: float, exercise: str = "bird_dog", n: int = 0) -> SessionRef:
    when = NOW - timedelta(days=days_ago)
    return SessionRef(
        id=f"{n:032x}",
        patient="Ann",
        exercise_id=exercise,
        created_utc=when.isoformat(timespec="seconds"),
        label=f"{when:%Y-%m-%d} · Ann · {exercise}",
    )


def point(
    days_ago: float,
    location: SymptomLocation,
    before: SymptomLocation | None,
    exercise: str = "bird_dog",
    worse: bool = False,
) -> SymptomPoint:
    return SymptomPoint(
        when=NOW - timedelta(days=days_ago),
        exercise_id=exercise,
        session_id=None,
        location=location,
        worse=worse,
        before=before,
    )


def rx(
    exercise: str = "bird_dog", days_ago: float = 60, **values: object
) -> Prescription:
    return Prescription(
        patient="Ann",
        exercise=exercise,
        created_utc=(NOW - timedelta(days=days_ago)).isoformat(timespec="seconds"),
        **values,  # type: ignore[arg-type]
    )


def flags_of(**kwargs: object) -> set[Flag]:
    args: dict[str, object] = {
        "patient": "Ann",
        "name": "Ann",
        "refs": [],
        "records": [],
        "prescriptions": {},
        "points": [],
        "specs": {"bird_dog": load_spec("bird_dog")},
        "now": NOW,
    }
    args.update(kwargs)
    return {f.flag for f in overview(**args).flags}  # type: ignore[arg-type]


# --------------------------------------------------------------- adherence
def test_adherence_counts_sets_against_the_prescription() -> None:
    refs = [ref(d, n=i) for i, d in enumerate([0.5, 1.5, 2.5, 3.5, 10, 20])]
    refs.append(ref(1, exercise="glute_bridge", n=99))
    prescriptions = {"bird_dog": rx(sets=2, days_per_week=7)}
    week = adherence(refs, prescriptions, NOW, 7)
    assert (week.done, week.prescribed, week.other) == (4, 14, 1)
    assert week.text == "4/14 (29 %)"
    month = adherence(refs, prescriptions, NOW, 28)
    assert (month.done, month.prescribed) == (6, 56)


def test_adherence_counts_only_since_the_prescription_and_its_days() -> None:
    refs = [ref(d, n=i) for i, d in enumerate([0.5, 1.5, 2.5])]
    new = {"bird_dog": rx(days_ago=3.5, sets=1, days_per_week=2)}
    week = adherence(refs, new, NOW, 7)
    assert week.prescribed == 1  # 2 days a week over 3.5 days
    assert week.done == 1  # more sets than prescribed count as the prescribed
    assert adherence([], {}, NOW, 7).share is None


# ------------------------------------------------------------------- flags
def test_spreading_symptoms_put_a_patient_first() -> None:
    calm = overview("Bob", "Bob", [ref(0.5)], [], {"bird_dog": rx(sets=1)}, [], {}, NOW)
    spreading = overview(
        "Ann",
        "Ann",
        [ref(0.5)],
        [],
        {"bird_dog": rx(sets=1)},
        [point(0.5, L.BELOW_KNEE, L.THIGH)],
        {},
        NOW,
    )
    assert [f.flag for f in spreading.flags] == [Flag.SPREADING, Flag.LOW_ADHERENCE]
    assert [f.flag for f in calm.flags] == [Flag.LOW_ADHERENCE]  # 1 of 7 sets
    assert "spreading further down the leg after 1 set" in spreading.flags[0].text
    assert [p.name for p in by_attention([calm, spreading])] == ["Ann", "Bob"]


def test_rising_symptoms_are_flagged() -> None:
    rising = [point(20, L.BUTTOCK, None), point(2, L.THIGH, None)]
    assert Flag.PAIN_RISING in flags_of(points=rising, refs=[ref(1)])
    worse = [point(3, L.THIGH, None, worse=True), point(1, L.THIGH, None, worse=True)]
    assert Flag.PAIN_RISING in flags_of(points=worse, refs=[ref(1)])
    better = [point(20, L.THIGH, None), point(2, L.BUTTOCK, None)]
    assert Flag.PAIN_RISING not in flags_of(points=better, refs=[ref(1)])


def test_inactivity_uses_the_configured_number_of_days() -> None:
    refs = [ref(4)]
    assert Flag.INACTIVE in flags_of(refs=refs)
    relaxed = AttentionSettings(inactive_days=7)
    assert Flag.INACTIVE not in flags_of(refs=refs, settings=relaxed)
    never = overview("Ann", "Ann", [], [], {"bird_dog": rx()}, [], {}, NOW)
    assert [n.text for n in never.flags if n.flag is Flag.INACTIVE] == [
        texts.inactive_text(None)
    ]


def test_no_improvement_after_the_configured_weeks() -> None:
    refs = [ref(25, n=1), ref(0.5, n=2)]
    same = [point(24, L.THIGH, None), point(1, L.THIGH, None)]
    assert Flag.NO_IMPROVEMENT in flags_of(refs=refs, points=same)
    assert Flag.NO_IMPROVEMENT not in flags_of(
        refs=refs, points=same, settings=AttentionSettings(no_improvement_weeks=4)
    )
    better = [point(24, L.THIGH, None), point(1, L.LOWER_BACK, None)]
    assert Flag.NO_IMPROVEMENT not in flags_of(refs=refs, points=better)


def test_repeated_back_faults_are_flagged_with_the_cue(
    bird_dog_record: SessionRecord,
) -> None:
    sagging = [
        rep.model_copy(update={"correct": False, "faults": ("back_sagging",)})
        for rep in bird_dog_record.reps
    ]
    when = (NOW - timedelta(days=1)).isoformat(timespec="seconds")
    faulty = bird_dog_record.model_copy(update={"reps": sagging, "created_utc": when})
    records = [faulty, faulty]
    found = overview(
        "Ann",
        "Ann",
        [ref(1)],
        records,
        {},
        [],
        {"bird_dog": load_spec("bird_dog")},
        NOW,
    )
    (note,) = [n for n in found.flags if n.flag is Flag.SAFETY_FAULTS]
    assert note.text.startswith("Bird dog: “Keep your hips level")
    assert note.text.endswith("in 4 of 4 repetitions.")


def test_low_adherence_is_flagged() -> None:
    prescriptions = {"bird_dog": rx(sets=3)}
    assert Flag.LOW_ADHERENCE in flags_of(refs=[ref(0.5)], prescriptions=prescriptions)


# ---------------------------------------------------------------- symptoms
def test_symptom_changes_and_tendencies_per_exercise() -> None:
    points = [
        point(5, L.BUTTOCK, L.THIGH, "mckenzie_press_up"),
        point(4, L.LOWER_BACK, L.BUTTOCK, "mckenzie_press_up"),
        point(3, L.THIGH, L.THIGH, "mckenzie_press_up"),
        point(2, L.BELOW_KNEE, L.THIGH, "knee_to_chest_double"),
        point(1, L.THIGH, None, "knee_to_chest_double"),
    ]
    assert [p.change for p in points] == [
        SymptomChange.CENTRALISED,
        SymptomChange.CENTRALISED,
        SymptomChange.UNCHANGED,
        SymptomChange.PERIPHERALISED,
        SymptomChange.UNKNOWN,
    ]
    press, knees = tendencies(points)
    assert (press.key, press.tendency) == (
        "mckenzie_press_up",
        SymptomChange.CENTRALISED,
    )
    assert press.sentence == "tends to centralise symptoms"
    assert knees.tendency is None  # one known answer is not enough
    assert knees.sentence == "no clear tendency yet"


def test_direction_preference_for_extension() -> None:
    points = [
        point(6, L.BUTTOCK, L.THIGH, "mckenzie_press_up"),
        point(5, L.LOWER_BACK, L.BUTTOCK, "mckenzie_press_up"),
        point(4, L.BELOW_KNEE, L.THIGH, "knee_to_chest_double"),
        point(3, L.THIGH, L.THIGH, "childs_pose"),
    ]
    found = direction_preference(points)
    assert found.preferred is Direction.EXTENSION
    assert found.sentences[0] == texts.preference_text(Direction.EXTENSION)
    assert (
        "Extension exercises centralised symptoms after 2 of 2 sets." in found.sentences
    )
    assert (
        "Flexion exercises centralised symptoms after 0 of 2 sets." in found.sentences
    )


def test_direction_preference_needs_both_directions() -> None:
    points = [point(6, L.BUTTOCK, L.THIGH, "mckenzie_press_up")] * 3
    assert direction_preference(points).sentences == (texts.NO_PREFERENCE_DATA,)


def test_records_and_database_answers_merge_without_doubles(
    bird_dog_record: SessionRecord,
) -> None:
    answered = (NOW - timedelta(days=1)).isoformat(timespec="seconds")
    with_report = bird_dog_record.model_copy(
        update={
            "symptoms": [
                SymptomReport(
                    location=L.BUTTOCK,
                    worse=False,
                    before=L.THIGH,
                    answered_utc=answered,
                )
            ]
        }
    )
    sid_a, sid_b = "a" * 32, "b" * 32
    answers = [
        SymptomAnswer(
            id=i,
            patient="ann",
            session_id=sid,
            set_index=1,
            location=loc,
            worse=False,
            answered_utc=NOW - timedelta(hours=h),
        )
        for i, (sid, loc, h) in enumerate(
            [(sid_a, L.BUTTOCK, 50), (sid_b, L.FOOT, 20), (sid_b, L.THIGH, 19)], 1
        )
    ]
    found = all_points([(sid_a, with_report), (sid_b, bird_dog_record)], answers)
    assert [(p.session_id, p.location, p.change) for p in found] == [
        (sid_a, L.BUTTOCK, SymptomChange.CENTRALISED),  # from the record
        (sid_b, L.FOOT, SymptomChange.UNKNOWN),  # first answer that day
        (sid_b, L.THIGH, SymptomChange.CENTRALISED),  # before: the foot
    ]
    assert {p.exercise_id for p in found} == {"bird_dog"}


# --------------------------------------------------------------- agreement
def sign(
    index: int | None, agree: bool, seen: str | None = None, n: int = 1
) -> SignOff:
    return SignOff(
        id=n,
        session_id="a" * 32,
        level=VerdictLevel.REP if index is not None else VerdictLevel.SESSION,
        index=index,
        agree=agree,
        note="",
        author_name="Dr Thera",
        created_utc=NOW + timedelta(minutes=n),
        seen_fault=seen,
    )


def test_agreement_per_exercise_and_rule(bird_dog_record: SessionRecord) -> None:
    reps = list(bird_dog_record.reps)
    reps[0] = reps[0].model_copy(update={"correct": False, "faults": ("back_sagging",)})
    record = bird_dog_record.model_copy(update={"reps": reps})
    offs = [
        sign(1, agree=True, n=1),  # both see back_sagging on rep 1
        sign(2, agree=True, n=2),  # first: agreed that rep 2 was fine ...
        sign(2, agree=False, seen="leg_too_high", n=3),  # ... then changed mind
        sign(None, agree=True, n=4),  # a whole-session sign-off is no movement
    ]
    found = observations([(record, offs)])
    assert len(found) == 2
    specs = {"bird_dog": load_spec("bird_dog")}
    (exercise,) = by_exercise(found, specs)
    assert (exercise.name, exercise.signed, exercise.agreed) == ("Bird dog", 2, 1)
    rules = {r.rule_id: r for r in by_rule(found, specs)}
    sag, high = rules["back_sagging"], rules["leg_too_high"]
    assert (sag.both, sag.formcheck_only, sag.therapist_only, sag.neither) == (
        1,
        0,
        0,
        1,
    )
    assert sag.share == 1.0 and sag.kappa == pytest.approx(1.0)
    assert (high.both, high.therapist_only, high.neither) == (0, 1, 1)
    assert high.share == 0.5
    csv_text = agreement_csv([exercise], list(rules.values()), specs)
    assert csv_text.splitlines()[1] == "exercise,Bird dog,,2,1,,,,,50.0,"
    assert "rule,Bird dog,leg_too_high,2,1,0,0,1,1,50.0,0.0" in csv_text.splitlines()
