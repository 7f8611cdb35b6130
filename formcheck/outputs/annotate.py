"""The annotated video as a sink of the frame flow: each judged frame drawn and encoded.

Drawing and encoding run on their own thread (OpenCV and the encoder pipe release the GIL), so
they overlap the pose model instead of adding to it. The frames waiting for that thread are
bounded by bytes, not by count: 64 frames of 4K video are 1.6 GB, 64 of 480p under 60 MB.

The video is drawn at the size the pose model saw (at most 720 pixels on the short side, see
pipeline/pose.py) and at most MAX_SIDE pixels wide (or high). The frames come already shrunk from
the decode thread (the model's input in one-pass analysis, `shrunk` for re-read frames), so the
queue holds small frames and the drawing thread only draws. An annotated video is for seeing the
judgement, which 720p shows as well as 8K; 8K H.264 plays in few browsers, and drawing plus encoding
a 1080x1920 phone clip costs 2.3 times a 720x1280 one — more than the pose model itself
(benchmarks/bench_analyze.py). The judged landmarks are in the source's pixels: they are scaled
on the drawing thread.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import deque
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.exercises.base import Exercise
from formcheck.judging.judgement import JudgedFrame
from formcheck.outputs.overlay import draw_overlay
from formcheck.outputs.video import VideoSink
from formcheck.pipeline.pose import model_scale

MAX_QUEUED_BYTES = 192 << 20  # frames waiting to be drawn: at least one, at most this much
MAX_SIDE = 1280  # pixels: the annotated video of a larger frame is scaled down to this


def video_size(size: tuple[int, int]) -> tuple[tuple[int, int], float]:
    """The annotated video's (width, height) for a source of `size`, and the scale from it."""
    scale = min(model_scale(*size), MAX_SIDE / max(size))
    if scale == 1.0:
        return size, 1.0
    return (max(2, round(size[0] * scale)), max(2, round(size[1] * scale))), scale


def shrunk(frame: Any, size: tuple[int, int]) -> Any:
    """A source's frame at the video's `size`: for re-read frames, made ahead on the decode
    thread (pipeline.sources.prefetch's `prepare`), so the drawing thread only draws."""
    if frame.image.shape[1::-1] == size:
        return frame
    return dataclasses.replace(frame, image=cv2.resize(frame.image, size, interpolation=cv2.INTER_AREA))


def draw_judged(image: np.ndarray, judged: JudgedFrame, exercise: Exercise) -> np.ndarray:
    """Draw one judged frame's overlay on its image, in place."""
    has_pose = not math.isnan(float(judged.xy[0, 0]))
    return draw_overlay(
        image,
        judged.xy if has_pose else None,
        judged.visibility if has_pose else None,
        judged.near_left,
        judged.state,
        judged.features,
        exercise,
        back_edge=judged.back_edge if has_pose else None,
    )


class AnnotatedVideo:
    """put(frame, judged) ... close() -> the codec used. An error while drawing, encoding or
    finishing the file is kept in `error` (the flow goes on; the caller reports it) and later
    frames are dropped. `end()` says no more frames come and returns at once: the drawing thread
    draws what is queued and finishes the file (the encoder's flush) while the caller writes the
    report and the timeline; `close()` then waits for it."""

    def __init__(self, exercise: Exercise, path: Path, fps: float, size: tuple[int, int]) -> None:
        self.exercise = exercise
        self.size, self.scale = video_size(size)
        self.sink = VideoSink(path, fps, self.size)
        self.error: BaseException | None = None
        self._queue: deque[Any] = deque()
        self._bytes = 0
        self._cond = threading.Condition()
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="annotate", daemon=True)
        self._thread.start()

    def put(self, frame: Any, judged: JudgedFrame) -> None:
        image = frame.image  # (shrunk ahead by the caller's decode thread; else on the drawing thread)
        with self._cond:
            while self._queue and self._bytes + image.nbytes > MAX_QUEUED_BYTES:
                self._cond.wait()
            self._queue.append((image, judged))
            self._bytes += image.nbytes
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                item = self._queue.popleft()
                if item is not None:
                    self._bytes -= item[0].nbytes
                self._cond.notify_all()
            if item is None:
                self._finish_file()
                return
            if self.error is not None:
                continue
            image, judged = item
            try:
                if image.shape[1::-1] != self.size:  # (a source's frame, not shrunk on the way)
                    image = cv2.resize(image, self.size, interpolation=cv2.INTER_AREA)
                if self.scale != 1.0:
                    judged = dataclasses.replace(judged, xy=judged.xy * self.scale)
                self.sink.write(draw_judged(image, judged, self.exercise))
            except BaseException as exc:  # reported by the caller; the extraction goes on
                self.error = exc

    def _finish_file(self) -> None:
        try:
            self.sink.close()
        except BaseException as exc:  # kept like a drawing error: the report must still come
            self.error = self.error or exc

    def end(self) -> None:
        with self._cond:
            if not self._ended:
                self._ended = True
                self._queue.append(None)
                self._cond.notify_all()

    def close(self) -> str:
        self.end()
        self._thread.join()
        return self.sink.codec


class EndingSink:
    """The annotated video as a flow sink whose close only ends it (`AnnotatedVideo.end`): the
    flow returns while the last frames are drawn and the file finished, and the caller closes it
    once the report is written."""

    def __init__(self, video: AnnotatedVideo) -> None:
        self.video = video

    def put(self, frame: Any, judged: JudgedFrame) -> None:
        self.video.put(frame, judged)

    def close(self) -> None:
        self.video.end()
