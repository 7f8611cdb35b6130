"""Vectorised 2-D geometry on pixel coordinates: angles, lines, offsets.

Every function takes arrays whose last axis is (x, y) in pixels (image y grows downwards) and
broadcasts over any leading axes, so the same code judges one live frame or a whole track.
NaN in, NaN out.
"""

from __future__ import annotations

import numpy as np


def joint_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle ABC at b, in degrees, 0-180 (180 = a, b, c in a straight line)."""
    ba = a - b
    bc = c - b
    dot = (ba * bc).sum(axis=-1)
    norm = np.linalg.norm(ba, axis=-1) * np.linalg.norm(bc, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(dot / norm, -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def cross2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def height_above_line(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far p is above the line through a and b, in pixels (negative = below).

    "Above" is towards the top of the image, whichever way the line runs, so it means
    "away from the floor" for a body lying in the frame.
    """
    ab = b - a
    length = np.linalg.norm(ab, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        signed = cross2(ab, p - a) / length  # > 0: p is on the clockwise side of a->b
    # In image coordinates (y down), a point above a left-to-right line has a negative cross
    # product; flip for lines that run right to left so the sign always means "above".
    direction = np.where(ab[..., 0] >= 0, -1.0, 1.0)
    return signed * direction


def bend_above_line_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Signed deviation of the chain a-b-c from straight, in degrees: 180 - angle(abc),
    positive when b lies above the a-c line (hips piked / lifted), negative when below (sagging)."""
    deviation = 180.0 - joint_angle_deg(a, b, c)
    return np.where(height_above_line(b, a, c) >= 0, deviation, -deviation)


def tilt_from_horizontal_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle of the line a-b from the image horizontal, 0-90 degrees."""
    d = b - a
    return np.degrees(np.arctan2(np.abs(d[..., 1]), np.abs(d[..., 0])))


def rise_over_line_deg(origin: np.ndarray, tip: np.ndarray) -> np.ndarray:
    """Angle of origin->tip above the horizontal, signed: positive when the tip is higher
    (smaller image y) than the origin, -90..90 degrees."""
    d = tip - origin
    return np.degrees(np.arctan2(-d[..., 1], np.abs(d[..., 0])))


def angle_between_lines_deg(a1: np.ndarray, a2: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Signed angle from direction a1->a2 to direction b1->b2, in degrees, -180..180,
    positive counter-clockwise as seen on screen."""
    u = a2 - a1
    v = b2 - b1
    # Image y points down, so negate the cross product to get the on-screen rotation sense.
    return np.degrees(np.arctan2(-cross2(u, v), (u * v).sum(axis=-1)))


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1)


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a + b) / 2.0


LIMB_JOINTS = (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)  # shoulders to ankles, both sides
MIRRORED_LIMBS = (12, 11, 14, 13, 16, 15, 24, 23, 26, 25, 28, 27)  # the same joints, sides swapped


def _last_seen(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frames with a person, and each frame's pose or the last one seen before it."""
    seen = ~np.isnan(xy[:, 0, 0])
    last = np.maximum.accumulate(np.where(seen, np.arange(len(xy)), 0)) if len(xy) else np.zeros(0, int)
    return seen, xy[last]


def _trunk_moves(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Per frame, how far the mid-shoulder or mid-hip moved from `before`, per torso length."""
    sh_now, hip_now = midpoint(now[:, 11], now[:, 12]), midpoint(now[:, 23], now[:, 24])
    sh_before, hip_before = midpoint(before[:, 11], before[:, 12]), midpoint(before[:, 23], before[:, 24])
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.maximum(distance(sh_now, sh_before), distance(hip_now, hip_before)) / distance(sh_now, hip_now)


def _limb_moves(now: np.ndarray, before: np.ndarray) -> np.ndarray:
    """Per frame, the median over the limb joints of how far each moved from `before` (per torso
    length), each matched to the nearer of its own or its mirror joint: the model swapping left
    and right is not a movement."""
    own = np.linalg.norm(now[:, LIMB_JOINTS] - before[:, LIMB_JOINTS], axis=-1)
    mirror = np.linalg.norm(now[:, LIMB_JOINTS] - before[:, MIRRORED_LIMBS], axis=-1)
    torso = distance(midpoint(now[:, 11], now[:, 12]), midpoint(now[:, 23], now[:, 24]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.median(np.fmin(own, mirror), axis=1) / torso


def _lasting_jump(xy: np.ndarray, moves) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Per frame, how far the pose jumped from the previous frame *and stayed*: the smallest of
    the jumps from the frame before to this one and to the next, and from two frames before to
    this one. A cut jumps for good; a one-frame glitch, and the return from it, do not count.
    Frames without a person are compared with the last one seen, and get 0."""
    seen, xy = _last_seen(xy)
    jump = np.zeros(len(xy))
    if len(xy) > 1:
        jump[1:] = moves(xy[1:], xy[:-1])
    if len(xy) > 2:
        skip = moves(xy[2:], xy[:-2])  # frame k+2 against frame k
        jump[1:-1] = np.fmin(jump[1:-1], skip)  # the next frame stays
        jump[2:] = np.fmin(jump[2:], skip)  # and this is not a return
    jump[~seen] = 0.0
    return np.nan_to_num(jump)


def body_jump_ratio(xy: np.ndarray) -> np.ndarray:
    """Per frame (T x 33 x 2 pixels), how far the mid-shoulder or mid-hip jumped (and stayed), per
    torso length. Nobody moves a torso length in a frame: a big value is a scene cut in an
    edited video, or a different person."""
    return _lasting_jump(xy, _trunk_moves)


def limb_jump_ratio(xy: np.ndarray) -> np.ndarray:
    """Per frame, the median limb joint's jump (and stay), per torso length. An exercise moves a
    few joints at a time; a cut moves them all, so this finds cuts between similar shots that
    move the trunk too little for `body_jump_ratio`."""
    return _lasting_jump(xy, _limb_moves)


def scene_cuts(xy: np.ndarray, body_ratio: float, limb_ratio: float) -> np.ndarray:
    """Frames where the body jumps further than anyone moves in one frame (see the two ratios)."""
    with np.errstate(invalid="ignore"):
        return (body_jump_ratio(xy) > body_ratio) | (limb_jump_ratio(xy) > limb_ratio)
