"""Memory does not grow with resolution: 2.5 s of 4K video is analysed in well under 1 GB
(benchmarks/bench_memory.py measures 720p to 8K)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import psutil
import pytest

CLIP = "plank/plank_forearm_side_man_rooftop_b.mp4"


def scaled_clip(source: Path, size: tuple[int, int], seconds: float, out: Path) -> Path:
    from formcheck.outputs.video import ffmpeg_exe

    cmd = [ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(source), "-t", str(seconds)]
    cmd += ["-vf", f"scale={size[0]}:{size[1]}", "-c:v", "libx264", "-preset", "ultrafast", str(out)]
    subprocess.run(cmd, check=True)
    return out


def peak_rss_mb(cmd: list[str]) -> float:
    """Run a command; the largest resident memory of its own process, sampled every 20 ms."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            peak = max(peak, watched.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.02)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    return peak / 2**20


@pytest.mark.slow
def test_4k_video_is_analysed_in_well_under_a_gigabyte(videos, tmp_path):
    video = scaled_clip(videos / CLIP, (3840, 2160), 2.5, tmp_path / "4k.mp4")
    cmd = [sys.executable, "-m", "formcheck.app.cli", "analyze", str(video), "-e", "plank"]
    peak = peak_rss_mb([*cmd, "--out", str(tmp_path), "--no-cache", "--model", "lite"])
    assert peak < 800, f"{peak:.0f} MB"  # 1.4 GB before frames were bounded by bytes
    report = json.loads((tmp_path / "4k" / "report.json").read_text())
    cap = cv2.VideoCapture(str(tmp_path / "4k" / "annotated.mp4"))
    size = (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    assert size == (1280, 720)  # drawn at most 1280 wide (see outputs/annotate)
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == report["annotated_frames"] == 75
    cap.release()
