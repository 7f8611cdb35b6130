"""Superman (prone arm and leg lift), judged from the side: reps, hold at the top, how high."""

from __future__ import annotations

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import WRONG_VIEW, Exercise, FaultSpec, PoseFrames, Signals
from formcheck.exercises.glute_bridge import face_up_ratio
from formcheck.exercises.plank import head_angle_deg


class Superman(Exercise):
    name = "superman"
    title = "Superman"
    kind = "reps"
    view = "side"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "ear")
    key_feature = "chest_lift_deg"
    get_in_position_cue = "Lie face down, arms long in front of you"
    # Both lift one arm and the opposite leg at a time: "swimmer" (Leap Fitness's name) and
    # "alternating" (the labels' name for the same movement done slowly).
    variants = ("swimmer", "alternating")
    faults = (
        FaultSpec("arms_not_lifted", "Lift arms and legs together", scope="top"),
        FaultSpec("legs_not_lifted", "Lift arms and legs together", scope="top"),
        FaultSpec("over_arched", "Lift only a few inches", "Good — small lift", scope="top"),
        FaultSpec("neck_cranked", "Look at the floor", "Good — neck long", scope="top"),
        FaultSpec("knees_bent", "Keep your legs long", "Good — legs long", scope="top"),
    )
    tolerances = ("over_arch_deg", "neck_crank_deg", "knee_bend_deg")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, wrist, hip = (pose.joint(left, j) for j in ("shoulder", "wrist", "hip"))
        knee, ankle, ear = (pose.joint(left, j) for j in ("knee", "ankle", "ear"))
        torso = g.distance(shoulder, hip)
        # Lifts as angles above the image horizontal (the camera is assumed level, as advised).
        chest_lift = g.rise_over_line_deg(hip, shoulder)
        arm_lift = g.rise_over_line_deg(shoulder, wrist)
        leg_lift = g.rise_over_line_deg(hip, ankle)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        head = head_angle_deg(hip, shoulder, ear) - t["head_neutral_deg"]
        # The lower leg's line: one leg lifted high (alternating lifts) tilts its own line, not the body's.
        body_tilt = np.fmin(
            g.tilt_from_horizontal_deg(shoulder, pose.joint("left", "ankle")),
            g.tilt_from_horizontal_deg(shoulder, pose.joint("right", "ankle")),
        )
        face_down = -face_up_ratio(pose, left, torso)
        view_ratio = self.shoulder_width_ratio(pose)

        reason = self.visibility_reason(pose, left)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        position = np.minimum.reduce(
            [
                t["max_body_tilt_deg"] - body_tilt,
                knee_angle - t["min_knee_angle_deg"],
                (face_down + t["face_down_tolerance_ratio"]) * 100.0,
            ]
        )
        arms_up = arm_lift - t["arm_lift_deg"]
        legs_up = leg_lift - t["leg_lift_deg"]
        swimmer = self.variant in ("swimmer", "alternating")
        if swimmer:  # one arm and the opposite leg: either side's limbs may be the lifted ones
            far = "right" if isinstance(left, str) else ~left
            far_arm = g.rise_over_line_deg(pose.joint(far, "shoulder"), pose.joint(far, "wrist"))
            far_leg = g.rise_over_line_deg(pose.joint(far, "hip"), pose.joint(far, "ankle"))
            arms_up = np.fmax(arms_up, far_arm - t["arm_lift_deg"])
            legs_up = np.fmax(legs_up, far_leg - t["leg_lift_deg"])
        # The rep signal: whichever end is higher above its own "lifted" line.
        lift = np.fmax(arms_up, legs_up)
        side_on = view_ratio <= t["max_view_ratio_for_angles"]
        # Which end is lifted is read against the image horizontal: only side-on is that the floor
        # (seen from the head end, the resting arms read -30 deg and lifted ones ~0).
        both_ends = side_on & ~swimmer
        faults = {
            "arms_not_lifted": np.where(both_ends & (legs_up > 0), -arms_up, -np.inf),
            "legs_not_lifted": np.where(both_ends & (arms_up > 0), -legs_up, -np.inf),
            "over_arched": chest_lift - t["over_arch_deg"],
            "neck_cranked": np.where(side_on, head - t["neck_crank_deg"], -np.inf),
            "knees_bent": np.where(side_on, (180.0 - knee_angle) - t["knee_bend_deg"], -np.inf),
        }
        features = {
            "chest_lift_deg": chest_lift,
            "arm_lift_deg": arm_lift,
            "leg_lift_deg": leg_lift,
            "knee_angle_deg": knee_angle,
            "head_angle_deg": head,
            "face_down_ratio": face_down,
            "view_ratio": view_ratio,
        }
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose))
