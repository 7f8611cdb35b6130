"""The offline (zero-lag) judgement computed while the track is still being extracted.

Smoothing and features are local: a frame's result depends only on the frames within
`lookahead` of it (and the exercise's `history_s` before it). So frames are judged in small
windows a fraction of a second behind the newest one, with exactly the states `judge_track` gives
on the finished track; the annotated video is drawn in the same pass as the extraction.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.exercises.base import Exercise, PoseFrames
from formcheck.judging.judgement import JudgedFrame
from formcheck.judging.session import frame_inputs, make_judge, smooth_world, with_outline
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline.outline import N_POINTS as OUTLINE_POINTS
from formcheck.pipeline.smoothing import SmoothingParams, lookahead_frames, smooth_offline
from formcheck.pipeline.track import PoseResult

_MISSING_WORLD = np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
_MISSING_OUTLINE = np.full((2, OUTLINE_POINTS), np.nan, dtype=np.float32)
_NO_QUALITY = np.zeros(2, dtype=np.float32)


class OnlineJudgement:
    """The judging stage of the frame flow for `analyze`: `add` each frame's pose, get back the
    frames whose judgement is final (in order, a fraction of a second late); `flush` at the end."""

    CHUNK = 15  # frames judged at a time (one numpy pass per chunk, not per frame)

    def __init__(
        self, exercise: Exercise, width: int, height: int, fps: float, smoothing: SmoothingParams = SmoothingParams()
    ) -> None:
        self.exercise, self.width, self.height, self.fps = exercise, width, height, fps
        self.smoothing = smoothing
        self.lookahead = lookahead_frames(smoothing, 1.0 / fps)
        self.history = math.ceil(exercise.history_s * fps)  # past frames the signals read
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float32)
        self._xy: list[np.ndarray] = []
        self._vis: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._outline: list[np.ndarray] = []
        self._outline_quality: list[np.ndarray] = []
        self._times: list[float] = []
        self._last_seen: list[int] = []  # per frame, the latest frame at or before it with a person
        self.done = 0
        self._last_lift = math.nan

    @property
    def max_pending(self) -> int:
        """The most frames fed whose judgement is not final yet (what a caller holds meanwhile)."""
        return 2 * self.lookahead + self.CHUNK

    def add(self, t_s: float, pose: PoseResult | None) -> list[JudgedFrame]:
        """Feed the next frame's pose (None: nobody found); returns the frames whose judgement is
        now final."""
        landmarks = None if pose is None else pose.landmarks
        if self.exercise.uses_world:
            self._world.append(_MISSING_WORLD if pose is None else np.asarray(pose.world, dtype=np.float32)[:, :3])
        if self.exercise.back is not None:
            outlined = pose is not None and pose.outline is not None
            self._outline.append(pose.outline if outlined else _MISSING_OUTLINE)
            self._outline_quality.append(pose.outline_quality if outlined else _NO_QUALITY)
        if landmarks is None:
            self._xy.append(np.full((NUM_LANDMARKS, 2), np.nan, dtype=np.float32))
            self._vis.append(np.full(NUM_LANDMARKS, np.nan, dtype=np.float32))
            self._last_seen.append(self._last_seen[-1] if self._last_seen else -1)
        else:
            self._xy.append(landmarks[:, :2] * self._scale)
            self._vis.append(landmarks[:, 3])
            self._last_seen.append(len(self._xy) - 1)
        self._times.append(t_s)
        ready = len(self._xy) - 2 * self.lookahead
        return self._judge_until(ready) if ready - self.done >= self.CHUNK else []

    def flush(self) -> list[JudgedFrame]:
        """The stream has ended: judge what is left and close the judge."""
        frames = self._judge_until(len(self._xy))
        self.judge.finish(self._last_lift)
        return frames

    def _window(self) -> list[int]:
        """The frames the next judgement reads: from far enough back that the window's left edge
        changes nothing judged now (2 x lookahead + 1), through the newest frame.

        If that edge falls in a gap without a person, the last frame with a person matters too
        (a scene cut compares the frame after the gap with it), with its own margin so it is
        smoothed as on the whole track. The empty frames between change nothing (signals do not
        read timestamps, smoothing splits at them, scene cuts compare across them), so they are
        skipped: widening the window over them made a long absence cost quadratic time."""
        margin = 2 * self.lookahead + 1 + self.history
        start = max(0, self.done - margin)
        rows = list(range(start, len(self._xy)))
        seen = self._last_seen[start]
        if 0 <= seen < start:
            rows = list(range(max(0, seen - margin), seen + 1)) + rows
        return rows

    def _judge_until(self, stop: int) -> list[JudgedFrame]:
        if stop <= self.done:
            return []
        rows = self._window()
        times = np.array([self._times[i] for i in rows], dtype=np.float64)
        xy_raw = np.stack([self._xy[i] for i in rows])
        with np.errstate(all="ignore"):
            xy = smooth_offline(times, xy_raw, self.smoothing, self.exercise.cut_ratios, frame_s=1.0 / self.fps)
            world = None
            if self.exercise.uses_world:
                world = smooth_world(times, np.stack([self._world[i] for i in rows]), self.smoothing, 1.0 / self.fps)
            visibility = np.stack([self._vis[i] for i in rows])
            pose = PoseFrames(times, xy, visibility, self.width, self.height, world=world)
            if self.exercise.back is not None:
                outline = np.stack([self._outline[i] for i in rows])
                quality = np.stack([self._outline_quality[i] for i in rows])
                pose = with_outline(pose, self.exercise, outline, quality, self.fps)
            signals = self.exercise.signals(pose)
        frames = frame_inputs(times.tolist(), signals, self.exercise)
        out = []
        first = len(rows) - (len(self._xy) - self.done)  # where frame `done` sits in the window
        for i in range(self.done, stop):
            k = first + i - self.done
            state = self.judge.step(frames[k])
            features = {name: float(values[k]) for name, values in signals.features.items()}
            out.append(JudgedFrame(i, xy[k], pose.visibility[k], bool(signals.near_left[k]), state, features))
            self._last_lift = frames[k].lift
        self.done = stop
        return out
