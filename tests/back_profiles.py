"""Judging a track with a back profile (PoseFrames.back) beside its landmarks.

No pose stage measures the back yet (FORM_RULES, "The back's own shape"), so a track carries none:
these helpers hand the judge hand-built profiles, the way a pose stage would."""

from __future__ import annotations

from unittest import mock

import numpy as np

from formcheck.exercises.base import BACK_POINTS, Exercise
from formcheck.judging import session
from formcheck.judging.judgement import Judgement
from formcheck.pipeline.track import Track


def bowed(curves, start: int = 0) -> np.ndarray:
    """T x BACK_POINTS profiles bowed by each curve at their middle (+ towards the top of the image),
    zero at both ends; only the samples from `start` on (3: the lower back)."""
    shape = np.sin(np.pi * np.arange(BACK_POINTS) / (BACK_POINTS - 1)) * (np.arange(BACK_POINTS) >= start)
    return np.array([c * shape for c in curves], dtype=np.float64).reshape(-1, BACK_POINTS)


def judge_with_back(track: Track, exercise: Exercise, back: np.ndarray | None) -> Judgement:
    """judge_track, with `back` (T x BACK_POINTS, or None: no profile) as the pose's back profile."""
    if back is None:
        return session.judge_track(track, exercise)
    real = session.pose_frames

    def pose_frames(track: Track, smoothed_xy: np.ndarray):  # type: ignore[no-untyped-def]
        pose = real(track, smoothed_xy)
        pose.back = np.asarray(back, dtype=np.float64)
        return pose

    with mock.patch.object(session, "pose_frames", pose_frames):
        return session.judge_track(track, exercise)
