"""ms/frame of `formcheck extract` against a bare detect_for_video loop over the same frames.

Both use the full model in VIDEO mode on the same clip, in the same run, alternating, five
times; medians are printed. The bare loop gets its frames already decoded (decoding is free
for it); formcheck decodes the file itself (in a prefetch thread) and builds the track.
"""

from __future__ import annotations

import time

from common import bare_loop, clip, decode_all, machine, median_of

from formcheck.pipeline.extract import extract_track
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import VideoFileSource

CLIP = "plank/plank_forearm_side_woman_home_timer_overlay.mp4"


def main(repeats: int = 5) -> None:
    video = clip(CLIP)
    model = resolve_model("full")
    frames, stamps = decode_all(video)
    bare, ours = [], []
    for _ in range(repeats):
        bare.append(bare_loop(model.path, frames, stamps) / len(frames))
        with VideoFileSource(video) as source, PoseEstimator(model) as estimator:
            start = time.perf_counter()
            track, _ = extract_track(source, estimator)
            ours.append((time.perf_counter() - start) / len(track))
    b, o = median_of(bare) * 1000, median_of(ours) * 1000
    print(
        f"extract benchmark: {CLIP} ({len(frames)} frames, {frames[0].shape[1]}x{frames[0].shape[0]}), "
        f"full model, {machine()}"
    )
    print(f"  bare detect_for_video on pre-decoded frames : {b:6.1f} ms/frame")
    print(f"  formcheck extract (decodes the file itself)  : {o:6.1f} ms/frame")
    print(f"  formcheck overhead                           : {100 * (o - b) / b:+6.1f} %")


if __name__ == "__main__":
    main()
