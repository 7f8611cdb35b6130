"""Rebuild the recognition model (a maintainer's tool):

    python -m formcheck.recognition.train ../shared/videos/labels.csv  # features from the tracks, then the model
    python -m formcheck.recognition.train                              # the model from the committed features

The features formcheck computes from `sample_videos/tracks/` are committed (`training.npz`, with
each sampled frame's label from labels.csv), so the model is rebuilt without the clips. Frames in a
labelled position span, or in a gap under GAP_S between two, are the clip's exercise; frames over
MARGIN_S from any span are "none" (getting ready, talking); the rest are left out. Every frame of
an exercise formcheck does not judge (pushups, squats: `sample_videos/tracks/not_judged/`) is "none".
HOLDOUT clips (chosen before any tuning) are never trained on: they are scored apart.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from formcheck.exercises import EXERCISES
from formcheck.lab.labels import ClipLabel, read_labels
from formcheck.pipeline.cache import PROJECT_TRACKS
from formcheck.pipeline.track import Track
from formcheck.recognition.features import exercises_for_recognition, frame_features
from formcheck.recognition.model import MODEL_PATH, NONE, NeighbourModel

DATA_PATH = Path(__file__).with_name("training.npz")
# Tracks of labelled clips formcheck does not judge (pushups, squats): what a set is not. Kept apart
# from the judged exercises' tracks, which formcheck.lab.sample_index maintains.
OTHER_TRACKS = PROJECT_TRACKS / "not_judged"
GAP_S = 3.0
MARGIN_S = 1.0
IGNORE = -1
HOLDOUT = (
    "plank/plank_forearm_side_man_rooftop_b.mp4",
    "glute_bridge/glute_bridge_side_woman_darebee.mp4",
    "cat_cow/cat_cow_side_man_home_white_sheet.mp4",
    "dead_bug/dead_bug_side_woman_concrete_wall_shutterstock.mp4",
)


def classes() -> tuple[str, ...]:
    return (NONE, *EXERCISES)  # an OTHER frame's label is one past these


def frame_labels(
    times: np.ndarray, spans: tuple[tuple[float, float], ...], label: int
) -> tuple[np.ndarray, np.ndarray]:
    """(training label per sample, in-position mask) from a clip's position spans."""
    inside = np.zeros(len(times), bool)
    for a, b in spans:
        inside |= (times >= a) & (times <= b)
    labels = np.full(len(times), IGNORE)
    near = np.zeros(len(times), bool)
    for a, b in spans:
        near |= (times >= a - MARGIN_S) & (times <= b + MARGIN_S)
    labels[~near] = 0
    ordered = sorted(spans)
    for (_, end), (start, _) in itertools.pairwise(ordered):
        if start - end < GAP_S:
            inside_gap = (times > end) & (times < start)
            labels[inside_gap] = label
    labels[inside] = label
    return labels, inside


def sample_track(label: ClipLabel) -> Track | None:
    """The committed sample track of a labelled clip (sample_videos/tracks), if there is one."""
    for folder in (PROJECT_TRACKS, OTHER_TRACKS):
        with (folder / "index.csv").open(newline="", encoding="utf-8") as f:
            tracks = {row["file"]: row["track"] for row in csv.DictReader(f)}
        if label.file in tracks:
            return Track.load(folder / tracks[label.file])
    return None


def save_other_tracks(labels_csv: Path) -> None:
    """Commit the cached tracks (with the outline) of the labelled clips of exercises formcheck
    does not judge, with their index (`formcheck extract` or analysing them fills the cache)."""
    from formcheck.lab.sample_index import INDEX_COLUMNS, write_csv
    from formcheck.pipeline.cache import TrackCache, track_file_name
    from formcheck.pipeline.models import file_sha256, resolve_model

    model, index = resolve_model("full"), []
    OTHER_TRACKS.mkdir(exist_ok=True)
    for label in read_labels(labels_csv):
        if label.exercise in EXERCISES:
            continue
        track = TrackCache().find(label.path, model, outline=True)
        if track is None:
            print(f"no cached track for {label.file}: run `formcheck extract` on it", file=sys.stderr)
            continue
        name = track_file_name(file_sha256(label.path), model)
        track.save(OTHER_TRACKS / name)
        rate = f"{track.detection_rate:.3f}"
        index.append({"file": label.file, "track": name, "frames": str(len(track)), "detection_rate": rate})
    write_csv(OTHER_TRACKS / "index.csv", INDEX_COLUMNS, index)


def build_table(
    labels_csv: Path, track_of: Callable[[ClipLabel], Track | None] = sample_track
) -> dict[str, np.ndarray]:
    """Every labelled clip of a registered exercise that has a track: its sampled frames' features,
    position tests, labels and times."""
    names = classes()
    exercises = exercises_for_recognition()
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("features", "tests", "labels", "scored", "times", "clip")}
    files, judgeable = [], []
    for label in read_labels(labels_csv):
        track = track_of(label)
        if track is None:
            continue
        frames, features, tests = frame_features(track, exercises)
        times = track.times_s[frames]
        own = names.index(label.exercise) if label.exercise in names else len(names)  # a pushup: OTHER
        labels, scored = frame_labels(times, label.position_spans, own)
        if own == len(names):
            labels[:] = own
        labels[np.isnan(features).all(axis=1)] = IGNORE  # nobody seen: nothing to learn
        for key, value in zip(
            parts, (features, tests, labels, scored, times, np.full(len(frames), len(files))), strict=True
        ):
            parts[key].append(value)
        files.append(label.file)
        judgeable.append(label.judgeable)
    table = {k: np.concatenate(v) for k, v in parts.items()}
    table["files"], table["judgeable"], table["classes"] = np.array(files), np.array(judgeable), np.array(names)
    return table


def load_table(path: Path = DATA_PATH) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def fit(table: dict[str, np.ndarray], exclude: tuple[str, ...] = ()) -> NeighbourModel:
    """The model trained on every labelled frame of the table's clips except `exclude` and HOLDOUT."""
    files = [str(f) for f in table["files"]]
    left_out = [i for i, f in enumerate(files) if f in exclude or f in HOLDOUT]
    keep = (table["labels"] != IGNORE) & ~np.isin(table["clip"], left_out)
    return NeighbourModel.fit(
        tuple(str(c) for c in table["classes"]),
        table["features"][keep],
        table["tests"][keep],
        table["labels"][keep],
        table["clip"][keep],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m formcheck.recognition.train", description=__doc__.split("\n")[0])
    parser.add_argument(
        "labels", nargs="?", type=Path, help="labels.csv: recompute the features from the sample tracks"
    )
    parser.add_argument("--save-other-tracks", action="store_true", help="first commit the other exercises' tracks")
    args = parser.parse_args(argv)
    if args.save_other_tracks and args.labels is not None:
        save_other_tracks(args.labels)
    if args.labels is not None:
        np.savez_compressed(DATA_PATH, **build_table(args.labels))
        print(f"wrote {DATA_PATH}")
    fit(load_table()).save(MODEL_PATH)
    print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
