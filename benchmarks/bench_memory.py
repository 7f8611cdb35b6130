"""Peak memory of `formcheck analyze` on 2.5 s of 720p, 1080p, 4K and 8K video (issue 11, #10).

Each clip is a real one scaled up (by the ffmpeg that imageio-ffmpeg bundles), analysed with no
cached track (`--no-cache`: the one pass with the model, the judgement and the annotated video,
or the two passes for large frames). The analysing process and its encoder are sampled every
20 ms: the peak resident memory of the Python process, and of the two together.
`python benchmarks/bench_memory.py EXERCISE` judges another exercise (default plank); one that
reads the back's outline also has the model's segmentation mask at full size.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from common import REPO, clip

CLIP = "plank/plank_forearm_side_man_rooftop_b.mp4"  # 3.0 s, 1280x720
SIZES = {"720p": (1280, 720), "1080p": (1920, 1080), "4K": (3840, 2160), "8K": (7680, 4320)}
SECONDS = 2.5


def scaled(source: Path, size: tuple[int, int], folder: Path) -> Path:
    from formcheck.outputs.video import ffmpeg_exe

    out = folder / f"clip_{size[0]}x{size[1]}.mp4"
    cmd = [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(source), "-t", str(SECONDS)]
    cmd += ["-vf", f"scale={size[0]}:{size[1]}", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", str(out)]
    subprocess.run(cmd, check=True)
    return out


def peak_memory(video: Path, out: Path, exercise: str) -> tuple[float, float, float]:
    """(seconds, peak MB of the Python process, peak MB of it and its children together)."""
    cmd = [sys.executable, "-m", "formcheck.app.cli", "analyze", str(video), "-e", exercise, "--out", str(out)]
    cmd += ["--no-cache", "--model", "lite"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    main = psutil.Process(proc.pid)
    own = total = 0
    while proc.poll() is None:
        try:
            rss = main.memory_info().rss
            children = main.children(recursive=True)
        except psutil.Error:  # it has just ended
            break
        tree = rss
        for child in children:
            try:
                tree += child.memory_info().rss
            except psutil.Error:  # a child that has just ended
                continue
        own, total = max(own, rss), max(total, tree)
        time.sleep(0.02)
    if proc.wait() != 0:
        sys.exit(f"analyze failed: {proc.stderr.read().decode()}")
    return time.perf_counter() - start, own / 2**20, total / 2**20


def main() -> None:
    exercise = sys.argv[1] if len(sys.argv) > 1 else "plank"
    source = clip(CLIP)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'size':6} {'seconds':>8} {'python MB':>10} {'+ encoder MB':>13}")
        for name, size in SIZES.items():
            seconds, own, total = peak_memory(scaled(source, size, folder), folder / name, exercise)
            print(f"{name:6} {seconds:8.1f} {own:10.0f} {total:13.0f}")


if __name__ == "__main__":
    main()
