"""Stretches (back and thighs): recognise which stretch is held, time each stretch and side.

Twelve stretches are told apart by plain rules on 2-D joint geometry (formcheck.exercises.
stretch_shapes): how the trunk is tilted (upright, lying, head-down), the hip and knee angles of
each leg, how high the hips, knees and ankles sit above the lowest point of the body, which ankle
rests on which knee, and whether the thighs split (pigeon). The frame's stretch is the one whose
rule has the largest margin, and it rides along with its side (the leg being stretched, for
one-sided stretches) in `Signals.side_label` ("knee_to_chest right", "cobra"), so the summary
times each stretch and side apart; a new label counts once it has lasted `min_side_s`. Moves
between stretches match no rule and are not timed. `--variant` pins one stretch: then only its
rule counts.

Faults, only where clear: `knees_bent` on the hamstring stretches (the stretched leg's knee) and
`bouncing` (the stretch's own angle swinging more than ~10 deg back and forth faster than ~1 Hz).
"""

from __future__ import annotations

import numpy as np

from formcheck.exercises.base import (
    JUDGEABLE,
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
from formcheck.exercises.posing import FOREARM, NECK, SHIN, THIGH, TORSO, UPPER_ARM, assemble, unit
from formcheck.exercises.stretch_shapes import (
    HAMSTRING,
    RECOGNISED,
    SIDES,
    STANDING,
    STRETCHES,
    Body,
    body_measures,
    other_side,
    stretch_angle,
    stretch_margins,
    swing_deg,
)
from formcheck.i18n import N_
from formcheck.landmarks import side_landmark


def recognise(
    margins: dict[str, dict[str, np.ndarray]], names: tuple[str, ...], n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per frame: the best rule's margin, its stretch and side (of `names`), and the best margin of
    any other recognised stretch (upward dog aside, the cobra's twin): the lead is the confidence."""
    best = np.full(n, -np.inf)
    best_name = np.full(n, "", dtype=object)
    best_side = np.full(n, "", dtype=object)
    for name in names:
        for side, margin in margins[name].items():
            m = np.nan_to_num(margin, nan=-np.inf)
            better = m > best
            best = np.where(better, m, best)
            best_name[better] = name
            best_side[better] = side
    runner_up = np.full(n, -np.inf)
    recognised_as = np.where(best_name == "upward_dog", "cobra", best_name)
    for name in RECOGNISED:
        for margin in margins[name].values():
            m = np.nan_to_num(margin, nan=-np.inf)
            runner_up = np.where(recognised_as != name, np.fmax(runner_up, m), runner_up)
    return best, best_name, best_side, runner_up


# -- synthetic poses (tests, notebooks) ------------------------------------------------------------


def body_pose(
    trunk: float,
    thighs: tuple[float, float],
    shins: tuple[float, float],
    arm: tuple[float, float] = (-90.0, -90.0),
    face_up: bool = False,
    spread: float = 0.0,
) -> np.ndarray:
    """One frame's 33 x 4 landmarks of a body drawn from segment directions (degrees from the
    image's +x axis, y up: 90 = straight up), head towards +x, seen side-on (left leg first in
    `thighs`/`shins`, nearer the camera); `spread` (torso lengths) moves the left and right
    shoulders and hips apart across the image, as a body turned towards the camera looks. The
    lowest point rests on the floor line."""
    hip = np.zeros(2)
    shoulder = hip + TORSO * unit(trunk)
    legs = {}
    for k, s in enumerate(SIDES):
        knee = hip + THIGH * unit(thighs[k])
        ankle = knee + SHIN * unit(shins[k])
        legs[s] = {
            "hip": hip,
            "knee": knee,
            "ankle": ankle,
            "heel": ankle + 8 * unit(shins[k] + 180),
            "foot_index": ankle + 25 * unit(shins[k] - 90),
        }
    elbow = shoulder + UPPER_ARM * unit(arm[0])
    wrist = elbow + FOREARM * unit(arm[1])
    ear = shoulder + NECK * unit(trunk)
    nose = ear + 20 * unit(trunk + (90 if face_up else -60))
    pts = {s: {**legs[s], "shoulder": shoulder, "elbow": elbow, "wrist": wrist, "ear": ear} for s in SIDES}
    half = spread * TORSO / 2
    for s in SIDES:
        shift = np.array([half if s == "left" else -half, 0.0])
        for j in ("shoulder", "elbow", "wrist", "ear"):
            pts[s][j] = pts[s][j] + shift
        for j in ("hip", "knee", "ankle", "heel", "foot_index"):
            pts[s][j] = pts[s][j] + shift / 2
        if not spread:  # side-on: the far (right) side a few pixels behind
            for j in pts[s]:
                pts[s][j] = pts[s][j] + (np.array([5.0, 4.0]) if s == "right" else 0.0)
    floor = min(p[1] for side in pts.values() for p in side.values())
    pts = {s: {j: p - np.array([0.0, floor]) for j, p in side.items()} for s, side in pts.items()}
    return assemble(pts["left"], (560.0, 640.0), (0.0, 0.0), nose=nose - np.array([0.0, floor]), far=pts["right"])


def _legs(side: str, me: tuple[float, float], other: tuple[float, float]) -> tuple[tuple, tuple]:
    """(thighs, shins) directions, left leg first, with `me` the directions of `side`'s leg."""
    thighs = (me[0], other[0]) if side == "left" else (other[0], me[0])
    shins = (me[1], other[1]) if side == "left" else (other[1], me[1])
    return thighs, shins


def stretch_pose(
    name: str = "seated_forward_fold",
    side: str = "left",
    knee_deg: float = 180.0,
    bend_deg: float = 0.0,
    spread: float = 0.0,
) -> np.ndarray:
    """A textbook `name` stretch on `side` (the stretched leg), side-on, head to the right.
    `knee_deg` bends the stretched leg's knee (hamstring stretches); `bend_deg` deepens (+) or
    eases (-) the stretch's own angle (for bouncing); `spread` turns the body to the camera."""
    a = bend_deg
    bent = 180.0 - knee_deg  # the shin turns down from the thigh's line by this much
    if name == "childs_pose":
        return body_pose(-20 - a, (-50, -50), (180, 180), spread=spread, arm=(-10, 0))
    if name in ("cobra", "upward_dog"):
        return body_pose(40 + a, (180, 180), (180, 180), spread=spread, arm=(-40, -40))
    if name == "downward_dog":
        return body_pose(-50 + a, (-115, -115), (-115, -115), spread=spread, arm=(-50, -50))
    if name == "seated_forward_fold":
        return body_pose(40 - a, (bent / 2, bent / 2), (-bent / 2, -bent / 2), spread=spread, arm=(-20, -10))
    if name == "seated_hamstring":
        thighs, shins = _legs(side, (bent / 2, -bent / 2), (-20, 160))
        return body_pose(70 - a, thighs, shins, spread=spread, arm=(-20, -10))
    if name == "standing_hamstring":
        thighs, shins = _legs(side, (-20 + bent / 2, -20 - bent / 2), (-90, -90))
        return body_pose(60 - a, thighs, shins, spread=spread, arm=(-60, -40))
    if name == "standing_quad":
        thighs, shins = _legs(side, (-90, 80 - a), (-90, -90))
        return body_pose(90, thighs, shins, spread=spread, arm=(-100, -120))
    if name == "knee_to_chest":
        thighs, shins = _legs(side, (60 + a, 200), (180, 180))
        if side == "both":
            thighs, shins = (60 + a, 60 + a), (200, 200)
        return body_pose(0, thighs, shins, spread=spread, arm=(70, 100), face_up=True)
    if name == "figure4_supine":
        # The other thigh pulled in, knee at 90; this ankle on that knee, its shin across the
        # body (short in the image: this knee out to the side, drawn near the other knee).
        thighs, shins = _legs(side, (75, -60), (60 + a, -30))
        return _ankle_on_other_knee(body_pose(0, thighs, shins, spread=spread, arm=(70, 100), face_up=True), side)
    if name == "figure4_seated":
        thighs, shins = _legs(side, (15, -60), (0 - a, -90))
        return _ankle_on_other_knee(body_pose(95 - a, thighs, shins, spread=spread, arm=(-60, -10)), side)
    if name == "pigeon":
        thighs, shins = _legs(side, (-20, 170), (200, 190))
        return body_pose(90 - a, thighs, shins, spread=spread, arm=(-80, -90))
    raise ValueError(f"no synthetic pose for {name}")


def _ankle_on_other_knee(pose: np.ndarray, side: str) -> np.ndarray:
    """Rest `side`'s ankle (and foot) just above the other knee: the figure-4's crossed leg."""
    me, other = side_landmark(side, "ankle"), side_landmark(other_side(side), "knee")
    offset = pose[other, :2] + np.array([0.0, -0.02]) - pose[me, :2]
    for j in ("ankle", "heel", "foot_index"):
        pose[side_landmark(side, j), :2] += offset
    return pose


def label_of(name: str, side: str) -> str:
    return f"{name} {side}".strip()


class Stretch(Exercise):
    name = "stretch"
    title = N_("Stretches")
    kind = "hold"
    view = "side"
    needed = ("shoulder", "hip", "knee", "ankle")
    order = 7.0
    get_in_position_cue = N_("Get into your stretch and hold it")
    variants = STRETCHES
    reports_sides = True  # per stretch and side, from side_label
    history_s = 3.5  # bouncing reads the last bounce_window_s + bounce_half_period_s (and settles)
    faults = (
        FaultSpec("knees_bent", N_("Straighten your knee"), N_("Good — leg long"), joints=("knee",)),
        FaultSpec("bouncing", N_("Hold still — don't bounce"), N_("Good — steady"), joints=("hip",)),
    )
    tolerances = ("knee_bend_deg", "bounce_deg")
    key_angle = KeyAngle("hip_angle_deg", ("shoulder", "hip", "knee"))
    plots = (
        Plot(
            "bounce_swing_deg",
            N_("recent fast back-and-forth swings of the stretch's own angle (deg; the smaller of the two largest)"),
            (Limit("bounce_deg", "above", "fault", "bouncing"),),
            timeline=True,
        ),
        Plot(
            "stretched_knee_deg",
            N_("stretched leg's knee on a hamstring stretch (deg)"),
            (Limit("knee_bend_deg", "below", "fault", "knees_bent", sign=-1, offset=180.0),),
        ),
        Plot(
            "side_view_ratio",
            N_("shoulder and hip width / torso, where a side view is needed (not a standing stretch)"),
            (Limit("max_view_ratio", "above", "view"),),
        ),
        Plot(
            "stretched_leg_ratio",
            N_("2-D length of the leg judged straight on a hamstring stretch / torso (short: at the camera)"),
            (Limit("min_leg_length_ratio", "below", "view"),),
        ),
    )
    timeline_label = N_("fast swings of the\nstretch's angle (deg)")
    # A forward fold (both hamstring faults apply); every stretch and side is posed in the tests.
    synthetic = Synthetic(
        pose=stretch_pose,
        good={"name": "seated_forward_fold"},
        faults={"knees_bent": {"knee_deg": 143.0}},
        sweep={"knee_deg": (120, 180), "bend_deg": (-25, 25), "spread": (0.0, 0.6)},
        wrong_view={"spread": 0.8},
        elsewhere=("bouncing",),  # a pose cannot swing: tests/test_stretch.py bounces it
    )

    def signals(self, pose: PoseFrames) -> Signals:
        t = self.t
        n = len(pose)
        b = body_measures(pose)
        margins = stretch_margins(b, t)
        names = (self.variant,) if self.variant in STRETCHES else RECOGNISED
        best, best_name, best_side, runner_up = recognise(margins, names, n)
        held = best > 0
        # Labelled while the judge may still hold the position (its hysteresis), so that every
        # frame timed in position is timed to a stretch.
        labelled = best > -t["position_hysteresis"]
        label = np.array(
            [label_of(nm, sd) if h else "" for nm, sd, h in zip(best_name, best_side, labelled, strict=True)],
            dtype=object,
        )

        left = self.near_side(pose)
        reason = self.visibility_reason(pose, left)
        wrong, side_view, straight_leg = self.wrong_view(b, best_name, best_side, held)
        reason[(reason == JUDGEABLE) & wrong] = WRONG_VIEW

        angle, stretched_knee = self.stretch_angles(b, names, best_name, best_side, left)
        segment = np.where(held & (reason == JUDGEABLE), label, "")
        swing = swing_deg(
            pose.times_s,
            np.where(segment != "", angle, np.nan),
            segment,
            t["bounce_window_s"],
            t["bounce_noise_deg"],
            t["bounce_half_period_s"],
        )
        faults = {
            "knees_bent": (180.0 - stretched_knee) - t["knee_bend_deg"],
            "bouncing": swing - t["bounce_deg"],
        }
        features = {
            "hip_angle_deg": np.where(left, b.leg["left"]["hip_deg"], b.leg["right"]["hip_deg"]),
            "knee_angle_deg": np.where(left, b.leg["left"]["knee_deg"], b.leg["right"]["knee_deg"]),
            "trunk_incline_deg": b.trunk_incline,
            "stretch_angle_deg": angle,
            "stretched_knee_deg": stretched_knee,
            "bounce_swing_deg": swing,
            "stretch_margin": best,
            "recognition_gap": best - runner_up,
            "hip_height_ratio": b.hip_h,
            "view_ratio": b.view_ratio,
            "side_view_ratio": side_view,
            "stretched_leg_ratio": straight_leg,
        }
        return Signals(features, reason, best, faults, left, cut=self.scene_cut(pose), side_label=label.astype(str))

    def stretch_angles(
        self, b: Body, names: tuple[str, ...], name: np.ndarray, side: np.ndarray, left: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per frame, the recognised stretch's own angle (NaN where its joints are not seen: a
        hidden ankle jitters) and, on a hamstring stretch, the stretched leg's knee (the more bent
        of the two in a forward fold, where both legs are stretched)."""
        n = len(name)
        angle = np.full(n, np.nan)
        stretched_knee = np.full(n, np.nan)
        min_vis = self.t["min_visibility"]
        for stretch in names:
            for sd in (*SIDES, "", "both"):
                here = (name == stretch) & (side == sd)
                if not here.any():
                    continue
                value, seen = stretch_angle(b, stretch, sd, left)
                angle[here] = np.where(seen >= min_vis, value, np.nan)[here]
                if stretch in HAMSTRING:
                    knees = (
                        b.leg[sd]["knee_deg"]
                        if sd in SIDES
                        else np.fmin(b.leg["left"]["knee_deg"], b.leg["right"]["knee_deg"])
                    )
                    stretched_knee[here] = knees[here]
        return angle, stretched_knee

    def wrong_view(
        self, b: Body, name: np.ndarray, side: np.ndarray, held: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per frame: the wrong view, the view ratio where a side view is needed (NaN where not)
        and the 2-D length of a leg to be judged straight (NaN where none is). Floor stretches
        need the side view (a body seen from the front or obliquely hides the hip and knee
        angles that tell them apart), as does a body off its feet that holds no stretch;
        standing stretches may be seen from any side, but a leg to be judged straight must not
        point at the camera (it looks short)."""
        t = self.t
        standing = (b.hip_h >= t["standing_hip_ratio"]) & (b.trunk_incline <= t["max_upright_incline_deg"])
        needs_side = np.where(held, ~np.isin(name, STANDING), ~standing)
        wrong = needs_side & ~(b.view_ratio <= t["max_view_ratio"])
        lengths = {s: b.leg[s]["length"] for s in SIDES}
        straight = held & np.isin(name, HAMSTRING)
        leg = np.where(
            side == "left",
            lengths["left"],
            np.where(side == "right", lengths["right"], np.fmin(lengths["left"], lengths["right"])),
        )
        wrong |= straight & ~(leg >= t["min_leg_length_ratio"])
        return (
            wrong,
            np.where(needs_side, b.view_ratio, np.nan),
            np.where(straight, leg, np.nan),
        )
