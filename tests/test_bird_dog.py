"""Bird-dog on hand-built poses (formcheck.exercises.bird_dog.bird_dog_pose) and synthetic back profiles."""

from __future__ import annotations

import numpy as np
import pytest
from back_profiles import bowed, judge_with_back

from formcheck.exercises.bird_dog import bird_dog_pose
from formcheck.exercises.plank import plank_pose
from formcheck.exercises.side_plank import side_plank_pose
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track

FPS = 30.0
REST = {"arm_deg": -90.0, "leg_deg": -40.0}
LEVEL = {"arm_deg": 0.0, "leg_deg": 0.0}


def reps(sides, top=LEVEL, rest=REST, hold_s: float = 1.5, lumbar: tuple[float, float] = (0.0, 0.0)):
    """Frames and lumbar curves: a reach on each side in `sides` (0.5 s out, hold, 0.5 s back)."""
    frames, curves = hold(bird_dog_pose(**rest), 1.0), [lumbar[0]] * round(FPS)
    for side in sides:
        ramp = [
            bird_dog_pose(**{k: rest[k] + (top[k] - rest[k]) * f for k in rest}, reach=side)
            for f in np.linspace(0, 1, 15)
        ]
        curve = list(np.linspace(lumbar[0], lumbar[1], 15))
        frames += ramp + hold(ramp[-1], hold_s) + ramp[::-1] + hold(ramp[0], 1.0)
        curves += curve + [lumbar[1]] * round(hold_s * FPS) + curve[::-1] + [lumbar[0]] * round(FPS)
    return frames, curves


def run(frames, backs=None, variant: str = "", jitter_px: float = 0.0):
    track = make_track(frames, FPS, jitter_px=jitter_px)
    judgement = judge_with_back(track, make_exercise("bird_dog", variant=variant), backs)
    return judgement, summarize(judgement.judge)


def test_alternating_reaches_are_counted_per_side():
    frames, _ = reps(["left", "right", "left", "right", "left"])
    _, s = run(frames, jitter_px=1.0)
    assert s["reps"] == 5 and s["good_reps"] == 5
    assert [r["side"] for r in s["rep_details"]] == ["left", "right", "left", "right", "left"]
    assert s["sides"] == {"left": {"reps": 3, "good_reps": 3}, "right": {"reps": 2, "good_reps": 2}}
    assert all(r["top_hold_s"] == pytest.approx(1.6, abs=0.3) for r in s["rep_details"])


@pytest.mark.parametrize(
    ("top", "fault"),
    [
        ({"arm_deg": -30.0, "leg_deg": 0.0}, "arm_low"),
        ({"arm_deg": 0.0, "leg_deg": -30.0}, "leg_low"),
        ({"arm_deg": 0.0, "leg_deg": 28.0}, "leg_too_high"),
    ],
)
def test_each_limb_fault_on_either_side(top, fault):
    frames, _ = reps(["left", "right"], top=top)
    _, s = run(frames)
    assert s["reps"] == 2
    assert all(r["faults"] == [fault] for r in s["rep_details"])
    assert s["sides"]["left"]["good_reps"] == s["sides"]["right"]["good_reps"] == 0


def test_a_donkey_kick_with_a_bent_knee_is_leg_too_high():
    ramp = [
        bird_dog_pose(arm_deg=-90 + 90 * f, leg_deg=-40 + 65 * f, leg_knee_angle_deg=180 - 40 * f, reach="right")
        for f in np.linspace(0, 1, 15)
    ]
    frames = hold(ramp[0], 1.0) + ramp + hold(ramp[-1], 1.5) + ramp[::-1] + hold(ramp[0], 1.0)
    _, s = run(frames)
    assert s["reps"] == 1 and s["rep_details"][0]["faults"] == ["leg_too_high"]


def test_a_sagging_lower_back_is_back_arched_with_a_back_profile():
    frames, curves = reps(["left", "right"], lumbar=(-0.03, -0.16))
    _, s = run(frames, bowed(curves, start=3))
    assert all(r["faults"] == ["back_arched"] for r in s["rep_details"])
    _, flat = run(frames, bowed([-0.03] * len(curves), start=3))  # natural lordosis only
    assert flat["good_reps"] == 2
    _, unseen = run(frames)  # no profile: the back is not judged
    assert unseen["good_reps"] == 2


def test_the_crunch_variant_counts_each_reach_from_the_crunch():
    crunch = {"arm_deg": -60.0, "leg_deg": -55.0}
    frames, _ = reps(["right"] * 4, rest=crunch)
    _, s = run(frames, variant="crunch")
    assert s["reps"] == 4 and s["sides"] == {"right": {"reps": 4, "good_reps": 4}}


def test_a_plank_is_not_all_fours():
    _, s = run(hold(plank_pose(high=True), 3.0))
    assert s["reps"] == 0 and s["in_position_s"] == 0


def test_a_front_view_is_refused():
    judgement, s = run(hold(side_plank_pose(), 3.0))
    assert s["reps"] == 0
    assert judgement.final_states[-1].cue == "Turn side-on to the camera"


def seen_from_high_behind(pose: np.ndarray) -> np.ndarray:
    """The pose as a camera high behind the body sees it at rest: shoulders and hips spread apart."""
    out = pose.copy()
    out[[12, 24], 1] -= 0.12  # the far shoulder and hip higher in the image
    return out


def test_reaches_seen_between_wrong_view_rests_are_not_counted():
    """A camera high behind the body reads as the wrong view until the limbs are well up (the
    reaching limbs turn the shoulders and hips): the reaches must not be counted or judged."""
    frames = []
    for side in ("left", "right", "left"):
        ramp = [
            (f, bird_dog_pose(arm_deg=-90 + 90 * f, leg_deg=-40 + 70 * f, reach=side)) for f in np.linspace(0, 1, 15)
        ]
        for f, pose in [(0.0, ramp[0][1])] * 30 + ramp + [ramp[-1]] * 60 + ramp[::-1]:
            frames.append(seen_from_high_behind(pose) if f < 0.7 else pose)
    _, s = run(frames)
    assert s["unjudged_reasons"].get("wrong_view", 0) > 3.0
    assert s["reps"] == 0 and s["faults"] == []


# -- the labelled real clips -------------------------------------------------------------------------


@pytest.mark.video
def test_real_crunch_clip_counts_six_reaches_of_the_right_arm(track_of):
    track = track_of("bird_dog/bird_dog_crunch_side_woman.mp4")
    s = summarize(judge_track(track, make_exercise("bird_dog", variant="crunch")).judge)
    assert s["sides"] == {"right": {"reps": 6, "good_reps": 6}}


@pytest.mark.video
def test_real_fitbod_side_shot_alternates_sides_with_the_leg_too_high(track_of):
    track = track_of("bird_dog/bird_dog_oblique_then_side_man_fitbod.mp4")
    s = summarize(judge_track(track, make_exercise("bird_dog")).judge)
    # The rear-oblique first shot is refused; the side shot's reps are right, left, right, left.
    assert [(r["side"], r["faults"]) for r in s["rep_details"]] == [
        ("right", ["leg_too_high"]),
        ("left", ["leg_too_high"]),
        ("right", ["leg_too_high"]),
        ("left", ["leg_too_high"]),
    ]
    assert all(r["top_s"] > 11.3 for r in s["rep_details"])


@pytest.mark.video
def test_real_clip_from_high_behind_is_not_judged(track_of):
    track = track_of("bird_dog/bird_dog_frontoblique_man_home_long_talking.mp4")
    s = summarize(judge_track(track, make_exercise("bird_dog")).judge)
    assert s["reps"] == 0 and s["faults"] == []
