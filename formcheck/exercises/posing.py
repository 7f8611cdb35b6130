"""Shared parts for building synthetic poses: each exercise module poses its own body with these
(its `Synthetic.pose`), one frame's 33 x [x, y, z, visibility] landmarks, image-normalised like
MediaPipe's, in a 1280 x 720 frame. Turning frames into a track is the lab's job (lab/synthetic)."""

from __future__ import annotations

import math

import numpy as np

from formcheck.landmarks import NUM_LANDMARKS, Landmark

WIDTH, HEIGHT = 1280, 720
# Segment lengths in pixels for an adult filling about half the frame width.
TORSO, THIGH, SHIN, UPPER_ARM, FOREARM, NECK = 200.0, 180.0, 170.0, 110.0, 100.0, 70.0


def unit(angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    return np.array([math.cos(a), math.sin(a)])


def rotate(v: np.ndarray, angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def assemble(
    near: dict[str, np.ndarray],
    origin: tuple[float, float],
    far_offset: tuple[float, float],
    near_side: str = "left",
    nose: np.ndarray | None = None,
    far: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Body points in a y-up frame (pixels from `origin`) -> 33 x 4 normalised landmarks."""
    out = np.zeros((NUM_LANDMARKS, 4), dtype=np.float32)
    out[:, 3] = 0.3  # face details and hands: present but not relied on
    far_side = "right" if near_side == "left" else "left"

    def put(index: int, p: np.ndarray, vis: float) -> None:
        out[index, 0] = (origin[0] + p[0]) / WIDTH
        out[index, 1] = (origin[1] - p[1]) / HEIGHT
        out[index, 3] = vis

    offset = np.array(far_offset)
    for joint, p in near.items():
        put(Landmark[f"{near_side.upper()}_{joint.upper()}"], p, 0.99)
        far_p = far[joint] if far and joint in far else p + offset
        put(Landmark[f"{far_side.upper()}_{joint.upper()}"], far_p, 0.85)
    head = nose if nose is not None else near["ear"] + np.array([25.0, -5.0])
    put(Landmark.NOSE, head, 0.99)
    for index in (Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.MOUTH_LEFT, Landmark.MOUTH_RIGHT):
        put(index, head, 0.9)
    for name in ("pinky", "index", "thumb"):
        for side, src in ((near_side, near), (far_side, far or {k: v + offset for k, v in near.items()})):
            put(Landmark[f"{side.upper()}_{name.upper()}"], src["wrist"] + np.array([15.0, 0.0]), 0.5)
    return out


def far_offset(width_ratio: float) -> tuple[float, float]:
    """Where the far side's joints sit relative to the near side's, in pixels, for a body whose
    shoulders look `width_ratio` torso lengths apart: ~0.05 side-on; 0.6 and more facing the
    camera (how a wrong view is posed)."""
    return (0.6 * width_ratio * TORSO, 0.8 * width_ratio * TORSO)


PX_PER_M = 400.0  # synthetic bodies: a 0.5 m torso is TORSO pixels


def world_landmarks(frame: np.ndarray) -> np.ndarray:
    """The world landmarks (33 x 3 metres, about the mid-hip; x right, y down, z away from the
    camera) a synthetic frame implies: its image landmarks seen orthographically at PX_PER_M,
    depth from the z column (in image widths, like MediaPipe's)."""
    px = np.stack([frame[:, 0] * WIDTH, frame[:, 1] * HEIGHT, frame[:, 2] * WIDTH], axis=1).astype(np.float64)
    mid_hip = (px[Landmark.LEFT_HIP] + px[Landmark.RIGHT_HIP]) / 2.0
    return (px - mid_hip) / PX_PER_M
