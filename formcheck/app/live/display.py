"""What a person sees live: the frame (mirrored for a camera) with the overlay, the phase banner,
the countdown or PAUSED, and the key help; shown in the window (if any), handed to `on_frame`, and
saved once as a screenshot if asked. A sink of the frame flow, plus `paused` for the frames the
flow skips while paused."""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from formcheck.app.live.phases import LiveFrame
from formcheck.app.live.results import FrameInfo
from formcheck.app.live.window import HELP_TEXT, Window, draw_banner, draw_big_text, draw_help
from formcheck.exercises.base import Exercise
from formcheck.files import temp_path_beside
from formcheck.judging.judgement import back_edge
from formcheck.judging.records import FrameState
from formcheck.outputs.overlay import draw_overlay, mirror_xy
from formcheck.pipeline.capture import GrabbedFrame
from formcheck.pipeline.sources import Frame

FPS_WINDOW_S = 1.0  # the fps shown is measured over the last second
LATENCY_SAMPLES = 20_000  # latency figures kept for the summary (a bounded window, not all)
PAUSED_CUE = "Paused - press space to go on"
PHASE_BANNER_TOP = 0.22  # below the counters panel, above the countdown digit


class LiveDisplay:
    def __init__(
        self,
        width: int,
        mirror: bool,
        window: Window | None,
        on_frame: Callable[[FrameInfo], None] | None,
        screenshot: Path | None,
        screenshot_at: float,
        log: Callable[[str], None],
    ) -> None:
        self.width, self.mirror, self.window, self.on_frame = width, mirror, window, on_frame
        self.screenshot, self.screenshot_at, self.log = screenshot, screenshot_at, log
        self.screenshot_written: Path | None = None
        self.exercise: Exercise | None = None  # set by the loop to the exercise being judged
        self.grabbed: GrabbedFrame | None = None  # the frame in hand (live never lags)
        self.wait_ms = 0.0
        self.frames = 0  # frames shown with a fresh judgement (the pose model ran)
        self.last_state: FrameState | None = None
        self.fps_times: deque[float] = deque(maxlen=240)
        self.latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.session_latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self.help_text = HELP_TEXT  # the keys named at the top right of the window

    def take(self, grabbed: GrabbedFrame) -> None:
        """The loop has a new frame: note how long it waited for the loop."""
        self.grabbed = grabbed
        self.wait_ms = (time.perf_counter() - grabbed.received_at) * 1000.0

    def put(self, frame: Frame, live: LiveFrame) -> None:
        image = self.compose(frame, live)
        assert self.exercise is not None
        title = self.exercise.title
        if live.phase == "position":
            draw_banner(image, f"{title}: get into position", top=PHASE_BANNER_TOP)
        elif live.phase == "countdown":
            draw_banner(image, f"{title}: starting in", top=PHASE_BANNER_TOP)
            draw_big_text(image, str(live.countdown), centre_y=0.55)
        self._show(image, live.phase, live.state, live.session_t)

    def compose(self, frame: Frame, live: LiveFrame) -> np.ndarray:
        """The frame as shown (mirrored for a camera) with the overlay drawn; counted as judged."""
        assert self.exercise is not None
        self.frames += 1
        self.last_state = live.state
        image = cv2.flip(frame.image, 1) if self.mirror else frame.image
        xy = live.pose.xy[0]
        has_pose = not math.isnan(float(xy[0, 0]))
        if has_pose and self.mirror:
            xy = mirror_xy(xy, self.width)
        features = {k: float(v[0]) for k, v in live.signals.features.items()}
        visibility = live.pose.visibility[0] if has_pose else None
        near_left = bool(live.signals.near_left[0])
        edge = back_edge(live.pose, self.exercise, 0) if has_pose else None
        draw_overlay(
            image,
            xy if has_pose else None,
            visibility,
            near_left,
            live.state,
            features,
            self.exercise,
            self._fps(),
            back_edge=edge,
        )
        return image

    def paused(self, grabbed: GrabbedFrame, session_t: float | None) -> None:
        """A frame while paused: the counters stay up, frozen; the cue band says how to go on."""
        assert self.exercise is not None
        self.take(grabbed)
        image = cv2.flip(grabbed.frame.image, 1) if self.mirror else grabbed.frame.image
        if self.last_state is not None:
            frozen = dataclasses.replace(self.last_state, judged=False, faults=(), cue=PAUSED_CUE)
            draw_overlay(image, None, None, True, frozen, {}, self.exercise)
        draw_big_text(image, "PAUSED", scale=2.0, centre_y=0.45)
        self._show(image, "paused", None, session_t)

    def close(self) -> None:
        pass

    def _show(self, image: np.ndarray, phase: str, state: FrameState | None, session_t: float | None) -> None:
        grabbed = self.grabbed
        assert grabbed is not None
        if self.window is not None:
            draw_help(image, self.help_text)
        latency = (time.perf_counter() - grabbed.received_at) * 1000.0
        self.latencies.append(latency)
        self.session_latencies.append(latency)
        self.fps_times.append(time.perf_counter())
        due = grabbed.frame.timestamp_ms / 1000.0 >= self.screenshot_at
        if self.screenshot is not None and not self.screenshot_written and due:
            self._write_screenshot(image, grabbed)
        if self.window is not None:
            self.window.show(image)
        if self.on_frame is not None:
            self.on_frame(FrameInfo(grabbed, phase, state, image, latency, self.wait_ms, session_t))

    def _fps(self) -> float | None:
        times = self.fps_times
        if len(times) < 2:
            return None
        now = times[-1]
        k = len(times) - 1
        while k > 0 and now - times[k - 1] <= FPS_WINDOW_S:
            k -= 1
        n = len(times) - 1 - k
        return n / (now - times[k]) if n > 0 and now > times[k] else None

    def _write_screenshot(self, image: np.ndarray, grabbed: GrabbedFrame) -> None:
        assert self.screenshot is not None
        path = self.screenshot
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_beside(path, path.suffix or ".png")
        # Encoded here and written by Python: cv2.imwrite cannot open non-ASCII paths on Windows.
        ok, encoded = cv2.imencode(path.suffix or ".png", image)
        if ok:
            tmp.write_bytes(encoded.tobytes())
            os.replace(tmp, path)
            self.screenshot_written = path
            frame = grabbed.frame
            self.log(f"screenshot: {path} (frame {frame.index}, {frame.timestamp_ms / 1000.0:.3f} s)")
        else:
            tmp.unlink(missing_ok=True)
