"""Run an exercise's rules over pose data. Offline (a whole track, here), online (the same
judgement a fraction of a second behind the model: judging/online) and live (frame by frame:
judging/streaming) all call the same `Exercise.signals` and `Judge.step`; they differ only in
smoothing (zero-lag over the track, the causal One-Euro filter live).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from formcheck.config import load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises import exercise_class
from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.judging.judge import Judge
from formcheck.judging.judgement import Judgement
from formcheck.judging.records import FrameInput
from formcheck.pipeline.smoothing import SmoothingParams, smooth_gaps, smooth_offline
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


def with_outline(
    pose: PoseFrames, exercise: Exercise, outline: np.ndarray | None, quality: np.ndarray | None, fps: float
) -> PoseFrames:
    """The pose with the silhouette's outline (smoothed over time like the landmarks), for an
    exercise that reads the back."""
    if exercise.back is None or outline is None or quality is None:
        return pose
    pose.outline = smooth_gaps(outline, 1.0 / fps, ~np.isnan(pose.xy[:, 0, 0]))
    pose.outline_quality = quality
    return pose


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
    pose = with_outline(
        pose_frames(track, xy, world if exercise.uses_world else None),
        exercise,
        track.outline,
        track.outline_quality,
        track.fps,
    )
    with np.errstate(all="ignore"):  # degenerate geometry gives NaN, which means "not judged"
        signals = exercise.signals(pose)
    judge = make_judge(exercise)
    frames = frame_inputs(track.times_s.tolist(), signals, exercise)
    states = [judge.step(frame) for frame in frames]
    judge.finish(frames[-1].lift if frames else math.nan)
    return Judgement(exercise, track.times_s, pose, signals, states, judge)
