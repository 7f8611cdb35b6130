"""A session's outputs for people and programs: report.json, frames.csv, timeline.png, and a
short table for the terminal. Every file is written atomically (a temporary name, then a rename),
so a reader never sees half a file and an interrupted run leaves the previous one intact.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from formcheck.exercises import EXERCISES
from formcheck.exercises.base import REASONS
from formcheck.judging.session import Judgement


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open `<name>.part` beside `path` for writing; rename it to `path` if the block succeeds,
    delete it if the block raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def json_safe(value: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, numpy scalars and arrays -> Python, paths -> str."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value


def write_json(path: Path | str, data: dict) -> None:
    """Write `data` as indented JSON (NaN -> null), atomically."""
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


# -- frames.csv -----------------------------------------------------------------------------

FRAME_COLUMNS = (
    "frame",
    "time_s",
    "judged",
    "unjudged_reason",
    "in_position",
    "phase",
    "reps",
    "good_reps",
    "in_position_s",  # running totals; for reps, the report's hold_s is the time at the tops
    "good_form_s",
    "faults",
    "cue",
)


def _num(value: float, digits: int = 2) -> str:
    """Rounded, '' for NaN/inf, never '-0.0'."""
    value = float(value)
    if not math.isfinite(value):
        return ""
    return repr(round(value, digits) + 0.0)


def unjudged_reason_name(code: int) -> str:
    """The name of why a frame was not judged ('settling' while the judge waits out a glitch)."""
    return REASONS[code][0] if code in REASONS else "settling"


def write_frames_csv(path: Path | str, judgement: Judgement) -> None:
    """One row per frame: the judge's state, then every feature (2 decimals, empty for NaN)."""
    features = judgement.signals.features
    names = list(features)
    columns = list(FRAME_COLUMNS)
    sides = judgement.exercise.reports_sides
    if sides:
        columns.insert(columns.index("faults"), "side")
    columns += names
    values = [np.asarray(features[n], dtype=np.float64) for n in names]
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, s in enumerate(judgement.final_states):
            row: list[object] = [
                s.index,
                _num(s.t, 3),
                int(s.judged),
                "" if s.judged else unjudged_reason_name(s.reason),
                int(s.in_position),
                s.phase,
                s.reps,
                s.good_reps,
                _num(s.hold_s),
                _num(s.good_hold_s),
            ]
            if sides:
                row.append(s.side)
            row += [";".join(s.faults), s.cue]
            row += [_num(v[i]) for v in values]
            writer.writerow(row)


# -- timeline.png ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    threshold: str  # key in exercise.t
    sign: float  # the line is drawn at sign * exercise.t[threshold]
    label: str
    feature: str  # the plotted signal it applies to (drawn in that signal's colour)


@dataclass(frozen=True)
class SignalPlot:
    features: tuple[str, ...]
    limits: tuple[Limit, ...]
    ylabel: str


# What the top panel of the timeline shows for each exercise. An exercise missing here gets
# its first feature plotted, without limits.
TIMELINE_SIGNALS: dict[str, SignalPlot] = {
    "plank": SignalPlot(
        ("hip_bend_deg",),
        (Limit("hip_pike_deg", 1, "pike limit", "hip_bend_deg"), Limit("hip_sag_deg", -1, "sag limit", "hip_bend_deg")),
        "hip bend (deg)\n+ piked / − sagging",
    ),
    "glute_bridge": SignalPlot(
        ("hip_lift_deg",),
        (
            Limit("arch_deg", 1, "arch limit", "hip_lift_deg"),
            Limit("rep_top", 1, "rep top line", "hip_lift_deg"),
            Limit("hip_low_deg", -1, "too-low limit", "hip_lift_deg"),
        ),
        "hip lift (deg)\n0 = knees-hips-shoulders straight",
    ),
    "superman": SignalPlot(
        ("arm_lift_deg", "leg_lift_deg", "chest_lift_deg"),
        (
            Limit("arm_lift_deg", 1, "arms lifted", "arm_lift_deg"),
            Limit("leg_lift_deg", 1, "legs lifted", "leg_lift_deg"),
            Limit("over_arch_deg", 1, "over-arch limit", "chest_lift_deg"),
        ),
        "lift above horizontal (deg)",
    ),
    "side_plank": SignalPlot(
        ("hip_bend_deg",),
        (
            Limit("hip_pike_deg", 1, "pike limit", "hip_bend_deg"),
            Limit("hip_drop_deg", -1, "drop limit", "hip_bend_deg"),
        ),
        "hip bend (deg)\n+ piked / − dropped",
    ),
}

SIGNAL_COLOURS = ("#1f4e9c", "#0f8b8d", "#6a3d9a")
FAULT_COLOURS = ("#e41a1c", "#ff7f00", "#e7298a", "#a65628", "#d4a000", "#984ea3", "#f781bf")
IN_POSITION_COLOUR = "#d8f0d2"
UNJUDGED_COLOUR = "#c8c8c8"
GOOD_REP = "#2e7d32"
BAD_REP = "#c62828"


def pretty(name: str) -> str:
    """'hips_sagging' -> 'hips sagging'."""
    return name.replace("_", " ")


def _frame_runs(times: np.ndarray, flags: list[bool], end_t: float) -> list[tuple[float, float]]:
    """(start_s, end_s) of each run of True flags; a run ends at the next frame's time."""
    runs: list[tuple[float, float]] = []
    start: int | None = None
    for k, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((float(times[start]), float(times[k]) if k < len(times) else end_t))
            start = None
    return runs


def _signal_plot(judgement: Judgement) -> SignalPlot:
    ex = judgement.exercise
    features = judgement.signals.features
    spec = TIMELINE_SIGNALS.get(ex.name)
    if spec is not None:
        present = tuple(f for f in spec.features if f in features)
        if present:
            limits = tuple(lim for lim in spec.limits if lim.feature in present)
            return SignalPlot(present, limits, spec.ylabel)
    first = ex.key_feature if ex.key_feature in features else next(iter(features), "")
    unit = " (deg)" if first.endswith("_deg") else ""
    return SignalPlot((first,) if first else (), (), pretty(first.removesuffix("_deg")) + unit)


def is_rep_exercise(summary: dict) -> bool:
    """Whether the summary is of a rep exercise (by its exercise's kind, else by its reps)."""
    cls = EXERCISES.get(str(summary.get("exercise", "")))
    if cls is not None:
        return cls.kind == "reps"
    return bool(summary.get("rep_details"))


def headline(summary: dict, title: str) -> str:
    """'Plank: good form 12.3 s of 15.0 s in position (82 %)' / 'Glute bridge: 12 reps, 10 good'."""
    if is_rep_exercise(summary):
        text = f"{title}: {summary.get('reps', 0)} reps, {summary.get('good_reps', 0)} good"
    else:
        hold, good = max(summary.get("hold_s") or 0.0, 0.0), max(summary.get("good_hold_s") or 0.0, 0.0)
        if hold > 0:
            text = f"{title}: good form {good:.1f} s of {hold:.1f} s in position ({100 * good / hold:.0f} %)"
        else:
            text = f"{title}: never in position"
        if summary.get("reps"):
            text += f", {summary['reps']} reps"
    if summary.get("partial"):
        text += " — PARTIAL (interrupted)"
    return text


def _peak(times: np.ndarray, values: np.ndarray | None, start: float, end: float) -> tuple[float, float] | None:
    """(time, value) of the highest point of `values` in [start, end], if any is finite."""
    if values is None:
        return None
    mask = (times >= start) & (times <= end) & np.isfinite(values)
    if not mask.any():
        return None
    k = int(np.flatnonzero(mask)[np.argmax(values[mask])])
    return float(times[k]), float(values[k])


def plot_timeline(path: Path | str, judgement: Judgement, summary: dict) -> None:
    """Draw the session over time: the key signal with its limits on a background that shows
    when the body was in position (green) or could not be judged (grey), a coloured strip per
    fault, each rep numbered at its peak; below, one lane per fault (and the reps). Atomic PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ex = judgement.exercise
    times = np.asarray(judgement.times_s, dtype=np.float64)
    states = judgement.final_states
    dt_last = float(times[-1] - times[-2]) if len(times) > 1 else 1 / 30
    t0 = float(times[0]) if len(times) else 0.0
    t1 = float(times[-1]) + dt_last if len(times) else 1.0
    faults = summary.get("faults", [])
    reps = summary.get("rep_details", [])
    fault_names = [f.name for f in ex.faults if any(s["name"] == f.name for s in faults)]
    fault_names += sorted({s["name"] for s in faults} - set(fault_names))
    fault_colour = {name: FAULT_COLOURS[k % len(FAULT_COLOURS)] for k, name in enumerate(fault_names)}
    lanes = (["reps"] if reps else []) + fault_names  # holds with reps too (knee taps, hip dips)

    fig = Figure(figsize=(13, 6.0 + 0.3 * max(len(lanes) - 2, 0)), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=[3.2, 0.8 + 0.42 * max(len(lanes), 1)])
    ax = fig.add_subplot(grid[0])
    lane_ax = fig.add_subplot(grid[1], sharex=ax)

    # Background: in position (the time that counts) and not judged.
    in_pos = _frame_runs(times, [s.judged and s.in_position for s in states], t1)
    unjudged = _frame_runs(times, [not s.judged for s in states], t1)
    for a, b in in_pos:
        ax.axvspan(a, b, color=IN_POSITION_COLOUR, zorder=0, lw=0)
    for a, b in unjudged:
        ax.axvspan(a, b, facecolor=UNJUDGED_COLOUR, zorder=0, lw=0, hatch="//", edgecolor="#a8a8a8")

    # Signals and their limits, each limit labelled on its line.
    plot = _signal_plot(judgement)
    features = {f: np.asarray(judgement.signals.features[f], dtype=np.float64) for f in plot.features}
    colours = {f: SIGNAL_COLOURS[k % len(SIGNAL_COLOURS)] for k, f in enumerate(plot.features)}
    handles: list[Any] = []
    # Values the judge did not use (nobody, a joint missing, wrong view) are often wild: draw
    # them faint and keep them out of the y range.
    judged = np.array([s.judged for s in states], dtype=bool)
    if len(judged) != len(times):
        judged = np.ones(len(times), dtype=bool)
    for f, values in features.items():
        ax.plot(times, values, color=colours[f], lw=1.0, alpha=0.3, zorder=3)
        (line,) = ax.plot(
            times,
            np.where(judged, values, np.nan),
            color=colours[f],
            lw=1.8,
            zorder=3,
            label=pretty(f.removesuffix("_deg")),
        )
        handles.append(line)
    if not judged.all():
        handles.append(Line2D([], [], color="#1f4e9c", lw=1.0, alpha=0.3, label="(faint: not judged)"))
    limits = [(lim.sign * float(ex.t[lim.threshold]), lim) for lim in plot.limits if lim.threshold in ex.t]
    limit_ys = [y for y, _ in limits]
    used = [v[judged & np.isfinite(v)] for v in features.values()]
    if not sum(u.size for u in used):  # nothing judged: the faint curve is all there is
        used = [v[np.isfinite(v)] for v in features.values()]
    values = np.concatenate([*used, np.zeros(0)])
    # A robust range: a few frames of a scene cut should not flatten the whole curve.
    ends = [float(np.percentile(values, 0.5)), float(np.percentile(values, 99.5))] if values.size else []
    lo, hi = min([*ends, *limit_ys], default=0.0), max([*ends, *limit_ys], default=1.0)
    span_y = max(hi - lo, 1.0)
    # Headroom on top for one strip per fault, above the data.
    strip = 0.045
    top_room = strip * len(fault_names) + 0.04
    ax.set_ylim(lo - 0.06 * span_y, hi + span_y * (0.06 + top_room) / (1 - top_room))
    limits.sort(key=lambda item: item[0])
    for k, (y, lim) in enumerate(limits):
        # Label above the line, or below it when the next limit up is too close for both.
        crowded = k + 1 < len(limits) and limits[k + 1][0] - y < 0.09 * span_y
        ax.axhline(y, color=colours[lim.feature], ls="--", lw=1.1, alpha=0.9, zorder=2)
        ax.annotate(
            f"{lim.label} {y:+.0f}°",
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(-4, -2 if crowded else 2),
            textcoords="offset points",
            ha="right",
            va="top" if crowded else "bottom",
            fontsize=8,
            color=colours[lim.feature],
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
            zorder=4,
        )
    if limits:
        handles.append(Line2D([], [], color="#555555", ls="--", lw=1.1, label="limit (labelled on the line)"))
    for k, name in enumerate(fault_names):
        for s in faults:
            if s["name"] == name:
                ax.axvspan(
                    s["start_s"],
                    s["end_s"],
                    ymin=1 - strip * (k + 1),
                    ymax=1 - strip * k - 0.006,
                    color=fault_colour[name],
                    lw=0,
                    zorder=5,
                )
    # Why each longer grey span was not judged, written in it.
    for a, b in unjudged:
        if b - a < 0.06 * (t1 - t0):
            continue
        codes = Counter(s.reason for s, t in zip(states, times, strict=False) if a <= t < b and s.reason)
        if codes:
            ax.text(
                (a + b) / 2,
                0.02,
                pretty(unjudged_reason_name(codes.most_common(1)[0][0])),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#333333",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
                zorder=6,
            )
    ax.set_ylabel(plot.ylabel)
    ax.grid(axis="y", color="#e0e0e0", lw=0.8, zorder=0)
    ax.set_axisbelow(True)

    # Reps: numbered at their peak, green if good, red if a fault was found.
    first = features[plot.features[0]] if plot.features else None
    for rep in reps:
        colour = GOOD_REP if rep.get("good") else BAD_REP
        peak = _peak(times, first, rep["start_s"], rep["end_s"])
        if peak is None:
            continue
        ax.plot(*peak, marker="o", ms=6, color=colour, zorder=6, mec="white", mew=1)
        ax.annotate(
            str(rep["rep"]),
            peak,
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            color=colour,
            zorder=6,
        )

    handles.append(Patch(facecolor=IN_POSITION_COLOUR, label="in position (timed)"))
    handles.append(Patch(facecolor=UNJUDGED_COLOUR, hatch="//", edgecolor="#a8a8a8", label="not judged"))
    for name in fault_names:
        handles.append(Patch(facecolor=fault_colour[name], label=f"fault: {pretty(name)}"))
    if reps:
        handles.append(Line2D([], [], color=GOOD_REP, marker="o", ls="none", label="rep (good), numbered"))
        if any(not r.get("good") for r in reps):
            handles.append(Line2D([], [], color=BAD_REP, marker="o", ls="none", label="rep with a fault"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
    ax.tick_params(labelbottom=False)
    not_judged = summary.get("unjudged_s") or 0.0
    ax.set_title(
        f"{summary.get('duration_s', t1 - t0):.1f} s of video, {not_judged:.1f} s not judged",
        loc="right",
        fontsize=9,
        color="#555555",
    )

    # Lane chart: one row per fault (and the reps), so what went wrong when reads at a glance.
    height = 0.62
    for row, lane in enumerate(lanes):
        if lane == "reps":
            for rep in reps:
                colour = GOOD_REP if rep.get("good") else BAD_REP
                lane_ax.broken_barh(
                    [(rep["start_s"], max(rep["end_s"] - rep["start_s"], 0.05))],
                    (row - height / 2, height),
                    facecolors=colour,
                    alpha=0.85,
                )
                lane_ax.text(
                    (rep["start_s"] + rep["end_s"]) / 2,
                    row,
                    str(rep["rep"]),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                    fontweight="bold",
                )
        else:
            bars = [(s["start_s"], max(s["end_s"] - s["start_s"], 0.05)) for s in faults if s["name"] == lane]
            lane_ax.broken_barh(bars, (row - height / 2, height), facecolors=fault_colour[lane])
    for a, b in unjudged:
        lane_ax.axvspan(a, b, facecolor=UNJUDGED_COLOUR, alpha=0.45, zorder=0, lw=0)
    fault_time = summary.get("fault_time_s", {})
    labels = []
    for lane in lanes:
        if lane == "reps":
            labels.append(f"reps ({summary.get('good_reps', 0)} of {summary.get('reps', 0)} good)")
        else:
            labels.append(f"{pretty(lane)} ({fault_time.get(lane, 0):.1f} s)")
    lane_ax.set_yticks(range(len(lanes)), labels)
    lane_ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)
    title = "faults over time" + (" and reps (green = good, red = with a fault)" if "reps" in lanes else "")
    if not fault_names:
        title += ": none found"
        if not lanes:
            never = not in_pos
            lane_ax.text(
                0.5,
                0.5,
                "never in position: nothing was judged" if never else "no faults found",
                transform=lane_ax.transAxes,
                ha="center",
                va="center",
                color="#555555" if never else GOOD_REP,
                fontsize=12,
            )
            lane_ax.set_yticks([])
    lane_ax.set_title(title, fontsize=10, loc="left")
    lane_ax.set_xlabel("time (s)")
    lane_ax.grid(axis="x", color="#e0e0e0", lw=0.8)
    lane_ax.set_axisbelow(True)
    ax.set_xlim(t0, t1)

    fig.suptitle(
        headline(summary, ex.title + (f" ({pretty(ex.variant)})" if ex.variant else "")),
        fontsize=13,
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png")


# -- terminal table -------------------------------------------------------------------------


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{max(float(value), 0.0):.1f} s"


def format_summary_table(summary: dict) -> str:
    """A compact text table of a session's report, for the terminal."""
    rows: list[tuple[str, str]] = []
    name = str(summary.get("exercise", "?"))
    if summary.get("variant"):
        name += f" ({summary['variant']})"
    rows.append(("Exercise", name))
    rows.append(("Duration", _secs(summary.get("duration_s"))))
    reps = summary.get("rep_details") or []
    if is_rep_exercise(summary):
        n, good = summary.get("reps", 0), summary.get("good_reps", 0)
        rows.append(("Reps", f"{n} ({good} good)" if n else "0"))
        bad = [r for r in reps if not r.get("good")]
        if bad:
            rows.append(
                (
                    "Reps with faults",
                    ", ".join(f"{r['rep']} ({', '.join(pretty(f) for f in r.get('faults', []))})" for r in bad),
                )
            )
        if summary.get("hold_s"):
            rows.append(("Time at the top", _secs(summary.get("hold_s"))))
    else:
        hold, good = summary.get("hold_s") or 0.0, summary.get("good_hold_s") or 0.0
        share = summary.get("good_share")
        rows.append(("In position", _secs(hold)))
        pct = f" ({100 * max(share, 0.0):.0f} %)" if share is not None else ""
        rows.append(("Good form", _secs(good) + pct))
        if summary.get("reps"):
            rows.append(("Reps", f"{summary['reps']} ({summary.get('good_reps', 0)} good)"))
    for side, times in (summary.get("sides") or {}).items():
        h, g = times.get("hold_s", 0.0), times.get("good_hold_s", 0.0)
        share = f" ({100 * g / h:.0f} %)" if h else ""
        rows.append((f"  {side} side", f"{_secs(h)} in position, {_secs(g)} good{share}"))
    spans = summary.get("faults") or []
    fault_time = summary.get("fault_time_s") or {}
    names = list(fault_time) + sorted({s["name"] for s in spans} - set(fault_time))
    if names:
        width = max(len(pretty(n)) for n in names)
        for k, fault in enumerate(names):
            count = sum(1 for s in spans if s["name"] == fault)
            cue = next((s.get("cue", "") for s in spans if s["name"] == fault and s.get("cue")), "")
            times = f"{count} time" if count == 1 else f"{count} times"
            text = f"{pretty(fault):<{width}}  {_secs(fault_time.get(fault)):>7}  {times:<8}"
            if cue:
                text += f'  "{cue}"'
            rows.append(("Faults" if k == 0 else "", text))
    else:
        rows.append(("Faults", "none"))
    unjudged_s = summary.get("unjudged_s") or 0.0
    reasons = summary.get("unjudged_reasons") or {}
    detail = ", ".join(f"{pretty(r)} {_secs(v)}" for r, v in reasons.items())
    rows.append(("Not judged", _secs(unjudged_s) + (f" ({detail})" if detail and unjudged_s else "")))
    if summary.get("partial"):
        rows.append(("PARTIAL", "the run was interrupted; this covers only what was seen"))
    key_w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{key_w}}  {v}".rstrip() for k, v in rows)
