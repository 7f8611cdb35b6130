"""Judging a track whose silhouette outline has a given back curve (pipeline/outline, exercises/back).

The tests give each frame a curve of the back in image terms, as seen in the video (+ bowed towards
the top of the image); a prone back bowed up is rounded, a supine one bowed up is hollow (lifted off
the floor). These helpers turn that into the outline the pose stage would have stored."""

from __future__ import annotations

import numpy as np

from formcheck.exercises.base import Exercise
from formcheck.judging import session
from formcheck.judging.judgement import Judgement
from formcheck.lab.synthetic import back_outline
from formcheck.pipeline.track import Track


def bowed(curves, start: int = 0) -> np.ndarray:
    """Per frame, the back's bow towards the top of the image (torso lengths). `start` is kept for
    the callers' intent (3: the lower back only): the synthetic outline bows the lower back."""
    return np.asarray(curves, dtype=np.float64).reshape(-1)


def judge_with_back(track: Track, exercise: Exercise, back: np.ndarray | None) -> Judgement:
    """judge_track, the track given an outline bowed by `back` (per frame; None: no outline)."""
    if back is None:
        return session.judge_track(track, exercise)
    prone = exercise.back == "up"
    anatomical = back if prone else -back  # a supine back bowed up is hollow
    edges, quality = back_outline(anatomical, len(track), prone)
    outlined = Track(
        track.landmarks,
        track.world,
        track.timestamps_ms,
        track.fps,
        track.width,
        track.height,
        dict(track.meta),
        edges,
        quality,
    )
    return session.judge_track(outlined, exercise)
