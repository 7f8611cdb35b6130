"""Back extension driven by hand-built poses (formcheck.exercises.back_extension.back_extension_pose).
No side-view clip of the floor version exists, so these are its only checks of counting and faults."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.exercises.back_extension import back_extension_pose
from formcheck.exercises.posing import HEIGHT
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track
from formcheck.landmarks import Landmark

FPS = 30.0


def run(frames, variant: str = "", jitter_px: float = 1.0):
    judgement = judge_track(
        make_track(frames, FPS, jitter_px=jitter_px), make_exercise("back_extension", variant=variant)
    )
    return judgement, summarize(judgement.judge)


def move(start: float, end: float, seconds: float, **pose) -> list[np.ndarray]:
    """The chest lifted (or lowered) smoothly from `start` to `end` degrees."""
    n = max(2, round(seconds * FPS))
    return [
        back_extension_pose(chest_lift_deg=start + (end - start) * f, **pose)
        for f in (1 - np.cos(np.linspace(0, np.pi, n))) / 2
    ]


def lifts(n: int, top: float = 15.0, rest: float = 2.0, up_s: float = 0.8, held_s: float = 1.0, **pose):
    frames = hold(back_extension_pose(chest_lift_deg=rest, **pose), 1.0)
    for _ in range(n):
        frames += move(rest, top, up_s, **pose) + hold(back_extension_pose(chest_lift_deg=top, **pose), held_s)
        frames += move(top, rest, 0.8, **pose) + hold(back_extension_pose(chest_lift_deg=rest, **pose), 1.5)
    return frames


def names(summary) -> set[str]:
    return {f["name"] for f in summary["faults"]}


def test_slow_small_lifts_are_counted_with_their_peak_lift():
    _, s = run(lifts(3))
    assert s["reps"] == 3 and s["good_reps"] == 3 and s["faults"] == []
    assert all(r["peak"] == pytest.approx(15.0, abs=2.5) for r in s["rep_details"])


def test_lying_still_or_a_small_wobble_is_no_rep():
    wobble = [back_extension_pose(chest_lift_deg=2 + 2.5 * np.sin(k / 6)) for k in range(300)]
    _, s = run(wobble)
    assert s["reps"] == 0


@pytest.mark.parametrize(
    ("lift", "fault", "cue"),
    [
        ({"top": 35.0}, "over_arched", "Lift only until your chest clears the floor"),
        ({"head_deg": 45.0}, "neck_cranked", "Look at the floor"),
        ({"leg_line_deg": 16.0}, "legs_lifted", "Keep your feet on the floor"),
        ({"up_s": 0.25}, "jerking", "Lift slowly"),
    ],
)
def test_each_back_extension_fault(lift, fault, cue):
    _, s = run(lifts(2, **lift))
    assert s["reps"] == 2
    assert all(r["faults"] == [fault] for r in s["rep_details"])
    assert next(f for f in s["faults"] if f["name"] == fault)["cue"] == cue


def test_a_jerk_is_timed_on_the_lift_itself():
    _, s = run(lifts(1, up_s=0.25))
    span = next(f for f in s["faults"] if f["name"] == "jerking")
    rep = s["rep_details"][0]
    assert span["end_s"] <= rep["top_s"] + 0.3 and span["end_s"] - span["start_s"] < 0.35


def test_over_a_ball_the_lift_is_measured_against_the_sloping_legs():
    # Hips high on the ball, legs sloping 20 deg down to the feet: the trunk rises from draped
    # (-10 against the floor) to 35 against the floor, 15 past the legs' line: not over-arched.
    _, s = run(lifts(3, top=35.0, rest=-10.0, leg_line_deg=-20.0, arms="head"), variant="swiss_ball")
    assert s["reps"] == 3 and s["faults"] == []
    assert all(r["peak"] == pytest.approx(15.0, abs=3.0) for r in s["rep_details"])


def test_a_sphinx_is_a_timed_hold_and_its_lift_is_not_over_arching():
    frames = hold(back_extension_pose(chest_lift_deg=28.0, arms="sphinx"), 12.0)
    _, s = run(frames, variant="sphinx")
    assert s["hold_s"] == pytest.approx(12.0, abs=0.3) and s["good_hold_s"] == pytest.approx(12.0, abs=0.3)
    assert s["faults"] == []


def test_a_sphinx_looking_forward_is_a_cranked_neck_for_that_time():
    frames = hold(back_extension_pose(chest_lift_deg=28.0, arms="sphinx"), 5.0)
    frames += hold(back_extension_pose(chest_lift_deg=28.0, arms="sphinx", head_deg=45.0), 5.0)
    _, s = run(frames, variant="sphinx")
    assert s["hold_s"] == pytest.approx(10.0, abs=0.3)
    assert s["good_hold_s"] == pytest.approx(5.0, abs=0.6)
    assert names(s) == {"neck_cranked"}


@pytest.mark.parametrize("opens_lifted", [True, False])
def test_without_a_variant_a_held_lift_is_timed_as_a_hold_not_counted(opens_lifted):
    """A sphinx run without a variant: the trunk goes up (or is up) and stays up, so it is a hold."""
    frames = (
        [] if opens_lifted else hold(back_extension_pose(chest_lift_deg=2.0), 1.0) + move(2.0, 28.0, 1.0, arms="sphinx")
    )
    # A held sphinx wanders a few degrees.
    frames += [back_extension_pose(chest_lift_deg=27.0 + 3.0 * np.sin(k / 40), arms="sphinx") for k in range(600)]
    _, s = run(frames)
    assert s["reps"] == 0
    assert s["hold_s"] == pytest.approx(20.0, abs=1.0)
    assert s["faults"] == []  # propped on the arms, the lift is not over-arching


def test_getting_up_onto_hands_and_knees_is_not_in_position():
    kneeling = [back_extension_pose(chest_lift_deg=c, knee_angle_deg=90.0) for c in np.linspace(0, 20, 40)]
    _, s = run(hold(back_extension_pose(knee_angle_deg=90.0), 1.0) + kneeling + kneeling[::-1])
    assert s["reps"] == 0 and s["in_position_s"] == 0


def test_a_front_view_is_refused_with_the_cue_to_turn():
    frames = []
    for pose in lifts(2):
        front = pose.copy()
        for name in ("RIGHT_SHOULDER", "RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE", "RIGHT_ELBOW", "RIGHT_WRIST"):
            front[Landmark[name], 1] -= 120.0 / HEIGHT  # the far side spread out: facing the camera
        frames.append(front)
    judgement, s = run(frames)
    assert s["reps"] == 0 and s["faults"] == []
    assert s["unjudged_reasons"].get("wrong_view", 0) > 5
    assert {state.cue for state in judgement.states[30:]} == {"Turn side-on to the camera"}


@pytest.mark.parametrize("variant", ["sphinx", "press_up"])
def test_hold_variants_have_no_reps_and_no_tempo_fault(variant):
    ex = make_exercise("back_extension", variant=variant)
    assert ex.kind == "hold" and ex.rep_spec() is None
    assert {f.scope for f in ex.faults} == {"hold"} and "jerking" not in ex.fault_specs
