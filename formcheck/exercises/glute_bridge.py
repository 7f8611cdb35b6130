"""Glute bridge (and hip thrust), judged from the side: reps, top hold, hip height at the top."""

from __future__ import annotations

import math

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import (
    NOT_VISIBLE,
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

BOTH = "with hip, outline, shoulders down"  # the two lines of the outline rule flag it together


def _hip_for_bend(knee: np.ndarray, shoulder: np.ndarray, bend_deg: float) -> np.ndarray:
    """A hip TORSO from the shoulder whose knee-hip-shoulder bend is bend_deg (> 0 above the line)."""
    line = knee - shoulder
    base = math.degrees(math.atan2(line[1], line[0]))
    lo, hi = -80.0, 80.0  # angle of shoulder->hip relative to shoulder->knee

    def bend(delta: float) -> float:
        hip = shoulder + TORSO * unit(base + delta)
        image = lambda p: np.array([p[0], -p[1]])  # noqa: E731 - y-up to y-down for the measure
        return float(g.bend_above_line_deg(image(knee), image(hip), image(shoulder)))

    for _ in range(60):  # bisection: bend grows with delta (hip raised above the line)
        mid = (lo + hi) / 2
        if bend(mid) < bend_deg:
            lo = mid
        else:
            hi = mid
    return shoulder + TORSO * unit(base + (lo + hi) / 2)


def bridge_pose(hip_lift_deg: float = 0.0, shin_offset_ratio: float = 0.0, width_ratio: float = 0.04) -> np.ndarray:
    """A glute bridge side-on, head to the left, feet flat. hip_lift_deg is the hip's bend above
    the knee-shoulder line (0 = on the line, -45 lying down, +15 arched)."""
    shoulder = np.array([0.0, 25.0])
    ankle = np.array([TORSO + THIGH * 0.8, 10.0])
    knee = ankle + np.array([-shin_offset_ratio * SHIN, SHIN * math.sqrt(max(0.0, 1 - shin_offset_ratio**2))])
    hip = _hip_for_bend(knee, shoulder, hip_lift_deg)
    elbow = shoulder + np.array([UPPER_ARM * 0.9, -20.0])
    wrist = elbow + np.array([FOREARM, 0.0])
    ear = shoulder + np.array([-NECK, 5.0])
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, -5.0]),
        "foot_index": ankle + np.array([30.0, -5.0]),
        "ear": ear,
    }
    nose = ear + np.array([-10.0, 30.0])  # face up
    return assemble(points, (350.0, 600.0), far_offset(width_ratio), nose=nose)


class GluteBridge(Exercise):
    name = "glute_bridge"
    title = N_("Glute bridge")
    kind = "reps"
    view = "side"
    back = "down"
    needed = ("shoulder", "hip", "knee", "ankle")
    order = 5.0
    get_in_position_cue = N_("Lie on your back, knees bent, feet flat")
    variants = ("hip_thrust", "frog_pump", "hands_behind_head")
    faults = (
        FaultSpec("hips_too_low", N_("Lift your hips higher"), scope="rep", joints=("hip",)),
        FaultSpec(
            "back_arched",
            N_("Don't arch — squeeze your glutes and stop at a straight line"),
            N_("Good — straight line"),
            scope="top",
            joints=("hip",),
            outline=True,
        ),
        FaultSpec(
            "feet_misplaced",
            N_("Move your feet so your knees are over your ankles"),
            N_("Good — knees over ankles"),
            scope="top",
            joints=("knee", "ankle"),
        ),
    )
    key_angle = KeyAngle("bridge_angle_deg", ("knee", "hip", "shoulder"), straight=True)
    plots = (
        Plot(
            "hip_lift_deg",
            N_("hip above the knee-shoulder line (deg; the rep signal)"),
            (
                Limit("arch_deg", "above", "fault", "back_arched"),
                Limit("arch_with_curve_deg", "above", "fault", "back_arched", together=BOTH),
                Limit("hip_low_deg", "below", "fault", "hips_too_low", sign=-1),
                Limit("rep_top", "above", "rep"),
            ),
            timeline=True,
        ),
        Plot(
            "local_lumbar",
            N_("back outline's lower-back curve, side-on only (torso lengths; - arched)"),
            (Limit("arch_curve_ratio", "below", "fault", "back_arched", sign=-1, together=BOTH),),
            timeline=True,
        ),
        Plot(
            "shoulder_height_ratio",
            N_("shoulders above the ankles (torso lengths; ~0 on the floor, > 1 on a bench)"),
            (Limit("bench_shoulder_ratio", "below", "fault", "back_arched", together=BOTH),),
        ),
        Plot(
            "shin_offset_ratio",
            N_("knee ahead of / behind the ankle (shin lengths; at the top)"),
            (Limit("shin_offset_ratio", "above", "fault", "feet_misplaced"),),
        ),
        Plot(
            "knee_angle_deg",
            N_("knee angle (deg)"),
            (
                Limit("min_top_knee_angle_deg", "below", "fault", "feet_misplaced"),
                Limit("max_knee_angle_deg", "above", "position"),
            ),
        ),
        Plot(
            "face_up_ratio",
            N_("nose above ear (torso lengths; > 0 face up)"),
            (Limit("face_up_tolerance_ratio", "below", "position", sign=-1),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("hip lift (deg)\n0 = knees-hips-shoulders straight")
    synthetic = Synthetic(
        pose=bridge_pose,
        good={"hip_lift_deg": 0.0},
        rest={"hip_lift_deg": -45.0},
        faults={
            "hips_too_low": {"hip_lift_deg": -24.0},
            "back_arched": {"hip_lift_deg": 22.0},
            "feet_misplaced": {"shin_offset_ratio": 0.7},
        },
        sweep={"hip_lift_deg": (-60, 30), "shin_offset_ratio": (0.0, 0.8)},
        wrong_view={"width_ratio": 0.8},
        elsewhere=("back_arched",),  # with the outline as well: tests/test_back_rules.py
    )
    tolerances = (
        "hip_low_deg",
        "arch_deg",
        "arch_with_curve_deg",
        "arch_curve_ratio",
        "shin_offset_ratio",
    )  # min_top_knee_angle_deg is a floor, not scaled

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, hip, knee, ankle = (pose.joint(left, j) for j in ("shoulder", "hip", "knee", "ankle"))
        torso = g.distance(shoulder, hip)
        bridge_angle = g.joint_angle_deg(knee, hip, shoulder)
        # + hip above the knee-shoulder line (arching), - below (not lifted yet / too low).
        hip_lift = g.bend_above_line_deg(knee, hip, shoulder)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        with np.errstate(invalid="ignore", divide="ignore"):
            shin_offset = np.abs(knee[:, 0] - ankle[:, 0]) / g.distance(knee, ankle)
        thigh_tilt = g.tilt_from_horizontal_deg(shoulder, knee)
        face_up = face_up_ratio(pose, left, torso)
        view_ratio = shoulder_width_ratio(pose)
        # The shoulders' height above the ankles: ~0 with both on the floor, a torso or more with
        # the shoulders on a bench (a hip thrust).
        with np.errstate(invalid="ignore", divide="ignore"):
            shoulder_height = (ankle[:, 1] - shoulder[:, 1]) / torso
        # The lower back's own curve, read only side-on (from an oblique camera the outline is the
        # flank) and with the shoulders on the floor: hinged over a bench, a good hip thrust's top
        # reads as hollow as an arched floor bridge.
        lumbar = pose.back_curves(prone=False)["local_lumbar"]
        lumbar = np.where(view_ratio <= t["max_view_ratio_for_curve"], lumbar, np.nan)

        reason = self.visibility_reason(pose, left)
        # Far beyond the line the "bridge" is no body lying on its back: a close-up or a mislabelled
        # pose (edited tutorials cut to the feet), so nothing is judged.
        reason[(reason == 0) & (np.abs(hip_lift) > t["max_hip_lift_deg"])] = NOT_VISIBLE
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        # In position: lying on the back (face up), knees bent, body low (shoulder-knee line flat).
        position = np.minimum.reduce(
            [
                t["max_knee_angle_deg"] - knee_angle,
                t["max_body_tilt_deg"] - thigh_tilt,
                (face_up + t["face_up_tolerance_ratio"]) * 100.0,
            ]
        )
        # Frog pumps put the soles together and the knees out by design: no foot placement to judge.
        # Feet too far: the knee behind/ahead of the ankle (shin off vertical). Feet too close:
        # heels at the glutes close the knee (the shin offset misses it from the foot end).
        feet_check = (
            np.full(len(pose), -np.inf)
            if self.variant == "frog_pump"
            else np.fmax((shin_offset - t["shin_offset_ratio"]) * 100.0, t["min_top_knee_angle_deg"] - knee_angle)
        )
        faults = {
            "hips_too_low": -hip_lift - t["hip_low_deg"],
            # The hips well above the line; or a little above it with the lower back hollowed
            # (the outline): the landmarks' hip sits high, so joints alone must leave good tops be.
            "back_arched": np.fmax(
                hip_lift - t["arch_deg"],
                np.fmin.reduce(
                    [
                        hip_lift - t["arch_with_curve_deg"],
                        np.nan_to_num((-lumbar - t["arch_curve_ratio"]) * 100.0, nan=-np.inf),
                        (t["bench_shoulder_ratio"] - shoulder_height) * 100.0,
                    ]
                ),
            ),
            "feet_misplaced": feet_check,
        }
        features = {
            "bridge_angle_deg": bridge_angle,
            "hip_lift_deg": hip_lift,
            "knee_angle_deg": knee_angle,
            "shin_offset_ratio": shin_offset,
            "local_lumbar": lumbar,
            "shoulder_height_ratio": shoulder_height,
            "face_up_ratio": face_up,
            "view_ratio": view_ratio,
        }
        return Signals(features, reason, position, faults, left, lift=hip_lift, cut=self.scene_cut(pose))

    def rep_spec(self) -> RepSpec:
        t = self.t
        # A bridge lifted and held is timed as a hold even when it is no rep: a recording that
        # opens with the hips up, or ends before they come down. "Up" is hips within the
        # hips_too_low band of the line.
        return self.rep(
            t["rep_top"], t["rep_rise"], t["rep_drop"], hold_level=-t["hip_low_deg"], min_hold_s=t["min_hold_s"]
        )
