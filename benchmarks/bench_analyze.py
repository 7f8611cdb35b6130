"""Frames/s of `formcheck analyze` against a bare MediaPipe loop, and from a cached track.

All in one run on the same clip with the full model: (1) a bare loop that decodes and calls
detect_for_video, (2) `analyze` from the video with no cached track (extract + judge + report +
annotated video), (3) `analyze` from the saved track (judge + report + annotated video).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from common import bare_loop_with_decode, clip, machine

from formcheck.app.analyze import AnalyzeOptions, analyze_one
from formcheck.pipeline.models import resolve_model

CLIP = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"


def main() -> None:
    video = clip(CLIP)
    model = resolve_model("full")
    bare_s, n = bare_loop_with_decode(model.path, video)
    out = Path(tempfile.mkdtemp())
    try:
        opts = AnalyzeOptions(exercise="plank", out=out, progress=False, use_cache=False)
        start = time.perf_counter()
        result = analyze_one(video, opts)
        analyze_s = time.perf_counter() - start
        track_path = out / "track.npz"
        from formcheck.pipeline.cache import TrackCache
        from formcheck.pipeline.extract import track_for_video

        track, _ = track_for_video(video, model, TrackCache([out / "cache"]))
        track.save(track_path)
        start = time.perf_counter()
        analyze_one(track_path, AnalyzeOptions(exercise="plank", out=out / "from-track", progress=False))
        track_only_s = time.perf_counter() - start
        start = time.perf_counter()
        analyze_one(video, AnalyzeOptions(exercise="plank", out=out / "cached", progress=False, use_cache=True))
        cached_s = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    fps = 1 / (float(result.report["duration_s"]) / n) if n else 0
    print(f"analyze benchmark: {CLIP} ({n} frames at {fps:.0f} fps), full model, {machine()}")
    print(f"  bare decode + detect_for_video loop      : {n / bare_s:6.1f} frames/s")
    print(
        f"  formcheck analyze (video, no cache)      : {n / analyze_s:6.1f} frames/s "
        f"({100 * (analyze_s - bare_s) / bare_s:+.1f} % time vs bare)"
    )
    print(f"  formcheck analyze (video, cached track)  : {n / cached_s:6.1f} frames/s")
    print(f"  formcheck analyze (saved .npz, no video) : {n / track_only_s:6.1f} frames/s")


if __name__ == "__main__":
    main()
