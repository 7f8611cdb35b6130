"""The placement check before a set: is the camera where the exercise can be judged?

It reuses the exercise's own tests, run by a preview judge exactly as `live` runs its "get into
position" phase: the view test (side-on or facing the camera), the visibility of the joints the
exercise needs on the side nearer the camera, and nobody found at all. What it adds is *which*
joints are missing, turned into what to do ("Move back — your feet are out of the frame"), and the
green light: judgeable (the judge's own settled verdict, with its hysteresis) for `ready_s`.

One person in the frame cannot be checked: the pose model is asked for one person (as everywhere
in formcheck), so a second one is never reported; the back's outline already refuses to read the
back where a second silhouette merges with the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.app.live.cues import settled
from formcheck.exercises.base import JUDGEABLE, NO_PERSON, NOT_VISIBLE, WRONG_VIEW, WRONG_VIEW_CUES, Exercise
from formcheck.exercises.frames import PoseFrames, Signals
from formcheck.judging.records import FrameState
from formcheck.judging.streaming import StreamingSession
from formcheck.pipeline.track import PoseResult

READY_S = 2.0  # judgeable this long turns the check green (the "about two seconds")

# What to say for each reason a frame cannot be judged; NOT_VISIBLE is refined by the joints missing.
STEP_IN = "Step into the frame"
FEET_OUT = "Move back — your feet are out of the frame"
HEAD_OUT = "Move back — your head is out of the frame"
HANDS_OUT = "Move back — your hands are out of the frame"
WHOLE_BODY = "Move back — keep your whole body in the frame"
UNSEEN = "Keep your whole body in view of the camera"  # in the frame but hidden (low visibility)
GREEN = "Camera placement OK"
SETTLING = "Hold still — checking the camera placement"
BODY_PARTS = {  # the joints an exercise may need, by the part of the body a person moves into view
    "feet": ("ankle", "heel", "foot_index", "knee"),
    "head": ("ear", "eye", "nose", "shoulder"),
    "hands": ("wrist", "elbow", "index", "pinky", "thumb"),
}


@dataclass(frozen=True)
class Placement:
    """One frame's placement verdict: the message to show and say, green or not, how long the
    current judgeable run has lasted (s), and the preview judge's state, signals and pose (drawn
    by the overlay as in `live`)."""

    message: str
    green: bool
    ready_s: float
    reason: int
    missing: tuple[str, ...]  # the needed joints out of the frame or unseen, on the judged side
    state: FrameState
    signals: Signals
    pose: PoseFrames


class PlacementCheck:
    def __init__(self, exercise: Exercise, width: int, height: int, ready_s: float = READY_S) -> None:
        self.exercise = exercise
        self.ready_needed = ready_s
        self.preview = StreamingSession(exercise, width, height)
        self.judged_since: float | None = None
        self.green_at: float | None = None  # when it first turned green (source time)
        self.message = ""

    def update(self, t_s: float, found: PoseResult | None) -> Placement:
        state, signals, pose = self.preview.update(t_s, found)
        state = settled(self.preview, state)
        reason = int(signals.reason[0])
        missing = missing_joints(self.exercise, pose, signals) if reason == NOT_VISIBLE else ()
        if state.judged:
            self.judged_since = t_s if self.judged_since is None else self.judged_since
        else:
            self.judged_since = None
        ready = 0.0 if self.judged_since is None else t_s - self.judged_since
        green = self.green_at is not None or ready >= self.ready_needed
        if green and self.green_at is None:
            self.green_at = t_s
        if green:
            self.message = GREEN
        elif reason != JUDGEABLE:
            self.message = placement_message(self.exercise, reason, missing)
        elif state.judged or not self.message:
            self.message = SETTLING
        # (a judgeable frame the judge has not settled on keeps the last advice: no flicker)
        return Placement(self.message, green, ready, reason, missing, state, signals, pose)


def placement_message(exercise: Exercise, reason: int, missing: tuple[str, ...]) -> str:
    """What to do about one reason a frame cannot be judged."""
    if reason == NO_PERSON:
        return STEP_IN
    if reason == WRONG_VIEW:
        return WRONG_VIEW_CUES[exercise.view]
    if reason != NOT_VISIBLE:
        return ""
    parts = [part for part, joints in BODY_PARTS.items() if any(j.rstrip("!") in joints for j in missing)]
    out_of_frame = [j for j in missing if j.endswith("!")]
    if not out_of_frame:
        return UNSEEN  # every needed joint is inside the frame but the model cannot see one well
    if parts == ["feet"]:
        return FEET_OUT
    if parts == ["head"]:
        return HEAD_OUT
    if parts == ["hands"]:
        return HANDS_OUT
    return WHOLE_BODY


def missing_joints(exercise: Exercise, pose: PoseFrames, signals: Signals) -> tuple[str, ...]:
    """The needed joints on the judged side that are out of the frame (marked with "!") or
    seen too poorly, by the same limits as the exercise's own visibility test."""
    if math.isnan(float(pose.xy[0, 0, 0])):
        return ()
    side = "left" if bool(signals.near_left[0]) else "right"
    min_vis = exercise.t["min_visibility"]
    margin = exercise.t["frame_margin_ratio"]
    found: list[str] = []
    for joint in exercise.needed:
        x, y = pose.joint(side, joint)[0]
        vis = float(pose.joint_visibility(side, joint)[0])
        inside = (
            -margin * pose.width <= x <= (1 + margin) * pose.width
            and -margin * pose.height <= y <= (1 + margin) * pose.height
        )
        if not inside or not np.isfinite(x):
            found.append(joint + "!")
        elif not vis >= min_vis:
            found.append(joint)
    return tuple(found)
