"""Per-frame features for recognising the exercise: the body's shape (segment directions, joint
angles, where the limbs are against the trunk; mirrored so facing left or right looks the same) and,
for every registered exercise, whether its own position test passes. Computed on a few frames a
second (`STEP_S`): recognition must cost little next to judging the track."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from formcheck.exercises import EXERCISES
from formcheck.exercises.base import JUDGEABLE, Exercise, PoseFrames
from formcheck.judging.session import make_exercise
from formcheck.landmarks import Landmark as L
from formcheck.pipeline.smoothing import smooth_gaps
from formcheck.pipeline.track import Track
from formcheck.recognition.shapes import supine_tests

STEP_S = 0.4  # recognise at 2.5 frames a second: sets last seconds, and the cost stays small
WINDOW_S = 2.0  # movement is read over this window (a rep or a limb reaching)

_PAIRS = {
    "shoulder": (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    "elbow": (L.LEFT_ELBOW, L.RIGHT_ELBOW),
    "wrist": (L.LEFT_WRIST, L.RIGHT_WRIST),
    "hip": (L.LEFT_HIP, L.RIGHT_HIP),
    "knee": (L.LEFT_KNEE, L.RIGHT_KNEE),
    "ankle": (L.LEFT_ANKLE, L.RIGHT_ANKLE),
}
_SEGMENTS = (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"), ("shoulder", "hip"))


def sample_frames(track: Track) -> np.ndarray:
    """Indices of the frames recognition reads: about one per STEP_S."""
    if len(track) == 0:
        return np.zeros(0, dtype=np.intp)
    step = max(1, round(STEP_S * track.fps))
    return np.arange(0, len(track), step, dtype=np.intp)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def shape_features(xy: np.ndarray) -> np.ndarray:
    """N x 33 x 2 pixels (y down) -> N x F body-shape features (NaN where nobody is seen)."""
    joint = {name: xy[:, list(ids)] for name, ids in _PAIRS.items()}  # N x 2 sides x 2
    mid = {name: p.mean(axis=1) for name, p in joint.items()}
    torso = np.linalg.norm(mid["hip"] - mid["shoulder"], axis=1)[:, None]
    # Mirror so the hips are to the right of the shoulders: facing either way reads the same.
    flip = np.where(mid["hip"][:, 0] >= mid["shoulder"][:, 0], 1.0, -1.0)[:, None]
    cols = []
    for a, b in _SEGMENTS:
        d = _unit(joint[b] - joint[a])  # N x 2 x 2
        d[..., 0] *= flip
        cols += [d[..., 0].mean(axis=1), d[..., 1].mean(axis=1)]
        cos = np.clip((d[:, 0] * d[:, 1]).sum(axis=1), -1, 1)
        cols.append(np.arccos(cos) / np.pi)  # how differently the two sides point (one limb reaching)
    for name in ("elbow", "wrist", "knee", "ankle", "hip"):
        rel = (mid[name] - mid["shoulder"]) / torso
        cols += [rel[:, 0] * flip[:, 0], rel[:, 1]]
    nose = (xy[:, L.NOSE] - mid["shoulder"]) / torso
    cols += [nose[:, 0] * flip[:, 0], nose[:, 1]]
    widths = [np.linalg.norm(joint[n][:, 0] - joint[n][:, 1], axis=1) / torso[:, 0] for n in ("shoulder", "hip")]
    cols += widths
    filled = np.where(np.isnan(xy), np.nanmean(xy, axis=1, keepdims=True), xy)  # a hidden joint spans nothing
    span = filled.max(axis=1) - filled.min(axis=1)
    cols.append(np.log(span[:, 1] / span[:, 0]))  # tall (standing, seated) or long (lying, plank)
    return np.stack(cols, axis=1)


def _movement(values: np.ndarray) -> np.ndarray:
    """Per sample, each column's spread (max - min) over the WINDOW_S around it (samples are
    STEP_S apart); NaN where nothing was seen."""
    half = max(1, round(WINDOW_S / 2 / STEP_S))
    if not len(values):
        return values.copy()
    pad = np.full((half, values.shape[1]), np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(np.concatenate([pad, values, pad]), 2 * half + 1, axis=0)
    return np.nanmax(windows, axis=2) - np.nanmin(windows, axis=2)


def exercises_for_recognition() -> dict[str, Exercise]:
    return {name: make_exercise(name) for name in EXERCISES}


class _SharedPose(PoseFrames):
    """The sampled frames' pose, read by every exercise in turn and never changed: what does not
    depend on the exercise (the scene cuts, the back's curves) is computed once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple, Any] = {}

    def _once(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def scene_cuts(self, body_ratio: float, limb_ratio: float) -> np.ndarray:
        return self._once(
            ("cuts", body_ratio, limb_ratio), lambda: super(_SharedPose, self).scene_cuts(body_ratio, limb_ratio)
        )

    def back_curves(self, prone: bool) -> dict[str, np.ndarray]:
        return self._once(("back", prone), lambda: super(_SharedPose, self).back_curves(prone))


def position_tests(track: Track, frames: np.ndarray, exercises: dict[str, Exercise]) -> np.ndarray:
    """N x E: 1 where exercise e's own rules say the body is in its position (judgeable view and
    visibility) and, lying on the back, its shape fits (`shapes.supine_tests`), else 0. On the raw
    landmarks of the sampled frames (no smoothing: a set lasts seconds)."""
    sub = Track(
        track.landmarks[frames], track.world[frames], track.timestamps_ms[frames], track.fps, track.width, track.height
    )
    xy = sub.pixels().astype(np.float64)
    pose = _SharedPose(
        sub.times_s, xy, sub.landmarks[:, :, 3], sub.width, sub.height, world=sub.world.astype(np.float64)
    )
    if track.outline is not None and track.outline_quality is not None:
        # smoothed once, for the exercises that read the back
        pose.outline = smooth_gaps(track.outline[frames], 1.0 / track.fps, ~np.isnan(xy[:, 0, 0]))
        pose.outline_quality = track.outline_quality[frames]
    out = np.zeros((len(frames), len(exercises)))
    with np.errstate(all="ignore"):
        for j, exercise in enumerate(exercises.values()):
            signals = exercise.signals(pose)
            out[:, j] = (signals.reason == JUDGEABLE) & (signals.position > 0)
        for name, fits in supine_tests(xy).items():
            if name in exercises:
                out[:, list(exercises).index(name)] *= fits
    return out


# Which shape features' movement over the window is read: the limbs' directions and the hips' height.
_MOVING = (0, 1, 3, 4, 6, 7, 9, 10, 22)


def frame_features(track: Track, exercises: dict[str, Exercise]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sampled frame indices, N x F features, N x E position tests) for a track."""
    frames = sample_frames(track)
    xy = track.pixels()[frames].astype(np.float64)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames with nobody: NaN rows, as meant
        shape = shape_features(xy)
        moving = _movement(shape[:, _MOVING])
    tests = position_tests(track, frames, exercises)
    return frames, np.concatenate([shape, moving], axis=1), tests
