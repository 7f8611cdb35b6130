"""Capture in its own thread, keeping only the newest frame, so live feedback is never behind.

A camera delivers frames whether or not anyone is ready for them. If the pose model is slower
than the camera, reading frames in the same loop would judge an ever older backlog (OpenCV keeps
a small buffer). `LatestFrameGrabber` reads the source in a thread and keeps one slot: a frame not
taken before the next one arrives is dropped (and counted), so the consumer always judges the
newest frame and feedback lags by at most one model call.

A video file is released at its own frame rate (wall-clock pacing), as if it were a camera, so a
slow machine drops frames exactly as it would live. With `drop=False` (tests, `--fast`) nothing is
paced or dropped: the reader waits for the consumer and every frame is judged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from formcheck.pipeline.sources import Frame, FrameSource


@dataclass(frozen=True)
class GrabbedFrame:
    frame: Frame
    received_at: float  # time.perf_counter() when the grabber made the frame available
    seq: int  # 0, 1, 2, ... in source order (gaps = dropped frames)


class LatestFrameGrabber:
    """Read `source` in a thread; `get()` returns the newest frame not yet taken.

    pace: release frames at their timestamps' pace in wall-clock time (a video file played as
      if live); a camera paces itself, so leave it False there.
    drop: keep only the newest frame (live). False: hand over every frame, in order, with the
      reader waiting for the consumer (no pacing is done then either).
    After the stream ends, `get()` returns None; `error` holds what the source raised, if
    anything, and `ended` is True.
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        pace: bool = False,
        drop: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.source = source
        self.pace = pace and drop
        self.drop = drop
        self._clock = clock
        self._cond = threading.Condition()
        self._slot: GrabbedFrame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.received = 0  # frames read from the source
        self.taken = 0  # frames handed to the consumer
        self.dropped = 0  # frames replaced by a newer one before being taken
        self.ended = False
        self.error: BaseException | None = None

    # -- the reader thread ------------------------------------------------------------------

    def start(self) -> LatestFrameGrabber:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="frame-grabber", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        start_wall: float | None = None
        start_ts = 0.0
        try:
            for seq, frame in enumerate(self.source):
                if self._stop.is_set():
                    break
                if self.pace:
                    if start_wall is None:
                        start_wall, start_ts = self._clock(), frame.timestamp_ms
                    due = start_wall + (frame.timestamp_ms - start_ts) / 1000.0
                    delay = due - self._clock()
                    if delay > 0 and self._stop.wait(delay):
                        break
                self._publish(GrabbedFrame(frame, self._clock(), seq))
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer (camera unplugged, broken file)
            self.error = exc
        finally:
            with self._cond:
                self.ended = True
                self._cond.notify_all()

    def _publish(self, grabbed: GrabbedFrame) -> None:
        with self._cond:
            if not self.drop:
                while self._slot is not None and not self._stop.is_set():
                    self._cond.wait(0.1)
            if self._slot is not None:
                self.dropped += 1
            self._slot = grabbed
            self.received += 1
            self._cond.notify_all()

    # -- the consumer side ------------------------------------------------------------------

    def get(self, timeout: float | None = None) -> GrabbedFrame | None:
        """The newest frame not yet taken; waits for one up to `timeout` seconds (None: until
        one arrives or the stream ends). Returns None on timeout or at the end of the stream."""
        deadline = None if timeout is None else self._clock() + timeout
        with self._cond:
            while self._slot is None and not self.ended:
                remaining = None if deadline is None else deadline - self._clock()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining if remaining is not None else 0.5)
            grabbed, self._slot = self._slot, None
            if grabbed is not None:
                self.taken += 1
                self._cond.notify_all()
            return grabbed

    @property
    def finished(self) -> bool:
        """The stream has ended and every frame it delivered was taken or dropped."""
        with self._cond:
            return self.ended and self._slot is None

    def stop(self) -> None:
        """Stop reading (the thread ends after the frame being read); safe to call twice."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def __enter__(self) -> LatestFrameGrabber:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
