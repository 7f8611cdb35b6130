"""Turn a frame source into a pose track: the expensive step, done once and cached."""

from __future__ import annotations

from pathlib import Path

from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.flow import FlowResult, run_flow
from formcheck.pipeline.models import DEFAULT_MODEL, ModelFile, resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import FrameSource, open_source
from formcheck.pipeline.track import Track
from formcheck.progress import progress_bar


def extract_track(
    source: FrameSource, estimator: PoseEstimator, show_progress: bool = False
) -> tuple[Track, FlowResult]:
    """Run the pose model on every frame. Ctrl-C stops early and keeps what was extracted."""
    info = source.info
    with progress_bar(total=info.frame_count, desc=f"extract {info.name}", unit="frame", enabled=show_progress) as bar:
        flow = run_flow(source, estimator, on_frame=lambda _frame: bar.update(1))
    return flow.track, flow


def track_for_video(
    video: str | Path,
    model: str | ModelFile = DEFAULT_MODEL,
    cache: TrackCache | None = None,
    show_progress: bool = False,
    outline: bool = False,
) -> tuple[Track, FlowResult | None]:
    """The cached track of a video, or extract (and cache) it; `outline` for exercises that read
    the back's shape (a cached track without one is extracted again). Stats are None on a hit.
    A stop request (Ctrl-C) raises KeyboardInterrupt: the caller wants the whole clip."""
    model_file = model if isinstance(model, ModelFile) else resolve_model(model)
    cache = cache if cache is not None else TrackCache()
    cached = cache.find(video, model_file, outline)
    if cached is not None:
        return cached, None
    with open_source(video) as source, PoseEstimator(model_file, outline=outline) as estimator:
        track, stats = extract_track(source, estimator, show_progress=show_progress)
    if stats.interrupted:
        raise KeyboardInterrupt
    cache.store(video, model_file, track)
    return track, stats
