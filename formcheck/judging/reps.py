"""Counting reps on an exercise's rep signal (`Signals.lift`), for the Judge.

A rep is counted by prominence: up once the signal is past the top line *and* has risen enough
from its last trough; down again once it has fallen enough from the rep's peak. After a scene cut,
a long stretch unseen, or at the start, a bottom must be seen before a rise can count. Near the
peak ("the top") the rep's top faults are judged and its time at the top is kept; when it
completes, its faults, side, peak and the ranges of the exercise's rep measures are recorded.
A top held that is no rep (the recording opened in it, or ended in it) is timed as a hold.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from formcheck.exercises.base import JUDGEABLE, RepSpec
from formcheck.judging.records import Debounce, Event, FrameInput, Rep
from formcheck.judging.tempo import Tempo

if TYPE_CHECKING:
    from formcheck.judging.judge import Judge

STILL_DEG = 1.0  # a rep signal changing less than this per frame is "still" ...
STILL_S = 0.5  # ... and still for this long at the bottom counts as a seen bottom


class RepCounter:
    def __init__(self, judge: Judge, spec: RepSpec) -> None:
        self.j, self.p = judge, spec
        self.top = Debounce(judge.timing.min_top_s, judge.timing.min_bottom_s)
        self.reset_unseen_s = judge.ex.t["rep_reset_unseen_s"]
        self.measure_names = tuple(judge.ex.rep_measures)
        self.lift: list[float] = []  # per frame, NaN where the frame was not judgeable
        self.near_top: list[bool] = []  # per frame, at the top of a rep (or of a hold at the top)
        self.measures: list[tuple[float, ...]] = []
        self.tempo = Tempo(judge, self) if any(s.scope == "tempo" for s in judge.specs) else None
        # Time held at the top outside counted reps (RepSpec.hold_level).
        self.extra_hold_s = 0.0
        self.extra_good_hold_s = 0.0
        self.after_cut = False
        self._last_ok_t: float | None = None
        self._clear_top()
        self._reset(0.0)

    @property
    def up(self) -> bool:
        return self.top.state

    # -- state ------------------------------------------------------------------------------

    def _clear_top(self) -> None:
        """Forget the top of the rep in progress (counted, or cut off)."""
        self.near_peak = False
        self._top_at: float | None = None
        self._top_i = -1
        self._left_bottom_at: float | None = None
        self._top_time = 0.0
        self._top_margins: list[list[float]] = [[] for _ in self.j.specs]
        self._top_sides: Counter[str] = Counter()
        self._unseen_top = False

    def _reset(self, t: float) -> None:
        """Forget where the signal was: at the start, after a cut or a long stretch unseen."""
        self.phase = "unknown"
        self.trough, self._trough_t, self.peak = math.inf, t, -math.inf
        self.trough_i = self.peak_i = self.rep_trough_i = len(self.j.t) - 1
        self.rep_trough = math.nan
        self._unknown_max, self._unknown_last, self._still_since = -math.inf, math.nan, t

    def _cut(self, t: float) -> None:
        """What happened across a cut (or while unseen) was not seen: start afresh."""
        if self.tempo is not None:
            self.tempo.cut()
        self._clear_top()  # a top the cut interrupted is not carried into the next rep
        self._reset(t)
        self.after_cut = True
        self.top.state = False
        self.top.since_i = -1

    # -- one frame --------------------------------------------------------------------------

    def step(self, i: int, frame: FrameInput, ok: bool) -> None:
        self.lift.append(frame.lift if ok else math.nan)
        self.near_top.append(False)
        if self.measure_names:
            self.measures.append(tuple(frame.measures))
        last_seen = self._last_ok_t if self._last_ok_t is not None else self.j.t[0]
        if frame.cut or (ok and frame.t - last_seen > self.reset_unseen_s):
            self._cut(frame.t)
        if ok and not frame.cut:
            self._count(i, frame)
        if ok:
            self._last_ok_t = frame.t

    def _count(self, i: int, frame: FrameInput) -> None:
        p, t, value = self.p, frame.t, frame.lift
        if value != value:  # NaN: hold the phase
            return
        if self.tempo is not None:
            self.tempo.follow(i, value)
        if self.phase == "unknown":
            self._find_bottom(i, t, value)
            return
        if self.phase == "down":
            if value <= self.trough:
                self.trough, self._trough_t, self.trough_i = value, t, i
            raw_up = value > p.top and value - self.trough >= p.rise
        else:
            if value >= self.peak:
                self.peak, self.peak_i = value, i
            drop = p.drop
            if p.drop_share and self.rep_trough == self.rep_trough:
                drop = max(drop, p.drop_share * (self.peak - self.rep_trough))
            raw_up = not value < self.peak - drop
        onset = self.top.update(i, t, raw_up)
        # "At the top" is the band near this rep's peak: where a hold is held and top faults
        # are judged, not the whole way up and down.
        if self.top.state and value >= self.peak:
            self.peak, self.peak_i = value, i
        self.near_peak = self.top.state and value >= self.peak - p.top_band
        if self.near_peak:
            self._at_top(i, frame)
        if onset < 0:
            return
        for k in range(onset, i + 1):
            self.j.phase_up[k] = self.top.state
        if self.top.state:
            self._rep_started(onset)
        else:
            self.phase, self.trough, self._trough_t, self.trough_i = "down", value, t, i
            self._complete(self.j.t[onset])
            self.peak = -math.inf

    def _find_bottom(self, i: int, t: float, value: float) -> None:
        """At the start of a recording, anything below the top line is the bottom. After a
        scene cut the shot may open mid-lift, so a bottom counts as seen only once the signal is
        deep (a whole rise below the top line). Falling or still is a bottom either way: a new
        camera angle can read the resting level above the top line, and the next rep is counted
        by its rise from here. A recording that opens at a held top (RepSpec.hold_level) opens
        in a hold: timed as one, but its lift was not seen, so it is no rep."""
        p = self.p
        if p.hold_level is not None and value >= p.hold_level and not self.after_cut:
            self.phase, self._unseen_top = "up", True
            self.top.state, self.top.since_i = True, -1
            self.rep_trough = p.hold_level  # its rise is unknown: at least up from the level
            self._top_at, self._top_i, self.peak, self.peak_i = t, i, value, i
            self.near_peak = True
            self.near_top[i] = True
            self._top_time += self.j.dt[i]
            return
        if value > self._unknown_max:
            self._unknown_max, self._still_since = value, t
        elif abs(value - self._unknown_last) > STILL_DEG:
            self._still_since = t
        self._unknown_last = value
        below = value < p.top - p.hysteresis or p.top == -math.inf  # rise-only: no top line
        falling = value < self._unknown_max - p.drop / 3
        still = t - self._still_since >= STILL_S
        deep = value < p.top - p.rise
        if falling or still or (below and (not self.after_cut or deep)):
            self.phase, self.trough, self._trough_t, self.trough_i = "down", value, t, i

    def _at_top(self, i: int, frame: FrameInput) -> None:
        self.near_top[i] = True
        self._top_time += self.j.dt[i]
        self._top_sides[frame.side] += 1
        for n, spec in enumerate(self.j.specs):
            if spec.scope == "rep":  # judged on the rep's best frame when it completes
                self._top_margins[n].append(frame.faults[n])

    def _rep_started(self, onset: int) -> None:
        if self.tempo is not None:
            self.tempo.next_rep_began()
        self.phase = "up"
        self._top_at, self._top_i = self.j.t[onset], onset
        self._left_bottom_at = self._trough_t
        self.rep_trough, self.rep_trough_i = self.trough, self.trough_i
        self.j.events.append(Event(self._trough_t, "rep_started"))

    # -- a rep completes --------------------------------------------------------------------

    def _faults_found(self, start: float, end_t: float) -> tuple[list[str], dict[str, float]]:
        j = self.j
        found: list[str] = []
        for n, spec in enumerate(j.specs):
            margins = [m for m in self._top_margins[n] if m == m]  # drop NaN
            if spec.scope == "rep" and margins and min(margins) > 0:
                found.append(spec.name)  # even the rep's best frame missed the mark
            elif spec.scope == "top" and (j.fault_state[n].state or self._fault_seen_at_top(n)):
                found.append(spec.name)
        ranges = self._ranges(start, end_t)
        found += [name for name in j.ex.rep_faults(ranges) if name not in found]  # the whole rep's range
        return found, ranges

    def _complete(self, end_t: float) -> None:
        j, p = self.j, self.p
        top_at = self._top_at if self._top_at is not None else end_t
        start = self._left_bottom_at if self._left_bottom_at is not None else top_at
        found, ranges = self._faults_found(start, end_t)
        counted = j.in_pos[-1] if j.in_pos else False
        if end_t - top_at > p.max_top_s or self.peak > p.max_peak:
            counted = False
        elif not p.needs_position:
            counted = True
        if self._unseen_top:  # a hold the recording opened in: timed, not a rep
            self.credit_hold(self._top_i, len(j.t))
            counted = False
        if counted:
            side = self._top_sides.most_common(1)[0][0] if self._top_sides else ""
            rep = Rep(len(j.reps) + 1, start, top_at, end_t, self._top_time, found, side, self.peak, ranges)
            j.reps.append(rep)
            if self.tempo is not None:
                self.tempo.time_rise(rep)
            self._rep_events(rep, top_at, end_t)
        self._clear_top()

    def _rep_events(self, rep: Rep, top_at: float, end_t: float) -> None:
        j = self.j
        for name in rep.faults:
            spec = j.ex.fault_specs[name]
            if spec.scope == "rep":
                j.events.append(Event(top_at, "fault_started", name, spec.cue, {"rep": rep.number}))
                j.events.append(Event(end_t, "fault_ended", name, "", {"rep": rep.number}))
        detail = {"rep": rep.number, "good": rep.good, "faults": rep.faults, "top_hold_s": round(rep.top_hold_s, 2)}
        j.events.append(Event(end_t, "rep_completed", detail=detail))

    def _fault_seen_at_top(self, n: int) -> bool:
        """A top fault confirmed at any point of this rep's top phase."""
        if self._top_at is None:
            return False
        bit = 1 << n
        j = self.j
        for k in range(len(j.t) - 1, -1, -1):
            if j.t[k] < self._top_at:
                break
            if j.fault_bits[k] & bit:
                return True
        return False

    def _ranges(self, start: float, end: float) -> dict[str, float]:
        """Each rep measure's max - min over the judged frames from `start` to `end` (NaN if unseen)."""
        if not self.measure_names:
            return {}
        j = self.j
        seen: list[list[float]] = [[] for _ in self.measure_names]
        for k in range(len(j.t) - 1, -1, -1):
            if j.t[k] < start:
                break
            if j.t[k] <= end and j.reason[k] == JUDGEABLE:
                for values, v in zip(seen, self.measures[k], strict=False):
                    if v == v:
                        values.append(v)
        return {n: (max(v) - min(v)) if v else math.nan for n, v in zip(self.measure_names, seen, strict=True)}

    def credit_hold(self, start: int, stop: int) -> None:
        """Time frames [start, stop) held at the top (in position) as a hold, if long enough."""
        p, j = self.p, self.j
        if p.hold_level is None:
            return
        held = good = 0.0
        for k in range(max(start, 0), stop):
            if self.near_top[k] and j.counted(k):
                held += j.dt[k]
                good += j.dt[k] * (not j.fault_bits[k] & j.top_mask)
        if held >= p.min_hold_s:
            self.extra_hold_s += held
            self.extra_good_hold_s += good

    def finish(self, last_value: float, end: float) -> None:
        """The stream has ended. A rep on its way down counts if it is past half its drop (a clip
        that ends a moment before the bottom), or at once if its top completes it; one still at
        the top is a hold, if the exercise times held tops."""
        p = self.p
        if self.phase == "up" and (p.top_completes or last_value < self.peak - p.drop / 2):
            self.top.state = False
            self._complete(end)
        elif self.phase == "up" and self.top.state:
            self.credit_hold(self._top_i, len(self.j.t))
        if self.tempo is not None:
            self.tempo.finish()
