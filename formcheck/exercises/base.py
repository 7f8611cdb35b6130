"""What an exercise module declares, and the pose data it reads.

An exercise is a small module: the joints it needs, the view it wants, its per-frame features
(vectorised numpy over any number of frames), when the body is in position, and its faults as
signed margins (> 0 = at fault). The generic `Judge` (formcheck.judging.judge) turns those arrays into
events with hysteresis and minimum durations, identically live and offline.
No OpenCV or MediaPipe here: arrays and timestamps only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np

from formcheck import geometry as g
from formcheck.landmarks import side_landmark

Kind = Literal["hold", "reps"]
View = Literal["side", "front"]

CUT_JUMP_RATIO = 0.3  # defaults for thresholds' cut_jump_ratio and cut_limb_jump_ratio (thresholds.toml)
CUT_LIMB_JUMP_RATIO = 0.18

# Why a frame cannot be judged, and what to tell the user. Code 0 means "judge it".
JUDGEABLE = 0
NO_PERSON = 1
NOT_VISIBLE = 2
WRONG_VIEW = 3
REASONS = {
    NO_PERSON: ("no_person", "Step into the frame"),
    NOT_VISIBLE: ("not_visible", "Keep your whole body in the frame"),
    WRONG_VIEW: ("wrong_view", "Turn side-on to the camera"),
}
WRONG_VIEW_CUES = {
    "side": "Turn side-on to the camera",
    "front": "Face the camera (or turn your back to it)",
}


@dataclass(frozen=True)
class FaultSpec:
    name: str
    cue: str
    praise: str = "Good — that's it"
    # "hold": judged on every frame in position; "top": only at the top of a rep;
    # "rep": judged once per rep, on the rep's peak (e.g. a bridge that never got high enough).
    scope: Literal["hold", "top", "rep"] = "hold"
    # The hips off the body line: on the way out of a hold the body sweeps through the line
    # (a sag pushed up into kneeling), so such a fault clearing just before leaving is the exit.
    body_line: bool = False


@dataclass
class PoseFrames:
    """Smoothed pose data for any number of frames (T may be 1, live)."""

    times_s: np.ndarray  # T
    xy: np.ndarray  # T x 33 x 2 pixels, NaN where missing
    visibility: np.ndarray  # T x 33
    width: int
    height: int

    def __len__(self) -> int:
        return len(self.times_s)

    def joint(self, side: np.ndarray | str, name: str) -> np.ndarray:
        """T x 2 pixels of a paired joint on the given side ('left'/'right', or per frame)."""
        if isinstance(side, str):
            return self.xy[:, side_landmark(side, name)]
        left = self.xy[:, side_landmark("left", name)]
        right = self.xy[:, side_landmark("right", name)]
        return np.where(side[:, None], left, right)

    def joint_visibility(self, side: np.ndarray | str, name: str) -> np.ndarray:
        if isinstance(side, str):
            return self.visibility[:, side_landmark(side, name)]
        left = self.visibility[:, side_landmark("left", name)]
        right = self.visibility[:, side_landmark("right", name)]
        return np.where(side, left, right)


@dataclass
class Signals:
    """Everything the judge needs, as arrays over frames."""

    features: dict[str, np.ndarray]  # named per-frame measurements (for CSV, plots, overlay)
    reason: np.ndarray  # int per frame: JUDGEABLE or a REASONS code
    position: np.ndarray  # margin: > 0 in position
    faults: dict[str, np.ndarray]  # margin per fault: > 0 at fault
    near_left: np.ndarray  # bool per frame: the judged side is the left one
    lift: np.ndarray | None = None  # rep exercises: the signal that rises at each rep (higher = up)
    cut: np.ndarray | None = None  # bool per frame: the body jumped (a scene cut in edited video)
    side_label: np.ndarray | None = None  # side plank: "left"/"right" per frame (support side)
    wrong_view_cue: str = ""


@dataclass(frozen=True)
class RepSpec:
    """How reps are counted on the `lift` signal (see Judge): up once it is above `top` and has
    risen `rise` from its last trough; down once it has fallen `drop` from the rep's peak."""

    top: float
    rise: float
    drop: float
    hysteresis: float = 3.0
    needs_position: bool = True  # False when a rep takes the body out of position (knee taps)
    max_top_s: float = math.inf  # a "rep" held at the top longer than this is a posture change
    top_band: float = 5.0  # within this of the rep's peak counts as "at the top" (hold time, top faults)


@dataclass(frozen=True)
class Timing:
    """Hysteresis and minimum durations shared by all exercises (seconds / margin units)."""

    min_position_s: float = 0.5
    min_leave_s: float = 0.5
    min_fault_s: float = 0.5
    min_fault_clear_s: float = 0.4
    min_unjudged_s: float = 0.4
    min_judged_s: float = 0.3


class Exercise:
    """Base of one exercise: subclasses set the class attributes and `signals()`."""

    name: ClassVar[str]
    title: ClassVar[str]
    kind: ClassVar[Kind]
    view: ClassVar[View]
    needed: ClassVar[tuple[str, ...]]  # paired joints needed on the judged side
    faults: ClassVar[tuple[FaultSpec, ...]]
    key_feature: ClassVar[str]  # the angle drawn on the video and plotted first
    get_in_position_cue: ClassVar[str] = "Get into position"
    variants: ClassVar[tuple[str, ...]] = ()
    tolerances: ClassVar[tuple[str, ...]] = ()  # thresholds scaled by the strictness level
    reports_sides: ClassVar[bool] = False  # time each side separately (side plank)

    def __init__(self, thresholds: Mapping[str, float], variant: str = "") -> None:
        self.t = dict(thresholds)
        self.variant = variant

    @property
    def fault_specs(self) -> dict[str, FaultSpec]:
        return {f.name: f for f in self.faults}

    def signals(self, pose: PoseFrames) -> Signals:
        raise NotImplementedError

    def rep_spec(self) -> RepSpec | None:
        """How this exercise (and variant) counts reps; None if it does not."""
        if self.kind != "reps":
            return None
        t = self.t
        return RepSpec(t["rep_top"], t["rep_rise"], t["rep_drop"], t["rep_hysteresis"])

    # Helpers shared by the exercise modules --------------------------------------------

    def near_side(self, pose: PoseFrames) -> np.ndarray:
        """Per frame, True if the left side is the one nearer the camera (more visible)."""
        left = np.zeros(len(pose))
        right = np.zeros(len(pose))
        for joint in self.needed:
            left += np.nan_to_num(pose.joint_visibility("left", joint))
            right += np.nan_to_num(pose.joint_visibility("right", joint))
        return left >= right

    def visibility_reason(
        self, pose: PoseFrames, side: np.ndarray, joints: tuple[str, ...] | None = None
    ) -> np.ndarray:
        """NO_PERSON / NOT_VISIBLE / JUDGEABLE per frame for the judged side's needed joints."""
        joints = joints or self.needed
        min_vis = self.t.get("min_visibility", 0.5)
        margin = self.t.get("frame_margin_ratio", 0.0)
        reason = np.full(len(pose), JUDGEABLE, dtype=np.int8)
        for joint in joints:
            xy = pose.joint(side, joint)
            vis = pose.joint_visibility(side, joint)
            inside = (
                (xy[:, 0] >= -margin * pose.width)
                & (xy[:, 0] <= (1 + margin) * pose.width)
                & (xy[:, 1] >= -margin * pose.height)
                & (xy[:, 1] <= (1 + margin) * pose.height)
            )
            bad = ~(vis >= min_vis) | ~inside
            reason[bad] = NOT_VISIBLE
        reason[np.isnan(pose.xy[:, 0, 0])] = NO_PERSON
        return reason

    @property
    def cut_ratios(self) -> tuple[float, float]:
        """The trunk and limb jumps (per torso length, in one frame) beyond which a frame is a cut."""
        return self.t.get("cut_jump_ratio", CUT_JUMP_RATIO), self.t.get("cut_limb_jump_ratio", CUT_LIMB_JUMP_RATIO)

    def scene_cut(self, pose: PoseFrames) -> np.ndarray:
        """Frames where the body jumps further than anyone moves in one frame: a cut in an
        edited video (or the person swapped). Rep counting restarts after one."""
        return g.scene_cuts(pose.xy, *self.cut_ratios)

    def shoulder_width_ratio(self, pose: PoseFrames) -> np.ndarray:
        """Shoulder-to-shoulder distance over torso length: ~0 side-on, ~0.6-1 facing the camera."""
        ls, rs = pose.joint("left", "shoulder"), pose.joint("right", "shoulder")
        lh, rh = pose.joint("left", "hip"), pose.joint("right", "hip")
        torso = g.distance(g.midpoint(ls, rs), g.midpoint(lh, rh))
        with np.errstate(invalid="ignore", divide="ignore"):
            return (g.distance(ls, rs) + g.distance(lh, rh)) / 2.0 / torso
