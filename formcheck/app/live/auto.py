"""`formcheck live --exercise auto`: the exercise recognised as the person goes. The poses of the
last WINDOW_S are kept; every CHECK_S they are recognised (formcheck.recognition), and once an
exercise other than the one judged has lasted SWITCH_AFTER_S at the end of the window, the session
is saved and a new one judges the recognised exercise (the display names it). As `analyze
--exercise auto` does, each set is saved in its own folder (`01-plank/report.json`) and the run's
folder gets the combined report.json (every set, totals) and the sets' timeline.png."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.app.auto import combined_report
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.outputs.report import write_json
from formcheck.pipeline.outline import N_POINTS
from formcheck.pipeline.track import PoseResult, Track
from formcheck.recognition.recognise import recognise

WINDOW_S = 8.0
CHECK_S = 1.0
SWITCH_AFTER_S = 3.0


class ExerciseWatcher:
    """Feed it every pose; `add` returns the exercise to switch to and since when, if there is one."""

    def __init__(self, fps: float, width: int, height: int) -> None:
        self.fps, self.width, self.height = fps or 30.0, width, height
        self.poses: deque[tuple[float, PoseResult | None]] = deque()
        self.last_check: float | None = None

    def add(self, t_s: float, pose: PoseResult | None, current: str) -> tuple[str, float] | None:
        self.poses.append((t_s, pose))
        while self.poses and self.poses[0][0] < t_s - WINDOW_S:
            self.poses.popleft()
        if self.last_check is not None and t_s - self.last_check < CHECK_S:
            return None
        self.last_check = t_s
        sets = recognise(self.track()).sets()
        if not sets:
            return None
        last = sets[-1]
        if last.exercise != current and last.end_s >= t_s - 1.0 and last.duration_s >= SWITCH_AFTER_S:
            return last.exercise, last.start_s
        return None

    def track(self) -> Track:
        n = len(self.poses)
        landmarks = np.full((n, NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
        world = np.full((n, NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
        outline = np.full((n, 2, N_POINTS), np.nan, dtype=np.float32)
        quality = np.zeros((n, 2), dtype=np.float32)
        for i, (_, pose) in enumerate(self.poses):
            if pose is None:
                continue
            landmarks[i], world[i] = pose.landmarks, pose.world
            if pose.outline is not None and pose.outline_quality is not None:
                outline[i], quality[i] = pose.outline, pose.outline_quality
        stamps = np.array([1000.0 * t for t, _ in self.poses])
        return Track(landmarks, world, stamps, self.fps, self.width, self.height, {}, outline, quality)


class AutoJudging:
    """The flow's judging stage in auto mode: the live phases, switched as the watcher says."""

    def __init__(
        self,
        phases_of: Callable[[], Any],
        current: Callable[[], str],
        switch: Callable[[str], None],
        watcher: ExerciseWatcher,
    ) -> None:
        self.phases_of, self.current, self.switch, self.watcher = phases_of, current, switch, watcher

    def add(self, t_s: float, pose: PoseResult | None) -> Sequence[Any]:
        found = self.watcher.add(t_s, pose, self.current())
        if found is not None:
            name, since_s = found
            self.switch(name)
            # The set began a few seconds ago: its frames so far are judged now (not shown again).
            phases = self.phases_of()
            for t, earlier in list(self.watcher.poses)[:-1]:
                if t >= since_s:
                    phases.add(t, earlier)
        return self.phases_of().add(t_s, pose)

    def flush(self) -> Sequence[Any]:
        return self.phases_of().flush()


def write_combined(folder: Path, track: Track, sets: list[dict], model: str, partial: bool, source: str) -> Path:
    """The run's report.json (every set and their totals) and timeline.png; returns the report's path."""
    from formcheck.outputs.sets_timeline import plot_sets

    recognition = recognise(track)
    report = combined_report(Path(source), track, recognition, sets, model, partial)
    report["mode"] = "live"
    write_json(folder / "report.json", report)
    names, confidence = recognition.per_frame()
    plot_sets(folder / "timeline.png", track.times_s, names, confidence, report)
    return folder / "report.json"
