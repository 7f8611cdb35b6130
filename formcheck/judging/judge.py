"""The state machine that turns an exercise's per-frame signals into counts, times and events.

The same `Judge.step` runs live (one frame at a time) and offline (a loop over a track), so the
two agree by construction. Every on/off decision uses hysteresis (a fault switches on past its
limit and off only once back inside it by a margin) and a minimum duration; when a decision is
confirmed it is back-dated to when its condition began, so totals are not biased by the delay.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from formcheck.exercises.base import (
    JUDGEABLE,
    REASONS,
    WRONG_VIEW,
    WRONG_VIEW_CUES,
    Exercise,
    FaultSpec,
)


class Debounce:
    """A boolean that follows its raw input only once the input has disagreed for long enough."""

    __slots__ = ("off_s", "on_s", "since_i", "since_t", "state")

    def __init__(self, on_s: float, off_s: float, state: bool = False) -> None:
        self.on_s, self.off_s, self.state = on_s, off_s, state
        self.since_i = -1
        self.since_t = 0.0

    def update(self, i: int, t: float, raw: bool) -> int:
        """Feed frame i; return the first frame of the new state when it flips, else -1."""
        if raw == self.state:
            self.since_i = -1
            return -1
        if self.since_i < 0:
            self.since_i, self.since_t = i, t
        if t - self.since_t >= (self.on_s if raw else self.off_s):
            self.state = raw
            onset, self.since_i = self.since_i, -1
            return onset
        return -1


@dataclass
class Event:
    t: float
    kind: str  # position_entered/left, rep_started/completed, fault_started/ended, unjudged_started/ended
    name: str = ""
    cue: str = ""
    detail: dict = field(default_factory=dict)


@dataclass
class Rep:
    number: int
    start_s: float
    top_s: float  # when the top was reached
    end_s: float
    top_hold_s: float
    faults: list[str]

    @property
    def good(self) -> bool:
        return not self.faults


@dataclass(slots=True)
class FrameState:
    """What a person should see for one frame."""

    index: int
    t: float
    judged: bool
    reason: int
    in_position: bool
    faults: tuple[str, ...]
    phase: str  # "out", "hold", "down", "up"
    reps: int
    good_reps: int
    hold_s: float
    good_hold_s: float
    cue: str
    side: str = ""


PRAISE_S = 2.0  # how long praise stays up after a fault is corrected
STILL_DEG = 1.0  # a rep signal changing less than this per frame is "still" ...
STILL_S = 0.5  # ... and still for this long at the bottom counts as a seen bottom


class Judge:
    """Feed it one frame's signals at a time with `step`; read totals and events at any time."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.timing = timing = exercise.timing()
        self.fault_names: list[str] = [f.name for f in exercise.faults]
        self.specs: list[FaultSpec] = list(exercise.faults)
        self.fault_hyst = exercise.t["fault_hysteresis"]
        self.unjudged = Debounce(timing.min_unjudged_s, timing.min_judged_s, state=True)
        self.position = Debounce(timing.min_position_s, timing.min_leave_s)
        self.fault_state = [
            Debounce(timing.min_top_fault_s if f.scope == "top" else timing.min_fault_s, timing.min_fault_clear_s)
            for f in exercise.faults
        ]
        self.top = Debounce(timing.min_top_s, timing.min_bottom_s)
        self.events: list[Event] = []
        self.reps: list[Rep] = []
        # Per-frame history, rewritten when a back-dated decision is confirmed.
        self.t: list[float] = []
        self.dt: list[float] = []
        self.reason: list[int] = []
        self.judged: list[bool] = []
        self.in_pos: list[bool] = []
        self.fault_bits: list[int] = []
        self.phase_up: list[bool] = []
        self.side: list[str] = []
        self.hold_s = 0.0
        self.good_hold_s = 0.0
        self._totalled = 0  # frames whose time is in hold_s / good_hold_s
        self._left_bottom_at: float | None = None
        self.rep_spec = exercise.rep_spec()
        self._reset_reps(0.0)
        self._after_cut = False
        self._top_at: float | None = None
        self._top_margins: list[list[float]] = [[] for _ in self.specs]
        self._near_peak = False
        self._top_time = 0.0
        self._last_bad_reason = JUDGEABLE  # nothing wrong seen yet: settling, no cue
        self._last_fault_end: tuple[float, str] | None = None
        self.hold_mask = sum(1 << n for n, s in enumerate(self.specs) if s.scope == "hold")
        self.body_line_mask = sum(1 << n for n, s in enumerate(self.specs) if s.body_line and s.scope == "hold")

    # -- bookkeeping --------------------------------------------------------------------

    def _counted(self, k: int) -> bool:
        return self.judged[k] and self.in_pos[k]

    def _good(self, k: int) -> bool:
        return self._counted(k) and not (self.fault_bits[k] & self.hold_mask)

    def _rewrite(self, start: int, stop: int, apply) -> None:  # type: ignore[no-untyped-def]
        """Change frames [start, stop) with `apply(k)`, keeping the running totals right (the
        frame being stepped is not in the totals yet: it is added once decided)."""
        for k in range(start, stop):
            if k >= self._totalled:
                apply(k)
                continue
            dt = self.dt[k]
            self.hold_s -= dt * self._counted(k)
            self.good_hold_s -= dt * self._good(k)
            apply(k)
            self.hold_s += dt * self._counted(k)
            self.good_hold_s += dt * self._good(k)
        # Subtracting and re-adding frame times leaves float dust (-4e-16): keep totals >= 0.
        self.hold_s = max(self.hold_s, 0.0)
        self.good_hold_s = max(self.good_hold_s, 0.0)

    # -- one frame ------------------------------------------------------------------------

    def step(
        self,
        t: float,
        reason: int,
        position: float,
        faults: Sequence[float],
        lift: float = math.nan,
        cut: bool = False,
        side: str = "",
    ) -> FrameState:
        i = len(self.t)
        dt = min(t - self.t[-1], self.timing.max_frame_gap_s) if self.t else 0.0
        ok = reason == JUDGEABLE
        self.t.append(t)
        self.dt.append(max(dt, 0.0))
        self.reason.append(reason)
        self.side.append(side)

        # 1. Can this frame be judged? (debounced, so a one-frame glitch is ignored)
        if not ok:
            self._last_bad_reason = reason
            if i == 0:  # a stream that starts unjudgeable says why at once
                self.events.append(
                    Event(t, "unjudged_started", REASONS.get(reason, ("unknown",))[0], self.reason_cue(reason))
                )
        onset = self.unjudged.update(i, t, not ok)
        self.judged.append(not self.unjudged.state)
        if onset >= 0:
            now_judged = not self.unjudged.state
            self._rewrite(onset, i, lambda k: self.judged.__setitem__(k, now_judged))
            if self.unjudged.state:
                code = self.reason[onset] if self.reason[onset] != JUDGEABLE else reason
                self.events.append(
                    Event(self.t[onset], "unjudged_started", REASONS.get(code, ("unknown",))[0], self.reason_cue(code))
                )
            else:
                self.events.append(Event(self.t[onset], "unjudged_ended"))

        # 2. In position? Hysteresis: once in, stay in until the margin drops below -margin.
        hyst = self.timing.position_hysteresis
        raw_in = ok and (position > (-hyst if self.position.state else 0.0))
        onset = self.position.update(i, t, raw_in)
        self.in_pos.append(self.position.state)
        self.fault_bits.append(self.fault_bits[-1] if self.fault_bits else 0)
        self.phase_up.append(self.top.state)
        if onset >= 0:
            now_in = self.position.state
            self._rewrite(onset, i, lambda k: self.in_pos.__setitem__(k, now_in))
            self.events.append(Event(self.t[onset], "position_entered" if now_in else "position_left"))
            if not now_in:
                self._forgive_exit(onset, i)

        # 3. Reps: the lift signal crosses into the top, then back down to the bottom.
        if self.rep_spec is not None:
            if ok or cut:
                self._step_reps(i, t, lift, cut, faults)
            self.phase_up[i] = self.top.state

        # 4. Faults, each with its own hysteresis and minimum duration.
        for n, spec in enumerate(self.specs):
            if spec.scope == "rep":
                continue
            state = self.fault_state[n]
            margin = faults[n]
            # Faults are looked for only in position (raw, so a fault present on entry is timed
            # from the entry, not from when the entry was confirmed).
            in_scope = raw_in and (self._near_peak if spec.scope == "top" else True)
            raw = in_scope and margin > (-self.fault_hyst if state.state else 0.0)
            onset = state.update(i, t, raw)
            bit = 1 << n
            if onset >= 0:
                on = state.state

                def set_bit(k: int, on: bool = on, bit: int = bit) -> None:
                    self.fault_bits[k] = (self.fault_bits[k] | bit) if on else (self.fault_bits[k] & ~bit)

                self._rewrite(onset, i + 1, set_bit)
                if on:
                    self.events.append(Event(self.t[onset], "fault_started", spec.name, spec.cue))
                else:
                    self.events.append(Event(self.t[onset], "fault_ended", spec.name, spec.praise))
                    self._last_fault_end = (t, spec.praise)
            elif state.state != bool(self.fault_bits[i] & bit):
                self.fault_bits[i] ^= bit

        # 5. This frame's own time.
        self.hold_s += self.dt[i] * self._counted(i)
        self.good_hold_s += self.dt[i] * self._good(i)
        self._totalled = i + 1
        return self._frame_state(i)

    def _forgive_exit(self, onset: int, i: int) -> None:
        """Coming out of a hold (hips lowering to the mat) is not exercising: a fault that began
        less than `exit_grace_s` before the position was left is the exit, not bad form."""
        if onset == 0:
            return
        grace = self.timing.exit_grace_s
        exit_start = onset
        for n, spec in enumerate(self.specs):
            bit = 1 << n
            if spec.scope != "hold" or not self.fault_bits[onset - 1] & bit:
                continue
            start = onset - 1
            while start > 0 and self.fault_bits[start - 1] & bit:
                start -= 1
            if self.t[onset] - self.t[start] > grace:
                continue

            def clear(k: int, bit: int = bit) -> None:
                self.fault_bits[k] &= ~bit

            self._rewrite(start, i + 1, clear)
            began = self.t[start]
            for event in self.events:  # kept (live readers index the list), but marked
                if event.name == spec.name and event.kind in ("fault_started", "fault_ended") and event.t >= began:
                    event.detail["exit"] = True
            exit_start = min(exit_start, start)
        exit_start = min(exit_start, self._fault_cleared_on_the_way_out(exit_start, grace))
        if exit_start < onset:  # the hold ended when the way out began
            self._rewrite(exit_start, onset, lambda k: self.in_pos.__setitem__(k, False))
            left = next(e for e in reversed(self.events) if e.kind == "position_left")
            left.t = self.t[exit_start]
            if exit_start == 0 or not self.in_pos[exit_start - 1]:  # nothing of the hold is left
                entered = next(e for e in reversed(self.events) if e.kind == "position_entered")
                entered.detail["exit"] = left.detail["exit"] = True  # kept (live readers index the list)

    def _fault_cleared_on_the_way_out(self, exit_start: int, grace: float) -> int:
        """Where a body-line fault cleared less than `grace` before the way out: a body sweeping
        from a sag up to kneeling passes through a straight line without holding it."""
        k = exit_start - 1
        while k >= 0 and self.in_pos[k] and self.t[exit_start] - self.t[k] <= grace:
            if self.fault_bits[k] & self.body_line_mask:
                return k + 1
            k -= 1
        return exit_start

    def _step_reps(self, i: int, t: float, value: float, cut: bool, faults: Sequence[float]) -> None:
        """Count a rep by prominence: up once the signal is past the top line *and* has risen
        enough from its last trough; down again once it has fallen enough from the rep's peak.
        After a scene cut (or at the start) a bottom must be seen before a rise can count."""
        p = self.rep_spec
        assert p is not None
        if cut:
            self._reset_reps(t)
            self._after_cut = True
            self.top.state = False
            self.top.since_i = -1
            return
        if value != value:  # NaN: hold the phase
            return
        phase = self._rep_phase
        if phase == "unknown":
            # At the start of a recording, anything below the top line is the bottom. After a
            # scene cut the shot may open mid-lift, so a bottom counts as seen only once the
            # signal is deep (a whole rise below the top line). Falling or still is a bottom
            # either way: a new camera angle can read the resting level above the top line, and
            # the next rep is counted by its rise from here.
            if value > self._unknown_max:
                self._unknown_max, self._still_since = value, t
            elif abs(value - self._unknown_last) > STILL_DEG:
                self._still_since = t
            self._unknown_last = value
            below = value < p.top - p.hysteresis or p.top == -math.inf  # rise-only: no top line
            falling = value < self._unknown_max - p.drop / 3
            still = t - self._still_since >= STILL_S
            deep = value < p.top - p.rise
            if falling or still or (below and (not self._after_cut or deep)):
                self._rep_phase, self._trough, self._trough_t = "down", value, t
            return
        if phase == "down":
            if value <= self._trough:
                self._trough, self._trough_t = value, t
            raw_up = value > p.top and value - self._trough >= p.rise
        else:
            if value >= self._peak:
                self._peak = value
            raw_up = not value < self._peak - p.drop
        onset = self.top.update(i, t, raw_up)
        # "At the top" is the band near this rep's peak: where a hold is held and top faults
        # are judged, not the whole way up and down.
        if self.top.state and value >= self._peak:
            self._peak = value
        self._near_peak = self.top.state and value >= self._peak - p.top_band
        if self._near_peak:
            self._top_time += self.dt[i]
            for n, spec in enumerate(self.specs):
                if spec.scope == "rep":  # judged on the rep's best frame when it completes
                    self._top_margins[n].append(faults[n])
        if onset < 0:
            return
        for k in range(onset, i + 1):
            self.phase_up[k] = self.top.state
        if self.top.state:
            self._rep_phase = "up"
            self._top_at = self.t[onset]
            self._left_bottom_at = self._trough_t
            self.events.append(Event(self._trough_t, "rep_started"))
        else:
            self._rep_phase, self._trough, self._trough_t = "down", value, t
            self._complete_rep(self.t[onset])
            self._peak = -math.inf

    def _reset_reps(self, t: float) -> None:
        """Forget the rep in progress: at the start, and after a scene cut."""
        self._rep_phase = "unknown"
        self._trough, self._trough_t, self._peak = math.inf, t, -math.inf
        self._unknown_max, self._unknown_last, self._still_since = -math.inf, math.nan, t

    def _complete_rep(self, end_t: float) -> None:
        top_at = self._top_at if self._top_at is not None else end_t
        start = self._left_bottom_at if self._left_bottom_at is not None else top_at
        found: list[str] = []
        for n, spec in enumerate(self.specs):
            margins = [m for m in self._top_margins[n] if m == m]  # drop NaN
            if spec.scope == "rep" and margins and min(margins) > 0:
                found.append(spec.name)  # even the rep's best frame missed the mark
            elif spec.scope == "top" and (self.fault_state[n].state or self._fault_seen_at_top(n)):
                found.append(spec.name)
            self._top_margins[n] = []
        counted = self.in_pos[-1] if self.in_pos else False
        if self.rep_spec and end_t - top_at > self.rep_spec.max_top_s:
            counted = False
        elif not (self.rep_spec and self.rep_spec.needs_position):
            counted = True
        if counted:
            rep = Rep(len(self.reps) + 1, start, top_at, end_t, self._top_time, found)
            self.reps.append(rep)
            for name in found:
                spec = self.ex.fault_specs[name]
                if spec.scope == "rep":
                    self.events.append(Event(top_at, "fault_started", name, spec.cue, {"rep": rep.number}))
                    self.events.append(Event(end_t, "fault_ended", name, "", {"rep": rep.number}))
            self.events.append(
                Event(
                    end_t,
                    "rep_completed",
                    detail={
                        "rep": rep.number,
                        "good": rep.good,
                        "faults": found,
                        "top_hold_s": round(rep.top_hold_s, 2),
                    },
                )
            )
        self._left_bottom_at = None
        self._top_at = None
        self._top_time = 0.0
        self._near_peak = False

    def _fault_seen_at_top(self, n: int) -> bool:
        """A top fault confirmed at any point of this rep's top phase."""
        if self._top_at is None:
            return False
        bit = 1 << n
        for k in range(len(self.t) - 1, -1, -1):
            if self.t[k] < self._top_at:
                break
            if self.fault_bits[k] & bit:
                return True
        return False

    def _active(self, i: int) -> tuple[str, ...]:
        """Faults on at frame i, most important first (a rep's faults are its own, not a frame's)."""
        return tuple(
            name
            for n, name in enumerate(self.fault_names)
            if self.fault_bits[i] >> n & 1 and self.specs[n].scope != "rep"
        )

    def _phase(self, i: int) -> str:
        if not self.judged[i] or not self.in_pos[i]:
            return "out"
        if self.ex.kind == "reps":
            return "up" if self.phase_up[i] else "down"
        return "hold"

    def _frame_state(self, i: int) -> FrameState:
        active = self._active(i)
        return FrameState(
            index=i,
            t=self.t[i],
            judged=self.judged[i],
            reason=self.reason[i],
            in_position=self.in_pos[i],
            faults=active if self.judged[i] else (),
            phase=self._phase(i),
            reps=len(self.reps),
            good_reps=sum(r.good for r in self.reps),
            hold_s=self.hold_s,
            good_hold_s=self.good_hold_s,
            cue=self._cue(i, active, self._last_bad_reason, self._last_fault_end),
            side=self.side[i],
        )

    def final_states(self) -> list[FrameState]:
        """Every frame as finally decided, once the stream has ended: decisions dated from when
        they began, so flags and running totals agree with the summary. The states `step`
        returned are what a person saw live, each decision a moment after its onset."""
        by_end = sorted(self.reps, key=lambda r: r.end_s)
        done = good_done = 0
        hold = good = 0.0
        last_bad, praise = JUDGEABLE, None
        before: tuple[str, ...] = ()
        states = []
        for i, t in enumerate(self.t):
            hold += self.dt[i] * self._counted(i)
            good += self.dt[i] * self._good(i)
            while done < len(by_end) and by_end[done].end_s <= t:
                good_done += by_end[done].good
                done += 1
            if self.reason[i] != JUDGEABLE:
                last_bad = self.reason[i]
            judged, in_pos = self.judged[i], self.in_pos[i]
            active = self._active(i) if judged and in_pos else ()  # faults are judged in position
            for name in before:
                if name not in active:
                    praise = (t, self.ex.fault_specs[name].praise)
            before = active if in_pos else ()
            states.append(
                FrameState(
                    index=i,
                    t=t,
                    judged=judged,
                    reason=self.reason[i],
                    in_position=in_pos,
                    faults=active,
                    phase=self._phase(i),
                    reps=done,
                    good_reps=good_done,
                    hold_s=hold,
                    good_hold_s=good,
                    cue=self._cue(i, active, last_bad, praise),
                    side=self.side[i],
                )
            )
        return states

    def reason_cue(self, code: int) -> str:
        if code == WRONG_VIEW:
            return WRONG_VIEW_CUES[self.ex.view]
        return REASONS.get(code, REASONS[1])[1]

    def _cue(self, i: int, active: tuple[str, ...], last_bad: int, praise: tuple[float, str] | None) -> str:
        """One cue at a time: what blocks judging (the latest reason), then the most important
        fault, then praise for the last fault corrected (time, words)."""
        if not self.judged[i]:
            return "" if last_bad == JUDGEABLE else self.reason_cue(last_bad)
        if not self.in_pos[i]:
            return self.ex.get_in_position_cue
        if active:
            return self.ex.fault_specs[active[0]].cue
        if praise and self.t[i] - praise[0] < PRAISE_S:
            return praise[1]
        return ""

    def _leaving_at_end(self) -> bool:
        """A leave still being confirmed when the stream ends counts if it has lasted half its
        minimum time on frames where the body was seen out of position (not one lost frame)."""
        start = self.position.since_i
        if start < 0 or self.t[-1] - self.t[start] < self.position.off_s / 2:
            return False
        return any(self.reason[k] == JUDGEABLE for k in range(start, len(self.t)))

    def finish(self, last_value: float = math.nan) -> None:
        """Close what is open at the end of the stream. A rep still on its way down counts if it
        is past half its drop (a clip that ends a moment before the bottom); one at the top not."""
        end = self.t[-1] if self.t else 0.0
        p = self.rep_spec
        if p is not None and self._rep_phase == "up" and last_value < self._peak - p.drop / 2:
            self.top.state = False
            self._complete_rep(end)
        if self.position.state and self._leaving_at_end():
            # The recording ended while the body was already on its way out (getting up).
            onset = self.position.since_i
            self.position.state = False
            self._rewrite(onset, len(self.t), lambda k: self.in_pos.__setitem__(k, False))
            for n, state in enumerate(self.fault_state):
                if state.state:  # a fault ends where the position did
                    bit = 1 << n
                    self._rewrite(
                        onset, len(self.t), lambda k, bit=bit: self.fault_bits.__setitem__(k, self.fault_bits[k] & ~bit)
                    )
                    self.events.append(Event(self.t[onset], "fault_ended", self.fault_names[n], "", {"at_end": True}))
                    state.state = False
            self.events.append(Event(self.t[onset], "position_left", detail={"at_end": True}))
            self._forgive_exit(onset, len(self.t) - 1)
        elif self.position.state:
            self.events.append(Event(end, "position_left", detail={"at_end": True}))
        for n, state in enumerate(self.fault_state):
            if state.state:
                self.events.append(Event(end, "fault_ended", self.fault_names[n], "", {"at_end": True}))
                state.state = False
