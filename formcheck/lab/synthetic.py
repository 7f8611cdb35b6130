"""Hand-built landmark tracks for tests and notebooks.

Each exercise poses its own body (`Exercise.synthetic`: a pose builder, a good pose, the changes
that show each fault, the wrong view); this module turns such frames into a Track the rules judge
like a real one, and strings poses into holds and reps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from formcheck.exercises import exercise_class
from formcheck.exercises.base import Synthetic
from formcheck.exercises.posing import HEIGHT, WIDTH, world_landmarks
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline.outline import N_POINTS as OUTLINE_POINTS
from formcheck.pipeline.track import Track


def synthetic_of(exercise: str) -> Synthetic:
    spec = exercise_class(exercise).synthetic
    if spec is None:
        raise ValueError(f"{exercise} has no synthetic pose builder")
    return spec


def posed(exercise: str, **changes: Any) -> np.ndarray:
    """One frame of the exercise's good pose with some arguments changed."""
    spec = synthetic_of(exercise)
    return spec.pose(**{**spec.good, **changes})


def back_outline(curve: float | np.ndarray, frames: int, prone: bool) -> tuple[np.ndarray, np.ndarray]:
    """A clean silhouette outline (T x 2 x 17, T x 2 qualities of 1) whose back bows `curve` torso
    lengths at about 70% of the way to the hip (anatomical: + rounded, - hollow; per frame or one
    value), for judging faults of the back's shape without a mask."""
    t = np.linspace(0.0, 1.0, OUTLINE_POINTS)
    bump = np.exp(-(((t - 0.7) / 0.12) ** 2))
    outwards = np.broadcast_to(np.asarray(curve, dtype=np.float64), (frames,))[:, None] * bump[None, :]
    outline = np.empty((frames, 2, OUTLINE_POINTS), dtype=np.float32)
    outline[:, 0] = 0.2 + (outwards if prone else 0.0)  # the upper edge: the back when prone
    outline[:, 1] = -0.25 - (0.0 if prone else outwards)  # the lower edge: the back when supine
    return outline, np.ones((frames, 2), dtype=np.float32)


def make_track(
    frames: list[np.ndarray | None],
    fps: float = 30.0,
    jitter_px: float = 0.0,
    seed: int = 0,
    outline: tuple[np.ndarray, np.ndarray] | None = None,
) -> Track:
    """A Track from per-frame landmarks (None = nobody found), with optional pixel jitter and an
    optional silhouette outline (see back_outline). Its world landmarks are the ones each frame
    implies (posing.world_landmarks: seen orthographically, depth from the z column), for the
    exercises that read them."""
    rng = np.random.default_rng(seed)
    landmarks = np.full((len(frames), NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    for i, frame in enumerate(frames):
        if frame is not None:
            landmarks[i] = frame
    if jitter_px:
        noise = rng.normal(0.0, jitter_px, size=(len(frames), NUM_LANDMARKS, 2))
        landmarks[:, :, 0] += (noise[:, :, 0] / WIDTH).astype(np.float32)
        landmarks[:, :, 1] += (noise[:, :, 1] / HEIGHT).astype(np.float32)
    world = np.full((len(frames), NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
    for i, frame in enumerate(frames):
        if frame is not None:
            world[i] = world_landmarks(landmarks[i])
    times = np.arange(len(frames)) * 1000.0 / fps
    edges, quality = outline if outline is not None else (None, None)
    return Track(landmarks, world, times, fps, WIDTH, HEIGHT, {"source": "synthetic"}, edges, quality)


def hold(pose: np.ndarray, seconds: float, fps: float = 30.0) -> list[np.ndarray | None]:
    return [pose] * round(seconds * fps)


def ramp(spec: Synthetic, start: Mapping[str, Any], end: Mapping[str, Any], frames: int) -> list[np.ndarray]:
    """Poses moving evenly from `start` to `end` (numeric arguments interpolated)."""
    keys = set(start) | set(end)
    a = {k: start.get(k, end.get(k)) for k in keys}
    b = {k: end.get(k, start.get(k)) for k in keys}

    def at(f: float) -> dict[str, Any]:
        return {k: a[k] + (b[k] - a[k]) * f if isinstance(a[k], int | float) else b[k] for k in keys}

    return [spec.pose(**at(f)) for f in np.linspace(0.0, 1.0, frames)]


def reps(exercise: str, n: int, fps: float = 30.0, **top_changes: Any) -> list[np.ndarray | None]:
    """n reps from the rest pose to the top (the good pose with `top_changes`) and back: 0.33 s each
    way, 1.5 s at the top, 1 s at rest."""
    spec = synthetic_of(exercise)
    rest = {**spec.good, **spec.rest}
    top = {**spec.good, **top_changes}
    up = ramp(spec, rest, top, round(fps / 3))
    frames: list[np.ndarray | None] = hold(up[0], 1.0, fps)
    for _ in range(n):
        frames += up + hold(up[-1], 1.5, fps) + up[::-1] + hold(up[0], 1.0, fps)
    return frames
