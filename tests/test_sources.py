"""Frame sources: timestamps from the container, upright portrait clips, clear errors."""

from __future__ import annotations

import subprocess

import cv2
import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.pipeline.sources import CameraSource, ImageFolderSource, VideoFileSource, open_source, prefetch

CLIP = "plank/plank_forearm_side_man_rooftop_a.mp4"  # 1280x720, 29.97 fps, 77 frames


def test_video_frames_carry_container_timestamps(videos):
    with VideoFileSource(videos / CLIP) as source:
        frames = list(source)
        assert source.info.width == 1280 and source.info.height == 720
    assert len(frames) == 77
    stamps = np.array([f.timestamp_ms for f in frames])
    assert stamps[0] == 0 and (np.diff(stamps) > 0).all()
    assert np.diff(stamps).mean() == pytest.approx(1000 / 29.97, abs=0.1)


def test_rotation_metadata_is_honoured(videos, tmp_path):
    """A phone clip stored landscape with 'rotate 90' metadata must come out portrait."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    rotated = tmp_path / "phone.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-display_rotation",
            "90",
            "-i",
            str(videos / CLIP),
            "-c",
            "copy",
            str(rotated),
        ],
        check=True,
        timeout=60,
    )
    with VideoFileSource(rotated) as source:
        first = next(iter(source))
        assert (source.info.width, source.info.height) == (720, 1280)
    assert first.image.shape[:2] == (1280, 720)
    with VideoFileSource(videos / CLIP) as source:
        original = next(iter(source)).image
    # the content is the original turned a quarter, not just a resized frame
    turned = [cv2.rotate(original, code) for code in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE)]
    errors = [np.abs(first.image.astype(int) - t.astype(int)).mean() for t in turned]
    assert min(errors) < 8


def test_image_folder_in_name_order(tmp_path):
    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"frame{i}.png"), np.full((48, 64, 3), i * 50, np.uint8))
    (tmp_path / "notes.txt").write_text("ignored")
    with open_source(tmp_path) as source:
        frames = list(source)
    assert [int(f.image[0, 0, 0]) for f in frames] == [0, 50, 100]
    assert [f.timestamp_ms for f in frames] == pytest.approx([0, 33.33, 66.67], abs=0.01)


def test_empty_folder(tmp_path):
    with pytest.raises(FormcheckError, match="no images"):
        ImageFolderSource(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"), [(None, "no such file"), (b"", "empty"), (b"hello world" * 100, "not a video")]
)
def test_bad_video_files(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FormcheckError, match=message):
        VideoFileSource(path)


def test_no_camera_is_one_clear_error():
    with pytest.raises(FormcheckError, match="camera 9 cannot be opened"):
        CameraSource(9)


def test_prefetch_keeps_order_and_passes_errors_on(videos):
    with VideoFileSource(videos / CLIP) as source:
        indices = [f.index for f in prefetch(source)]
    assert indices == list(range(77))

    def broken():
        yield from (object(), object())
        raise FormcheckError("the file broke")

    with pytest.raises(FormcheckError, match="the file broke"):
        list(prefetch(broken()))
