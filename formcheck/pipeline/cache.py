"""Extracted tracks cached by video content and model, so the model runs once per clip.

Lookup order: the user cache (`$FORMCHECK_CACHE`, else `tracks/` in the user's cache folder, see
formcheck.paths), then the tracks committed with the project (`sample_videos/tracks/`, in a
checkout). New tracks go to the user cache.
A damaged entry (a crash mid-write on an old version, a full disk, a bad sector) costs one
extraction, never the run: it is dropped with a note and extracted again.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.paths import CHECKOUT_DIR, cache_dir
from formcheck.pipeline.models import ModelFile, file_sha256
from formcheck.pipeline.track import Track

PROJECT_TRACKS = CHECKOUT_DIR / "sample_videos" / "tracks"


def user_cache_dir() -> Path:
    env = os.environ.get("FORMCHECK_CACHE")
    return Path(env) if env else cache_dir() / "tracks"


def video_digest(path: str | os.PathLike[str]) -> str:
    return file_sha256(Path(path))


def track_file_name(video_sha256: str, model: ModelFile) -> str:
    stem = Path(model.name).stem
    return f"{video_sha256[:16]}-{stem}-{model.sha256[:8]}.npz"


class TrackCache:
    def __init__(self, dirs: list[Path] | None = None) -> None:
        self.dirs = dirs if dirs is not None else [user_cache_dir(), PROJECT_TRACKS]

    def find(self, video: str | os.PathLike[str], model: ModelFile, outline: bool = False) -> Track | None:
        """The cached track of this video and model; with `outline`, only one that has the
        silhouette's outline (the back's shape) too."""
        name = track_file_name(video_digest(video), model)
        for i, folder in enumerate(self.dirs):
            path = folder / name
            if path.is_file():
                try:
                    track = Track.load(path)
                except FormcheckError as exc:
                    self._discard(path, str(exc), owned=i == 0)
                    continue
                if not track.meta.get("partial") and (track.has_outline or not outline):
                    return track
        return None

    @staticmethod
    def _discard(path: Path, reason: str, owned: bool) -> None:
        """Drop a damaged entry from the user cache (committed tracks are the checkout's: only
        skipped) and say so on one line; the caller then extracts the clip again."""
        if owned:
            with contextlib.suppress(OSError):
                path.unlink()
        action = "discarded" if owned else "skipped"
        print(f"formcheck: note: damaged cached track {action}, extracting again: {reason}", file=sys.stderr)

    def store(self, video: str | os.PathLike[str], model: ModelFile, track: Track) -> Path | None:
        """Keep a complete track for next time; a partial one is never cached."""
        if track.meta.get("partial"):
            return None
        track.meta.setdefault("video_sha256", video_digest(video))
        path = self.dirs[0] / track_file_name(track.meta["video_sha256"], model)
        try:
            return track.save(path)
        except OSError:
            return None  # a read-only cache costs speed next time, never the result
