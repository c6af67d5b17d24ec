"""``formcheck analyze`` and ``formcheck demo``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from formcheck.cli._console import (
    EXIT_ERROR,
    EXIT_NOT_ANALYSABLE,
    EXIT_OK,
    EXIT_USAGE,
    console,
    error,
    lit,
    shown,
)
from formcheck.cli.parser import build_parser

if TYPE_CHECKING:
    from formcheck.interrupt import StopRequest
    from formcheck.parallel.pose_stream import PoseStream

_VERDICT_STYLE = {
    "correct": "green",
    "paced": "green",
    "with_fault": "red",
    "not_counted": "dim",
}


def _summary_table(session: object, spec: object) -> Table:
    """One row per repetition: its verdict, range of motion, faults and tips."""
    from formcheck import messages
    from formcheck.record import SessionRecord
    from formcheck.specs.schema import ExerciseSpec
    from formcheck.units import format_value, rep_signal_unit
    from formcheck.verdicts import rep_verdict

    assert isinstance(session, SessionRecord)
    assert spec is None or isinstance(spec, ExerciseSpec)
    unit = rep_signal_unit(spec)
    cues = {f.rule_id: f.cue for f in session.faults}
    table = Table(title=f"{lit(session.exercise.name)}: repetitions", show_lines=False)
    for col in ("#", "side", "start", "end", "result", "range", "faults", "tips"):
        table.add_column(col)
    for r in session.reps:
        verdict = rep_verdict(r)
        style = _VERDICT_STYLE[verdict.value]
        faults = ", ".join(r.cues) if r.counted else r.reason
        tips = ", ".join(cues.get(t, messages.check_name(t)) for t in r.tips)
        rom = (
            ""
            if r.range_of_motion is None
            else (
                format_value(r.range_of_motion, unit)
                if unit
                else f"{r.range_of_motion:g}"
            )
        )
        table.add_row(
            str(r.index) if r.counted else "-",
            lit(r.side or ""),
            f"{r.start_s:.1f}s",
            f"{r.end_s:.1f}s",
            f"[{style}]{messages.verdict_text(verdict)}[/]",
            lit(rom),
            f"[red]{lit(faults)}[/]" if r.faults else lit(faults),
            f"[cyan]{lit(tips)}[/]" if tips else "",
        )
    return table


def _print_faults(session: object) -> None:
    """The reported faults and tips, each marked as which it is."""
    from formcheck import messages
    from formcheck.record import SessionRecord
    from formcheck.verdicts import EventKind, event_kind

    assert isinstance(session, SessionRecord)
    if not session.faults:
        return
    console.print("[bold]Faults and tips:[/]")
    for f in session.faults:
        kind = event_kind(f, session.reps)
        style = "red" if kind is EventKind.FAULT else "cyan"
        rep = f" (rep {f.rep_index})" if f.rep_index else ""
        console.print(
            f"  {f.start_s:6.1f}s-{f.end_s:6.1f}s  [{style}]{messages.event_kind_text(kind)}[/]"
            f"  [yellow]{lit(f.rule_id)}[/]{rep}: {lit(f.cue)}"
        )


def _print_summary(result: object, outputs: dict[str, Path], spec: object) -> None:
    from formcheck.analyze import AnalysisResult

    assert isinstance(result, AnalysisResult)
    s = result.session
    if s.reps:
        console.print(_summary_table(s, spec))
    if s.holds:
        table = Table(title=f"{lit(s.exercise.name)}: holds")
        for col in ("#", "start", "end", "held", "target", "done"):
            table.add_column(col)
        for h in s.holds:
            table.add_row(
                str(h.index),
                f"{h.start_s:.1f}s",
                f"{h.end_s:.1f}s",
                f"{h.held_s:.1f}s",
                f"{h.target_s:.0f}s",
                "[green]yes[/]" if h.completed else "[red]no[/]",
            )
        console.print(table)
    sm = s.summary
    if s.exercise.kind in ("reps", "guided"):
        per_side = "  ".join(
            f"{p.side}: {p.reps} ({p.correct} correct)"
            for p in sm.per_side
            if p.side is not None
        )
        good = "paced" if s.exercise.kind == "guided" else "correct"
        console.print(
            f"[bold]Repetitions:[/] {sm.reps}  {good} {sm.correct}  "
            f"with a fault {sm.incorrect}  (faults {sm.faults}, tips {sm.tips})"
            + (f"   {lit(f'[{per_side}]')}" if per_side else ""),
            soft_wrap=True,
        )
    if s.exercise.kind == "hold" or s.holds:
        console.print(
            f"[bold]Holds:[/] {sm.holds_completed} of {sm.holds} reached the minimum; "
            f"longest {sm.longest_hold_s:.1f}s  (faults {sm.faults}, tips {sm.tips})"
        )
    _print_faults(s)
    for w in s.warnings:
        console.print(f"[yellow]warning:[/] {lit(w)}")
    for kind, path in outputs.items():
        console.print(f"[dim]{kind}:[/] {lit(path)}", soft_wrap=True)


def _analyze_source(
    args: argparse.Namespace,
    spec: object,
    out: Path,
    stem: str,
    jobs: int,
    stop: StopRequest,
    stream: PoseStream | None,
) -> object:
    """Analyse the video (or landmarks) ``args`` name; the annotated video goes to ``out``."""
    from formcheck.analyze import analyze_landmarks, analyze_video
    from formcheck.cli.batch import show_progress
    from formcheck.specs.schema import ExerciseSpec
    from formcheck.types import PoseSequence
    from formcheck.video import probe_video

    assert isinstance(spec, ExerciseSpec)
    if args.landmarks:
        sequence = PoseSequence.load_npz(args.landmarks)
        return analyze_landmarks(sequence, spec, side=args.side, stop=stop)
    video = Path(args.video[0])
    info = probe_video(video)  # fail fast with a clear message
    out_video = None if args.no_video else out / f"{stem}.annotated.mp4"
    from tqdm import tqdm

    bar = tqdm(
        total=max(info.frame_count, 1),
        unit="frame",
        desc=shown(video.name),
        disable=not show_progress(args),
        file=sys.stderr,
    )

    def progress(done: int, total: int) -> None:
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        return analyze_video(
            video,
            spec,
            side=args.side,
            out_video=out_video,
            save_landmarks=args.save_landmarks,
            model_complexity=args.model_complexity,
            progress=progress,
            jobs=jobs,
            stop=stop,
            pose_stream=stream,
        )
    finally:
        bar.close()


@contextlib.contextmanager
def _poses_started(
    args: argparse.Namespace, jobs: int, stop: StopRequest
) -> Iterator[PoseStream | None]:
    """The video's poses, being estimated from now on (``None``: not started).

    It is started before the spec, the engine and the record are loaded, and
    they are loaded only once the model is (see
    :mod:`formcheck.parallel.pose_stream`): a one-process run then costs
    about what the pose model alone does. Landmarks, and a video that will
    be cut into parallel chunks, have no stream. The stream is closed on the
    way out, whatever happens (the analysis closes it first when it runs).
    """
    if args.landmarks:
        yield None
        return
    from formcheck.parallel.pose_stream import start_pose_stream

    stream = start_pose_stream(
        args.video[0],
        jobs=jobs,
        model_complexity=args.model_complexity,
        keep_images=not args.no_video,
    )
    if stream is None:
        yield None
        return
    with stream:
        stream.wait_ready(stop)  # a stop request (Ctrl-C) ends the wait
        yield stream


def _write_outputs(
    args: argparse.Namespace, result: object, out: Path, stem: str
) -> dict[str, Path]:
    """Write the record, its tables and (if asked) the landmarks; name them all."""
    from formcheck.analyze import AnalysisResult
    from formcheck.errors import OutputError
    from formcheck.record import write_session_files

    assert isinstance(result, AnalysisResult)
    outputs: dict[str, Path] = {}
    if result.video_path is not None:
        outputs["annotated video"] = result.video_path
    files = write_session_files(result.session, out, stem)
    outputs["session"] = files.json
    outputs["per-rep CSV"] = files.reps_csv
    if files.holds_csv is not None:
        outputs["holds CSV"] = files.holds_csv
    if args.save_landmarks and result.landmarks is not None:
        lm_path = out / f"{stem}.landmarks.npz"
        try:
            result.landmarks.save_npz(lm_path)
        except OSError as exc:
            raise OutputError(f"{lm_path}: cannot write landmarks ({exc})") from None
        outputs["landmarks"] = lm_path
    return outputs


def _exit_status(result: object, source_name: str, stop: StopRequest) -> int:
    """Report what made a finished analysis less than complete; its exit status.

    An annotated video that could not be written (a full disk) is an error
    (status 1) unless the analysis itself already has a status of its own.
    """
    from formcheck import messages
    from formcheck.analyze import AnalysisResult

    assert isinstance(result, AnalysisResult)
    status = _analysis_status(result, source_name, stop)
    if result.video_problem:
        error(f"{result.video_problem}; {messages.VIDEO_NOT_WRITTEN_SAVED}")
        return status if status != EXIT_OK else EXIT_ERROR
    return status


def _analysis_status(result: object, source_name: str, stop: StopRequest) -> int:
    """Report what made the analysis itself less than complete; its exit status."""
    from formcheck import messages
    from formcheck.analyze import AnalysisResult

    assert isinstance(result, AnalysisResult)
    if result.problems:
        for p in result.problems:
            error(f"{source_name}: {p}; {messages.RESULTS_SAVED}")
        return stop.exit_status if stop.requested else EXIT_NOT_ANALYSABLE
    if result.no_person:
        error(
            f"{source_name}: nobody was found in any frame; check the camera framing (whole body in view)"
        )
        return EXIT_NOT_ANALYSABLE
    if result.several_people:
        src = result.session.source
        share = 100 * src.frames_with_several_people / max(src.frames_with_person, 1)
        error(
            f"{source_name}: more than one person is in view in {share:.0f}% of the frames; "
            "formcheck follows one person, so film only the person exercising (form checks were skipped in those frames)"
        )
        return EXIT_NOT_ANALYSABLE
    return EXIT_OK


def cmd_analyze(args: argparse.Namespace) -> int:
    """``formcheck analyze``: a video (or saved landmarks) to annotated video, record and tables.

    The run holds its output names (:func:`~formcheck.outputs.output_lock`)
    from start to end: a second run wanting the same files is refused at once,
    as are an unknown exercise and an output folder that cannot be written,
    all before the pose model is loaded.
    Ctrl-C or SIGTERM stops it cleanly (:mod:`formcheck.interrupt`): what was
    analysed is saved, marked as ended early, and the exit status is 128 plus
    the signal's number (130, 143).
    """
    if not args.video and not args.landmarks:
        error("analyze needs a VIDEO file (or --landmarks FILE.npz)")
        return EXIT_USAGE
    from formcheck.cli.batch import cmd_batch, wants_batch
    from formcheck.parallel import default_jobs

    jobs = args.jobs or default_jobs()
    if args.video and (wants_batch(args.video) or args.landmarks):
        return cmd_batch(args, jobs)
    from formcheck.errors import StoppedBeforeStart
    from formcheck.interrupt import stop_on_signals
    from formcheck.outputs import check_output_folder, output_lock, output_stem
    from formcheck.spec_files import find_spec_file

    spec_file = find_spec_file(args.exercise)  # an unknown exercise: at once
    out = check_output_folder(args.out)
    source_name = str(args.landmarks or args.video[0])
    stem = output_stem(Path(source_name).stem)
    with (
        stop_on_signals() as stop,
        output_lock(out, stem),
        _poses_started(args, jobs, stop) as stream,
    ):
        from formcheck.specs import load_spec_file  # once the model is loaded

        spec = load_spec_file(spec_file)
        try:
            result = _analyze_source(args, spec, out, stem, jobs, stop, stream)
        except StoppedBeforeStart as exc:
            error(f"{source_name}: {exc}")
            return stop.exit_status
        outputs = _write_outputs(args, result, out, stem)
    _print_summary(result, outputs, spec)
    return _exit_status(result, source_name, stop)


def cmd_demo(args: argparse.Namespace) -> int:
    """``formcheck demo``: analyse a bundled sample clip."""
    from formcheck.specs import load_spec

    spec = load_spec(args.exercise)
    samples = Path(__file__).resolve().parents[2] / "sample_videos"
    view = "front" if spec.camera.view == "front" else "side"
    clip = samples / f"{spec.id}_{view}.mp4"
    if not clip.is_file():
        error(
            f"{clip}: no bundled sample for '{spec.id}' "
            "(sample videos come with a source checkout; see `formcheck samples`)"
        )
        return EXIT_ERROR
    truth = clip.with_name(clip.stem + ".truth.json")
    side: list[str] = []
    if spec.side.mode == "painful" and truth.is_file():
        import json

        side = ["--side", json.loads(truth.read_text())["side"]]
    console.print(f"[bold]formcheck demo:[/] analysing {lit(clip)} as '{lit(spec.id)}'")
    words = ["analyze", str(clip), "--exercise", spec.id, "--out", args.out, *side]
    return cmd_analyze(build_parser("analyze").parse_args(words))
