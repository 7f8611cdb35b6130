"""How well recognition names the exercise on the labelled clips: per clip, the share of its
in-position time recognised as the right exercise, each clip judged by a model trained without it
(leave-one-clip-out), and the hold-out clips by the shipped model, which never saw them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.recognition.model import NeighbourModel
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


def score_clips(table: dict[str, np.ndarray], only: set[str] | None = None) -> list[ClipScore]:
    classes = np.array([str(c) for c in table["classes"]])
    shipped = fit(table)
    scores = []
    for i, file in enumerate(str(f) for f in table["files"]):
        rows = table["clip"] == i
        exercise = classes[int(table["labels"][rows & table["scored"]][0])] if (rows & table["scored"]).any() else ""
        if only is not None and exercise not in only:
            continue
        held = file in HOLDOUT
        model = shipped if held else fit(table, exclude=(file,))
        path = recognise_samples(model, table["features"][rows], table["tests"][rows], table["times"][rows])
        scored = table["scored"][rows]
        scores.append(ClipScore(file, exercise, str(table["judgeable"][i]), held, classes[path[scored]]))
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
