"""Dead bug on hand-built poses (formcheck.exercises.dead_bug.dead_bug_pose) and synthetic back profiles."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from back_profiles import bowed, judge_with_back

from formcheck.exercises.dead_bug import dead_bug_pose
from formcheck.exercises.plank import plank_pose
from formcheck.exercises.side_plank import side_plank_pose
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track

FPS = 30.0
TABLE_TOP = {"arm_deg": 0.0, "leg_deg": 0.0, "knee_angle_deg": 90.0}
OUT = {"arm_deg": 85.0, "leg_deg": 80.0, "knee_angle_deg": 175.0}


def reps(sides, out=OUT, rest=TABLE_TOP, lumbar: tuple[float, float] = (0.0, 0.0)):
    """Frames and lumbar curves: one arm and the opposite leg out and back for each side in `sides`."""
    frames, curves = hold(dead_bug_pose(**rest), 1.0), [lumbar[0]] * round(FPS)
    for side in sides:
        ramp = [
            dead_bug_pose(**{k: rest[k] + (out[k] - rest[k]) * f for k in rest}, moving=side)
            for f in np.linspace(0, 1, 20)
        ]
        curve = list(np.linspace(lumbar[0], lumbar[1], 20))
        frames += ramp + hold(ramp[-1], 1.0) + ramp[::-1] + hold(ramp[0], 0.8)
        curves += curve + [lumbar[1]] * round(FPS) + curve[::-1] + [lumbar[0]] * round(0.8 * FPS)
    return frames, curves


def run(frames, backs=None, variant: str = "", jitter_px: float = 0.0):
    track = make_track(frames, FPS, jitter_px=jitter_px)
    judgement = judge_with_back(track, make_exercise("dead_bug", variant=variant), backs)
    return judgement, summarize(judgement.judge)


def test_alternating_reps_are_counted_per_arm():
    frames, _ = reps(["left", "right", "left", "right", "left", "right", "left"])
    _, s = run(frames, jitter_px=1.0)
    assert s["reps"] == 7 and s["good_reps"] == 7
    assert s["sides"] == {"left": {"reps": 4, "good_reps": 4}, "right": {"reps": 3, "good_reps": 3}}


def test_an_arm_alone_is_not_a_rep():
    frames, _ = reps(["left", "right"], out={**TABLE_TOP, "arm_deg": 85.0})
    _, s = run(frames)
    assert s["reps"] == 0


def test_the_lower_back_lifting_off_the_floor_is_flagged_with_a_back_profile():
    frames, curves = reps(["left", "right"], lumbar=(0.02, 0.16))
    _, s = run(frames, bowed(curves, start=3))
    assert s["reps"] == 2
    assert all(r["faults"] == ["lower_back_lifting"] for r in s["rep_details"])
    assert s["faults"][0]["cue"] == "Press your lower back into the floor"
    _, down = run(frames, bowed([0.03] * len(curves), start=3))  # a natural lumbar curve, kept down
    assert down["good_reps"] == 2
    _, unseen = run(frames)  # no profile: not judged
    assert unseen["good_reps"] == 2 and unseen["faults"] == []


def test_heel_slides_count_each_slide_of_the_sliding_leg():
    bent = {"arm_deg": -100.0, "leg_deg": 40.0, "knee_angle_deg": 65.0}  # feet down, arms by the sides
    slid = {"arm_deg": -100.0, "leg_deg": 60.0, "knee_angle_deg": 125.0}
    frames, _ = reps(["right"] * 3, out=slid, rest=bent)
    _, s = run(frames, variant="heel_slide")
    assert s["reps"] == 3
    # The right arm is named with the left leg (moving="right"): the sliding leg is the left one.
    assert s["sides"] == {"left": {"reps": 3, "good_reps": 3}}


def test_a_reach_unseen_at_its_top_for_over_a_second_is_not_counted():
    """What happened while unseen was not seen (the common rep_reset_unseen_s): counting restarts."""
    exercise = make_exercise("dead_bug")
    frames, _ = reps(["left", "right"])
    unseen = round((exercise.t["rep_reset_unseen_s"] + 0.2) * FPS)
    top = 30 + 20 + 5  # 5 frames into the first reach's top
    hidden = frames[top].copy()
    hidden[:, 3] = 0.1  # every landmark below min_visibility: not visible
    frames = frames[:top] + [hidden] * unseen + frames[top:]  # held at the top, unseen
    _, s = run(frames)
    assert s["reps"] == 1 and s["sides"] == {"right": {"reps": 1, "good_reps": 1}}


def test_a_plank_is_not_lying_on_the_back():
    _, s = run(hold(plank_pose(), 3.0))
    assert s["reps"] == 0 and s["in_position_s"] == 0


def test_a_front_view_is_refused():
    judgement, s = run(hold(side_plank_pose(), 3.0))
    assert s["reps"] == 0
    assert judgement.final_states[-1].cue == "Turn side-on to the camera"
    assert s["unjudged_reasons"].get("wrong_view", 0) == pytest.approx(3.0, abs=0.5)


# -- the labelled real clips -------------------------------------------------------------------------


@pytest.mark.video
@pytest.mark.parametrize(
    ("file", "sides"),
    [
        ("dead_bug/dead_bug_side_woman_blue_studio.mp4", {"left": 4, "right": 3}),  # A,B,A,B,A,B,A
        ("dead_bug/dead_bug_side_woman_concrete_wall_shutterstock.mp4", {"right": 4, "left": 3}),  # labelled
    ],
)
def test_real_clips_count_each_side(track_of, file, sides):
    s = summarize(judge_track(track_of(file), make_exercise("dead_bug")).judge)
    assert {side: n["reps"] for side, n in s["sides"].items()} == sides
    assert s["faults"] == []
    sides_in_turn = [r["side"] for r in s["rep_details"]]
    assert all(a != b for a, b in itertools.pairwise(sides_in_turn))  # alternating
