"""`formcheck workout DAY` on the command line: its options, what it opens, the summary it prints."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from formcheck import interrupts
from formcheck.app.analyze import VIDEO_SUFFIXES
from formcheck.app.live.options import CAMERA_COUNTDOWN_S, _secs
from formcheck.app.live.window import WINDOW, Window, display_problem
from formcheck.app.plans import add_plan_option, load_checked_plan
from formcheck.app.workout.display import WorkoutDisplay
from formcheck.app.workout.records import format_workout
from formcheck.app.workout.runner import SIDES, Feeds, WorkoutRun
from formcheck.app.workout.stopcue import StopSettings
from formcheck.config import load_thresholds
from formcheck.errors import EXIT_ERROR, EXIT_INTERRUPTED, FormcheckError
from formcheck.exercises.base import Exercise
from formcheck.files import check_file, check_folder
from formcheck.judging.session import make_exercise
from formcheck.outputs.audio import Announcer
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.sources import CameraSource, VideoFileSource
from formcheck.plan import Step

DEFAULT_OUT = Path("formcheck-workout")


def add_workout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("day", type=int, metavar="DAY", help="the plan's day to do (1, 2, 3 in the shipped plan)")
    add_plan_option(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--camera", type=int, default=None, metavar="N", help="camera index (default: 0)")
    where.add_argument(
        "--source",
        nargs="+",
        metavar="VIDEO",
        help="clips (or a folder of them) played as the camera, one per set and side in plan order",
    )
    parser.add_argument("--model", default="full", metavar="lite|full|heavy|PATH", help="pose model (default: full)")
    parser.add_argument("--quiet", action="store_true", help="no spoken cues")
    parser.add_argument("--headless", action="store_true", help="no window and no keys")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="with --source: every frame as fast as possible, rests not waited for (cached landmarks reused)",
    )
    parser.add_argument("--out", metavar="DIR", help="folder for the reports (default: formcheck-workout/dayN-<time>/)")
    parser.add_argument("--config", metavar="FILE", help="thresholds TOML file overriding the defaults")
    parser.add_argument("--strictness", metavar="LEVEL", help="beginner, standard or strict")
    parser.add_argument(
        "--countdown",
        type=_secs,
        default=None,
        metavar="S",
        help=f"seconds of 3-2-1 before each set (default: {CAMERA_COUNTDOWN_S:g} for a camera, 0 for --source)",
    )
    parser.add_argument("--screenshot", metavar="PNG", help="save the displayed frame to this file once ...")
    parser.add_argument(
        "--screenshot-at", type=_secs, default=2.0, metavar="S", help="... at this time into a source (default: 2)"
    )
    parser.set_defaults(func=run_workout)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("workout", help="a day of the workout plan, live: sets, rests and a stop when form fails")
    add_workout_arguments(p)


def expand_clips(paths: list[str]) -> list[Path]:
    clips: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
            if not found:
                raise FormcheckError(f"{path}: no video clips in this folder")
            clips.extend(found)
        elif not path.is_file():
            raise FormcheckError(f"{path}: no such video file")
        else:
            clips.append(path)
    return clips


def run_workout(args: argparse.Namespace) -> int:
    if args.fast and not args.source:
        raise FormcheckError("--fast only applies to --source (a camera cannot be sped up)")
    plan = load_checked_plan(args.plan)
    day = plan.day(args.day)
    exercises: dict[tuple[str, str], Exercise] = {}

    def make(step: Step) -> Exercise:  # each exercise once, its config checked before anything starts
        key = (step.exercise, step.variant)
        if key not in exercises:
            exercises[key] = make_exercise(step.exercise, args.config, args.strictness, step.variant)
        return exercises[key]

    for step in day.steps:
        make(step)
    model_name = resolve_model(args.model).name  # a bad model: one line, now
    stop = StopSettings.from_thresholds(load_thresholds("workout", args.config, args.strictness))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = Path(args.out) if args.out else DEFAULT_OUT / f"day{day.number}-{stamp}"
    check_folder(out_dir, "--out")
    if args.screenshot:
        check_file(Path(args.screenshot), "--screenshot")
    clips = expand_clips(args.source) if args.source else []
    segments = sum(s.sets * (len(SIDES) if s.per_side else 1) for s in day.steps)
    if clips and len(clips) < segments:
        print(f"formcheck workout: {len(clips)} clips for {segments} sets and sides: it ends when they run out")
    if not args.headless:
        problem = display_problem()
        if problem:
            raise FormcheckError(f"cannot open a window: {problem}; run with --headless to work out without one")
    camera = None if clips else CameraSource(args.camera if args.camera is not None else 0)
    countdown = args.countdown if args.countdown is not None else (0.0 if clips else CAMERA_COUNTDOWN_S)
    outline = any(e.back is not None for e in exercises.values())
    feeds = Feeds(camera, clips, args.model, args.fast, outline)
    first = clips[0] if clips else None
    width, height = (1280, 720) if camera is None else (camera.info.width, camera.info.height)
    if first is not None:
        with VideoFileSource(first) as probe:
            width, height = probe.info.width, probe.info.height
    window = None if args.headless else Window(WINDOW, width, height)
    announcer = Announcer(enabled=not args.quiet)
    display = WorkoutDisplay(
        width,
        camera is not None,
        window,
        None,
        Path(args.screenshot) if args.screenshot else None,
        args.screenshot_at,
        lambda line: print(line, flush=True),
    )
    print(f"formcheck workout: {plan.name}, day {day.number}: {day.title} ({len(day.steps)} steps)", flush=True)
    with interrupts.handled():
        try:
            run = WorkoutRun(
                plan,
                day,
                feeds,
                display=display,
                announcer=announcer,
                out_dir=out_dir,
                make=make,
                stop=stop,
                countdown_s=countdown,
                fast=args.fast,
                model_name=model_name,
                log=lambda line: print(line, flush=True),
            )
            report = run.run()
        finally:
            announcer.close()
            if window is not None:
                window.close()
            if camera is not None:
                camera.close()
    print(f"\n{format_workout(report)}")
    print(f"workout report: {run.report_path}")
    if report.get("ended_by") == "interrupted":
        return EXIT_INTERRUPTED
    if report.get("ended_by") == "camera_lost":
        print("formcheck: error: the camera stopped; the reports hold what was done", file=sys.stderr)
        return EXIT_ERROR
    return 0
