"""Live judging, one frame at a time: smooth causally, compute signals, step the judge."""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.judging.records import FrameState
from formcheck.judging.session import WORLD_SCALE_M, frame_inputs, make_judge
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline.outline import N_POINTS as OUTLINE_POINTS
from formcheck.pipeline.smoothing import OneEuroFilter, SmoothingParams
from formcheck.pipeline.track import PoseResult

_MISSING_WORLD = np.full((NUM_LANDMARKS, 3), np.nan)
OUTLINE_SCALE = 1.0  # the live filter's scale for outline offsets (torso lengths)


class StreamingSession:
    """Judge one frame at a time (live): smooth causally, compute signals, step the judge.
    An exercise that reads trailing windows (`history_s`) gets its signals over the recent frames
    kept here; the judge and the returned signals are the newest frame's."""

    def __init__(self, exercise: Exercise, width: int, height: int, smoothing: SmoothingParams = SmoothingParams()):
        self.exercise = exercise
        self.width, self.height = width, height
        self.filter = OneEuroFilter(smoothing, scale=math.hypot(width, height))
        self.world_filter = OneEuroFilter(smoothing, scale=WORLD_SCALE_M)
        self.outline_filter = OneEuroFilter(smoothing, scale=OUTLINE_SCALE)
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float64)
        self._missing = np.full((1, NUM_LANDMARKS, 2), np.nan)
        self._recent: deque[tuple[float, PoseFrames]] = deque()

    def update(self, t_s: float, found: PoseResult | None) -> tuple[FrameState, Signals, PoseFrames]:
        """Feed one frame's pose (None if nobody was found)."""
        landmarks = None if found is None else found.landmarks
        if landmarks is None:
            xy = self._missing
            vis = np.zeros((1, NUM_LANDMARKS))
            self.filter.reset()
        else:
            with np.errstate(all="ignore"):
                xy = self.filter(t_s, landmarks[None, :, :2] * self._scale)
            vis = landmarks[None, :, 3].astype(np.float64)
        pose = PoseFrames(np.array([t_s]), xy, vis, self.width, self.height, world=self._world(t_s, found))
        if self.exercise.back is not None:
            pose.outline, pose.outline_quality = self._outline(t_s, found)
        with np.errstate(all="ignore"):
            signals = self._signals(pose)
        state = self.judge.step(frame_inputs([t_s], signals, self.exercise)[0])
        return state, signals, pose

    def _world(self, t_s: float, found: PoseResult | None) -> np.ndarray | None:
        if not self.exercise.uses_world:
            return None
        if found is None:
            self.world_filter.reset()
            return _MISSING_WORLD[None].astype(np.float64)
        with np.errstate(all="ignore"):
            return self.world_filter(t_s, np.asarray(found.world, dtype=np.float64)[None, :, :3])

    def _outline(self, t_s: float, found: PoseResult | None) -> tuple[np.ndarray, np.ndarray]:
        """The silhouette's outline, smoothed causally (a hidden station restarts on its own)."""
        if found is None or found.outline is None or found.outline_quality is None:
            self.outline_filter.reset()
            return np.full((1, 2, OUTLINE_POINTS), np.nan), np.zeros((1, 2))
        with np.errstate(all="ignore"):
            return self.outline_filter(t_s, found.outline[None].astype(np.float64)), found.outline_quality[None]

    def _signals(self, pose: PoseFrames) -> Signals:
        """This frame's signals, computed over the recent frames if the exercise reads back."""
        if self.exercise.history_s <= 0:
            return self.exercise.signals(pose)
        t_s = float(pose.times_s[0])
        self._recent.append((t_s, pose))
        while t_s - self._recent[0][0] > self.exercise.history_s:
            self._recent.popleft()
        frames = [p for _, p in self._recent]

        def stacked(name: str) -> np.ndarray | None:
            parts = [getattr(p, name) for p in frames]
            return None if parts[0] is None else np.concatenate(parts)

        recent = PoseFrames(
            stacked("times_s"),
            stacked("xy"),
            stacked("visibility"),
            self.width,
            self.height,
            outline=stacked("outline"),
            outline_quality=stacked("outline_quality"),
            world=stacked("world"),
        )
        return last_frame(self.exercise.signals(recent))


def last_frame(signals: Signals) -> Signals:
    """The newest frame of multi-frame signals, as one-frame signals."""

    def tail(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[-1:]

    return Signals(
        features={k: v[-1:] for k, v in signals.features.items()},
        reason=signals.reason[-1:],
        position=signals.position[-1:],
        faults={k: v[-1:] for k, v in signals.faults.items()},
        near_left=signals.near_left[-1:],
        lift=tail(signals.lift),
        cut=tail(signals.cut),
        side_label=tail(signals.side_label),
        active=tail(signals.active),
        side_value=tail(signals.side_value),
    )
