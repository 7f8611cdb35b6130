"""What a live run produces: its per-session reports, figures, and where they are written."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from formcheck.judging.records import FrameState
from formcheck.pipeline.capture import GrabbedFrame

DEFAULT_OUT = Path("formcheck-live")
PARTIAL_ENDINGS = ("interrupted", "camera_lost", "source_error")


@dataclass
class SavedReport:
    path: Path
    report: dict


@dataclass
class FrameInfo:
    """What `on_frame` receives for every frame the loop handled."""

    grabbed: GrabbedFrame
    phase: str  # "position", "countdown", "judging" or "paused"
    state: FrameState | None  # the judge's state (None while paused)
    image: np.ndarray  # the image as displayed (mirrored for a camera), overlay drawn
    latency_ms: float  # from the grabber receiving the frame to the overlay being ready
    wait_ms: float  # ... of which the frame waited for the loop (the previous frame's model call)
    session_t: float | None  # the judge's clock (None before judging starts)


@dataclass
class LiveResult:
    reports: list[SavedReport] = field(default_factory=list)
    # quit, window_closed, end_of_source, camera_lost, source_error, interrupted or max_seconds
    ended_by: str = ""
    frames: int = 0  # frames run through the pose model
    received: int = 0  # frames the grabber delivered
    dropped: int = 0  # frames dropped because a newer one was already there
    wall_s: float = 0.0
    latency_ms: list[float] = field(default_factory=list)
    screenshot: Path | None = None
    error: str | None = None
    ended_early: bool = False  # a file source ended before the frames its header promised
    notes: list[str] = field(default_factory=list)  # one line each: a report saved elsewhere
    combined: Path | None = None  # --exercise auto: the run's report.json over its sets

    @property
    def partial(self) -> bool:
        return self.ended_by in PARTIAL_ENDINGS

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def report(self) -> dict | None:
        return self.reports[-1].report if self.reports else None

    def latency_stats(self) -> tuple[float, float]:
        """Mean and 95th percentile frame-to-feedback latency in ms."""
        if not self.latency_ms:
            return math.nan, math.nan
        arr = np.asarray(self.latency_ms)
        return float(arr.mean()), float(np.percentile(arr, 95))


def default_out_dir(exercise: str, started: datetime | None = None, base: Path = DEFAULT_OUT) -> Path:
    """formcheck-live/<exercise>-<start time>/ (a suffix if that exists already)."""
    stamp = (started or datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = base / f"{exercise}-{stamp}"
    k = 2
    while path.exists():
        path = base / f"{exercise}-{stamp}-{k}"
        k += 1
    return path
