"""Recognise the exercise over a track: per sampled frame the class (an exercise or "none") and
how sure the neighbours were, and the sets it makes (one exercise, start to end)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from formcheck.exercises.base import Exercise
from formcheck.pipeline.track import Track
from formcheck.recognition.features import exercises_for_recognition, frame_features
from formcheck.recognition.model import NONE, NeighbourModel
from formcheck.recognition.sets import runs, smooth


@dataclass(frozen=True)
class RecognisedSet:
    exercise: str
    start: int  # first frame of the track
    stop: int  # one past its last frame
    start_s: float
    end_s: float
    confidence: float  # the mean share of the neighbours' votes for it over the set

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Recognition:
    classes: tuple[str, ...]
    frames: np.ndarray  # the sampled frames of the track
    times_s: np.ndarray  # their times
    path: np.ndarray  # per sample, the class of the set it belongs to (0: none)
    confidence: np.ndarray  # per sample, the probability of that class before smoothing
    n_frames: int
    frame_times_s: np.ndarray

    def per_frame(self) -> tuple[list[str], np.ndarray]:
        """Every track frame's class name and confidence (each sample holds until the next)."""
        owner = np.clip(np.searchsorted(self.frames, np.arange(self.n_frames), side="right") - 1, 0, None)
        if not len(self.frames):
            return [NONE] * self.n_frames, np.zeros(self.n_frames)
        return [self.classes[c] for c in self.path[owner]], self.confidence[owner]

    def sets(self) -> list[RecognisedSet]:
        out = []
        for seg in runs(self.path):
            if seg.label == 0:
                continue
            start = int(self.frames[seg.start])
            stop = int(self.frames[seg.stop]) if seg.stop < len(self.frames) else self.n_frames
            end_s = float(self.frame_times_s[stop - 1])
            conf = float(self.confidence[seg.start : seg.stop].mean())
            out.append(
                RecognisedSet(self.classes[seg.label], start, stop, float(self.frame_times_s[start]), end_s, conf)
            )
        return out

    def seen(self) -> dict[str, float]:
        """Seconds recognised per exercise, most first."""
        totals: dict[str, float] = {}
        for s in self.sets():
            totals[s.exercise] = totals.get(s.exercise, 0.0) + s.duration_s
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


@cache
def _model() -> NeighbourModel:
    return NeighbourModel.load()


@cache
def _exercises() -> dict[str, Exercise]:
    return exercises_for_recognition()


def recognise(track: Track, model: NeighbourModel | None = None) -> Recognition:
    model = model or _model()
    frames, features, tests = frame_features(track, _exercises())
    times = track.times_s[frames]
    prob = model.probabilities(features, tests)
    path = smooth(prob, times)
    confidence = prob[np.arange(len(path)), path] if len(path) else np.zeros(0)
    return Recognition(model.classes, frames, times, path, confidence, len(track), track.times_s)
