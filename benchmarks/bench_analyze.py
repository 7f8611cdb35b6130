"""Time of `formcheck analyze` against a bare MediaPipe loop, and from a cached track.

All in one run on the same clip with the full model: (1) a bare loop that decodes and calls
detect_for_video (asking for the segmentation mask when the exercise reads the back's outline,
as formcheck does, so both run the same model work), (2) `analyze` from the video with no cached
track (extract + judge + report + timeline + annotated video), (3) `analyze` from the saved track
(judge + outputs), (4) from the cached track. Wall time and CPU seconds (this process's threads
plus the video encoder it starts) are printed; the bare loop's CPU is its own. Both sides are
timed from creating their landmarker (analyze creates its own; importing mediapipe, ~1-3 s, is
paid before either is timed) to their last output.

    python benchmarks/bench_analyze.py                                   # the two clips below
    python benchmarks/bench_analyze.py plank/some_clip.mp4:plank --fresh-only
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from common import bare_loop_with_decode, clip, machine

from formcheck.app.analyze import AnalyzeOptions, analyze_one
from formcheck.exercises import EXERCISES
from formcheck.pipeline.models import resolve_model

CLIPS = (
    ("plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4", "plank"),  # reads the back's outline
    ("side_plank/side_plank_forearm_front_LABELLED_faults_woman.mp4", "side_plank"),  # does not
)


def cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_s()
    fn()
    return time.perf_counter() - wall, cpu_s() - cpu


def bench(relpath: str, exercise: str, fresh_only: bool = False) -> None:
    video = clip(relpath)
    model = resolve_model("full")
    masks = EXERCISES[exercise].back is not None
    bare_cpu = cpu_s()
    bare_s, n = bare_loop_with_decode(model.path, video, masks)
    bare_cpu = cpu_s() - bare_cpu
    out = Path(tempfile.mkdtemp())
    try:
        opts = AnalyzeOptions(exercise=exercise, out=out / "fresh", progress=False, use_cache=False, pin_cpus=True)
        fresh = timed(lambda: analyze_one(video, opts))
        if fresh_only:
            return report(relpath, exercise, n, masks, (bare_s, bare_cpu), fresh)
        from formcheck.pipeline.cache import TrackCache
        from formcheck.pipeline.extract import track_for_video

        track, _ = track_for_video(video, model, TrackCache([out / "cache"]), outline=masks)
        track.save(out / "track.npz")
        saved = timed(lambda: analyze_one(out / "track.npz", AnalyzeOptions(exercise=exercise, out=out / "from-track")))
        cached_opts = AnalyzeOptions(exercise=exercise, out=out / "cached", progress=False, use_cache=True)
        cached = timed(lambda: analyze_one(video, cached_opts))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    report(relpath, exercise, n, masks, (bare_s, bare_cpu), fresh)
    print(f"    formcheck analyze (video, cached track)  : {cached[0]:6.2f} s wall, {cached[1]:6.2f} s CPU")
    print(f"    formcheck analyze (saved .npz, no video) : {saved[0]:6.2f} s wall, {saved[1]:6.2f} s CPU")


def report(relpath: str, exercise: str, n: int, masks: bool, bare: tuple, fresh: tuple) -> None:
    print(f"  {relpath} as {exercise} ({n} frames{', with the mask' if masks else ''})")
    print(f"    bare landmarker + decode + detect loop   : {bare[0]:6.2f} s wall, {bare[1]:6.2f} s CPU")
    print(
        f"    formcheck analyze (video, no cache)      : {fresh[0]:6.2f} s wall, {fresh[1]:6.2f} s CPU "
        f"({fresh[0] / bare[0]:.2f} x the bare loop's wall time, {fresh[1] / bare[1]:.2f} x its CPU)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", help="clip:exercise (a path under the sample videos); default: two clips")
    parser.add_argument("--fresh-only", action="store_true", help="only the bare loop and analyze with no cache")
    args = parser.parse_args()
    clips = [tuple(c.rsplit(":", 1)) for c in args.clips] or CLIPS
    print(f"analyze benchmark: full model, {machine()}; all four outputs; timed from creating the landmarker")
    for relpath, exercise in clips:
        bench(relpath, exercise, args.fresh_only)


if __name__ == "__main__":
    main()
