"""How well recognition names the exercise on the labelled clips: per clip, the share of its
in-position time recognised as the right exercise, each clip judged by a model trained without it
(leave-one-clip-out), and the hold-out clips by the shipped model, which never saw them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.recognition.model import NONE, NeighbourModel
from formcheck.recognition.sets import smooth
from formcheck.recognition.train import HOLDOUT, fit


@dataclass
class ClipScore:
    file: str
    exercise: str
    judgeable: str
    holdout: bool
    in_position: np.ndarray  # per in-position sample, the recognised class name

    @property
    def accuracy(self) -> float:
        return float((self.in_position == self.exercise).mean()) if len(self.in_position) else float("nan")

    @property
    def recognised(self) -> str:
        """The class recognised most over the in-position spans."""
        if not len(self.in_position):
            return ""
        names, counts = np.unique(self.in_position, return_counts=True)
        return str(names[np.argmax(counts)])


def recognise_samples(model: NeighbourModel, features: np.ndarray, tests: np.ndarray, times: np.ndarray) -> np.ndarray:
    return smooth(model.probabilities(features, tests), times)


def score_clips(train: dict[str, np.ndarray], clips: dict[str, np.ndarray] | None = None) -> list[ClipScore]:
    """Score every clip of `clips` (default: the training table itself): a clip the training table
    has is recognised by a model trained without it, any other (and the hold-outs) by the shipped one."""
    clips = train if clips is None else clips
    classes = np.array([str(c) for c in clips["classes"]])
    trained_on = {str(f) for f in train["files"]}
    shipped = fit(train)
    scores = []
    for i, file in enumerate(str(f) for f in clips["files"]):
        rows = clips["clip"] == i
        scored = clips["scored"][rows]
        label = int(clips["labels"][rows][scored][0]) if scored.any() else -1
        exercise = classes[label] if 0 <= label < len(classes) else NONE  # another exercise: none expected
        held = file in HOLDOUT
        model = fit(train, exclude=(file,)) if file in trained_on and not held else shipped
        path = recognise_samples(model, clips["features"][rows], clips["tests"][rows], clips["times"][rows])
        scores.append(ClipScore(file, exercise, str(clips["judgeable"][i]), held, classes[path[scored]]))
    return scores


def confusion(scores: list[ClipScore], classes: tuple[str, ...]) -> np.ndarray:
    """Rows: the labelled exercise; columns: the recognised class; in-position samples."""
    index = {c: i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for s in scores:
        for name in s.in_position:
            matrix[index[s.exercise], index[str(name)]] += 1
    return matrix


def overall(scores: list[ClipScore]) -> float:
    total = sum(len(s.in_position) for s in scores)
    right = sum(int((s.in_position == s.exercise).sum()) for s in scores)
    return right / total if total else float("nan")
