"""The faults read from the back's outline (exercises/back.py) on the plank, glute bridge and
superman: synthetic landmarks with a synthetic outline, since no clip shows each case cleanly.
The real-clip side (the BAD plank's deep sag, the arched douyin bridge) is in test_evaluate."""

from __future__ import annotations

import pytest
from back_profiles import judge_with_back

from formcheck.exercises.plank import plank_pose
from formcheck.judging.session import make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.synthetic import hold, make_track, reps

FPS = 30.0


def fault_names(summary) -> set[str]:
    return {f["name"] for f in summary["faults"]}


def judged_plank(back: float | None, **pose):
    track = make_track(hold(plank_pose(**pose), 4.0), FPS, jitter_px=0.5)
    judgement = judge_with_back(track, make_exercise("plank"), None if back is None else [back] * len(track))
    return summarize(judgement.judge)


def test_a_plank_whose_lower_back_sinks_with_the_hip_on_the_line_is_lower_back_sagging():
    s = judged_plank(-0.20)  # a good plank's joints, the lower back hollowed ~10 cm
    assert fault_names(s) == {"lower_back_sagging"}
    assert s["faults"][0]["cue"] == "Tuck your pelvis — flatten your lower back"
    assert s["good_hold_s"] < 0.6


@pytest.mark.parametrize("back", [-0.08, 0.0, 0.05, None])
def test_ordinary_lordosis_a_flat_back_or_no_outline_says_nothing_about_the_back(back):
    s = judged_plank(back)
    assert fault_names(s) == set()
    assert s["good_hold_s"] == pytest.approx(4.0, abs=0.2)


def test_a_sag_the_hip_joint_shows_is_cued_once_as_hips_sagging():
    s = judged_plank(-0.25, hip_bend_deg=-25)
    assert fault_names(s) == {"hips_sagging"}


def judged_bridge(top_deg: float, back: float, width_ratio: float = 0.04):
    frames = reps("glute_bridge", 2, hip_lift_deg=top_deg, width_ratio=width_ratio)
    track = make_track(frames, FPS, jitter_px=0.5)
    # The bridge's back is its floor side; judge_with_back takes the bow towards the image top,
    # so a lower back bowed up towards the ceiling (arched, anatomically hollow) is +.
    judgement = judge_with_back(track, make_exercise("glute_bridge"), [back] * len(track))
    return summarize(judgement.judge)


def test_a_bridge_a_little_above_the_line_with_its_lower_back_arched_is_back_arched():
    s = judged_bridge(10.0, 0.12)
    assert s["reps"] == 2
    assert [r["faults"] for r in s["rep_details"]] == [["back_arched"], ["back_arched"]]


@pytest.mark.parametrize(
    ("top_deg", "back", "width_ratio"),
    [
        (10.0, 0.0, 0.04),  # the same height, the lower back flat: the landmarks' hip sits high
        (3.0, 0.12, 0.04),  # arched outline, hips on the line: not the arch the cue is about
        (10.0, 0.12, 0.35),  # filmed obliquely: the outline is the flank, not judged
    ],
)
def test_a_bridge_is_back_arched_by_the_outline_only_above_the_line_and_side_on(top_deg, back, width_ratio):
    s = judged_bridge(top_deg, back, width_ratio)
    assert s["reps"] == 2 and s["good_reps"] == 2


def test_the_joint_rule_still_catches_a_bridge_far_above_the_line_without_an_outline():
    frames = reps("glute_bridge", 2, hip_lift_deg=22.0)
    s = summarize(judge_with_back(make_track(frames, FPS), make_exercise("glute_bridge"), None).judge)
    assert [r["faults"] for r in s["rep_details"]] == [["back_arched"], ["back_arched"]]


def judged_superman(chest_deg: float, back: float):
    frames = reps("superman", 2, chest_lift_deg=chest_deg)
    track = make_track(frames, FPS, jitter_px=0.5)
    return summarize(judge_with_back(track, make_exercise("superman"), [back] * len(track)).judge)


@pytest.mark.parametrize(
    ("chest_deg", "back", "arched"),
    [
        (18.0, -0.32, True),  # lifted a good way, the lift folding the lower back
        (18.0, -0.15, False),  # the same lift with a good top's curve (-0.10 to -0.20 on the clips)
        (10.0, -0.32, False),  # a deep curve on a small lift: the rule is about lifting too high
        (30.0, 0.0, True),  # the trunk alone past the limit, as before the outline
    ],
)
def test_superman_over_arched_adds_the_outline_to_the_trunk_angle(chest_deg, back, arched):
    s = judged_superman(chest_deg, back)
    assert s["reps"] == 2
    assert all(("over_arched" in r["faults"]) == arched for r in s["rep_details"])


def test_the_timeline_adds_a_panel_for_the_backs_curve_only_when_there_is_an_outline(tmp_path):
    """Signals and lanes; with an outline, the lumbar curve and its limit between them."""
    from formcheck.outputs import timeline

    track = make_track(hold(plank_pose(), 3.0), FPS)
    for back, axes in ((None, 2), ([-0.20] * len(track), 3)):
        judgement = judge_with_back(track, make_exercise("plank"), back)
        second = timeline.second_panel(judgement.exercise, judgement.signals.features)
        assert (second is not None) == (back is not None)
        if second:
            assert second.features == ("lumbar_curve",) and [lim.key for _, lim in second.limits] == [
                "lumbar_sag_ratio"
            ]
        assert len(timeline.timeline_figure(judgement, summarize(judgement.judge)).get_axes()) == axes
    timeline.plot_timeline(tmp_path / "timeline.png", judgement, summarize(judgement.judge))
    assert (tmp_path / "timeline.png").stat().st_size > 10_000


@pytest.mark.parametrize(("back", "colour"), [(-0.20, "FAULT_RING_COLOUR"), (-0.05, "BACK_COLOUR")])
def test_the_overlay_draws_the_back_red_while_a_fault_read_from_it_is_on(back, colour):
    import numpy as np

    from formcheck.judging.judgement import judged_frame
    from formcheck.outputs import overlay

    track = make_track(hold(plank_pose(), 3.0), FPS)
    judgement = judge_with_back(track, make_exercise("plank"), [back] * len(track))
    frame = judged_frame(judgement, len(track) - 1)
    assert frame.back_edge is not None and frame.back_edge.shape == (17,)
    image = np.zeros((track.height, track.width, 3), dtype=np.uint8)
    overlay.draw_overlay(
        image,
        frame.xy,
        frame.visibility,
        frame.near_left,
        frame.state,
        frame.features,
        judgement.exercise,
        back_edge=frame.back_edge,
    )
    # Station 6 of 16 (t = 3/8): on the back, away from the joints' rings and the key angle.
    x, y = np.round(overlay.back_points(frame.xy, frame.back_edge)[6]).astype(int)
    assert tuple(int(c) for c in image[y, x]) == getattr(overlay, colour)


def test_a_poor_outline_is_not_drawn():
    from formcheck.judging.judgement import judged_frame

    track = make_track(hold(plank_pose(), 1.0), FPS)
    judgement = judge_with_back(track, make_exercise("plank"), [-0.20] * len(track))
    judgement.pose.outline_quality[:] = 0.3
    assert judged_frame(judgement, 0).back_edge is None
