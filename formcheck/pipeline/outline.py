"""The back's outline from the pose model's person segmentation mask (pure numpy).

The 33 landmarks have no spine; the silhouette has the back. Per frame this reads the silhouette's
edge on each side of the shoulder-hip chord as a profile: the signed offsets of the edge from the
chord at N_POINTS stations (t = 0, 1/16, ..., 1 from the mid-shoulder to the mid-hip), in torso
lengths, + = towards the top of the image, NaN where hidden. Side 0 is the edge towards the image
top (the back of someone prone), side 1 the edge towards the bottom (the back of someone supine):
which one is the back is the exercise's to say (exercises/back.py), so extraction stays exercise-
agnostic. Each side has a quality in [0, 1]: a sharp edge, one blob, close to the landmarks' torso,
not cut by the frame; hair, loose clothing, a mat of the same colour or a second person lower it.

How: the mask is resampled into a chord-aligned grid ("the straightened torso", 96 samples per
torso length across, one row per 1/16 along), which is also the downscale: the cost (~1.5 ms) does
not depend on the mask's resolution. On each row the torso is the run of mask > 0.5 containing the
chord (or the nearest within 0.3); its outer end is the edge. Rows whose edge lies in the head
(a disc around the ears) or an arm (capsules along the arm bones), their neighbours, and rows past
a neck-steep step at the shoulder end are hidden: NaN, and not held against the quality.
Evidence for each limit: /work-notes of issue 12 (the labelled clips; see the closing note).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

N_POINTS = 17  # profile stations, t = 0 .. 1 every 1/16 (~3 cm on an adult)
DU = 1.0 / 16.0  # station spacing along the chord, torso lengths
U_FROM, U_TO = -1, 18  # dense stations k * DU: -1/16 .. 1 + 2/16 (past the hip: the sacrum, glutes)
DV = 1.0 / 96.0  # sample spacing across the chord, torso lengths
V_HALF = 0.6  # the window across the chord, each side
NEAREST_RUN = 0.3  # the chord may lie outside the body by this much (a deep sag, a rounded back)
MIN_TORSO_PX = 24.0  # a torso shorter than this (mask pixels) has too little detail: quality 0
NECK_STEP = 0.07  # per 1/16 station at the shoulder end: a step this steep is the neck or head
SPIKE = 0.03  # a station this far out from both neighbours, on one side, is a spike


@dataclass(frozen=True)
class Quality:
    """Limits of the quality score (torso lengths unless said). Each factor is 1 when clean and
    falls linearly to 0 between its good and bad value; quality is their product. Set on the
    labelled clips: the model's edges are 0.01-0.03 wide, rough below 0.012; a cat's back reaches
    0.46 from the chord and a thick rounded upper back 0.43."""

    ramp_good: float = 0.04  # median 0.8->0.2 ramp width at the edge
    ramp_bad: float = 0.08
    rough_good: float = 0.012  # rms of the edge about its smoothed self (second differences)
    rough_bad: float = 0.04
    far_good: float = 0.55  # the edge's largest distance from the chord
    far_bad: float = 0.75
    reentry_bad: float = 0.25  # share of stations whose ray re-enters the mask just beyond the edge
    cover_bad: float = 0.5  # share of unhidden stations without an edge at which quality is 0
    reentry_gap: float = 0.05  # a re-entry this close beyond the edge: a strand, a hole, a second blob
    min_visible: int = 5  # fewer unhidden stations with an edge (of the 17): quality 0
    head_radius: float = 0.30  # the head's disc around the ears' midpoint
    arm_radius: float = 0.12  # capsules along the upper arm and the forearm


QUALITY = Quality()
_U = np.arange(U_FROM, U_TO + 1) * DU
_V = np.arange(-round(V_HALF / DV), round(V_HALF / DV) + 1) * DV
_T = np.linspace(0.0, 1.0, N_POINTS)
_STRETCH = (_U >= -1e-9) & (_U <= 1.0 + 1e-9)  # the shoulder-hip stretch decides the quality
_NEAREST_STATION = np.clip(np.round((_T - _U[0]) / DU).astype(int), 0, len(_U) - 1)


def _bilinear(mask: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mask values at float pixel coordinates, and whether each point lies inside the image."""
    h, w = mask.shape
    inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
    xc, yc = np.clip(x, 0, w - 1.001), np.clip(y, 0, h - 1.001)
    x0, y0 = np.floor(xc).astype(np.intp), np.floor(yc).astype(np.intp)
    fx, fy = xc - x0, yc - y0
    v = (
        mask[y0, x0] * (1 - fx) * (1 - fy)
        + mask[y0, x0 + 1] * fx * (1 - fy)
        + mask[y0 + 1, x0] * (1 - fx) * fy
        + mask[y0 + 1, x0 + 1] * fx * fy
    )
    return np.where(inside, v, 0.0), inside


def _straighten(mask: np.ndarray, shoulder: np.ndarray, hip: np.ndarray) -> tuple[np.ndarray, ...]:
    """The chord-aligned grid, rays running from the image-bottom side to the image-top side:
    values [stations, samples], inside-image flags, sample points [stations, samples, 2], torso px."""
    d = hip - shoulder
    length = math.hypot(d[0], d[1])
    n_up = np.array([d[1], -d[0]]) / length  # perpendicular to the chord ...
    if n_up[1] > 0:  # ... pointing to the image top (y decreases)
        n_up = -n_up
    points = shoulder + _U[:, None, None] * d + _V[None, :, None] * length * n_up
    vals, inside = _bilinear(mask, points[..., 0], points[..., 1])
    return vals, inside, points, length


def _edges_from_rays(vals: np.ndarray, inside: np.ndarray, q: Quality) -> dict[str, np.ndarray]:
    """The outer edge on each ray (samples ordered inner -> outer, offsets _V) and its diagnostics."""
    count = vals.shape[-1]
    centre = int(np.argmin(np.abs(_V)))
    idx = np.arange(count)
    inb = vals > 0.5
    start = inb & ~np.concatenate([np.zeros_like(inb[..., :1]), inb[..., :-1]], axis=-1)
    label = np.cumsum(start, axis=-1) * inb  # run number, 0 = outside
    dist = np.where(inb, np.abs(idx - centre), count + 1)
    j_near = np.argmin(dist, axis=-1)
    found = np.take_along_axis(dist, j_near[..., None], -1)[..., 0] * DV <= NEAREST_RUN
    target = np.take_along_axis(label, j_near[..., None], -1)[..., 0]
    j_end = np.where(label == target[..., None], idx, -1).max(axis=-1)  # the torso run's last sample
    open_end = j_end >= count - 1  # the run reaches the window's end: no edge
    j1, j0 = np.clip(j_end + 1, 0, count - 1), np.clip(j_end, 0, count - 1)
    m0 = np.take_along_axis(vals, j0[..., None], -1)[..., 0]
    m1 = np.take_along_axis(vals, j1[..., None], -1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip((m0 - 0.5) / (m0 - m1), 0, 1)
    edge = _V[j0] + frac * DV
    near = np.abs(_V - edge[..., None]) <= 0.15
    ramp = ((vals > 0.2) & (vals < 0.8) & near).sum(axis=-1) * DV
    beyond = (idx > j_end[..., None] + 1) & (edge[..., None] + q.reentry_gap >= _V)
    re_hit = inb & beyond
    reentry = re_hit.any(axis=-1)
    # Cut: the ray left the image between the chord's inner side and just past the edge.
    span = (np.minimum(edge[..., None], 0) - 0.05 <= _V) & (edge[..., None] + 0.06 >= _V)
    cut = (~inside & span).any(axis=-1) | (~inside & (idx == j1[..., None])).any(axis=-1)
    ok = found & ~open_end & ~cut
    return {
        "edge": np.where(ok, edge, np.nan),
        "ok": ok,
        "ramp": np.where(ok, ramp, np.nan),
        "reentry": reentry & ok,
        "cut": cut & found,
        "nomatch": ~found,
        "open": open_end & found,
        "j_end": j_end,
        "j_re": np.where(reentry, np.argmax(re_hit, axis=-1), -1),
        "frac": frac,
    }


def _in_capsules(p: np.ndarray, caps: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """Whether points p[..., 2] lie inside any capsule (a, b, radius in pixels)."""
    hit = np.zeros(p.shape[:-1], bool)
    for a, b, r in caps:
        ab = b - a
        den = float(ab @ ab)
        s = np.clip(((p - a) @ ab) / den, 0, 1) if den > 0 else np.zeros(p.shape[:-1])
        hit |= np.linalg.norm(p - (a + s[..., None] * ab), axis=-1) <= r
    return hit


def occluders(xy: np.ndarray, vis: np.ndarray, torso_px: float, q: Quality = QUALITY, min_vis: float = 0.3):
    """The head's disc and the arms' capsules in pixels, as (a, b, radius) triples. Limbs the model
    barely sees are skipped (the quality's smoothness and re-entry checks are the fallback)."""
    caps = []
    ears = [i for i in (7, 8) if vis[i] >= min_vis and np.isfinite(xy[i]).all()]
    if ears:
        c = xy[ears].mean(axis=0)
        caps.append((c, c, q.head_radius * torso_px))
    for bones in (((11, 13), (13, 15)), ((12, 14), (14, 16))):
        for a, b in bones:
            if min(vis[a], vis[b]) >= min_vis and np.isfinite(xy[[a, b]]).all():
                caps.append((xy[a], xy[b], q.arm_radius * torso_px))
    return caps


def _hide(e: dict[str, np.ndarray], rays: np.ndarray, caps: list) -> np.ndarray:
    """Stations that are the head or an arm, not the back (see the module's docstring)."""
    hidden = np.zeros(len(_U), bool)
    if caps:
        rows = np.arange(len(_U))
        j = np.clip(e["j_end"], 0, len(_V) - 1)
        j1 = np.clip(j + 1, 0, len(_V) - 1)
        at_edge = rays[rows, j] + (rays[rows, j1] - rays[rows, j]) * e["frac"][:, None]
        hidden = _in_capsules(at_edge, caps) & ~e["nomatch"]
        e["reentry"] = e["reentry"] & ~_in_capsules(rays[rows, np.clip(e["j_re"], 0, len(_V) - 1)], caps)
    edge = np.where(hidden, np.nan, e["edge"])
    k0 = int(np.argmin(np.abs(_U - 0.25)))
    for k in range(k0 - 1, -1, -1):  # from 1/4 towards the shoulder: the first neck-steep step
        if not np.isfinite(edge[k + 1]):
            break
        if not np.isfinite(edge[k]) or abs(edge[k] - edge[k + 1]) > NECK_STEP:
            hidden[: k + 1] |= e["ok"][: k + 1] | e["open"][: k + 1] | ~np.isfinite(edge[: k + 1])
            break
    if hidden.any() and not hidden.all():  # the station next to a hidden one may be half arm or head
        hidden = hidden | np.concatenate([hidden[1:], [False]]) | np.concatenate([[False], hidden[:-1]])
    return hidden


def _ramp01(x: float, good: float, bad: float) -> float:
    """1 at or below good, 0 at or beyond bad, linear between (NaN -> 0)."""
    r = (bad - x) / (bad - good)
    return float(min(max(r, 0.0), 1.0)) if math.isfinite(r) else 0.0


def _quality(e: dict[str, np.ndarray], hidden: np.ndarray, torso_px: float, q: Quality) -> float:
    hid, ok = hidden[_STRETCH], e["ok"][_STRETCH] & ~hidden[_STRETCH]
    if ok.sum() < q.min_visible or torso_px < MIN_TORSO_PX or e["cut"][_STRETCH].any():
        return 0.0
    edge = np.where(hidden, np.nan, e["edge"])[_STRETCH]
    cover = ok[~hid].mean() if (~hid).any() else 0.0
    reentry = (e["reentry"][_STRETCH] & ~hid)[~hid].mean() if (~hid).any() else 0.0
    second = edge[2:] - 2 * edge[1:-1] + edge[:-2]
    second = second[np.isfinite(second)]
    rough = float(np.sqrt(np.mean(second**2)) / math.sqrt(6)) if len(second) >= 3 else math.nan
    factors = (
        _ramp01(1 - cover, 0.0, q.cover_bad),
        _ramp01(float(np.nanmedian(np.where(hidden, np.nan, e["ramp"])[_STRETCH])), q.ramp_good, q.ramp_bad),
        _ramp01(reentry, 0.0, q.reentry_bad),
        _ramp01(float(np.nanmax(np.abs(edge))), q.far_good, q.far_bad),
        _ramp01(rough, q.rough_good, q.rough_bad),
    )
    return float(np.prod(factors))


def _despike(x: np.ndarray) -> np.ndarray:
    """Single-station spikes replaced by their neighbours' mean; the rest kept as measured (a
    median filter would flatten a real sag's deepest point)."""
    y = x.copy()
    a, b, c = x[:-2], x[1:-1], x[2:]
    with np.errstate(invalid="ignore"):
        spike = (((b - a) > SPIKE) & ((b - c) > SPIKE)) | (((a - b) > SPIKE) & ((c - b) > SPIKE))
    y[1:-1] = np.where(spike, (a + c) / 2, b)
    return y


def _profile(edge: np.ndarray) -> np.ndarray:
    """The dense edge sampled at the N_POINTS stations; NaN where the nearest station had none."""
    dense = _despike(edge)
    good = np.isfinite(dense)
    if good.sum() < 2:
        return np.full(N_POINTS, np.nan)
    prof = np.interp(_T, _U[good], dense[good], left=np.nan, right=np.nan)
    return np.where(good[_NEAREST_STATION], prof, np.nan)


def outline(mask: np.ndarray, xy: np.ndarray, vis: np.ndarray, q: Quality = QUALITY) -> tuple[np.ndarray, np.ndarray]:
    """Both edges' profiles of one frame: (2 x N_POINTS offsets, image-up signed, torso lengths;
    2 qualities). Side 0 = the edge towards the image top, 1 = towards the bottom. xy: 33 x 2
    landmark pixels in the mask's coordinates; vis: 33 visibilities. NaN / 0 without a torso."""
    nothing = np.full((2, N_POINTS), np.nan), np.zeros(2)
    if mask.ndim == 3:  # the model's mask comes as h x w x 1
        mask = mask[..., 0]
    if mask.dtype == np.uint8:
        mask = mask.astype(np.float32) / 255.0
    shoulder, hip = (xy[11] + xy[12]) / 2.0, (xy[23] + xy[24]) / 2.0
    if not (np.isfinite(shoulder).all() and np.isfinite(hip).all()) or np.allclose(shoulder, hip):
        return nothing
    vals, inside, points, torso_px = _straighten(mask, shoulder, hip)
    caps = occluders(xy, vis, torso_px, q)
    offsets, quality = np.full((2, N_POINTS), np.nan), np.zeros(2)
    for side, flip in ((0, slice(None)), (1, slice(None, None, -1))):  # up: as sampled; down: reversed
        e = _edges_from_rays(vals[:, flip], inside[:, flip], q)
        rays = points[:, flip]
        hidden = _hide(e, rays, caps)
        quality[side] = _quality(e, hidden, torso_px, q)
        offsets[side] = _profile(np.where(hidden, np.nan, e["edge"])) * (1.0 if side == 0 else -1.0)
    return offsets, quality
