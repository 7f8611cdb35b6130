"""Landmark statistics for explore_landmarks: which side the model sees, spans of frames, jitter,
and how far two tracks of one clip (lite vs full) put the same landmarks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from formcheck.landmarks import side_landmark


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


def back_curve_rows(label: Any, judgement: Any) -> list[dict[str, Any]]:
    """The back's curves (exercises/back.py) of a judged clip, for the evidence table: one row for
    the in-position frames outside every labelled fault span ("good"), one per labelled fault
    span. Each row: frames, the share with a clean outline, and lumbar / thoracic / local_lumbar
    as (median, p5, p95) over the clean frames (NaN when none)."""
    exercise = judgement.exercise
    curves = judgement.pose.back_curves(prone=exercise.back == "up")
    times = np.asarray(judgement.times_s)
    in_position = np.array([s.judged and s.in_position for s in judgement.final_states], dtype=bool)
    spans = [
        (f"{f.name} {f.start_s:g}-{f.end_s:g} s", span_mask(times, [(f.start_s, f.end_s)])) for f in label.fault_spans
    ]
    faulty = np.zeros(len(times), dtype=bool)
    for _, mask in spans:
        faulty |= mask
    rows = []
    for name, mask in [("good (in position)", in_position & ~faulty), *spans]:
        row: dict[str, Any] = {"clip": label.file, "span": name, "frames": int(mask.sum())}
        clean = mask & np.isfinite(curves["lumbar_curve"] if exercise.back == "up" else curves["local_lumbar"])
        row["clean"] = float(clean.sum() / mask.sum()) if mask.any() else math.nan
        for key, values in curves.items():
            v = values[mask & np.isfinite(values)]
            row[key] = tuple(float(x) for x in np.percentile(v, [50, 5, 95])) if v.size else (math.nan,) * 3
        rows.append(row)
    return rows
