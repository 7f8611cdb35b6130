"""Side plank, judged from the front or back: hold time per side, hip line, elbow under shoulder."""

from __future__ import annotations

import math

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import (
    WRONG_VIEW,
    Exercise,
    FaultSpec,
    KeyAngle,
    Limit,
    Plot,
    PoseFrames,
    RepSpec,
    Signals,
    Synthetic,
)
from formcheck.exercises.measures import shoulder_width_ratio, support_points
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, rotate, unit
from formcheck.i18n import N_


def side_plank_pose(
    hip_bend_deg: float = 0.0,
    elbow_offset_ratio: float = 0.0,
    support: str = "left",
    body_tilt_deg: float = 20.0,
    knee_angle_deg: float = 178.0,
    width_ratio: float = 0.7,
) -> np.ndarray:
    """A forearm side plank seen from the front: the body line rises from the feet (left of the
    frame) to the shoulders; the supporting shoulder is the lower one."""
    ankle = np.array([0.0, 0.0])
    body = TORSO + THIGH + SHIN
    line = unit(body_tilt_deg)
    shoulder_mid = ankle + body * 0.92 * line
    # Put the mid-hip off the ankle-shoulder line by the bend (> 0 above).
    along = ankle + (THIGH + SHIN) * line
    normal = rotate(line, 90)
    offset = math.tan(math.radians(hip_bend_deg / 2)) * (THIGH + SHIN) * 0.6
    hip_mid = along + offset * normal
    half_width = width_ratio / 2 * TORSO  # facing the camera: the shoulders are spread across the body
    lower, upper = shoulder_mid - half_width * normal, shoulder_mid + half_width * normal
    hip_low, hip_up = hip_mid - 0.5 * half_width * normal, hip_mid + 0.5 * half_width * normal
    knee_mid = ankle + SHIN * line
    elbow = lower + UPPER_ARM * unit(-90) + np.array([elbow_offset_ratio * UPPER_ARM, 0.0])
    wrist = elbow + FOREARM * line
    ear_mid = shoulder_mid + NECK * line
    support_pts = {
        "shoulder": lower,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip_low,
        "knee": knee_mid - 8 * normal,
        "ankle": ankle - 5 * normal,
        "heel": ankle - 5 * normal,
        "foot_index": ankle + np.array([-15.0, 0.0]),
        "ear": ear_mid - 20 * normal,
    }
    bend_knee = rotate(line, -(180 - knee_angle_deg))
    support_pts["knee"] = support_pts["hip"] - THIGH * line
    support_pts["ankle"] = support_pts["knee"] - SHIN * bend_knee
    top_pts = {
        "shoulder": upper,
        "elbow": upper + np.array([0.0, 60.0]),
        "wrist": upper + np.array([0.0, 120.0]),
        "hip": hip_up,
        "knee": hip_up - THIGH * line,
        "ankle": hip_up - (THIGH + SHIN) * line,
        "heel": ankle + 5 * normal,
        "foot_index": ankle + np.array([-15.0, 5.0]),
        "ear": ear_mid + 20 * normal,
    }
    floor_shift = 40.0 - min(p[1] for p in list(support_pts.values()) + list(top_pts.values()))
    support_pts = {k: v + np.array([0.0, floor_shift]) for k, v in support_pts.items()}
    top_pts = {k: v + np.array([0.0, floor_shift]) for k, v in top_pts.items()}
    nose = ear_mid + np.array([0.0, floor_shift + 10.0]) + 40 * line
    return assemble(support_pts, (250.0, 650.0), (0.0, 0.0), near_side=support, nose=nose, far=top_pts)


class SidePlank(Exercise):
    name = "side_plank"
    title = N_("Side plank")
    kind = "hold"
    view = "front"
    # Both sides matter: the body line runs between the mid-points of each pair.
    needed = ("shoulder", "elbow", "hip", "knee", "ankle")
    order = 2.0
    get_in_position_cue = N_("Lift your hips: side plank on your forearm, feet stacked")
    reports_sides = True
    variants = ("hip_dips", "twists", "high_crunch", "high")
    faults = (
        FaultSpec("hips_dropped", N_("Push your hips up"), N_("Good — hips up"), body_line=True, joints=("hip",)),
        FaultSpec(
            "hips_piked", N_("Bring your hips into line"), N_("Good — straight line"), body_line=True, joints=("hip",)
        ),
        FaultSpec(
            "shoulders_not_over_elbows",
            N_("Stack your shoulder over your elbow"),
            N_("Good — elbow stacked"),
            joints=("shoulder", "elbow"),
        ),
    )
    key_angle = KeyAngle("body_angle_deg", ("shoulder", "hip", "ankle"), straight=True)
    plots = (
        Plot(
            "hip_bend_deg",
            N_("mid-hip off the shoulder-ankle line (deg; + piked, - dropped)"),
            (
                Limit("hip_pike_deg", "above", "fault", "hips_piked"),
                Limit("hip_drop_deg", "below", "fault", "hips_dropped", sign=-1),
            ),
            timeline=True,
        ),
        Plot(
            "elbow_offset_ratio",
            N_("elbow off plumb under the shoulder (upper-arm lengths; + = to the head)"),
            (
                Limit("elbow_offset_ratio", "above", "fault", "shoulders_not_over_elbows"),
                Limit("elbow_offset_ratio", "below", "fault", "shoulders_not_over_elbows", sign=-1),
            ),
        ),
        Plot(
            "hip_height_ratio",
            N_("mid-hip above support-ankle line (torso lengths)"),
            (Limit("min_hip_height_ratio", "below", "position"),),
        ),
        Plot(
            "body_tilt_deg",
            N_("shoulder-ankle line from horizontal (deg)"),
            (Limit("max_body_tilt_deg", "above", "position"),),
        ),
        Plot(
            "knee_angle_deg",
            N_("support-side knee angle (deg)"),
            (Limit("min_knee_angle_deg", "below", "position"),),
        ),
        Plot(
            "view_ratio",
            N_("shoulder width / torso (facing the camera ~0.5-0.7)"),
            (Limit("min_view_ratio", "below", "view"),),
        ),
        Plot(
            "body_length_ratio",
            N_("shoulder-ankle length / torso"),
            (Limit("min_body_length_ratio", "below", "view"),),
        ),
    )
    timeline_label = N_("hip bend (deg)\n+ piked / − dropped")
    synthetic = Synthetic(
        pose=side_plank_pose,
        good={},
        faults={
            "hips_dropped": {"hip_bend_deg": -30.0},
            "hips_piked": {"hip_bend_deg": 40.0},
            "shoulders_not_over_elbows": {"elbow_offset_ratio": 0.8},
        },
        sweep={"hip_bend_deg": (-25, 45), "elbow_offset_ratio": (-0.9, 0.9), "knee_angle_deg": (130, 180)},
        wrong_view={"width_ratio": 0.1},
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
            view_ratio = shoulder_width_ratio(pose)

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
            return self.rep(-t["dip_top_deg"], t["dip_depth_deg"], t["dip_depth_deg"])
        if self.variant == "twists":
            return self.rep(0.0, t["twist_depth"], t["twist_depth"])
        return None
