"""Sum a judged session up: counts, times, fault spans, what could not be judged.

Works from the judge's per-frame history (already back-dated), so live and offline sessions
produce the same report from the same frames.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from formcheck.exercises.base import REASONS
from formcheck.judging.judge import PER_REP, Judge
from formcheck.judging.records import Rep


@dataclass(frozen=True)
class Span:
    name: str
    start_s: float
    end_s: float
    cue: str = ""

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """[start, stop) frame ranges where flags is True."""
    runs, start = [], None
    for k, flag in enumerate(flags):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((start, k))
            start = None
    if start is not None:
        runs.append((start, len(flags)))
    return runs


def _span_end(judge: Judge, stop: int) -> float:
    """End time of a run ending before frame `stop` (the next frame's time, or one frame on)."""
    if stop < len(judge.t):
        return judge.t[stop]
    return judge.t[-1] + (judge.dt[-1] or 1 / 30)


def fault_spans(judge: Judge, min_s: float | None = None) -> list[Span]:
    """Spans of each fault while counted (judged and in position), shortest dropped."""
    min_s = judge.timing.min_fault_s / 2 if min_s is None else min_s
    spans: list[Span] = []
    counted = [judge.judged[k] and judge.in_pos[k] for k in range(len(judge.t))]
    for n, spec in enumerate(judge.specs):
        if spec.scope in PER_REP:
            continue
        bit = 1 << n
        flags = [counted[k] and bool(judge.fault_bits[k] & bit) for k in range(len(judge.t))]
        for start, stop in _runs(flags):
            span = Span(spec.name, judge.t[start], _span_end(judge, stop), spec.cue)
            if span.duration_s >= min_s or spec.scope == "top":
                spans.append(span)
    for rep in judge.reps:
        for name in rep.faults:
            spec = judge.ex.fault_specs[name]
            if spec.scope == "rep":
                spans.append(Span(name, rep.top_s, rep.end_s, spec.cue))
            elif spec.scope == "tempo" and name in rep.spans:  # the rise or the fall that was too fast
                spans.append(Span(name, *rep.spans[name], spec.cue))
    return sorted(spans, key=lambda s: (s.start_s, s.name))


def unjudged(judge: Judge) -> tuple[float, dict[str, float]]:
    """Seconds not judged, split by reason."""
    by_reason: Counter[str] = Counter()
    for k in range(len(judge.t)):
        if not judge.judged[k]:
            code = judge.reason[k]
            name = REASONS[code][0] if code in REASONS else "settling"
            by_reason[name] += judge.dt[k]
    return sum(by_reason.values()), {k: round(v, 2) for k, v in by_reason.most_common()}


def side_times(judge: Judge) -> dict[str, dict[str, float]]:
    """Per side (or per labelled segment, e.g. which stretch): hold and good-hold time and how many
    separate holds; with a side value (`Exercise.side_value`), its largest and median size while held
    (e.g. how far the trunk turned)."""
    sides: dict[str, dict[str, float]] = {}
    values: dict[str, list[float]] = {}
    previous = ""
    for k in range(len(judge.t)):
        side = judge.side[k]
        if not side or not judge.counted(k):
            previous = ""
            continue
        entry = sides.setdefault(side, {"hold_s": 0.0, "good_hold_s": 0.0, "holds": 0})
        entry["hold_s"] += judge.dt[k]
        entry["holds"] += side != previous
        previous = side
        if not judge.fault_bits[k] & judge.hold_mask:
            entry["good_hold_s"] += judge.dt[k]
        value = judge.side_value[k]
        if value == value:
            values.setdefault(side, []).append(abs(value))
    out = {s: {k: round(v, 2) for k, v in d.items()} for s, d in sorted(sides.items())}
    name = judge.ex.side_value
    for side, seen in values.items():
        if name and seen:
            out[side][f"max_{name}"] = round(max(seen), 1)
            out[side][f"median_{name}"] = round(float(sorted(seen)[len(seen) // 2]), 1)
    return out


def side_reps(judge: Judge) -> dict[str, dict[str, int]]:
    """Reps and good reps per side (the side label at each rep's top), for rep exercises with sides."""
    sides: dict[str, dict[str, int]] = {}
    for rep in judge.reps:
        if rep.side:
            entry = sides.setdefault(rep.side, {"reps": 0, "good_reps": 0})
            entry["reps"] += 1
            entry["good_reps"] += rep.good
    return dict(sorted(sides.items()))


def _num(value: float, digits: int = 2) -> float | None:
    return round(value, digits) if value == value else None  # NaN -> None (JSON has no NaN)


def mean_ranges(judge: Judge) -> dict[str, float | None]:
    """Each rep measure's range averaged over the reps where it was seen (None if never)."""
    out: dict[str, float | None] = {}
    for name in judge.ex.rep_measures:
        seen = [r.ranges[name] for r in judge.reps if r.ranges.get(name, math.nan) == r.ranges.get(name, math.nan)]
        out[name] = _num(sum(seen) / len(seen), 3) if seen else None
    return out


def rep_detail(rep: Rep) -> dict:
    detail = {
        "rep": rep.number,
        "start_s": round(rep.start_s, 2),
        "top_s": round(rep.top_s, 2),
        "end_s": round(rep.end_s, 2),
        "top_hold_s": round(rep.top_hold_s, 2),
        "good": rep.good,
        "faults": rep.faults,
    }
    if rep.side:
        detail["side"] = rep.side
    if rep.peak == rep.peak:
        detail["peak"] = _num(rep.peak, 1)
    if rep.ranges:
        detail["ranges"] = {k: _num(v, 3) for k, v in rep.ranges.items()}
    if rep.up_s == rep.up_s:
        detail["up_s"], detail["down_s"] = _num(rep.up_s), _num(rep.down_s)
    return detail


def summarize(judge: Judge) -> dict:
    """The session's numbers (the core of report.json)."""
    spans = fault_spans(judge)
    unjudged_s, reasons = unjudged(judge)
    fault_time: Counter[str] = Counter()
    for span in spans:
        fault_time[span.name] += span.duration_s
    if judge.ex.kind == "reps":  # for reps, "hold" is the time held at the top of each rep ...
        counter = judge.rep_counter  # ... and at a top held that is no rep (a bridge or a sphinx held)
        extra, extra_good = (counter.extra_hold_s, counter.extra_good_hold_s) if counter else (0.0, 0.0)
        hold_s = sum(r.top_hold_s for r in judge.reps) + extra
        good_hold_s = sum(r.top_hold_s for r in judge.reps if r.good) + extra_good
    else:
        hold_s, good_hold_s = judge.hold_s, judge.good_hold_s
    duration = (judge.t[-1] - judge.t[0] + (judge.dt[-1] if len(judge.dt) > 1 else 0.0)) if judge.t else 0.0
    summary = {
        "exercise": judge.ex.name,
        "variant": judge.ex.variant,
        "duration_s": round(duration, 2),
        "reps": len(judge.reps),
        "good_reps": sum(r.good for r in judge.reps),
        "hold_s": round(hold_s, 2),
        "good_hold_s": round(good_hold_s, 2),
        "good_share": round(good_hold_s / hold_s, 3) if hold_s > 0 else None,
        "in_position_s": round(judge.hold_s, 2),
        "faults": [
            {"name": s.name, "start_s": round(s.start_s, 2), "end_s": round(s.end_s, 2), "cue": s.cue} for s in spans
        ],
        "fault_time_s": {k: round(v, 2) for k, v in fault_time.most_common()},
        "rep_details": [rep_detail(r) for r in judge.reps],
        "unjudged_s": round(unjudged_s, 2),
        "unjudged_reasons": reasons,
    }
    if judge.ex.rep_measures:
        summary["mean_ranges"] = mean_ranges(judge)
    if judge.ex.reports_sides:
        summary["sides"] = side_reps(judge) if judge.ex.kind == "reps" else side_times(judge)
        if judge.ex.kind != "reps":  # a hold whose variant counts reps (dynamic twists, hip dips): per side too
            for side, counts in side_reps(judge).items():
                summary["sides"].setdefault(side, {}).update(counts)
    return summary
