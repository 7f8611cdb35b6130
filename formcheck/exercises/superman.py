"""Superman (prone arm and leg lift), judged from the side: reps, hold at the top, how high."""

from __future__ import annotations

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
    Signals,
    Synthetic,
)
from formcheck.exercises.measures import face_up_ratio, head_angle_deg, shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, rotate, unit
from formcheck.i18n import N_

BOTH = "both: trunk and outline"  # the two lines of the outline rule flag it together


def superman_pose(
    arm_lift_deg: float = -12.0,
    leg_lift_deg: float = 4.0,
    chest_lift_deg: float = 2.0,
    head_deg: float = 10.0,
    knee_angle_deg: float = 175.0,
    width_ratio: float = 0.04,
) -> np.ndarray:
    """A superman side-on, lying face down, head to the right; lifts are degrees above horizontal."""
    hip = np.array([0.0, 20.0])
    shoulder = hip + TORSO * unit(chest_lift_deg)
    wrist = shoulder + (UPPER_ARM + FOREARM) * unit(arm_lift_deg)
    elbow = shoulder + UPPER_ARM * unit(arm_lift_deg)
    leg_dir = unit(180.0 - leg_lift_deg)
    knee = hip + THIGH * leg_dir
    ankle = knee + SHIN * rotate(leg_dir, -(180.0 - knee_angle_deg))
    ear = shoulder + NECK * rotate(unit(chest_lift_deg), head_deg)
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-5.0, 10.0]),
        "foot_index": ankle + np.array([-20.0, -5.0]),
        "ear": ear,
    }
    nose = ear + np.array([20.0, -25.0])  # face down
    return assemble(points, (500.0, 600.0), far_offset(width_ratio), nose=nose)


class Superman(Exercise):
    name = "superman"
    title = N_("Superman")
    kind = "reps"
    view = "side"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "ear")
    order = 4.0
    back = "up"
    get_in_position_cue = N_("Lie face down, arms long in front of you")
    # Both lift one arm and the opposite leg at a time: "swimmer" (Leap Fitness's name) and
    # "alternating" (the labels' name for the same movement done slowly).
    variants = ("swimmer", "alternating")
    # One arm and the opposite leg: reps are counted per pair (left arm + right leg, or right arm +
    # left leg). Checked on the labelled alternating clip (8 of 8 sides right); the swimmer clip has
    # no sides in its label and mostly oblique shots (it reads 6 and 3 of an alternating 9), so it
    # keeps the plain count.
    side_variants = ("alternating",)
    faults = (
        FaultSpec("arms_not_lifted", N_("Lift arms and legs together"), scope="top", joints=("wrist",)),
        FaultSpec("legs_not_lifted", N_("Lift arms and legs together"), scope="top", joints=("ankle",)),
        FaultSpec(
            "over_arched",
            N_("Lift only a few inches"),
            N_("Good — small lift"),
            scope="top",
            joints=("shoulder",),
            outline=True,
        ),
        FaultSpec("neck_cranked", N_("Look at the floor"), N_("Good — neck long"), scope="top", joints=("ear",)),
        FaultSpec("knees_bent", N_("Keep your legs long"), N_("Good — legs long"), scope="top", joints=("knee",)),
    )
    key_angle = KeyAngle("chest_lift_deg", ("shoulder", "hip", None))
    plots = (
        Plot(
            "arm_lift_deg",
            N_("shoulder-wrist line above horizontal (deg)"),
            (Limit("arm_lift_deg", "below", "fault", "arms_not_lifted"),),
            timeline=True,
        ),
        Plot(
            "leg_lift_deg",
            N_("hip-ankle line above horizontal (deg)"),
            (Limit("leg_lift_deg", "below", "fault", "legs_not_lifted"),),
            timeline=True,
        ),
        Plot(
            "chest_lift_deg",
            N_("hip-shoulder line above horizontal (deg)"),
            (
                Limit("over_arch_deg", "above", "fault", "over_arched"),
                Limit("arch_with_curve_deg", "above", "fault", "over_arched", together=BOTH),
            ),
            timeline=True,
        ),
        Plot(
            "lumbar_curve",
            N_("back outline's lumbar curve (torso lengths; + rounded, - hollow)"),
            (Limit("over_arch_curve_ratio", "below", "fault", "over_arched", sign=-1, together=BOTH),),
            timeline=True,
        ),
        Plot(
            "head_angle_deg",
            N_("head vs trunk line (deg; + raised)"),
            (Limit("neck_crank_deg", "above", "fault", "neck_cranked"),),
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
            "face_down_ratio",
            N_("ear above nose (torso lengths; > 0 face down)"),
            (Limit("face_down_tolerance_ratio", "below", "position", sign=-1),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("lift above horizontal (deg)")
    synthetic = Synthetic(
        pose=superman_pose,
        good={"arm_lift_deg": 15.0, "leg_lift_deg": 18.0, "chest_lift_deg": 12.0},
        rest={"arm_lift_deg": -12.0, "leg_lift_deg": 4.0, "chest_lift_deg": 2.0},
        faults={
            "arms_not_lifted": {"arm_lift_deg": -12.0, "leg_lift_deg": 20.0, "chest_lift_deg": 3.0},
            "legs_not_lifted": {"leg_lift_deg": 4.0},
            "over_arched": {"arm_lift_deg": 30.0, "chest_lift_deg": 35.0},
            "neck_cranked": {"head_deg": 65.0},
            "knees_bent": {"knee_angle_deg": 130.0},
        },
        sweep={
            "arm_lift_deg": (-15, 25),
            "leg_lift_deg": (0, 25),
            "chest_lift_deg": (0, 40),
            "head_deg": (-20, 70),
            "knee_angle_deg": (120, 180),
        },
        wrong_view={"width_ratio": 0.8},
    )
    tolerances = ("over_arch_deg", "arch_with_curve_deg", "over_arch_curve_ratio", "neck_crank_deg", "knee_bend_deg")

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
        lumbar = pose.back_curves(prone=True)["lumbar_curve"]
        view_ratio = shoulder_width_ratio(pose)

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
        side = alternating_side(pose) if self.variant == "alternating" else None
        # The rep signal: whichever end is higher above its own "lifted" line.
        lift = np.fmax(arms_up, legs_up)
        side_on = view_ratio <= t["max_view_ratio_for_angles"]
        # Which end is lifted is read against the image horizontal: only side-on is that the floor
        # (seen from the head end, the resting arms read -30 deg and lifted ones ~0).
        both_ends = side_on & ~swimmer
        faults = {
            "arms_not_lifted": np.where(both_ends & (legs_up > 0), -arms_up, -np.inf),
            "legs_not_lifted": np.where(both_ends & (arms_up > 0), -legs_up, -np.inf),
            # A trunk lifted high, or lifted less but with the lower back folded deep (the outline).
            "over_arched": np.fmax(
                chest_lift - t["over_arch_deg"],
                np.fmin(
                    chest_lift - t["arch_with_curve_deg"],
                    np.nan_to_num((-lumbar - t["over_arch_curve_ratio"]) * 100.0, nan=-np.inf),
                ),
            ),
            "neck_cranked": np.where(side_on, head - t["neck_crank_deg"], -np.inf),
            "knees_bent": np.where(side_on, (180.0 - knee_angle) - t["knee_bend_deg"], -np.inf),
        }
        features = {
            "chest_lift_deg": chest_lift,
            "arm_lift_deg": arm_lift,
            "leg_lift_deg": leg_lift,
            "knee_angle_deg": knee_angle,
            "head_angle_deg": head,
            "lumbar_curve": lumbar,
            "face_down_ratio": face_down,
            "view_ratio": view_ratio,
        }
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose), side_label=side)


def alternating_side(pose: PoseFrames) -> np.ndarray:
    """Which pair is lifted, per frame: "left_arm_right_leg" or "right_arm_left_leg". Read from how
    much higher one arm is than the other plus how much higher the opposite leg is than its
    partner (degrees above horizontal; the pair lifted leads both). MediaPipe's left and right
    agreed with the labels' occlusion-read sides on every lift of the fitbod alternating clip."""

    def rise(side: str, a: str, b: str) -> np.ndarray:
        return g.rise_over_line_deg(pose.joint(side, a), pose.joint(side, b))

    arms = rise("left", "shoulder", "wrist") - rise("right", "shoulder", "wrist")
    legs = rise("right", "hip", "ankle") - rise("left", "hip", "ankle")
    return np.where(np.nan_to_num(arms + legs) >= 0, "left_arm_right_leg", "right_arm_left_leg")
