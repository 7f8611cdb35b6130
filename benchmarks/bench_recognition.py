"""What recognising the exercise (`--exercise auto`) costs next to re-judging a cached track.

On the longest committed sample tracks, best of three, in the same run: re-judging as a user does
it (`formcheck analyze track.npz --exercise NAME --no-video`: load, judge, report, frames.csv,
timeline) and the judgement alone (`judge_track`), against `recognise` (features and every
exercise's position test on 2.5 frames a second, neighbours, sets). The target: recognition adds at
most 10% to re-judging.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from common import best_of, machine

from formcheck.app.analyze import AnalyzeOptions, analyze_one
from formcheck.judging.session import judge_track, make_exercise
from formcheck.lab.labels import read_labels
from formcheck.lab.samples import find_sample
from formcheck.pipeline.cache import PROJECT_TRACKS
from formcheck.pipeline.track import Track
from formcheck.recognition.recognise import recognise

LONGEST = 8


def main() -> None:
    print(f"recognition benchmark ({machine()})")
    with (PROJECT_TRACKS / "index.csv").open() as f:
        rows = sorted(csv.DictReader(f), key=lambda r: -int(r["frames"]))[:LONGEST]
    labels_csv = find_sample("labels.csv")
    exercises = {}
    if labels_csv is not None:
        exercises = {lab.file: lab.exercise for lab in read_labels(labels_csv)}
    recognise(Track.load(PROJECT_TRACKS / rows[0]["track"]))  # load the model and exercises once
    totals = {"analyze": 0.0, "judge": 0.0, "recognise": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for row in rows:
            path = PROJECT_TRACKS / row["track"]
            name = exercises.get(row["file"], row["file"].split("/")[0])
            track, exercise = Track.load(path), make_exercise(name)
            opts = AnalyzeOptions(exercise=name, out=Path(tmp), video=False, progress=False)
            figures = {
                "analyze": best_of(lambda p=path, o=opts: analyze_one(p, o)),
                "judge": best_of(lambda t=track, e=exercise: judge_track(t, e)),
                "recognise": best_of(lambda t=track: recognise(t)),
            }
            for key, value in figures.items():
                totals[key] += value
            print(
                f"  {name:15} {len(track):5d} frames: re-judge (analyze .npz) {figures['analyze'] * 1000:7.1f} ms, "
                f"judge alone {figures['judge'] * 1000:6.1f} ms, recognise {figures['recognise'] * 1000:6.1f} ms"
            )
    print(
        f"  recognition / re-judging a cached track: {totals['recognise'] / totals['analyze']:.1%} "
        f"(target <= 10%); / the judgement alone: {totals['recognise'] / totals['judge']:.1%}"
    )


if __name__ == "__main__":
    main()
