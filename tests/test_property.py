"""Random, NaN and missing landmarks never raise, in any exercise, offline or live."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from formcheck.exercises import EXERCISES
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.streaming import StreamingSession
from formcheck.judging.summary import summarize
from formcheck.pipeline.track import PoseResult, Track

coordinate = st.one_of(
    st.floats(min_value=-0.5, max_value=1.5, allow_nan=False, width=32),
    st.just(float("nan")),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
)
frames = arrays(np.float32, st.tuples(st.integers(1, 40), st.just(33), st.just(4)), elements=coordinate)


def variants():
    return st.sampled_from([(name, v) for name, cls in EXERCISES.items() for v in ("", *cls.variants)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(landmarks=frames, exercise=variants(), missing=st.lists(st.booleans(), min_size=1, max_size=40))
def test_offline_judging_never_raises(landmarks, exercise, missing):
    n = len(landmarks)
    for i, gone in enumerate(missing[:n]):
        if gone:
            landmarks[i] = np.nan  # a frame without a person
    track = Track(landmarks, np.zeros((n, 33, 3)), np.arange(n) * 33.3, 30.0, 640, 480)
    judgement = judge_track(track, make_exercise(exercise[0], variant=exercise[1]))
    summary = summarize(judgement.judge)
    assert len(judgement.states) == n
    assert summary["hold_s"] >= 0 and summary["reps"] >= 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(landmarks=frames, exercise=variants())
def test_live_judging_never_raises(landmarks, exercise):
    session = StreamingSession(make_exercise(exercise[0], variant=exercise[1]), 640, 480)
    for i, frame in enumerate(landmarks):
        pose = None if i % 7 == 3 else PoseResult(frame, np.zeros((33, 3), np.float32))
        state, _, _ = session.update(i / 30.0, pose)
        assert state.index == i
    summarize(session.judge)
