"""Write the annotated video: browser-playable H.264 MP4, atomically, even when interrupted.

Encoders, in order of preference (the one used is recorded in `VideoSink.codec`):

1. H.264 by libx264 in the ffmpeg binary that the `imageio-ffmpeg` package bundles (it works
   offline; no system ffmpeg is needed). Raw BGR frames are piped to an ffmpeg subprocess, so
   encoding runs on another core while the caller draws the next frame. Output: yuv420p, even
   dimensions, `+faststart` (the index at the front, so a browser starts playing at once).
2. OpenCV's `VideoWriter` with `avc1` (H.264), when its FFmpeg build has an H.264 encoder.
3. OpenCV's `VideoWriter` with `mp4v` (MPEG-4 part 2): always available, but most browsers
   will not play it; desktop players (VLC, mpv) do.

The video is written to a unique `<name>.<random>.part.mp4` beside the target and renamed to the target by
`close()`, which `__exit__` calls even when the `with` block raised, so an interrupted run
(Ctrl-C, a broken input file) still leaves a playable video of what was written. The ffmpeg
child runs in its own session so the terminal's Ctrl-C does not kill it before it finalises.
Frames of odd width or height are padded by one black pixel (yuv420p needs even sizes).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import IO

import cv2
import numpy as np

from formcheck.errors import FormcheckError
from formcheck.files import temp_path_beside
from formcheck.quiet import quiet_native_stderr

BACKENDS = ("auto", "ffmpeg", "opencv")
CODEC_FFMPEG = "h264 (libx264 via imageio-ffmpeg)"
CODEC_AVC1 = "avc1 (OpenCV fallback)"
CODEC_MP4V = "mp4v (OpenCV fallback, may not play in browsers)"


def ffmpeg_exe() -> str | None:
    """Path of the ffmpeg bundled with imageio-ffmpeg, or None if the package is missing."""
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # the package is there but its binary is not (unsupported platform)
        return None


def even_size(size: tuple[int, int]) -> tuple[int, int]:
    """(width, height) rounded up to even numbers, as yuv420p needs."""
    w, h = size
    return w + (w & 1), h + (h & 1)


def temp_path(path: Path) -> Path:
    """Where the video is written until it is finished: a unique `<name>.<random>.part.mp4` beside it."""
    return temp_path_beside(path, ".part.mp4")


def _rate(fps: float) -> str:
    """ffmpeg frame rate as an exact fraction (29.97 -> 30000/1001)."""
    frac = Fraction(fps).limit_denominator(1001)
    return f"{frac.numerator}/{frac.denominator}"


class VideoSink:
    """Write BGR frames of one size to an MP4 file; use as a context manager.

    `size` is (width, height) of the frames that will be written; frames of another size are
    resized to it. `codec` says which encoder was used; `out_size` is the encoded size
    (rounded up to even numbers); `frames` counts frames written.
    """

    def __init__(
        self,
        path: Path | str,
        fps: float,
        size: tuple[int, int],
        backend: str = "auto",
        crf: int = 23,
        preset: str = "veryfast",
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        self.path = Path(path)
        self.fps = float(fps) if fps and fps > 0 else 30.0
        self.size = (int(size[0]), int(size[1]))
        if self.size[0] <= 0 or self.size[1] <= 0:
            raise ValueError(f"video size must be positive, got {size}")
        self.out_size = even_size(self.size)
        self.frames = 0
        self.closed = False
        self.codec = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._writer: cv2.VideoWriter | None = None
        self._pad = self.out_size != self.size
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = temp_path(self.path)
        except OSError as exc:
            raise FormcheckError(f"{self.path.parent}: cannot create the output folder ({exc})") from exc
        exe = ffmpeg_exe() if backend in ("auto", "ffmpeg") else None
        if exe is not None:
            self._start_ffmpeg(exe, crf, preset)
        elif backend == "ffmpeg":
            raise FormcheckError(
                "the imageio-ffmpeg package (or its ffmpeg binary) is missing: pip install imageio-ffmpeg"
            )
        else:
            self._start_opencv()

    # -- encoders ---------------------------------------------------------------------------

    def _start_ffmpeg(self, exe: str, crf: int, preset: str) -> None:
        w, h = self.size
        cmd = [
            exe,
            "-hide_banner",
            "-loglevel",
            "error",
            "-nostdin",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "bgr24",
            "-s",
            f"{w}x{h}",
            "-framerate",
            _rate(self.fps),
            "-i",
            "pipe:0",
            "-an",
        ]
        if self._pad:
            cmd += ["-vf", f"pad={self.out_size[0]}:{self.out_size[1]}:0:0:black"]
        cmd += [
            "-c:v",
            "libx264",
            "-preset",
            preset,
            "-crf",
            str(crf),
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(self.tmp),
        ]
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the encoder
        kwargs: dict = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            kwargs["start_new_session"] = True  # the terminal's Ctrl-C must not kill the encoder
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr, bufsize=0, **kwargs
            )
        except OSError:
            self._stderr.close()
            self._stderr = None
            self._start_opencv()
            return
        if sys.platform.startswith("linux") and self._proc.stdin is not None:
            with contextlib.suppress(OSError):  # a bigger pipe lets the encoder lag a frame behind
                import fcntl

                fcntl.fcntl(self._proc.stdin.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
        self.codec = CODEC_FFMPEG

    def _start_opencv(self) -> None:
        for fourcc, codec in (("avc1", CODEC_AVC1), ("mp4v", CODEC_MP4V)):
            with quiet_native_stderr():  # FFmpeg logs each encoder it fails to open
                writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*fourcc), self.fps, self.out_size)
            if writer.isOpened():
                self._writer, self.codec = writer, codec
                return
            writer.release()
        self.tmp.unlink(missing_ok=True)
        raise FormcheckError(f"{self.path}: no video encoder available (install imageio-ffmpeg)")

    @property
    def pid(self) -> int | None:
        """The encoder process's id (None with OpenCV's in-process encoder)."""
        return self._proc.pid if self._proc is not None else None

    # -- writing ----------------------------------------------------------------------------

    def write(self, frame_bgr: np.ndarray) -> None:
        """Append one BGR uint8 frame (resized to `size` if it differs)."""
        if self.closed:
            raise ValueError(f"{self.path}: write() after close()")
        frame = frame_bgr
        if frame.ndim == 2:
            frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        if (frame.shape[1], frame.shape[0]) != self.size:
            frame = cv2.resize(frame, self.size, interpolation=cv2.INTER_AREA)
        if frame.dtype != np.uint8:
            frame = np.clip(frame, 0, 255).astype(np.uint8)
        if self._proc is not None:
            assert self._proc.stdin is not None
            try:
                self._proc.stdin.write(memoryview(np.ascontiguousarray(frame)).cast("B"))
            except (BrokenPipeError, OSError) as exc:
                message = f"{self.path}: the video encoder stopped ({self._ffmpeg_error()})"
                raise FormcheckError(message) from exc
        else:
            assert self._writer is not None
            if self._pad:
                bottom, right = self.out_size[1] - self.size[1], self.out_size[0] - self.size[0]
                frame = cv2.copyMakeBorder(frame, 0, bottom, 0, right, cv2.BORDER_CONSTANT, value=(0, 0, 0))
            self._writer.write(frame)
        self.frames += 1

    def _ffmpeg_error(self) -> str:
        if self._stderr is None:
            return "no message"
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            text = self._stderr.read().decode(errors="replace").strip()
            if text:
                return text.splitlines()[-1]
        return "no message"

    def close(self) -> Path | None:
        """Finish the file and move it to `path`; returns the path, or None if no frame was
        written (then no file is left). Safe to call twice."""
        if self.closed:
            return self.path if self.path.exists() and self.frames else None
        self.closed = True
        error = ""
        if self._proc is not None:
            proc = self._proc
            with contextlib.suppress(OSError):
                assert proc.stdin is not None
                proc.stdin.close()
            try:
                code = proc.wait(timeout=max(60.0, self.frames / 50.0))
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            if code != 0 and self.frames:
                error = self._ffmpeg_error()
            if self._stderr is not None:
                self._stderr.close()
        elif self._writer is not None:
            self._writer.release()
        if not self.frames or not self.tmp.exists() or self.tmp.stat().st_size == 0:
            self.tmp.unlink(missing_ok=True)
            if error:
                raise FormcheckError(f"{self.path}: video encoding failed ({error})")
            return None
        if error:
            raise FormcheckError(f"{self.path}: video encoding failed ({error}); kept as {self.tmp}")
        os.replace(self.tmp, self.path)
        return self.path

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            # Keep what was written, but never let a finalising error hide the original one.
            with contextlib.suppress(Exception):
                self.close()
