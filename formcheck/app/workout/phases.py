"""One set (or one side of a set) of a workout step, as the frame flow's judging stage:
placement check -> countdown -> the set against its target, until the target, the stop cue, a
key or the end of the source.

The set's own judge is a StreamingSession, exactly as `live` judges (its clock starts at 0 when
the set starts), so the set's report is a live report of the frames from that moment on.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from formcheck.app.live.cues import settled, spoken_cues
from formcheck.app.live.phases import LiveFrame
from formcheck.app.workout.placement import GREEN, Placement, PlacementCheck
from formcheck.app.workout.stopcue import STOP_CUE, FormSlipping, StopSettings
from formcheck.exercises.base import Exercise
from formcheck.judging.streaming import StreamingSession
from formcheck.outputs.audio import Announcer
from formcheck.pipeline.track import PoseResult
from formcheck.plan import Step

# Why a set ended (the workout report's `ended_by`):
TARGET = "target"  # the reps or seconds were done
FORM_SLIPPING = "form_slipping"  # the stop cue ended it
SKIPPED = "skipped"  # the skip key
REPEAT = "repeat"  # the repeat key: the set starts again
QUIT = "quit"
SOURCE_ENDED = "end_of_source"  # the clip (or camera) ended first


@dataclass
class SetFrame:
    """One frame of a set as shown: what `live` shows, plus the workout's own panels."""

    live: LiveFrame
    placement: Placement | None  # during the placement check
    progress: float  # reps or seconds done toward the target (0 before the set starts)
    target: float
    unit: str  # "s" or "reps"
    title: str  # e.g. "Day 1 · step 2/3 · Side plank · set 1/3 · first side"
    instruction: str  # the step's instruction and camera lines (first set only), else ""


class SetPhases:
    def __init__(
        self,
        step: Step,
        exercise: Exercise,
        width: int,
        height: int,
        *,
        countdown_s: float,
        announcer: Announcer,
        stop: StopSettings,
        title: str,
        show_instruction: bool,
    ) -> None:
        self.step, self.exercise, self.announcer = step, exercise, announcer
        self.width, self.height = width, height
        self.countdown_s = max(0.0, countdown_s)
        self.title = title
        self.show_instruction = show_instruction
        self.placement = PlacementCheck(exercise, width, height)
        self.stop = FormSlipping(stop, reps=not step.timed)
        self.phase = "placement"
        self.phase_start: float | None = None
        self.session: StreamingSession | None = None
        self.offset_s = 0.0  # set clock = source time - offset
        self.paused_at: float | None = None
        self.started_at_s: float | None = None  # source time the set started (its first judged frame)
        self.ended_by = ""
        self.stop_reason = ""
        self.n_events = 0
        self.hold_step = 0
        self.last_count = -1
        self.last_message = ""
        self.progress = 0.0

    @property
    def done(self) -> bool:
        return bool(self.ended_by)

    def end(self, why: str) -> None:
        if not self.ended_by:
            self.ended_by = why

    def pause(self, t_src: float) -> None:
        if self.paused_at is None:
            self.paused_at = t_src

    def _resume(self, t_src: float) -> None:
        paused_at, self.paused_at = self.paused_at, None
        if paused_at is None:
            return
        if self.phase == "set" and self.session is not None:  # the set's clock stops while paused
            self.offset_s += t_src - paused_at
            self.session.filter.reset()
        elif self.phase_start is not None:
            self.phase_start += t_src - paused_at

    # -- the frame flow's judging stage ---------------------------------------------------------

    def add(self, t_s: float, pose: PoseResult | None) -> list[SetFrame]:
        if self.phase_start is None:
            self.phase_start = t_s
        self._resume(t_s)
        if self.phase == "placement":
            return [self._placement(t_s, pose)]
        if self.phase == "countdown":
            frame = self._countdown(t_s, pose)
            if frame is not None:
                return [frame]
        return [self._set(t_s, pose)]

    def flush(self) -> list[SetFrame]:
        return []

    # -- the phases ------------------------------------------------------------------------------

    def _frame(self, live: LiveFrame, placement: Placement | None = None) -> SetFrame:
        step = self.step
        unit = "s" if step.timed else "reps"
        instruction = f"{step.instruction}  Camera: {step.camera}" if self.show_instruction else ""
        return SetFrame(live, placement, self.progress, step.target, unit, self.title, instruction)

    def _placement(self, t_s: float, found: PoseResult | None) -> SetFrame:
        placed = self.placement.update(t_s, found)
        if placed.message != self.last_message:  # said once each time it changes
            self.last_message = placed.message
            if placed.message and placed.message != GREEN:
                self.announcer.say(placed.message, f"placement:{placed.message}")
        # The overlay's cue band says what the placement check says (the same advice, one voice).
        state = dataclasses.replace(placed.state, cue=placed.message)
        live = LiveFrame(state, placed.signals, placed.pose, "position", None, None)
        if placed.green:
            self.announcer.say("Camera placement OK", f"placement:ok:{id(self)}")
            self.phase, self.phase_start = "countdown", t_s
        return self._frame(live, placed)

    def _countdown(self, t_s: float, found: PoseResult | None) -> SetFrame | None:
        assert self.phase_start is not None
        remaining = self.countdown_s - (t_s - self.phase_start)
        if remaining <= 0:
            self._start(t_s)
            return None
        placed = self.placement.update(t_s, found)
        count = math.ceil(remaining)
        if count != self.last_count:
            self.last_count = count
            self.announcer.say(str(count), f"countdown:{count}:{id(self)}")
        return self._frame(LiveFrame(placed.state, placed.signals, placed.pose, "countdown", max(1, count), None))

    def _start(self, t_s: float) -> None:
        self.phase = "set"
        self.session = StreamingSession(self.exercise, self.width, self.height)
        self.offset_s = t_s
        self.started_at_s = t_s
        self.announcer.say("Go", f"go:{id(self)}")

    def _set(self, t_s: float, found: PoseResult | None) -> SetFrame:
        assert self.session is not None
        state, signals, pose = self.session.update(t_s - self.offset_s, found)
        state = settled(self.session, state)
        events = self.session.judge.events
        new, self.n_events = events[self.n_events :], len(events)
        cues, self.hold_step = spoken_cues(new, state, self.hold_step, hold=self.step.timed)
        for text, key in cues:
            self.announcer.say(text, key)
        self.progress = state.hold_s if self.step.timed else float(state.reps)
        if self.progress >= self.step.target:
            self.announcer.say("Target reached — well done", f"target:{id(self)}")
            self.end(TARGET)
        else:
            why = self.stop.update(state)
            if why:
                self.stop_reason = why
                self.announcer.say(STOP_CUE, f"stop:{id(self)}")
                self.end(FORM_SLIPPING)
        return self._frame(LiveFrame(state, signals, pose, "judging", None, self.session.judge.t[-1]))
