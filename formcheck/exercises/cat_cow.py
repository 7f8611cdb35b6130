"""Cat-cow, on all fours, judged from the side: time moving in position, cycles, each cycle's range.

A cycle is counted at each cat (back rounded up, head tucked) reached from a cow or from neutral;
its range runs from the lowest point before it (the cow) to the cat. The back's own shape comes
from the back profile (PoseFrames.back) when there is one; the landmarks have no spine, so without
it the cycle is read from the head (ear against the trunk line) and the range is reported on two
landmark proxies: the head's swing and the shortening of the shoulder-hip chord.
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
from formcheck.exercises.measures import head_angle_deg, shoulder_width_ratio
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, far_offset, rotate, unit
from formcheck.i18n import N_


def tilt_from_vertical_deg(top: np.ndarray, bottom: np.ndarray, head_dir: np.ndarray) -> np.ndarray:
    """Signed angle of the line top->bottom off the downward vertical, + when the bottom end is
    further towards the head than the top (a hand ahead of its shoulder, a knee ahead of its hip)."""
    d = bottom - top
    return np.degrees(np.arctan2(d[..., 0] * head_dir, d[..., 1]))


def back_curve(pose: PoseFrames) -> np.ndarray:
    """The back's curve: whichever of the lumbar and thoracic extremes is larger (sign kept),
    + rounded up (cat), - hollow (cow); NaN without a clean back profile."""
    curves = pose.back_curves(prone=True)
    lumbar, thoracic = curves["lumbar_curve"], curves["thoracic_curve"]
    return np.where(np.abs(lumbar) >= np.abs(thoracic), lumbar, thoracic)


def cat_cow_pose(
    head_deg: float = 10.0,
    hip_shift_deg: float = 0.0,
    elbow_angle_deg: float = 178.0,
    trunk_tilt_deg: float = 10.0,
    chord_scale: float = 1.0,
    arm_tilt_deg: float = 3.0,
    width_ratio: float = 0.05,
) -> np.ndarray:
    """One frame on all fours, side-on, head to the right. head_deg: the ear-shoulder line above
    the trunk line (10 = MediaPipe's neutral; cow ~ +60, cat ~ -50); hip_shift_deg: the thigh's tilt
    off vertical, + hips ahead of the knees; chord_scale: the shoulder-hip distance relative to a
    neutral back (a bent spine shortens it); width_ratio: the shoulder width seen (0.05 side-on)."""
    knee = np.array([0.0, 0.0])
    hip = knee + THIGH * unit(90.0 - hip_shift_deg)
    trunk = unit(trunk_tilt_deg)
    shoulder = hip + TORSO * chord_scale * trunk
    arm_dir = unit(-90.0 + arm_tilt_deg)  # straight down, tilted towards the head
    # Bend the elbow: keep the arm's direction, push the elbow out behind the arm line.
    half = (180.0 - elbow_angle_deg) / 2
    elbow = shoulder + UPPER_ARM * rotate(arm_dir, -half)
    wrist = elbow + FOREARM * rotate(arm_dir, half)
    ankle = knee + SHIN * unit(180.0)
    ear = shoulder + NECK * rotate(trunk, head_deg)
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, 15.0]),
        "foot_index": ankle + np.array([-25.0, -5.0]),
        "ear": ear,
    }
    floor = min(points["wrist"][1], points["knee"][1], points["ankle"][1])
    points = {k: v - np.array([0.0, floor]) for k, v in points.items()}
    nose = points["ear"] + NECK * 0.4 * rotate(trunk, head_deg - 40)
    return assemble(points, (450.0, 620.0), far_offset(width_ratio), nose=nose)


COW = {"head_deg": 65.0, "chord_scale": 0.93}  # head raised 55 deg above neutral, back hollow
CAT = {"head_deg": -50.0, "chord_scale": 0.88}  # head tucked 60 deg below neutral, back rounded


def cat_cow_cycle(changes: Mapping[str, Any], fps: float = 30.0) -> list[np.ndarray]:
    """A good set's frames with `changes` applied throughout: 4 s of moving, cow (0.5 s) -> cat
    (1 s) -> held (1 s) -> cow (1 s) -> held (0.5 s). A still pose is no cat-cow: time counts
    only while moving, and a cycle is counted at each cat."""

    def move(a: Mapping[str, float], b: Mapping[str, float], seconds: float) -> list[np.ndarray]:
        steps = np.linspace(0.0, 1.0, round(seconds * fps))
        return [cat_cow_pose(**{**{k: a[k] + (b[k] - a[k]) * f for k in a}, **changes}) for f in steps]

    cow, cat = {**COW, **changes}, {**CAT, **changes}
    return move(cow, cow, 0.5) + move(cow, cat, 1.0) + move(cat, cat, 1.0) + move(cat, cow, 1.0) + move(cow, cow, 0.5)


class CatCow(Exercise):
    name = "cat_cow"
    title = N_("Cat-cow")
    kind = "hold"
    view = "side"
    back = "up"
    needed = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "ear")
    order = 1.0
    get_in_position_cue = N_("On all fours: round your back up, then let it sink")
    faults = (
        FaultSpec(
            "no_spinal_motion",
            N_("Move your whole back — round up, then let it sink"),
            scope="rep",
            joints=("hip",),
            outline=True,
        ),
        FaultSpec("hips_shifting", N_("Keep your hips over your knees"), scope="rep", joints=("hip",)),
        FaultSpec("arms_bent", N_("Keep your arms straight"), N_("Good — arms straight"), joints=("elbow",)),
    )
    # No three-joint angle shows the head against the trunk line truthfully: the value is printed.
    key_angle = KeyAngle("head_angle_deg")
    plots = (
        Plot(
            "head_angle_deg",
            N_("head vs trunk line from neutral (deg; + raised in the cow, - tucked in the cat; the cycle signal)"),
            (Limit("cat_tuck_deg", "below", "rep", sign=-1),),
            timeline=True,
        ),
        # The two range faults: a horizontal line cannot show a range, so the title says what it is.
        Plot(
            "back_curve",
            N_(
                "back profile's curve (torso lengths; + rounded, - hollow); fault: its range over a cycle "
                "below the line"
            ),
            (Limit("min_back_range_ratio", "below", "fault", "no_spinal_motion"),),
        ),
        Plot(
            "hip_shift_deg",
            N_("thigh off vertical (deg; + hips ahead of the knees); fault: its swing over a cycle above the line"),
            (
                Limit("hip_swing_deg", "above", "fault", "hips_shifting"),
                Limit("max_thigh_tilt_deg", "above", "position"),
                Limit("max_thigh_tilt_deg", "below", "position", sign=-1),
            ),
        ),
        Plot(
            "elbow_angle_deg",
            N_("elbow angle (deg; judged with the hand under the shoulder)"),
            (Limit("elbow_bend_deg", "below", "fault", "arms_bent", sign=-1, offset=180.0),),
        ),
        Plot(
            "arm_tilt_deg",
            N_("arm off vertical (deg; + hands ahead of the shoulders)"),
            (
                Limit("max_arm_tilt_deg", "above", "position"),
                Limit("max_arm_tilt_deg", "below", "position", sign=-1),
            ),
        ),
        Plot(
            "trunk_tilt_deg",
            N_("shoulder-hip line from horizontal (deg)"),
            (Limit("max_trunk_tilt_deg", "above", "position"),),
        ),
        Plot(
            "knee_angle_deg",
            N_("knee angle (deg; kneeling ~90)"),
            (Limit("max_knee_angle_deg", "above", "position"),),
        ),
        Plot("view_ratio", N_("shoulder width / torso (0 = side-on)"), (Limit("max_view_ratio", "above", "view"),)),
    )
    timeline_label = N_("head from neutral (deg)\n+ cow / − cat")
    synthetic = Synthetic(
        pose=cat_cow_pose,
        good={},
        faults={"arms_bent": {"elbow_angle_deg": 120.0}},
        sweep={
            "head_deg": (-70, 80),
            "hip_shift_deg": (-40, 40),
            "elbow_angle_deg": (110, 180),
            "trunk_tilt_deg": (0, 45),
            "arm_tilt_deg": (-40, 40),
        },
        wrong_view={"width_ratio": 0.8},
        sequence=cat_cow_cycle,
        # A cycle's ranges: tested on hand-built cycles and back profiles in tests/test_cat_cow.py.
        elsewhere=("no_spinal_motion", "hips_shifting"),
    )
    tolerances = ("hip_swing_deg", "elbow_bend_deg")  # min_back_range_ratio is a floor, not scaled
    # Each cycle's range (max - min over the cycle): the back profile's curve (torso lengths) when
    # there is a profile, and two landmark proxies: the head against the trunk (deg) and the
    # shoulder-hip chord per arm length (the chord shortens as the spine bends either way).
    # hip_shift_deg's range is the hips rocking over the knees.
    rep_measures = ("back_curve", "head_angle_deg", "trunk_length_ratio", "hip_shift_deg")

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        left = self.near_side(pose)
        shoulder, elbow, wrist = (pose.joint(left, j) for j in ("shoulder", "elbow", "wrist"))
        hip, knee, ankle, ear = (pose.joint(left, j) for j in ("hip", "knee", "ankle", "ear"))
        head_dir = np.sign(shoulder[:, 0] - hip[:, 0])
        arm_length = g.distance(shoulder, elbow) + g.distance(elbow, wrist)
        head = head_angle_deg(hip, shoulder, ear) - t["head_neutral_deg"]
        curve = back_curve(pose)
        with np.errstate(invalid="ignore", divide="ignore"):
            trunk_length = g.distance(shoulder, hip) / arm_length
        hip_shift = -tilt_from_vertical_deg(hip, knee, head_dir)  # + hips ahead of the knees
        arm_tilt = tilt_from_vertical_deg(shoulder, wrist, head_dir)  # + hands ahead of the shoulders
        trunk_tilt = g.tilt_from_horizontal_deg(hip, shoulder)
        knee_angle = g.joint_angle_deg(hip, knee, ankle)
        elbow_angle = g.joint_angle_deg(shoulder, elbow, wrist)
        view_ratio = shoulder_width_ratio(pose)

        reason = self.visibility_reason(pose, left)
        reason[(reason == 0) & (view_ratio > t["max_view_ratio"])] = WRONG_VIEW

        position = np.minimum.reduce(
            [
                t["max_trunk_tilt_deg"] - trunk_tilt,
                t["max_thigh_tilt_deg"] - np.abs(hip_shift),
                t["max_arm_tilt_deg"] - np.abs(arm_tilt),
                t["max_knee_angle_deg"] - knee_angle,
            ]
        )
        # Moving: the head out of its neutral band. The judge counts time only while moving: a
        # still tabletop longer than min_rest_s is setting up or resting, not cat-cow; passing
        # through neutral between a cow and a cat is shorter. (Not the back's curve: a neutral
        # back's outline reads -0.06 to +0.08 depending on the person, as far as a mild cow.)
        moving = np.abs(head) - t["neutral_head_band_deg"]
        never = np.full(len(pose), -np.inf)  # judged once per cycle, on its ranges (rep_faults)
        faults = {
            "no_spinal_motion": never,
            "hips_shifting": never,
            # Only with the hand down under the shoulder: a hand lifted (to feel the back while
            # setting up, shvasa 12.5-13.3 s) bends the elbow without bearing weight on it.
            "arms_bent": np.where(
                np.abs(arm_tilt) <= t["max_arm_tilt_deg"], (180.0 - elbow_angle) - t["elbow_bend_deg"], -np.inf
            ),
        }
        features = {
            "head_angle_deg": head,
            "moving_deg": moving,
            "back_curve": curve,
            "trunk_length_ratio": trunk_length,
            "hip_shift_deg": hip_shift,
            "arm_tilt_deg": arm_tilt,
            "trunk_tilt_deg": trunk_tilt,
            "knee_angle_deg": knee_angle,
            "elbow_angle_deg": elbow_angle,
            "view_ratio": view_ratio,
        }
        # The cycle signal: the head tucked (cat) is up, raised (cow) is down.
        return Signals(features, reason, position, faults, left, lift=-head, cut=self.scene_cut(pose), active=moving)

    def rep_spec(self) -> RepSpec:
        t = self.t
        return self.rep(t["cat_tuck_deg"], t["cycle_rise_deg"], t["cycle_drop_deg"], top_completes=True)

    def rep_faults(self, ranges: Mapping[str, float]) -> list[str]:
        min_back, max_swing = self.t["min_back_range_ratio"], self.t["hip_swing_deg"]
        found = []
        back = ranges.get("back_curve", math.nan)
        if back == back and back < min_back:  # only with a back profile
            found.append("no_spinal_motion")
        if ranges.get("hip_shift_deg", 0.0) > max_swing:
            found.append("hips_shifting")
        return found
