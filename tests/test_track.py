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


def track_fields(**changes):
    """The arrays of a valid saved track, with some replaced (None drops the field)."""
    track = make_track(hold(plank_pose(), 0.2) + [None] * 2)
    fields = {
        "format": np.int64(1),
        "landmarks": track.landmarks,
        "world": track.world,
        "timestamps_ms": track.timestamps_ms,
        "fps": np.float64(30.0),
        "size": np.array([1280, 720], dtype=np.int64),
        "meta": np.frombuffer(b'{"model": "full"}', dtype=np.uint8),
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def write_npz(path, **changes):
    with path.open("wb") as f:
        np.savez(f, **track_fields(**changes))
    return path


def test_the_valid_fields_load(tmp_path):
    track = Track.load(write_npz(tmp_path / "t.npz"))
    assert (len(track), track.fps, track.width, track.meta) == (8, 30.0, 1280, {"model": "full"})


def test_an_empty_track_still_loads(tmp_path):
    empty = make_track([])
    assert len(Track.load(empty.save(tmp_path / "t.npz"))) == 0


_T = 8
BAD_FIELDS = {
    "fps zero": ({"fps": np.float64(0.0)}, "fps"),
    "fps negative": ({"fps": np.float64(-30.0)}, "fps"),
    "fps NaN": ({"fps": np.float64(np.nan)}, "fps"),
    "fps inf": ({"fps": np.float64(np.inf)}, "fps"),
    "fps a vector": ({"fps": np.array([30.0, 25.0])}, "fps"),
    "fps a string": ({"fps": np.array("30")}, "fps"),
    "fps complex": ({"fps": np.complex128(30)}, "fps"),
    "size 2-D": ({"size": np.array([[1280, 720]])}, "size"),
    "size of 3": ({"size": np.array([1280, 720, 3])}, "size"),
    "size zero": ({"size": np.array([0, 0])}, "size"),
    "size negative": ({"size": np.array([-1280, 720])}, "size"),
    "size floats": ({"size": np.array([1280.5, 720.0])}, "size"),
    "size a scalar": ({"size": np.int64(1280)}, "size"),
    "format a string": ({"format": np.array("1")}, "format"),
    "format 2": ({"format": np.int64(2)}, "track format 2"),
    "landmarks structured": (
        {"landmarks": np.zeros((_T, 33), dtype=[("x", "f4"), ("y", "f4"), ("z", "f4"), ("v", "f4")])},
        "landmarks",
    ),
    "landmarks ints": ({"landmarks": np.zeros((_T, 33, 4), dtype=np.int64)}, "landmarks"),
    "landmarks strings": ({"landmarks": np.full((_T, 33, 4), "a")}, "landmarks"),
    "landmarks inf": ({"landmarks": np.full((_T, 33, 4), np.inf, dtype=np.float32)}, "landmarks"),
    "landmarks wrong shape": ({"landmarks": np.zeros((_T, 17, 4), dtype=np.float32)}, "landmarks"),
    "world wrong length": ({"world": np.zeros((_T - 1, 33, 3), dtype=np.float32)}, "world"),
    "world complex": ({"world": np.zeros((_T, 33, 3), dtype=np.complex64)}, "world"),
    "timestamps reversed": ({"timestamps_ms": np.arange(_T, dtype=np.float64)[::-1] * 33.3}, "timestamps"),
    "timestamps repeated": ({"timestamps_ms": np.zeros(_T)}, "timestamps"),
    "timestamps NaN": ({"timestamps_ms": np.full(_T, np.nan)}, "timestamps"),
    "timestamps 2-D": ({"timestamps_ms": np.zeros((_T, 1))}, "timestamps"),
    "timestamps too few": ({"timestamps_ms": np.arange(3.0)}, "disagree"),
    "meta a list": ({"meta": np.frombuffer(b"[1, 2]", dtype=np.uint8)}, "meta"),
    "meta not JSON": ({"meta": np.frombuffer(b"{nope", dtype=np.uint8)}, "meta"),
    "meta not UTF-8": ({"meta": np.frombuffer(b'{"a": "\xff"}', dtype=np.uint8)}, "meta"),
    "meta floats": ({"meta": np.zeros(4)}, "meta"),
    "meta deeply nested": ({"meta": np.frombuffer(b"[" * 100_000, dtype=np.uint8)}, "meta"),
    "no fps": ({"fps": None}, "missing fps"),
    "no landmarks": ({"landmarks": None}, "missing landmarks"),
}


@pytest.mark.parametrize("case", BAD_FIELDS)
def test_every_field_is_checked_with_one_line(tmp_path, case):
    changes, message = BAD_FIELDS[case]
    path = write_npz(tmp_path / "t.npz", **changes)
    with pytest.raises(FormcheckError, match=message) as info:
        Track.load(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and "\n" not in text and len(text) < 300
    assert "not a formcheck track" in text or "track format 2, expected 1" in text


def test_a_plain_npy_file_is_refused(tmp_path):
    path = tmp_path / "t.npy"
    np.save(path, np.zeros((3, 33, 4)))
    with pytest.raises(FormcheckError, match=r"not a formcheck track \(a plain \.npy array"):
        Track.load(path)


def test_a_pickled_field_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    with path.open("wb") as f:
        np.savez(f, **track_fields(meta=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(FormcheckError, match="not a formcheck track"):
        Track.load(path)


def test_a_folder_is_not_a_track(tmp_path):
    with pytest.raises(FormcheckError, match="no such track file"):
        Track.load(tmp_path)


def test_a_corrupt_member_is_refused(tmp_path):
    """A bad CRC or broken deflate stream (what two writers sharing one temp file left)."""
    path = make_track(hold(plank_pose(), 1.0)).save(tmp_path / "t.npz")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(FormcheckError, match="not a formcheck track"):
        Track.load(path)


def test_saves_use_unique_temp_names(tmp_path, monkeypatch):
    """Two writers of one path must never share a temp file: each gets its own in the same folder."""
    seen = []
    real_replace = __import__("os").replace

    def spy(src, dst):
        seen.append(__import__("pathlib").Path(src))
        return real_replace(src, dst)

    monkeypatch.setattr("os.replace", spy)
    track = make_track(hold(plank_pose(), 0.2))
    track.save(tmp_path / "t.npz")
    track.save(tmp_path / "t.npz")
    assert len(seen) == 2 and seen[0] != seen[1] and all(p.parent == tmp_path for p in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["t.npz"]


def test_a_failed_save_leaves_no_temp_file(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", broken)
    with pytest.raises(OSError, match="disk full"):
        make_track(hold(plank_pose(), 0.2)).save(tmp_path / "t.npz")
    assert list(tmp_path.iterdir()) == []


def test_every_committed_track_still_loads():
    """The checks refuse nothing formcheck itself has written (the tracks committed with the project)."""
    from formcheck.pipeline.cache import PROJECT_TRACKS

    paths = sorted(PROJECT_TRACKS.glob("*.npz"))
    if not paths:
        pytest.skip("no committed tracks in this checkout")
    for path in paths:
        assert len(Track.load(path)) > 0, path


def test_a_mangled_array_header_is_refused(tmp_path):
    """numpy's header parser raises tokenize/syntax errors on some damage (found by fuzzing)."""
    import zipfile

    good = make_track(hold(plank_pose(), 0.2)).save(tmp_path / "good.npz")
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4, }"
    header += b" " * (63 - len(header) % 64) + b"\n"
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "landmarks.npy":
                data = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + bytes(48)
            out.writestr(name, data)
    with pytest.raises(FormcheckError, match="not a formcheck track") as info:
        Track.load(bad)
    assert "\n" not in str(info.value)
