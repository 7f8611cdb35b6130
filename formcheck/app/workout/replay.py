"""Landmarks already extracted from a clip, handed out as the pose model would.

`formcheck workout --fast` with clips as the camera (tests, trying a plan on recordings) reads
each clip's landmarks from the track cache when `extract`, `analyze` or `evaluate` already ran the
model on it, so a replay costs decoding and judging only; a clip not cached runs the model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.models import ModelFile, resolve_model
from formcheck.pipeline.track import PoseResult, Track


def track_poses(track: Track) -> Iterator[tuple[float, PoseResult | None]]:
    """(time in s, pose) for every frame of a track."""
    for i, ms in enumerate(track.timestamps_ms):
        yield float(ms) / 1000.0, track.pose(i)


class ReplayEstimator:
    """Duck-types PoseEstimator.detect for one clip from its cached track."""

    def __init__(self, track: Track, model: ModelFile) -> None:
        self.track = track
        self.model = model  # named in the reports as the estimator's model is

    @classmethod
    def from_cache(cls, clip: Path, model: str, outline: bool) -> ReplayEstimator | None:
        model_file = resolve_model(model)
        track = TrackCache().find(clip, model_file, outline)
        if track is None:
            return None
        return cls(track, model_file)

    def detect(self, frame_bgr: np.ndarray, timestamp_ms: float) -> PoseResult | None:
        times = self.track.timestamps_ms
        i = int(np.clip(np.searchsorted(times, timestamp_ms - 0.5), 0, len(times) - 1))
        return self.track.pose(i)

    def infer(self, frame_bgr: np.ndarray, timestamp_ms: float, prepared: object = None) -> PoseResult | None:
        """The frame flow calls the model in two halves (pipeline/pose.py): here the first has the answer."""
        return self.detect(frame_bgr, timestamp_ms)

    @staticmethod
    def finish(inferred: PoseResult | None) -> PoseResult | None:
        return inferred

    def close(self) -> None:
        pass

    def __enter__(self) -> ReplayEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
