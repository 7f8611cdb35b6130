"""Side plank, judged from the front or back: hold time per side, hip line, elbow under shoulder."""

from __future__ import annotations

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import WRONG_VIEW, Exercise, FaultSpec, PoseFrames, RepSpec, Signals
from formcheck.exercises.plank import support_points


class SidePlank(Exercise):
    name = "side_plank"
    title = "Side plank"
    kind = "hold"
    view = "front"
    # Both sides matter: the body line runs between the mid-points of each pair.
    needed = ("shoulder", "elbow", "hip", "knee", "ankle")
    key_feature = "body_angle_deg"
    get_in_position_cue = "Lift your hips: side plank on your forearm, feet stacked"
    reports_sides = True
    variants = ("hip_dips", "twists", "high_crunch", "high")
    faults = (
        FaultSpec("hips_dropped", "Push your hips up", "Good — hips up", body_line=True),
        FaultSpec("hips_piked", "Bring your hips into line", "Good — straight line", body_line=True),
        FaultSpec("shoulders_not_over_elbows", "Stack your shoulder over your elbow", "Good — elbow stacked"),
    )
    tolerances = ("hip_drop_deg", "hip_pike_deg", "elbow_offset_ratio")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        ls, rs = pose.joint("left", "shoulder"), pose.joint("right", "shoulder")
        mid_sh = g.midpoint(ls, rs)
        mid_hip = g.midpoint(pose.joint("left", "hip"), pose.joint("right", "hip"))
        mid_ankle = g.midpoint(pose.joint("left", "ankle"), pose.joint("right", "ankle"))
        # The supporting side is the one whose shoulder is lower in the image (nearer the floor).
        support_left = ls[:, 1] >= rs[:, 1]
        shoulder = pose.joint(support_left, "shoulder")
        elbow = pose.joint(support_left, "elbow")
        # The bottom leg carries the body (the top one may lift in a crunch): it must be straight.
        knee_angle = g.joint_angle_deg(
            pose.joint(support_left, "hip"), pose.joint(support_left, "knee"), pose.joint(support_left, "ankle")
        )
        torso = g.distance(mid_sh, mid_hip)
        body_angle = g.joint_angle_deg(mid_sh, mid_hip, mid_ankle)
        hip_bend = g.bend_above_line_deg(mid_sh, mid_hip, mid_ankle)
        body_tilt = g.tilt_from_horizontal_deg(mid_sh, mid_ankle)
        elbow_angle = g.joint_angle_deg(shoulder, elbow, pose.joint(support_left, "wrist"))
        base = support_points(pose, support_left, elbow_angle, t["straight_arm_deg"])
        with np.errstate(invalid="ignore", divide="ignore"):
            hip_height = g.height_above_line(mid_hip, base, mid_ankle) / torso
            body_length_ratio = g.distance(mid_sh, mid_ankle) / torso
            # How far the supporting elbow sits from plumb under its shoulder, horizontally, per
            # upper-arm length: > 0 out towards the head (the "elbow too wide" fault).
            head_dir = np.sign(mid_sh[:, 0] - mid_ankle[:, 0])
            elbow_offset = (elbow[:, 0] - shoulder[:, 0]) * head_dir / g.distance(shoulder, elbow)
            view_ratio = self.shoulder_width_ratio(pose)

        reason = self.visibility_reason(pose, support_left)
        wrong = (view_ratio < t["min_view_ratio"]) | (body_length_ratio < t["min_body_length_ratio"])
        if self.variant == "twists":  # the twist turns the chest to the floor by design
            wrong = body_length_ratio < t["min_body_length_ratio"]
        reason[(reason == 0) & wrong] = WRONG_VIEW

        position = np.minimum.reduce(
            [
                t["max_body_tilt_deg"] - body_tilt,
                (hip_height - t["min_hip_height_ratio"]) * 100.0,
                knee_angle - t["min_knee_angle_deg"],
            ]
        )
        dynamic = self.variant in ("hip_dips", "twists", "high_crunch")
        faults = {
            # In hip dips the dip is the exercise; twists and crunches lift the hips by design.
            "hips_dropped": -hip_bend - t["hip_drop_deg"]
            if self.variant != "hip_dips"
            else np.full(len(pose), -np.inf),
            "hips_piked": hip_bend - t["hip_pike_deg"] if not dynamic else np.full(len(pose), -np.inf),
            # On a straight arm the elbow sits between shoulder and wrist, so the same test holds.
            # A twist rolls the shoulder over the supporting elbow by design.
            "shoulders_not_over_elbows": (np.abs(elbow_offset) - t["elbow_offset_ratio"]) * 100.0
            if self.variant != "twists"
            else np.full(len(pose), -np.inf),
        }
        features = {
            "body_angle_deg": body_angle,
            "hip_bend_deg": hip_bend,
            "body_tilt_deg": body_tilt,
            "hip_height_ratio": hip_height,
            "elbow_offset_ratio": elbow_offset,
            "knee_angle_deg": knee_angle,
            "view_ratio": view_ratio,
            "body_length_ratio": body_length_ratio,
        }
        lift = None
        if self.variant in ("hip_dips", "high_crunch"):
            lift = -hip_bend  # a dip (or a crunch) drops the hips below the line, then back
        elif self.variant == "twists":
            lift = (t["twist_view_ratio"] - view_ratio) * 100.0  # the chest turns to the floor
        side = np.where(support_left, "left", "right")
        return Signals(
            features, reason, position, faults, support_left, lift=lift, cut=self.scene_cut(pose), side_label=side
        )

    def rep_spec(self) -> RepSpec | None:
        t = self.t
        if self.variant in ("hip_dips", "high_crunch"):
            return RepSpec(-t["dip_top_deg"], t["dip_depth_deg"], t["dip_depth_deg"])
        if self.variant == "twists":
            return RepSpec(0.0, t["twist_depth"], t["twist_depth"])
        return None
