"""Bird-dog, on all fours, judged from the side: reps per side, how level the reaching limbs are.

A rep is one arm and the opposite leg reaching out level with the trunk and back. Either diagonal
may be the reaching one (near arm + far leg, or far arm + near leg): each frame reads both and
takes the one reaching further; its arm names the side. Limb heights are the shoulder->wrist and
hip->ankle lines' angles above the horizontal (the camera level, as for the superman): on all fours
a level back is near horizontal, while the landmarks' shoulder-hip line slopes 5-15 deg up to the
shoulders (MediaPipe's shoulder sits high), so against that line level limbs would read low.
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
from formcheck.exercises.measures import shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, unit
from formcheck.i18n import N_


def tilt_from_vertical_deg(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """Unsigned angle of top -> bottom off the downward vertical (180 pointing up)."""
    d = bottom - top
    return np.degrees(np.arctan2(np.abs(d[..., 0]), d[..., 1]))


def bird_dog_pose(
    arm_deg: float = -90.0,
    leg_deg: float = -40.0,
    reach: str = "left",
    trunk_tilt_deg: float = 10.0,
    leg_knee_angle_deg: float = 180.0,
    width_ratio: float = 0.05,
) -> np.ndarray:
    """One frame on all fours, side-on, head to the right, the left side nearer the camera.
    `reach` names the reaching arm ("left": the near arm and the far right leg); arm_deg and leg_deg
    are the reaching shoulder->wrist and hip->ankle lines' angles above the horizontal (0 = level;
    resting reads about -90 and -40); width_ratio: the shoulder width seen (0.05 side-on)."""
    knee = np.array([0.0, 0.0])
    hip = knee + np.array([0.0, THIGH])
    trunk = unit(trunk_tilt_deg)
    shoulder = hip + TORSO * trunk
    arm = UPPER_ARM + FOREARM
    rest_wrist = shoulder + np.array([0.0, -arm])
    rest_elbow = shoulder + np.array([0.0, -UPPER_ARM])
    arm_dir = unit(arm_deg)
    reach_elbow, reach_wrist = shoulder + UPPER_ARM * arm_dir, shoulder + arm * arm_dir
    leg_dir = unit(180.0 - leg_deg)
    # A bent knee (a donkey kick) keeps the hip-ankle line and lifts the knee off it.
    half = np.radians((180.0 - leg_knee_angle_deg) / 2)
    reach_knee = hip + THIGH * unit(180.0 - leg_deg - np.degrees(half))
    reach_ankle = hip + (THIGH + SHIN) * np.cos(half) * leg_dir
    rest_ankle = knee + SHIN * unit(180.0)
    ear = shoulder + NECK * unit(trunk_tilt_deg + 10.0)
    near_arm_reaches = reach == "left"
    near = {
        "shoulder": shoulder,
        "elbow": reach_elbow if near_arm_reaches else rest_elbow,
        "wrist": reach_wrist if near_arm_reaches else rest_wrist,
        "hip": hip,
        "knee": knee if near_arm_reaches else reach_knee,  # the near leg reaches with the far arm
        "ankle": rest_ankle if near_arm_reaches else reach_ankle,
        "ear": ear,
    }
    offset = np.array(far_offset(width_ratio))
    far = {
        "shoulder": shoulder + offset,
        "elbow": (rest_elbow if near_arm_reaches else reach_elbow) + offset,
        "wrist": (rest_wrist if near_arm_reaches else reach_wrist) + offset,
        "hip": hip + offset,
        "knee": (reach_knee if near_arm_reaches else knee) + offset,
        "ankle": (reach_ankle if near_arm_reaches else rest_ankle) + offset,
        "ear": ear + offset,
    }
    for side in (near, far):
        side["heel"] = side["ankle"] + np.array([-10.0, 12.0])
        side["foot_index"] = side["ankle"] + np.array([-25.0, -5.0])
    floor = min(p[1] for side in (near, far) for p in side.values())
    near = {k: v - np.array([0.0, floor]) for k, v in near.items()}
    far = {k: v - np.array([0.0, floor]) for k, v in far.items()}
    nose = near["ear"] + np.array([25.0, -12.0])
    return assemble(near, (520.0, 640.0), tuple(offset), nose=nose, far=far)


class BirdDog(Exercise):
    name = "bird_dog"
    title = N_("Bird-dog")
    kind = "reps"
    view = "side"
    back = "up"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
    order = 10.0
    get_in_position_cue = N_("On all fours: hands under shoulders, knees under hips")
    reports_sides = True  # reps per reaching arm
    variants = ("crunch",)  # elbow to knee under the body between reaches
    # The rings are on the side nearer the camera, whichever limb reaches.
    faults = (
        FaultSpec(
            "arm_low",
            N_("Reach your arm out level with your back"),
            N_("Good — arm level"),
            scope="top",
            joints=("wrist",),
        ),
        FaultSpec(
            "leg_low",
            N_("Push your heel back, level with your hips"),
            N_("Good — leg level"),
            scope="top",
            joints=("ankle",),
        ),
        FaultSpec(
            "leg_too_high", N_("Lower your leg to hip height"), N_("Good — leg level"), scope="top", joints=("ankle",)
        ),
        FaultSpec(
            "back_arched",
            N_("Don't let your back sag — brace your belly"),
            N_("Good — back flat"),
            scope="top",
            joints=("hip",),
            outline=True,
        ),
    )
    # The reach is the lower of two limbs' angles, no three-joint angle: the value is printed.
    key_angle = KeyAngle("reach_deg")
    plots = (
        Plot(
            "reach_deg",
            N_("reaching diagonal: the lower of its arm and leg above horizontal (deg; the rep signal)"),
            (Limit("reach_top_deg", "above", "rep", sign=-1),),
            timeline=True,
        ),
        Plot(
            "arm_reach_deg",
            N_("reaching arm (shoulder-wrist) above horizontal (deg)"),
            (Limit("arm_low_deg", "below", "fault", "arm_low", sign=-1),),
        ),
        Plot(
            "leg_reach_deg",
            N_("reaching leg (hip-ankle) above horizontal (deg)"),
            (
                Limit("leg_high_deg", "above", "fault", "leg_too_high"),
                Limit("leg_low_deg", "below", "fault", "leg_low", sign=-1),
            ),
        ),
        Plot(
            "lumbar_curve",
            N_("back profile's lumbar curve (torso lengths; - sunk)"),
            (Limit("back_sag_ratio", "below", "fault", "back_arched", sign=-1),),
        ),
        Plot(
            "support_arm_tilt_deg",
            N_("supporting arm off vertical (deg)"),
            (Limit("max_support_tilt_deg", "above", "position"),),
        ),
        Plot(
            "support_thigh_tilt_deg",
            N_("supporting thigh off vertical (deg)"),
            (Limit("max_support_tilt_deg", "above", "position"),),
        ),
        Plot(
            "support_knee_angle_deg",
            N_("supporting knee angle (deg; kneeling ~90)"),
            (Limit("max_knee_angle_deg", "above", "position"),),
        ),
        Plot(
            "trunk_tilt_deg",
            N_("shoulder-hip line from horizontal (deg)"),
            (Limit("max_trunk_tilt_deg", "above", "position"),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("reach above horizontal (deg)")
    synthetic = Synthetic(
        pose=bird_dog_pose,
        good={"arm_deg": 0.0, "leg_deg": 0.0},
        rest={"arm_deg": -90.0, "leg_deg": -40.0},
        faults={
            "arm_low": {"arm_deg": -30.0},
            "leg_low": {"leg_deg": -30.0},
            "leg_too_high": {"leg_deg": 28.0},
        },
        sweep={"arm_deg": (-95, 30), "leg_deg": (-50, 40), "trunk_tilt_deg": (0, 45)},
        wrong_view={"width_ratio": 0.8},
        elsewhere=("back_arched",),  # the back profile: tests/test_bird_dog.py
    )
    tolerances = ("arm_low_deg", "leg_low_deg", "leg_high_deg", "back_sag_ratio")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        near = self.near_side(pose)
        shoulder, hip = pose.joint(near, "shoulder"), pose.joint(near, "hip")
        # Each limb from its own shoulder or hip, above the horizontal (-90 hanging straight down).
        arm = {s: g.rise_over_line_deg(pose.joint(s, "shoulder"), pose.joint(s, "wrist")) for s in ("left", "right")}
        leg = {s: g.rise_over_line_deg(pose.joint(s, "hip"), pose.joint(s, "ankle")) for s in ("left", "right")}
        # A diagonal reaches as far as its lower limb; the arm names the side.
        diagonal_left = np.fmin(arm["left"], leg["right"])
        diagonal_right = np.fmin(arm["right"], leg["left"])
        left_reaches = ~(diagonal_right > diagonal_left)  # NaN on the right: the left
        reach = np.where(left_reaches, diagonal_left, diagonal_right)
        arm_reach = np.where(left_reaches, arm["left"], arm["right"])
        leg_reach = np.where(left_reaches, leg["right"], leg["left"])
        # The limbs on the floor: the other diagonal (joint() takes True for the left side).
        support_arm_left, support_leg_left = ~left_reaches, left_reaches
        support_shoulder, support_wrist = (pose.joint(support_arm_left, j) for j in ("shoulder", "wrist"))
        s_hip, s_knee, s_ankle = (pose.joint(support_leg_left, j) for j in ("hip", "knee", "ankle"))
        arm_tilt = tilt_from_vertical_deg(support_shoulder, support_wrist)
        thigh_tilt = tilt_from_vertical_deg(s_hip, s_knee)
        knee_angle = g.joint_angle_deg(s_hip, s_knee, s_ankle)
        trunk_tilt = g.tilt_from_horizontal_deg(hip, shoulder)
        lumbar = pose.back_curves(prone=True)["lumbar_curve"]
        view_ratio = shoulder_width_ratio(pose)

        reason = self.visibility_reason(pose, near)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # On all fours: trunk near horizontal, the supporting hand under its shoulder and the
        # supporting knee under its hip, bent (kneeling, not a plank).
        position = np.minimum.reduce(
            [
                t["max_trunk_tilt_deg"] - trunk_tilt,
                t["max_support_tilt_deg"] - arm_tilt,
                t["max_support_tilt_deg"] - thigh_tilt,
                t["max_knee_angle_deg"] - knee_angle,
            ]
        )
        faults = {
            "arm_low": -arm_reach - t["arm_low_deg"],
            "leg_low": -leg_reach - t["leg_low_deg"],
            "leg_too_high": leg_reach - t["leg_high_deg"],
            # The lower back sinking (hollow) at the reach: only with a back profile.
            "back_arched": np.nan_to_num((-lumbar - t["back_sag_ratio"]) * 100.0, nan=-np.inf),
        }
        features = {
            "reach_deg": reach,
            "arm_reach_deg": arm_reach,
            "leg_reach_deg": leg_reach,
            "lumbar_curve": lumbar,
            "support_arm_tilt_deg": arm_tilt,
            "support_thigh_tilt_deg": thigh_tilt,
            "support_knee_angle_deg": knee_angle,
            "trunk_tilt_deg": trunk_tilt,
            "view_ratio": view_ratio,
        }
        side = np.where(left_reaches, "left", "right")
        return Signals(features, reason, position, faults, near, lift=reach, cut=self.scene_cut(pose), side_label=side)

    def rep_spec(self) -> RepSpec:
        t = self.t
        return self.rep(-t["reach_top_deg"], t["reach_rise_deg"], t["reach_rise_deg"])
