"""How much the pose model slows while other work runs beside it (why `analyze` costs more than
the bare loop on two cores).

The same frames through `detect_for_video` (full model, with the mask), in one run: alone; with
an x264 encode in another process at the clip's frame rate, the work the annotated video adds;
and, on Linux with two or more CPUs, the same with the model pinned to one CPU and the encoder to
another. If the model slows even when pinned away from the encoder, the CPUs share a physical
core (SMT, or a VM's vCPUs), and every CPU-second of concurrent work costs the model time.

    python benchmarks/bench_contention.py
"""

from __future__ import annotations

import os
import subprocess
import threading
import time

import cv2
from common import bare_landmarker, clip, decode_all, machine

from formcheck.outputs.video import ffmpeg_exe
from formcheck.pipeline.models import resolve_model

CLIP = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"
FRAMES = 250


def encoder(frames: list, fps: float, cpus: set[int] | None) -> subprocess.Popen:
    """x264 (veryfast, as the annotated video) fed the clip's frames at `fps`, looping, until killed."""
    h, w = frames[0].shape[:2]
    cmd = [ffmpeg_exe(), "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{w}x{h}"]
    cmd += ["-framerate", str(fps), "-i", "pipe:0", "-c:v", "libx264", "-preset", "veryfast", "-f", "null", "-"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if cpus is not None:
        os.sched_setaffinity(proc.pid, cpus)
    return proc


def feed(proc: subprocess.Popen, frames: list, fps: float, seconds: float) -> None:
    start = time.perf_counter()
    k = 0
    while time.perf_counter() - start < seconds:
        try:
            proc.stdin.write(frames[k % len(frames)].tobytes())
        except (BrokenPipeError, OSError, ValueError):  # the encoder was stopped: the run is over
            return
        k += 1
        time.sleep(max(0.0, start + k / fps - time.perf_counter()))


def model_ms(images: list, pin: set[int] | None) -> float:
    """ms a frame of detect_for_video over the images (the landmarker made on this thread, so its
    threads inherit `pin`)."""
    if pin is not None:
        os.sched_setaffinity(0, pin)
    try:
        _mp, landmarker = bare_landmarker(resolve_model("full").path, masks=True)
        with landmarker:
            start = time.perf_counter()
            for i, image in enumerate(images):
                landmarker.detect_for_video(image, 1 + 33 * i)
            return 1000.0 * (time.perf_counter() - start) / len(images)
    finally:
        if pin is not None:
            os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))


def main() -> None:
    import mediapipe as mp

    frames, _ = decode_all(clip(CLIP))
    frames = frames[:FRAMES]
    images = [mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in frames]
    fps = 75.0  # about the rate analyze draws the annotated video at on this clip
    can_pin = hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2
    print(f"contention benchmark: full model with the mask, {machine()}, {len(images)} frames of {CLIP}")
    model_ms(images[:20], None)  # warm-up
    runs = [("alone", None, None), ("beside an x264 encode", None, None)]
    if can_pin:
        runs += [("alone, pinned to CPU 0", {0}, None), ("pinned to CPU 0, x264 on CPU 1", {0}, {1})]
    for label, pin, encoder_cpus in runs:
        proc = None
        if "x264" in label:
            proc = encoder(frames, fps, encoder_cpus)
            feeding = threading.Thread(target=feed, args=(proc, frames, fps, 3600.0), daemon=True)
            feeding.start()
        try:
            print(f"  model {label:32s}: {model_ms(images, pin):6.1f} ms/frame")
        finally:
            if proc is not None:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
