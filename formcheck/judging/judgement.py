"""What judging produced, as plain records the outputs read (they never run a session)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from formcheck.exercises.base import Exercise, PoseFrames, Signals
from formcheck.judging.judge import Judge
from formcheck.judging.records import FrameState


@dataclass
class Judgement:
    """Everything an offline run produced: the signals, one state per frame, and the judge."""

    exercise: Exercise
    times_s: np.ndarray
    pose: PoseFrames
    signals: Signals
    states: list[FrameState]  # as a person saw them live: each decision a moment after its onset
    judge: Judge

    @cached_property
    def final_states(self) -> list[FrameState]:
        """Per frame, as finally decided: what frames.csv and the plots show."""
        return self.judge.final_states()


@dataclass
class JudgedFrame:
    """One frame's final judgement, as drawn on the annotated video."""

    index: int
    xy: np.ndarray  # 33 x 2 smoothed pixels
    visibility: np.ndarray
    near_left: bool
    state: FrameState
    features: dict[str, float]


def judged_frame(judgement: Judgement, i: int) -> JudgedFrame:
    """Frame i of a finished judgement as the annotated video draws it: the state a person saw
    live at that moment (each decision a moment after its onset)."""
    features = {name: float(values[i]) for name, values in judgement.signals.features.items()}
    return JudgedFrame(
        i,
        judgement.pose.xy[i],
        judgement.pose.visibility[i],
        bool(judgement.signals.near_left[i]),
        judgement.states[i],
        features,
    )
