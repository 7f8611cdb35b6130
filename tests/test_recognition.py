"""Recognising the exercise: the committed model is what its committed features rebuild, the
features are what formcheck computes from the sample tracks, and on the labelled clips it names the
exercise over their in-position time (each clip by a model trained without it)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.exercises.bird_dog import bird_dog_pose
from formcheck.exercises.dead_bug import dead_bug_pose
from formcheck.exercises.glute_bridge import bridge_pose
from formcheck.exercises.leg_raise import leg_raise_pose
from formcheck.exercises.posing import HEIGHT, WIDTH
from formcheck.landmarks import Landmark
from formcheck.pipeline.cache import PROJECT_TRACKS
from formcheck.pipeline.track import Track
from formcheck.recognition.model import NONE, NeighbourModel
from formcheck.recognition.recognise import recognise
from formcheck.recognition.scoring import overall, score_clips
from formcheck.recognition.sets import smooth, viterbi
from formcheck.recognition.shapes import supine_tests
from formcheck.recognition.train import HOLDOUT, build_table, fit, load_table


@pytest.fixture(scope="module")
def table():
    return load_table()


@pytest.fixture(scope="module")
def scores(table):
    return score_clips(table)


def test_committed_model_is_rebuilt_from_the_committed_features(table) -> None:
    committed, rebuilt = NeighbourModel.load(), fit(table)
    assert committed.classes == rebuilt.classes
    np.testing.assert_array_equal(committed.labels, rebuilt.labels)
    np.testing.assert_array_equal(committed.weights, rebuilt.weights)
    np.testing.assert_allclose(committed.mean, rebuilt.mean)
    np.testing.assert_allclose(committed.points, rebuilt.points.astype(np.float32), atol=1e-6)
    files = [str(f) for f in table["files"]]
    held_rows = np.isin(table["clip"], [files.index(f) for f in HOLDOUT]) & (table["labels"] >= 0)
    assert held_rows.any() and len(committed.labels) == (table["labels"] >= 0).sum() - held_rows.sum()


def test_committed_features_are_what_formcheck_computes_from_the_tracks(videos, table) -> None:
    fresh = build_table(videos / "labels.csv")
    assert [str(f) for f in fresh["files"]] == [str(f) for f in table["files"]]
    for key in ("labels", "scored", "clip", "tests"):
        np.testing.assert_array_equal(fresh[key], table[key], err_msg=key)
    np.testing.assert_allclose(fresh["features"], table["features"], atol=1e-5, equal_nan=True)


def test_leave_one_clip_out_on_the_judgeable_clips(scores) -> None:
    """The issue asks 95%; it reaches 99.7% (NOTES_17b), so a change that loses ground fails."""
    judgeable = [s for s in scores if s.judgeable == "yes" and not s.holdout and s.exercise != NONE]
    assert len(judgeable) >= 30
    assert overall(judgeable) >= 0.97
    assert sum(s.accuracy >= 0.9 for s in judgeable) >= len(judgeable) - 1


def _pixels(frame: np.ndarray) -> np.ndarray:
    return (frame[None, :, :2] * np.array([WIDTH, HEIGHT])).astype(np.float64)


def _near_arm_to_the_ceiling(frame: np.ndarray) -> np.ndarray:
    frame = frame.copy()
    shoulder = frame[Landmark.LEFT_SHOULDER, :2]
    frame[Landmark.LEFT_ELBOW, :2] = shoulder - [0.0, 110.0 / HEIGHT]
    frame[Landmark.LEFT_WRIST, :2] = shoulder - [0.0, 210.0 / HEIGHT]
    return frame


@pytest.mark.parametrize(
    ("frame", "fits"),
    [
        (dead_bug_pose(), {"dead_bug"}),  # table-top: arms to the ceiling, shins level
        (dead_bug_pose(arm_deg=85.0, leg_deg=80.0, knee_angle_deg=175.0), {"dead_bug"}),  # one arm still up
        (bridge_pose(hip_lift_deg=0.0), {"glute_bridge"}),  # the top: hips lifted, feet flat
        (bridge_pose(hip_lift_deg=-45.0), {"glute_bridge"}),  # the bottom (a heel slide looks the same)
        (_near_arm_to_the_ceiling(bridge_pose(hip_lift_deg=0.0)), {"glute_bridge"}),  # hips up: no dead bug
        (_near_arm_to_the_ceiling(bridge_pose(hip_lift_deg=-45.0)), {"glute_bridge", "dead_bug"}),
        (leg_raise_pose(near_thigh_deg=60.0), {"leg_raise"}),
        (leg_raise_pose(near_thigh_deg=90.0, near_knee_deg=90.0), {"leg_raise"}),  # bent knees, feet up
        (bird_dog_pose(), set()),  # on all fours the knees are below the hips: nobody lies on the back
    ],
)
def test_lying_on_the_back_the_shape_says_which_exercise(frame: np.ndarray, fits: set[str]) -> None:
    """The shape tests that narrow the supine exercises' position tests, on the modules' own
    synthetic bodies."""
    tests = supine_tests(_pixels(frame))
    assert {name for name, passes in tests.items() if passes[0]} == fits


def test_hold_out_clips_never_trained_on_are_recognised(scores) -> None:
    held = [s for s in scores if s.holdout]
    assert {s.file for s in held} == set(HOLDOUT)
    assert overall(held) >= 0.9
    assert all(s.recognised == s.exercise for s in held)


def test_pushups_and_squats_are_no_set(scores) -> None:
    """Exercises formcheck does not judge (each clip left out of the training, as above) are
    "none" over their whole in-position time: a pushup is not a plank or a superman."""
    others = [s for s in scores if s.exercise == NONE]
    assert {s.file.split("/")[0] for s in others} == {"pushup", "squat"}
    assert overall(others) >= 0.95


def test_a_short_doubt_does_not_split_a_set_and_a_short_set_is_none() -> None:
    times = np.arange(60) * 0.2  # 12 s at 5 samples a second
    prob = np.zeros((60, 3))
    prob[:, 1] = 0.9
    prob[:, 0] = 0.1
    prob[20:24] = [0.1, 0.1, 0.8]  # 0.8 s of another class: a doubt
    assert (viterbi(prob) == 1).all()
    prob[:] = [0.9, 0.05, 0.05]
    prob[30:38] = [0.05, 0.05, 0.9]  # 1.6 s of class 2 among none: too short for a set
    prob[0:25] = [0.05, 0.9, 0.05]  # 5 s of class 1: a set
    path = smooth(prob, times)
    assert set(path[:24]) == {1} and not path[26:].any()


def test_a_real_plank_track_is_one_plank_set(videos, labels) -> None:
    import csv

    with (PROJECT_TRACKS / "index.csv").open() as f:
        names = {r["file"]: r["track"] for r in csv.DictReader(f)}
    clip = "plank/plank_high_oblique_woman_tutorial.mp4"
    recognition = recognise(Track.load(PROJECT_TRACKS / names[clip]))
    sets = recognition.sets()
    start, end = labels[clip].position_spans[0]
    main = max(sets, key=lambda s: s.duration_s)
    assert main.exercise == "plank"
    assert main.start_s <= start + 2.0 and main.end_s >= end - 2.0
    per_frame, confidence = recognition.per_frame()
    assert len(per_frame) == len(confidence) == recognition.n_frames
    inside = (recognition.frame_times_s >= start) & (recognition.frame_times_s <= end)
    assert np.mean([name == "plank" for name, i in zip(per_frame, inside, strict=True) if i]) >= 0.9
    assert all(s.exercise == "plank" for s in sets if s.end_s > start + 1 and s.start_s < end - 1)


def test_evaluate_recognition_prints_clips_confusion_and_accuracy(videos, tmp_path) -> None:
    import json

    from cli_helpers import formcheck

    run = formcheck(
        "evaluate", str(videos / "labels.csv"), "--recognition", "--no-extract", "--json", str(tmp_path / "r.json")
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads((tmp_path / "r.json").read_text())
    matrix = np.array(figures["confusion_judgeable"])
    # the overall figure is the confusion matrix's diagonal share, and the table says it
    assert figures["leave_one_clip_out"]["judgeable yes"] == round(np.trace(matrix) / matrix.sum(), 3)
    assert f"judgeable yes {100 * figures['leave_one_clip_out']['judgeable yes']:.1f}%" in run.stdout
    assert "confusion" in run.stdout and len(figures["clips"]) == len(load_table()["files"])
    assert {c["file"] for c in figures["clips"] if c["holdout"]} == set(HOLDOUT)
