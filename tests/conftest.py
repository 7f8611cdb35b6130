"""Shared fixtures: where the real clips are, and their (committed or cached) landmark tracks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


# The tests read English output unless they ask for another language (a developer's LANG=de_DE
# must not change what they see); tests/test_i18n.py sets its own.
os.environ["FORMCHECK_LANG"] = "en"


def shared_videos() -> Path | None:
    """The labelled real clips: $FORMCHECK_SAMPLES, else ../shared/videos beside the checkout."""
    for candidate in (os.environ.get("FORMCHECK_SAMPLES"), REPO.parent / "shared" / "videos"):
        if candidate and (Path(candidate) / "labels.csv").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session", autouse=True)
def _throwaway_history(tmp_path_factory):
    """The runs tests make are recorded in a history of their own, never the user's (the
    commands they start inherit the variable)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("FORMCHECK_HISTORY", str(tmp_path_factory.mktemp("history") / "history.sqlite"))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def videos() -> Path:
    found = shared_videos()
    if found is None:
        pytest.skip("the real clips (../shared/videos or $FORMCHECK_SAMPLES) are not on this machine")
    return found


@pytest.fixture(scope="session")
def labels(videos: Path):
    from formcheck.lab.labels import read_labels

    return {label.file: label for label in read_labels(videos / "labels.csv")}


@pytest.fixture(scope="session")
def track_of(videos: Path):
    """The full-model track of a clip: committed (sample_videos/tracks), cached, or extracted."""
    from formcheck.pipeline.extract import track_for_video

    cache: dict[str, object] = {}

    def load(relpath: str):
        if relpath not in cache:
            cache[relpath] = track_for_video(videos / relpath)[0]
        return cache[relpath]

    return load
