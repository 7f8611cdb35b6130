"""Run an exercise's rules over pose data: a whole track offline, or frame by frame live.

Both paths call the same `Exercise.signals` and `Judge.step`; they differ only in smoothing
(zero-lag over the whole track offline, the causal One-Euro filter live).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from formcheck.config import load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises import exercise_class
from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.judging.judge import Judge
from formcheck.judging.judgement import JudgedFrame, Judgement
from formcheck.judging.records import FrameInput, FrameState
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline.smoothing import OneEuroFilter, SmoothingParams, smooth_offline
from formcheck.pipeline.track import Track


def make_exercise(
    name: str, config: str | Path | None = None, strictness: str | None = None, variant: str = ""
) -> Exercise:
    cls = exercise_class(name)
    if variant and variant not in cls.variants:
        choices = ", ".join(cls.variants) or "none"
        raise FormcheckError(f"unknown variant '{variant}' for {name} (choose from: {choices})")
    thresholds = load_thresholds(name, config, strictness, cls.tolerances)
    return cls(thresholds, variant)


def make_judge(exercise: Exercise) -> Judge:
    return Judge(exercise)


WORLD_SCALE_M = 2.0  # the live filter's scale for world landmarks (metres; about a body's size)


def pose_frames(track: Track, smoothed_xy: np.ndarray, smoothed_world: np.ndarray | None = None) -> PoseFrames:
    return PoseFrames(
        track.times_s, smoothed_xy, track.landmarks[:, :, 3], track.width, track.height, world=smoothed_world
    )


def smooth_world(times_s: np.ndarray, world: np.ndarray, smoothing: SmoothingParams, frame_s: float) -> np.ndarray:
    """World landmarks smoothed over time like the pixels (T x 33 x 3, metres)."""
    flat = world.reshape(len(world), -1).astype(np.float64)
    with np.errstate(all="ignore"):
        return smooth_offline(times_s, flat, smoothing, frame_s=frame_s).reshape(world.shape)


def frame_inputs(times: Sequence[float], signals: Signals, exercise: Exercise) -> list[FrameInput]:
    """The judge's per-frame inputs, built from Python lists: a Python loop over lists is several
    times faster than over numpy scalars."""
    n = len(signals.reason)
    lift = signals.lift.tolist() if signals.lift is not None else [math.nan] * n
    cut = signals.cut.tolist() if signals.cut is not None else [False] * n
    side = signals.side_label.tolist() if signals.side_label is not None else [""] * n
    names = [f.name for f in exercise.faults]
    margins = (np.nan_to_num(signals.faults[f], nan=-np.inf).tolist() for f in names)
    faults = list(zip(*margins, strict=True)) or [()] * n
    measures = list(zip(*(signals.features[m].tolist() for m in exercise.rep_measures), strict=True)) or [()] * n
    active = np.nan_to_num(signals.active, nan=-np.inf).tolist() if signals.active is not None else [math.inf] * n
    position = np.nan_to_num(signals.position, nan=-np.inf).tolist()
    value = signals.side_value.tolist() if signals.side_value is not None else [math.nan] * n
    columns = (list(times), signals.reason.tolist(), position, faults, lift, cut, side, measures, active, value)
    return [FrameInput(*row) for row in zip(*columns, strict=True)]


def judge_track(
    track: Track,
    exercise: Exercise,
    smoothing: SmoothingParams = SmoothingParams(),
    streaming: bool = False,
) -> Judgement:
    """Judge a whole track. `streaming=True` smooths as live would (for comparisons)."""
    if streaming:
        from formcheck.pipeline.smoothing import smooth_streaming

        diag = math.hypot(track.width, track.height)
        xy = smooth_streaming(track.times_s, track.pixels().astype(np.float64), smoothing, diag)
        world = smooth_streaming(track.times_s, track.world.astype(np.float64), smoothing, WORLD_SCALE_M)
    else:
        with np.errstate(all="ignore"):
            xy = smooth_offline(track.times_s, track.pixels(), smoothing, exercise.cut_ratios, frame_s=1.0 / track.fps)
        world = smooth_world(track.times_s, track.world, smoothing, 1.0 / track.fps) if exercise.uses_world else None
    pose = pose_frames(track, xy, world if exercise.uses_world else None)
    with np.errstate(all="ignore"):  # degenerate geometry gives NaN, which means "not judged"
        signals = exercise.signals(pose)
    judge = make_judge(exercise)
    frames = frame_inputs(track.times_s.tolist(), signals, exercise)
    states = [judge.step(frame) for frame in frames]
    judge.finish(frames[-1].lift if frames else math.nan)
    return Judgement(exercise, track.times_s, pose, signals, states, judge)


_MISSING_WORLD = np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32)


class OnlineJudgement:
    """The offline (zero-lag) judgement computed while the track is still being extracted.

    Smoothing and features are local: a frame's result depends only on the frames within
    `lookahead` of it. So frames are judged in small windows a fraction of a second behind the
    newest one, with exactly the states `judge_track` gives on the finished track; the annotated
    video can then be drawn in the same pass as extraction instead of a second one.
    """

    CHUNK = 15  # frames judged at a time (one numpy pass per chunk, not per frame)

    def __init__(
        self, exercise: Exercise, width: int, height: int, fps: float, smoothing: SmoothingParams = SmoothingParams()
    ) -> None:
        from formcheck.pipeline.smoothing import lookahead_frames

        self.exercise, self.width, self.height, self.fps = exercise, width, height, fps
        self.smoothing = smoothing
        self.lookahead = lookahead_frames(smoothing, 1.0 / fps)
        self.history = math.ceil(exercise.history_s * fps)  # past frames the signals read
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float32)
        self._xy: list[np.ndarray] = []
        self._vis: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._times: list[float] = []
        self._last_seen: list[int] = []  # per frame, the latest frame at or before it with a person
        self.done = 0
        self._last_lift = math.nan

    def add(self, t_s: float, landmarks: np.ndarray | None, world: np.ndarray | None = None) -> list[JudgedFrame]:
        """Feed the next frame's raw landmarks (and world landmarks, if the exercise reads them);
        returns the frames whose judgement is now final."""
        if self.exercise.uses_world:
            missing = landmarks is None or world is None
            self._world.append(_MISSING_WORLD if missing else np.asarray(world, dtype=np.float32)[:, :3])
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


class StreamingSession:
    """Judge one frame at a time (live): smooth causally, compute signals, step the judge.
    An exercise that reads trailing windows (`history_s`) gets its signals over the recent frames
    kept here; the judge and the returned signals are the newest frame's."""

    def __init__(self, exercise: Exercise, width: int, height: int, smoothing: SmoothingParams = SmoothingParams()):
        self.exercise = exercise
        self.width, self.height = width, height
        self.filter = OneEuroFilter(smoothing, scale=math.hypot(width, height))
        self.world_filter = OneEuroFilter(smoothing, scale=WORLD_SCALE_M)
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float64)
        self._missing = np.full((1, NUM_LANDMARKS, 2), np.nan)
        self._recent: deque[tuple[float, np.ndarray, np.ndarray, np.ndarray | None]] = deque()

    def update(
        self, t_s: float, landmarks: np.ndarray | None, world: np.ndarray | None = None
    ) -> tuple[FrameState, Signals, PoseFrames]:
        """Feed one frame's raw landmarks (33 x 4, or None if nobody was found) and, for an
        exercise that reads them, its world landmarks (33 x 3)."""
        if landmarks is None:
            xy = self._missing
            vis = np.zeros((1, NUM_LANDMARKS))
            self.filter.reset()
        else:
            with np.errstate(all="ignore"):
                xy = self.filter(t_s, landmarks[None, :, :2] * self._scale)
            vis = landmarks[None, :, 3].astype(np.float64)
        pose = PoseFrames(np.array([t_s]), xy, vis, self.width, self.height, world=self._world(t_s, landmarks, world))
        with np.errstate(all="ignore"):
            signals = self._signals(pose)
        state = self.judge.step(frame_inputs([t_s], signals, self.exercise)[0])
        return state, signals, pose

    def _world(self, t_s: float, landmarks: np.ndarray | None, world: np.ndarray | None) -> np.ndarray | None:
        if not self.exercise.uses_world:
            return None
        if landmarks is None or world is None:
            self.world_filter.reset()
            return _MISSING_WORLD[None].astype(np.float64)
        with np.errstate(all="ignore"):
            return self.world_filter(t_s, np.asarray(world, dtype=np.float64)[None, :, :3])

    def _signals(self, pose: PoseFrames) -> Signals:
        """This frame's signals, computed over the recent frames if the exercise reads back."""
        if self.exercise.history_s <= 0:
            return self.exercise.signals(pose)
        t_s = float(pose.times_s[0])
        self._recent.append((t_s, pose.xy[0], pose.visibility[0], None if pose.world is None else pose.world[0]))
        while t_s - self._recent[0][0] > self.exercise.history_s:
            self._recent.popleft()
        times, xy, vis, world = zip(*self._recent, strict=True)
        stacked_world = None if world[0] is None else np.stack(world)
        recent = PoseFrames(np.array(times), np.stack(xy), np.stack(vis), self.width, self.height, world=stacked_world)
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
