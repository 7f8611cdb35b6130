"""timeline.png: a session over time, for a person to read at a glance.

Top: the exercise's timeline signals (its plots marked `timeline`) with their limit lines, on a
background that shows when the body was in position (green) or could not be judged (grey), a
coloured strip per fault, each rep numbered at its peak, each hold's side (or stretch) named.
Below: one lane per fault (and the reps).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.exercises.base import Exercise, Limit, Plot
from formcheck.files import atomic_write
from formcheck.judging.judgement import Judgement
from formcheck.judging.records import FrameState
from formcheck.outputs.report import headline, pretty, side_name, unjudged_reason_name

SIGNAL_COLOURS = ("#1f4e9c", "#0f8b8d", "#6a3d9a")
FAULT_COLOURS = ("#e41a1c", "#ff7f00", "#e7298a", "#a65628", "#d4a000", "#984ea3", "#f781bf")
IN_POSITION_COLOUR = "#d8f0d2"
UNJUDGED_COLOUR = "#c8c8c8"
GOOD_REP = "#2e7d32"
BAD_REP = "#c62828"
STRIP = 0.045  # height of one fault's strip at the top of the signal panel (axes fraction)


@dataclass(frozen=True)
class SignalPanel:
    """What the top panel draws: the signals, their limits (with the signal each belongs to)."""

    features: tuple[str, ...]
    limits: tuple[tuple[str, Limit], ...]
    ylabel: str


def signal_panel(exercise: Exercise, features: dict[str, np.ndarray]) -> SignalPanel:
    """The exercise's timeline plots present in the features; else its key feature, no limits."""
    plots: list[Plot] = [p for p in exercise.plots_for_variant() if p.timeline and p.feature in features]
    if plots:
        # A line shared by two signals (both thighs' real-range line) is drawn once, on the first.
        first = {lim: p.feature for p in reversed(plots) for lim in p.limits}
        limits = tuple((p.feature, lim) for p in plots for lim in p.limits if first[lim] == p.feature)
        return SignalPanel(tuple(p.feature for p in plots), limits, exercise.timeline_label or plots[0].title)
    first = exercise.key_feature if exercise.key_feature in features else next(iter(features), "")
    unit = " (deg)" if first.endswith("_deg") else ""
    return SignalPanel((first,) if first else (), (), pretty(first.removesuffix("_deg")) + unit)


def limit_label(limit: Limit) -> str:
    return (
        pretty(limit.fault)
        if limit.role == "fault"
        else {"rep": "rep top", "position": "in position"}.get(limit.role, "view")
    )


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


def rep_top_below(panel: SignalPanel) -> bool:
    """The rep's top is the panel's first signal at its lowest (its rep line is crossed downwards:
    a cat-cow's cat, the head tucked), so reps are marked at their lowest point."""
    first = panel.features[0] if panel.features else ""
    return any(f == first and lim.role == "rep" and lim.bad == "below" for f, lim in panel.limits)


def _peak(
    times: np.ndarray, values: np.ndarray | None, start: float, end: float, lowest: bool = False
) -> tuple[float, float] | None:
    """(time, value) of the highest (or lowest) point of `values` in [start, end], if any is finite."""
    if values is None:
        return None
    mask = (times >= start) & (times <= end) & np.isfinite(values)
    if not mask.any():
        return None
    k = int(np.flatnonzero(mask)[np.argmin(values[mask]) if lowest else np.argmax(values[mask])])
    return float(times[k]), float(values[k])


@dataclass
class _Session:
    """The judged session, as the drawing functions need it."""

    exercise: Exercise
    times: np.ndarray
    states: list[FrameState]
    summary: dict
    t0: float
    t1: float
    fault_names: list[str]
    fault_colour: dict[str, str]
    in_pos: list[tuple[float, float]]
    unjudged: list[tuple[float, float]]

    @classmethod
    def of(cls, judgement: Judgement, summary: dict) -> _Session:
        times = np.asarray(judgement.times_s, dtype=np.float64)
        states = judgement.final_states
        dt_last = float(times[-1] - times[-2]) if len(times) > 1 else 1 / 30
        t0 = float(times[0]) if len(times) else 0.0
        t1 = float(times[-1]) + dt_last if len(times) else 1.0
        faults = summary.get("faults", [])
        names = [f.name for f in judgement.exercise.faults if any(s["name"] == f.name for s in faults)]
        names += sorted({s["name"] for s in faults} - set(names))
        return cls(
            judgement.exercise,
            times,
            states,
            summary,
            t0,
            t1,
            names,
            {name: FAULT_COLOURS[k % len(FAULT_COLOURS)] for k, name in enumerate(names)},
            _frame_runs(times, [s.judged and s.in_position for s in states], t1),
            _frame_runs(times, [not s.judged for s in states], t1),
        )


def _draw_background(ax: Any, s: _Session) -> None:
    for a, b in s.in_pos:
        ax.axvspan(a, b, color=IN_POSITION_COLOUR, zorder=0, lw=0)
    for a, b in s.unjudged:
        ax.axvspan(a, b, facecolor=UNJUDGED_COLOUR, zorder=0, lw=0, hatch="//", edgecolor="#a8a8a8")


def _draw_signals(ax: Any, s: _Session, panel: SignalPanel, features: dict[str, np.ndarray]) -> list[Any]:
    """The signals (faint where not judged: those values are often wild and do not set the
    scale), their limits labelled on the line, and the y range; returns legend handles."""
    from matplotlib.lines import Line2D

    colours = {f: SIGNAL_COLOURS[k % len(SIGNAL_COLOURS)] for k, f in enumerate(panel.features)}
    judged = np.array([st.judged for st in s.states], dtype=bool)
    if len(judged) != len(s.times):
        judged = np.ones(len(s.times), dtype=bool)
    handles: list[Any] = []
    for f, values in features.items():
        ax.plot(s.times, values, color=colours[f], lw=1.0, alpha=0.3, zorder=3)
        label = pretty(f.removesuffix("_deg"))
        (line,) = ax.plot(s.times, np.where(judged, values, np.nan), color=colours[f], lw=1.8, zorder=3, label=label)
        handles.append(line)
    if not judged.all():
        handles.append(Line2D([], [], color="#1f4e9c", lw=1.0, alpha=0.3, label="(faint: not judged)"))
    limits = sorted(
        ((lim.value(s.exercise.t), feature, lim) for feature, lim in panel.limits), key=lambda item: item[0]
    )
    limits = [item for item in limits if np.isfinite(item[0])]
    used = [v[judged & np.isfinite(v)] for v in features.values()]
    if not sum(u.size for u in used):  # nothing judged: the faint curve is all there is
        used = [v[np.isfinite(v)] for v in features.values()]
    values = np.concatenate([*used, np.zeros(0)])
    # A robust range: a few frames of a scene cut should not flatten the whole curve.
    ends = [float(np.percentile(values, 0.5)), float(np.percentile(values, 99.5))] if values.size else []
    ys = [y for y, _, _ in limits]
    lo, hi = min([*ends, *ys], default=0.0), max([*ends, *ys], default=1.0)
    span_y = max(hi - lo, 1.0)
    top_room = STRIP * len(s.fault_names) + 0.04  # headroom for one strip per fault
    ax.set_ylim(lo - 0.06 * span_y, hi + span_y * (0.06 + top_room) / (1 - top_room))
    for k, (y, feature, lim) in enumerate(limits):
        # Label above the line, or below it when the next limit up is too close for both.
        crowded = k + 1 < len(limits) and limits[k + 1][0] - y < 0.09 * span_y
        ax.axhline(y, color=colours[feature], ls="--", lw=1.1, alpha=0.9, zorder=2)
        ax.annotate(
            f"{limit_label(lim)} {y:+.3g}",
            (1.0, y),
            xycoords=("axes fraction", "data"),
            xytext=(-4, -2 if crowded else 2),
            textcoords="offset points",
            ha="right",
            va="top" if crowded else "bottom",
            fontsize=8,
            color=colours[feature],
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
            zorder=4,
        )
    if limits:
        handles.append(Line2D([], [], color="#555555", ls="--", lw=1.1, label="limit (labelled on the line)"))
    return handles


def _draw_fault_strips_and_reasons(ax: Any, s: _Session) -> None:
    """A strip per fault at the top; why each longer grey span was not judged, written in it."""
    for k, name in enumerate(s.fault_names):
        for span in s.summary.get("faults", []):
            if span["name"] == name:
                ymin, ymax = 1 - STRIP * (k + 1), 1 - STRIP * k - 0.006
                ax.axvspan(
                    span["start_s"], span["end_s"], ymin=ymin, ymax=ymax, color=s.fault_colour[name], lw=0, zorder=5
                )
    for a, b in s.unjudged:
        if b - a < 0.06 * (s.t1 - s.t0):
            continue
        codes = Counter(st.reason for st, t in zip(s.states, s.times, strict=False) if a <= t < b and st.reason)
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


def _draw_side_labels(ax: Any, s: _Session) -> None:
    """For holds that report sides, which side (or which stretch) each longer hold was."""
    if not s.exercise.reports_sides or s.exercise.kind != "hold":
        return
    labels = {st.side for st in s.states if st.side}
    for label in sorted(labels):
        flags = [st.judged and st.in_position and st.side == label for st in s.states]
        for a, b in _frame_runs(s.times, flags, s.t1):
            if b - a >= 0.04 * (s.t1 - s.t0):
                ax.text(
                    (a + b) / 2,
                    0.02,
                    side_name(label),
                    transform=ax.get_xaxis_transform(),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#1b5e20",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
                    zorder=6,
                )


def _draw_rep_peaks(ax: Any, s: _Session, first: np.ndarray | None, top_below: bool = False) -> None:
    """Reps numbered at their peak (their lowest point if `top_below`), green if good, red if a
    fault was found."""
    for rep in s.summary.get("rep_details", []):
        colour = GOOD_REP if rep.get("good") else BAD_REP
        peak = _peak(s.times, first, rep["start_s"], rep["end_s"], lowest=top_below)
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


def _legend(ax: Any, s: _Session, handles: list[Any]) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    reps = s.summary.get("rep_details", [])
    handles.append(Patch(facecolor=IN_POSITION_COLOUR, label="in position (timed)"))
    handles.append(Patch(facecolor=UNJUDGED_COLOUR, hatch="//", edgecolor="#a8a8a8", label="not judged"))
    for name in s.fault_names:
        handles.append(Patch(facecolor=s.fault_colour[name], label=f"fault: {pretty(name)}"))
    if reps:
        handles.append(Line2D([], [], color=GOOD_REP, marker="o", ls="none", label="rep (good), numbered"))
        if any(not r.get("good") for r in reps):
            handles.append(Line2D([], [], color=BAD_REP, marker="o", ls="none", label="rep with a fault"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)


def _draw_lanes(lane_ax: Any, s: _Session, lanes: list[str]) -> None:
    """One row per fault (and the reps), so what went wrong when reads at a glance."""
    height = 0.62
    reps = s.summary.get("rep_details", [])
    for row, lane in enumerate(lanes):
        if lane != "reps":
            spans = [
                (f["start_s"], max(f["end_s"] - f["start_s"], 0.05)) for f in s.summary["faults"] if f["name"] == lane
            ]
            lane_ax.broken_barh(spans, (row - height / 2, height), facecolors=s.fault_colour[lane])
            continue
        for rep in reps:
            colour = GOOD_REP if rep.get("good") else BAD_REP
            span = (rep["start_s"], max(rep["end_s"] - rep["start_s"], 0.05))
            lane_ax.broken_barh([span], (row - height / 2, height), facecolors=colour, alpha=0.85)
            middle = (rep["start_s"] + rep["end_s"]) / 2
            lane_ax.text(
                middle, row, str(rep["rep"]), ha="center", va="center", fontsize=8, color="white", weight="bold"
            )
    for a, b in s.unjudged:
        lane_ax.axvspan(a, b, facecolor=UNJUDGED_COLOUR, alpha=0.45, zorder=0, lw=0)
    fault_time = s.summary.get("fault_time_s", {})
    labels = [
        f"reps ({s.summary.get('good_reps', 0)} of {s.summary.get('reps', 0)} good)"
        if lane == "reps"
        else f"{pretty(lane)} ({fault_time.get(lane, 0):.1f} s)"
        for lane in lanes
    ]
    lane_ax.set_yticks(range(len(lanes)), labels)
    lane_ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)
    title = "faults over time" + (" and reps (green = good, red = with a fault)" if "reps" in lanes else "")
    if not s.fault_names:
        title += ": none found"
        if not lanes:
            never = not s.in_pos
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


def plot_timeline(path: Path | str, judgement: Judgement, summary: dict) -> None:
    """Draw the session over time (see the module's docstring) and write it as a PNG, atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    s = _Session.of(judgement, summary)
    ex = s.exercise
    lanes = (["reps"] if summary.get("rep_details") else []) + s.fault_names  # holds with reps too
    fig = Figure(figsize=(13, 6.0 + 0.3 * max(len(lanes) - 2, 0)), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=[3.2, 0.8 + 0.42 * max(len(lanes), 1)])
    ax = fig.add_subplot(grid[0])
    lane_ax = fig.add_subplot(grid[1], sharex=ax)

    all_features = judgement.signals.features
    panel = signal_panel(ex, all_features)
    features = {f: np.asarray(all_features[f], dtype=np.float64) for f in panel.features}
    _draw_background(ax, s)
    handles = _draw_signals(ax, s, panel, features)
    _draw_fault_strips_and_reasons(ax, s)
    _draw_side_labels(ax, s)
    _draw_rep_peaks(ax, s, features[panel.features[0]] if panel.features else None, rep_top_below(panel))
    _legend(ax, s, handles)
    ax.set_ylabel(panel.ylabel)
    ax.grid(axis="y", color="#e0e0e0", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(labelbottom=False)
    not_judged = summary.get("unjudged_s") or 0.0
    duration = summary.get("duration_s", s.t1 - s.t0)
    ax.set_title(f"{duration:.1f} s of video, {not_judged:.1f} s not judged", loc="right", fontsize=9, color="#555555")
    _draw_lanes(lane_ax, s, lanes)
    ax.set_xlim(s.t0, s.t1)
    title = headline(summary, ex.title + (f" ({pretty(ex.variant)})" if ex.variant else ""))
    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png")
