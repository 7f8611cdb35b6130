"""Stretches: recognition of each stretch and side, per-stretch timing, knees_bent, bouncing, view."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.exercises.base import WRONG_VIEW
from formcheck.exercises.stretch import stretch_pose
from formcheck.exercises.stretch_shapes import ONE_SIDED, RECOGNISED, swing_deg
from formcheck.judging.online import OnlineJudgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track

FPS = 30.0


def run(frames, variant: str = "", jitter_px: float = 0.0):
    judgement = judge_track(make_track(frames, FPS, jitter_px=jitter_px), make_exercise("stretch", variant=variant))
    return judgement, summarize(judgement.judge)


def fault_names(summary) -> set[str]:
    return {f["name"] for f in summary["faults"]}


@pytest.mark.parametrize(
    ("name", "side"), [(n, s) for n in RECOGNISED for s in (("left", "right") if n in ONE_SIDED else ("",))]
)
def test_each_stretch_is_recognised_with_its_side(name, side):
    _, s = run(hold(stretch_pose(name, side or "left"), 4.0), jitter_px=1.0)
    label = f"{name} {side}".strip()
    assert list(s["sides"]) == [label]
    assert s["sides"][label]["hold_s"] == pytest.approx(4.0, abs=0.2)
    assert s["faults"] == []


def test_both_knees_hugged_is_its_own_side():
    _, s = run(hold(stretch_pose("knee_to_chest", "both"), 3.0))
    assert list(s["sides"]) == ["knee_to_chest both"]


def test_a_flow_times_each_stretch_and_not_the_moves_between():
    cobra, dog = stretch_pose("cobra"), stretch_pose("downward_dog")
    # Between the two: a plank-like push back (no stretch), 1 s.
    between = [stretch_pose("cobra", bend_deg=-30 - 20 * k / 30) for k in range(30)]
    frames = hold(cobra, 4.0) + between + hold(dog, 5.0)
    _, s = run(frames, jitter_px=1.0)
    assert s["sides"]["cobra"]["hold_s"] == pytest.approx(4.0, abs=0.3)
    assert s["sides"]["downward_dog"]["hold_s"] == pytest.approx(5.0, abs=0.3)
    assert s["hold_s"] == pytest.approx(9.0, abs=0.5)


def test_each_side_is_timed_apart():
    rest = stretch_pose("knee_to_chest", "left", bend_deg=-120)  # the leg back down on the floor
    frames = (
        hold(stretch_pose("knee_to_chest", "left"), 4.0)
        + hold(rest, 1.5)
        + hold(stretch_pose("knee_to_chest", "right"), 3.0)
        + hold(rest, 1.5)
        + hold(stretch_pose("knee_to_chest", "both"), 2.0)
    )
    _, s = run(frames, jitter_px=1.0)
    times = {k: v["hold_s"] for k, v in s["sides"].items()}
    assert times == pytest.approx(
        {"knee_to_chest left": 4.0, "knee_to_chest right": 3.0, "knee_to_chest both": 2.0}, abs=0.3
    )
    assert all(v["holds"] == 1 for v in s["sides"].values())


def test_a_moment_in_another_stretchs_shape_is_not_a_second_stretch():
    """A leg swept through a figure-4 on its way into a knee hug: the label waits min_side_s."""
    frames = hold(stretch_pose("figure4_supine", "left"), 0.6) + hold(stretch_pose("knee_to_chest", "left"), 4.0)
    _, s = run(frames)
    assert list(s["sides"]) == ["knee_to_chest left"]
    assert s["sides"]["knee_to_chest left"]["hold_s"] == pytest.approx(4.6, abs=0.3)


def test_a_pinned_stretch_counts_only_that_stretch():
    frames = hold(stretch_pose("cobra"), 3.0) + hold(stretch_pose("childs_pose"), 3.0)
    _, s = run(frames, variant="childs_pose")
    assert list(s["sides"]) == ["childs_pose"]
    assert s["hold_s"] == pytest.approx(3.0, abs=0.3)
    _, s = run(hold(stretch_pose("cobra"), 3.0), variant="upward_dog")  # same geometry, the pinned name
    assert list(s["sides"]) == ["upward_dog"]


def test_standing_or_lying_still_is_no_stretch():
    standing = stretch_pose("standing_quad", bend_deg=-170)  # the held foot back on the floor
    lying = stretch_pose("knee_to_chest", bend_deg=-120)
    _, s = run(hold(standing, 2.0) + hold(lying, 2.0))
    assert s["hold_s"] == 0.0


@pytest.mark.parametrize("name", ["seated_forward_fold", "seated_hamstring", "standing_hamstring"])
def test_knees_bent_on_a_hamstring_stretch(name):
    limit = make_exercise("stretch").t["knee_bend_deg"]
    _, s = run(hold(stretch_pose(name, knee_deg=180 - limit - 12), 3.0), jitter_px=1.0)
    assert fault_names(s) == {"knees_bent"}
    assert s["faults"][0]["cue"] == "Straighten your knee"
    _, s = run(hold(stretch_pose(name, knee_deg=180 - limit + 12), 3.0), jitter_px=1.0)
    assert fault_names(s) == set()


def test_knees_bent_is_not_judged_where_the_knee_bends_by_design():
    _, s = run(hold(stretch_pose("childs_pose"), 3.0))
    assert "knees_bent" not in fault_names(s)


def bouncing_frames(amplitude_deg: float, hz: float, seconds: float = 5.0, name: str = "seated_forward_fold"):
    times = np.arange(round(seconds * FPS)) / FPS
    return [stretch_pose(name, bend_deg=amplitude_deg * math.sin(2 * math.pi * hz * t)) for t in times]


def test_bouncing_is_flagged_with_its_cue():
    """The fault a pose cannot show (Synthetic.elsewhere): "bouncing", the stretch's angle swinging."""
    frames = hold(stretch_pose("seated_forward_fold"), 2.0) + bouncing_frames(8.0, 1.5, 4.0)
    _, s = run(frames, jitter_px=0.5)
    assert fault_names(s) == {"bouncing"}
    span = s["faults"][0]
    assert span["cue"] == "Hold still — don't bounce"
    assert 2.0 <= span["start_s"] <= 3.3  # once two fast swings are seen
    assert s["good_hold_s"] < s["hold_s"] - 2.0


@pytest.mark.parametrize(("name", "side"), [("standing_quad", "left"), ("knee_to_chest", "right"), ("cobra", "")])
def test_bouncing_is_read_on_each_stretchs_own_angle(name, side):
    times = np.arange(round(5.0 * FPS)) / FPS
    frames = [stretch_pose(name, side or "left", bend_deg=8.0 * math.sin(2 * math.pi * 1.5 * t)) for t in times]
    _, s = run(hold(stretch_pose(name, side or "left"), 2.0) + frames, jitter_px=0.5)
    assert fault_names(s) == {"bouncing"}


@pytest.mark.parametrize(
    ("amplitude", "hz"),
    [(8.0, 0.3), (3.0, 2.0)],  # a slow rock (deeper, easing off) and jitter-sized pulses
)
def test_slow_or_small_movement_is_not_bouncing(amplitude, hz):
    _, s = run(bouncing_frames(amplitude, hz, 6.0), jitter_px=0.5)
    assert "bouncing" not in fault_names(s)


def test_swing_needs_two_fast_swings_in_the_window():
    t = np.arange(0, 4, 1 / FPS)
    seg = np.full(len(t), "x", dtype=object)
    one_move = np.where(t < 1, 0.0, 20.0)  # one quick move into a deeper stretch
    assert swing_deg(t, one_move, seg, 1.5, 3.0, 0.6).max() == 0.0
    wave = 10 * np.sin(2 * np.pi * 1.5 * t)  # 20 deg peak to peak at 1.5 Hz
    assert swing_deg(t, wave, seg, 1.5, 3.0, 0.6).max() == pytest.approx(20.0, abs=1.0)


def test_a_floor_stretch_seen_from_the_front_is_not_judged():
    judgement, s = run(hold(stretch_pose("seated_forward_fold", spread=0.8), 3.0))
    assert s["hold_s"] == 0.0
    assert "wrong_view" in s["unjudged_reasons"]
    assert judgement.final_states[-1].cue == "Turn side-on to the camera"


def test_a_standing_stretch_may_face_the_camera():
    _, s = run(hold(stretch_pose("standing_quad", "left", spread=0.8), 3.0))
    assert list(s["sides"]) == ["standing_quad left"]


def test_the_one_pass_judgement_sees_the_bounce_like_the_offline_one():
    frames = (
        hold(stretch_pose("seated_forward_fold"), 2.0)
        + bouncing_frames(8.0, 1.5, 4.0)
        + hold(stretch_pose("seated_forward_fold"), 2.0)
    )
    track = make_track(frames, FPS, jitter_px=0.5)
    offline = judge_track(track, make_exercise("stretch"))
    online = OnlineJudgement(make_exercise("stretch"), track.width, track.height, track.fps)
    judged = []
    for i in range(len(track)):
        judged += online.add(float(track.times_s[i]), track.pose(i))
    judged += online.flush()
    assert [j.state.faults for j in judged] == [s.faults for s in offline.states]
    assert [j.state.side for j in judged] == [s.side for s in offline.states]


def test_a_wrong_view_reason_code():
    judgement, _ = run(hold(stretch_pose("cobra", spread=0.8), 1.0))
    assert (judgement.signals.reason == WRONG_VIEW).all()


def test_drawn_lines_agree_with_the_rules_on_every_stretch():
    """The contract's sweep poses one stretch (its Synthetic): here every stretch and side."""
    from test_tuning import check_lines_against_rules

    rng = np.random.default_rng(1)
    frames = []
    for _ in range(400):
        name = RECOGNISED[int(rng.integers(len(RECOGNISED)))]
        side = ("left", "right")[int(rng.integers(2))]
        knee, bend, spread = rng.uniform(120, 180), rng.uniform(-25, 25), rng.uniform(0, 1) ** 4
        frames.append(stretch_pose(name, side, knee_deg=knee, bend_deg=bend, spread=spread))
    ex = make_exercise("stretch")
    judgement = judge_track(make_track(frames), ex)
    assert check_lines_against_rules(ex, judgement.signals) == []
    assert (judgement.signals.reason == WRONG_VIEW).any()


# -- the labelled clips ---------------------------------------------------------------------------

YES_CLIPS = {  # clip: (labelled hold s, the stretch and side it must be timed under)
    "stretch/stretch_childs_pose_side_man_outdoor_patio.mp4": (6.3, "childs_pose"),
    "stretch/stretch_pigeon_advanced_side_woman_yoga_studio_portrait.mp4": (11.75, "pigeon right"),
    "stretch/stretch_seated_figure4_piriformis_side_woman_studio.gif": (6.4, "figure4_seated right"),
    "stretch/stretch_standing_quad_front_man_gym.mp4": (5.2, "standing_quad left"),
}


@pytest.mark.video
@pytest.mark.parametrize("clip", sorted(YES_CLIPS))
def test_judgeable_clips_are_recognised_and_timed(track_of, clip):
    hold_s, label = YES_CLIPS[clip]
    s = summarize(judge_track(track_of(clip), make_exercise("stretch")).judge)
    assert abs(s["hold_s"] - hold_s) <= max(0.15 * hold_s, 1.0)
    assert max(s["sides"], key=lambda k: s["sides"][k]["hold_s"]) == label
    assert s["faults"] == []


@pytest.mark.video
def test_the_flow_clip_times_cobra_and_downward_dog_apart(track_of):
    s = summarize(
        judge_track(track_of("stretch/stretch_cobra_to_downdog_side_woman_home.mp4"), make_exercise("stretch")).judge
    )
    assert set(s["sides"]) == {"cobra", "downward_dog"}
    assert s["sides"]["cobra"]["hold_s"] == pytest.approx(3.8, abs=1.0)  # labelled 4.4-8.2
    assert s["sides"]["downward_dog"]["hold_s"] == pytest.approx(7.6, abs=1.0)  # labelled 10.0-17.6


@pytest.mark.video
def test_the_knee_hugs_are_timed_per_side(track_of):
    """Right hug, left hug, then both (treatment table): a leg swept through a figure-4's shape on
    its way into a hug is no second stretch."""
    s = summarize(
        judge_track(
            track_of("stretch/stretch_knee_to_chest_side_woman_treatment_table.mp4"), make_exercise("stretch")
        ).judge
    )
    assert set(s["sides"]) == {"knee_to_chest right", "knee_to_chest left", "knee_to_chest both"}
    assert s["sides"]["knee_to_chest right"]["hold_s"] == pytest.approx(4.9, abs=1.0)
    assert s["sides"]["knee_to_chest left"]["hold_s"] == pytest.approx(4.5, abs=1.0)  # labelled 23.1-27.6


@pytest.mark.video
def test_the_leg_toward_the_camera_is_refused(track_of):
    """judgeable=no: the straight leg points at the lens, its knee cannot be measured."""
    s = summarize(
        judge_track(
            track_of("stretch/stretch_seated_hamstring_front_woman_outdoor_track.mp4"), make_exercise("stretch")
        ).judge
    )
    assert s["hold_s"] == 0.0
    assert list(s["unjudged_reasons"]) == ["wrong_view"]
