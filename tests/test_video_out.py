"""VideoSink: playable MP4s of the right size and length, atomic, even when interrupted."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.outputs.video import CODEC_FFMPEG, VideoSink, even_size, ffmpeg_exe

FFMPEG = ffmpeg_exe()
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="imageio-ffmpeg is not installed")


def frames(n: int, size: tuple[int, int]) -> list[np.ndarray]:
    """Frames with a moving bar, so the encoder has something to encode."""
    w, h = size
    out = []
    for k in range(n):
        img = np.full((h, w, 3), (40, 90, 160), np.uint8)
        x = int(k * (w - 20) / max(n - 1, 1))
        cv2.rectangle(img, (x, h // 4), (x + 20, 3 * h // 4), (255, 255, 255), -1)
        out.append(img)
    return out


def read_back(path: Path) -> tuple[int, int, int, str]:
    """(decoded frame count, width, height, fourcc) as OpenCV sees the file."""
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f"{path} does not open"
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode(errors="replace")
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    count = 0
    while True:
        ok, _ = cap.read()
        if not ok:
            break
        count += 1
    cap.release()
    return count, w, h, fourcc


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat, ...)."""
    data = path.read_bytes()
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        boxes.append(kind.decode(errors="replace"))
        if size < 8:
            break
        pos += size
    return boxes


def leftovers(path: Path) -> list[Path]:
    """Temporary files the sink left beside its target."""
    return sorted(path.parent.glob(f"{path.name}.*.part.mp4"))


def ffmpeg_stream_line(path: Path) -> str:
    assert FFMPEG is not None
    out = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    lines = [line for line in out.splitlines() if "Video:" in line]
    assert lines, out
    return lines[0]


@pytest.mark.parametrize("backend", ["auto", "opencv"])
@pytest.mark.parametrize("size", [(320, 240), (321, 239), (428, 396)])
def test_frames_and_size_round_trip(tmp_path: Path, backend: str, size: tuple[int, int]) -> None:
    path = tmp_path / "out.mp4"
    with VideoSink(path, 30.0, size, backend=backend) as sink:
        for img in frames(30, size):
            sink.write(img)
    assert path.is_file()
    assert not leftovers(path)
    count, w, h, _ = read_back(path)
    assert count == 30
    assert (w, h) == even_size(size) == sink.out_size
    assert w % 2 == 0 and h % 2 == 0
    # Padding adds at most one pixel and keeps the picture where it was.
    assert w - size[0] in (0, 1) and h - size[1] in (0, 1)


def test_content_survives_encoding(tmp_path: Path) -> None:
    path = tmp_path / "content.mp4"
    src = frames(10, (320, 240))
    with VideoSink(path, 25.0, (320, 240)) as sink:
        for img in src:
            sink.write(img)
    cap = cv2.VideoCapture(str(path))
    for k in (0, 9):
        cap.set(cv2.CAP_PROP_POS_FRAMES, k)
        ok, got = cap.read()
        assert ok
        assert np.abs(got.astype(int) - src[k].astype(int)).mean() < 6  # lossy, but the same picture
    cap.release()


@needs_ffmpeg
def test_h264_browser_playable(tmp_path: Path) -> None:
    path = tmp_path / "web.mp4"
    with VideoSink(path, 29.97, (321, 241)) as sink:
        for img in frames(30, (321, 241)):
            sink.write(img)
    assert sink.codec == CODEC_FFMPEG
    _, _, _, fourcc = read_back(path)
    assert fourcc.lower() in ("avc1", "h264")
    stream = ffmpeg_stream_line(path)
    assert "h264" in stream and "yuv420p" in stream and "322x242" in stream
    boxes = top_level_boxes(path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # +faststart: index first


def test_exception_inside_with_still_leaves_playable_file(tmp_path: Path) -> None:
    path = tmp_path / "partial.mp4"
    with pytest.raises(RuntimeError, match="boom"), VideoSink(path, 30.0, (160, 120)) as sink:
        for k, img in enumerate(frames(30, (160, 120))):
            if k == 12:
                raise RuntimeError("boom")
            sink.write(img)
    assert path.is_file() and not leftovers(path)
    count, w, h, _ = read_back(path)
    assert (count, w, h) == (12, 160, 120)


def test_no_frames_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    with VideoSink(path, 30.0, (64, 48)) as sink:
        pass
    assert sink.close() is None
    assert not path.exists() and not leftovers(path)


def test_close_is_idempotent_and_write_after_close_fails(tmp_path: Path) -> None:
    path = tmp_path / "twice.mp4"
    sink = VideoSink(path, 30.0, (64, 48))
    sink.write(frames(1, (64, 48))[0])
    assert sink.close() == path
    assert sink.close() == path
    with pytest.raises(ValueError):
        sink.write(frames(1, (64, 48))[0])


def test_temp_file_exists_only_while_writing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "live.mp4"
    with VideoSink(path, 30.0, (64, 48)) as sink:
        for img in frames(5, (64, 48)):
            sink.write(img)
        assert not path.exists() and leftovers(path) == [sink.tmp]
    assert path.exists() and not leftovers(path)


def test_frames_of_another_size_are_resized(tmp_path: Path) -> None:
    path = tmp_path / "resized.mp4"
    with VideoSink(path, 30.0, (160, 120)) as sink:
        for img in frames(5, (320, 240)):
            sink.write(img)
    count, w, h, _ = read_back(path)
    assert (count, w, h) == (5, 160, 120)


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_in_the_terminal_still_leaves_playable_file(tmp_path: Path) -> None:
    """The terminal sends SIGINT to the whole foreground process group: the encoder must not
    die with it, so the interrupted writer can still finish the file."""
    path = tmp_path / "interrupted.mp4"
    script = textwrap.dedent(f"""
        import sys, time
        import numpy as np
        from formcheck.outputs.video import VideoSink
        with VideoSink({str(path)!r}, 30.0, (160, 120)) as sink:
            for k in range(10_000):
                sink.write(np.full((120, 160, 3), k % 255, np.uint8))
                if k == 20:
                    print("ready", flush=True)
                time.sleep(0.01)
    """)
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        os.killpg(child.pid, signal.SIGINT)  # what Ctrl-C does
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert "KeyboardInterrupt" in err
    assert path.is_file() and not leftovers(path)
    count, w, h, _ = read_back(path)
    assert count >= 21 and (w, h) == (160, 120)
