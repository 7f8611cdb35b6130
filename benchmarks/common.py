"""Shared bits of the benchmarks: finding clips, a bare MediaPipe loop to compare against."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def clip(relpath: str) -> Path:
    from formcheck.lab.samples import find_sample

    found = find_sample(relpath)
    if found is None:
        sys.exit(f"benchmark clip {relpath} not found (set FORMCHECK_SAMPLES or put ../shared/videos beside the repo)")
    return found


def decode_all(path: Path) -> tuple[list[np.ndarray], list[float]]:
    cap = cv2.VideoCapture(str(path))
    frames, stamps = [], []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
        stamps.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    cap.release()
    return frames, stamps


def bare_landmarker(model_path: Path, masks: bool = False):
    """MediaPipe's PoseLandmarker exactly as its docs show it, VIDEO mode, nothing of formcheck
    (`masks`: with the segmentation mask, as formcheck asks for when an exercise reads the back)."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO,
        output_segmentation_masks=masks,
    )
    return mp, vision.PoseLandmarker.create_from_options(options)


def bare_loop(model_path: Path, frames: list[np.ndarray], stamps: list[float]) -> float:
    """Seconds for detect_for_video over already-decoded frames."""
    mp, landmarker = bare_landmarker(model_path)
    with landmarker:
        start = time.perf_counter()
        last = -1
        for frame, ts in zip(frames, stamps, strict=True):
            ts_ms = max(int(ts), last + 1)
            last = ts_ms
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            landmarker.detect_for_video(image, ts_ms)
        return time.perf_counter() - start


def bare_loop_with_decode(model_path: Path, video: Path, masks: bool = False) -> tuple[float, int]:
    """Seconds for creating the landmarker and decode + detect_for_video, frame after frame (what
    a naive script does). The landmarker's creation is timed (~0.2 s), as `formcheck analyze` is
    timed with its own; importing mediapipe is not (whoever imports it first pays ~1-3 s)."""
    import mediapipe  # noqa: F401  (imported outside the timing)

    start = time.perf_counter()
    mp, landmarker = bare_landmarker(model_path, masks)
    cap = cv2.VideoCapture(str(video))
    n = 0
    with landmarker:
        last = -1
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            ts_ms = max(int(cap.get(cv2.CAP_PROP_POS_MSEC)), last + 1)
            last = ts_ms
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            landmarker.detect_for_video(image, ts_ms)
            n += 1
        elapsed = time.perf_counter() - start
    cap.release()
    return elapsed, n


def best_of(fn, repeats: int = 3) -> float:
    """The fastest of `repeats` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(runs: list[float]) -> float:
    return statistics.median(runs)


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
