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


def distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1)


def midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a + b) / 2.0


def angle_between_lines_deg(a1: np.ndarray, a2: np.ndarray, b1: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """Signed angle from direction a1->a2 to direction b1->b2, in degrees, -180..180,
    positive counter-clockwise as seen on screen."""
    u = a2 - a1
    v = b2 - b1
    # Image y points down, so negate the cross product to get the on-screen rotation sense.
    return np.degrees(np.arctan2(-cross2(u, v), (u * v).sum(axis=-1)))


LIMB_JOINTS = (11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)  # shoulders to ankles, both sides


def _last_seen(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frames with a person, and each frame's pose or the last one seen before it."""
    seen = ~np.isnan(xy[:, 0, 0])
    last = np.maximum.accumulate(np.where(seen, np.arange(len(xy)), 0)) if len(xy) else np.zeros(0, int)
    return seen, xy[last]


def body_jump_ratio(xy: np.ndarray) -> np.ndarray:
    """Per frame (T x 33 x 2 pixels), how far the mid-shoulder or mid-hip moved since the
    previous frame, per torso length (frame 0 gets 0). Nobody moves a torso length in a frame:
    a big value is a scene cut in an edited video, or a different person."""
    seen, xy = _last_seen(xy)  # across frames without a person, compare with the last one seen
    mid_sh = midpoint(xy[:, 11], xy[:, 12])
    mid_hip = midpoint(xy[:, 23], xy[:, 24])
    jump = np.zeros(len(xy))
    if len(xy) > 1:
        torso = distance(mid_sh, mid_hip)
        with np.errstate(invalid="ignore", divide="ignore"):
            jump[1:] = np.maximum(distance(mid_sh[1:], mid_sh[:-1]), distance(mid_hip[1:], mid_hip[:-1])) / torso[1:]
    jump[~seen] = 0.0
    return jump


def limb_jump_ratio(xy: np.ndarray) -> np.ndarray:
    """Per frame, the median over the twelve limb joints of how far each moved since the previous
    frame, per torso length. An exercise moves a few joints at a time; a cut moves them all, so
    this finds cuts between similar shots that move the trunk too little for `body_jump_ratio`."""
    seen, xy = _last_seen(xy)
    jump = np.zeros(len(xy))
    if len(xy) > 1:
        limbs = xy[:, LIMB_JOINTS]
        torso = distance(midpoint(xy[:, 11], xy[:, 12]), midpoint(xy[:, 23], xy[:, 24]))
        with np.errstate(invalid="ignore", divide="ignore"):
            moved = np.linalg.norm(limbs[1:] - limbs[:-1], axis=-1) / torso[1:, None]
            jump[1:] = np.median(moved, axis=1)
    jump[~seen] = 0.0
    return jump


def scene_cuts(xy: np.ndarray, body_ratio: float, limb_ratio: float) -> np.ndarray:
    """Frames where the body jumps further than anyone moves in one frame (see the two ratios)."""
    with np.errstate(invalid="ignore"):
        return (body_jump_ratio(xy) > body_ratio) | (limb_jump_ratio(xy) > limb_ratio)
