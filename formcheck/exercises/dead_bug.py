"""Dead bug, lying on the back, judged from the side: reps per side, the lower back kept down.

A rep is one arm lowering overhead towards the floor while the opposite leg straightens out low,
and back to the table-top (arms vertical, hips and knees at 90 deg). Either diagonal may move: each
frame reads both and takes the one further out; its arm names the side. The heel slide (the feet-
down regression) is one leg sliding out along the floor and back: its rep is that knee opening.
The lower back's lift from the floor needs the back profile (PoseFrames.back); without one it is
not judged.
"""

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
    RepSpec,
    Signals,
    Synthetic,
)
from formcheck.exercises.measures import face_up_ratio, shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, unit
from formcheck.i18n import N_


def arm_overhead_deg(shoulder: np.ndarray, wrist: np.ndarray, head_dir: np.ndarray) -> np.ndarray:
    """The shoulder->wrist line's angle from pointing straight up, towards the head: 0 arm vertical
    (table-top), 90 overhead level with the shoulder, -90 along the body towards the feet."""
    d = wrist - shoulder
    return np.degrees(np.arctan2(d[..., 0] * head_dir, -d[..., 1]))


def dead_bug_pose(
    arm_deg: float = 0.0,
    leg_deg: float = 0.0,
    moving: str = "left",
    knee_angle_deg: float = 90.0,
    other_arm_deg: float = 0.0,
    other_leg_deg: float = 0.0,
    width_ratio: float = 0.04,
) -> np.ndarray:
    """One frame lying on the back, side-on, head to the right, the left side nearer the camera.
    `moving` names the moving arm ("left": the near arm and the far right leg); arm_deg is that arm's
    angle from vertical towards the head (0 table-top, 90 overhead), leg_deg the opposite hip's
    opening from 90 deg (0 table-top, 90 straight out). knee_angle_deg is the moving leg's knee
    (90 in table-top, 180 straight); the other leg keeps 90. width_ratio: the shoulder width seen."""
    hip = np.array([0.0, 0.0])
    shoulder = hip + np.array([TORSO, 0.0])
    ear = shoulder + np.array([NECK, 5.0])

    def arm(angle: float) -> tuple[np.ndarray, np.ndarray]:
        d = unit(90.0 - angle)
        return shoulder + UPPER_ARM * d, shoulder + (UPPER_ARM + FOREARM) * d

    def leg(opening: float, knee_angle: float) -> tuple[np.ndarray, np.ndarray]:
        thigh = unit(90.0 + opening)  # up at 0, towards the feet (left) at 90
        knee = hip + THIGH * thigh
        shin = unit(90.0 + opening + (180.0 - knee_angle))  # the shin folds towards the feet
        return knee, knee + SHIN * shin

    moving_left = moving == "left"
    a_move, a_rest = arm(arm_deg), arm(other_arm_deg)
    l_move, l_rest = leg(leg_deg, knee_angle_deg), leg(other_leg_deg, 90.0)
    near_arm = a_move if moving_left else a_rest
    far_arm = a_rest if moving_left else a_move
    near_leg = l_rest if moving_left else l_move  # the moving leg is opposite the moving arm
    far_leg = l_move if moving_left else l_rest
    near = {"shoulder": shoulder, "elbow": near_arm[0], "wrist": near_arm[1], "hip": hip}
    near |= {"knee": near_leg[0], "ankle": near_leg[1], "ear": ear}
    offset = np.array(far_offset(width_ratio))
    far = {"shoulder": shoulder + offset, "elbow": far_arm[0] + offset, "wrist": far_arm[1] + offset}
    far |= {"hip": hip + offset, "knee": far_leg[0] + offset, "ankle": far_leg[1] + offset, "ear": ear + offset}
    for side in (near, far):
        side["heel"] = side["ankle"] + np.array([-5.0, -8.0])
        side["foot_index"] = side["ankle"] + np.array([-15.0, 15.0])
    nose = ear + np.array([10.0, 30.0])  # face up
    return assemble(near, (420.0, 560.0), tuple(offset), nose=nose, far=far)


class DeadBug(Exercise):
    name = "dead_bug"
    title = N_("Dead bug")
    kind = "reps"
    view = "side"
    back = "down"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
    order = 11.0
    get_in_position_cue = N_("Lie on your back: arms up, knees over hips")
    reports_sides = True  # reps per moving arm (the sliding leg in heel slides)
    variants = ("heel_slide",)
    faults = (
        FaultSpec(
            "lower_back_lifting",
            N_("Press your lower back into the floor"),
            N_("Good — back down"),
            scope="top",
            joints=("hip",),
            outline=True,
        ),
    )
    # The reach is the lower of an arm's and a hip's angle, no three-joint angle: the value is printed.
    key_angle = KeyAngle("reach_deg")
    plots = (
        Plot(
            "reach_deg",
            N_("moving diagonal: the lower of arm overhead and hip opening (deg; the rep signal)"),
            (Limit("reach_top_deg", "above", "rep"),),
            timeline=True,
        ),
        Plot(
            "slide_knee_deg",
            N_("heel slide: the sliding knee's angle (deg; the rep signal)"),
            (Limit("slide_knee_deg", "above", "rep"),),
            variant="heel_slide",
            timeline=True,
        ),
        # Each limb must pass the top line for the diagonal to (the reach is the lower of the two).
        Plot(
            "arm_reach_deg",
            N_("moving arm from vertical towards the head (deg; 90 overhead)"),
            (Limit("reach_top_deg", "above", "rep"),),
        ),
        Plot(
            "leg_reach_deg",
            N_("opposite hip's opening from 90 deg (deg; 90 leg straight out)"),
            (Limit("reach_top_deg", "above", "rep"),),
        ),
        Plot(
            "lumbar_curve",
            N_("lower back's curve (torso lengths; - hollow: lifted off the floor; the silhouette)"),
            (Limit("back_lift_ratio", "below", "fault", "lower_back_lifting", sign=-1),),
        ),
        Plot(
            "trunk_tilt_deg",
            N_("shoulder-hip line from horizontal (deg)"),
            (Limit("max_trunk_tilt_deg", "above", "position"),),
        ),
        Plot(
            "face_up_ratio",
            N_("nose above ear (torso lengths; > 0 face up)"),
            (Limit("min_face_up_ratio", "below", "position"),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("reach (deg)")
    synthetic = Synthetic(
        pose=dead_bug_pose,
        good={"arm_deg": 85.0, "leg_deg": 80.0, "knee_angle_deg": 175.0},
        rest={"arm_deg": 0.0, "leg_deg": 0.0, "knee_angle_deg": 90.0},
        faults={},
        sweep={"arm_deg": (-20, 110), "leg_deg": (-20, 100), "knee_angle_deg": (60, 180)},
        wrong_view={"width_ratio": 0.8},
        elsewhere=("lower_back_lifting",),  # the back profile: tests/test_dead_bug.py
    )
    tolerances = ("back_lift_ratio",)

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        near = self.near_side(pose)
        shoulder, hip = pose.joint(near, "shoulder"), pose.joint(near, "hip")
        torso = g.distance(shoulder, hip)
        head_dir = np.sign(shoulder[:, 0] - hip[:, 0])
        sides = ("left", "right")
        arm = {s: arm_overhead_deg(pose.joint(s, "shoulder"), pose.joint(s, "wrist"), head_dir) for s in sides}
        # Hip opening from table-top: 0 with the thigh vertical (hip at 90 deg), 90 leg in line.
        leg = {s: g.joint_angle_deg(*(pose.joint(s, j) for j in ("shoulder", "hip", "knee"))) - 90.0 for s in sides}
        knee = {s: g.joint_angle_deg(*(pose.joint(s, j) for j in ("hip", "knee", "ankle"))) for s in sides}
        diagonal_left = np.fmin(arm["left"], leg["right"])
        diagonal_right = np.fmin(arm["right"], leg["left"])
        left_moves = ~(diagonal_right > diagonal_left)  # NaN on the right: the left
        reach = np.where(left_moves, diagonal_left, diagonal_right)
        arm_reach = np.where(left_moves, arm["left"], arm["right"])
        leg_reach = np.where(left_moves, leg["right"], leg["left"])
        left_slides = ~(knee["right"] > knee["left"])  # heel slides: the more open knee
        slide_knee = np.where(left_slides, knee["left"], knee["right"])
        trunk_tilt = g.tilt_from_horizontal_deg(hip, shoulder)
        face_up = face_up_ratio(pose, near, torso)
        lumbar = pose.back_curves(prone=False)["local_lumbar"]
        view_ratio = shoulder_width_ratio(pose)

        joints = ("shoulder", "hip", "knee", "ankle") if self.variant == "heel_slide" else None
        reason = self.visibility_reason(pose, near, joints)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # Lying on the back: face up, trunk flat on the floor.
        position = np.minimum.reduce([t["max_trunk_tilt_deg"] - trunk_tilt, (face_up - t["min_face_up_ratio"]) * 100.0])
        faults = {
            # The lower back hollowed up off the floor (the outline's hip half).
            "lower_back_lifting": np.nan_to_num((-lumbar - t["back_lift_ratio"]) * 100.0, nan=-np.inf),
        }
        features = {
            "reach_deg": reach,
            "arm_reach_deg": arm_reach,
            "leg_reach_deg": leg_reach,
            "slide_knee_deg": slide_knee,
            "lumbar_curve": lumbar,
            "trunk_tilt_deg": trunk_tilt,
            "face_up_ratio": face_up,
            "view_ratio": view_ratio,
        }
        if self.variant == "heel_slide":  # one knee opens along the floor; its leg names the side
            lift, side = slide_knee, np.where(left_slides, "left", "right")
        else:
            lift, side = reach, np.where(left_moves, "left", "right")
        return Signals(features, reason, position, faults, near, lift=lift, cut=self.scene_cut(pose), side_label=side)

    def rep_spec(self) -> RepSpec:
        t = self.t
        if self.variant == "heel_slide":
            return self.rep(t["slide_knee_deg"], t["slide_rise_deg"], t["slide_rise_deg"])
        return self.rep(t["reach_top_deg"], t["reach_rise_deg"], t["reach_rise_deg"])
