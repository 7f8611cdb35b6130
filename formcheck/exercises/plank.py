"""Forearm plank and high plank, judged from the side on the body side nearer the camera."""

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
from formcheck.exercises.measures import head_angle_deg, shoulder_width_ratio, support_points
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, rotate, unit
from formcheck.i18n import N_

NECK_CUE = N_("Keep your neck long — look at the floor just ahead of your hands")


def hands_raised(pose: PoseFrames, shoulder: np.ndarray, hip: np.ndarray, torso: np.ndarray) -> np.ndarray:
    """Both wrists' heights above the torso line (hip-shoulder), summed, in % of the torso.

    Summed because the far hand is the less certain one and perspective places it higher at
    rest: each side's resting offset is constant, so a tap by either hand shows as a rise.
    The torso line, not the shoulder-ankle one, so that a moving leg does not read as a tap.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        heights = [g.height_above_line(pose.joint(s, "wrist"), hip, shoulder) for s in ("left", "right")]
        return (heights[0] + heights[1]) / torso * 100.0


def plank_pose(
    hip_bend_deg: float = 0.0,
    knee_angle_deg: float = 180.0,
    head_deg: float = 10.0,
    body_tilt_deg: float = 5.0,
    high: bool = False,
    shoulder_offset_ratio: float = 0.0,
    width_ratio: float = 0.05,
) -> np.ndarray:
    """A side-on plank, head to the right. hip_bend_deg > 0 piked, < 0 sagging; head_deg is the
    ear-shoulder line's angle above the trunk line (10 = MediaPipe's neutral); width_ratio the
    shoulder width seen, in torso lengths (~0.05 side-on)."""
    hip = np.array([0.0, 0.0])
    torso_dir = unit(body_tilt_deg - hip_bend_deg / 2)
    leg_dir = -unit(body_tilt_deg + hip_bend_deg / 2)
    shoulder = hip + TORSO * torso_dir
    knee = hip + THIGH * leg_dir
    # Bent knees drop towards the floor: turn the shin so the knee ends up below the line.
    ankle = knee + SHIN * rotate(leg_dir, -(180.0 - knee_angle_deg))
    # MediaPipe's landmarks sit inside the limbs: on the clips a straight plank's hip reads about
    # half a torso above the elbow-toe line, so the support is placed a little lower than bone length.
    if high:
        elbow = shoulder + np.array([0.0, -UPPER_ARM * 1.2])
        wrist = elbow + np.array([0.0, -FOREARM * 1.2])
    else:
        elbow = shoulder + np.array([-shoulder_offset_ratio * UPPER_ARM * 1.5, -UPPER_ARM * 1.5])
        wrist = elbow + np.array([FOREARM, 0.0])
    ear = shoulder + NECK * rotate(torso_dir, head_deg)
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, 0.0]),
        "foot_index": ankle + np.array([5.0, -25.0]),
        "ear": ear,
    }
    # The forearms (or hands) and toes rest on the floor.
    floor_shift = -min(points["elbow"][1], points["wrist"][1], points["foot_index"][1])
    points = {k: v + np.array([0.0, floor_shift]) for k, v in points.items()}
    nose = points["ear"] + NECK * 0.4 * rotate(torso_dir, head_deg - 40)
    return assemble(points, (640.0, 560.0), far_offset(width_ratio), nose=nose)


class Plank(Exercise):
    name = "plank"
    title = N_("Plank")
    kind = "hold"
    view = "side"
    back = "up"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "ear")
    order = 3.0
    get_in_position_cue = N_("Get into your plank: forearms under shoulders, legs straight")
    # Dynamic variants count reps inside the hold: knee taps (both knees to the mat and back),
    # leg raises (one straight leg up and down) and shoulder taps (one hand up to the other
    # shoulder and back).
    variants = ("forearm", "high", "knee_taps", "leg_raises", "shoulder_taps")
    faults = (
        FaultSpec(
            "hips_sagging",
            N_("Lift your hips — squeeze glutes and abs"),
            N_("Good — hips in line"),
            body_line=True,
            joints=("hip",),
        ),
        FaultSpec(
            "hips_piked",
            N_("Lower your hips into a straight line"),
            N_("Good — straight line"),
            body_line=True,
            joints=("hip",),
        ),
        FaultSpec(
            "lower_back_sagging",
            N_("Tuck your pelvis — flatten your lower back"),
            N_("Good — back flat"),
            body_line=True,
            joints=("hip",),
            outline=True,
        ),
        FaultSpec("knees_bent", N_("Straighten your legs"), N_("Good — legs long"), joints=("knee",)),
        FaultSpec(
            "shoulders_not_over_elbows",
            N_("Stack your shoulders over your elbows"),
            N_("Good — shoulders stacked"),
            joints=("shoulder", "elbow"),
        ),
        FaultSpec("head_dropped", NECK_CUE, N_("Good — neck long"), joints=("ear",)),
        FaultSpec("head_raised", NECK_CUE, N_("Good — neck long"), joints=("ear",)),
    )
    key_angle = KeyAngle("body_angle_deg", ("shoulder", "hip", "ankle"), straight=True)
    plots = (
        Plot(
            "hip_bend_deg",
            N_("hip bend (deg; + piked, - sagging)"),
            (
                Limit("hip_pike_deg", "above", "fault", "hips_piked"),
                Limit("hip_sag_deg", "below", "fault", "hips_sagging", sign=-1),
            ),
            timeline=True,
        ),
        Plot(
            "lumbar_curve",
            N_("back outline's lumbar curve (torso lengths; + rounded, - hollow)"),
            (Limit("lumbar_sag_ratio", "below", "fault", "lower_back_sagging", sign=-1),),
            timeline=True,
        ),
        Plot(
            "head_angle_deg",
            N_("head vs trunk line (deg; + raised, - dropped)"),
            (
                Limit("head_raise_deg", "above", "fault", "head_raised"),
                Limit("head_drop_deg", "below", "fault", "head_dropped", sign=-1),
            ),
        ),
        Plot(
            "knee_angle_deg",
            N_("knee angle (deg)"),
            (
                Limit("knee_bend_deg", "below", "fault", "knees_bent", sign=-1, offset=180.0),
                Limit("min_knee_angle_deg", "below", "position"),
            ),
        ),
        Plot(
            "hands_raised_pct",
            N_("shoulder taps: both wrists above the torso line (% torso; a tap is a rise)"),
            variant="shoulder_taps",
        ),
        Plot(
            "ankle_gap_pct",
            N_("leg raises: one ankle above the other (% torso)"),
            (Limit("leg_raise_ratio", "above", "rep", sign=100.0),),
            variant="leg_raises",
        ),
        Plot(
            "far_knee_angle_deg",
            N_("far knee angle where the model sees that leg (deg)"),
            (Limit("min_knee_angle_deg", "below", "position"),),
        ),
        Plot(
            "shoulder_offset_ratio",
            N_("shoulder ahead of elbow (upper-arm lengths; forearm plank)"),
            (
                Limit("shoulder_offset_ratio", "above", "fault", "shoulders_not_over_elbows"),
                Limit("shoulder_offset_ratio", "below", "fault", "shoulders_not_over_elbows", sign=-1),
            ),
        ),
        Plot(
            "body_tilt_deg",
            N_("shoulder-ankle line from horizontal (deg)"),
            (Limit("max_body_tilt_deg", "above", "position"),),
        ),
        Plot(
            "hip_height_ratio",
            N_("hip above support-toe line (torso lengths)"),
            (Limit("min_hip_height_ratio", "below", "position"),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("hip bend (deg)\n+ piked / − sagging")
    synthetic = Synthetic(
        pose=plank_pose,
        good={},
        faults={
            "hips_sagging": {"hip_bend_deg": -25},
            "hips_piked": {"hip_bend_deg": 35},
            "knees_bent": {"knee_angle_deg": 152},
            "head_raised": {"head_deg": 50},
            "head_dropped": {"head_deg": -35},
            "shoulders_not_over_elbows": {"shoulder_offset_ratio": 0.7},
        },
        sweep={
            "hip_bend_deg": (-35, 45),
            "knee_angle_deg": (130, 180),
            "head_deg": (-40, 70),
            "shoulder_offset_ratio": (-0.9, 0.9),
        },
        wrong_view={"width_ratio": 0.8},
        elsewhere=("lower_back_sagging",),  # the back's outline: tests/test_back_rules.py
    )
    tolerances = (
        "hip_sag_deg",
        "lumbar_sag_ratio",
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
        lumbar = pose.back_curves(prone=True)["lumbar_curve"]
        view_ratio = shoulder_width_ratio(pose)
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
        hips_sagging = -hip_bend - t["hip_sag_deg"]
        faults = {
            "hips_sagging": hips_sagging,
            # The outline sees a sag that the hip joint does not move (the lower back sinks while
            # the hip landmark stays near the line); where the joints see it, one cue is enough.
            "lower_back_sagging": np.where(
                hips_sagging > 0, -np.inf, np.nan_to_num((-lumbar - t["lumbar_sag_ratio"]) * 100.0, nan=-np.inf)
            ),
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
            "lumbar_curve": lumbar,
            "shoulder_offset_ratio": shoulder_offset,
            "view_ratio": view_ratio,
        }
        lift = self.variant_lift(pose, features, shoulder, hip, torso)
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose))

    def variant_lift(
        self,
        pose: PoseFrames,
        features: dict[str, np.ndarray],
        shoulder: np.ndarray,
        hip: np.ndarray,
        torso: np.ndarray,
    ) -> np.ndarray | None:
        """The rep signal of a dynamic variant (None for a still plank); adds its feature."""
        if self.variant == "knee_taps":
            return 180.0 - features["knee_angle_deg"]
        if self.variant == "leg_raises":
            with np.errstate(invalid="ignore", divide="ignore"):
                gap = np.abs(pose.joint("left", "ankle")[:, 1] - pose.joint("right", "ankle")[:, 1]) / torso * 100.0
            features["ankle_gap_pct"] = gap
            return gap
        if self.variant == "shoulder_taps":
            features["hands_raised_pct"] = hands_raised(pose, shoulder, hip, torso)
            return features["hands_raised_pct"]
        return None

    def far_knee_angle(self, pose: PoseFrames, far: np.ndarray) -> np.ndarray:
        """The far leg's knee angle where the model sees that leg clearly, else NaN. In an oblique
        view a half plank (far knee on the mat, near leg back) is otherwise a straight plank."""
        hip, knee, ankle = (pose.joint(far, j) for j in ("hip", "knee", "ankle"))
        seen = np.minimum.reduce([pose.joint_visibility(far, j) for j in ("hip", "knee", "ankle")])
        return np.where(seen >= self.t["min_visibility"], g.joint_angle_deg(hip, knee, ankle), np.nan)

    def rep_spec(self) -> RepSpec | None:
        t = self.t
        if self.variant == "knee_taps":  # the knees leave the plank position during each tap
            return self.rep(
                t["knee_tap_bend_deg"], t["knee_tap_depth_deg"], t["knee_tap_depth_deg"], needs_position=False
            )
        if self.variant == "leg_raises":
            return self.rep(t["leg_raise_ratio"] * 100, t["leg_raise_ratio"] * 80, t["leg_raise_ratio"] * 80)
        if self.variant == "shoulder_taps":  # only the rise counts: the resting level varies with the view
            rise = t["shoulder_tap_ratio"] * 100
            return self.rep(-math.inf, rise, rise * 0.8, max_top_s=t["shoulder_tap_max_s"])
        return None
