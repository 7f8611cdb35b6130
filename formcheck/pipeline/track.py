"""The pose track: one clip's landmarks as arrays, shared by live, offline and notebooks.

Frames where no person was found hold NaN (never zeros, which look like a pose in the corner).
A track saves to a compressed `.npz` without pickles, so re-judging never re-runs the model.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline import trackfile
from formcheck.pipeline.outline import N_POINTS as OUTLINE_POINTS


@dataclass(frozen=True)
class PoseResult:
    """One person's pose in one frame.

    landmarks: 33 x [x, y, z, visibility], x and y normalised to the image width and height.
    world: 33 x [x, y, z] in metres, hip-centred (noisy; the rules use image landmarks).
    """

    landmarks: np.ndarray
    world: np.ndarray
    outline: np.ndarray | None = None  # 2 x 17 edges of the silhouette around the torso (pipeline/outline)
    outline_quality: np.ndarray | None = None  # 2


@dataclass
class Track:
    """landmarks: T x 33 x [x, y, z, visibility] (x, y normalised to width/height);
    world: T x 33 x [x, y, z] metres; timestamps_ms: T; NaN rows where nobody was found.
    outline / outline_quality: the silhouette's edges around the torso (pipeline/outline), T x 2
    x 17 and T x 2, when the track was extracted with them (None otherwise; older tracks)."""

    landmarks: np.ndarray
    world: np.ndarray
    timestamps_ms: np.ndarray
    fps: float
    width: int
    height: int
    meta: dict[str, Any] = field(default_factory=dict)
    outline: np.ndarray | None = None
    outline_quality: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.landmarks = np.asarray(self.landmarks, dtype=np.float32)
        self.world = np.asarray(self.world, dtype=np.float32)
        self.timestamps_ms = np.asarray(self.timestamps_ms, dtype=np.float64)
        n = len(self.timestamps_ms)
        if self.landmarks.shape != (n, NUM_LANDMARKS, 4) or self.world.shape != (n, NUM_LANDMARKS, 3):
            raise ValueError(
                f"track arrays disagree: landmarks {self.landmarks.shape}, world {self.world.shape}, {n} timestamps"
            )
        if (self.outline is None) != (self.outline_quality is None):
            raise ValueError("a track's outline and its quality come together")
        if self.outline is not None:
            self.outline = np.asarray(self.outline, dtype=np.float32)
            self.outline_quality = np.asarray(self.outline_quality, dtype=np.float32)
            if self.outline.shape != (n, 2, OUTLINE_POINTS) or self.outline_quality.shape != (n, 2):
                raise ValueError(f"track outline {self.outline.shape} does not fit {n} frames")

    @property
    def has_outline(self) -> bool:
        return self.outline is not None

    def __len__(self) -> int:
        return len(self.timestamps_ms)

    @property
    def detected(self) -> np.ndarray:
        """Boolean mask of frames with a person."""
        return ~np.isnan(self.landmarks[:, 0, 0])

    @property
    def detection_rate(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    @property
    def times_s(self) -> np.ndarray:
        return self.timestamps_ms / 1000.0

    @property
    def duration_s(self) -> float:
        if not len(self):
            return 0.0
        return float(self.timestamps_ms[-1] - self.timestamps_ms[0]) / 1000.0 + 1.0 / self.fps

    def pose(self, i: int) -> PoseResult | None:
        """Frame i as the pose model gave it (None where nobody was found)."""
        if np.isnan(self.landmarks[i, 0, 0]):
            return None
        if self.outline is None or self.outline_quality is None:
            return PoseResult(self.landmarks[i], self.world[i])
        return PoseResult(self.landmarks[i], self.world[i], self.outline[i], self.outline_quality[i])

    def pixels(self) -> np.ndarray:
        """T x 33 x 2 landmark positions in pixels (angles must be measured in pixels)."""
        return self.landmarks[:, :, :2] * np.array([self.width, self.height], dtype=np.float32)

    def slice(self, start: int, stop: int) -> Track:
        outline = None if self.outline is None else self.outline[start:stop]
        quality = None if self.outline_quality is None else self.outline_quality[start:stop]
        return Track(
            self.landmarks[start:stop],
            self.world[start:stop],
            self.timestamps_ms[start:stop],
            self.fps,
            self.width,
            self.height,
            dict(self.meta),
            outline,
            quality,
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write atomically as compressed npz (no object arrays, so it loads without pickle)."""
        arrays = {
            "format": np.int64(trackfile.FORMAT),
            "landmarks": self.landmarks,
            "world": self.world,
            "timestamps_ms": self.timestamps_ms,
            "fps": np.float64(self.fps),
            "size": np.array([self.width, self.height], dtype=np.int64),
            "meta": np.frombuffer(json.dumps(self.meta, sort_keys=True).encode(), dtype=np.uint8),
        }
        if self.outline is not None and self.outline_quality is not None:
            arrays["outline"], arrays["outline_quality"] = self.outline, self.outline_quality
        return trackfile.write(path, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Track:
        """Read a saved track; every field is checked, and a bad file is one FormcheckError line."""
        path = Path(path)
        if not path.is_file():
            raise FormcheckError(f"{path}: no such track file")
        return cls(**trackfile.read(path))


class TrackBuilder:
    """Collects per-frame results into a Track; also what a live session keeps."""

    def __init__(self, fps: float, width: int, height: int, meta: dict[str, Any] | None = None) -> None:
        self.fps, self.width, self.height = fps, width, height
        self.meta = dict(meta or {})
        self._landmarks: list[np.ndarray] = []
        self._world: list[np.ndarray] = []
        self._timestamps: list[float] = []
        self._outline: list[np.ndarray] = []  # only when every frame came with one (or none was found)
        self._outline_quality: list[np.ndarray] = []
        self.outlined = True  # every frame with a person brought an outline

    _MISSING_OUTLINE = np.full((2, OUTLINE_POINTS), np.nan, dtype=np.float32)
    _NO_QUALITY = np.zeros(2, dtype=np.float32)
    _MISSING_LM = np.full((NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    _MISSING_WORLD = np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32)

    def add(
        self,
        timestamp_ms: float,
        landmarks: np.ndarray | None,
        world: np.ndarray | None,
        outline: np.ndarray | None = None,
        outline_quality: np.ndarray | None = None,
    ) -> None:
        self._timestamps.append(timestamp_ms)
        self._landmarks.append(self._MISSING_LM if landmarks is None else landmarks)
        self._world.append(self._MISSING_WORLD if world is None else world)
        if landmarks is not None and outline is None:
            self.outlined = False
        self._outline.append(self._MISSING_OUTLINE if outline is None else outline)
        self._outline_quality.append(self._NO_QUALITY if outline_quality is None else outline_quality)

    def __len__(self) -> int:
        return len(self._timestamps)

    def build(self) -> Track:
        n = len(self._timestamps)
        return Track(
            landmarks=np.stack(self._landmarks) if n else np.zeros((0, NUM_LANDMARKS, 4)),
            world=np.stack(self._world) if n else np.zeros((0, NUM_LANDMARKS, 3)),
            timestamps_ms=np.array(self._timestamps, dtype=np.float64),
            fps=self.fps,
            width=self.width,
            height=self.height,
            meta=dict(self.meta),
            outline=np.stack(self._outline) if n and self.outlined else None,
            outline_quality=np.stack(self._outline_quality) if n and self.outlined else None,
        )
