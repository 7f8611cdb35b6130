"""How far behind the person is `formcheck live`? Frame-to-feedback latency, fps and dropped frames.

A clip is played through the live loop exactly as a camera would deliver it (headless, paced at
its own frame rate, newest frame only), once per pose model, and the time from the grabber
receiving each frame to its overlay being ready is measured. That latency is the frame's wait
for the loop (at most one model call) plus its own processing (model, judge, overlay).

    python benchmarks/bench_live.py                      # a 30 fps 720p sample clip, lite and full
    python benchmarks/bench_live.py --source clip.mp4 --models lite full heavy --seconds 20

Not a test: the numbers depend on the machine (and on whatever else it is doing).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from formcheck.app.live import FrameInfo, live_session
from formcheck.errors import FormcheckError
from formcheck.judging.session import make_exercise
from formcheck.lab.samples import find_sample
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import VideoFileSource

# 30 fps clips, webcam-like 720p first; the exercise each is judged as.
DEFAULT_CLIPS = (
    ("glute_bridge/glute_bridge_side_woman_home_tight_framing.mp4", "glute_bridge"),
    ("plank/plank_forearm_oblique_man_gym.mp4", "plank"),
)


def bench(source_path: Path, exercise_name: str, model: str, seconds: float | None) -> dict:
    waits: list[float] = []
    processing: list[float] = []

    def on_frame(info: FrameInfo) -> None:
        waits.append(info.wait_ms)
        processing.append(info.latency_ms - info.wait_ms)

    with (
        tempfile.TemporaryDirectory() as out,
        VideoFileSource(source_path) as source,
        PoseEstimator(model, outline=make_exercise(exercise_name).back is not None) as estimator,
    ):
        result = live_session(
            source,
            make_exercise(exercise_name),
            estimator,
            headless=True,
            quiet=True,
            out_dir=out,
            mirror=False,
            countdown_s=0.0,
            on_frame=on_frame,
            max_seconds=seconds,
        )
        info = source.info
    lat = np.asarray(result.latency_ms)
    return {
        "model": model,
        "size": f"{info.width}x{info.height}",
        "source_fps": info.fps,
        "received": result.received,
        "judged": result.frames,
        "dropped": result.dropped,
        "fps": result.fps,
        "lat_mean": float(lat.mean()) if len(lat) else float("nan"),
        "lat_p95": float(np.percentile(lat, 95)) if len(lat) else float("nan"),
        "lat_max": float(lat.max()) if len(lat) else float("nan"),
        "wait_mean": float(np.mean(waits)) if waits else float("nan"),
        "proc_mean": float(np.mean(processing)) if processing else float("nan"),
    }


def table(rows: list[dict]) -> str:
    header = (
        "model",
        "size",
        "src fps",
        "frames",
        "judged",
        "dropped",
        "fps",
        "latency mean",
        "p95",
        "max",
        "wait",
        "processing",
    )
    lines = [header]
    for r in rows:
        lines.append(
            (
                r["model"],
                r["size"],
                f"{r['source_fps']:.1f}",
                str(r["received"]),
                str(r["judged"]),
                f"{r['dropped']} ({r['dropped'] / max(r['received'], 1):.0%})",
                f"{r['fps']:.1f}",
                f"{r['lat_mean']:.1f} ms",
                f"{r['lat_p95']:.1f} ms",
                f"{r['lat_max']:.1f} ms",
                f"{r['wait_mean']:.1f} ms",
                f"{r['proc_mean']:.1f} ms",
            )
        )
    widths = [max(len(row[c]) for row in lines) for c in range(len(header))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = zip(row, widths, strict=True)
        return "  ".join(v.rjust(w) if c >= 2 else v.ljust(w) for c, (v, w) in enumerate(cells))

    out = [fmt(row) for row in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", help="video to play as a camera (default: a 30 fps sample clip)")
    parser.add_argument("--exercise", help="exercise to judge (default: the clip's)")
    parser.add_argument("--models", nargs="+", default=["lite", "full"])
    parser.add_argument("--seconds", type=float, default=None, help="stop each run after this long")
    args = parser.parse_args(argv)
    if args.source:
        clip, exercise = Path(args.source), args.exercise or "plank"
    else:
        found = [(find_sample(rel), ex) for rel, ex in DEFAULT_CLIPS]
        found = [(p, ex) for p, ex in found if p is not None]
        if not found:
            print("no sample clip found: pass --source or set FORMCHECK_SAMPLES", file=sys.stderr)
            return 1
        clip, exercise = found[0]
        exercise = args.exercise or exercise
    print(f"clip: {clip} (judged as {exercise}); {os.cpu_count()} CPU cores; played at real speed, headless")
    rows = []
    for model in args.models:
        try:
            rows.append(bench(clip, exercise, model, args.seconds))
        except FormcheckError as exc:  # e.g. the heavy bundle not built
            print(f"{model}: skipped: {exc}", file=sys.stderr)
    if not rows:
        return 1
    print(table(rows))
    print(
        "latency = frame received by the grabber -> overlay ready; wait = time the frame sat in the "
        "grabber's one-frame slot while the previous frame was processed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
