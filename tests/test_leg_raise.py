"""Lying leg raise driven by hand-built poses (formcheck.exercises.leg_raise.leg_raise_pose)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.exercises.leg_raise import leg_raise_pose
from formcheck.exercises.posing import HEIGHT
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import back_outline, hold, make_track
from formcheck.landmarks import Landmark

FPS = 30.0


def run(frames, variant: str = "", jitter_px: float = 1.0, lifted: float | None = None):
    """Judge frames; `lifted`: a clean silhouette outline whose lower back bows that far (torso
    lengths) up off the floor."""
    outline = None if lifted is None else back_outline(-lifted, len(frames), prone=False)
    track = make_track(frames, FPS, jitter_px=jitter_px, outline=outline)
    judgement = judge_track(track, make_exercise("leg_raise", variant=variant))
    return judgement, summarize(judgement.judge)


def move(start: dict, end: dict, seconds: float) -> list[np.ndarray]:
    """A smooth (cosine) move between two leg_raise_pose argument sets."""
    n = max(2, round(seconds * FPS))
    out = []
    for f in (1 - np.cos(np.linspace(0, np.pi, n))) / 2:
        out.append(leg_raise_pose(**{k: start[k] + (end[k] - start[k]) * f for k in start}))
    return out


def raises(n: int, top: float = 90.0, up_s: float = 1.0, down_s: float = 1.5, knee: float = 178.0, variant_pose=None):
    low = {"near_thigh_deg": 2.0, "far_thigh_deg": 2.0, "near_knee_deg": 178.0, "far_knee_deg": 178.0}
    high = {"near_thigh_deg": top, "far_thigh_deg": top, "near_knee_deg": knee, "far_knee_deg": knee}
    frames = hold(leg_raise_pose(**low), 1.0)
    for _ in range(n):
        frames += move(low, high, up_s) + hold(leg_raise_pose(**high), 0.5) + move(high, low, down_s)
        frames += hold(leg_raise_pose(**low), 0.8)
    return frames


def names(summary) -> set[str]:
    return {f["name"] for f in summary["faults"]}


def test_slow_straight_leg_raises_are_counted_and_good():
    _, s = run(raises(3))
    assert s["reps"] == 3 and s["good_reps"] == 3
    assert s["faults"] == []
    assert all(r["peak"] == pytest.approx(90, abs=6) for r in s["rep_details"])
    assert all(r["down_s"] > r["up_s"] for r in s["rep_details"])  # the lowering is the slow part


def test_raises_short_of_the_real_range_are_not_reps():
    _, s = run(raises(3, top=35.0))
    assert s["reps"] == 0


def test_bent_knees_on_the_straight_leg_raise_are_knees_bent():
    _, s = run(raises(2, knee=135.0))
    assert s["reps"] == 2
    assert all("knees_bent" in r["faults"] for r in s["rep_details"])
    assert s["faults"][0]["cue"] == "Straighten your legs"


def test_bent_knees_are_the_exercise_in_the_bent_knee_variant():
    _, s = run(raises(2, top=120.0, knee=70.0), variant="bent_knee")
    assert s["reps"] == 2 and s["faults"] == []


def test_lowering_much_faster_than_the_lift_is_dropping_legs():
    _, s = run(raises(2, up_s=1.5, down_s=0.35))
    assert s["reps"] == 2
    assert all("dropping_legs" in r["faults"] for r in s["rep_details"])
    span = next(f for f in s["faults"] if f["name"] == "dropping_legs")
    assert span["cue"] == "Lower slowly"
    # The span is the lowering, after the rep's top.
    assert span["start_s"] > s["rep_details"][0]["top_s"]


def test_an_even_tempo_is_not_dropping_legs():
    _, s = run(raises(2, up_s=1.0, down_s=0.8))
    assert "dropping_legs" not in names(s)


def test_the_lower_back_lifting_off_the_floor_is_flagged_from_the_back_profile():
    _, s = run(raises(1), lifted=0.2)
    assert "lower_back_lifting" in names(s)
    assert next(f for f in s["faults"] if f["name"] == "lower_back_lifting")["cue"].startswith("Press your lower back")


def test_a_flat_back_profile_is_fine():
    _, s = run(raises(1), lifted=0.03)
    assert "lower_back_lifting" not in names(s)


def test_without_a_back_profile_the_lower_back_is_not_judged():
    judgement, s = run(raises(1))
    assert "lower_back_lifting" not in names(s)
    assert np.isnan(judgement.signals.features["lumbar_curve_ratio"]).all()


def test_a_reverse_crunch_curls_the_lower_back_up_by_design():
    tuck = {"near_thigh_deg": 90.0, "far_thigh_deg": 90.0, "near_knee_deg": 90.0, "far_knee_deg": 90.0}
    curl = {"near_thigh_deg": 135.0, "far_thigh_deg": 135.0, "near_knee_deg": 80.0, "far_knee_deg": 80.0}
    frames = hold(leg_raise_pose(**tuck), 1.0)
    for _ in range(3):
        frames += move(tuck, curl, 0.8) + hold(leg_raise_pose(**curl), 0.4) + move(curl, tuck, 1.0)
        frames += hold(leg_raise_pose(**tuck), 0.6)
    _, s = run(frames, variant="reverse_crunch", lifted=0.2)
    assert s["reps"] == 3 and s["faults"] == []


def test_single_leg_lowers_are_counted_per_leg():
    up = {"near_thigh_deg": 90.0, "far_thigh_deg": 90.0}
    near_down = {"near_thigh_deg": 5.0, "far_thigh_deg": 90.0}
    far_down = {"near_thigh_deg": 90.0, "far_thigh_deg": 5.0}
    frames = hold(leg_raise_pose(**up), 1.0)
    for down in (near_down, far_down, near_down):
        frames += move(up, down, 1.0) + move(down, up, 1.0) + hold(leg_raise_pose(**up), 0.5)
    _, s = run(frames, variant="single_leg")
    assert s["reps"] == 3
    # The near leg is the model's left one (leg_raise_pose: near side = left).
    assert s["sides"] == {"left": {"reps": 2, "good_reps": 2}, "right": {"reps": 1, "good_reps": 1}}
    assert [r["side"] for r in s["rep_details"]] == ["left", "right", "left"]


def test_one_leg_extending_while_the_other_stays_tucked_is_that_legs_rep():
    tucked = {"near_thigh_deg": 100.0, "near_knee_deg": 70.0, "far_thigh_deg": 100.0, "far_knee_deg": 70.0}
    out = {"near_thigh_deg": 15.0, "near_knee_deg": 170.0, "far_thigh_deg": 100.0, "far_knee_deg": 70.0}
    frames = hold(leg_raise_pose(**tucked), 1.0)
    for _ in range(3):
        frames += move(tucked, out, 0.6) + move(out, tucked, 0.6) + hold(leg_raise_pose(**tucked), 0.3)
    _, s = run(frames, variant="single_leg")
    assert s["reps"] == 3 and s["sides"] == {"left": {"reps": 3, "good_reps": 3}}


@pytest.mark.parametrize("variant", ["flutter", "scissor"])
def test_every_small_kick_of_either_leg_is_counted(variant):
    kicks = [(25.0, 10.0), (10.0, 25.0)] * 5  # (near, far) thigh angles at each kick's peak
    frames = hold(leg_raise_pose(near_thigh_deg=15.0), 1.0)
    last = {"near_thigh_deg": 15.0, "far_thigh_deg": 15.0}
    for near, far in kicks:
        peak = {"near_thigh_deg": near, "far_thigh_deg": far}
        frames += move(last, peak, 0.3)  # the labelled flutter: a kick every ~0.32 s
        last = peak
    frames += move(last, {"near_thigh_deg": 15.0, "far_thigh_deg": 15.0}, 0.3) + hold(
        leg_raise_pose(near_thigh_deg=15), 0.5
    )
    _, s = run(frames, variant=variant, jitter_px=0.5)
    assert s["reps"] == pytest.approx(10, abs=1)
    assert s["sides"]["left"]["reps"] == pytest.approx(5, abs=1) and s["sides"]["right"]["reps"] == pytest.approx(
        5, abs=1
    )
    assert "dropping_legs" not in names(s)  # kicks are fast by design


def test_a_kick_that_is_a_knee_tuck_is_not_a_kick():
    low = {"near_thigh_deg": 10.0, "far_thigh_deg": 10.0}
    tuck = {"near_thigh_deg": 80.0, "far_thigh_deg": 10.0}
    frames = (
        hold(leg_raise_pose(**low), 1.0)
        + move(low, tuck, 0.5)
        + move(tuck, low, 0.5)
        + hold(leg_raise_pose(**low), 1.0)
    )
    _, s = run(frames, variant="flutter")
    assert s["reps"] == 0


def test_lying_face_down_is_not_in_position():
    frames = [leg_raise_pose(near_thigh_deg=a, face_up=False) for a in np.linspace(0, 90, 60)]
    _, s = run(hold(leg_raise_pose(face_up=False), 1.0) + frames + frames[::-1])
    assert s["reps"] == 0 and s["in_position_s"] == 0


def test_a_front_view_is_refused_with_the_cue_to_turn():
    frames = []
    for pose in raises(2):
        front = pose.copy()
        for name in ("RIGHT_SHOULDER", "RIGHT_HIP", "RIGHT_KNEE", "RIGHT_ANKLE", "RIGHT_ELBOW", "RIGHT_WRIST"):
            front[Landmark[name], 1] -= 150.0 / HEIGHT  # the far side spread out: facing the camera
        frames.append(front)
    judgement, s = run(frames)
    assert s["reps"] == 0 and s["faults"] == []
    assert s["unjudged_reasons"].get("wrong_view", 0) > 5
    assert {state.cue for state in judgement.states[30:]} == {"Turn side-on to the camera"}
