"""Run an exercise's rules over pose data: a whole track offline, or frame by frame live.

Both paths call the same `Exercise.signals` and `Judge.step`; they differ only in smoothing
(zero-lag over the whole track offline, the causal One-Euro filter live).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from formcheck.config import load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises import exercise_class
from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.judging.judge import FrameState, Judge
from formcheck.judging.judgement import JudgedFrame, Judgement
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


def pose_frames(track: Track, smoothed_xy: np.ndarray) -> PoseFrames:
    return PoseFrames(track.times_s, smoothed_xy, track.landmarks[:, :, 3], track.width, track.height)


def _signal_rows(signals: Signals, fault_names: list[str]) -> tuple[list, ...]:
    """Per-frame Python lists: a Python loop over lists is several times faster than numpy scalars."""
    n = len(signals.reason)
    nan = [math.nan] * n
    lift = signals.lift.tolist() if signals.lift is not None else nan
    cut = signals.cut.tolist() if signals.cut is not None else [False] * n
    side = signals.side_label.tolist() if signals.side_label is not None else [""] * n
    faults = list(zip(*(np.nan_to_num(signals.faults[f], nan=-np.inf).tolist() for f in fault_names), strict=True))
    if not faults:
        faults = [()] * n
    position = np.nan_to_num(signals.position, nan=-np.inf).tolist()
    return signals.reason.tolist(), position, faults, lift, cut, side


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
    else:
        with np.errstate(all="ignore"):
            xy = smooth_offline(track.times_s, track.pixels(), smoothing, exercise.cut_ratios, frame_s=1.0 / track.fps)
    pose = pose_frames(track, xy)
    with np.errstate(all="ignore"):  # degenerate geometry gives NaN, which means "not judged"
        signals = exercise.signals(pose)
    judge = make_judge(exercise)
    reason, position, faults, lift, cut, side = _signal_rows(signals, judge.fault_names)
    times = track.times_s.tolist()
    step = judge.step
    states = [step(times[i], reason[i], position[i], faults[i], lift[i], cut[i], side[i]) for i in range(len(times))]
    judge.finish(lift[-1] if lift else math.nan)
    return Judgement(exercise, track.times_s, pose, signals, states, judge)


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
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float32)
        self._xy: list[np.ndarray] = []
        self._vis: list[np.ndarray] = []
        self._times: list[float] = []
        self._last_seen: list[int] = []  # per frame, the latest frame at or before it with a person
        self.done = 0
        self._last_lift = math.nan

    @property
    def max_pending(self) -> int:
        """The most frames fed whose judgement is not final yet (what a caller holds meanwhile)."""
        return 2 * self.lookahead + self.CHUNK

    def add(self, t_s: float, landmarks: np.ndarray | None) -> list[JudgedFrame]:
        """Feed the next frame's raw landmarks; returns the frames whose judgement is now final."""
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
        margin = 2 * self.lookahead + 1
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
            pose = PoseFrames(times, xy, np.stack([self._vis[i] for i in rows]), self.width, self.height)
            signals = self.exercise.signals(pose)
        reason, position, faults, lift, cut, side = _signal_rows(signals, self.judge.fault_names)
        out = []
        first = len(rows) - (len(self._xy) - self.done)  # where frame `done` sits in the window
        for i in range(self.done, stop):
            k = first + i - self.done
            state = self.judge.step(times[k], reason[k], position[k], faults[k], lift[k], cut[k], side[k])
            features = {name: float(values[k]) for name, values in signals.features.items()}
            out.append(JudgedFrame(i, xy[k], pose.visibility[k], bool(signals.near_left[k]), state, features))
            self._last_lift = lift[k]
        self.done = stop
        return out


class StreamingSession:
    """Judge one frame at a time (live): smooth causally, compute signals, step the judge."""

    def __init__(self, exercise: Exercise, width: int, height: int, smoothing: SmoothingParams = SmoothingParams()):
        self.exercise = exercise
        self.width, self.height = width, height
        self.filter = OneEuroFilter(smoothing, scale=math.hypot(width, height))
        self.judge = make_judge(exercise)
        self._scale = np.array([width, height], dtype=np.float64)
        self._missing = np.full((1, NUM_LANDMARKS, 2), np.nan)

    def update(self, t_s: float, landmarks: np.ndarray | None) -> tuple[FrameState, Signals, PoseFrames]:
        """Feed one frame's raw landmarks (33 x 4, or None if nobody was found)."""
        if landmarks is None:
            xy = self._missing
            vis = np.zeros((1, NUM_LANDMARKS))
            self.filter.reset()
        else:
            with np.errstate(all="ignore"):
                xy = self.filter(t_s, landmarks[None, :, :2] * self._scale)
            vis = landmarks[None, :, 3].astype(np.float64)
        pose = PoseFrames(np.array([t_s]), xy, vis, self.width, self.height)
        with np.errstate(all="ignore"):
            signals = self.exercise.signals(pose)
        names = self.judge.fault_names
        reason, position, faults, lift, cut, side = (col[0] for col in _signal_rows(signals, names))
        state = self.judge.step(t_s, reason, position, faults, lift, cut, side)
        return state, signals, pose
