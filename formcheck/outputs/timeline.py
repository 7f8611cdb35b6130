"""timeline.png: a session over time, for a person to read at a glance.

Top: the exercise's timeline signals (its plots marked `timeline`) with their limit lines, on a
background that shows when the body was in position (green) or could not be judged (grey), a
coloured strip per fault, each rep numbered at its peak, each hold's side (or stretch) named.
Below: one lane per fault (and the reps).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.exercises.base import Exercise, Limit, Plot
from formcheck.files import atomic_write
from formcheck.i18n import N_, _, decimal_symbol, name_text, seconds_text, signal_text, signed_num
from formcheck.judging.judgement import Judgement
from formcheck.judging.records import FrameState
from formcheck.outputs.report import exercise_title, headline, side_name, unjudged_reason_name

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


def _unit(feature: str) -> str:
    return "deg" if feature.endswith("_deg") else "ratio"


def _timeline_plots(exercise: Exercise, features: dict[str, np.ndarray]) -> list[Plot]:
    return [p for p in exercise.plots_for_variant() if p.timeline and p.feature in features]


def _panel_of(plots: list[Plot], ylabel: str) -> SignalPanel:
    # A line shared by two signals (both thighs' real-range line) is drawn once, on the first.
    first = {lim: p.feature for p in reversed(plots) for lim in p.limits}
    limits = tuple((p.feature, lim) for p in plots for lim in p.limits if first[lim] == p.feature)
    return SignalPanel(tuple(p.feature for p in plots), limits, ylabel)


def signal_panel(exercise: Exercise, features: dict[str, np.ndarray]) -> SignalPanel:
    """The exercise's timeline plots in the first one's units present in the features; else its
    key feature, no limits."""
    plots = _timeline_plots(exercise, features)
    if plots:
        main = [p for p in plots if _unit(p.feature) == _unit(plots[0].feature)]
        return _panel_of(main, _(exercise.timeline_label or plots[0].title))
    first = exercise.key_feature if exercise.key_feature in features else next(iter(features), "")
    unit = " (" + _("deg") + ")" if first.endswith("_deg") else ""
    return SignalPanel((first,) if first else (), (), signal_text(first) + unit)


def second_panel(exercise: Exercise, features: dict[str, np.ndarray]) -> SignalPanel | None:
    """The timeline plots in other units than the first (the back's outline curve beside the
    joints' degrees), when any of them has a value: a track without an outline has none."""
    plots = _timeline_plots(exercise, features)
    rest = [p for p in plots if _unit(p.feature) != _unit(plots[0].feature)] if plots else []
    rest = [p for p in rest if np.isfinite(np.asarray(features[p.feature], dtype=np.float64)).any()]
    return _panel_of(rest, _(rest[0].title)) if rest else None


LIMIT_NAMES = {"rep": N_("rep top"), "position": N_("in position"), "view": N_("view")}


def limit_label(limit: Limit) -> str:
    if limit.role == "fault":
        return name_text(limit.fault) + (f" ({_(limit.together)})" if limit.together else "")
    return _(LIMIT_NAMES.get(limit.role, LIMIT_NAMES["view"]))


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


def _draw_signals(
    ax: Any, s: _Session, panel: SignalPanel, features: dict[str, np.ndarray], strips: bool = True
) -> list[Any]:
    """The signals (faint where not judged: those values are often wild and do not set the
    scale), their limits labelled on the line, and the y range (with room for the fault strips
    if `strips`); returns legend handles."""
    from matplotlib.lines import Line2D

    colours = {f: SIGNAL_COLOURS[k % len(SIGNAL_COLOURS)] for k, f in enumerate(panel.features)}
    judged = np.array([st.judged for st in s.states], dtype=bool)
    if len(judged) != len(s.times):
        judged = np.ones(len(s.times), dtype=bool)
    handles: list[Any] = []
    for f, values in features.items():
        ax.plot(s.times, values, color=colours[f], lw=1.0, alpha=0.3, zorder=3)
        label = signal_text(f)
        (line,) = ax.plot(s.times, np.where(judged, values, np.nan), color=colours[f], lw=1.8, zorder=3, label=label)
        handles.append(line)
    if not judged.all():
        handles.append(Line2D([], [], color="#1f4e9c", lw=1.0, alpha=0.3, label=_("(faint: not judged)")))
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
    ys = [y for y, _feature, _limit in limits]
    lo, hi = min([*ends, *ys], default=0.0), max([*ends, *ys], default=1.0)
    span_y = max(hi - lo, 1.0 if _unit(panel.features[0] if panel.features else "") == "deg" else 0.05)
    top_room = STRIP * len(s.fault_names) + 0.04 if strips else 0.04  # headroom for one strip per fault
    ax.set_ylim(lo - 0.06 * span_y, hi + span_y * (0.06 + top_room) / (1 - top_room))
    for k, (y, feature, lim) in enumerate(limits):
        # Label above the line, or below it when the next limit up is too close for both.
        crowded = k + 1 < len(limits) and limits[k + 1][0] - y < 0.09 * span_y
        ax.axhline(y, color=colours[feature], ls="--", lw=1.1, alpha=0.9, zorder=2)
        ax.annotate(
            f"{limit_label(lim)} {signed_num(y)}",
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
        handles.append(Line2D([], [], color="#555555", ls="--", lw=1.1, label=_("limit (labelled on the line)")))
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
                name_text(unjudged_reason_name(codes.most_common(1)[0][0])),
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
    handles.append(Patch(facecolor=IN_POSITION_COLOUR, label=_("in position (timed)")))
    handles.append(Patch(facecolor=UNJUDGED_COLOUR, hatch="//", edgecolor="#a8a8a8", label=_("not judged")))
    for name in s.fault_names:
        handles.append(Patch(facecolor=s.fault_colour[name], label=_("fault: {name}").format(name=name_text(name))))
    if reps:
        handles.append(Line2D([], [], color=GOOD_REP, marker="o", ls="none", label=_("rep (good), numbered")))
        if any(not r.get("good") for r in reps):
            handles.append(Line2D([], [], color=BAD_REP, marker="o", ls="none", label=_("rep with a fault")))
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
    reps_label = _("reps ({good} of {reps} good)").format(
        good=s.summary.get("good_reps", 0), reps=s.summary.get("reps", 0)
    )
    labels = [
        reps_label if lane == "reps" else f"{name_text(lane)} ({seconds_text(fault_time.get(lane, 0))})"
        for lane in lanes
    ]
    lane_ax.set_yticks(range(len(lanes)), labels)
    lane_ax.set_ylim(max(len(lanes), 1) - 0.5, -0.5)
    title = (
        _("faults over time and reps (green = good, red = with a fault)") if "reps" in lanes else _("faults over time")
    )
    if not s.fault_names:
        title = _("{title}: none found").format(title=title)
        if not lanes:
            never = not s.in_pos
            lane_ax.text(
                0.5,
                0.5,
                _("never in position: nothing was judged") if never else _("no faults found"),
                transform=lane_ax.transAxes,
                ha="center",
                va="center",
                color="#555555" if never else GOOD_REP,
                fontsize=12,
            )
            lane_ax.set_yticks([])
    lane_ax.set_title(title, fontsize=10, loc="left")
    lane_ax.set_xlabel(_("time (s)"))
    lane_ax.grid(axis="x", color="#e0e0e0", lw=0.8)
    lane_ax.set_axisbelow(True)


def plot_timeline(path: Path | str, judgement: Judgement, summary: dict) -> None:
    """Draw the session over time (see the module's docstring) and write it as a PNG, atomically."""
    fig = timeline_figure(judgement, summary)
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png")


def timeline_figure(judgement: Judgement, summary: dict) -> Any:
    """The timeline as a matplotlib Figure: the signal panel, the back's panel when there is an
    outline, and the fault lanes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    s = _Session.of(judgement, summary)
    ex = s.exercise
    all_features = judgement.signals.features
    panel = signal_panel(ex, all_features)
    second = second_panel(ex, all_features)
    lanes = (["reps"] if summary.get("rep_details") else []) + s.fault_names  # holds with reps too
    height = 6.0 + 0.3 * max(len(lanes) - 2, 0) + (1.8 if second else 0.0)
    fig = Figure(figsize=(13, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ratios = [3.2, *([1.5] if second else []), 0.8 + 0.42 * max(len(lanes), 1)]
    grid = fig.add_gridspec(len(ratios), 1, height_ratios=ratios)
    ax = fig.add_subplot(grid[0])
    lane_ax = fig.add_subplot(grid[-1], sharex=ax)

    features = {f: np.asarray(all_features[f], dtype=np.float64) for f in panel.features}
    _draw_background(ax, s)
    handles = _draw_signals(ax, s, panel, features)
    _draw_fault_strips_and_reasons(ax, s)
    _draw_side_labels(ax, s)
    _draw_rep_peaks(ax, s, features[panel.features[0]] if panel.features else None, rep_top_below(panel))
    _legend(ax, s, handles)
    ax.set_ylabel(panel.ylabel)
    if second:
        back_ax = fig.add_subplot(grid[1], sharex=ax)
        _draw_background(back_ax, s)
        back = {f: np.asarray(all_features[f], dtype=np.float64) for f in second.features}
        back_handles = _draw_signals(back_ax, s, second, back, strips=False)
        back_ax.legend(handles=back_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
        back_ax.set_ylabel("\n".join(textwrap.wrap(second.ylabel, 26)), fontsize=8)
        back_ax.tick_params(labelbottom=False)
    for signal_ax in [a for a in fig.get_axes() if a is not lane_ax]:
        signal_ax.grid(axis="y", color="#e0e0e0", lw=0.8, zorder=0)
        signal_ax.set_axisbelow(True)
    ax.tick_params(labelbottom=False)
    not_judged = summary.get("unjudged_s") or 0.0
    duration = summary.get("duration_s", s.t1 - s.t0)
    shown = _("{duration} of video, {not_judged} not judged").format(
        duration=seconds_text(duration), not_judged=seconds_text(not_judged)
    )
    ax.set_title(shown, loc="right", fontsize=9, color="#555555")
    _draw_lanes(lane_ax, s, lanes)
    ax.set_xlim(s.t0, s.t1)
    title = headline(summary, exercise_title(summary))
    fig.suptitle(title, fontsize=13, fontweight="bold", x=0.01, ha="left")
    _localise_ticks(fig)
    return fig


def _localise_ticks(fig: Any) -> None:
    """Tick labels with the language's decimal symbol (0,1 in German); the minus stays matplotlib's."""
    from matplotlib.ticker import ScalarFormatter

    symbol = decimal_symbol()
    if symbol == ".":
        return

    class Localised(ScalarFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x, pos).replace(".", symbol)

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:  # not the fault lanes' named ticks
                axis.set_major_formatter(Localised())
