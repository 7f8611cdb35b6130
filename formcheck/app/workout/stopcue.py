"""The stop cue: a set whose form gives way is ended ("Your form is slipping — end this set and rest").

The overuse the article warns about is going on once the form has gone. Compared is the set with
its own start: for a hold, the good-form share of the last `stop_recent_s` seconds in position
against the share over its first `stop_start_s`; for reps, the good share of the last
`stop_recent_reps` reps against the first `stop_start_reps`. The cue fires once the recent share
has fallen `stop_share_drop` below the start's, or to `stop_floor_share` or less whatever the start
was (a set bad from its first seconds, whose faults the cues did not fix, has nothing better to
slip from but is failing all the same). Both wait for the start and the recent window to be seen.
The thresholds and their reasons are in the [workout] table of thresholds.toml.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from formcheck.judging.records import FrameState

STOP_CUE = "Your form is slipping — end this set and rest"


@dataclass(frozen=True)
class StopSettings:
    start_s: float
    recent_s: float
    start_reps: int
    recent_reps: int
    share_drop: float
    floor_share: float

    @classmethod
    def from_thresholds(cls, t: Mapping[str, float]) -> StopSettings:
        return cls(
            start_s=t["stop_start_s"],
            recent_s=t["stop_recent_s"],
            start_reps=max(1, round(t["stop_start_reps"])),
            recent_reps=max(1, round(t["stop_recent_reps"])),
            share_drop=t["stop_share_drop"],
            floor_share=t["stop_floor_share"],
        )


class FormSlipping:
    """Fed every judged frame's state of one set; `update` returns the reason (one line) the
    first time the form has slipped, else None."""

    def __init__(self, settings: StopSettings, reps: bool) -> None:
        self.s = settings
        self.reps = reps
        self.fired: str | None = None
        self.start_share: float | None = None
        self.recent_share: float | None = None
        self._prev: FrameState | None = None
        self._held = 0.0  # seconds in position so far
        self._start = [0.0, 0.0]  # (good, held) seconds over the first start_s in position
        self._recent: deque[tuple[float, float]] = deque()  # (good, held) increments, newest last
        self._rep_good: list[bool] = []

    def update(self, state: FrameState) -> str | None:
        prev, self._prev = self._prev, state
        if self.fired is not None or prev is None:
            return None
        if self.reps:
            for k in range(prev.reps, state.reps):  # each rep completed since the last frame
                self._rep_good.append(state.good_reps - prev.good_reps > k - prev.reps)
            return self._check_reps()
        held = max(0.0, state.hold_s - prev.hold_s)
        good = min(held, max(0.0, state.good_hold_s - prev.good_hold_s))
        if held <= 0:
            return None
        if self._held < self.s.start_s:
            self._start[0] += good
            self._start[1] += held
        self._held += held
        self._recent.append((good, held))
        total = sum(h for _, h in self._recent)
        while self._recent and total - self._recent[0][1] >= self.s.recent_s:
            total -= self._recent.popleft()[1]
        if self._held < self.s.start_s + self.s.recent_s:
            return None
        self.start_share = self._start[0] / self._start[1]
        self.recent_share = sum(g for g, _ in self._recent) / total
        return self._verdict(f"the last {self.s.recent_s:g} s", f"the first {self.s.start_s:g} s")

    def _check_reps(self) -> str | None:
        done = self._rep_good
        if len(done) < self.s.start_reps + self.s.recent_reps:
            return None
        first, last = done[: self.s.start_reps], done[-self.s.recent_reps :]
        self.start_share = sum(first) / len(first)
        self.recent_share = sum(last) / len(last)
        return self._verdict(f"the last {len(last)} reps", f"the first {len(first)}")

    def _verdict(self, recent: str, start: str) -> str | None:
        assert self.start_share is not None and self.recent_share is not None
        now, then = f"{self.recent_share:.0%} over {recent}", f"{self.start_share:.0%} over {start}"
        if self.recent_share <= self.start_share - self.s.share_drop:
            self.fired = f"good form fell to {now} from {then}"
        elif self.recent_share <= self.s.floor_share:
            self.fired = f"good form only {now} (and {then})"
        return self.fired
