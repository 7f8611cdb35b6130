"""The live loop: the camera's newest frames through the frame flow (pose -> live phases ->
display), keys between frames, a report per session.

- Never behind the person: capture runs in `LatestFrameGrabber`, which keeps only the newest
  frame, so feedback lags by at most one model call; a clip given with `--source` is released at
  its own frame rate, so a slow machine drops frames exactly as it would with a camera.
- Keys: q/Esc quit, space pause (the model rests; the clock stops), r reset, n next exercise.
- Every session that judged a frame ends in report.json (the offline report's format plus
  `mode: "live"`), also on Ctrl-C and when the camera is lost.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from formcheck import interrupts
from formcheck.app.live.display import LiveDisplay
from formcheck.app.live.phases import LivePhases
from formcheck.app.live.results import (
    PARTIAL_ENDINGS,
    FrameInfo,
    LiveResult,
    SavedReport,
    default_out_dir,
)
from formcheck.app.live.window import WINDOW, Window
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import Exercise
from formcheck.files import save_or_rescue
from formcheck.i18n import _
from formcheck.judging.judge import Judge
from formcheck.judging.session import make_exercise
from formcheck.judging.wrong_exercise import check_position
from formcheck.outputs.audio import Announcer
from formcheck.outputs.html import write_report_html
from formcheck.outputs.report import build_report, write_json
from formcheck.pipeline.capture import LatestFrameGrabber
from formcheck.pipeline.flow import run_flow
from formcheck.pipeline.models import file_sha256
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import Frame, FrameSource, VideoFileSource
from formcheck.pipeline.track import Track

KEY_QUIT = {ord("q"), ord("Q"), 27}
KEY_PAUSE = {ord(" "), ord("p"), ord("P")}
KEY_RESET = {ord("r"), ord("R")}
KEY_NEXT = {ord("n"), ord("N")}


class LiveRun:
    """One live run: several sessions when the user resets or switches exercise."""

    def __init__(
        self,
        source: FrameSource,
        exercise: Exercise,
        estimator: PoseEstimator,
        *,
        display: LiveDisplay,
        announcer: Announcer,
        out_dir: Path | None,
        countdown_s: float,
        max_seconds: float | None,
        fast: bool,
        model_name: str,
        exercise_factory: Callable[[str], Exercise],
        log: Callable[[str], None],
        auto: bool = False,
        strictness: str = "standard",
    ) -> None:
        self.source, self.estimator, self.display, self.announcer = source, estimator, display, announcer
        self.out_dir, self.max_seconds, self.fast = out_dir, max_seconds, fast
        self.model_name, self.exercise_factory, self.log = model_name, exercise_factory, log
        info = source.info
        self.is_file = isinstance(source, VideoFileSource)
        self.is_camera = not self.is_file and info.frame_count is None  # stamped with capture time
        frame_dt = 1.0 / info.fps if info.fps else 1.0 / 30.0
        self.phases = LivePhases(exercise, info.width, info.height, frame_dt, countdown_s, self.is_camera, announcer)
        self.result = LiveResult()
        self.paused = False
        self.ended_by = ""
        self.grabber: LatestFrameGrabber | None = None
        self.auto = auto  # --exercise auto: recognised as it goes (app/live/auto.py)
        self.run_dir = default_out_dir("auto") if auto and out_dir is None else out_dir  # auto: the run's folder
        self.track: Track | None = None  # every frame the flow read (auto: the combined report's timeline)
        path = getattr(source, "path", None)
        # report.json's provenance (build_report): the file's hash makes a re-run of it the same entry
        self.provenance = {
            "source_sha256": file_sha256(Path(path)) if self.is_file and path is not None else None,
            "model_sha256": estimator.model.sha256,
            "strictness": strictness,
            "fps": info.fps,
            "size": (info.width, info.height),
        }
        self._session_start(exercise)

    @property
    def exercise(self) -> Exercise:
        return self.phases.exercise

    # -- sessions ---------------------------------------------------------------------------

    def _session_start(self, exercise: Exercise) -> None:
        self.display.exercise = exercise
        self.display.session_latencies.clear()
        self.session_started = datetime.now()
        self.session_frames_at_start = self.display.frames
        self.session_dropped_at_start = self.grabber.dropped if self.grabber is not None else 0

    def save(self, ended_by: str) -> SavedReport | None:
        """Write the current session's report (if it judged anything)."""
        session = self.phases.session
        if session is None or not session.judge.t:
            return None
        if self.auto and not session.judge.hold_s and not session.judge.reps:
            return None  # a guess never in its position (before the first set, or a passing pose)
        session.judge.finish()
        lat = np.asarray(self.display.session_latencies)
        dropped = self.grabber.dropped if self.grabber is not None else 0
        stats = {
            "frames": self.display.frames - self.session_frames_at_start,
            "judged_frames": len(session.judge.t),
            "dropped_frames": dropped - self.session_dropped_at_start,
            "latency_ms_mean": round(float(lat.mean()), 1) if len(lat) else None,
            "latency_ms_p95": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
            "source_fps": round(self.source.info.fps, 2),
            "mirrored": self.display.mirror,
        }
        ended_early = self.is_file and bool(getattr(self.source, "ended_early", False))
        report = live_report(
            session.judge, self.source, self.model_name, ended_by, ended_early, stats, **self.provenance
        )
        if self.auto:  # one set of the run (app/live/auto.py)
            t = session.judge.t
            index = len(self.result.reports) + 1
            folder = f"{index:02d}-{session.exercise.name}"
            report["set"] = {"set": index, "exercise": session.exercise.name, "folder": folder}
            report["set"].update(start_s=round(t[0], 2), end_s=round(t[-1], 2))
        warning = check_position(report, session.exercise)
        if warning:
            self.log(f"formcheck: warning: {warning}")
        path, note = save_or_rescue(self._report_path(session.exercise.name), lambda p: write_json(p, report))
        if note:
            self.result.notes.append(note)
        with contextlib.suppress(OSError):  # the page beside it is a view of the report (saved above)
            write_report_html(path.with_suffix(".html"), report)
        saved = SavedReport(path, report)
        self.result.reports.append(saved)
        self.log(_("report: {path}").format(path=path))
        self.phases.session = None
        return saved

    def _report_path(self, exercise_name: str) -> Path:
        if self.auto and self.run_dir is not None:  # each set in its own folder of the run's (as analyze auto)
            return self.run_dir / f"{len(self.result.reports) + 1:02d}-{exercise_name}" / "report.json"
        if self.out_dir is None:
            return default_out_dir(exercise_name, self.session_started) / "report.json"
        written = len(self.result.reports)
        return self.out_dir / ("report.json" if written == 0 else f"report-{written + 1}.json")

    def reset(self) -> None:
        self.save("reset")
        self.phases.restart(self.exercise)
        self._session_start(self.exercise)
        self.announcer.say(_("Reset"), "key:reset")

    def next_exercise(self) -> None:
        names = list(EXERCISES)
        self.switch_to(names[(names.index(self.exercise.name) + 1) % len(names)], "next")

    def switch_to(self, name: str, ended_by: str = "recognised") -> None:
        """Save the session and start judging another exercise."""
        self.save(ended_by)
        exercise = self.exercise_factory(name)
        if self.auto:  # the person is already at it: no countdown again
            self.phases.countdown_s = 0.0
            self.log(_("recognised: {title}").format(title=_(exercise.title)))
        self.phases.restart(exercise)
        self._session_start(exercise)
        self.announcer.say(_(exercise.title), f"exercise:{name}")

    # -- keys -------------------------------------------------------------------------------

    def key(self, k: int) -> str | None:
        """Act on a key; returns "quit" to stop."""
        if k in KEY_QUIT:
            return "quit"
        if k in KEY_PAUSE:
            self.paused = not self.paused
            self.announcer.say(_("Paused") if self.paused else _("Resumed"), f"key:pause:{self.paused}")
        elif k in KEY_RESET:
            self.paused = False
            self.reset()
        elif k in KEY_NEXT:
            self.paused = False
            self.next_exercise()
        return None

    def _poll_window(self) -> bool:
        """Read a key and notice the window closing; True to stop."""
        window = self.display.window
        if window is None:
            return False
        k = window.key(1)
        if k >= 0 and self.key(k) == "quit":
            self.ended_by = "quit"
        elif window.closed():
            self.ended_by = "window_closed"
        return bool(self.ended_by)

    # -- the run ----------------------------------------------------------------------------

    def frames(self, grabber: LatestFrameGrabber) -> Iterator[Frame]:
        """The frames the flow judges: the newest one each time; paused frames are shown here and
        not judged. Ends on the end of the source, a lost camera, a quit key or `max_seconds`."""
        start = time.perf_counter()
        poll = 0.03 if self.display.window is not None else 0.5
        while True:
            if interrupts.requested():  # Ctrl-C or SIGTERM, even while no frame comes
                self.ended_by = "interrupted"
                return
            if self.max_seconds is not None and time.perf_counter() - start >= self.max_seconds:
                self.ended_by = "max_seconds"
                return
            grabbed = grabber.get(timeout=poll)
            if grabbed is None:
                if grabber.ended and grabber.finished:
                    self.ended_by = self._end_reason(grabber)
                    return
                if self._poll_window():
                    return
                continue
            if self.paused:
                self.phases.pause(grabbed.frame.timestamp_ms / 1000.0)
                session = self.phases.session
                self.display.paused(grabbed, session.judge.t[-1] if session and session.judge.t else None)
            else:
                self.display.take(grabbed)
                yield grabbed.frame  # the flow runs the model, the phases and the display on it
            if self._poll_window():
                return

    def _judging(self) -> Any:
        if not self.auto:
            return self.phases
        from formcheck.app.live.auto import AutoJudging, ExerciseWatcher

        info = self.source.info
        watcher = ExerciseWatcher(info.fps, info.width, info.height)
        return AutoJudging(lambda: self.phases, lambda: self.exercise.name, self.switch_to, watcher)

    def _end_reason(self, grabber: LatestFrameGrabber) -> str:
        if grabber.error is not None:
            self.result.error = str(grabber.error) or type(grabber.error).__name__
            return "camera_lost" if self.is_camera else "source_error"
        return "camera_lost" if self.is_camera else "end_of_source"

    def run(self) -> LiveResult:
        pace = not self.fast and not self.is_camera  # a camera paces itself
        grabber = self.grabber = LatestFrameGrabber(self.source, pace=pace, drop=not self.fast)
        start = time.perf_counter()
        try:
            grabber.start()
            flow = run_flow(self.source, self.estimator, self._judging(), [self.display], frames=self.frames(grabber))
            self.track = flow.track
            if flow.interrupted:
                self.ended_by = "interrupted"
        finally:
            with interrupts.polled():  # the report is saved whatever ended the run, and only once
                self._finish(grabber, start)
        return self.result

    def _finish(self, grabber: LatestFrameGrabber, start: float) -> None:
        grabber.stop()
        result = self.result
        result.frames = self.display.frames
        result.received, result.dropped = grabber.received, grabber.dropped
        result.wall_s = time.perf_counter() - start
        result.latency_ms = list(self.display.latencies)
        result.screenshot = self.display.screenshot_written
        result.ended_by = self.ended_by or "interrupted"  # an unexpected error still saves
        result.ended_early = self.is_file and bool(getattr(self.source, "ended_early", False))
        self.save(result.ended_by)
        if self.auto:
            self._save_combined()

    def _save_combined(self) -> None:
        """--exercise auto: the run's report.json over its sets and the sets' timeline.png."""
        from formcheck.app.auto import set_figures
        from formcheck.app.live.auto import write_combined

        if self.run_dir is None or self.track is None or not len(self.track):  # the flow broke: the sets stand alone
            return
        sets = [{**saved.report["set"], **set_figures(saved.report)} for saved in self.result.reports]
        partial = self.result.partial or self.result.ended_early
        source = self.source.info.name if getattr(self.source, "path", None) is None else str(self.source.path)
        try:
            path = write_combined(self.run_dir, self.track, sets, self.model_name, partial, source)
        except OSError as exc:
            self.result.notes.append(f"{self.run_dir}: the combined report was not written ({exc.strerror or exc})")
            return
        self.result.combined = path
        self.log(_("report: {path}").format(path=path))


def live_report(
    judge: Judge, source: FrameSource, model_name: str, ended_by: str, ended_early: bool, stats: dict, **extra: Any
) -> dict:
    """A live session's report.json: the offline report's format plus `mode: "live"`, how it
    ended and the live figures (frames, latency). Every live judgement is reported through here:
    `live` sessions and each set of a workout (`extra` says which set)."""
    partial = ended_by in PARTIAL_ENDINGS or ended_early
    path = getattr(source, "path", None)
    name = Path(path).name if path is not None else source.info.name  # a name, not a path (report.json)
    return build_report(judge, name, model_name, partial, mode="live", ended_by=ended_by, live=stats, **extra)


def live_session(
    source: FrameSource,
    exercise: Exercise,
    estimator: PoseEstimator,
    *,
    headless: bool,
    quiet: bool,
    out_dir: str | Path | None,
    mirror: bool,
    countdown_s: float,
    on_frame: Callable[[FrameInfo], None] | None = None,
    max_seconds: float | None = None,
    fast: bool = False,
    model_name: str | None = None,
    exercise_factory: Callable[[str], Exercise] | None = None,
    screenshot: str | Path | None = None,
    screenshot_at: float = 0.0,
    announcer: Announcer | None = None,
    log: Callable[[str], None] | None = None,
    auto: bool = False,
    strictness: str = "standard",
) -> LiveResult:
    """Judge `source` live until it ends, the user quits, Ctrl-C or `max_seconds` (wall clock).

    headless: no window and no keys. fast: hand over every frame without pacing or dropping
    (a clip as fast as the machine goes; for tests). out_dir: where report.json goes (None: a new
    `formcheck-live/<exercise>-<time>/` per session). A report is written for every session that
    judged at least one frame, whatever ended it. The estimator is not closed here.
    """
    log = log or (lambda line: print(line, flush=True))
    window = None if headless else Window(WINDOW, source.info.width, source.info.height)
    own_announcer = announcer is None
    announcer = announcer if announcer is not None else Announcer(enabled=not quiet)
    display = LiveDisplay(
        source.info.width, mirror, window, on_frame, Path(screenshot) if screenshot else None, screenshot_at, log
    )
    run = LiveRun(
        source,
        exercise,
        estimator,
        display=display,
        announcer=announcer,
        out_dir=Path(out_dir) if out_dir is not None else None,
        countdown_s=countdown_s,
        max_seconds=max_seconds,
        fast=fast,
        model_name=model_name or estimator.model.name,
        exercise_factory=exercise_factory or (lambda name: make_exercise(name)),
        log=log,
        auto=auto,
        strictness=strictness,
    )
    try:
        return run.run()
    finally:
        if own_announcer:
            announcer.close()
        if window is not None:
            window.close()
