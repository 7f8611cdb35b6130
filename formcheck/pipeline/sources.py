"""Where frames come from: a video file, a camera, or a folder of images — one iterator type."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.errors import FormcheckError
from formcheck.quiet import quiet_native_stderr

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
FOLDER_FPS = 30.0  # an image folder has no clock; frames are spaced as if filmed at 30 fps
PREFETCH_BYTES = 96 << 20  # frames decoded ahead: at most this much (4K: 3 frames, 8K: none)


@dataclass(frozen=True)
class Frame:
    index: int
    timestamp_ms: float
    image: np.ndarray  # BGR, upright
    model_input: Any = None  # the pose model's input for it, when made ahead (pipeline.flow)


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frame_count: int | None  # None when unknown (camera)
    name: str

    @property
    def duration_s(self) -> float | None:
        if not self.frame_count or not self.fps:
            return None
        return self.frame_count / self.fps


class FrameSource:
    """Iterate frames; `info` describes the stream. Close it (or use `with`)."""

    info: VideoInfo

    def __iter__(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoFileSource(FrameSource):
    """A video file, decoded by OpenCV's FFmpeg; timestamps come from the container and
    rotation metadata is applied, so portrait phone clips come out upright."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FormcheckError(f"{self.path}: no such file")
        if self.path.is_dir():
            raise FormcheckError(f"{self.path}: is a folder, not a video")
        if self.path.stat().st_size == 0:
            raise FormcheckError(f"{self.path}: the file is empty")
        with quiet_native_stderr():  # FFmpeg prints e.g. "moov atom not found" itself
            self._cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            self._cap.release()
            raise FormcheckError(f"{self.path}: not a video OpenCV can read")
        self._cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.info = VideoInfo(
            width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=fps if 0 < fps < 1000 else 30.0,
            frame_count=count if count > 0 else None,
            name=self.path.name,
        )
        self.ended_early = False

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        last_ts = -1.0
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                break
            ts = self._cap.get(cv2.CAP_PROP_POS_MSEC)
            if not np.isfinite(ts) or ts <= last_ts:
                # Containers without usable timestamps: fall back to the frame rate.
                ts = max(index * 1000.0 / self.info.fps, last_ts + 1.0)
            last_ts = ts
            yield Frame(index, ts, image)
            index += 1
        if index == 0:
            raise FormcheckError(f"{self.path}: no readable frames")
        expected = self.info.frame_count
        # The container promised more frames than decoded: the file is truncated or corrupt.
        self.ended_early = bool(expected and index < expected - max(2, expected // 100))

    def close(self) -> None:
        self._cap.release()


class CameraSource(FrameSource):
    """A live camera by index; timestamps are wall-clock time since the first frame."""

    def __init__(self, index: int, width: int | None = None, height: int | None = None) -> None:
        with quiet_native_stderr():
            self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise FormcheckError(f"camera {index} cannot be opened (is one connected and free?)")
        if width:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise FormcheckError(f"camera {index} opened but gives no frames")
        self._first = first
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        fps = fps if 0 < fps < 1000 else 30.0  # some drivers report -1 or 0: as for files, assume 30
        self.info = VideoInfo(first.shape[1], first.shape[0], fps, None, f"camera {index}")

    def __iter__(self) -> Iterator[Frame]:
        start = time.monotonic()
        image: np.ndarray | None = self._first
        index = 0
        while image is not None:
            yield Frame(index, (time.monotonic() - start) * 1000.0, image)
            index += 1
            ok, image = self._cap.read()
            if not ok:
                image = None  # camera unplugged or closed: end the stream

    def close(self) -> None:
        self._cap.release()


class ImageFolderSource(FrameSource):
    """Every image in a folder, in name order, spaced as frames at FOLDER_FPS."""

    def __init__(self, folder: str | Path, fps: float = FOLDER_FPS) -> None:
        self.folder = Path(folder)
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise FormcheckError(f"{self.folder}: no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        first = read_image(self.files[0])
        if first is None:
            raise FormcheckError(f"{self.files[0]}: not an image OpenCV can read")
        self.info = VideoInfo(first.shape[1], first.shape[0], fps, len(self.files), self.folder.name)

    def __iter__(self) -> Iterator[Frame]:
        for index, path in enumerate(self.files):
            image = read_image(path)
            if image is None:
                raise FormcheckError(f"{path}: not an image OpenCV can read")
            yield Frame(index, index * 1000.0 / self.info.fps, image)


def read_image(path: Path) -> np.ndarray | None:
    """A BGR image, or None if the file is not one. Python reads the bytes and OpenCV decodes
    them: cv2.imread cannot open non-ASCII paths on Windows."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    return cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None


def open_source(spec: str | Path | int) -> FrameSource:
    """A camera index (int or digits), a folder of images, or a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        return CameraSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    return VideoFileSource(path)


def prefetch(
    frames: Iterator[Frame] | FrameSource, depth: int = 4, prepare: Callable[[Frame], Frame] | None = None
) -> Iterator[Frame]:
    """Decode ahead in a thread so decoding overlaps the pose model (OpenCV releases the GIL):
    up to `depth` frames, and no more than PREFETCH_BYTES of them. Frames larger than that (8K:
    100 MB each) are decoded as they are asked for instead, one at a time. `prepare`, if given,
    is applied to each frame on that thread too.

    Exceptions raised while decoding are re-raised in the consumer, in order.
    """
    import queue
    import threading

    info = getattr(frames, "info", None)
    if info is not None:
        depth = min(depth, PREFETCH_BYTES // max(1, info.width * info.height * 3))
        if depth < 1:
            yield from (frames if prepare is None else map(prepare, frames))
            return

    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def worker() -> None:
        try:
            for frame in frames:
                if prepare is not None:
                    frame = prepare(frame)
                while not stop.is_set():
                    try:
                        q.put(frame, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer, which raises it
            q.put(exc)

    thread = threading.Thread(target=worker, name="frame-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=2.0)
