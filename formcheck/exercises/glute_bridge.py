"""Glute bridge (and hip thrust), judged from the side: reps, top hold, hip height at the top."""

from __future__ import annotations

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import NOT_VISIBLE, WRONG_VIEW, Exercise, FaultSpec, PoseFrames, Signals


def face_up_ratio(pose: PoseFrames, side: np.ndarray, torso: np.ndarray) -> np.ndarray:
    """How far the nose is above the ear, per torso length: > 0 lying face up, < 0 face down."""
    nose = pose.xy[:, 0]
    ear = pose.joint(side, "ear")
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ear[:, 1] - nose[:, 1]) / torso


class GluteBridge(Exercise):
    name = "glute_bridge"
    title = "Glute bridge"
    kind = "reps"
    view = "side"
    needed = ("shoulder", "hip", "knee", "ankle")
    key_feature = "bridge_angle_deg"
    get_in_position_cue = "Lie on your back, knees bent, feet flat"
    variants = ("hip_thrust", "frog_pump", "hands_behind_head")
    faults = (
        FaultSpec("hips_too_low", "Lift your hips higher", scope="rep"),
        FaultSpec(
            "back_arched",
            "Don't arch — squeeze your glutes and stop at a straight line",
            "Good — straight line",
            scope="top",
        ),
        FaultSpec(
            "feet_misplaced",
            "Move your feet so your knees are over your ankles",
            "Good — knees over ankles",
            scope="top",
        ),
    )
    tolerances = ("hip_low_deg", "arch_deg", "shin_offset_ratio")  # min_top_knee_angle_deg is a floor, not scaled

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, hip, knee, ankle = (pose.joint(left, j) for j in ("shoulder", "hip", "knee", "ankle"))
        torso = g.distance(shoulder, hip)
        bridge_angle = g.joint_angle_deg(knee, hip, shoulder)
        # + hip above the knee-shoulder line (arching), - below (not lifted yet / too low).
        hip_lift = g.bend_above_line_deg(knee, hip, shoulder)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        with np.errstate(invalid="ignore", divide="ignore"):
            shin_offset = np.abs(knee[:, 0] - ankle[:, 0]) / g.distance(knee, ankle)
        thigh_tilt = g.tilt_from_horizontal_deg(shoulder, knee)
        face_up = face_up_ratio(pose, left, torso)
        view_ratio = self.shoulder_width_ratio(pose)

        reason = self.visibility_reason(pose, left)
        # Beyond +-90 deg the "bridge" is no body lying on its back: a close-up or a mislabelled
        # pose (edited tutorials cut to the feet), so nothing is judged.
        reason[(reason == 0) & (np.abs(hip_lift) > 90)] = NOT_VISIBLE
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # In position: lying on the back (face up), knees bent, body low (shoulder-knee line flat).
        position = np.minimum.reduce(
            [
                t["max_knee_angle_deg"] - knee_angle,
                t["max_body_tilt_deg"] - thigh_tilt,
                (face_up + t["face_up_tolerance_ratio"]) * 100.0,
            ]
        )
        # Frog pumps put the soles together and the knees out by design: no foot placement to judge.
        # Feet too far: the knee behind/ahead of the ankle (shin off vertical). Feet too close:
        # heels at the glutes close the knee (the shin offset misses it from the foot end).
        feet_check = (
            np.full(len(pose), -np.inf)
            if self.variant == "frog_pump"
            else np.fmax((shin_offset - t["shin_offset_ratio"]) * 100.0, t["min_top_knee_angle_deg"] - knee_angle)
        )
        faults = {
            "hips_too_low": -hip_lift - t["hip_low_deg"],
            "back_arched": hip_lift - t["arch_deg"],
            "feet_misplaced": feet_check,
        }
        features = {
            "bridge_angle_deg": bridge_angle,
            "hip_lift_deg": hip_lift,
            "knee_angle_deg": knee_angle,
            "shin_offset_ratio": shin_offset,
            "face_up_ratio": face_up,
            "view_ratio": view_ratio,
        }
        return Signals(features, reason, position, faults, left, lift=hip_lift, cut=self.scene_cut(pose))
