"""Body measures more than one exercise uses, on smoothed pixel landmarks (numpy, any number of frames)."""

from __future__ import annotations

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import PoseFrames


def head_angle_deg(hip: np.ndarray, shoulder: np.ndarray, ear: np.ndarray) -> np.ndarray:
    """Angle of the shoulder->ear line off the hip->shoulder line: > 0 head raised, < 0 dropped."""
    deviation = 180.0 - g.joint_angle_deg(hip, shoulder, ear)
    above = g.height_above_line(ear, hip, shoulder) >= 0
    return np.where(above, deviation, -deviation)


def support_points(pose: PoseFrames, side: np.ndarray, elbow_angle: np.ndarray, straight_arm_deg: float) -> np.ndarray:
    """Where the upper body rests: the wrist on a straight (high-plank) arm, else the elbow."""
    straight = elbow_angle >= straight_arm_deg
    return np.where(straight[:, None], pose.joint(side, "wrist"), pose.joint(side, "elbow"))


def face_up_ratio(pose: PoseFrames, side: np.ndarray, torso: np.ndarray) -> np.ndarray:
    """How far the nose is above the ear, per torso length: > 0 lying face up, < 0 face down."""
    nose = pose.xy[:, 0]
    ear = pose.joint(side, "ear")
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ear[:, 1] - nose[:, 1]) / torso


def shoulder_width_ratio(pose: PoseFrames) -> np.ndarray:
    """Shoulder-to-shoulder (and hip-to-hip) distance over torso length: ~0 side-on, ~0.6-1 facing the camera."""
    ls, rs = pose.joint("left", "shoulder"), pose.joint("right", "shoulder")
    lh, rh = pose.joint("left", "hip"), pose.joint("right", "hip")
    torso = g.distance(g.midpoint(ls, rs), g.midpoint(lh, rh))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (g.distance(ls, rs) + g.distance(lh, rh)) / 2.0 / torso
