"""Which stretch a body is in: 2-D measures of the whole body and one plain rule per stretch.

A helper of the stretch exercise (formcheck.exercises.stretch), not an exercise. Each rule is a
few named terms, each a margin (> 0 = satisfied, in degrees or hundredths of a torso length); the
rule's margin is the smallest. The term names tell which condition failed. Heights are above the
lowest body point in the image (the floor, or the bench or table the body rests on), so no floor
detection is needed. Also here: the angle each stretch works (its swing is a bounce) and the
swing measure itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.base import PoseFrames

# The labels' names; "upward_dog" is only ever pinned (--variant): from 2-D landmarks it is the
# cobra's geometry (on the labelled clips the up-dog's thighs rest on the mat as the cobra's do),
# so recognition reports "cobra".
STRETCHES = (
    "childs_pose",
    "cobra",
    "upward_dog",
    "downward_dog",
    "seated_hamstring",
    "seated_forward_fold",
    "standing_hamstring",
    "standing_quad",
    "knee_to_chest",
    "figure4_supine",
    "figure4_seated",
    "pigeon",
)
RECOGNISED = tuple(s for s in STRETCHES if s != "upward_dog")
ONE_SIDED = (
    "seated_hamstring",
    "standing_hamstring",
    "standing_quad",
    "knee_to_chest",
    "figure4_supine",
    "figure4_seated",
    "pigeon",
)
HAMSTRING = ("seated_hamstring", "seated_forward_fold", "standing_hamstring")
STANDING = ("standing_hamstring", "standing_quad")
SIDES = ("left", "right")
BODY_POINTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")

Terms = dict[str, np.ndarray]
Thresholds = Mapping[str, float]


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


@dataclass
class Body:
    """Per-frame 2-D measures of the whole body (arrays over frames). Heights are above the
    lowest body point in the image (the floor, or what the body rests on), per torso length."""

    torso: np.ndarray
    trunk_incline: np.ndarray  # hip->shoulder from straight up: 0 upright, 90 lying, 180 head-down
    hip_h: np.ndarray
    shoulder_h: np.ndarray
    nose_h: np.ndarray
    face_up: np.ndarray  # nose above the ear (torso lengths): > 0 face up
    view_ratio: np.ndarray  # shoulder and hip widths over torso length: ~0.1 side-on, 0.5-0.9 facing
    wrist_to_ankle: np.ndarray  # nearest wrist to nearest ankle, horizontally (torso lengths)
    leg: dict[str, dict[str, np.ndarray]]  # per side: hip/knee angles, heights, reach, ...


def _least_visibility(pose: PoseFrames, side: str, joints: tuple[str, ...]) -> np.ndarray:
    return np.fmin.reduce([np.nan_to_num(pose.joint_visibility(side, j)) for j in joints])


def _leg(pose: PoseFrames, s: str, hip: np.ndarray, torso: np.ndarray, floor: np.ndarray) -> dict[str, np.ndarray]:
    """One side's measures (the leg, and the arm on that side)."""
    shoulder_s, hip_s = pose.joint(s, "shoulder"), pose.joint(s, "hip")
    knee_s, ankle_s = pose.joint(s, "knee"), pose.joint(s, "ankle")
    return {
        "hip_deg": g.joint_angle_deg(shoulder_s, hip_s, knee_s),
        "knee_deg": g.joint_angle_deg(hip_s, knee_s, ankle_s),
        "knee_h": (floor - knee_s[:, 1]) / torso,
        "ankle_h": (floor - ankle_s[:, 1]) / torso,
        # The leg's 2-D length: a straight leg pointing at the camera looks short.
        "length": g.distance(hip_s, ankle_s) / torso,
        # The shin's: short when it lies across the body (a figure-4's crossed leg).
        "shin_length": g.distance(knee_s, ankle_s) / torso,
        "elbow_deg": g.joint_angle_deg(shoulder_s, pose.joint(s, "elbow"), pose.joint(s, "wrist")),
        "ankle_visibility": np.nan_to_num(pose.joint_visibility(s, "ankle")),
        # How well the joints of this side's hip and knee angles are seen (the least).
        "hip_seen": _least_visibility(pose, s, ("shoulder", "hip", "knee")),
        "knee_seen": _least_visibility(pose, s, ("hip", "knee", "ankle")),
        # This ankle to the other knee: the crossed leg of a figure-4.
        "ankle_on_knee": g.distance(ankle_s, pose.joint(other_side(s), "knee")) / torso,
        # Knee ahead (+) or behind (-) the mid-hip along the image x axis.
        "knee_dx": (knee_s[:, 0] - hip[:, 0]) / torso,
    }


def body_measures(pose: PoseFrames) -> Body:
    sh = g.midpoint(pose.joint("left", "shoulder"), pose.joint("right", "shoulder"))
    hip = g.midpoint(pose.joint("left", "hip"), pose.joint("right", "hip"))
    torso = g.distance(sh, hip)
    d = sh - hip
    incline = np.degrees(np.arctan2(np.abs(d[:, 0]), -d[:, 1]))
    ys = np.stack([pose.joint(s, j)[:, 1] for s in SIDES for j in BODY_POINTS], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        floor = np.nanmax(np.where(np.isnan(ys), -np.inf, ys), axis=1)
        floor[~np.isfinite(floor)] = np.nan
        nose = pose.xy[:, 0]
        ear_y = np.fmin(pose.joint("left", "ear")[:, 1], pose.joint("right", "ear")[:, 1])
        widths = (
            g.distance(pose.joint("left", "shoulder"), pose.joint("right", "shoulder"))
            + g.distance(pose.joint("left", "hip"), pose.joint("right", "hip"))
        ) / 2.0
        wrists = [pose.joint(s, "wrist")[:, 0] for s in SIDES]
        ankles = [pose.joint(s, "ankle")[:, 0] for s in SIDES]
        reach = np.fmin.reduce([np.abs(w - a) for w in wrists for a in ankles]) / torso
        return Body(
            torso=torso,
            trunk_incline=incline,
            hip_h=(floor - hip[:, 1]) / torso,
            shoulder_h=(floor - sh[:, 1]) / torso,
            nose_h=(floor - nose[:, 1]) / torso,
            face_up=(ear_y - nose[:, 1]) / torso,
            view_ratio=widths / torso,
            wrist_to_ankle=reach,
            leg={s: _leg(pose, s, hip, torso, floor) for s in SIDES},
        )


def rule_margin(terms: Terms) -> np.ndarray:
    """A rule's margin: its smallest term (a NaN term, a joint not found, fails the rule)."""
    stacked = np.stack([np.asarray(v, dtype=float) for v in terms.values()])
    out = np.min(stacked, axis=0)
    out[np.isnan(stacked).any(axis=0)] = -np.inf
    return out


def _postures(b: Body, t: Thresholds) -> dict[str, Terms]:
    """Terms several rules share: standing, lying face up."""
    return {
        "standing": {
            "hips_high": (b.hip_h - t["standing_hip_ratio"]) * 100,
            "upright": t["max_upright_incline_deg"] - b.trunk_incline,
        },
        "lying": {
            "lying": t["lying_incline_deg"] - np.abs(b.trunk_incline - 90.0),
            "hips_low": (t["lying_height_ratio"] - b.hip_h) * 100,
            "shoulders_low": (t["lying_height_ratio"] - b.shoulder_h) * 100,
            "face_up": (b.face_up + t["face_up_tolerance_ratio"]) * 100,
        },
    }


def _whole_body_rules(b: Body, t: Thresholds) -> dict[str, Terms]:
    """The two-sided stretches: both legs do the same."""
    L = b.leg
    mean_hip = (L["left"]["hip_deg"] + L["right"]["hip_deg"]) / 2.0
    min_knee = np.fmin(L["left"]["knee_deg"], L["right"]["knee_deg"])
    max_knee_h = np.fmax(L["left"]["knee_h"], L["right"]["knee_h"])
    incline = b.trunk_incline
    cobra = {
        "trunk_raised": incline - t["cobra_min_incline_deg"],
        "trunk_not_upright": t["cobra_max_incline_deg"] - incline,
        "hips_open": mean_hip - t["cobra_min_hip_deg"],
        "legs_long": min_knee - t["cobra_min_knee_deg"],
        # On straight arms (the forearms down is a sphinx, a back extension).
        "arms_straight": np.fmax(L["left"]["elbow_deg"], L["right"]["elbow_deg"]) - t["cobra_min_elbow_deg"],
        "hips_low": (t["cobra_max_hip_ratio"] - b.hip_h) * 100,
        "thighs_down": (t["cobra_max_knee_ratio"] - max_knee_h) * 100,
    }
    return {
        "childs_pose": {
            "knees_folded": t["childs_max_knee_deg"] - np.fmax(L["left"]["knee_deg"], L["right"]["knee_deg"]),
            "hips_folded": t["childs_max_hip_deg"] - mean_hip,
            "trunk_down": incline - t["childs_min_incline_deg"],
            "hips_over_knees": (b.hip_h - max_knee_h) * 100,  # sitting back, not hugging the knees
            "head_down": (b.hip_h - b.nose_h) * 100,
            "not_standing": (t["standing_hip_ratio"] - b.hip_h) * 100,
        },
        "cobra": cobra,
        "upward_dog": cobra,
        "downward_dog": {
            "head_down": incline - t["dog_min_incline_deg"],
            "hips_folded": t["dog_max_hip_deg"] - mean_hip,
            "legs_long": min_knee - t["dog_min_knee_deg"],
            "hips_highest": (b.hip_h - b.shoulder_h - t["dog_hip_above_ratio"]) * 100,
            "hands_away": (b.wrist_to_ankle - t["dog_min_reach_ratio"]) * 100,  # not a standing fold
        },
        "seated_forward_fold": {
            "seated": (t["floor_hip_ratio"] - b.hip_h) * 100,  # the hips down at the floor
            "legs_long": min_knee - t["seated_min_knee_deg"],
            "folded": t["fold_max_hip_deg"] - mean_hip,
            "leaning_in": incline - t["fold_min_incline_deg"],
            "not_lying": t["max_upright_incline_deg"] - incline,
        },
    }


def _one_leg_rules(b: Body, t: Thresholds, s: str, postures: dict[str, Terms]) -> dict[str, Terms]:
    """The one-sided stretches with `s` the stretched (or hugged, crossed, front) leg."""
    me, other = b.leg[s], b.leg[other_side(s)]
    upright = t["max_upright_incline_deg"] - b.trunk_incline
    floor_level = (t["floor_hip_ratio"] - b.hip_h) * 100
    hug = {
        **postures["lying"],
        "hip_folded": t["hug_max_hip_deg"] - me["hip_deg"],
        "knee_bent": t["hug_max_knee_deg"] - me["knee_deg"],
        "knee_up": (me["knee_h"] - b.hip_h - t["hug_knee_above_ratio"]) * 100,
        "not_crossed": (me["ankle_on_knee"] - t["crossed_ankle_ratio"]) * 100,
    }
    # Pigeon: the thighs split, this one forward with its shin folded, the other back.
    split = np.where(me["knee_dx"] * other["knee_dx"] < 0, np.inf, -np.inf)
    return {
        "seated_hamstring": {
            "seated": floor_level,
            "leg_long": me["knee_deg"] - t["seated_min_knee_deg"],
            "hip_flexed": t["hamstring_max_hip_deg"] - me["hip_deg"],
            "other_folded": t["folded_knee_deg"] - other["knee_deg"],
            "not_lying": upright,
        },
        "standing_hamstring": {
            **postures["standing"],
            "standing_leg": other["knee_deg"] - t["standing_min_knee_deg"],
            "leg_long": me["knee_deg"] - t["seated_min_knee_deg"],
            "foot_up": (me["ankle_h"] - t["raised_ankle_ratio"]) * 100,
            "hip_flexed": t["hamstring_max_hip_deg"] - me["hip_deg"],
        },
        "standing_quad": {
            **postures["standing"],
            "standing_leg": other["knee_deg"] - t["standing_min_knee_deg"],
            "knee_folded": t["quad_max_knee_deg"] - me["knee_deg"],
            "foot_up": (me["ankle_h"] - t["raised_ankle_ratio"]) * 100,
            "thigh_down": (b.hip_h - me["knee_h"]) * 100,
        },
        "knee_to_chest": {**hug, "other_not_hugged": other["hip_deg"] - t["hug_max_hip_deg"]},
        "figure4_supine": {
            **postures["lying"],
            "ankle_on_knee": (t["crossed_ankle_ratio"] - me["ankle_on_knee"]) * 100,
            "knee_bent": t["figure4_max_knee_deg"] - me["knee_deg"],
            # Across the other thigh, the shin points along the camera's axis in a side view:
            # legs side by side (knees up, feet down; a dead bug's table-top) read ~0.7-0.85.
            "shin_across": (t["figure4_max_shin_ratio"] - me["shin_length"]) * 100,
            # Resting on top of the other knee, the crossed ankle is in view; a far ankle hidden
            # behind the near leg (which the model then guesses, often onto the near knee) is not.
            "ankle_seen": (me["ankle_visibility"] - t["min_visibility"]) * 100,
        },
        "figure4_seated": {
            "on_a_seat": (b.hip_h - t["floor_hip_ratio"]) * 100,  # (its bent knee tells it from standing)
            "not_lying": upright,
            "ankle_on_knee": (t["figure4_seated_ankle_ratio"] - me["ankle_on_knee"]) * 100,
            "foot_raised": (me["ankle_h"] - other["ankle_h"] - t["figure4_raise_ratio"]) * 100,
            "other_knee_bent": t["figure4_max_knee_deg"] - other["knee_deg"],
        },
        "pigeon": {
            "seated": floor_level,
            "shin_folded": t["pigeon_max_knee_deg"] - me["knee_deg"],
            "thighs_split": split,
            "front_thigh_out": (np.abs(me["knee_dx"]) - t["pigeon_split_ratio"]) * 100,
            "back_thigh_out": (np.abs(other["knee_dx"]) - t["pigeon_split_ratio"]) * 100,
            "knees_down": (t["pigeon_max_knee_ratio"] - np.fmax(me["knee_h"], other["knee_h"])) * 100,
        },
    }


def stretch_rules(b: Body, t: Thresholds) -> dict[str, dict[str, Terms]]:
    """Per stretch, per side ("" for two-sided stretches, "both" for both knees hugged): the
    named terms of its rule, each a margin (> 0 = satisfied)."""
    rules: dict[str, dict[str, Terms]] = {name: {"": terms} for name, terms in _whole_body_rules(b, t).items()}
    postures = _postures(b, t)
    per_side = {s: _one_leg_rules(b, t, s, postures) for s in SIDES}
    for name in ONE_SIDED:
        rules[name] = {s: per_side[s][name] for s in SIDES}
    hugs = rules["knee_to_chest"]
    hugs["both"] = {f"{s}_{k}": v for s in SIDES for k, v in hugs[s].items() if k != "other_not_hugged"}
    return rules


def stretch_margins(b: Body, t: Thresholds) -> dict[str, dict[str, np.ndarray]]:
    """Per stretch, per side: the margin of its rule (> 0 = held)."""
    return {
        name: {side: rule_margin(terms) for side, terms in sides.items()} for name, sides in stretch_rules(b, t).items()
    }


def stretch_angle(b: Body, name: str, side: str, near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The angle the stretch works (bouncing is its swing), and how well its joints are seen
    (the least visibility of the three): the hip angle of the stretched leg (of the leg nearer
    the camera for two-sided stretches and hugs of both knees), the knee for the quad, the
    supporting thigh's hip angle for a figure-4 (pulled in, or the trunk hinged over it)."""
    L = b.leg
    if name == "standing_quad":
        return L[side]["knee_deg"], L[side]["knee_seen"]
    if name in ("figure4_supine", "figure4_seated"):
        return L[other_side(side)]["hip_deg"], L[other_side(side)]["hip_seen"]
    if side in SIDES:
        return L[side]["hip_deg"], L[side]["hip_seen"]
    return np.where(near, L["left"]["hip_deg"], L["right"]["hip_deg"]), np.where(
        near, L["left"]["hip_seen"], L["right"]["hip_seen"]
    )


def swing_deg(
    times: np.ndarray,
    angle: np.ndarray,
    segment: np.ndarray,
    window_s: float,
    noise_deg: float,
    max_half_period_s: float,
) -> np.ndarray:
    """Per frame, how far the angle has lately swung back and forth fast: the smaller of the two
    largest swings (turning point to turning point) that ended within `window_s` before this
    frame and each took no longer than `max_half_period_s`; 0 without two such swings, so one
    quick move into or out of a stretch is not a bounce. Turning points are confirmed once the
    angle has come back `noise_deg` (smaller wiggles are landmark jitter). Causal: a frame reads
    only the past. A change of `segment` (another stretch or side, or out of position) starts afresh."""
    out = np.zeros(len(angle))
    pivots: list[tuple[float, float]] = []
    ext_t = ext_v = np.nan
    trend = 0
    last_seg: object = None
    for i in range(len(angle)):
        t, v, seg = float(times[i]), float(angle[i]), segment[i]
        if seg != last_seg or v != v:
            pivots, ext_t, ext_v, trend, last_seg = [], np.nan, np.nan, 0, seg
        if v != v:
            continue
        if ext_v != ext_v:
            ext_t, ext_v = t, v
            continue
        if trend == 0:
            if abs(v - ext_v) >= noise_deg:
                pivots.append((ext_t, ext_v))
                trend = 1 if v > ext_v else -1
                ext_t, ext_v = t, v
        elif (v - ext_v) * trend >= 0:
            ext_t, ext_v = t, v  # still going the same way: a new extreme
        elif abs(v - ext_v) >= noise_deg:
            pivots.append((ext_t, ext_v))  # turned back: the extreme was a turning point
            trend = -trend
            ext_t, ext_v = t, v
        while pivots and t - pivots[0][0] > window_s + max_half_period_s:
            pivots.pop(0)
        ends = [*pivots, (ext_t, ext_v)] if trend != 0 else pivots
        swings = [
            abs(b[1] - a[1])
            for a, b in itertools.pairwise(ends)
            if b[0] - a[0] <= max_half_period_s and t - b[0] <= window_s
        ]
        if len(swings) >= 2:
            out[i] = sorted(swings)[-2]
    return out
