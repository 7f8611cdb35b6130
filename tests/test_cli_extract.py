"""`formcheck extract` as a user runs it: real clips, and every kind of bad input."""

from __future__ import annotations

import shutil

import pytest
from cli_helpers import formcheck, one_line_error

from formcheck.pipeline.models import PACKAGE_MODELS
from formcheck.pipeline.track import Track

SIDE_VIEW_PLANKS = [
    "plank/plank_forearm_side_man_darkstudio.mp4",
    "plank/plank_forearm_side_man_rooftop_a.mp4",
    "plank/plank_forearm_side_man_rooftop_b.mp4",
    "plank/plank_forearm_side_woman_backlit_room.mp4",
    "plank/plank_forearm_side_woman_home_timer_overlay.mp4",
    "plank/plank_high_leg_raises_woman_darebee.mp4",
    "plank/plank_high_shoulder_taps_woman_darebee.mp4",
]


@pytest.mark.parametrize("clip", SIDE_VIEW_PLANKS)
def test_extract_finds_the_person_in_nearly_every_frame_of_side_view_planks(videos, tmp_path, clip):
    out = tmp_path / "track.npz"
    result = formcheck("extract", str(videos / clip), "-o", str(out))
    assert result.returncode == 0, result.stderr
    track = Track.load(out)
    assert track.detection_rate >= 0.98
    assert f"person found in {track.detection_rate:.1%}" in result.stdout
    assert "ms/frame" in result.stdout
    assert track.meta["model"] == "full" and len(track.meta["model_sha256"]) == 64


def test_extract_a_folder_of_images(videos, tmp_path):
    import cv2

    from formcheck.pipeline.sources import VideoFileSource

    folder = tmp_path / "frames"
    folder.mkdir()
    with VideoFileSource(videos / SIDE_VIEW_PLANKS[0]) as source:
        for frame in source:
            if frame.index % 10 == 0:
                cv2.imwrite(str(folder / f"{frame.index:04d}.png"), frame.image)
    result = formcheck("extract", str(folder), "-o", str(tmp_path / "t.npz"))
    assert result.returncode == 0, result.stderr
    assert len(Track.load(tmp_path / "t.npz")) == 10


def test_missing_file(tmp_path):
    assert "no such file" in one_line_error(formcheck("extract", str(tmp_path / "nope.mp4")))


def test_text_file_renamed_mp4(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n" * 20)
    assert "not a video" in one_line_error(formcheck("extract", str(fake)))


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()
    assert "empty" in one_line_error(formcheck("extract", str(empty)))


def test_truncated_video_keeps_what_was_read(videos, tmp_path):
    clip = videos / SIDE_VIEW_PLANKS[4]
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # the moov atom is at the start of these files
    out = tmp_path / "cut.npz"
    result = formcheck("extract", str(cut), "-o", str(out))
    line = one_line_error(result)
    if "ended early" in line:  # decodable until the cut: the partial track is kept
        track = Track.load(out)
        assert 0 < len(track) < 195 and track.meta["partial"]
    else:  # the container index itself was cut off
        assert "not a video" in line


def test_unknown_model(tmp_path, videos):
    line = one_line_error(formcheck("extract", str(videos / SIDE_VIEW_PLANKS[0]), "--model", "huge"))
    assert "--model 'huge'" in line


def test_missing_bundled_model_says_how_to_rebuild(tmp_path, videos, monkeypatch):
    empty_models = tmp_path / "models"
    empty_models.mkdir()
    shutil.copy(PACKAGE_MODELS / "pose_landmarker_lite.task", empty_models)
    monkeypatch.setenv("FORMCHECK_MODELS", str(empty_models))
    line = one_line_error(formcheck("extract", str(videos / SIDE_VIEW_PLANKS[0])))
    assert "formcheck models build full" in line
