"""`formcheck workout DAY`: a day of the plan, step by step, set by set, with rests between.

Each set (each side of a per-side set) is one run of the frame flow (`pipeline/flow.py`) with
`SetPhases` as its judging stage and the workout display as its sink: live's machinery, its window,
voice and report. Between sets the rest timer runs on the wall clock.

Frames come from one camera for the whole workout, or from clips (`--source`), one clip per set
and side in plan order, played as the camera: a set ends at its target, at the stop cue, on a key,
or when its clip ends; the rest of that clip is not used. `fast` hands over every frame as fast as
the machine goes and does not wait for rests (they are recorded as planned, `compressed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from formcheck import interrupts
from formcheck.app.live.loop import KEY_PAUSE, KEY_QUIT, live_report
from formcheck.app.live.results import PARTIAL_ENDINGS
from formcheck.app.workout.display import WorkoutDisplay
from formcheck.app.workout.phases import FORM_SLIPPING, QUIT, REPEAT, SKIPPED, SOURCE_ENDED, SetPhases
from formcheck.app.workout.records import RestRecord, SetRecord, StepRecord, format_workout, workout_report
from formcheck.app.workout.replay import ReplayEstimator
from formcheck.app.workout.stopcue import STOP_CUE, StopSettings
from formcheck.exercises.base import Exercise
from formcheck.files import save_or_rescue
from formcheck.outputs.audio import Announcer
from formcheck.outputs.report import write_json
from formcheck.pipeline.capture import GrabbedFrame, LatestFrameGrabber
from formcheck.pipeline.flow import run_flow
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import Frame, FrameSource, VideoFileSource
from formcheck.plan import Day, Plan, Step

KEY_SKIP = {ord("s"), ord("S")}
KEY_REPEAT = {ord("r"), ord("R")}
SIDES = ("first", "second")
REST_TICK_S = 0.1
REST_SAY_AT_S = (10, 3, 2, 1)  # remaining seconds said during a rest


@dataclass
class Feed:
    """A set's frames: the source, its newest-frame grabber and the pose model (or a replay)."""

    source: FrameSource
    grabber: LatestFrameGrabber
    estimator: PoseEstimator | ReplayEstimator
    own: bool  # opened for this set alone (a clip): closed after it


class Feeds:
    """One camera for the whole workout, or the next clip for each set."""

    def __init__(self, camera: FrameSource | None, clips: list[Path], model: str, fast: bool, outline: bool) -> None:
        self.camera, self.clips, self.model, self.fast = camera, list(clips), model, fast
        self.outline = outline  # a camera's model reads the back's outline if any step needs it
        self._camera_feed: Feed | None = None

    @property
    def is_camera(self) -> bool:
        return self.camera is not None

    def next(self, exercise: Exercise) -> Feed | None:
        if self.camera is not None:
            if self._camera_feed is None:
                grabber = LatestFrameGrabber(self.camera, pace=False, drop=True).start()
                estimator = PoseEstimator(self.model, outline=self.outline)
                self._camera_feed = Feed(self.camera, grabber, estimator, own=False)
            return self._camera_feed
        if not self.clips:
            return None
        clip = self.clips.pop(0)
        source = VideoFileSource(clip)
        outline = exercise.back is not None
        estimator = ReplayEstimator.from_cache(clip, self.model, outline) if self.fast else None
        grabber = LatestFrameGrabber(source, pace=not self.fast, drop=not self.fast).start()
        return Feed(source, grabber, estimator or PoseEstimator(self.model, outline=outline), own=True)

    def done_with(self, feed: Feed) -> None:
        if feed.own:
            feed.grabber.stop()
            feed.estimator.close()
            feed.source.close()

    def close(self) -> None:
        if self._camera_feed is not None:
            self._camera_feed.grabber.stop()
            self._camera_feed.estimator.close()


class WorkoutRun:
    def __init__(
        self,
        plan: Plan,
        day: Day,
        feeds: Feeds,
        *,
        display: WorkoutDisplay,
        announcer: Announcer,
        out_dir: Path,
        make: Callable[[Step], Exercise],
        stop: StopSettings,
        countdown_s: float,
        fast: bool,
        model_name: str,
        log: Callable[[str], None],
    ) -> None:
        self.plan, self.day, self.feeds, self.display, self.announcer = plan, day, feeds, display, announcer
        self.out_dir, self.make, self.stop, self.countdown_s = out_dir, make, stop, countdown_s
        self.fast, self.model_name, self.log = fast, model_name, log
        self.steps: list[StepRecord] = []
        self.paused = False
        self.ended_by = ""
        self.started = datetime.now()
        self.report: dict | None = None
        self.report_path: Path | None = None

    # -- the day ---------------------------------------------------------------------------------

    def run(self) -> dict:
        try:
            for number, step in enumerate(self.day.steps, 1):
                self._step(number, step)
                if self.ended_by:
                    break
        except KeyboardInterrupt:
            self.ended_by = "interrupted"
        finally:
            with interrupts.polled():
                self.feeds.close()
                self._save()
        return self.report or {}

    def _step(self, number: int, step: Step) -> None:
        exercise = self.make(step)
        record = StepRecord(number, step)
        self.steps.append(record)
        self.announcer.say(f"Next: {exercise.title}. {step.instruction}", f"step:{number}")
        self.log(f"step {number}/{len(self.day.steps)}: {step.describe()}")
        sides = SIDES if step.per_side else ("",)
        for set_no in range(1, step.sets + 1):
            for side in sides:
                while True:  # again after the repeat key
                    done = self._set(record, exercise, set_no, side)
                    if self.ended_by or done.ended_by != REPEAT:
                        break
                if self.ended_by:
                    return
                if side == "first":
                    self.announcer.say("Switch sides", f"switch:{number}:{set_no}")
            last_set = set_no == step.sets
            last_step = number == len(self.day.steps)
            rest = step.rest_after_s if last_set else step.rest_s
            if rest > 0 and not (last_set and last_step):
                stopped = record.sets[-1].ended_by == FORM_SLIPPING if record.sets else False
                record.rests.append(self._rest(rest, set_no, sides[-1], stopped, last_set))
                if self.ended_by:
                    return

    def _title(self, record: StepRecord, exercise: Exercise, set_no: int, side: str) -> str:
        step = record.step
        parts = [f"Day {self.day.number}", f"{record.number}/{len(self.day.steps)} {exercise.title}"]
        parts.append(f"set {set_no}/{step.sets}: {step.target_text}")
        if side:
            parts.append(f"{side} side")
        return " - ".join(parts)

    # -- one set ---------------------------------------------------------------------------------

    def _set(self, record: StepRecord, exercise: Exercise, set_no: int, side: str) -> SetRecord:
        feed = self.feeds.next(exercise)
        if feed is None:
            self.ended_by = "out_of_sources"
            return SetRecord(set_no, side, SOURCE_ENDED)
        info = feed.source.info
        self.display.exercise = exercise
        self.display.mirror = self.feeds.is_camera
        self.display.width = info.width
        phases = SetPhases(
            record.step,
            exercise,
            info.width,
            info.height,
            countdown_s=self.countdown_s,
            announcer=self.announcer,
            stop=self.stop,
            title=self._title(record, exercise, set_no, side),
            show_instruction=set_no == 1 and side in ("", "first"),
        )
        try:
            flow = run_flow(feed.source, feed.estimator, phases, [self.display], frames=self._frames(feed, phases))
            if flow.interrupted:
                phases.end(QUIT)
                self.ended_by = "interrupted"
        finally:
            self.feeds.done_with(feed)
        source = str(getattr(feed.source, "path", None) or info.name)
        done = SetRecord(set_no, side, phases.ended_by or SOURCE_ENDED, phases.stop_reason, source=source)
        if phases.session is not None and phases.session.judge.t and done.ended_by != REPEAT:
            done.source_from_s = phases.started_at_s
            self._save_set(done, phases, feed, record)
        if done.ended_by != REPEAT:
            record.sets.append(done)
        if done.ended_by == SOURCE_ENDED and self.feeds.is_camera:
            self.ended_by = "camera_lost"
        return done

    def _save_set(self, done: SetRecord, phases: SetPhases, feed: Feed, record: StepRecord) -> None:
        session = phases.session
        assert session is not None
        session.judge.finish()
        step = record.step
        extra = {
            "workout": {
                "plan": self.plan.name,
                "day": self.day.number,
                "step": record.number,
                "set": done.set,
                "side": done.side,
                "target": step.target,
                "unit": "s" if step.timed else "reps",
                "ended_by": done.ended_by,
                "stop_reason": done.stop_reason,
                "source_from_s": done.source_from_s,
            }
        }
        stats = {"judged_frames": len(session.judge.t), "source_fps": round(feed.source.info.fps, 2)}
        ended = "interrupted" if self.ended_by == "interrupted" else done.ended_by
        ended_early = bool(getattr(feed.source, "ended_early", False))
        report = live_report(session.judge, feed.source, self.model_name, ended, ended_early, stats, **extra)
        side = f"-{done.side}" if done.side else ""
        path = self.out_dir / "sets" / f"{record.number:02d}-{step.exercise}-set{done.set}{side}.json"
        path, note = save_or_rescue(path, lambda p: write_json(p, report))
        if note:
            self.log(f"formcheck: error: {note}")
        done.report, done.report_path = report, path

    def _frames(self, feed: Feed, phases: SetPhases) -> Iterator[Frame]:
        """The set's frames (the newest each time); paused frames are shown, not judged."""
        poll = 0.03 if self.display.window is not None else 0.5
        while not phases.done:
            if interrupts.requested():
                phases.end(QUIT)
                self.ended_by = "interrupted"
                return
            grabbed = feed.grabber.get(timeout=poll)
            if grabbed is None:
                if feed.grabber.ended and feed.grabber.finished:
                    phases.end(SOURCE_ENDED)
                    return
            elif self.paused:
                phases.pause(grabbed.frame.timestamp_ms / 1000.0)
                self.display.paused(grabbed, None)
            else:
                self.display.take(grabbed)
                yield grabbed.frame
            self._poll_keys(phases)

    # -- keys ------------------------------------------------------------------------------------

    def key(self, k: int, phases: SetPhases | None = None) -> bool:
        """Act on a key during a set (phases) or a rest (None); True if the rest should end."""
        if k in KEY_QUIT:
            self.ended_by = "quit"
            if phases is not None:
                phases.end(QUIT)
            return True
        if k in KEY_PAUSE:
            self.paused = not self.paused
            self.announcer.say("Paused" if self.paused else "Resumed", f"key:pause:{self.paused}")
        elif k in KEY_SKIP:
            self.paused = False
            if phases is not None:
                phases.end(SKIPPED)
            return True
        elif k in KEY_REPEAT and phases is not None:
            self.paused = False
            self.announcer.say("Again", "key:repeat")
            phases.end(REPEAT)
        return False

    def _poll_keys(self, phases: SetPhases | None) -> bool:
        window = self.display.window
        if window is None:
            return False
        k = window.key(1)
        if k >= 0 and self.key(k, phases):
            return True
        if window.closed():
            self.ended_by = "window_closed"
            if phases is not None:
                phases.end(QUIT)
            return True
        return False

    # -- rests -----------------------------------------------------------------------------------

    def _rest(self, seconds: float, set_no: int, side: str, stopped: bool, next_step: bool) -> RestRecord:
        said = f"Rest {seconds:g} seconds"
        self.announcer.say(f"{STOP_CUE}. {said}" if stopped else said, f"rest:{id(self)}:{time.monotonic()}")
        record = RestRecord(set_no, side, seconds, 0.0, compressed=self.fast)
        what = "next exercise" if next_step else "next set"
        if self.fast:
            self.display.card(None, [f"Rest {seconds:g} s", f"then the {what}"], big=f"{seconds:g}")
            return record
        camera = self.feeds._camera_feed if self.feeds.is_camera else None
        start = time.monotonic()
        paused_for = 0.0
        paused_at: float | None = None
        said_at: set[int] = set()
        latest: GrabbedFrame | None = None  # the camera's newest frame (kept: no flicker between frames)
        while True:
            now = time.monotonic()
            if self.paused and paused_at is None:
                paused_at = now
            elif not self.paused and paused_at is not None:
                paused_for += now - paused_at
                paused_at = None
            taken = (paused_at or now) - start - paused_for
            remaining = seconds - taken
            if remaining <= 0 or interrupts.requested():
                break
            count = int(remaining + 0.999)
            if count in REST_SAY_AT_S and count not in said_at:
                said_at.add(count)
                self.announcer.say(str(count) if count < 10 else f"{count} seconds", f"rest-count:{count}")
            if camera is not None:
                latest = camera.grabber.get(timeout=0.0) or latest
            lines = [f"Rest - {'paused' if self.paused else f'then the {what}'}", "s: skip the rest"]
            self.display.card(latest, lines, big=str(count))
            if self._poll_keys(None):
                record.skipped = not self.ended_by
                break
            if self.display.window is None:
                time.sleep(REST_TICK_S)
        record.taken_s = time.monotonic() - start - paused_for
        if interrupts.requested():
            self.ended_by = "interrupted"
        elif not self.ended_by:
            self.announcer.say("Get ready", f"ready:{id(record)}")
        return record

    # -- the end ---------------------------------------------------------------------------------

    def _save(self) -> None:
        ended = self.ended_by or "done"
        self.report = workout_report(
            self.plan,
            self.day,
            self.steps,
            out_dir=self.out_dir,
            started=self.started,
            ended_by=ended,
            model=self.model_name,
            fast=self.fast,
        )
        path, note = save_or_rescue(self.out_dir / "report.json", lambda p: write_json(p, self.report or {}))
        self.report_path = path
        if note:
            self.log(f"formcheck: error: {note}")
        summary = format_workout(self.report)
        card = self.display.card(None, ["Workout summary", *summary.splitlines()], lines_top=0.33)
        self._write_card(card)
        if self.display.window is not None and not self.fast and ended not in PARTIAL_ENDINGS:
            deadline = time.monotonic() + 10.0  # the summary stays up until a key, or 10 s
            while time.monotonic() < deadline and self.display.window.key(50) < 0:
                pass

    def _write_card(self, image) -> None:  # type: ignore[no-untyped-def]
        import cv2

        ok, encoded = cv2.imencode(".png", image)
        if ok:
            save_or_rescue(self.out_dir / "summary.png", lambda p: Path(p).write_bytes(encoded.tobytes()))
