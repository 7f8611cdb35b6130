"""The back's shape for the rules: which outline is the back, and its curves (numpy, any frames).

The pose stage stores both edges of the silhouette around the shoulder-hip chord (pipeline/outline):
side 0 towards the image top, side 1 towards the bottom. Which one is the back is the exercise's to
say (prone or on all fours: up; supine: down); its position test already refuses a body lying the
other way. (The face was tried as a second opinion: on the clips it never disagreed with the
exercise, and in a cow, head up, it can point up and pick the belly.)

The curves are anatomical: + = the back bulges outwards (rounded, flexed: a cat), - = hollow
(extended: a cow, a sagging plank, an arched bridge, a lower back lifted off the floor). They are
read like a straightedge laid on the back (the physio's dowel test) and are NaN where the outline's
quality is poor: say nothing about the back rather than guess.
"""

from __future__ import annotations

import warnings

import numpy as np

N_POINTS = 17  # the stations of pipeline/outline.py: t = 0 .. 1 from the mid-shoulder to the mid-hip
LUMBAR_T = (0.5, 0.875)  # the hip half, short of the hip end
THORACIC_T = (0.125, 0.5)  # the shoulder half, short of the shoulder end
ANCHOR_SHOULDER = 0.25  # the straightedge rests on the first visible station at t <= 1/4 ...
ANCHOR_HIP = 0.875  # ... and the last visible one at t >= 7/8
MIN_SHARE = 0.6  # of a region's stations that must be visible for its curve
MIN_QUALITY = 0.5  # outlines below this say nothing
_T = np.linspace(0.0, 1.0, N_POINTS)


def _extreme(dev: np.ndarray, select: np.ndarray) -> np.ndarray:
    """Per row, the selected deviation of largest magnitude (signed); NaN when fewer than
    MIN_SHARE of the selected stations are visible."""
    d = np.where(select, dev, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(d, axis=-1), np.nanmax(d, axis=-1)
    value = np.where(-lo >= hi, lo, hi)
    need = np.maximum(select.sum(axis=-1) * MIN_SHARE, 1)
    return np.where(np.isfinite(d).sum(axis=-1) >= need, value, np.nan)


def _straightedge(off: np.ndarray, shoulder_end: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Deviations of off (F x N) from the line through its first visible station in `shoulder_end`
    and its last visible one at t >= 7/8, and the stations strictly between them."""
    frames, n = off.shape
    fin = np.isfinite(off)
    in_a = (shoulder_end[0] - 1e-9 <= _T) & (shoulder_end[1] + 1e-9 >= _T)
    in_b = _T >= ANCHOR_HIP - 1e-9
    ia = np.where((fin & in_a).any(-1), np.argmax(fin & in_a, axis=-1), -1)
    rev = (fin & in_b)[:, ::-1]
    ib = np.where(rev.any(-1), n - 1 - np.argmax(rev, axis=-1), -1)
    ok = (ia >= 0) & (ib >= 0)
    rows = np.arange(frames)
    ia_, ib_ = np.clip(ia, 0, n - 1), np.clip(ib, 0, n - 1)
    ta, tb, oa, ob = _T[ia_], _T[ib_], off[rows, ia_], off[rows, ib_]
    with np.errstate(invalid="ignore", divide="ignore"):
        line = oa[:, None] + (ob - oa)[:, None] * (_T[None, :] - ta[:, None]) / (tb - ta)[:, None]
    dev = np.where(ok[:, None], off - line, np.nan)
    between = (_T[None, :] > ta[:, None] + 1e-9) & (_T[None, :] < tb[:, None] - 1e-9)
    return dev, between


def curves(outline: np.ndarray, quality: np.ndarray, side: np.ndarray) -> dict[str, np.ndarray]:
    """lumbar_curve, thoracic_curve and local_lumbar per frame (anatomical sign, torso lengths).

    outline: T x 2 x N image-up offsets; quality: T x 2; side: T (0 up, 1 down: the back).
    lumbar and thoracic are the deepest signed deviations in t = 1/2..7/8 and 1/8..1/2 from a
    straightedge between the outline's shoulder end (the head or a raised arm may hide t = 0) and
    its hip end. local_lumbar is the hip half's own curve, from t = 1/2..5/8 to the hip end: it
    needs no shoulder end, which on supine exercises is usually an arm on the floor."""
    rows = np.arange(len(side))
    off = outline[rows, side] * np.where(side == 0, 1.0, -1.0)[:, None]  # outwards from the back = +
    poor = ~(quality[rows, side] >= MIN_QUALITY)
    dev, between = _straightedge(off, (0.0, ANCHOR_SHOULDER))
    out = {}
    for name, (lo, hi) in (("lumbar_curve", LUMBAR_T), ("thoracic_curve", THORACIC_T)):
        region = (lo - 1e-9 <= _T) & (hi + 1e-9 >= _T)
        out[name] = np.where(poor, np.nan, _extreme(dev, region[None, :] & between))
    dev, between = _straightedge(off, (0.5, 0.625))
    span_ok = (between.sum(-1) + 1) / (N_POINTS - 1) >= 0.375 - 1e-9
    local = _extreme(dev, between & (_T[None, :] >= 0.5))
    out["local_lumbar"] = np.where(poor | ~span_ok, np.nan, local)
    return out
