"""From per-frame class probabilities to sets: a sticky Viterbi path (switching costs as much as a
couple of seconds of contrary evidence, so a brief doubt does not split a set), then any stretch
shorter than MIN_SET_S becomes "none" (transitions, rests, a pose passed through)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_SET_S = 2.0  # shorter than this is a transition or a rest, not a set
SWITCH_LOG_COST = 8  # nats to change class: about 2 s (10 samples) of 3:1 evidence against
FLOOR = 0.02  # a class no neighbour voted for is unlikely, not impossible


@dataclass(frozen=True)
class Segment:
    label: int  # class index (0 = none)
    start: int  # first sample
    stop: int  # one past the last sample


def viterbi(prob: np.ndarray) -> np.ndarray:
    """The most likely class per sample given N x C probabilities and a fixed switching cost."""
    n, c = prob.shape
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    logp = np.log(prob + FLOOR)
    score = logp[0].copy()
    back = np.zeros((n, c), dtype=np.intp)
    for i in range(1, n):
        best = int(np.argmax(score))
        switch = score[best] - SWITCH_LOG_COST
        stay = score >= switch
        back[i] = np.where(stay, np.arange(c), best)
        score = np.where(stay, score, switch) + logp[i]
    path = np.zeros(n, dtype=np.intp)
    path[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def runs(path: np.ndarray) -> list[Segment]:
    if not len(path):
        return []
    edges = np.flatnonzero(np.diff(path)) + 1
    starts = np.concatenate([[0], edges])
    stops = np.concatenate([edges, [len(path)]])
    return [Segment(int(path[a]), int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def smooth(prob: np.ndarray, times_s: np.ndarray, min_set_s: float = MIN_SET_S) -> np.ndarray:
    """Per sample, the class of the set it belongs to (0 where none)."""
    path = viterbi(prob)
    for seg in runs(path):
        end = (
            times_s[seg.stop]
            if seg.stop < len(times_s)
            else times_s[-1] + (times_s[-1] - times_s[0]) / max(1, len(times_s) - 1)
        )
        if seg.label and end - times_s[seg.start] < min_set_s:
            path[seg.start : seg.stop] = 0
    return path
