"""`formcheck live`: judge an exercise from a webcam (or a clip played as if live), with a window,
spoken cues and a report at the end.

The loop, once per frame:

    grabber (own thread, newest frame only) -> pose model -> StreamingSession -> overlay -> window
                                                              `-> events -> Announcer (speech)

- Never behind the person: capture runs in `LatestFrameGrabber`, which keeps only the newest
  frame, so feedback lags by at most one model call; a clip given with `--source` is released at
  its own frame rate, so a slow machine drops frames exactly as it would with a camera.
- Phases: "get into position" (the judge's view/visibility cues say how to place the camera),
  then a 3-2-1 countdown, then judging. A clip is judged from its first frame (countdown 0).
- Keys: q/Esc quit, space pause, r reset, n next exercise. Every session ends in report.json
  (the offline report's format plus `mode: "live"`), also on Ctrl-C and when the camera is lost.
- `live_session` is the testable core: it takes a source, an exercise and an estimator and runs
  headless or with a window; `run_live` builds those from the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from formcheck import __version__
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import JUDGEABLE, REASONS, WRONG_VIEW, WRONG_VIEW_CUES, Exercise
from formcheck.files import temp_path_beside
from formcheck.judging.judge import Event, FrameState
from formcheck.judging.session import StreamingSession, make_exercise
from formcheck.judging.summary import summarize
from formcheck.outputs.audio import Announcer
from formcheck.outputs.overlay import ascii_text, draw_overlay, mirror_xy
from formcheck.outputs.report import format_summary_table, write_json
from formcheck.pipeline.capture import GrabbedFrame, LatestFrameGrabber
from formcheck.pipeline.models import BUNDLED
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import FrameSource, VideoFileSource

WINDOW = "formcheck"
EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
DEFAULT_OUT = Path("formcheck-live")
CAMERA_COUNTDOWN_S = 3.0  # time to get down on the mat after the view is right
POSITION_READY_S = 1.0  # the view must be right this long before the countdown starts ...
POSITION_MIN_S = 2.0  # ... and the "get into position" message stays up at least this long
POSITION_MAX_S = 15.0  # after this the countdown starts anyway (the judge keeps cueing)
HOLD_ANNOUNCE_S = 10.0  # say "10 seconds", "20 seconds", ... of good-form hold
FPS_WINDOW_S = 1.0  # the fps shown is measured over the last second
LATENCY_SAMPLES = 20_000  # latency figures kept for the summary (a bounded window, not all)
PAUSED_CUE = "Paused - press space to go on"
PHASE_BANNER_TOP = 0.22  # below the counters panel, above the countdown digit
MAX_WINDOW = (1280, 800)  # larger frames are shown in a window scaled down to fit
KEY_QUIT = {ord("q"), ord("Q"), 27}
KEY_PAUSE = {ord(" "), ord("p"), ord("P")}
KEY_RESET = {ord("r"), ord("R")}
KEY_NEXT = {ord("n"), ord("N")}

# Big-text colours (BGR)
WHITE = (255, 255, 255)
DARK = (20, 20, 20)
AMBER = (0, 165, 250)


# -- results ----------------------------------------------------------------------------------


@dataclass
class SavedReport:
    path: Path
    report: dict


@dataclass
class FrameInfo:
    """What `on_frame` receives for every frame the loop handled."""

    grabbed: GrabbedFrame
    phase: str  # "position", "countdown", "judging" or "paused"
    state: FrameState | None  # the judge's state (None while paused)
    image: np.ndarray  # the image as displayed (mirrored for a camera), overlay drawn
    latency_ms: float  # from the grabber receiving the frame to the overlay being ready
    wait_ms: float  # ... of which the frame waited for the loop (the previous frame's model call)
    session_t: float | None  # the judge's clock (None before judging starts)


@dataclass
class LiveResult:
    reports: list[SavedReport] = field(default_factory=list)
    # quit, window_closed, end_of_source, camera_lost, source_error, interrupted or max_seconds
    ended_by: str = ""
    frames: int = 0  # frames run through the pose model
    judged_frames: int = 0  # ... of which fed to a judge
    received: int = 0  # frames the grabber delivered
    dropped: int = 0  # frames dropped because a newer one was already there
    wall_s: float = 0.0
    latency_ms: list[float] = field(default_factory=list)
    screenshot: Path | None = None
    error: str | None = None

    @property
    def partial(self) -> bool:
        return self.ended_by in ("interrupted", "camera_lost", "source_error")

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def report(self) -> dict | None:
        return self.reports[-1].report if self.reports else None

    @property
    def report_path(self) -> Path | None:
        return self.reports[-1].path if self.reports else None

    def latency_stats(self) -> tuple[float, float]:
        """Mean and 95th percentile frame-to-feedback latency in ms."""
        if not self.latency_ms:
            return math.nan, math.nan
        arr = np.asarray(self.latency_ms)
        return float(arr.mean()), float(np.percentile(arr, 95))


# -- what to say --------------------------------------------------------------------------------


def spoken_cues(
    events: list[Event],
    state: FrameState,
    last_hold_step: int,
    *,
    hold: bool = True,
    hold_step_s: float = HOLD_ANNOUNCE_S,
) -> tuple[list[tuple[str, str]], int]:
    """(text, throttle key) to say for this frame's new events, least important first (the
    announcer keeps only the newest pending message), and the hold step reached so far.

    A fault starting says its cue, a fault corrected its praise, a rep its number, a hold
    exercise every `hold_step_s` of good-form time ("20 seconds"), a lost view what to fix."""
    praise: list[tuple[str, str]] = []
    counts: list[tuple[str, str]] = []
    setup: list[tuple[str, str]] = []
    faults: list[tuple[str, str]] = []
    for ev in events:
        if ev.kind == "fault_started" and ev.cue:
            faults.append((ev.cue, f"fault:{ev.name}"))
        elif ev.kind == "fault_ended" and ev.cue and not ev.detail.get("at_end"):
            praise.append((ev.cue, f"praise:{ev.name}"))
        elif ev.kind == "rep_completed":
            number = ev.detail.get("rep", state.reps)
            counts.append((str(number), f"rep:{number}"))
        elif ev.kind == "unjudged_started" and ev.cue:
            setup.append((ev.cue, f"setup:{ev.name}"))
    step = int(max(state.good_hold_s, 0.0) // hold_step_s) if hold and hold_step_s > 0 else 0
    if step > last_hold_step and step > 0:
        counts.append((f"{int(step * hold_step_s)} seconds", f"hold:{step}"))
    last_hold_step = max(last_hold_step, step)
    return praise + counts + setup + faults, last_hold_step


def settled(session: StreamingSession, state: FrameState, signals, pose):  # type: ignore[no-untyped-def]
    """A new judge starts "not judged", and until its first `unjudged_started` event its cue is
    "Step into the frame" whatever the frame shows. Until then, cue this frame's own reason, and
    nothing while the judge settles on a judgeable frame (a wrong cue is worse than none)."""
    if not state.judged and not any(e.kind == "unjudged_started" for e in session.judge.events):
        if state.reason == JUDGEABLE:
            cue = ""
        elif state.reason == WRONG_VIEW:
            cue = WRONG_VIEW_CUES[session.exercise.view]
        else:
            cue = REASONS.get(state.reason, ("", state.cue))[1]
        if cue != state.cue:
            state = dataclasses.replace(state, cue=cue)
    return state, signals, pose


# -- drawing what the overlay does not: phases, countdown, pause ------------------------------


def _unit(image: np.ndarray) -> float:
    return max(min(image.shape[:2]) / 720.0, 0.3)


def draw_big_text(image: np.ndarray, text: str, *, scale: float = 6.0, colour=WHITE, centre_y: float = 0.5) -> None:
    """Text centred on the frame on a dark disc (readable on any background), shrunk to fit."""
    text = ascii_text(text)
    h, w = image.shape[:2]
    u = _unit(image)
    scale *= u
    thickness = max(2, round(scale * 2.2))
    font = cv2.FONT_HERSHEY_DUPLEX
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    if tw > 0.9 * w:
        f = 0.9 * w / tw
        scale *= f
        thickness = max(2, round(thickness * f))
        (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    org = ((w - tw) // 2, int(h * centre_y + th / 2))
    radius = int(0.5 * math.hypot(tw, th) + 0.25 * th)
    cx, cy = w // 2, int(h * centre_y)
    x0, y0 = max(0, cx - radius), max(0, cy - radius)
    x1, y1 = min(w, cx + radius + 1), min(h, cy + radius + 1)
    if x1 > x0 and y1 > y0:
        roi = image[y0:y1, x0:x1]
        disc = roi.copy()
        cv2.circle(disc, (cx - x0, cy - y0), radius, DARK, -1, cv2.LINE_AA)
        cv2.addWeighted(roi, 0.4, disc, 0.6, 0.0, dst=roi)
    cv2.putText(image, text, org, font, scale, colour, thickness, cv2.LINE_AA)


def draw_banner(image: np.ndarray, text: str, colour=AMBER, ink=DARK, top: float = 0.0) -> None:
    """A full-width band of text across the frame (PAUSED, GET INTO POSITION)."""
    text = ascii_text(text)
    h, w = image.shape[:2]
    u = _unit(image)
    scale = 1.1 * u
    thickness = max(1, round(2 * u))
    font = cv2.FONT_HERSHEY_DUPLEX
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    if tw > 0.94 * w:
        scale *= 0.94 * w / tw
        (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    pad = max(4, int(0.5 * th))
    y0 = int(top * h)
    y1 = min(h, y0 + th + base + 2 * pad)
    roi = image[y0:y1]
    band = np.empty_like(roi)
    band[:] = colour
    cv2.addWeighted(roi, 0.2, band, 0.8, 0.0, dst=roi)
    cv2.putText(image, text, ((w - tw) // 2, y0 + pad + th), font, scale, ink, thickness, cv2.LINE_AA)


def draw_help(image: np.ndarray) -> None:
    """One dim line naming the keys, at the top right."""
    text = "q quit  space pause  r reset  n next"
    u = _unit(image)
    scale = max(0.35, 0.5 * u)
    thickness = 1
    font = cv2.FONT_HERSHEY_SIMPLEX
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    w = image.shape[1]
    margin = max(4, round(10 * u))
    pad = max(2, round(4 * u))
    org = (w - tw - margin, th + margin)
    x0, y0 = max(0, org[0] - pad), max(0, org[1] - th - pad)
    roi = image[y0 : org[1] + base + pad, x0 : min(w, org[0] + tw + pad)]
    cv2.convertScaleAbs(roi, dst=roi, alpha=0.4)  # darken behind the text
    cv2.putText(image, text, org, font, scale, (225, 225, 225), thickness, cv2.LINE_AA)


# -- the window ---------------------------------------------------------------------------------


def display_problem() -> str | None:
    """Why a window cannot be opened here, or None. OpenCV's Qt backend aborts the whole process
    when it cannot reach a display, so on Linux this is tried in a throwaway subprocess first."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "vnc", "eglfs", "linuxfb")):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return "no display (DISPLAY is not set)"
    probe = f"import cv2; cv2.namedWindow({WINDOW + '-probe'!r}); cv2.waitKey(1); cv2.destroyAllWindows()"
    try:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=20.0)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the window test failed ({exc})"
    if done.returncode != 0:
        where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        said = [line.strip() for line in done.stderr.decode(errors="replace").splitlines() if line.strip()]
        return f"display {where} cannot be reached" + (f" ({said[0]})" if said else "")
    return None


class Window:
    """The OpenCV window: show a frame, read a key, notice the user closing it."""

    def __init__(self, name: str, width: int, height: int) -> None:
        self.name = name
        try:
            cv2.namedWindow(name, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise FormcheckError(f"cannot open a window ({exc.err}); run with --headless") from None
        f = min(1.0, MAX_WINDOW[0] / width, MAX_WINDOW[1] / height)
        cv2.resizeWindow(name, max(1, int(width * f)), max(1, int(height * f)))
        self.shown = False

    def show(self, image: np.ndarray) -> None:
        cv2.imshow(self.name, image)
        self.shown = True

    def key(self, wait_ms: int = 1) -> int:
        k = cv2.waitKey(wait_ms)
        return -1 if k < 0 else k & 0xFF

    def closed(self) -> bool:
        if not self.shown:
            return False
        try:
            return cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:
            return True

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.name)
            cv2.waitKey(1)
        except cv2.error:
            pass


# -- the loop -----------------------------------------------------------------------------------


def default_out_dir(exercise: str, started: datetime | None = None, base: Path = DEFAULT_OUT) -> Path:
    """formcheck-live/<exercise>-<start time>/ (a suffix if that exists already)."""
    stamp = (started or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = base / f"{exercise}-{stamp}"
    k = 2
    while path.exists():
        path = base / f"{exercise}-{stamp}-{k}"
        k += 1
    return path


def build_live_report(
    session: StreamingSession, *, model: str, source: str, partial: bool, ended_by: str, stats: dict
) -> dict:
    """The offline report's keys (see formcheck.app.analyze.build_report) plus the live ones."""
    judge = session.judge
    judge.finish()
    summary = summarize(judge)
    return {
        "exercise": summary.pop("exercise"),
        "variant": summary.pop("variant"),
        "source": source,
        **summary,
        "partial": partial,
        "model": model,
        "thresholds": session.exercise.t,
        "formcheck_version": __version__,
        "mode": "live",
        "ended_by": ended_by,
        "live": stats,
    }


class _Loop:
    """The state of one live run (several sessions when the user resets or switches exercise)."""

    def __init__(
        self,
        source: FrameSource,
        exercise: Exercise,
        estimator: PoseEstimator,
        *,
        headless: bool,
        quiet: bool,
        out_dir: Path | None,
        mirror: bool,
        countdown_s: float,
        on_frame: Callable[[FrameInfo], None] | None,
        max_seconds: float | None,
        fast: bool,
        model_name: str | None,
        exercise_factory: Callable[[str], Exercise] | None,
        screenshot: Path | None,
        screenshot_at: float,
        announcer: Announcer | None,
        window: Window | None,
        log: Callable[[str], None],
    ) -> None:
        self.source, self.exercise, self.estimator = source, exercise, estimator
        self.headless, self.mirror, self.countdown_s = headless, mirror, max(0.0, countdown_s)
        self.on_frame, self.max_seconds, self.fast = on_frame, max_seconds, fast
        self.out_dir = out_dir
        self.model_name = model_name or estimator.model.name
        self.exercise_factory = exercise_factory or (lambda name: make_exercise(name))
        self.screenshot, self.screenshot_at = screenshot, screenshot_at
        self.announcer = announcer if announcer is not None else Announcer(enabled=not quiet)
        self.own_announcer = announcer is None
        self.window = window
        self.log = log
        self.info = source.info
        self.is_file = isinstance(source, VideoFileSource)
        # A camera has no frame count; its frames are stamped with capture time.
        self.is_camera = not self.is_file and self.info.frame_count is None
        self.frame_dt = 1.0 / self.info.fps if self.info.fps else 1.0 / 30.0
        self.result = LiveResult()
        self.paused = False
        self.fps_times: deque[float] = deque(maxlen=240)
        self.latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.reports_written = 0
        self.grabber: LatestFrameGrabber | None = None
        self._new_session(first=True)

    # -- sessions -------------------------------------------------------------------------

    def _new_session(self, first: bool = False) -> None:
        w, h = self.info.width, self.info.height
        self.session: StreamingSession | None = None
        self.preview = StreamingSession(self.exercise, w, h)  # cues before judging starts
        # A countdown of 0 passes straight on to judging on the first frame.
        self.phase = "position" if (first and self.countdown_s > 0) else "countdown"
        self.phase_start: float | None = None  # source time (s) the phase began
        self.ready_since: float | None = None
        self.offset_s: float | None = None  # judge clock = source time - offset
        self.resume_pending = False
        self.paused_at = 0.0
        self.n_events = 0
        self.last_state: FrameState | None = None
        self.hold_step = 0
        self.last_count = -1
        self.last_setup_cue = ""
        self.session_latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.session_started = datetime.now()
        self.session_dropped_at_start = self.grabber_dropped()
        self.session_frames_at_start = self.result.frames

    def grabber_dropped(self) -> int:
        return self.grabber.dropped if self.grabber is not None else 0

    def _start_judging(self, t_src: float) -> None:
        self.phase = "judging"
        self.session = StreamingSession(self.exercise, self.info.width, self.info.height)
        # A clip keeps its own clock (report times match the video); a camera starts at zero.
        self.offset_s = t_src if self.is_camera else 0.0
        self.n_events = 0
        if self.countdown_s > 0:
            self.announcer.say("Go", f"countdown:go:{id(self.session)}")

    def save(self, ended_by: str) -> SavedReport | None:
        """Write the current session's report (if it judged anything)."""
        session = self.session
        if session is None or not session.judge.t:
            return None
        frames = self.result.frames - self.session_frames_at_start
        lat = np.asarray(self.session_latencies)
        stats = {
            "frames": frames,
            "judged_frames": len(session.judge.t),
            "dropped_frames": self.grabber_dropped() - self.session_dropped_at_start,
            "latency_ms_mean": round(float(lat.mean()), 1) if len(lat) else None,
            "latency_ms_p95": round(float(np.percentile(lat, 95)), 1) if len(lat) else None,
            "source_fps": round(self.info.fps, 2),
            "mirrored": self.mirror,
        }
        report = build_live_report(
            session,
            model=self.model_name,
            source=self._source_name(),
            partial=ended_by in ("interrupted", "camera_lost", "source_error"),
            ended_by=ended_by,
            stats=stats,
        )
        if self.is_file and getattr(self.source, "ended_early", False):
            report["partial"] = True
        path = self._report_path(session.exercise.name)
        write_json(path, report)
        saved = SavedReport(path, report)
        self.result.reports.append(saved)
        self.reports_written += 1
        self.log(f"report: {path}")
        self.session = None
        return saved

    def _source_name(self) -> str:
        path = getattr(self.source, "path", None)
        return str(path) if path is not None else self.info.name

    def _report_path(self, exercise_name: str) -> Path:
        if self.out_dir is None:
            return default_out_dir(exercise_name, self.session_started) / "report.json"
        if self.reports_written == 0:
            return self.out_dir / "report.json"
        return self.out_dir / f"report-{self.reports_written + 1}.json"

    def reset(self) -> None:
        self.save("reset")
        self._new_session()
        self.announcer.say("Reset", "key:reset")

    def next_exercise(self) -> None:
        self.save("next")
        names = list(EXERCISES)
        following = names[(names.index(self.exercise.name) + 1) % len(names)]
        self.exercise = self.exercise_factory(following)
        self._new_session()
        self.announcer.say(self.exercise.title, f"exercise:{following}")

    # -- one frame ------------------------------------------------------------------------

    def handle(self, grabbed: GrabbedFrame) -> FrameInfo:
        wait_ms = (time.perf_counter() - grabbed.received_at) * 1000.0
        frame = grabbed.frame
        t_src = frame.timestamp_ms / 1000.0
        image = cv2.flip(frame.image, 1) if self.mirror else frame.image
        if self.paused:  # the counters stay up, frozen; the cue band says how to go on
            state = None
            if self.last_state is not None:
                frozen = dataclasses.replace(self.last_state, judged=False, faults=(), cue=PAUSED_CUE)
                draw_overlay(image, None, None, True, frozen, {}, self.exercise)
            draw_big_text(image, "PAUSED", scale=2.0, centre_y=0.45)
            if not self.resume_pending:
                self.resume_pending, self.paused_at = True, t_src
            info_phase = "paused"
        else:
            pose = self.estimator.detect(frame.image, round(frame.timestamp_ms))
            self.result.frames += 1
            landmarks = pose.landmarks if pose is not None else None
            state, signals, pf = self._judge(t_src, landmarks)
            self.last_state = state
            xy = pf.xy[0]
            has_pose = landmarks is not None and not math.isnan(float(xy[0, 0]))
            if has_pose and self.mirror:
                xy = mirror_xy(xy, self.info.width)
            features = {k: float(v[0]) for k, v in signals.features.items()}
            draw_overlay(
                image,
                xy if has_pose else None,
                pf.visibility[0] if has_pose else None,
                bool(signals.near_left[0]),
                state,
                features,
                self.exercise,
                fps=self._fps(),
            )
            self._draw_phase(image, t_src)
            info_phase = self.phase
        if not self.headless:
            draw_help(image)
        latency = (time.perf_counter() - grabbed.received_at) * 1000.0
        self.latencies.append(latency)
        self.session_latencies.append(latency)
        self.fps_times.append(time.perf_counter())
        session_t = None
        if self.session is not None and self.session.judge.t:
            session_t = self.session.judge.t[-1]
        return FrameInfo(grabbed, info_phase, state, image, latency, wait_ms, session_t)

    def _judge(self, t_src: float, landmarks: np.ndarray | None):  # type: ignore[no-untyped-def]
        """Step the preview judge (before judging) or the session's judge; move between phases."""
        if self.phase_start is None:
            self.phase_start = t_src
        if self.resume_pending and self.phase != "judging":  # the pause does not eat the countdown
            self.resume_pending = False
            self.phase_start += t_src - self.paused_at
            self.ready_since = None
        if self.phase == "position":
            state, signals, pf = settled(self.preview, *self.preview.update(t_src, landmarks))
            self._say_new(self.preview, state)
            if state.judged:
                self.ready_since = t_src if self.ready_since is None else self.ready_since
            else:
                self.ready_since = None
            elapsed = t_src - self.phase_start
            ready = self.ready_since is not None and t_src - self.ready_since >= POSITION_READY_S
            if (ready and elapsed >= POSITION_MIN_S) or elapsed >= POSITION_MAX_S:
                self.phase, self.phase_start = "countdown", t_src
            return state, signals, pf
        if self.phase == "countdown":
            state, signals, pf = settled(self.preview, *self.preview.update(t_src, landmarks))
            remaining = self.countdown_s - (t_src - self.phase_start)
            if remaining > 0:
                count = math.ceil(remaining)
                if count != self.last_count:
                    self.last_count = count
                    self.announcer.say(str(count), f"countdown:{count}:{id(self.preview)}")
                return state, signals, pf
            self._start_judging(t_src)
        assert self.session is not None and self.offset_s is not None
        if self.resume_pending:  # continue the judge's clock where it stopped, one frame on
            self.resume_pending = False
            last = self.session.judge.t[-1] if self.session.judge.t else t_src - self.offset_s
            self.offset_s = t_src - (last + self.frame_dt)
            self.session.filter.reset()
        t = t_src - self.offset_s
        state, signals, pf = settled(self.session, *self.session.update(t, landmarks))
        self.result.judged_frames += 1
        self._say_new(self.session, state)
        return state, signals, pf

    def _say_new(self, session: StreamingSession, state: FrameState) -> None:
        events = session.judge.events
        new = events[self.n_events :] if session is self.session else []
        if session is self.session:
            self.n_events = len(events)
            cues, self.hold_step = spoken_cues(new, state, self.hold_step, hold=self.exercise.kind == "hold")
        else:  # before judging: the setup cue from the preview judge, each time it changes
            cue = state.cue if not state.judged else ""
            cues = [(cue, f"setup:{cue}")] if cue and cue != self.last_setup_cue else []
            self.last_setup_cue = cue
        for text, key in cues:
            self.announcer.say(text, key)

    def _draw_phase(self, image: np.ndarray, t_src: float) -> None:
        if self.phase == "position":
            draw_banner(image, f"{self.exercise.title}: get into position", top=PHASE_BANNER_TOP)
        elif self.phase == "countdown" and self.phase_start is not None:
            remaining = self.countdown_s - (t_src - self.phase_start)
            draw_banner(image, f"{self.exercise.title}: starting in", top=PHASE_BANNER_TOP)
            draw_big_text(image, str(max(1, math.ceil(remaining))), centre_y=0.55)

    def _fps(self) -> float | None:
        times = self.fps_times
        if len(times) < 2:
            return None
        now = times[-1]
        k = len(times) - 1
        while k > 0 and now - times[k - 1] <= FPS_WINDOW_S:
            k -= 1
        n = len(times) - 1 - k
        return n / (now - times[k]) if n > 0 and now > times[k] else None

    # -- keys -----------------------------------------------------------------------------

    def key(self, k: int) -> str | None:
        """Act on a key; returns "quit" to stop."""
        if k in KEY_QUIT:
            return "quit"
        if k in KEY_PAUSE:
            self.paused = not self.paused
            self.announcer.say("Paused" if self.paused else "Resumed", f"key:pause:{self.paused}")
        elif k in KEY_RESET:
            self.paused = False
            self.reset()
        elif k in KEY_NEXT:
            self.paused = False
            self.next_exercise()
        return None

    # -- the run --------------------------------------------------------------------------

    def run(self) -> LiveResult:
        pace = not self.fast and not self.is_camera  # a camera paces itself
        grabber = self.grabber = LatestFrameGrabber(self.source, pace=pace, drop=not self.fast)
        start = time.perf_counter()
        ended_by = ""
        shot_pending = self.screenshot is not None
        try:
            grabber.start()
            while not ended_by:
                if self.max_seconds is not None and time.perf_counter() - start >= self.max_seconds:
                    ended_by = "max_seconds"
                    break
                grabbed = grabber.get(timeout=0.03 if self.window else 0.5)
                if grabbed is None:
                    if grabber.ended and grabber.finished:
                        ended_by = self._end_reason(grabber)
                        break
                    if self.window is not None:
                        ended_by = self._poll_window() or ""
                    continue
                frame_info = self.handle(grabbed)
                if shot_pending and grabbed.frame.timestamp_ms / 1000.0 >= self.screenshot_at:
                    shot_pending = False
                    self._write_screenshot(frame_info.image, grabbed)
                if self.window is not None:
                    self.window.show(frame_info.image)
                if self.on_frame is not None:
                    self.on_frame(frame_info)
                if self.window is not None:
                    ended_by = self._poll_window() or ""
        except KeyboardInterrupt:
            ended_by = "interrupted"
        finally:
            grabber.stop()
            self.result.received = grabber.received
            self.result.dropped = grabber.dropped
            self.result.wall_s = time.perf_counter() - start
            self.result.latency_ms = list(self.latencies)
            self.result.ended_by = ended_by or "interrupted"  # an unexpected error still saves
            self.save(self.result.ended_by)
            if self.own_announcer:
                self.announcer.close()
        return self.result

    def _end_reason(self, grabber: LatestFrameGrabber) -> str:
        if grabber.error is not None:
            self.result.error = str(grabber.error) or type(grabber.error).__name__
            return "camera_lost" if self.is_camera else "source_error"
        return "camera_lost" if self.is_camera else "end_of_source"

    def _poll_window(self) -> str | None:
        assert self.window is not None
        k = self.window.key(1)
        if k >= 0 and self.key(k) == "quit":
            return "quit"
        if self.window.closed():
            return "window_closed"
        return None

    def _write_screenshot(self, image: np.ndarray, grabbed: GrabbedFrame) -> None:
        assert self.screenshot is not None
        path = self.screenshot
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_beside(path, path.suffix or ".png")
        if cv2.imwrite(str(tmp), image):
            os.replace(tmp, path)
            self.result.screenshot = path
            frame = grabbed.frame
            self.log(f"screenshot: {path} (frame {frame.index}, {frame.timestamp_ms / 1000.0:.3f} s)")


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
) -> LiveResult:
    """Judge `source` live until it ends, the user quits, Ctrl-C or `max_seconds` (wall clock).

    headless: no window and no keys. fast: hand over every frame without pacing or dropping
    (a clip as fast as the machine goes; for tests). out_dir: where report.json goes (None: a new
    `formcheck-live/<exercise>-<time>/` per session). A report is written for every session that
    judged at least one frame, whatever ended it. The estimator is not closed here.
    """
    window = None
    if not headless:
        window = Window(WINDOW, source.info.width, source.info.height)
    loop = _Loop(
        source,
        exercise,
        estimator,
        headless=headless,
        quiet=quiet,
        out_dir=Path(out_dir) if out_dir is not None else None,
        mirror=mirror,
        countdown_s=countdown_s,
        on_frame=on_frame,
        max_seconds=max_seconds,
        fast=fast,
        model_name=model_name,
        exercise_factory=exercise_factory,
        screenshot=Path(screenshot) if screenshot else None,
        screenshot_at=screenshot_at,
        announcer=announcer,
        window=window,
        log=log or (lambda line: print(line, flush=True)),
    )
    try:
        return loop.run()
    finally:
        if window is not None:
            window.close()


# -- the command line -----------------------------------------------------------------------------


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
        help=f"what to judge: {', '.join(EXERCISES)} (n in the window cycles through them)",
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
    exercise = make_exercise(args.exercise, args.config, args.strictness, variant)  # fail fast on bad config

    def factory(name: str) -> Exercise:
        return make_exercise(name, args.config, args.strictness, variant if name == args.exercise else "")

    source, is_camera = _open_source(args)  # no camera: one clear line, before anything slow
    if not args.headless:
        problem = display_problem()
        if problem:
            source.close()
            raise FormcheckError(f"cannot open a window: {problem}; run with --headless to judge without one")
    countdown = args.countdown if args.countdown is not None else (CAMERA_COUNTDOWN_S if is_camera else 0.0)
    previous = _sigterm_as_interrupt()
    try:
        with source, PoseEstimator(args.model) as estimator:
            keys = "" if args.headless else "; keys: q quit, space pause, r reset, n next exercise"
            what = f"{exercise.title} from {source.info.name} ({estimator.model.name} model)"
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
            )
    finally:
        _restore_sigterm(previous)
    _print_summary(result)
    if result.ended_by == "interrupted":
        return EXIT_INTERRUPTED
    if result.ended_by in ("camera_lost", "source_error"):
        reason = f": {result.error}" if result.error else ""
        print(
            f"formcheck: the {'camera' if is_camera else 'source'} stopped{reason}; the report holds what was seen",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0


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


def _sigterm_as_interrupt():  # type: ignore[no-untyped-def]
    """A `kill` ends the session like Ctrl-C: the report is still written."""
    if sys.platform.startswith("win"):
        return None

    def handler(signum, frame):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        return None


def _restore_sigterm(previous) -> None:  # type: ignore[no-untyped-def]
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """`python -m formcheck.app.live ...`: the same as `formcheck live ...`."""
    from formcheck.app.cli import main as cli_main

    return cli_main(["live", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
