"""The state machine that turns an exercise's per-frame signals into counts, times and events.

The same `Judge.step` runs live (one frame at a time) and offline (a loop over a track), so the
two agree by construction. Every on/off decision uses hysteresis (a fault switches on past its
limit and off only once back inside it by a margin) and a minimum duration; when a decision is
confirmed it is back-dated to when its condition began, so totals are not biased by the delay.
Reps are counted by `RepCounter` (judging/reps) on the exercise's rep signal.
"""

from __future__ import annotations

import math

from formcheck.exercises.base import JUDGEABLE, REASONS, WRONG_VIEW, WRONG_VIEW_CUES, Exercise, FaultSpec
from formcheck.judging.labels import StickyLabel
from formcheck.judging.records import Debounce, Event, FrameInput, FrameState, Rep
from formcheck.judging.reps import RepCounter

PRAISE_S = 2.0  # how long praise stays up after a fault is corrected
PER_REP = ("rep", "tempo")  # fault scopes judged once per rep, not frame by frame


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
        # Holds of movements (Signals.active, cat-cow): only time spent moving counts; a still rest
        # in position longer than min_rest_s pauses it. Quick to start again. Still until seen
        # moving: a still tabletop at the start is setting up (a recording that opens moving is
        # counted from its first frame, back-dated after min_active_s).
        self.active = Debounce(timing.min_active_s, timing.min_rest_s)
        self.fault_state = [
            Debounce(timing.min_top_fault_s if f.scope == "top" else timing.min_fault_s, timing.min_fault_clear_s)
            for f in exercise.faults
        ]
        self.events: list[Event] = []
        self.reps: list[Rep] = []
        # Per-frame history, rewritten when a back-dated decision is confirmed.
        self.t: list[float] = []
        self.dt: list[float] = []
        self.reason: list[int] = []
        self.judged: list[bool] = []
        self.in_pos: list[bool] = []
        self.moving: list[bool] = []
        self.fault_bits: list[int] = []
        self.phase_up: list[bool] = []
        self.side: list[str] = []  # the side label, as decided (see StickyLabel)
        self.side_value: list[float] = []  # per frame, Signals.side_value
        self._labels = StickyLabel(timing.min_side_s)
        self.hold_s = 0.0
        self.good_hold_s = 0.0
        self._totalled = 0  # frames whose time is in hold_s / good_hold_s
        spec = exercise.rep_spec()
        self.rep_counter = RepCounter(self, spec) if spec is not None else None
        self._last_bad_reason = JUDGEABLE  # nothing wrong seen yet: settling, no cue
        self._last_fault_end: tuple[float, str] | None = None
        self.hold_mask = sum(1 << n for n, s in enumerate(self.specs) if s.scope == "hold")
        self.top_mask = sum(1 << n for n, s in enumerate(self.specs) if s.scope in ("hold", "top"))
        self.body_line_mask = sum(1 << n for n, s in enumerate(self.specs) if s.body_line and s.scope == "hold")

    # -- bookkeeping --------------------------------------------------------------------

    def counted(self, k: int) -> bool:
        """Frame k counts as exercise time: judged, in position (and moving, if that is asked)."""
        return self.judged[k] and self.in_pos[k] and self.moving[k]

    def _good(self, k: int) -> bool:
        return self.counted(k) and not (self.fault_bits[k] & self.hold_mask)

    def _rewrite(self, start: int, stop: int, apply) -> None:  # type: ignore[no-untyped-def]
        """Change frames [start, stop) with `apply(k)`, keeping the running totals right (the
        frame being stepped is not in the totals yet: it is added once decided)."""
        for k in range(start, stop):
            if k >= self._totalled:
                apply(k)
                continue
            dt = self.dt[k]
            self.hold_s -= dt * self.counted(k)
            self.good_hold_s -= dt * self._good(k)
            apply(k)
            self.hold_s += dt * self.counted(k)
            self.good_hold_s += dt * self._good(k)
        # Subtracting and re-adding frame times leaves float dust (-4e-16): keep totals >= 0.
        self.hold_s = max(self.hold_s, 0.0)
        self.good_hold_s = max(self.good_hold_s, 0.0)

    # -- one frame ------------------------------------------------------------------------

    def step(self, frame: FrameInput) -> FrameState:
        i = len(self.t)
        t = frame.t
        dt = min(t - self.t[-1], self.timing.max_frame_gap_s) if self.t else 0.0
        ok = frame.reason == JUDGEABLE
        self.t.append(t)
        self.dt.append(max(dt, 0.0))
        self.reason.append(frame.reason)
        self.side_value.append(frame.side_value)
        self._step_judged(i, frame.reason, ok)
        raw_in = self._step_position(i, frame, ok)
        label, back = self._labels.decide(i, t, frame.side, self.position.state)
        self.side.append(label)
        for k in back:
            if self._labels.raw[k]:
                self.side[k] = label
        if self.rep_counter is not None:  # 3. reps on the rep signal
            self.rep_counter.step(i, frame, ok)
            self.phase_up[i] = self.rep_counter.up
        self._step_faults(i, frame, raw_in)
        # This frame's own time.
        self.hold_s += self.dt[i] * self.counted(i)
        self.good_hold_s += self.dt[i] * self._good(i)
        self._totalled = i + 1
        return self._frame_state(i)

    def _step_judged(self, i: int, reason: int, ok: bool) -> None:
        """1. Can this frame be judged? (debounced, so a one-frame glitch is ignored)"""
        t = self.t[i]
        if not ok:
            self._last_bad_reason = reason
            if i == 0:  # a stream that starts unjudgeable says why at once
                self.events.append(
                    Event(t, "unjudged_started", REASONS.get(reason, ("unknown",))[0], self.reason_cue(reason))
                )
        onset = self.unjudged.update(i, t, not ok)
        self.judged.append(not self.unjudged.state)
        if onset < 0:
            return
        now_judged = not self.unjudged.state
        self._rewrite(onset, i, lambda k: self.judged.__setitem__(k, now_judged))
        if self.unjudged.state:
            code = self.reason[onset] if self.reason[onset] != JUDGEABLE else reason
            name = REASONS.get(code, ("unknown",))[0]
            self.events.append(Event(self.t[onset], "unjudged_started", name, self.reason_cue(code)))
        else:
            self.events.append(Event(self.t[onset], "unjudged_ended"))

    def _step_position(self, i: int, frame: FrameInput, ok: bool) -> bool:
        """2. In position (and moving)? Hysteresis: once in, stay in until the margin drops below
        -margin. Returns this frame's raw verdict (faults are looked for from it)."""
        t, hyst = frame.t, self.timing.position_hysteresis
        raw_in = ok and (frame.position > (-hyst if self.position.state else 0.0))
        onset = self.position.update(i, t, raw_in)
        self.in_pos.append(self.position.state)
        self._step_moving(i, frame, ok)
        self.fault_bits.append(self.fault_bits[-1] if self.fault_bits else 0)
        self.phase_up.append(self.rep_counter.up if self.rep_counter is not None else False)
        if onset >= 0:
            now_in = self.position.state
            self._rewrite(onset, i, lambda k: self.in_pos.__setitem__(k, now_in))
            self.events.append(Event(self.t[onset], "position_entered" if now_in else "position_left"))
            if not now_in:
                self._forgive_exit(onset, i)
        return raw_in

    def _step_moving(self, i: int, frame: FrameInput, ok: bool) -> None:
        if frame.active == math.inf:  # the exercise has no Signals.active: every frame counts
            self.moving.append(True)
            return
        hyst = self.timing.position_hysteresis
        raw = ok and frame.active > (-hyst if self.active.state else 0.0)
        onset = self.active.update(i, frame.t, raw)
        self.moving.append(self.active.state)
        if onset >= 0:
            now_moving = self.active.state
            self._rewrite(onset, i, lambda k: self.moving.__setitem__(k, now_moving))

    def _step_faults(self, i: int, frame: FrameInput, raw_in: bool) -> None:
        """4. Faults, each with its own hysteresis and minimum duration. Looked for only in position
        (raw, so a fault present on entry is timed from the entry, not from when it was confirmed);
        top faults only near the top of a rep."""
        near_peak = self.rep_counter is not None and self.rep_counter.near_peak
        for n, spec in enumerate(self.specs):
            if spec.scope in PER_REP:
                continue
            state = self.fault_state[n]
            in_scope = raw_in and (near_peak if spec.scope == "top" else True)
            raw = in_scope and frame.faults[n] > (-self.fault_hyst if state.state else 0.0)
            onset = state.update(i, frame.t, raw)
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
                    self._last_fault_end = (frame.t, spec.praise)
            elif state.state != bool(self.fault_bits[i] & bit):
                self.fault_bits[i] ^= bit

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

    def _active(self, i: int) -> tuple[str, ...]:
        """Faults on at frame i, most important first (a rep's faults are its own, not a frame's)."""
        return tuple(
            name
            for n, name in enumerate(self.fault_names)
            if self.fault_bits[i] >> n & 1 and self.specs[n].scope not in PER_REP
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
            hold += self.dt[i] * self.counted(i)
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
        """Close what is open at the end of the stream (see RepCounter.finish for a rep)."""
        end = self.t[-1] if self.t else 0.0
        if self.rep_counter is not None:
            self.rep_counter.finish(last_value, end)
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
