"""Turn a frame source into a pose track: the expensive step, done once and cached."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck import __version__
from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.models import DEFAULT_MODEL, ModelFile, resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import Frame, FrameSource, VideoInfo, open_source, prefetch
from formcheck.pipeline.track import Track, TrackBuilder
from formcheck.progress import progress_bar


@dataclass
class ExtractStats:
    frames: int
    detected: int
    seconds: float
    interrupted: bool = False  # stopped by Ctrl-C
    ended_early: bool = False  # the file ended before the frames its header promised (truncated)

    @property
    def ms_per_frame(self) -> float:
        return 1000.0 * self.seconds / self.frames if self.frames else 0.0

    @property
    def detection_rate(self) -> float:
        return self.detected / self.frames if self.frames else 0.0


def track_builder_for(info: VideoInfo, estimator: PoseEstimator) -> TrackBuilder:
    """An empty track for this stream, labelled with the model that fills it."""
    return TrackBuilder(
        info.fps,
        info.width,
        info.height,
        meta={
            "source": info.name,
            "model": estimator.model.name,
            "model_sha256": estimator.model.sha256,
            "formcheck_version": __version__,
        },
    )


def extract_track(
    source: FrameSource,
    estimator: PoseEstimator,
    show_progress: bool = False,
    on_frame: Callable[[Frame], None] | None = None,
) -> tuple[Track, ExtractStats]:
    """Run the pose model on every frame. Ctrl-C stops early and keeps what was extracted."""
    info = source.info
    builder = track_builder_for(info, estimator)
    detected = 0
    interrupted = False
    start = time.perf_counter()
    with progress_bar(total=info.frame_count, desc=f"extract {info.name}", unit="frame", enabled=show_progress) as bar:
        try:
            for frame in prefetch(source):
                pose = estimator.detect(frame.image, frame.timestamp_ms)
                builder.add(
                    frame.timestamp_ms, None if pose is None else pose.landmarks, None if pose is None else pose.world
                )
                detected += pose is not None
                if on_frame is not None:
                    on_frame(frame)
                bar.update(1)
        except KeyboardInterrupt:
            interrupted = True
    ended_early = bool(getattr(source, "ended_early", False))
    track = builder.build()
    track.meta["partial"] = interrupted or ended_early
    stats = ExtractStats(len(track), detected, time.perf_counter() - start, interrupted, ended_early)
    return track, stats


def track_for_video(
    video: str | Path,
    model: str | ModelFile = DEFAULT_MODEL,
    cache: TrackCache | None = None,
    show_progress: bool = False,
) -> tuple[Track, ExtractStats | None]:
    """The cached track of a video, or extract (and cache) it. Stats are None on a cache hit."""
    model_file = model if isinstance(model, ModelFile) else resolve_model(model)
    cache = cache if cache is not None else TrackCache()
    cached = cache.find(video, model_file)
    if cached is not None:
        return cached, None
    with open_source(video) as source, PoseEstimator(model_file) as estimator:
        track, stats = extract_track(source, estimator, show_progress=show_progress)
    cache.store(video, model_file, track)
    return track, stats
