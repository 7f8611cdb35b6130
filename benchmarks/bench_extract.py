"""ms/frame of `formcheck extract` against a bare detect_for_video loop over the same frames, with
and without the back's outline (the silhouette mask read into pipeline/outline.py's profile).

All use the full model in VIDEO mode on the same clip, in the same run, alternating, `repeats`
times; medians are printed. The bare loop gets its frames already decoded (decoding is free for
it) at their own size; formcheck decodes the file itself (in a prefetch thread), shrinks frames
larger than pose.MAX_SHORT_SIDE and builds the track. One 720x480 clip and one 1080p clip: the
mask is the model's upsampled to the frame it was given, so its cost grows with the frame.
"""

from __future__ import annotations

import time

from common import bare_loop, clip, decode_all, machine, median_of

from formcheck.pipeline.extract import extract_track
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import VideoFileSource

CLIPS = (
    "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4",  # 720x480
    "plank/plank_forearm_side_woman_backlit_room.mp4",  # 1920x1080
)


def extract_ms(video, model, outline: bool) -> float:
    with VideoFileSource(video) as source, PoseEstimator(model, outline=outline) as estimator:
        start = time.perf_counter()
        track, _ = extract_track(source, estimator)
        return (time.perf_counter() - start) / len(track) * 1000


def main(repeats: int = 3) -> None:
    model = resolve_model("full")
    print(f"extract benchmark: full model, {machine()}")
    for relpath in CLIPS:
        video = clip(relpath)
        frames, stamps = decode_all(video)
        bare, plain, outlined = [], [], []
        for _ in range(repeats):
            bare.append(bare_loop(model.path, frames, stamps) / len(frames) * 1000)
            plain.append(extract_ms(video, model, outline=False))
            outlined.append(extract_ms(video, model, outline=True))
        b, p, o = median_of(bare), median_of(plain), median_of(outlined)
        h, w = frames[0].shape[:2]
        print(f"  {relpath} ({len(frames)} frames, {w}x{h})")
        print(f"    bare detect_for_video, pre-decoded frames : {b:6.1f} ms/frame")
        vs_bare = 100 * (p - b) / b
        print(f"    formcheck extract                          : {p:6.1f} ms/frame ({vs_bare:+.1f} % vs bare)")
        print(f"    formcheck extract with the back's outline  : {o:6.1f} ms/frame ({o / p:.2f} x without)")


if __name__ == "__main__":
    main()
