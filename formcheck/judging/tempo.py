"""How long a rep took to rise and to fall back, and the "tempo" faults judged from it (legs
dropped much faster than they were lifted, a back extension jerked up). A rise or fall is timed
from 10% to 90% of the rep's range, because its ends are flat and noisy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from formcheck.judging.records import Event, Rep

if TYPE_CHECKING:
    from formcheck.judging.judge import Judge
    from formcheck.judging.reps import RepCounter

TEMPO_BAND = 0.1  # a rise or fall is timed from 10% to 90% of the rep's range (the ends are flat)


@dataclass
class _Descent:
    """The way down of the last rep, being followed."""

    rep: Rep
    peak_i: int
    peak: float
    floor: float  # back down at this level, the fall is over
    band: float
    low: float = math.inf
    low_i: int = -1


class Tempo:
    def __init__(self, judge: Judge, counter: RepCounter) -> None:
        self.j, self.c = judge, counter
        self._descent: _Descent | None = None

    def _crossing(self, start: int, stop: int, level: float, above: bool, last: bool) -> int:
        """The first (or last) frame in [start, stop) whose signal is at or above (below) level."""
        ks = range(stop - 1, start - 1, -1) if last else range(start, stop)
        for k in ks:
            v = self.c.lift[k]
            if v == v and (v >= level if above else v <= level):
                return k
        return -1

    def _faults(self, rep: Rep, phase: str, span: tuple[float, float]) -> None:
        """Add the tempo faults of one phase ("up"/"down") of a rep, now that its time is known."""
        j = self.j
        for name, (margin, blamed) in j.ex.tempo_margins(rep.up_s, rep.down_s).items():
            if blamed != phase or not margin > 0 or name in rep.faults:
                continue
            rep.faults.append(name)
            rep.spans[name] = span
            spec = j.ex.fault_specs[name]
            j.events.append(Event(span[0], "fault_started", name, spec.cue, {"rep": rep.number, "tempo": phase}))
            j.events.append(Event(span[1], "fault_ended", name, "", {"rep": rep.number, "tempo": phase}))

    def time_rise(self, rep: Rep) -> None:
        """Time the rep's rise (10% to 90% of trough to peak) and start following its way down."""
        c = self.c
        low, high = c.rep_trough, c.peak
        if not (low == low and high > low):
            return
        band = TEMPO_BAND * (high - low)
        k_hi = self._crossing(c.rep_trough_i, c.peak_i + 1, high - band, above=True, last=False)
        k_lo = self._crossing(c.rep_trough_i, k_hi + 1, low + band, above=False, last=True) if k_hi >= 0 else -1
        if k_lo >= 0:
            rep.up_s = self.j.t[k_hi] - self.j.t[k_lo]
            self._faults(rep, "up", (self.j.t[k_lo], self.j.t[k_hi]))
        self._descent = _Descent(rep, c.peak_i, high, low + band, band)

    def follow(self, i: int, value: float) -> None:
        d = self._descent
        if d is None:
            return
        if value < d.low:
            d.low, d.low_i = value, i
        if value <= d.floor:
            self._end_descent(reached_floor=True)

    def next_rep_began(self) -> None:
        """The last rep's way down ended where the next one began."""
        self._end_descent(reached_floor=False)

    def cut(self) -> None:
        self._descent = None  # the way down was cut off: not timed

    def finish(self) -> None:
        self._end_descent(reached_floor=False)

    def _end_descent(self, reached_floor: bool) -> None:
        """Time the last rep's fall from 10% to 90% (of the way back to its start, or of the fall
        it made if it did not get back down)."""
        d, self._descent = self._descent, None
        if d is None or d.low_i < 0:
            return
        if reached_floor:
            high, low = d.peak - d.band, d.floor
        else:
            band = TEMPO_BAND * (d.peak - d.low)
            high, low = d.peak - band, d.low + band
        k_lo = self._crossing(d.peak_i, d.low_i + 1, low, above=False, last=False)
        k_hi = self._crossing(d.peak_i, k_lo + 1, high, above=True, last=True) if k_lo >= 0 else -1
        if k_hi >= 0 and d.peak - d.low > 0:
            d.rep.down_s = self.j.t[k_lo] - self.j.t[k_hi]
            self._faults(d.rep, "down", (self.j.t[k_hi], self.j.t[k_lo]))
