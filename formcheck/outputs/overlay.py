"""Draw what a person should see on one frame: skeleton, key angle, counters and the active cue.

The same `draw_overlay` serves the offline annotated video and the live window. It never
mirrors: a live selfie view flips the image and the landmarks (`mirror_xy`) before calling it.
OpenCV drawing only; every size scales with the frame, so a 428x396 clip and a 1080x1920
portrait clip both read well, and text is wrapped or shrunk so it never runs off the frame.
Cost: about 1 ms per 1280x720 frame and 1.5 ms per 1080x1920 one (median over real clips on a
2-core machine); the bands are blended in place on their rows only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import cv2
import numpy as np

from formcheck.exercises.base import Exercise
from formcheck.i18n import N_, _, degrees_text, label_text, name_text, num, seconds_text, signal_text
from formcheck.judging.records import FrameState
from formcheck.landmarks import SIDE_BONES, side_landmark
from formcheck.outputs.drawing import (
    CUE_FONT,
    PANEL_FONT,
    ascii_text,
    blend_rect,
    dashed_line,
    draw_text,
    drawable,
    hershey,
    label,
    layout_cue,
    pt,
    text_width,
    unit,
)

# Cue band colours (BGR): a fault is active / not judged or not in position / good or praise.
CUE_RED = (40, 40, 210)
CUE_AMBER = (0, 165, 250)
CUE_GREEN = (60, 150, 40)
CUE_BAND_ALPHA = 0.85  # the band is nearly opaque: the cue must read on any background
GOOD_FORM_TEXT = N_("Good form")  # shown on the green band when the judge has nothing to say

BONE_COLOUR = (245, 245, 245)
OUTLINE_COLOUR = (30, 30, 30)
JOINT_COLOUR = (255, 200, 0)
LOW_VIS_COLOUR = (150, 150, 150)
ANGLE_COLOUR = (0, 220, 255)
FAULT_RING_COLOUR = (40, 40, 230)
BACK_COLOUR = (230, 190, 60)  # the back's outline, as the model's silhouette has it
PANEL_TEXT = (255, 255, 255)
PANEL_DIM = (190, 190, 190)

PHASE_NAMES = {"up": N_("top"), "down": N_("down"), "out": N_("not in position"), "hold": N_("hold")}


def mirror_xy(xy: np.ndarray | None, width: float) -> np.ndarray | None:
    """Landmark pixels as they land on a horizontally flipped image (`cv2.flip(img, 1)`).
    Works on one frame (33 x 2) or many (T x 33 x 2); NaN stays NaN."""
    if xy is None:
        return None
    out = np.array(xy, dtype=np.float64, copy=True)
    out[..., 0] = width - out[..., 0]
    return out


def cue_colour(state: FrameState) -> tuple[int, int, int]:
    """Red while a fault is active, amber when not judged / not in position, green otherwise."""
    if state.faults:
        return CUE_RED
    if not state.judged or not state.in_position:
        return CUE_AMBER
    return CUE_GREEN


def feature_label(name: str, value: float) -> str:
    """'body_angle_deg', 171.6 -> 'body angle 172 deg' (in the language: 'Körperwinkel 172 Grad')."""
    words = signal_text(name)
    if value != value:
        return f"{words} -"
    if name.endswith("_deg"):
        return f"{words} {degrees_text(value)}"
    if name.endswith("_s"):
        return f"{words} {seconds_text(value)}"
    return f"{words} {num(value, 2)}"


# -- layout helpers ------------------------------------------------------------------------


# -- the parts of the overlay --------------------------------------------------------------


def _joint_points(xy: np.ndarray, side: str, limit: float, extra: set[str]) -> dict[str, tuple[int, int] | None]:
    names = {name for bone in SIDE_BONES for name in bone} | extra
    return {name: pt(xy[side_landmark(side, name)], limit) for name in names}


def _draw_skeleton(
    image: np.ndarray, xy: np.ndarray, visibility: np.ndarray | None, side: str, exercise: Exercise, u: float
) -> dict[str, tuple[int, int] | None]:
    limit = 10.0 * max(image.shape[:2])
    ringed = {joint for fault in exercise.faults for joint in fault.joints}
    pts = _joint_points(xy, side, limit, ringed)
    min_visibility = exercise.t["min_visibility"]  # joints below it are drawn hollow and grey
    bone_t = max(2, round(3 * u))
    radius = max(3, round(5 * u))
    for a, b in SIDE_BONES:
        pa, pb = pts[a], pts[b]
        if pa is None or pb is None:
            continue
        cv2.line(image, pa, pb, OUTLINE_COLOUR, bone_t + 2, cv2.LINE_AA)
        cv2.line(image, pa, pb, BONE_COLOUR, bone_t, cv2.LINE_AA)
    drawn = {name for bone in SIDE_BONES for name in bone}
    for name in drawn:
        p = pts[name]
        if p is None:
            continue
        vis = float(visibility[side_landmark(side, name)]) if visibility is not None else 1.0
        low = not vis >= min_visibility
        cv2.circle(image, p, radius + 1, OUTLINE_COLOUR, -1, cv2.LINE_AA)
        cv2.circle(
            image, p, radius, LOW_VIS_COLOUR if low else JOINT_COLOUR, max(1, radius // 2) if low else -1, cv2.LINE_AA
        )
    return pts


MIDLINE_JOINTS = ("shoulder", "hip", "ankle")


def _draw_midline(image: np.ndarray, xy: np.ndarray, u: float) -> dict[str, tuple[int, int] | None]:
    """The shoulder-hip-ankle line through the midpoints of each left/right pair (front views)."""
    limit = 10.0 * max(image.shape[:2])
    pts = {
        name: pt(
            (np.asarray(xy[side_landmark("left", name)], dtype=np.float64) + xy[side_landmark("right", name)]) / 2.0,
            limit,
        )
        for name in MIDLINE_JOINTS
    }
    thickness = max(2, round(3 * u))
    chain = [pts[name] for name in MIDLINE_JOINTS]
    for a, b in itertools.pairwise(chain):
        if a is not None and b is not None:
            cv2.line(image, a, b, OUTLINE_COLOUR, thickness + 2, cv2.LINE_AA)
            cv2.line(image, a, b, ANGLE_COLOUR, thickness, cv2.LINE_AA)
    radius = max(3, round(5 * u))
    for p in chain:
        if p is not None:
            cv2.circle(image, p, radius + 1, OUTLINE_COLOUR, -1, cv2.LINE_AA)
            cv2.circle(image, p, radius, ANGLE_COLOUR, -1, cv2.LINE_AA)
    return pts


def _key_angle_points(
    xy: np.ndarray, side: str, exercise: Exercise, joints: tuple[str, str, str | None]
) -> list[np.ndarray | None]:
    out: list[np.ndarray | None] = []
    for name in joints:
        if name is None:
            out.append(None)
        elif exercise.view == "front":  # the body's midline (side plank)
            left, right = xy[side_landmark("left", name)], xy[side_landmark("right", name)]
            out.append((np.asarray(left, dtype=np.float64) + right) / 2.0)
        else:
            out.append(np.asarray(xy[side_landmark(side, name)], dtype=np.float64))
    return out


def _draw_key_angle(image: np.ndarray, xy: np.ndarray, side: str, exercise: Exercise, value: float, u: float) -> bool:
    """Arc at the vertex with the value beside it; False if it could not be drawn."""
    joints = exercise.key_angle.joints
    if joints is None:
        return False
    a, b, c = _key_angle_points(xy, side, exercise, joints)
    if a is None or b is None or np.isnan(a).any() or np.isnan(b).any():
        return False
    len_ba = float(np.hypot(*(a - b)))
    if c is None:  # against the horizontal, on the side the first joint is on
        c = b + np.array([math.copysign(max(len_ba, 1.0), a[0] - b[0]), 0.0])
    if np.isnan(c).any():
        return False
    len_bc = float(np.hypot(*(c - b)))
    if min(len_ba, len_bc) < 2:
        return False
    limit = 10.0 * max(image.shape[:2])
    pa, pb, pc = pt(a, limit), pt(b, limit), pt(c, limit)
    assert pa is not None and pb is not None and pc is not None
    thin = max(1, round(2 * u))
    if joints[2] is None:  # the horizontal it is measured from
        dashed_line(image, pb, pc, ANGLE_COLOUR, thin, dash=8 * u)
    elif exercise.key_angle.straight:  # the straight line the angle should reach
        dashed_line(image, pa, pc, ANGLE_COLOUR, thin, dash=8 * u)
    ang_a = math.degrees(math.atan2(a[1] - b[1], a[0] - b[0]))
    ang_c = math.degrees(math.atan2(c[1] - b[1], c[0] - b[0]))
    sweep = (ang_c - ang_a) % 360.0
    start, span = (ang_a, sweep) if sweep <= 180.0 else (ang_c, 360.0 - sweep)
    radius = int(min(max(0.35 * min(len_ba, len_bc), 14 * u), 70 * u))
    cv2.ellipse(image, pb, (radius, radius), 0.0, start, start + span, ANGLE_COLOUR, thin + 1, cv2.LINE_AA)
    if value == value:
        # The label sits on the bisector just clear of the arc; for a nearly straight angle on
        # the far side (a plank's ~175 deg arc is flat and its inside is where the floor is);
        # for a narrow angle just outside the arm towards joint a (inside it would cover the lines).
        if span < 50:
            a_end = start if start == ang_a else start + span
            mid = math.radians(a_end - 35.0 if start == ang_a else a_end + 35.0)
        else:
            mid = math.radians(start + span / 2.0)
        text = ascii_text(degrees_text(value))
        scale, thickness = max(0.4, 0.75 * u), max(1, round(2 * u))
        (tw, th), _baseline = cv2.getTextSize(text, PANEL_FONT, scale, thickness)
        cx, cy = math.cos(mid), math.sin(mid)
        # Distance from the box centre to its edge along the bisector, so the box clears the arc.
        half = min(tw / 2 / max(abs(cx), 1e-6), (th / 2 + 4) / max(abs(cy), 1e-6))
        off = radius + thin + 6 * u + half
        direction = -1.0 if span > 150 else 1.0
        org = (int(pb[0] + direction * off * cx), int(pb[1] + direction * off * cy))
        label(image, text, org, scale, ANGLE_COLOUR, thickness)
    return True


def back_points(xy: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """The back outline's stations in pixels (N x 2, NaN where hidden): `edge` holds image-up
    offsets from the mid-shoulder -> mid-hip chord in torso lengths (pipeline/outline)."""
    shoulder = (xy[side_landmark("left", "shoulder")] + xy[side_landmark("right", "shoulder")]) / 2.0
    hip = (xy[side_landmark("left", "hip")] + xy[side_landmark("right", "hip")]) / 2.0
    d = hip - shoulder
    length = float(np.hypot(d[0], d[1]))
    if not length > 0:
        return np.full((len(edge), 2), np.nan)
    n_up = np.array([d[1], -d[0]]) / length
    if n_up[1] > 0:  # towards the image top, as the outline was read
        n_up = -n_up
    t = np.linspace(0.0, 1.0, len(edge))
    return shoulder + t[:, None] * d + np.asarray(edge, dtype=np.float64)[:, None] * length * n_up


def _draw_back(image: np.ndarray, xy: np.ndarray, edge: np.ndarray, faulty: bool, u: float) -> None:
    """The back's outline (each visible run of stations), red while a fault read from it is on."""
    points = back_points(xy, edge)
    limit = 10.0 * max(image.shape[:2])
    colour = FAULT_RING_COLOUR if faulty else BACK_COLOUR
    width = max(2, round(3 * u))
    run: list[tuple[int, int]] = []
    for p in [*points, np.array([np.nan, np.nan])]:
        q = pt(p, limit)
        if q is not None:
            run.append(q)
            continue
        if len(run) >= 2:
            line = np.array(run, dtype=np.int32).reshape(-1, 1, 2)
            cv2.polylines(image, [line], False, OUTLINE_COLOUR, width + 2, cv2.LINE_AA)
            cv2.polylines(image, [line], False, colour, width, cv2.LINE_AA)
        run = []


def _draw_fault_rings(
    image: np.ndarray,
    pts: Mapping[str, tuple[int, int] | None],
    faults: tuple[str, ...],
    exercise: Exercise,
    u: float,
) -> None:
    specs = exercise.fault_specs
    for fault in faults:
        for joint in specs[fault].joints if fault in specs else ():
            p = pts.get(joint)
            if p is not None:
                cv2.circle(image, p, max(8, round(16 * u)), FAULT_RING_COLOUR, max(2, round(3 * u)), cv2.LINE_AA)


def panel_lines(
    state: FrameState,
    features: Mapping[str, float],
    exercise: Exercise,
    fps: float | None = None,
    key_drawn: bool = True,
) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The counters panel as (text, relative size, colour) lines: title, then the good-form hold
    timer (holds) or reps and phase (rep exercises), the side, the key feature's value when no
    arc shows it (`key_drawn` False), and the frame rate."""
    title = _(exercise.title) + (f" ({name_text(exercise.variant)})" if exercise.variant else "")
    lines: list[tuple[str, float, tuple[int, int, int]]] = [(title, 1.25, PANEL_TEXT)]
    reps = _("Reps {reps} (good {good})").format(reps=state.reps, good=state.good_reps)
    if exercise.kind == "hold":
        good = seconds_text(max(state.good_hold_s, 0.0))
        text = _("Good form {good} / {held}").format(good=good, held=seconds_text(max(state.hold_s, 0.0)))
        lines.append((text, 1.0, PANEL_TEXT))
        if state.reps > 0:
            lines.append((reps, 1.0, PANEL_TEXT))
    else:
        lines.append((reps, 1.0, PANEL_TEXT))
        phase = _(PHASE_NAMES.get(state.phase, state.phase))
        lines.append((_("Phase: {phase}").format(phase=phase), 0.85, PANEL_DIM))
    if state.side in ("left", "right"):
        lines.append((_("Side: {side}").format(side=name_text(state.side)), 0.85, PANEL_DIM))
    elif state.side:  # another label (which stretch, and its side)
        lines.append((label_text(state.side), 0.85, PANEL_DIM))
    if not key_drawn and exercise.key_feature in features:
        value = float(features[exercise.key_feature])
        lines.append((feature_label(exercise.key_feature, value), 0.85, PANEL_DIM))
    if fps is not None and fps == fps:
        lines.append((_("{fps} fps").format(fps=num(fps, 0)), 0.7, PANEL_DIM))
    return [(drawable(text), size, colour) for text, size, colour in lines]


def _draw_panel(
    image: np.ndarray,
    state: FrameState,
    features: Mapping[str, float],
    exercise: Exercise,
    fps: float | None,
    key_drawn: bool,
    u: float,
) -> None:
    w = image.shape[1]
    lines = panel_lines(state, features, exercise, fps, key_drawn)
    base = max(0.42, 0.8 * u)
    margin = max(4, round(12 * u))
    pad = max(4, round(10 * u))
    sized = []
    for text, rel, colour in lines:
        scale = base * rel
        thickness = max(1, round(2 * u * rel)) if rel >= 1.2 else max(1, round(1.6 * u))
        (tw, th), bl = cv2.getTextSize(hershey(text)[0], PANEL_FONT, scale, thickness)
        sized.append((text, scale, thickness, colour, tw, th, bl))
    # Keep the panel inside the frame: shrink everything if the widest line does not fit.
    widest = max(s[4] for s in sized)
    room = w - 2 * margin - 2 * pad
    if widest > room > 0:
        f = room / widest
        sized = [(t, s * f, k, c, int(tw * f), int(th * f), int(bl * f)) for t, s, k, c, tw, th, bl in sized]
        widest = room
    gap = max(3, round(8 * u))
    bar_h = max(4, round(8 * u)) if exercise.kind == "hold" else 0
    height = sum(s[5] + s[6] for s in sized) + gap * (len(sized) - 1) + 2 * pad
    height += bar_h + gap if bar_h else 0
    x0, y0 = margin, margin
    blend_rect(image, x0, y0, x0 + widest + 2 * pad, y0 + height, None, 0.6)
    y = y0 + pad
    for k, (text, scale, thickness, colour, _tw, th, bl) in enumerate(sized):
        y += th
        draw_text(image, text, (x0 + pad, y), PANEL_FONT, scale, colour, thickness)
        y += bl + gap
        if k == 1 and bar_h:  # good-form share of the hold so far, under the timer
            share = state.good_hold_s / state.hold_s if state.hold_s > 0 else 0.0
            share = min(max(share, 0.0), 1.0)
            bx0, bx1 = x0 + pad, x0 + pad + widest
            cv2.rectangle(image, (bx0, y), (bx1, y + bar_h), (90, 90, 90), -1)
            if share > 0:
                cv2.rectangle(image, (bx0, y), (bx0 + int((bx1 - bx0) * share), y + bar_h), CUE_GREEN, -1)
            y += bar_h + gap


def _draw_cue(image: np.ndarray, state: FrameState) -> None:
    h, w = image.shape[:2]
    colour = cue_colour(state)
    text = drawable(_(state.cue)).strip()  # the judgement's English cue, shown in the language
    if not text:
        if colour != CUE_GREEN:
            return
        text = drawable(_(GOOD_FORM_TEXT))
    lines, scale, thickness, line_h, text_h = layout_cue(text, w, h)
    pad = max(4, int(0.45 * text_h))
    band_h = min(h, line_h * len(lines) + 2 * pad - int(0.35 * text_h))
    y0 = h - band_h
    blend_rect(image, 0, y0, w, h, colour, CUE_BAND_ALPHA)
    ink = (20, 20, 20) if colour == CUE_AMBER else (255, 255, 255)
    y = y0 + pad + text_h
    for line in lines:
        tw = text_width(line, CUE_FONT, scale, thickness)
        draw_text(image, line, ((w - tw) // 2, y), CUE_FONT, scale, ink, thickness)
        y += line_h


def draw_overlay(
    image: np.ndarray,
    xy: np.ndarray | None,
    visibility: np.ndarray | None,
    near_left: bool,
    state: FrameState,
    features: Mapping[str, float],
    exercise: Exercise,
    fps: float | None = None,
    back_edge: np.ndarray | None = None,
) -> np.ndarray:
    """Draw the judged side's skeleton, the back's outline, the key angle, the counters panel and
    the cue, in place.

    image: BGR frame (drawn on in place and returned); xy: 33 x 2 smoothed landmark pixels
    (NaN where missing) or None when nobody was found; visibility: 33 floats or None;
    near_left: the judged side is the left one; features: this frame's feature values;
    back_edge: the back's outline (PoseFrames.back_edge) or None.
    """
    h, w = image.shape[:2]
    u = unit(w, h)
    side = "left" if near_left else "right"
    key_drawn = False
    if xy is not None:
        xy = np.asarray(xy)
        if back_edge is not None:
            specs = exercise.fault_specs
            faulty = any(specs[f].outline for f in state.faults if f in specs)
            _draw_back(image, xy, back_edge, faulty, u)
        pts = _draw_skeleton(image, xy, visibility, side, exercise, u)
        if exercise.view == "front":  # judged on the body's midline: draw it, ring faults on it
            pts = {**pts, **_draw_midline(image, xy, u)}
        _draw_fault_rings(image, pts, state.faults, exercise, u)
        value = float(features.get(exercise.key_feature, math.nan))
        key_drawn = _draw_key_angle(image, xy, side, exercise, value, u)
    _draw_panel(image, state, features, exercise, fps, key_drawn, u)
    _draw_cue(image, state)
    return image
