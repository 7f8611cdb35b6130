"""The judge's plain records: a frame's input, a debounced boolean, events, reps, what to show."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class FrameInput(NamedTuple):
    """One frame's signals, as the judge reads them (see Signals)."""

    t: float
    reason: int
    position: float  # > 0 in position
    faults: Sequence[float]  # per fault, > 0 at fault
    lift: float = math.nan  # the rep signal
    cut: bool = False  # a scene cut
    side: str = ""  # the side label
    measures: Sequence[float] = ()  # the exercise's rep measures (ranges per rep)
    active: float = math.inf  # > 0 moving (holds of movements); inf: no such test
    side_value: float = math.nan  # a value reported per side (Signals.side_value)


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
    side: str = ""  # the side label most seen at the top (which limb, for one-sided reps)
    peak: float = math.nan  # the rep signal's highest value (how high the rep went)
    ranges: dict[str, float] = field(default_factory=dict)  # each rep measure's max - min over the rep
    up_s: float = math.nan  # seconds the rep signal took to rise, 10% to 90% of the rep's range
    down_s: float = math.nan  # ... and to fall back (NaN until the way down has ended)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)  # tempo faults: the phase at fault

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
