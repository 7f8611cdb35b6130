"""The learned half of recognition: nearest neighbours among labelled frames of the sample tracks.

The model is the training table itself (standardised features and each frame's exercise, with a
weight so every clip counts alike), saved as a small .npz beside this module; `train.py` rebuilds
it from the committed features. Neighbours vote; a frame whose neighbours disagree is unsure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import FormcheckError

MODEL_PATH = Path(__file__).with_name("model.npz")
NONE = "none"
OTHER = "other"  # training label only: an exercise formcheck does not judge (recognised as none)
K = 20
POSITION_WEIGHT = 1.0
PRIOR = 0.6
NONE_WEIGHT = 0.03
UNTESTED = 0.3


@dataclass
class NeighbourModel:
    classes: tuple[str, ...]  # NONE first, then exercises
    mean: np.ndarray  # F
    scale: np.ndarray  # F
    points: np.ndarray  # N x (F + E) standardised features, then position tests
    labels: np.ndarray  # N class indices
    weights: np.ndarray  # N vote weights (each clip's frames add up to one)

    @classmethod
    def fit(
        cls, classes: tuple[str, ...], features: np.ndarray, tests: np.ndarray, labels: np.ndarray, clip: np.ndarray
    ) -> NeighbourModel:
        mean = np.nanmean(features, axis=0)
        scale = np.nanstd(features, axis=0) + 1e-9
        counts = np.bincount(clip)
        weights = 1.0 / counts[clip]
        model = cls(classes, mean, scale, np.zeros((0, 0)), labels.astype(np.int16), weights)
        model.points = model.embed(features, tests).astype(np.float32)
        return model

    def embed(self, features: np.ndarray, tests: np.ndarray) -> np.ndarray:
        z = np.nan_to_num((features - self.mean) / self.scale, nan=0.0)
        return np.concatenate([z, POSITION_WEIGHT * tests], axis=1)

    def probabilities(self, features: np.ndarray, tests: np.ndarray) -> np.ndarray:
        """N x C: the neighbours' votes, where the exercise modules allow. An exercise whose own
        position test fails gets no vote; one whose test passes gets a share PRIOR even if no
        neighbour is like it (an exercise or a person the training clips do not show)."""
        votes = self.votes(features, tests)
        other = votes[:, -1:]  # frames of another exercise (a pushup): "none", at full weight
        votes = votes[:, :-1]
        # "none" is a rest or a transition: certain where no exercise's position test passes, else
        # its votes count for less (people get ready in poses much like the exercise's own).
        none = np.where(tests.any(axis=1, keepdims=True), NONE_WEIGHT, np.inf)
        allowed = np.concatenate([none, np.maximum(tests, UNTESTED)], axis=1)
        prior = np.concatenate([np.zeros((len(tests), 1)), tests], axis=1)
        prior /= np.maximum(1.0, tests.sum(axis=1, keepdims=True))
        votes[:, :1] = np.where(tests.any(axis=1, keepdims=True), votes[:, :1], 1.0)
        p = votes * np.minimum(allowed, 1e6) + PRIOR * prior
        p[:, 0] += other[:, 0]
        return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-12)

    def votes(self, features: np.ndarray, tests: np.ndarray) -> np.ndarray:
        """N x (C + 1): the weighted share of each class among the K nearest training frames, and
        last, of frames of exercises formcheck does not judge (label OTHER)."""
        q = self.embed(features, tests)
        out = np.zeros((len(q), len(self.classes) + 1))
        if not len(q):
            return out
        p = self.points
        # squared distances less each query's own |q|^2, which ranks nothing; float32 is plenty
        d = (p * p).sum(1)[None, :] - 2 * (q.astype(np.float32) @ p.T)
        k = min(K, len(p))
        near = np.argpartition(d, k - 1, axis=1)[:, :k]
        cells = np.arange(len(q))[:, None] * out.shape[1] + self.labels[near]
        out = np.bincount(cells.ravel(), self.weights[near].ravel(), minlength=out.size).reshape(out.shape)
        return out / out.sum(1, keepdims=True)

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            mean=self.mean,
            scale=self.scale,
            points=self.points,
            labels=self.labels,
            weights=self.weights,
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> NeighbourModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(
                    tuple(str(c) for c in z["classes"]),
                    z["mean"],
                    z["scale"],
                    z["points"].astype(np.float32),
                    z["labels"],
                    z["weights"],
                )
        except (OSError, KeyError, ValueError) as exc:
            raise FormcheckError(f"{path}: cannot read the recognition model ({exc})") from None
