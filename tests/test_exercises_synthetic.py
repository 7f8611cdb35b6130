"""Each exercise driven by hand-built landmark sequences (formcheck.lab.synthetic), events asserted."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from formcheck.exercises.glute_bridge import bridge_pose
from formcheck.exercises.plank import plank_pose
from formcheck.exercises.posing import HEIGHT, WIDTH, far_offset
from formcheck.exercises.side_plank import side_plank_pose
from formcheck.exercises.superman import superman_pose
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track
from formcheck.landmarks import Landmark

FPS = 30.0


def run(exercise: str, frames, variant: str = "", jitter_px: float = 0.0, **kwargs):
    judgement = judge_track(
        make_track(frames, FPS, jitter_px=jitter_px), make_exercise(exercise, variant=variant, **kwargs)
    )
    return judgement, summarize(judgement.judge)


def events(judgement, kind: str, name: str | None = None):
    return [e for e in judgement.judge.events if e.kind == kind and (name is None or e.name == name)]


# -- plank ------------------------------------------------------------------------------------


def test_straight_plank_is_all_good_form():
    _, s = run("plank", hold(plank_pose(), 10.0), jitter_px=1.5)
    assert s["hold_s"] == pytest.approx(10.0, abs=0.1)
    assert s["good_hold_s"] == pytest.approx(s["hold_s"], abs=0.05)
    assert s["faults"] == []


def test_getting_into_position_is_not_counted():
    lying = plank_pose(hip_bend_deg=-45)  # pelvis down on the mat, propped on the forearms
    frames = hold(lying, 3.0) + hold(plank_pose(), 5.0)
    judgement, s = run("plank", frames)
    assert s["hold_s"] == pytest.approx(5.0, abs=0.15)
    entered = events(judgement, "position_entered")
    assert len(entered) == 1 and entered[0].t == pytest.approx(3.0, abs=0.1)


def test_slowly_sagging_hips_flag_hips_sagging_when_past_the_limit():
    exercise = make_exercise("plank")
    limit = exercise.t["hip_sag_deg"]
    bends = np.concatenate([np.zeros(60), np.linspace(0, -(limit + 10), 300), np.full(90, -(limit + 10))])
    judgement, s = run("plank", [plank_pose(hip_bend_deg=b) for b in bends])
    started = events(judgement, "fault_started", "hips_sagging")
    assert len(started) == 1
    crossing = (60 + 300 * limit / (limit + 10)) / FPS  # when the sag passes the limit
    assert started[0].t == pytest.approx(crossing, abs=0.3)
    assert started[0].cue.startswith("Lift your hips")
    assert s["good_hold_s"] == pytest.approx(crossing, abs=0.3)
    assert [f["name"] for f in s["faults"]] == ["hips_sagging"]


def test_jitter_around_a_threshold_does_not_flicker():
    limit = make_exercise("plank").t["hip_pike_deg"]
    rng = np.random.default_rng(3)
    bends = limit + rng.normal(0, 1.5, size=int(20 * FPS))  # hovering right at the limit
    judgement, _ = run("plank", [plank_pose(hip_bend_deg=b) for b in bends])
    assert len(events(judgement, "fault_started", "hips_piked")) <= 1
    states = [s.cue for s in judgement.states]
    changes = sum(a != b for a, b in itertools.pairwise(states))
    assert changes <= 3  # one cue, not a flickering one


def test_a_joint_going_invisible_mid_hold_pauses_judging():
    good = plank_pose()
    hidden = good.copy()
    hidden[[27, 28], 3] = 0.05  # both ankles leave the frame
    frames = hold(good, 4.0) + hold(hidden, 3.0) + hold(good, 4.0)
    judgement, s = run("plank", frames)
    assert s["hold_s"] == pytest.approx(8.0, abs=0.7)
    assert s["unjudged_reasons"].get("not_visible", 0) == pytest.approx(3.0, abs=0.5)
    started = events(judgement, "unjudged_started")
    assert started and started[0].name == "not_visible"
    assert s["faults"] == []  # nothing guessed while the feet were out of frame


def test_a_front_view_is_refused_with_only_the_cue_to_turn():
    front = side_plank_pose()  # a body facing the camera, shoulders spread
    judgement, s = run("plank", hold(front, 4.0))
    assert s["hold_s"] == 0 and s["faults"] == []
    assert {state.cue for state in judgement.states[20:]} == {"Turn side-on to the camera"}


@pytest.mark.parametrize(
    ("kwargs", "fault"),
    [
        ({"hip_bend_deg": 35}, "hips_piked"),
        ({"knee_angle_deg": 152}, "knees_bent"),
        ({"head_deg": 50}, "head_raised"),
        ({"head_deg": -35}, "head_dropped"),
        ({"shoulder_offset_ratio": 0.7}, "shoulders_not_over_elbows"),
    ],
)
def test_each_plank_fault(kwargs, fault):
    _, s = run("plank", hold(plank_pose(**kwargs), 3.0))
    assert fault in [f["name"] for f in s["faults"]]
    assert s["good_hold_s"] < 0.1


def test_knee_taps_count_reps_and_time_only_the_straight_leg_plank():
    frames = []
    for _ in range(4):
        frames += hold(plank_pose(), 1.5) + hold(plank_pose(knee_angle_deg=125), 1.0)
    frames += hold(plank_pose(), 1.5)
    _, s = run("plank", frames, variant="knee_taps")
    assert s["reps"] == 4
    assert s["hold_s"] == pytest.approx(5 * 1.5, abs=1.2)


def test_lowering_out_of_a_plank_is_the_way_out_not_a_sag():
    lowering = [plank_pose(hip_bend_deg=b) for b in np.linspace(0, -45, 18)]  # 0.6 s to the mat
    _, s = run("plank", hold(plank_pose(), 4.0) + lowering + hold(plank_pose(hip_bend_deg=-45), 2.0))
    assert s["faults"] == []
    assert s["hold_s"] == pytest.approx(4.0, abs=0.4)


def test_sweeping_from_a_sag_through_a_straight_line_to_kneeling_is_not_good_time():
    hips = np.linspace(-20, 35, 36)  # 1.2 s from a sag to a pike, the knees bending at the end
    knees = np.r_[np.full(26, 175.0), np.linspace(170, 110, 10)]
    sweep = [plank_pose(hip_bend_deg=b, knee_angle_deg=k) for b, k in zip(hips, knees, strict=True)]
    _, s = run("plank", hold(plank_pose(hip_bend_deg=-20), 3.0) + sweep + hold(plank_pose(knee_angle_deg=100), 2.0))
    assert [f["name"] for f in s["faults"]] == ["hips_sagging"]
    assert s["good_hold_s"] < 0.1


def test_a_recording_that_ends_while_getting_up_stops_the_hold_there():
    _, s = run("plank", hold(plank_pose(), 4.0) + hold(plank_pose(knee_angle_deg=100), 0.4))
    assert s["hold_s"] == pytest.approx(4.0, abs=0.1)


def test_one_lost_frame_at_the_end_does_not_end_the_hold_or_hide_a_sag():
    frames = hold(plank_pose(), 9.0) + hold(plank_pose(hip_bend_deg=-25), 1.0)
    _, clean = run("plank", frames)
    _, lost = run("plank", [*frames[:-1], None])
    assert [f["name"] for f in lost["faults"]] == [f["name"] for f in clean["faults"]] == ["hips_sagging"]
    assert lost["hold_s"] == pytest.approx(clean["hold_s"], abs=0.05)


def test_correcting_the_head_just_before_lying_down_keeps_the_good_time():
    frames = hold(plank_pose(), 6.0) + hold(plank_pose(head_deg=60), 1.2) + hold(plank_pose(), 0.5)
    lowering = [plank_pose(hip_bend_deg=b) for b in np.linspace(0, -45, 12)]
    _, s = run("plank", frames + lowering + hold(plank_pose(hip_bend_deg=-45), 2.0))
    assert [f["name"] for f in s["faults"]] == ["head_raised"]
    assert s["good_hold_s"] == pytest.approx(6.5, abs=0.3)


def half_plank(far_visibility: float) -> np.ndarray:
    """A straight near leg with the far knee on the mat (how a plank is entered one leg at a time)."""
    pose, kneeling = plank_pose(), plank_pose(knee_angle_deg=100)
    far_leg = [24, 26, 28, 30, 32]  # right hip, knee, ankle, heel, toe
    pose[far_leg] = kneeling[far_leg]
    pose[far_leg, 3] = far_visibility
    return pose


def test_a_half_plank_with_the_far_knee_down_is_not_a_plank():
    _, s = run("plank", hold(half_plank(far_visibility=0.85), 3.0) + hold(plank_pose(), 4.0))
    assert s["hold_s"] == pytest.approx(4.0, abs=0.3)


def test_a_far_leg_the_model_barely_sees_does_not_stop_the_hold():
    _, s = run("plank", hold(half_plank(far_visibility=0.2), 3.0) + hold(plank_pose(), 4.0))
    assert s["hold_s"] == pytest.approx(7.0, abs=0.3)


def tap(pose: np.ndarray, hand: str) -> np.ndarray:
    """The plank with one hand lifted onto the other shoulder."""
    wrist, shoulder = (15, 12) if hand == "left" else (16, 11)
    tapped = pose.copy()
    tapped[wrist, :2] = pose[shoulder, :2]
    return tapped


def test_shoulder_taps_count_each_hand_and_keep_the_hold():
    still = plank_pose(high=True)
    frames = hold(still, 1.0)
    for hand in ("left", "right", "left", "right", "left"):
        frames += hold(tap(still, hand), 0.3) + hold(still, 0.3)
    _, s = run("plank", frames, variant="shoulder_taps")
    assert s["reps"] == 5
    assert s["hold_s"] == pytest.approx(len(frames) / FPS, abs=0.6)


def test_a_still_high_plank_has_no_shoulder_taps():
    _, s = run("plank", hold(plank_pose(high=True), 6.0), variant="shoulder_taps", jitter_px=1.5)
    assert s["reps"] == 0


# -- glute bridge ---------------------------------------------------------------------------


def bridge_reps(top_deg: float, n: int = 3, **pose_kwargs):
    frames = hold(bridge_pose(-45, **pose_kwargs), 1.0)
    ramp = np.linspace(-45, top_deg, 20)
    for _ in range(n):
        frames += [bridge_pose(a, **pose_kwargs) for a in ramp] + hold(bridge_pose(top_deg, **pose_kwargs), 0.8)
        frames += [bridge_pose(a, **pose_kwargs) for a in ramp[::-1]] + hold(bridge_pose(-45, **pose_kwargs), 0.8)
    return frames


def test_bridge_reps_to_the_line_are_good():
    judgement, s = run("glute_bridge", bridge_reps(0.0))
    assert s["reps"] == 3 and s["good_reps"] == 3
    # the 0.8 s plateau plus the approach within the top band (5 deg) on either side
    assert all(r["top_hold_s"] == pytest.approx(0.95, abs=0.2) for r in s["rep_details"])
    assert len(events(judgement, "rep_completed")) == 3


def test_a_bridge_that_stops_short_is_hips_too_low():
    _, s = run("glute_bridge", bridge_reps(-24.0))
    assert s["reps"] == 3 and s["good_reps"] == 0
    assert all(r["faults"] == ["hips_too_low"] for r in s["rep_details"])


def test_a_bridge_pushed_past_the_line_is_back_arched():
    _, s = run("glute_bridge", bridge_reps(22.0, n=2))
    assert s["reps"] == 2
    assert all("back_arched" in r["faults"] for r in s["rep_details"])


def test_feet_far_from_the_hips_are_misplaced():
    _, s = run("glute_bridge", bridge_reps(0.0, n=2, shin_offset_ratio=0.7))
    assert s["reps"] == 2
    assert all("feet_misplaced" in r["faults"] for r in s["rep_details"])


def test_a_half_rep_at_the_start_is_not_counted():
    ramp = np.linspace(0, -45, 20)
    frames = hold(bridge_pose(0.0), 1.0) + [bridge_pose(a) for a in ramp] + bridge_reps(0.0, n=2)
    _, s = run("glute_bridge", frames)
    assert s["reps"] == 2


def bridge_lift(top_deg: float = 0.0) -> list:
    return [bridge_pose(a) for a in np.linspace(-45, top_deg, 15)]


def test_a_bridge_lifted_and_held_to_the_end_is_timed_as_a_hold():
    frames = hold(bridge_pose(-45.0), 1.5) + bridge_lift() + hold(bridge_pose(0.0), 20.0)
    _, s = run("glute_bridge", frames, jitter_px=1.0)
    assert s["reps"] == 0  # never lowered: no rep
    assert s["hold_s"] == pytest.approx(20.0, abs=0.6) and s["good_hold_s"] == pytest.approx(s["hold_s"])


def test_a_bridge_held_when_the_recording_opens_is_timed_as_a_hold():
    frames = hold(bridge_pose(0.0), 12.0) + bridge_lift()[::-1] + hold(bridge_pose(-45.0), 1.0)
    _, s = run("glute_bridge", frames, jitter_px=1.0)
    assert s["reps"] == 0  # its lift was not seen
    assert s["hold_s"] == pytest.approx(12.0, abs=0.6)


def test_a_rep_caught_at_the_edge_of_a_recording_is_not_a_hold():
    # Opens 0.4 s into a top, ends 0.4 s into the next one (the frog-pump GIF does both).
    frames = hold(bridge_pose(0.0), 0.4) + bridge_lift()[::-1] + hold(bridge_pose(-45.0), 1.0)
    frames += bridge_lift() + hold(bridge_pose(0.0), 1.0) + bridge_lift()[::-1] + hold(bridge_pose(-45.0), 1.0)
    frames += bridge_lift() + hold(bridge_pose(0.0), 0.4)
    _, s = run("glute_bridge", frames, jitter_px=1.0)
    assert s["reps"] == 1
    assert s["hold_s"] == pytest.approx(s["rep_details"][0]["top_hold_s"])


def test_a_held_bridge_that_arches_is_timed_with_the_arch_as_bad_time():
    frames = hold(bridge_pose(-45.0), 1.5) + bridge_lift() + hold(bridge_pose(0.0), 5.0)
    frames += [bridge_pose(a) for a in np.linspace(0, 25, 10)] + hold(bridge_pose(25.0), 5.0)
    _, s = run("glute_bridge", frames, jitter_px=1.0)
    assert s["reps"] == 0 and "back_arched" in {f["name"] for f in s["faults"]}
    assert s["good_hold_s"] < s["hold_s"] - 3.0


def test_a_top_cut_off_by_a_scene_cut_is_not_carried_into_the_next_rep():
    moved = bridge_pose(0.0).copy()
    moved[:, 0] -= 0.25  # another shot: the body jumps a quarter of the frame
    frames = hold(bridge_pose(-45.0), 1.0) + bridge_lift() + hold(bridge_pose(0.0), 3.0)  # cut mid-top
    lying = bridge_pose(-45.0).copy()
    lying[:, 0] -= 0.25
    rest = [lying] * 30
    lift = [p.copy() for p in bridge_lift()]
    for p in lift:
        p[:, 0] -= 0.25
    frames += rest + lift + [moved] * 24 + lift[::-1] + rest
    judgement, s = run("glute_bridge", frames)
    assert judgement.signals.cut.any()
    assert s["reps"] == 1
    assert s["rep_details"][0]["top_hold_s"] == pytest.approx(0.8, abs=0.25)  # its own top only


# -- superman ------------------------------------------------------------------------------


def superman_reps(n: int, **top):
    """n lifts from the rest pose to `top` (superman_pose arguments) and back, 0.3 s each way."""
    rest_args = {
        "arm_lift_deg": -12.0,
        "leg_lift_deg": 4.0,
        "chest_lift_deg": 2.0,
        "head_deg": 10.0,
        "knee_angle_deg": 175.0,
    }
    top_args = rest_args | top
    ramp = [
        superman_pose(**{k: v + (top_args[k] - v) * f for k, v in rest_args.items()}) for f in np.linspace(0, 1, 10)
    ]
    frames = hold(superman_pose(**rest_args), 1.0)
    for _ in range(n):
        frames += ramp + hold(ramp[-1], 1.5) + ramp[::-1] + hold(ramp[0], 1.0)
    return frames


def test_superman_reps_with_arms_and_legs_up_are_good():
    _, s = run("superman", superman_reps(3, arm_lift_deg=15, leg_lift_deg=18, chest_lift_deg=12))
    assert s["reps"] == 3 and s["good_reps"] == 3


def test_superman_lifting_only_the_legs_is_arms_not_lifted():
    _, s = run("superman", superman_reps(2, arm_lift_deg=-12, leg_lift_deg=20, chest_lift_deg=3))
    assert s["reps"] == 2
    assert all("arms_not_lifted" in r["faults"] for r in s["rep_details"])


def test_superman_chest_too_high_is_over_arched():
    _, s = run("superman", superman_reps(2, arm_lift_deg=30, leg_lift_deg=18, chest_lift_deg=35))
    assert all("over_arched" in r["faults"] for r in s["rep_details"])


@pytest.mark.parametrize(
    ("kwargs", "fault"),
    [
        ({"leg_lift_deg": 4}, "legs_not_lifted"),
        ({"head_deg": 65}, "neck_cranked"),
        ({"knee_angle_deg": 130}, "knees_bent"),
    ],
)
def test_each_superman_rep_fault(kwargs, fault):
    top = {"arm_lift_deg": 15, "leg_lift_deg": 18, "chest_lift_deg": 12} | kwargs
    _, s = run("superman", superman_reps(2, **top))
    assert s["reps"] == 2
    assert all(r["faults"] == [fault] for r in s["rep_details"])


def test_superman_gaze_at_the_floor_ahead_is_not_a_cranked_neck():
    _, s = run("superman", superman_reps(2, arm_lift_deg=15, leg_lift_deg=18, chest_lift_deg=12, head_deg=40))
    assert s["good_reps"] == 2


def alternating_lift(arm: str, leg: str, f: float) -> np.ndarray:
    """A superman lifting one arm and one leg (sides named as MediaPipe's), f of the way up."""
    rest = superman_pose()
    up = superman_pose(arm_lift_deg=-12 + 27 * f, leg_lift_deg=4 + 22 * f, chest_lift_deg=2 + 6 * f)
    out = rest.copy()
    dx, dy = far_offset(0.04)  # where superman_pose puts the right (far) side from the left (near) one
    for side, joints in ((arm, ("SHOULDER", "ELBOW", "WRIST")), (leg, ("HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX"))):
        for j in joints:
            shift = np.array([dx / WIDTH, -dy / HEIGHT]) if side == "right" else 0.0
            out[Landmark[f"{side.upper()}_{j}"], :2] = up[Landmark[f"LEFT_{j}"], :2] + shift
    return out


def test_alternating_superman_counts_each_arm_and_opposite_leg_pair():
    frames = hold(superman_pose(), 1.0)
    for arm, leg in (("left", "right"), ("right", "left"), ("left", "right")):
        ramp = [alternating_lift(arm, leg, f) for f in np.linspace(0, 1, 12)]
        frames += ramp + hold(ramp[-1], 1.0) + ramp[::-1] + hold(superman_pose(), 1.0)
    _, s = run("superman", frames, variant="alternating")
    assert s["reps"] == 3
    assert s["sides"] == {
        "left_arm_right_leg": {"reps": 2, "good_reps": 2},
        "right_arm_left_leg": {"reps": 1, "good_reps": 1},
    }
    assert [r["side"] for r in s["rep_details"]] == ["left_arm_right_leg", "right_arm_left_leg", "left_arm_right_leg"]


def test_the_plain_superman_reports_no_sides():
    _, s = run("superman", superman_reps(2, arm_lift_deg=15, leg_lift_deg=18, chest_lift_deg=12))
    assert "sides" not in s and all("side" not in r for r in s["rep_details"])


# -- side plank ------------------------------------------------------------------------------


def test_side_plank_times_each_side():
    frames = hold(side_plank_pose(support="left"), 5.0) + hold(None, 2.0) + hold(side_plank_pose(support="right"), 4.0)
    _, s = run("side_plank", frames)
    assert s["sides"]["left"]["hold_s"] == pytest.approx(5.0, abs=0.3)
    assert s["sides"]["right"]["hold_s"] == pytest.approx(4.0, abs=0.3)
    assert s["good_hold_s"] == pytest.approx(9.0, abs=0.5)


@pytest.mark.parametrize(
    ("kwargs", "fault"),
    [
        ({"hip_bend_deg": -30}, "hips_dropped"),
        ({"hip_bend_deg": 40}, "hips_piked"),
        ({"elbow_offset_ratio": 0.8}, "shoulders_not_over_elbows"),
    ],
)
def test_each_side_plank_fault(kwargs, fault):
    _, s = run("side_plank", hold(side_plank_pose(**kwargs), 3.0))
    assert fault in [f["name"] for f in s["faults"]]


def test_a_side_plank_seen_side_on_is_refused():
    judgement, s = run("side_plank", hold(plank_pose(), 3.0))
    assert s["hold_s"] == 0
    assert judgement.states[-1].cue == "Face the camera (or turn your back to it)"


# -- strictness and config --------------------------------------------------------------------


def test_strictness_changes_the_verdict_on_a_borderline_plank():
    frames = hold(plank_pose(hip_bend_deg=22), 3.0)
    _, standard = run("plank", frames)
    _, strict = run("plank", frames, strictness="strict")
    assert standard["faults"] == [] and [f["name"] for f in strict["faults"]] == ["hips_piked"]
