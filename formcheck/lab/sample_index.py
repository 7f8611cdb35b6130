"""Keep sample_videos/ in step with the labelled clips (a maintainer's tool, not a user's).

    python -m formcheck.lab.sample_index ../shared/videos [--extract]

For every labelled clip of an exercise formcheck judges: its manifest row (where it came from,
pinned by sha256, from the clips' own MANIFEST.csv) and its committed landmark track (with the
silhouette's outline; `--extract` runs the pose model where the cache has no such track yet) with
the track index. expected.md stays hand-written: it is the labels, summarised for people.
"""

from __future__ import annotations

import argparse
import csv
import sys
import urllib.parse
from pathlib import Path

from formcheck.exercises import EXERCISES
from formcheck.files import atomic_write
from formcheck.lab.labels import ClipLabel, read_labels
from formcheck.lab.samples import DEFAULT_MANIFEST, MANIFEST_COLUMNS
from formcheck.pipeline.cache import PROJECT_TRACKS, TrackCache, track_file_name
from formcheck.pipeline.extract import track_for_video
from formcheck.pipeline.models import file_sha256, resolve_model

INDEX_COLUMNS = ("file", "track", "frames", "detection_rate")


def manifest_row(label: ClipLabel, source: dict[str, str], sha256: str) -> dict[str, str]:
    url_path = urllib.parse.quote(source["source_path"], safe="/")
    notes = f"variant {label.variant}; " if label.variant else ""
    notes += f"{label.view} view; judgeable {label.judgeable}; "
    fps = f"{float(source['fps']):.3f}".rstrip("0").removesuffix(".") or "0"
    fps += ".0" if "." not in fps else ""
    notes += f"{float(source['seconds']):.2f} s, {source['width']}x{source['height']} @ {fps} fps"
    return {
        "file": label.file,
        "exercise": label.exercise,
        "sha256": sha256,
        "url": f"https://raw.githubusercontent.com/{source['source_repo']}/{source['source_commit']}/{url_path}",
        "source": f"{source['source_repo']}@{source['source_commit']}:{source['source_path']}",
        "license": source["source_license"],
        "notes": notes,
    }


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with atomic_write(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["file"]))


def refresh(videos: Path, extract: bool) -> int:
    """Rewrite the manifest, tracks and index; returns how many clips still lack a track."""
    with (videos / "MANIFEST.csv").open(newline="", encoding="utf-8") as f:
        sources = {r["file"]: r for r in csv.DictReader(f)}
    model = resolve_model("full")
    cache = TrackCache()
    manifest, index, missing = [], [], 0
    for label in read_labels(videos / "labels.csv"):
        if label.exercise not in EXERCISES:
            continue
        sha256 = file_sha256(label.path)
        manifest.append(manifest_row(label, sources[label.file], sha256))
        track = track_for_video(label.path, model, cache, outline=True)[0] if extract else None
        track = track or cache.find(label.path, model, outline=True)
        if track is None:
            print(f"no track with an outline for {label.file} (run with --extract)", file=sys.stderr)
            missing += 1
            continue
        name = track_file_name(sha256, model)
        track.save(PROJECT_TRACKS / name)
        rate = f"{track.detection_rate:.3f}"
        index.append({"file": label.file, "track": name, "frames": str(len(track)), "detection_rate": rate})
    write_csv(DEFAULT_MANIFEST, MANIFEST_COLUMNS, manifest)
    write_csv(PROJECT_TRACKS / "index.csv", INDEX_COLUMNS, index)
    kept = {row["track"] for row in index}
    for stale in PROJECT_TRACKS.glob("*.npz"):
        if stale.name not in kept:
            stale.unlink()
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m formcheck.lab.sample_index", description=__doc__.split("\n")[0])
    parser.add_argument("videos", type=Path, help="the labelled clips' folder (labels.csv, MANIFEST.csv)")
    parser.add_argument("--extract", action="store_true", help="run the pose model where no track is cached")
    args = parser.parse_args(argv)
    return 1 if refresh(args.videos, args.extract) else 0


if __name__ == "__main__":
    sys.exit(main())
