"""Helpers for the notebooks that tune thresholds and explore landmarks (see notebooks/).

Everything here calls formcheck's own API (labels, tracks, `judge_track`, `summarize`); no rule is
re-implemented. What this module adds:

- the labelled clips of an exercise, and the variant formcheck judges each with;
- which threshold is drawn on which feature: each exercise's own `plots`, so a plot shows the line a
  feature must cross before a fault or a position change; tests/test_tuning.py checks every line
  against the exercise's fault and position margins on real tracks, so the picture cannot drift;
- slider ranges per threshold, and writing the changed thresholds as a TOML file that
  `formcheck analyze --config` loads (only values that differ from the defaults, validated);
- reading one video frame and drawing the judged skeleton on it (`render.draw_overlay`);
- landmark statistics for explore_landmarks: visibility, frame-to-frame jitter, lite-vs-full agreement.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.config import COMMON, default_tables, load_thresholds, validate_overrides
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES, exercise_class
from formcheck.exercises.base import Exercise, Limit, Plot
from formcheck.files import write_text_atomic
from formcheck.lab.labels import ClipLabel, read_labels
from formcheck.lab.samples import find_labels
from formcheck.landmarks import side_landmark

# -- labelled clips ------------------------------------------------------------------------------


def labels_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The labels.csv to use: the one given, else the first found beside the sample clips."""
    if path is not None:
        return Path(path)
    found = find_labels()
    if found is None:
        raise FormcheckError(
            "no labels.csv found: put the clips in sample_videos/ or ../shared/videos, or set FORMCHECK_SAMPLES"
        )
    return found


def labelled_clips(
    exercise: str | None = None, labels: str | os.PathLike[str] | None = None, existing_only: bool = True
) -> list[ClipLabel]:
    """The labelled clips (of one exercise, or all), in labels.csv order; by default only those on disk."""
    rows = read_labels(labels_path(labels))
    return [r for r in rows if (exercise is None or r.exercise == exercise) and (not existing_only or r.path.is_file())]


def find_clip(name: str, labels: str | os.PathLike[str] | None = None) -> ClipLabel:
    """A clip's label by its labels.csv path (`plank/x.mp4`) or file name (`x.mp4`)."""
    rows = read_labels(labels_path(labels))
    for r in rows:
        if name in (r.file, Path(r.file).name):
            return r
    raise FormcheckError(f"{name}: not in {labels_path(labels)}")


def clip_variant(label: ClipLabel) -> str:
    """The variant formcheck judges a labelled clip with: the label's, if the exercise knows it."""
    cls = EXERCISES.get(label.exercise)
    return label.variant if cls is not None and label.variant in cls.variants else ""


# -- thresholds: sliders, changed values, TOML ----------------------------------------------------


def default_thresholds(exercise: str) -> dict[str, float]:
    """The shipped defaults one exercise runs with (its table over [common]), standard strictness."""
    return load_thresholds(exercise)


def exercise_with(exercise: str, thresholds: Mapping[str, float], variant: str = "") -> Exercise:
    """An exercise judged with these thresholds (a full dict, e.g. defaults with a few changed)."""
    return exercise_class(exercise)(dict(thresholds), variant)


def _overridable(value: float) -> bool:
    # config.validate_overrides accepts finite numbers >= 0 only.
    return math.isfinite(value) and value >= 0


def tunable_keys(exercise: str) -> tuple[list[str], list[str]]:
    """(the exercise's own keys, the [common] keys) a threshold file can override, in TOML order.

    Keys whose shipped default is negative (glute_bridge.rep_top) are left out: a config file
    cannot set a negative value (config.validate_overrides), so a slider for them could not be saved.
    """
    tables = default_tables()
    own = [k for k, v in tables[exercise].items() if _overridable(float(v))]
    common = [k for k, v in tables[COMMON].items() if k not in tables[exercise] and _overridable(float(v))]
    return own, common


@dataclass(frozen=True)
class SliderSpec:
    key: str
    value: float
    min: float
    max: float
    step: float


def slider_spec(key: str, value: float) -> SliderSpec:
    """A sensible slider range for one threshold, from the unit in its name."""
    if key == "min_visibility":
        lo, hi, step = 0.0, 1.0, 0.05
    elif key.endswith("_deg") or key.endswith("_hysteresis") or key in ("rep_rise", "rep_drop", "twist_depth"):
        lo, hi, step = 0.0, min(180.0, max(45.0, 3.0 * abs(value))), 0.5
    elif key.endswith("_ratio"):
        lo, hi, step = 0.0, max(1.0, 3.0 * abs(value)), 0.01
    elif key.endswith("_s"):
        lo, hi, step = 0.0, max(2.0, 4.0 * abs(value)), 0.05
    else:
        lo, hi, step = 0.0, max(10.0, 3.0 * abs(value)), 0.1
    # Keep the default on the slider's grid, so an untouched slider reads back exactly.
    while step > 1e-4 and abs(round(value / step) * step - value) > 1e-9:
        step /= 10.0
    return SliderSpec(key, float(value), lo, max(hi, float(value)), step)


def changed_thresholds(exercise: str, values: Mapping[str, float], tol: float = 1e-9) -> dict[str, float]:
    """The values that differ from the exercise's shipped defaults (unknown keys raise)."""
    defaults = default_thresholds(exercise)
    changed: dict[str, float] = {}
    for key, value in values.items():
        if key not in defaults:
            raise FormcheckError(f"unknown threshold '{exercise}.{key}'")
        if abs(float(value) - defaults[key]) > tol:
            changed[key] = float(value)
    return changed


def thresholds_toml(tables: Mapping[str, Mapping[str, float]], comment: str = "") -> str:
    """TOML text with one table per exercise; each value is validated as `--config` would."""
    import tomli_w

    plain = {name: {k: float(v) for k, v in values.items()} for name, values in tables.items() if values}
    validate_overrides(plain, "tuned thresholds")
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return header + ("\n" if header else "") + tomli_w.dumps(plain)


def write_thresholds(
    path: str | os.PathLike[str], exercise: str, values: Mapping[str, float], comment: str = ""
) -> dict[str, float]:
    """Write the values that differ from the defaults as `[exercise]` in a TOML file formcheck
    loads with `--config`; atomically. Returns what was written (may be empty: defaults)."""
    changed = changed_thresholds(exercise, values)
    text = thresholds_toml({exercise: changed}, comment)
    if not changed:
        text += f"# no changes: {exercise} runs with the shipped defaults\n"
    write_text_atomic(path, text)
    return changed


def panels(exercise: str, variant: str = "") -> tuple[Plot, ...]:
    """The feature plots of an exercise and variant, with their threshold lines (the exercise's own)."""
    return tuple(p for p in exercise_class(exercise).plots if p.variant in ("", variant))


def fault_lines(exercise: str) -> dict[str, list[tuple[str, Limit]]]:
    """fault name -> [(feature, limit)], for checking the drawn lines against the rules."""
    out: dict[str, list[tuple[str, Limit]]] = {}
    for plot in exercise_class(exercise).plots:
        for limit in plot.limits:
            if limit.role == "fault":
                out.setdefault(limit.fault, []).append((plot.feature, limit))
    return out


# -- one judged clip: summary vs label, plots, frames -------------------------------------------------


def clip_summary_rows(summary: Mapping[str, Any], label: ClipLabel | None) -> list[tuple[str, str, str]]:
    """(quantity, found, labelled) rows comparing one clip's summary with its label."""

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        return f"{v:.1f}" if isinstance(v, float) else str(v)

    found_faults = sorted({f["name"] for f in summary.get("faults", [])})
    rows = [
        ("reps", fmt(summary.get("reps")), fmt(label.reps if label else None)),
        ("hold s", fmt(summary.get("hold_s")), fmt(label.hold_s if label else None)),
        ("good-form hold s", fmt(summary.get("good_hold_s")), fmt(label.good_hold_s if label else None)),
        ("faults", ", ".join(found_faults) or "-", ", ".join(label.faults) if label and label.faults else "-"),
        ("not judged s", fmt(summary.get("unjudged_s")), ""),
    ]
    return rows


def format_rows(rows: Sequence[tuple[str, ...]], header: tuple[str, ...] = ("", "formcheck", "label")) -> str:
    table = [header, *rows]
    widths = [max(len(str(r[c])) for r in table) for c in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table)


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
    t = ex.t
    summary = summary if summary is not None else summarize(judgement.judge)
    times = np.asarray(judgement.times_s, dtype=float)
    end_t = float(times[-1] + (times[-1] - times[-2] if len(times) > 1 else 1 / 30)) if len(times) else 1.0
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
    axes = fig.subplots(len(shown) + 1, 1, sharex=True, height_ratios=[strip_h, *([1.0] * len(shown))])
    axes = np.atleast_1d(axes)
    strip = axes[0]

    # --- the span strip -------------------------------------------------------------------------
    judge = judgement.judge
    reps = list(summary.get("rep_details", []))
    rows: list[tuple[str, list[tuple[float, float]], str, str]] = []
    if label is not None:
        # labels.csv: position_spans are the holds, or each rep's span for rep exercises
        rep_label = label.reps is not None and label.hold_s is None
        what = "reps" if rep_label else "in position"
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
    for k, (name, spans, c, hatch) in enumerate(rows):
        y = len(rows) - 1 - k
        if hatch:
            strip.broken_barh(spans, (y - 0.38, 0.76), facecolors="none", edgecolors=c, hatch=hatch, linewidth=1)
        else:
            strip.broken_barh(spans, (y - 0.38, 0.76), facecolors=c, alpha=0.85, edgecolors="white", linewidth=0.5)
        if name == "found: reps":  # number each rep; a rep with a fault is marked x
            for r in reps:
                mark = "" if r["good"] else " x"
                strip.text(
                    (r["start_s"] + r["end_s"]) / 2,
                    y,
                    f"{r['rep']}{mark}",
                    fontsize=7,
                    ha="center",
                    va="center",
                    color="white",
                    fontweight="bold",
                )
    strip.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)], fontsize=8)
    strip.set_ylim(-0.6, len(rows) - 0.4)
    strip.grid(axis="x", alpha=0.3)
    strip.tick_params(axis="x", labeltop=True, labelsize=8)  # time also above the strip of a tall figure

    # --- one panel per feature with its threshold lines -----------------------------------------
    for ax, panel in zip(axes[1:], shown, strict=True):
        every = np.asarray(judgement.signals.features[panel.feature], dtype=float)
        # Frames formcheck does not judge (close-ups, wrong view, joints missing) are drawn faint and do not
        # set the scale: their features are often nonsense (a hip angle of 180 on a close-up of the feet).
        judged = np.asarray(judge.judged, dtype=bool)
        values = np.where(judged, every, np.nan)
        if not np.isfinite(values).any():
            values = every
        ax.plot(times, every, color="0.75", linewidth=0.7)
        ax.plot(times, values, color="black", linewidth=1.0, label=f"{panel.feature} (judged frames)")
        finite = values[np.isfinite(values)]
        lines = [line for line in panel.limits if math.isfinite(line.value(t))]
        for line in lines:
            v = line.value(t)
            c = colour.get(
                line.fault, {"position": "tab:green", "view": "tab:orange", "rep": "tab:blue"}.get(line.role, "0.4")
            )
            style = "--" if line.role == "fault" else ":"
            ax.axhline(v, color=c, linestyle=style, linewidth=1.4, label=line.label(t))
            if finite.size:
                lo, hi = min(finite.min(), v), max(finite.max(), v)
                pad = 0.05 * (hi - lo or 1.0)
                ax.axhspan(v, hi + pad if line.bad == "above" else lo - pad, color=c, alpha=0.06)
        for f in summary["faults"]:
            if any(line.fault == f["name"] for line in lines):
                ax.axvspan(f["start_s"], f["end_s"], color=colour[f["name"]], alpha=0.12)
        if finite.size:
            vals = [finite.min(), finite.max(), *[line.value(t) for line in lines]]
            lo, hi = min(vals), max(vals)
            pad = 0.08 * (hi - lo or 1.0)
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(
            panel.feature.replace("_", " ").replace(" deg", " (deg)").replace(" ratio", " (ratio)"), fontsize=8
        )
        ax.set_title(panel.title, fontsize=9, loc="left")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.02), borderaxespad=0.0)
        ax.grid(alpha=0.3)
    if mark_s is not None:
        for ax in axes:
            ax.axvline(mark_s, color="tab:blue", linewidth=1.0)
    axes[-1].set_xlabel("time in clip (s)")
    axes[-1].set_xlim(float(times[0]) if len(times) else 0.0, end_t)
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
    )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), i


def judged_numbers(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of a summary a threshold change is checked by (JSON-friendly)."""
    return {
        "reps": summary["reps"],
        "good_reps": summary["good_reps"],
        "hold_s": summary["hold_s"],
        "good_hold_s": summary["good_hold_s"],
        "faults": sorted({f["name"] for f in summary["faults"]}),
        "fault_time_s": dict(summary["fault_time_s"]),
    }


# -- landmark statistics (explore_landmarks) ----------------------------------------------------------


def near_side(track: Any, joints: Sequence[str] = ("shoulder", "hip"), frames: np.ndarray | None = None) -> str:
    """'left' or 'right': the side whose joints are more visible over the frames given."""
    vis = track.landmarks[:, :, 3] if frames is None else track.landmarks[frames, :, 3]
    score = {s: float(np.nansum([vis[:, side_landmark(s, j)] for j in joints])) for s in ("left", "right")}
    return "left" if score["left"] >= score["right"] else "right"


def span_mask(times_s: np.ndarray, spans: Iterable[tuple[float, float]], trim_s: float = 0.0) -> np.ndarray:
    """Frames inside any (start, end) span, each span trimmed by trim_s at both ends."""
    mask = np.zeros(len(times_s), dtype=bool)
    for a, b in spans:
        mask |= (times_s >= a + trim_s) & (times_s <= b - trim_s)
    return mask


def trim_runs(mask: np.ndarray, times_s: np.ndarray, trim_s: float) -> np.ndarray:
    """Drop the first and last trim_s seconds of every run of True frames (settling after a
    cut, a change of view or getting into position)."""
    out = np.zeros_like(mask, dtype=bool)
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        t0, t1 = times_s[a] + trim_s, times_s[b - 1] - trim_s
        out[a:b] = (times_s[a:b] >= t0) & (times_s[a:b] <= t1)
    return out


def displacement_jitter(xy: np.ndarray, mask: np.ndarray) -> float:
    """Frame-to-frame displacement spread of one point (T x 2 pixels) over consecutive masked
    frames: sqrt(var(dx) + var(dy)). Steady motion (a slow pan) adds nothing; noise does."""
    both = mask[1:] & mask[:-1]
    d = np.diff(xy, axis=0)[both]
    d = d[np.isfinite(d).all(axis=1)]
    if len(d) < 3:
        return math.nan
    return float(np.sqrt(d[:, 0].var() + d[:, 1].var()))


def series_jitter(values: np.ndarray, mask: np.ndarray) -> float:
    """The same for a scalar series (e.g. an angle in degrees): std of its frame-to-frame change."""
    both = mask[1:] & mask[:-1]
    d = np.diff(values)[both]
    d = d[np.isfinite(d)]
    return float(d.std()) if len(d) >= 3 else math.nan


def landmark_agreement_px(a: Any, b: Any, landmarks: Sequence[int]) -> dict[str, float]:
    """How far apart two tracks of the same clip put landmarks (pixels), over frames where both
    found the person: median and 90th percentile distance, and the share of frames both found."""
    n = min(len(a), len(b))
    pa, pb = a.pixels()[:n, list(landmarks)], b.pixels()[:n, list(landmarks)]
    both = a.detected[:n] & b.detected[:n]
    dist = np.linalg.norm(pa[both] - pb[both], axis=-1)
    if not dist.size:
        return {"median_px": math.nan, "p90_px": math.nan, "both_detected": 0.0}
    return {
        "median_px": float(np.median(dist)),
        "p90_px": float(np.percentile(dist, 90)),
        "both_detected": float(both.mean()),
    }
