"""The live judging stage: "get into position", a 3-2-1 countdown, then a session that judges.

Before judging, a preview judge only says how to place the camera ("Turn side-on ..."). Once the
view has been right for a moment (or after a while anyway) the countdown runs, then a
StreamingSession judges every frame. A pause shifts the session's clock so paused time is not
counted (and does not eat the countdown). For the frame flow this is the judging stage: `add`
returns the frame's LiveFrame at once (live judging never lags the frames).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from formcheck.app.live.cues import settled, spoken_cues
from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.i18n import _
from formcheck.judging.records import FrameState
from formcheck.judging.streaming import StreamingSession
from formcheck.outputs.audio import Announcer
from formcheck.pipeline.track import PoseResult

POSITION_READY_S = 1.0  # the view must be right this long before the countdown starts ...
POSITION_MIN_S = 2.0  # ... and the "get into position" message stays up at least this long
POSITION_MAX_S = 15.0  # after this the countdown starts anyway (the judge keeps cueing)


@dataclass
class LiveFrame:
    """One frame as the live stage judged it."""

    state: FrameState
    signals: Signals
    pose: PoseFrames
    phase: str  # "position", "countdown" or "judging"
    countdown: int | None  # the digit to show during the countdown
    session_t: float | None  # the session judge's clock (None before judging starts)


class LivePhases:
    def __init__(
        self,
        exercise: Exercise,
        width: int,
        height: int,
        frame_dt: float,
        countdown_s: float,
        camera_clock: bool,
        announcer: Announcer,
    ) -> None:
        self.width, self.height, self.frame_dt = width, height, frame_dt
        self.countdown_s = max(0.0, countdown_s)
        self.camera_clock = camera_clock  # a camera's session starts at 0; a clip keeps its own clock
        self.announcer = announcer
        self.exercise = exercise
        self.restart(exercise, first=True)

    def restart(self, exercise: Exercise, first: bool = False) -> None:
        """A new session (after a reset or a change of exercise): back to the countdown."""
        self.exercise = exercise
        self.session: StreamingSession | None = None
        self.preview = StreamingSession(exercise, self.width, self.height)  # cues before judging starts
        # A countdown of 0 passes straight on to judging on the first frame.
        self.phase = "position" if (first and self.countdown_s > 0) else "countdown"
        self.phase_start: float | None = None  # source time (s) the phase began
        self.ready_since: float | None = None
        self.offset_s: float | None = None  # judge clock = source time - offset
        self.paused_at: float | None = None
        self.n_events = 0
        self.hold_step = 0
        self.last_count = -1
        self.last_setup_cue = ""

    def pause(self, t_src: float) -> None:
        """A paused frame: the clock stops at the first one."""
        if self.paused_at is None:
            self.paused_at = t_src

    def _resume(self, t_src: float) -> None:
        paused_at, self.paused_at = self.paused_at, None
        if paused_at is None:
            return
        if self.phase != "judging":  # the pause does not eat the countdown
            if self.phase_start is not None:
                self.phase_start += t_src - paused_at
            self.ready_since = None
        elif self.session is not None:  # continue the judge's clock where it stopped, one frame on
            last = self.session.judge.t[-1] if self.session.judge.t else t_src - (self.offset_s or 0.0)
            self.offset_s = t_src - (last + self.frame_dt)
            self.session.filter.reset()

    def add(self, t_s: float, pose: PoseResult | None) -> list[LiveFrame]:
        if self.phase_start is None:
            self.phase_start = t_s
        self._resume(t_s)
        if self.phase == "position":
            return [self._position(t_s, pose)]
        if self.phase == "countdown":
            frame = self._countdown(t_s, pose)
            if frame is not None:
                return [frame]
            self._start_judging(t_s)
        return [self._judging(t_s, pose)]

    def flush(self) -> list[LiveFrame]:
        return []

    # -- the phases ------------------------------------------------------------------------

    def _preview(self, t_s: float, found: PoseResult | None) -> tuple[FrameState, Signals, PoseFrames]:
        state, signals, pose = self.preview.update(t_s, found)
        return settled(self.preview, state), signals, pose

    def _position(self, t_s: float, found: PoseResult | None) -> LiveFrame:
        state, signals, pose = self._preview(t_s, found)
        self._say_setup(state)
        if state.judged:
            self.ready_since = t_s if self.ready_since is None else self.ready_since
        else:
            self.ready_since = None
        assert self.phase_start is not None
        elapsed = t_s - self.phase_start
        ready = self.ready_since is not None and t_s - self.ready_since >= POSITION_READY_S
        frame = LiveFrame(state, signals, pose, "position", None, None)
        if (ready and elapsed >= POSITION_MIN_S) or elapsed >= POSITION_MAX_S:
            self.phase, self.phase_start = "countdown", t_s
        return frame

    def _countdown(self, t_s: float, found: PoseResult | None) -> LiveFrame | None:
        """The countdown's frame, or None once it is over."""
        assert self.phase_start is not None
        remaining = self.countdown_s - (t_s - self.phase_start)
        if remaining <= 0:
            return None
        state, signals, pose = self._preview(t_s, found)
        count = math.ceil(remaining)
        if count != self.last_count:
            self.last_count = count
            self.announcer.say(str(count), f"countdown:{count}:{id(self.preview)}")
        return LiveFrame(state, signals, pose, "countdown", max(1, count), None)

    def _start_judging(self, t_s: float) -> None:
        self.phase = "judging"
        self.session = StreamingSession(self.exercise, self.width, self.height)
        self.offset_s = t_s if self.camera_clock else 0.0
        self.n_events = 0
        if self.countdown_s > 0:
            self.announcer.say(_("Go"), f"countdown:go:{id(self.session)}")

    def _judging(self, t_s: float, found: PoseResult | None) -> LiveFrame:
        assert self.session is not None and self.offset_s is not None
        t = t_s - self.offset_s
        state, signals, pose = self.session.update(t, found)
        state = settled(self.session, state)
        events = self.session.judge.events
        new, self.n_events = events[self.n_events :], len(events)
        cues, self.hold_step = spoken_cues(new, state, self.hold_step, hold=self.exercise.kind == "hold")
        for text, key in cues:
            self.announcer.say(text, key)
        return LiveFrame(state, signals, pose, "judging", None, self.session.judge.t[-1])

    def _say_setup(self, state: FrameState) -> None:
        """Before judging: the preview judge's setup cue, each time it changes."""
        cue = state.cue if not state.judged else ""
        if cue and cue != self.last_setup_cue:
            self.announcer.say(_(cue), f"setup:{cue}")
        self.last_setup_cue = cue
