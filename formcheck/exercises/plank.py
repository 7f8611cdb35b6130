"""Forearm plank and high plank, judged from the side on the body side nearer the camera."""

from __future__ import annotations

import math

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import WRONG_VIEW, Exercise, FaultSpec, PoseFrames, RepSpec, Signals


def head_angle_deg(hip: np.ndarray, shoulder: np.ndarray, ear: np.ndarray) -> np.ndarray:
    """Angle of the shoulder->ear line off the hip->shoulder line: > 0 head raised, < 0 dropped."""
    deviation = 180.0 - g.joint_angle_deg(hip, shoulder, ear)
    above = g.height_above_line(ear, hip, shoulder) >= 0
    return np.where(above, deviation, -deviation)


def support_points(pose: PoseFrames, side: np.ndarray, elbow_angle: np.ndarray, straight_arm_deg: float) -> np.ndarray:
    """Where the upper body rests: the wrist on a straight (high-plank) arm, else the elbow."""
    straight = elbow_angle >= straight_arm_deg
    return np.where(straight[:, None], pose.joint(side, "wrist"), pose.joint(side, "elbow"))


def hands_raised(pose: PoseFrames, shoulder: np.ndarray, hip: np.ndarray, torso: np.ndarray) -> np.ndarray:
    """Both wrists' heights above the torso line (hip-shoulder), summed, in % of the torso.

    Summed because the far hand is the less certain one and perspective places it higher at
    rest: each side's resting offset is constant, so a tap by either hand shows as a rise.
    The torso line, not the shoulder-ankle one, so that a moving leg does not read as a tap.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        heights = [g.height_above_line(pose.joint(s, "wrist"), hip, shoulder) for s in ("left", "right")]
        return (heights[0] + heights[1]) / torso * 100.0


class Plank(Exercise):
    name = "plank"
    title = "Plank"
    kind = "hold"
    view = "side"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "ear")
    key_feature = "body_angle_deg"
    get_in_position_cue = "Get into your plank: forearms under shoulders, legs straight"
    # Dynamic variants count reps inside the hold: knee taps (both knees to the mat and back),
    # leg raises (one straight leg up and down) and shoulder taps (one hand up to the other
    # shoulder and back).
    variants = ("forearm", "high", "knee_taps", "leg_raises", "shoulder_taps")
    faults = (
        FaultSpec("hips_sagging", "Lift your hips — squeeze glutes and abs", "Good — hips in line", body_line=True),
        FaultSpec("hips_piked", "Lower your hips into a straight line", "Good — straight line", body_line=True),
        FaultSpec("knees_bent", "Straighten your legs", "Good — legs long"),
        FaultSpec("shoulders_not_over_elbows", "Stack your shoulders over your elbows", "Good — shoulders stacked"),
        FaultSpec(
            "head_dropped", "Keep your neck long — look at the floor just ahead of your hands", "Good — neck long"
        ),
        FaultSpec(
            "head_raised", "Keep your neck long — look at the floor just ahead of your hands", "Good — neck long"
        ),
    )
    tolerances = (
        "hip_sag_deg",
        "hip_pike_deg",
        "knee_bend_deg",
        "shoulder_offset_ratio",
        "head_drop_deg",
        "head_raise_deg",
    )

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, elbow, wrist = (pose.joint(left, j) for j in ("shoulder", "elbow", "wrist"))
        hip, knee, ankle, ear = (pose.joint(left, j) for j in ("hip", "knee", "ankle", "ear"))
        toe = pose.joint(left, "foot_index")
        torso = g.distance(shoulder, hip)
        upper_arm = g.distance(shoulder, elbow)

        body_angle = g.joint_angle_deg(shoulder, hip, ankle)
        hip_bend = g.bend_above_line_deg(shoulder, hip, ankle)
        # Shoulder-ankle, not shoulder-hip: a sag or pike tilts the torso but not the body line.
        body_tilt = g.tilt_from_horizontal_deg(shoulder, ankle)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        far_knee_angle = self.far_knee_angle(pose, ~left)
        elbow_angle = g.joint_angle_deg(shoulder, elbow, wrist)
        base = support_points(pose, left, elbow_angle, t["straight_arm_deg"])
        floor_toe = np.where(np.isnan(toe), ankle, toe)
        with np.errstate(invalid="ignore", divide="ignore"):
            hip_height = g.height_above_line(hip, base, floor_toe) / torso
            # Along the body: + when the shoulder is further towards the head than the elbow.
            head_dir = np.sign(shoulder[:, 0] - hip[:, 0])
            shoulder_offset = (shoulder[:, 0] - elbow[:, 0]) * head_dir / upper_arm
        head = head_angle_deg(hip, shoulder, ear) - t["head_neutral_deg"]
        view_ratio = self.shoulder_width_ratio(pose)
        forearm = elbow_angle < t["straight_arm_deg"]
        if self.variant == "high":
            forearm = np.zeros(len(pose), dtype=bool)

        reason = self.visibility_reason(pose, left)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # In position: torso near horizontal, hips off the floor, legs (not knees) carrying the body.
        # In knee taps the knees bending is the movement, so only straight legs are the plank.
        min_knee = 180.0 - t["knee_bend_deg"] if self.variant == "knee_taps" else t["min_knee_angle_deg"]
        position = np.minimum.reduce(
            [
                t["max_body_tilt_deg"] - body_tilt,
                (hip_height - t["min_hip_height_ratio"]) * 100.0,
                knee_angle - min_knee,
                np.nan_to_num(far_knee_angle - min_knee, nan=np.inf),
            ]
        )
        faults = {
            "hips_sagging": -hip_bend - t["hip_sag_deg"],
            "hips_piked": hip_bend - t["hip_pike_deg"],
            "knees_bent": (180.0 - knee_angle) - t["knee_bend_deg"],
            "shoulders_not_over_elbows": np.where(
                forearm, (np.abs(shoulder_offset) - t["shoulder_offset_ratio"]) * 100.0, -np.inf
            ),
            "head_dropped": -head - t["head_drop_deg"],
            "head_raised": head - t["head_raise_deg"],
        }
        features = {
            "body_angle_deg": body_angle,
            "hip_bend_deg": hip_bend,
            "body_tilt_deg": body_tilt,
            "knee_angle_deg": knee_angle,
            "far_knee_angle_deg": far_knee_angle,
            "elbow_angle_deg": elbow_angle,
            "hip_height_ratio": hip_height,
            "head_angle_deg": head,
            "shoulder_offset_ratio": shoulder_offset,
            "view_ratio": view_ratio,
        }
        lift = None
        if self.variant == "knee_taps":
            lift = 180.0 - knee_angle
        elif self.variant == "leg_raises":
            with np.errstate(invalid="ignore", divide="ignore"):
                lift = np.abs(pose.joint("left", "ankle")[:, 1] - pose.joint("right", "ankle")[:, 1]) / torso * 100.0
            features["ankle_gap_pct"] = lift
        elif self.variant == "shoulder_taps":
            lift = features["hands_raised_pct"] = hands_raised(pose, shoulder, hip, torso)
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose))

    def far_knee_angle(self, pose: PoseFrames, far: np.ndarray) -> np.ndarray:
        """The far leg's knee angle where the model sees that leg clearly, else NaN. In an oblique
        view a half plank (far knee on the mat, near leg back) is otherwise a straight plank."""
        hip, knee, ankle = (pose.joint(far, j) for j in ("hip", "knee", "ankle"))
        seen = np.minimum.reduce([pose.joint_visibility(far, j) for j in ("hip", "knee", "ankle")])
        return np.where(seen >= self.t.get("min_visibility", 0.5), g.joint_angle_deg(hip, knee, ankle), np.nan)

    def rep_spec(self) -> RepSpec | None:
        t = self.t
        if self.variant == "knee_taps":  # the knees leave the plank position during each tap
            return RepSpec(
                t["knee_tap_bend_deg"], t["knee_tap_depth_deg"], t["knee_tap_depth_deg"], needs_position=False
            )
        if self.variant == "leg_raises":
            return RepSpec(t["leg_raise_ratio"] * 100, t["leg_raise_ratio"] * 80, t["leg_raise_ratio"] * 80)
        if self.variant == "shoulder_taps":  # only the rise counts: the resting level varies with the view
            rise = t["shoulder_tap_ratio"] * 100
            return RepSpec(-math.inf, rise, rise * 0.8, max_top_s=t["shoulder_tap_max_s"])
        return None
