"""The track cache: concurrent writers never corrupt an entry, and a damaged entry heals itself."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from formcheck.exercises.plank import plank_pose
from formcheck.lab.synthetic import hold, make_track
from formcheck.pipeline.cache import TrackCache, track_file_name, video_digest
from formcheck.pipeline.models import ModelFile


@pytest.fixture
def setup(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not really a video, but it has a digest")
    model = ModelFile("full", tmp_path / "full.task", "ab" * 32)
    cache = TrackCache([tmp_path / "user", tmp_path / "project"])
    return cache, video, model


def entry(cache, video, model, folder=0):
    return cache.dirs[folder] / track_file_name(video_digest(video), model)


def damage(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    path.write_bytes(bytes(data))


def test_a_stored_track_is_found(setup):
    cache, video, model = setup
    track = make_track(hold(plank_pose(), 0.5))
    cache.store(video, model, track)
    assert np.array_equal(cache.find(video, model).landmarks, track.landmarks)


@pytest.mark.parametrize("content", [None, b"", b"PK\x03\x04garbage"])
def test_a_damaged_entry_is_discarded_with_a_one_line_note(setup, capsys, content):
    cache, video, model = setup
    cache.store(video, model, make_track(hold(plank_pose(), 0.5)))
    path = entry(cache, video, model)
    if content is None:
        damage(path)  # a bad CRC or deflate stream
    else:
        path.write_bytes(content)
    assert cache.find(video, model) is None  # so the caller extracts again
    note = capsys.readouterr().err.splitlines()
    assert len(note) == 1 and str(path) in note[0] and "extract" in note[0] and "Traceback" not in note[0]
    assert not path.exists()
    cache.store(video, model, make_track(hold(plank_pose(), 0.5)))  # the new extraction heals it
    assert cache.find(video, model) is not None and capsys.readouterr().err == ""


def test_a_damaged_committed_track_is_skipped_not_deleted(setup, capsys):
    cache, video, model = setup
    path = entry(cache, video, model, folder=1)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04garbage")
    assert cache.find(video, model) is None
    assert str(path) in capsys.readouterr().err and path.exists()


def _store(cache, video, model, track, start, errors):
    start.wait()
    try:
        assert cache.store(video, model, track) is not None
    except BaseException as exc:  # surfaced by the test: a thread's failure must fail it
        errors.append(exc)


def test_concurrent_writers_of_one_entry_always_leave_a_loadable_track(setup):
    """Two analyses of one clip finish together: before, both wrote one `.part` (a bad CRC)."""
    cache, video, model = setup
    tracks = [make_track(hold(plank_pose(), seconds), jitter_px=1.0, seed=i) for i, seconds in enumerate((8, 9, 10))]
    for _ in range(4):
        start = threading.Barrier(len(tracks))
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_store, args=(cache, video, model, t, start, errors)) for t in tracks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        found = cache.find(video, model)
        assert found is not None and any(len(found) == len(t) for t in tracks)
        assert [p.name for p in cache.dirs[0].iterdir()] == [entry(cache, video, model).name]  # no temp left
