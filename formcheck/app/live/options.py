"""`formcheck live` on the command line: its options, the source and model it opens, and the
summary it prints. A `kill` (SIGTERM) ends the session like Ctrl-C (formcheck.interrupts): the
report is still written."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path

from formcheck import interrupts
from formcheck.app.live.loop import live_session
from formcheck.app.live.results import DEFAULT_OUT, LiveResult
from formcheck.app.live.window import display_problem
from formcheck.errors import EXIT_ERROR, EXIT_INTERRUPTED, FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import Exercise
from formcheck.files import check_file, check_folder
from formcheck.judging.session import make_exercise
from formcheck.outputs.report import format_summary_table
from formcheck.pipeline.models import BUNDLED
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import FrameSource, VideoFileSource

CAMERA_COUNTDOWN_S = 3.0  # time to get down on the mat after the view is right


def _seconds(positive: bool) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, > 0 or >= 0 (argparse prints the one line)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (positive and value == 0):
            raise argparse.ArgumentTypeError(f"expected seconds {'> 0' if positive else '>= 0'}, got {text!r}")
        return value

    return parse


_secs, _secs_gt0 = _seconds(positive=False), _seconds(positive=True)


def add_live_arguments(parser: argparse.ArgumentParser) -> None:
    """The `formcheck live` options (cli.py calls this on its sub-parser)."""
    parser.add_argument(
        "--exercise",
        "-e",
        required=True,
        metavar="NAME",
        help=f"what to judge: {', '.join(EXERCISES)} (n in the window cycles through them), or auto",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--camera", type=int, default=None, metavar="N", help="camera index (default: 0)")
    where.add_argument(
        "--source", metavar="VIDEO", help="play a video file as if it were the camera (at its real speed)"
    )
    parser.add_argument(
        "--model",
        default="full",
        metavar="lite|full|heavy|PATH",
        help=f"pose model: {', '.join(BUNDLED)} or a .task file (default: full)",
    )
    parser.add_argument("--quiet", action="store_true", help="no spoken cues")
    parser.add_argument("--headless", action="store_true", help="no window and no keys (log a session)")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="with --source: judge every frame as fast as possible instead of at real speed",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="folder for report.json (default: formcheck-live/<exercise>-<date-time>/)"
    )
    parser.add_argument("--config", metavar="FILE", help="thresholds TOML file overriding the defaults")
    parser.add_argument("--strictness", metavar="LEVEL", help="beginner, standard or strict")
    parser.add_argument("--variant", default="", metavar="V", help="exercise variant (e.g. knee_taps)")
    parser.add_argument(
        "--countdown",
        type=_secs,
        default=None,
        metavar="S",
        help=f"seconds of 3-2-1 before judging (default: {CAMERA_COUNTDOWN_S:g} for a camera, 0 for --source)",
    )
    parser.add_argument("--max-seconds", type=_secs_gt0, default=None, metavar="S", help="stop after S seconds")
    parser.add_argument("--screenshot", metavar="PNG", help="save the displayed frame to this file once ...")
    parser.add_argument(
        "--screenshot-at", type=_secs, default=2.0, metavar="S", help="... at this time into the source (default: 2)"
    )
    parser.set_defaults(func=run_live)


def _open_source(args: argparse.Namespace) -> tuple[FrameSource, bool]:
    """The frame source and whether it is a camera (mirrored)."""
    from formcheck.pipeline.sources import CameraSource, ImageFolderSource

    if args.source:
        path = Path(args.source)
        return (ImageFolderSource(path) if path.is_dir() else VideoFileSource(path)), False
    return CameraSource(args.camera if args.camera is not None else 0), True


def run_live(args: argparse.Namespace) -> int:
    """`formcheck live`: returns the exit code; user errors raise FormcheckError (one line)."""
    if args.fast and not args.source:
        raise FormcheckError("--fast only applies to --source (a camera cannot be sped up)")
    variant = args.variant or ""
    auto = args.exercise == "auto"  # recognised as it goes: judging starts with a guess, saved only if seen
    if auto:
        for name in EXERCISES:  # a bad config: one line, now
            make_exercise(name, args.config, args.strictness)
    exercise = make_exercise(next(iter(EXERCISES)) if auto else args.exercise, args.config, args.strictness, variant)
    check_folder(Path(args.out) if args.out else DEFAULT_OUT, "--out")  # not after the whole session
    if args.screenshot:
        check_file(Path(args.screenshot), "--screenshot")

    def factory(name: str) -> Exercise:
        return make_exercise(name, args.config, args.strictness, variant if name == args.exercise else "")

    source, is_camera = _open_source(args)  # no camera: one clear line, before anything slow
    if not args.headless:
        problem = display_problem()
        if problem:
            source.close()
            raise FormcheckError(f"cannot open a window: {problem}; run with --headless to judge without one")
    countdown = args.countdown if args.countdown is not None else (CAMERA_COUNTDOWN_S if is_camera else 0.0)
    # The back's outline is read when the exercise judges the back (n may switch to one that
    # does not: it is then unused; to one that does from one that does not: it says nothing).
    outline = auto or exercise.back is not None
    with interrupts.handled(), source, PoseEstimator(args.model, outline=outline) as estimator:
        keys = "" if args.headless else "; keys: q quit, space pause, r reset, n next exercise"
        title = "the exercise recognised as you go" if auto else exercise.title
        what = f"{title} from {source.info.name} ({estimator.model.name} model)"
        print(f"formcheck live: {what}{keys}", flush=True)
        result = live_session(
            source,
            exercise,
            estimator,
            headless=args.headless,
            quiet=args.quiet,
            out_dir=args.out,
            mirror=is_camera,
            countdown_s=countdown,
            max_seconds=args.max_seconds,
            fast=args.fast,
            exercise_factory=factory,
            screenshot=args.screenshot,
            screenshot_at=args.screenshot_at,
            auto=auto,
        )
    _print_summary(result)
    for note in result.notes:  # a report saved elsewhere than asked
        print(f"formcheck: error: {note}", file=sys.stderr)
    if result.ended_by == "interrupted":
        return EXIT_INTERRUPTED
    if result.ended_by in ("camera_lost", "source_error"):
        reason = f": {result.error}" if result.error else ""
        print(
            f"formcheck: the {'camera' if is_camera else 'source'} stopped{reason}; the report holds what was seen",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if result.ended_early:  # as `analyze` does for the same file
        print(
            f"formcheck: error: {args.source} ended early (truncated or corrupt); "
            "the report covers the frames read and is marked partial",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_ERROR if result.notes else 0


def _print_summary(result: LiveResult) -> None:
    mean, p95 = result.latency_stats()
    print(
        f"{result.frames} frames judged at {result.fps:.1f} fps, {result.dropped} dropped, "
        f"latency {mean:.0f} ms mean / {p95:.0f} ms p95 (ended: {result.ended_by})"
    )
    if not result.reports:
        print("nothing was judged: no report written")
    for saved in result.reports:  # each path was printed when it was written
        print(f"\n{format_summary_table(saved.report)}")
