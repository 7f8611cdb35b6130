"""Lying leg raise, judged from the side: reps through a real range (per leg where one leg moves at
a time), knees straight on the straight-leg raise, the lower back down, and a slow lowering.

Every leg angle is the thigh's (hip -> knee) elevation above the trunk line's continuation past the
hip: 0 = legs long on the floor, 90 = thigh vertical, more = knees towards the chest. Measured
against the trunk, not the image horizontal, so a rolled handheld camera does not shift it (the
flutter clip's floor reads 16 deg off horizontal), and the thigh, not the whole leg, so bent-knee
variants read the same way as straight-leg ones.
"""

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
from formcheck.exercises.measures import face_up_ratio, shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, rotate, unit
from formcheck.i18n import N_

# Variants where both legs move together and the rep is the near thigh rising and falling.
BOTH_LEGS = ("", "bent_knee", "reverse_crunch")
# One leg at a time: the rep is the gap between the thighs opening and closing, counted per leg.
ONE_LEG = ("single_leg", "banded_single_leg")
# Alternating small kicks: every kick of either leg is a rep (what the labels count).
KICKS = ("flutter", "scissor")


def leg_elevation_deg(shoulder: np.ndarray, hip: np.ndarray, from_hip: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Elevation of from_hip -> point above the continuation of the shoulder -> hip line, in degrees,
    positive away from the floor (towards the top of the image) whichever way the body lies."""
    raw = g.angle_between_lines_deg(shoulder, hip, from_hip, point)  # counter-clockwise on screen
    head_left = hip[..., 0] >= shoulder[..., 0]
    return np.where(head_left, raw, -raw)


def leg_raise_pose(
    near_thigh_deg: float = 0.0,
    far_thigh_deg: float | None = None,
    near_knee_deg: float = 178.0,
    far_knee_deg: float | None = None,
    trunk_tilt_deg: float = 0.0,
    face_up: bool = True,
    width_ratio: float = 0.04,
) -> np.ndarray:
    """A body lying on its back side-on, head to the left, near side = left. Thigh angles are
    elevations above the floor line (0 = on the floor, 90 = vertical; the far thigh follows the near
    one unless given); a bent knee lets the shin hang back towards the floor. trunk_tilt_deg raises
    the hips off the floor (a curl)."""
    far_thigh_deg = near_thigh_deg if far_thigh_deg is None else far_thigh_deg
    far_knee_deg = near_knee_deg if far_knee_deg is None else far_knee_deg
    shoulder = np.array([0.0, 25.0])
    trunk = unit(trunk_tilt_deg)  # shoulder -> hip, tilted up when the pelvis curls
    hip = shoulder + TORSO * trunk

    def leg(thigh_deg: float, knee_deg: float, offset: np.ndarray) -> dict[str, np.ndarray]:
        h = hip + offset
        thigh_dir = rotate(trunk, thigh_deg)
        knee = h + THIGH * thigh_dir
        ankle = knee + SHIN * rotate(thigh_dir, -(180.0 - knee_deg))
        return {
            "hip": h,
            "knee": knee,
            "ankle": ankle,
            "heel": ankle + 10.0 * rotate(thigh_dir, -90.0),
            "foot_index": ankle + 25.0 * rotate(thigh_dir, 90.0),
        }

    near = leg(near_thigh_deg, near_knee_deg, np.zeros(2))
    elbow = shoulder + np.array([UPPER_ARM * 0.9, -20.0])
    ear = shoulder + np.array([-NECK, 5.0])
    near.update(shoulder=shoulder, elbow=elbow, wrist=elbow + np.array([FOREARM, 0.0]), ear=ear)
    offset = np.array(far_offset(width_ratio))
    far = {k: v + offset for k, v in near.items()}
    far.update(leg(far_thigh_deg, far_knee_deg, offset))
    nose = ear + (np.array([-10.0, 30.0]) if face_up else np.array([-10.0, -30.0]))
    return assemble(near, (350.0, 600.0), tuple(offset), nose=nose, far=far)


def _gap_plot(variant: str, key: str) -> Plot:
    return Plot(
        "leg_gap_deg",
        N_("gap between the thighs (deg; the variant's rep signal)"),
        (Limit(key, "above", "rep"),),
        variant=variant,
    )


class LegRaise(Exercise):
    name = "leg_raise"
    title = N_("Lying leg raise")
    kind = "reps"
    view = "side"
    back = "down"
    needed = ("shoulder", "hip", "knee", "ankle")
    order = 9.0
    get_in_position_cue = N_("Lie on your back, legs long")
    variants = ("bent_knee", "single_leg", "flutter", "scissor", "reverse_crunch", "banded_single_leg")
    side_variants = ONE_LEG + KICKS  # one leg at a time (or kicks): reps are counted per leg
    faults = (
        FaultSpec("knees_bent", N_("Straighten your legs"), N_("Good — legs long"), scope="top", joints=("knee",)),
        FaultSpec(
            "lower_back_lifting",
            N_("Press your lower back into the floor"),
            N_("Good — back down"),
            joints=("hip",),
            outline=True,
        ),
        FaultSpec(
            "dropping_legs", N_("Lower slowly"), N_("Good — slow and controlled"), scope="tempo", joints=("ankle",)
        ),
    )
    # The value is the thigh against the trunk line; drawn against the image horizontal.
    key_angle = KeyAngle("leg_raise_deg", ("knee", "hip", None))
    plots = (
        Plot(
            "leg_raise_deg",
            N_("near thigh above the trunk line (deg; the rep signal of two-leg raises)"),
            (Limit("rep_top_deg", "above", "rep"),),
            timeline=True,
        ),
        # Drawn with the real-range line too: in a two-leg raise both thighs pass it.
        Plot(
            "far_leg_raise_deg",
            N_("far thigh above the trunk line (deg)"),
            (Limit("rep_top_deg", "above", "rep"),),
            timeline=True,
        ),
        _gap_plot("single_leg", "rep_top_deg"),
        _gap_plot("banded_single_leg", "rep_top_deg"),
        _gap_plot("flutter", "kick_top_deg"),
        _gap_plot("scissor", "kick_top_deg"),
        Plot(
            "knee_angle_deg",
            N_("near knee angle (deg; at the top, straight-leg raise)"),
            (Limit("knee_bend_deg", "below", "fault", "knees_bent", sign=-1, offset=180.0),),
        ),
        Plot(
            "lumbar_curve_ratio",
            N_("lower back's curve (torso lengths; - hollow: lifted off the floor; the silhouette)"),
            (Limit("lumbar_lift_ratio", "below", "fault", "lower_back_lifting", sign=-1),),
        ),
        Plot(
            "trunk_tilt_deg",
            N_("shoulder-hip line from horizontal (deg)"),
            (Limit("max_trunk_tilt_deg", "above", "position"),),
        ),
        Plot(
            "face_up_ratio",
            N_("nose above ear (torso lengths; > 0 face up)"),
            (Limit("face_up_tolerance_ratio", "below", "position", sign=-1),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("thigh above the trunk line (deg)\n0 = on the floor, 90 = vertical")
    synthetic = Synthetic(
        pose=leg_raise_pose,
        good={"near_thigh_deg": 90.0},
        rest={"near_thigh_deg": 2.0},
        faults={"knees_bent": {"near_knee_deg": 135.0}},
        sweep={
            "near_thigh_deg": (-10, 130),
            "far_thigh_deg": (-10, 130),
            "near_knee_deg": (60, 180),
            "trunk_tilt_deg": (-5, 50),
        },
        wrong_view={"width_ratio": 0.8},
        # The back's outline (the back profile) and how fast the legs came down: tests/test_leg_raise.py.
        elsewhere=("lower_back_lifting", "dropping_legs"),
    )
    tolerances = ("knee_bend_deg", "lumbar_lift_ratio", "drop_speed_ratio")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        far = ~left
        shoulder, hip, knee, ankle = (pose.joint(left, j) for j in ("shoulder", "hip", "knee", "ankle"))
        far_hip, far_knee, far_ankle = (pose.joint(far, j) for j in ("hip", "knee", "ankle"))
        torso = g.distance(shoulder, hip)
        near_thigh = leg_elevation_deg(shoulder, hip, hip, knee)
        far_thigh = leg_elevation_deg(shoulder, hip, far_hip, far_knee)
        near_knee = g.joint_angle_deg(hip, knee, ankle)
        far_knee_angle = g.joint_angle_deg(far_hip, far_knee, far_ankle)
        trunk_tilt = g.tilt_from_horizontal_deg(shoulder, hip)
        face_up = face_up_ratio(pose, left, torso)
        view_ratio = shoulder_width_ratio(pose)
        lumbar = pose.back_curves(prone=False)["local_lumbar"]

        reason = self.visibility_reason(pose, left)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # In position: lying on the back (face up, trunk near the floor). The legs may be anywhere.
        position = np.minimum(
            t["max_trunk_tilt_deg"] - trunk_tilt,
            (face_up + t["face_up_tolerance_ratio"]) * 100.0,
        )
        gap = np.abs(near_thigh - far_thigh)
        lift = gap if self.variant in ONE_LEG + KICKS else near_thigh
        never = np.full(len(pose), -np.inf)
        # Straight-leg raise only (judged at the top of each rep: resting on the floor a soft knee
        # does not matter).
        knees_bent = (180.0 - near_knee) - t["knee_bend_deg"] if self.variant == "" else never
        # The back profile (when there is one): the lumbar outline rising off the floor. A reverse
        # crunch curls the pelvis and lower back up by design.
        back_lifting = never if self.variant == "reverse_crunch" else (-lumbar - t["lumbar_lift_ratio"]) * 100.0
        faults = {
            "knees_bent": knees_bent,
            "lower_back_lifting": back_lifting,
            "dropping_legs": never,  # judged per rep (tempo_margins)
        }
        features = {
            "leg_raise_deg": near_thigh,
            "far_leg_raise_deg": far_thigh,
            "leg_gap_deg": gap,
            "knee_angle_deg": near_knee,
            "far_knee_angle_deg": far_knee_angle,
            "trunk_tilt_deg": trunk_tilt,
            "face_up_ratio": face_up,
            "lumbar_curve_ratio": lumbar,
            "view_ratio": view_ratio,
        }
        side = self.moving_leg(left, near_thigh, far_thigh, near_knee, far_knee_angle)
        return Signals(features, reason, position, faults, left, lift=lift, cut=self.scene_cut(pose), side_label=side)

    def moving_leg(
        self,
        left: np.ndarray,
        near_thigh: np.ndarray,
        far_thigh: np.ndarray,
        near_knee: np.ndarray,
        far_knee: np.ndarray,
    ) -> np.ndarray:
        """Which leg moves (the side of a rep), per frame: "left" or "right". Kicks and banded
        raises: the higher leg. One-leg lowers and tuck-extensions: the one further from the other
        leg's rest - the lower leg when both are straight (one held up, one lowered), the straighter
        one when the other is tucked (the labelled single-leg clips; a one-leg raise with the other
        leg straight on the floor would read the wrong side, its count is right)."""
        near_higher = near_thigh >= far_thigh
        if self.variant == "single_leg":
            tucked = np.abs(near_knee - far_knee) > self.t["tucked_knee_gap_deg"]
            near_moving = np.where(tucked, near_knee >= far_knee, ~near_higher)
        else:
            near_moving = near_higher
        return np.where(near_moving == left, "left", "right")

    def rep_spec(self) -> RepSpec:
        t = self.t
        if self.variant in KICKS:  # a "kick" that opens the legs past kick_max_deg is a tuck
            return self.rep(t["kick_top_deg"], t["kick_rise_deg"], t["kick_drop_deg"], max_peak=t["kick_max_deg"])
        if self.variant == "reverse_crunch":  # from thighs vertical, knees curled towards the chest
            return self.rep(t["crunch_top_deg"], t["crunch_rise_deg"], t["crunch_rise_deg"])
        # "Reps count only through a real range": past rep_top_deg (legs ~45 deg up, or apart).
        return self.rep(t["rep_top_deg"], t["rep_rise_deg"], t["rep_drop_deg"])

    def tempo_margins(self, up_s: float, down_s: float) -> dict[str, tuple[float, str]]:
        """dropping_legs: the lowering more than drop_speed_ratio x faster than the lift. For the
        leg gap of single_leg the gap opens as the moving leg lowers (its rise is the lowering);
        for the others the rep signal falls as the legs lower."""
        if self.variant in KICKS:  # fast and small by design
            return {}
        ratio = self.t["drop_speed_ratio"]
        if self.variant == "single_leg":
            lift_s, lower_s, phase = down_s, up_s, "up"
        else:
            lift_s, lower_s, phase = up_s, down_s, "down"
        if math.isnan(lift_s) or math.isnan(lower_s):
            return {"dropping_legs": (math.nan, phase)}
        return {"dropping_legs": ((lift_s - ratio * lower_s) * 100.0, phase)}
