"""Seated spine rotation: time turned per side and its range, slouching, hips turning, view."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from formcheck.exercises.seated_rotation import seated_rotation_pose
from formcheck.judging.online import OnlineJudgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.streaming import StreamingSession
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import make_track

FPS = 30.0


def frames_of(**series):
    """Per-frame poses from per-frame parameter arrays (all the same length); the track's world
    landmarks follow from them (posing.world_landmarks)."""
    n = len(next(iter(series.values())))
    return [seated_rotation_pose(**{name: float(v[k]) for name, v in series.items()}) for k in range(n)]


def ramp(*pieces):
    """Concatenated (value, seconds) holds joined by 0.5-s linear moves."""
    out = [np.full(round(pieces[0][1] * FPS), pieces[0][0])]
    for (a, _), (b, secs) in itertools.pairwise(pieces):
        out.append(np.linspace(a, b, round(0.5 * FPS)))
        out.append(np.full(round(secs * FPS), b))
    return np.concatenate(out)


def run(variant: str = "", jitter_px: float = 0.0, **series):
    track = make_track(frames_of(**series), FPS, jitter_px=jitter_px)
    judgement = judge_track(track, make_exercise("seated_rotation", variant=variant))
    return judgement, summarize(judgement.judge)


def test_the_synthetic_world_landmarks_read_the_posed_turn():
    track = make_track([seated_rotation_pose(turn_deg=40.0, pelvis_yaw_deg=-20.0, forward_lean_deg=10.0)])
    features = judge_track(track, make_exercise("seated_rotation")).signals.features
    assert features["turn_deg"][0] == pytest.approx(40.0, abs=0.5)
    assert features["pelvis_yaw_deg"][0] == pytest.approx(-20.0, abs=0.5)
    assert features["forward_lean_deg"][0] == pytest.approx(10.0, abs=0.5)


def test_each_side_is_timed_with_its_range():
    turn = ramp((0, 1.0), (55, 4.0), (0, 1.0), (-45, 3.0), (0, 1.0))
    _, s = run(turn_deg=turn, jitter_px=1.0)
    left, right = s["sides"]["left"], s["sides"]["right"]
    # Beyond 30 deg: the hold plus the part of each 0.5-s move past the line.
    assert left["hold_s"] == pytest.approx(4.0 + 0.5 * 25 / 55 * 2, abs=0.3)
    assert right["hold_s"] == pytest.approx(3.0 + 0.5 * 15 / 45 * 2, abs=0.3)
    assert left["max_turn_deg"] == pytest.approx(55, abs=2) and right["max_turn_deg"] == pytest.approx(45, abs=2)
    assert left["holds"] == right["holds"] == 1
    assert s["faults"] == []


def test_a_small_turn_is_not_counted():
    _, s = run(turn_deg=ramp((0, 1.0), (20, 4.0), (0, 1.0)))
    assert s["hold_s"] == 0.0


@pytest.mark.parametrize(("lean", "value"), [("forward_lean_deg", 32.0), ("side_lean_deg", -30.0)])
def test_slouching_forward_or_sideways(lean, value):
    turn = ramp((0, 1.0), (50, 5.0))
    leaning = ramp((0, 2.5), (value, 4.0))
    _, s = run(turn_deg=turn, **{lean: leaning}, jitter_px=1.0)
    assert {f["name"] for f in s["faults"]} == {"slouching"}
    assert s["faults"][0]["cue"] == "Sit tall"
    assert s["good_hold_s"] < s["hold_s"] - 3.0


def test_a_slight_lean_is_fine():
    _, s = run(turn_deg=ramp((0, 1.0), (50, 4.0)), forward_lean_deg=ramp((0, 1.0), (12, 4.0)))
    assert s["faults"] == []


def test_hips_turning_with_the_shoulders():
    """The fault a held pose cannot show (Synthetic.elsewhere): "hips_turning", from a square start."""
    turn = ramp((0, 1.0), (40, 4.0))
    pelvis = ramp((0, 1.0), (30, 4.0))  # the whole body swivels: shoulders 70 deg, pelvis 30
    _, s = run(turn_deg=turn, pelvis_yaw_deg=pelvis, jitter_px=1.0)
    assert {f["name"] for f in s["faults"]} == {"hips_turning"}
    assert s["faults"][0]["cue"].startswith("Keep your hips facing forward")


def test_an_oblique_camera_is_not_hips_turning():
    """The pelvis 40 deg off the camera all along: its yaw did not move with the turn."""
    _, s = run(turn_deg=ramp((0, 1.0), (50, 4.0), (0, 1.0), (-50, 4.0)), pelvis_yaw_deg=np.full(393, -40.0))
    assert s["faults"] == []
    assert s["sides"]["left"]["hold_s"] > 3.5 and s["sides"]["right"]["hold_s"] > 3.5


def test_side_on_is_refused():
    judgement, s = run(turn_deg=ramp((0, 1.0), (50, 3.0)), pelvis_yaw_deg=np.full(135, 85.0))
    assert s["hold_s"] == 0.0
    assert list(s["unjudged_reasons"]) == ["wrong_view"]
    assert judgement.final_states[-1].cue == "Face the camera (or turn your back to it)"


def test_without_world_landmarks_nothing_is_judged():
    track = make_track(frames_of(turn_deg=ramp((0, 1.0), (50, 3.0))), FPS)
    track.world[:] = np.nan
    s = summarize(judge_track(track, make_exercise("seated_rotation")).judge)
    assert s["hold_s"] == 0.0 and "not_visible" in s["unjudged_reasons"]


def test_dynamic_twists_count_reps_per_side():
    pieces = [(0, 1.0)]
    for _ in range(3):
        pieces += [(50, 0.4), (-50, 0.4)]
    pieces += [(0, 1.0)]
    _, s = run(variant="dynamic", turn_deg=ramp(*pieces), jitter_px=0.5)
    assert s["reps"] == 6
    assert s["sides"]["left"]["reps"] == 3 and s["sides"]["right"]["reps"] == 3
    assert [r["side"] for r in s["rep_details"]] == ["left", "right"] * 3


def test_online_and_live_see_the_world_landmarks():
    turn = ramp((0, 1.0), (50, 3.0), (0, 1.0))
    pelvis = ramp((0, 1.5), (30, 3.0), (0, 0.5))
    track = make_track(frames_of(turn_deg=turn, pelvis_yaw_deg=pelvis), FPS, jitter_px=0.5)
    offline = judge_track(track, make_exercise("seated_rotation"))
    online = OnlineJudgement(make_exercise("seated_rotation"), track.width, track.height, track.fps)
    judged = []
    for i in range(len(track)):
        judged += online.add(float(track.times_s[i]), track.pose(i))
    judged += online.flush()
    assert [(j.state.in_position, j.state.faults, j.state.side) for j in judged] == [
        (s.in_position, s.faults, s.side) for s in offline.states
    ]
    live = StreamingSession(make_exercise("seated_rotation"), track.width, track.height)
    for i in range(len(track)):
        live.update(float(track.times_s[i]), track.pose(i))
    live_summary = summarize(live.judge)
    assert live_summary["hold_s"] == pytest.approx(summarize(offline.judge)["hold_s"], abs=0.3)
    assert {f["name"] for f in live_summary["faults"]} == {"hips_turning"}


# -- the labelled clips ---------------------------------------------------------------------------


@pytest.mark.video
def test_the_chair_twist_is_timed_per_side(track_of):
    s = summarize(
        judge_track(
            track_of("seated_rotation/seated_rotation_chair_twist_front_woman_white_studio.mp4"),
            make_exercise("seated_rotation"),
        ).judge
    )
    assert s["sides"]["right"]["hold_s"] == pytest.approx(6.25, abs=0.6)  # labelled right 1.5-7.75
    assert s["sides"]["left"]["hold_s"] == pytest.approx(5.95, abs=0.6)  # left 9.3-15.25
    assert 45 <= s["sides"]["right"]["max_turn_deg"] <= 80 and 45 <= s["sides"]["left"]["max_turn_deg"] <= 80
    assert s["faults"] == []


@pytest.mark.video
def test_the_floor_twist_is_timed_in_its_front_oblique_shot_only(track_of):
    s = summarize(
        judge_track(
            track_of("seated_rotation/seated_rotation_floor_dynamic_twist_frontoblique_woman_fitbod.mp4"),
            make_exercise("seated_rotation"),
        ).judge
    )
    assert list(s["sides"]) == ["left"]
    assert s["sides"]["left"]["hold_s"] == pytest.approx(4.7, abs=0.7)  # labelled left 12.3-17.0
    assert s["unjudged_reasons"]["wrong_view"] > 8.0  # the side-on shot, 0-9.35 s
    assert s["faults"] == []
