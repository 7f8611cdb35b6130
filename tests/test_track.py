import numpy as np
import pytest

from formcheck.errors import FormcheckError
from formcheck.exercises.plank import plank_pose
from formcheck.lab.synthetic import hold, make_track
from formcheck.pipeline.track import Track


def test_roundtrip_keeps_arrays_mask_and_meta(tmp_path):
    track = make_track(hold(plank_pose(), 1.0) + [None] * 5 + hold(plank_pose(), 0.5))
    track.meta["model"] = "full"
    path = track.save(tmp_path / "t.npz")
    loaded = Track.load(path)
    assert np.array_equal(loaded.landmarks, track.landmarks, equal_nan=True)
    assert np.array_equal(loaded.timestamps_ms, track.timestamps_ms)
    assert (loaded.width, loaded.height, loaded.fps) == (1280, 720, 30.0)
    assert loaded.meta == track.meta
    assert loaded.detected.sum() == len(track) - 5 and not loaded.detected[30:35].any()
    assert np.isnan(loaded.landmarks[32]).all()  # missing frames are NaN, never zeros


def test_saved_file_needs_no_pickle(tmp_path):
    path = make_track(hold(plank_pose(), 0.2)).save(tmp_path / "t.npz")
    with np.load(path, allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


def test_write_is_atomic(tmp_path):
    make_track(hold(plank_pose(), 0.2)).save(tmp_path / "t.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["t.npz"]


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04garbage"])
def test_bad_track_files_give_one_clear_error(tmp_path, content):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(FormcheckError, match="not a formcheck track"):
        Track.load(path)


def test_mismatched_arrays_are_rejected():
    with pytest.raises(ValueError, match="disagree"):
        Track(np.zeros((3, 33, 4)), np.zeros((2, 33, 3)), np.zeros(3), 30.0, 10, 10)
