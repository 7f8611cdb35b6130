"""The tuning notebook's pictures: a clip's features over time with their threshold lines above a
strip of labelled and found spans, and any frame with the judged overlay drawn."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.exercises.base import Plot
from formcheck.i18n import _
from formcheck.judging.judgement import back_edge
from formcheck.lab.labels import ClipLabel
from formcheck.lab.tuning import panels


def _bool_runs(flags: Sequence[bool] | np.ndarray, times: np.ndarray, end_t: float) -> list[tuple[float, float]]:
    """(start, width) in seconds of each run of True (for matplotlib's broken_barh)."""
    flags = np.asarray(flags, dtype=bool)
    if not len(flags):
        return []
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = []
    for a, b in zip(starts, stops, strict=True):
        t0 = float(times[a])
        t1 = float(times[b]) if b < len(times) else end_t
        out.append((t0, t1 - t0))
    return out


FAULT_COLOURS = ("tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")


def _span_rows(judgement: Any, label: ClipLabel | None, summary: Mapping[str, Any], strip_faults: list[str], colour):  # type: ignore[no-untyped-def]
    """The strip's rows: (name, spans as (start, width), colour, hatch): labelled vs found."""
    judge = judgement.judge
    times = np.asarray(judgement.times_s, dtype=float)
    end_t = _end_time(times)
    reps = list(summary.get("rep_details", []))
    rows: list[tuple[str, list[tuple[float, float]], str, str]] = []
    if label is not None:
        # labels.csv: position_spans are the holds, or each rep's span for rep exercises
        what = "reps" if label.reps is not None and label.hold_s is None else "in position"
        rows.append((f"label: {what}", [(a, b - a) for a, b in label.position_spans], "0.55", ""))
    if reps or (label is not None and label.reps is not None):
        rows.append(("found: reps", [(r["start_s"], r["end_s"] - r["start_s"]) for r in reps], "tab:blue", ""))
    in_pos = [judge.judged[k] and judge.in_pos[k] for k in range(len(judge.t))]
    rows.append(("found: in position", _bool_runs(in_pos, times, end_t), "tab:green", ""))
    rows.append(("not judged", _bool_runs([not j for j in judge.judged], times, end_t), "tab:orange", ""))
    if not strip_faults:
        rows.append(("faults: none, label or found", [], "0.5", ""))
    for name in strip_faults:
        if label is not None:
            spans = [(s.start_s, s.end_s - s.start_s) for s in label.fault_spans if s.name == name]
            rows.append((f"label: {name}", spans, colour[name], "////"))
        found = [(f["start_s"], f["end_s"] - f["start_s"]) for f in summary["faults"] if f["name"] == name]
        rows.append((f"found: {name}", found, colour[name], ""))
    return rows


def _draw_strip(strip: Any, rows: list, reps: list[Mapping[str, Any]]) -> None:
    for k, (name, spans, c, hatch) in enumerate(rows):
        y = len(rows) - 1 - k
        if hatch:
            strip.broken_barh(spans, (y - 0.38, 0.76), facecolors="none", edgecolors=c, hatch=hatch, linewidth=1)
        else:
            strip.broken_barh(spans, (y - 0.38, 0.76), facecolors=c, alpha=0.85, edgecolors="white", linewidth=0.5)
        if name == "found: reps":  # number each rep; a rep with a fault is marked x
            for r in reps:
                text = f"{r['rep']}{'' if r['good'] else ' x'}"
                middle = (r["start_s"] + r["end_s"]) / 2
                strip.text(middle, y, text, fontsize=7, ha="center", va="center", color="white", fontweight="bold")
    strip.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)], fontsize=8)
    strip.set_ylim(-0.6, len(rows) - 0.4)
    strip.grid(axis="x", alpha=0.3)
    strip.tick_params(axis="x", labeltop=True, labelsize=8)  # time also above the strip of a tall figure


def _draw_panel(ax: Any, judgement: Any, panel: Plot, summary: Mapping[str, Any], colour: dict[str, str]) -> None:
    """One feature with its threshold lines; the side of each line that is bad is shaded."""
    t = judgement.exercise.t
    times = np.asarray(judgement.times_s, dtype=float)
    every = np.asarray(judgement.signals.features[panel.feature], dtype=float)
    # Frames formcheck does not judge (close-ups, wrong view, joints missing) are drawn faint and do not
    # set the scale: their features are often nonsense (a hip angle of 180 on a close-up of the feet).
    values = np.where(np.asarray(judgement.judge.judged, dtype=bool), every, np.nan)
    if not np.isfinite(values).any():
        values = every
    ax.plot(times, every, color="0.75", linewidth=0.7)
    ax.plot(
        times, values, color="black", linewidth=1.0, label=_("{feature} (judged frames)").format(feature=panel.feature)
    )
    finite = values[np.isfinite(values)]
    limits = [limit for limit in panel.limits if math.isfinite(limit.value(t))]
    for limit in limits:
        v = limit.value(t)
        role_colour = {"position": "tab:green", "view": "tab:orange", "rep": "tab:blue"}.get(limit.role, "0.4")
        c = colour.get(limit.fault, role_colour)
        # A line that flags only together with another (limit.together) is dash-dotted.
        style = ("-." if limit.together else "--") if limit.role == "fault" else ":"
        ax.axhline(v, color=c, linestyle=style, linewidth=1.4, label=limit.label(t))
        if finite.size:
            lo, hi = min(finite.min(), v), max(finite.max(), v)
            pad = 0.05 * (hi - lo or 1.0)
            ax.axhspan(v, hi + pad if limit.bad == "above" else lo - pad, color=c, alpha=0.06)
    for f in summary["faults"]:
        if any(limit.fault == f["name"] for limit in limits):
            ax.axvspan(f["start_s"], f["end_s"], color=colour[f["name"]], alpha=0.12)
    if finite.size:
        vals = [finite.min(), finite.max(), *[limit.value(t) for limit in limits]]
        lo, hi = min(vals), max(vals)
        pad = 0.08 * (hi - lo or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
    ylabel = panel.feature.replace("_", " ").replace(" deg", " (deg)").replace(" ratio", " (ratio)")
    ax.set_ylabel(ylabel, fontsize=8)
    ax.set_title(panel.title, fontsize=9, loc="left")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.02), borderaxespad=0.0)
    ax.grid(alpha=0.3)


def _end_time(times: np.ndarray) -> float:
    return float(times[-1] + (times[-1] - times[-2] if len(times) > 1 else 1 / 30)) if len(times) else 1.0


def plot_tuning(
    judgement: Any,
    label: ClipLabel | None = None,
    summary: Mapping[str, Any] | None = None,
    features: Iterable[str] | None = None,
    mark_s: float | None = None,
    title: str = "",
    fig: Any = None,
) -> Any:
    """Features over time with their threshold lines, above a strip of spans: labelled vs found
    position and faults, frames not judged, reps. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    from formcheck.judging.summary import summarize

    ex = judgement.exercise
    summary = summary if summary is not None else summarize(judgement.judge)
    times = np.asarray(judgement.times_s, dtype=float)
    wanted = list(features) if features is not None else None
    shown = [
        p
        for p in panels(ex.name, ex.variant)
        if p.feature in judgement.signals.features and (wanted is None or p.feature in wanted)
    ]
    fault_names = [f.name for f in ex.faults]
    colour = {name: FAULT_COLOURS[k % len(FAULT_COLOURS)] for k, name in enumerate(fault_names)}
    # Strip rows only for the faults the label or formcheck found (the others would be empty rows).
    labelled = {s.name for s in label.fault_spans} | set(label.faults) if label is not None else set()
    found_names = {f["name"] for f in summary["faults"]}
    strip_faults = [n for n in fault_names if n in labelled or n in found_names]

    if fig is None:
        fig = plt.figure(figsize=(12, 2.2 + 1.9 * len(shown)), layout="constrained")
    else:
        fig.clear()
    strip_h = 0.35 * (3 + 2 * max(len(strip_faults), 1)) / 1.9
    axes = np.atleast_1d(fig.subplots(len(shown) + 1, 1, sharex=True, height_ratios=[strip_h, *([1.0] * len(shown))]))
    rows = _span_rows(judgement, label, summary, strip_faults, colour)
    _draw_strip(axes[0], rows, list(summary.get("rep_details", [])))
    for ax, panel in zip(axes[1:], shown, strict=True):
        _draw_panel(ax, judgement, panel, summary, colour)
    if mark_s is not None:
        for ax in axes:
            ax.axvline(mark_s, color="tab:blue", linewidth=1.0)
    axes[-1].set_xlabel(_("time in clip (s)"))
    axes[-1].set_xlim(float(times[0]) if len(times) else 0.0, _end_time(times))
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def frame_index(judgement: Any, time_s: float) -> int:
    times = np.asarray(judgement.times_s, dtype=float)
    return int(np.argmin(np.abs(times - time_s))) if len(times) else 0


def read_frame(video: str | os.PathLike[str], index: int) -> np.ndarray:
    """Frame `index` of a video as a BGR array (upright, as the track was extracted)."""
    import cv2

    cap = cv2.VideoCapture(os.fspath(video), cv2.CAP_FFMPEG)
    try:
        if not cap.isOpened():
            raise FormcheckError(f"{video}: not a video OpenCV can read")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        if index > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, image = cap.read()
    finally:
        cap.release()
    if not ok or image is None:
        raise FormcheckError(f"{video}: cannot read frame {index}")
    return image


def overlay_frame(judgement: Any, video: str | os.PathLike[str], time_s: float) -> tuple[np.ndarray, int]:
    """The frame nearest time_s with the judged skeleton, key angle, counters and cue drawn by
    `render.draw_overlay`, as an RGB array for matplotlib; and its frame index."""
    import cv2

    from formcheck.outputs.overlay import draw_overlay

    i = frame_index(judgement, time_s)
    image = read_frame(video, i)
    xy = judgement.pose.xy[i]
    has_pose = not math.isnan(float(xy[0, 0]))
    features = {name: float(v[i]) for name, v in judgement.signals.features.items()}
    draw_overlay(
        image,
        xy if has_pose else None,
        judgement.pose.visibility[i] if has_pose else None,
        bool(judgement.signals.near_left[i]),
        judgement.final_states[i],
        features,
        judgement.exercise,
        back_edge=back_edge(judgement.pose, judgement.exercise, i) if has_pose else None,
    )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), i
