"""Back extension (prone trunk lift: on the floor, over a bench or a ball), judged from the side:
reps and each rep's peak lift, or a timed hold for the arm-supported sphinx and press-up; the lift
not past ~25 deg, the neck long, the feet down, no jerking.

The lift is the trunk's (hip -> shoulder) angle above the legs' line when the legs slope down
from the hips (a ball or a 45-deg bench), else above the image horizontal: lying on the floor the
two agree, and over a ball a trunk level with the sloping legs reads 0 rather than the legs'
slope (the labelled ball clip's tops read 33-36 deg against the floor, 15 against the legs).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

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
from formcheck.exercises.measures import face_up_ratio, head_angle_deg, shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, rotate, unit
from formcheck.i18n import N_

# Held on the arms (forearms or straight arms), the trunk lifted passively: timed holds.
HOLDS = ("sphinx", "press_up")


def back_extension_pose(
    chest_lift_deg: float = 2.0,
    leg_line_deg: float = -3.0,
    head_deg: float = 10.0,
    knee_angle_deg: float = 175.0,
    arms: str = "sides",
    face_down: bool = True,
    width_ratio: float = 0.04,
) -> np.ndarray:
    """A body lying face down side-on, head to the right. chest_lift_deg: the hip->shoulder line
    above horizontal; leg_line_deg: the hip->ankle line (negative: sloping down to the feet, as over
    a ball or bench; ~-3 lying on the floor). arms: "sides" (along the body), "head" (fingertips at
    the head), "sphinx" (forearms on the floor, upper arms plumb), "forward" (reaching, as a superman)."""
    hip = np.array([0.0, 60.0])
    trunk = unit(chest_lift_deg)
    shoulder = hip + TORSO * trunk
    leg_dir = unit(180.0 - leg_line_deg)  # towards the feet, on the left
    knee = hip + THIGH * leg_dir
    ankle = knee + SHIN * rotate(leg_dir, -(180.0 - knee_angle_deg))
    ear = shoulder + NECK * rotate(trunk, head_deg)
    if arms == "sphinx":
        elbow = shoulder + np.array([0.0, -UPPER_ARM * 1.1])
        wrist = elbow + np.array([FOREARM, 0.0])
    elif arms == "head":
        elbow = shoulder + UPPER_ARM * 0.3 * rotate(trunk, 60.0)
        wrist = ear + np.array([5.0, 5.0])
    elif arms == "forward":
        elbow = shoulder + UPPER_ARM * rotate(trunk, 5.0)
        wrist = elbow + FOREARM * rotate(trunk, 5.0)
    else:  # along the sides, hands by the hips
        elbow = shoulder + UPPER_ARM * rotate(trunk, 180.0 + 10.0)
        wrist = elbow + FOREARM * rotate(trunk, 180.0 + 5.0)
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
    nose = ear + (np.array([20.0, -25.0]) if face_down else np.array([20.0, 25.0]))
    return assemble(points, (520.0, 560.0), far_offset(width_ratio), nose=nose)


FPS = 30.0
GOOD = {"chest_lift_deg": 15.0}  # a good rep's top
REST = {"chest_lift_deg": 2.0}


def good_lifts(changes: Mapping[str, Any]) -> list[np.ndarray]:
    """Three slow lifts (0.8 s up, 1 s held, 0.8 s down, 1.5 s down between), the top changed by
    `changes`: the shared quick rest-to-top reps (0.33 s up) would be jerks."""
    top = {**GOOD, **changes}
    rest = {**top, **REST}
    low, high = rest["chest_lift_deg"], top["chest_lift_deg"]

    def move(a: float, b: float) -> list[np.ndarray]:
        steps = (1 - np.cos(np.linspace(0, np.pi, round(0.8 * FPS)))) / 2
        return [back_extension_pose(**{**top, "chest_lift_deg": a + (b - a) * f}) for f in steps]

    frames = [back_extension_pose(**rest)] * round(FPS)
    for _ in range(3):
        frames += move(low, high) + [back_extension_pose(**top)] * round(FPS)
        frames += move(high, low) + [back_extension_pose(**rest)] * round(1.5 * FPS)
    return frames


class BackExtension(Exercise):
    name = "back_extension"
    title = N_("Back extension")
    kind = "reps"
    view = "side"
    needed = ("shoulder", "hip", "knee", "ankle", "ear")
    order = 6.0
    get_in_position_cue = N_("Lie face down, legs long")
    variants = ("floor", "bench_45", "swiss_ball", "t_raise", "sphinx", "press_up", "over_roller")
    hold_variants = HOLDS  # a timed hold: every fault is judged on every frame held
    faults = (
        FaultSpec(
            "over_arched",
            N_("Lift only until your chest clears the floor"),
            N_("Good — small lift"),
            scope="top",
            joints=("shoulder",),
        ),
        FaultSpec("neck_cranked", N_("Look at the floor"), N_("Good — neck long"), scope="top", joints=("ear",)),
        FaultSpec(
            "legs_lifted", N_("Keep your feet on the floor"), N_("Good — feet down"), scope="top", joints=("ankle",)
        ),
        FaultSpec("jerking", N_("Lift slowly"), N_("Good — slow and controlled"), scope="tempo", joints=("shoulder",)),
    )
    key_angle = KeyAngle("chest_lift_deg", ("shoulder", "hip", None))
    plots = (
        Plot(
            "trunk_lift_deg",
            N_("trunk above the legs' line or the floor (deg; the rep signal)"),
            (
                Limit("over_arch_deg", "above", "fault", "over_arched"),
                Limit("hold_level_deg", "above", "rep"),
            ),
            timeline=True,
        ),
        Plot(
            "head_angle_deg",
            N_("head vs trunk line (deg; + raised)"),
            (Limit("neck_crank_deg", "above", "fault", "neck_cranked"),),
        ),
        Plot(
            "leg_line_deg",
            N_("hip-ankle line above horizontal (deg; - legs sloping down to the feet)"),
            (
                Limit("leg_lift_deg", "above", "fault", "legs_lifted"),
                Limit("max_leg_tilt_deg", "above", "position"),
                Limit("max_leg_tilt_deg", "below", "position", sign=-1),
            ),
        ),
        Plot(
            "knee_angle_deg",
            N_("knee angle (deg)"),
            (Limit("min_knee_angle_deg", "below", "position"),),
        ),
        Plot(
            "face_down_ratio",
            N_("ear above nose (torso lengths; > 0 face down)"),
            (Limit("face_down_tolerance_ratio", "below", "position", sign=-1),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("trunk lift (deg)\nabove the floor or the legs' line")
    synthetic = Synthetic(
        pose=back_extension_pose,
        good=GOOD,
        rest=REST,
        faults={
            "over_arched": {"chest_lift_deg": 35.0},
            "neck_cranked": {"head_deg": 45.0},
            "legs_lifted": {"leg_line_deg": 16.0},
        },
        sweep={
            "chest_lift_deg": (-40, 45),
            "leg_line_deg": (-70, 25),
            "head_deg": (-20, 60),
            "knee_angle_deg": (100, 180),
        },
        wrong_view={"width_ratio": 0.8},
        sequence=good_lifts,
        elsewhere=("jerking",),  # how fast the trunk went up: tests/test_back_extension.py
    )
    # min_lift_s is a floor on time (a larger one is stricter), so it is not scaled.
    tolerances = ("over_arch_deg", "neck_crank_deg", "leg_lift_deg")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, hip, knee, ankle, ear = (pose.joint(left, j) for j in ("shoulder", "hip", "knee", "ankle", "ear"))
        torso = g.distance(shoulder, hip)
        chest_lift = g.rise_over_line_deg(hip, shoulder)
        leg_line = g.rise_over_line_deg(hip, ankle)  # + feet above the hips, - legs sloping down
        # The trunk against the legs' line where the legs slope down (ball, bench), else the floor.
        lift = chest_lift + np.fmin(leg_line, 0.0)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        head = head_angle_deg(hip, shoulder, ear) - t["head_neutral_deg"]
        face_down = -face_up_ratio(pose, left, torso)
        view_ratio = shoulder_width_ratio(pose)
        arm_off_plumb, supported = self.propped_on_arms(pose, left, shoulder, torso)

        reason = self.visibility_reason(pose, left)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # In position: face down, legs long (not kneeling), the legs' line from flat to a 45-deg
        # bench (standing or kneeling up is not a back extension).
        position = np.minimum.reduce(
            [
                (face_down + t["face_down_tolerance_ratio"]) * 100.0,
                knee_angle - t["min_knee_angle_deg"],
                t["max_leg_tilt_deg"] - np.abs(leg_line),
            ]
        )
        never = np.full(len(pose), -np.inf)
        # An arm-supported hold lifts the trunk passively by design (a sphinx reads 25-30 deg): the
        # 25-30 deg warning is for lifting with the back muscles.
        passive = self.variant in HOLDS
        faults = {
            "over_arched": never if passive else np.where(supported, -np.inf, lift - t["over_arch_deg"]),
            "neck_cranked": head - t["neck_crank_deg"],
            "legs_lifted": leg_line - t["leg_lift_deg"],
            "jerking": never,  # judged per rep (tempo_margins)
        }
        features = {
            "chest_lift_deg": chest_lift,
            "trunk_lift_deg": lift,
            "leg_line_deg": leg_line,
            "knee_angle_deg": knee_angle,
            "head_angle_deg": head,
            "face_down_ratio": face_down,
            "arm_off_plumb_deg": arm_off_plumb,
            "view_ratio": view_ratio,
        }
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose))

    def propped_on_arms(
        self, pose: PoseFrames, left: np.ndarray, shoulder: np.ndarray, torso: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(upper arm off plumb in degrees, propped on the arms) per frame. Propped (sphinx,
        press-up): the upper arm plumb under the shoulder and not foreshortened. Arms by the sides,
        at the head or reaching forward lie 37-130 deg off plumb on the clips."""
        t = self.t
        elbow = pose.joint(left, "elbow")
        with np.errstate(invalid="ignore", divide="ignore"):
            d = elbow - shoulder
            off_plumb = np.degrees(np.arctan2(np.abs(d[:, 0]), d[:, 1]))
            upper_arm = g.distance(shoulder, elbow) / torso
        seen = pose.joint_visibility(left, "elbow") >= t["min_visibility"]
        return off_plumb, seen & (off_plumb < t["support_arm_deg"]) & (upper_arm >= t["support_arm_ratio"])

    def rep_spec(self) -> RepSpec | None:
        if self.kind != "reps":
            return None
        t = self.t
        # Rise-only (no top line): the bottom is wherever the trunk rests (the floor ~0, a ball
        # -10..-5 or a bench -60 against the legs' line). A lift already held when the recording
        # opens, or still held when it ends (a sphinx held, run without a variant), is timed as a hold.
        return self.rep(
            -math.inf,
            t["rep_rise_deg"],
            t["rep_drop_deg"],
            hold_level=t["hold_level_deg"],
            min_hold_s=t["min_hold_s"],
            drop_share=t["rep_drop_share"],
        )

    def tempo_margins(self, up_s: float, down_s: float) -> dict[str, tuple[float, str]]:
        """jerking: the lift (10% to 90% of the rep's rise) quicker than min_lift_s."""
        return {"jerking": ((self.t["min_lift_s"] - up_s) * 100.0, "up")}
