"""`formcheck evaluate` on the labelled real clips, and on any folder with its own labels.csv."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from formcheck.app.evaluate import Evaluation, evaluate, within
from formcheck.exercises import EXERCISES


@pytest.fixture(scope="module")
def evaluation(videos):
    return evaluate(videos / "labels.csv")


def test_every_labelled_clip_of_the_four_exercises_is_scored(evaluation, labels):
    expected = {f for f, label in labels.items() if label.exercise in EXERCISES}
    assert {r.label.file for r in evaluation.results} == expected
    assert all(r.error is None for r in evaluation.results)


FLOOR_EXERCISES = ("plank", "side_plank", "glute_bridge", "superman")  # the good-hold floor was set on these


def test_quality_floors_on_the_labelled_clips(evaluation):
    """Regression floors, below the figures in the closing note: a change that makes the rules
    worse on real clips fails here.

    Good-form hold time is floored over every clip of the exercises the floor was set on, and over
    the `yes` clips of the later ones: the stretches' and seated rotation's `partial` clips show
    one take from two cameras, and their labelled time counts both shots ("whatever the camera
    view") while formcheck refuses the front-oblique one, as their notes do ("usable part"); with
    them the share would read 0.70 by design."""
    o = evaluation.overall()
    # Reps within one of the label on every clip labelled judgeable `yes`. Over the `partial` clips
    # too it is 25 of 28: three miss by design (issue 13): the fitbod bird-dog's
    # labelled 8 includes the rear-oblique shot the labels call unusable (the side shot's 4 are
    # counted), and the tight bird-dog (0 of 3) and heel-slide (0 of 6) clips lose the hand or foot
    # out of the frame at every reach, so nothing is judged there.
    assert o["judgeable_rep_obo"] >= 0.9
    assert o["rep_obo"] >= 0.85
    assert o["fault_recall"] >= 0.85
    assert o["fault_precision"] >= 0.85
    assert o["good_clips_max_fault_share"] <= 0.1
    first = Evaluation([r for r in evaluation.results if r.label.exercise in FLOOR_EXERCISES]).overall()
    assert first["good_hold_within_15"] >= 0.8
    later = [
        r
        for r in evaluation.scored()
        if r.label.exercise not in FLOOR_EXERCISES and r.label.judgeable == "yes" and r.label.good_hold_s is not None
    ]
    if later:
        good = [within(r.summary["good_hold_s"], r.label.good_hold_s) for r in later]
        assert sum(good) / len(good) >= 0.8


@pytest.mark.parametrize(
    ("file", "reps"),
    [
        ("glute_bridge/glute_bridge_side_woman_darebee.mp4", 5),
        ("glute_bridge/hip_thrust_bench_oblique_woman.mp4", 6),
        ("glute_bridge/glute_bridge_frog_pump_oblique_woman.mp4", 7),
        ("superman/superman_side_woman_darebee_holds.mp4", 3),
        ("side_plank/side_plank_forearm_hip_dips_man_home_portrait.mp4", 5),
    ],
)
def test_rep_counts_on_clean_clips(evaluation, file, reps):
    result = next(r for r in evaluation.results if r.label.file == file)
    assert result.summary["reps"] == reps


@pytest.mark.parametrize(
    "file",
    [
        "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4",  # a pike and a sag move the torso line
        "plank/plank_high_leg_raises_woman_darebee.mp4",  # legs moving
        "plank/plank_forearm_side_woman_home_timer_overlay.mp4",
        "plank/plank_forearm_side_man_darkstudio.mp4",
    ],
)
def test_planks_without_taps_count_no_shoulder_taps(track_of, file):
    from formcheck.judging.session import judge_track, make_exercise

    track = track_of(file)
    judgement = judge_track(track, make_exercise("plank", variant="shoulder_taps"))
    assert judgement.judge.reps == []


@pytest.mark.parametrize(
    "file",
    [
        "superman/superman_swimmer_two_performers_leapfitness.mp4",
        "glute_bridge/glute_bridge_two_performers_leapfitness_cuts.mp4",
        "superman/superman_oblique_then_side_man_fitbod.mp4",
        "superman/superman_alternating_oblique_then_side_man_fitbod.mp4",
    ],
)
def test_reps_across_scene_cuts_land_in_the_labelled_reps(evaluation, file):
    """Edited clips cut between performers and camera angles: every labelled rep but at most one
    is counted where it happens, and at most one rep is counted where the label has none."""
    result = next(r for r in evaluation.results if r.label.file == file)
    spans = result.label.position_spans
    tops = [rep["top_s"] for rep in result.summary["rep_details"]]
    found = [any(a <= top <= b for top in tops) for a, b in spans]
    stray = [top for top in tops if not any(a <= top <= b for a, b in spans)]
    assert sum(found) >= len(spans) - 1, (found, tops)
    assert len(stray) <= 1, stray


@pytest.mark.parametrize(
    "file",
    [
        "superman/superman_oblique_then_side_man_fitbod.mp4",
        "superman/superman_alternating_oblique_then_side_man_fitbod.mp4",
    ],
)
def test_good_supermans_filmed_from_the_head_end_then_side_on_have_no_faults(evaluation, file):
    """From the head end the resting arms read 30 deg below the horizontal: which end is lifted is
    judged side-on only, and one leg lifted high is not the body leaving the floor."""
    result = next(r for r in evaluation.results if r.label.file == file)
    assert result.summary["reps"] == result.label.reps
    assert result.summary["faults"] == []


def test_each_shoulder_tap_is_counted_while_its_hand_is_off_the_floor(evaluation):
    """The label's notes time every hand-off-floor span; one rep must reach its top in each."""
    result = next(r for r in evaluation.results if "shoulder_taps" in r.label.file)
    hand_off = [(float(a), float(b)) for a, b in re.findall(r"(?:near|far) (\d+\.\d+)-(\d+\.\d+)", result.label.notes)]
    assert len(hand_off) == 10
    tops = [rep["top_s"] for rep in result.summary["rep_details"]]
    assert len(tops) == len(hand_off)
    for (start, end), top in zip(hand_off, tops, strict=True):
        assert start - 0.15 <= top <= end


@pytest.mark.parametrize(
    "file",
    [
        "plank/plank_forearm_side_woman_home_timer_overlay.mp4",
        "plank/plank_forearm_side_man_darkstudio.mp4",
        "plank/plank_forearm_oblique_man_gym.mp4",
        "side_plank/side_plank_forearm_woman_outdoor_arm_raise.mp4",
    ],
)
def test_good_holds_are_timed_as_good(evaluation, file):
    result = next(r for r in evaluation.results if r.label.file == file)
    assert within(result.summary["good_hold_s"], result.label.good_hold_s)
    assert result.summary["faults"] == []


def test_labelled_side_plank_faults_are_found_when_they_happen(evaluation):
    result = next(r for r in evaluation.results if "LABELLED_faults" in r.label.file)
    for span in result.label.fault_spans:
        found = [f for f in result.summary["faults"] if f["name"] == span.name]
        assert found, span.name
        overlap = max(min(f["end_s"], span.end_s) - max(f["start_s"], span.start_s) for f in found)
        assert overlap > 0.7 * (span.end_s - span.start_s)


def test_the_wrong_view_is_refused_not_judged(evaluation):
    result = next(r for r in evaluation.results if "frontoblique_woman_home_enter_exit" in r.label.file)
    assert result.summary["hold_s"] == 0 and result.summary["faults"] == []
    assert result.summary["unjudged_reasons"]["wrong_view"] > 25


def test_evaluate_command_on_another_folder_with_its_own_labels(videos, tmp_path):
    clips = tmp_path / "my_clips"
    (clips / "planks").mkdir(parents=True)
    (clips / "planks" / "a.mp4").symlink_to(videos / "plank/plank_forearm_side_man_rooftop_b.mp4")
    with (clips / "labels.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "file",
                "exercise",
                "variant",
                "view",
                "judgeable",
                "reps",
                "hold_s",
                "good_hold_s",
                "faults",
                "fault_spans",
                "position_spans",
                "notes",
            ]
        )
        writer.writerow(["planks/a.mp4", "plank", "forearm", "side", "yes", "", "3.0", "3.0", "", "", "0-3", ""])
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, "-m", "formcheck.app.cli", "evaluate", str(clips / "labels.csv"), "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "planks/a.mp4" in result.stdout and "within 15% 100%" in result.stdout
    figures = json.loads(out.read_text())
    assert figures["overall"]["hold_clips"] == 1


def test_evaluate_refuses_a_file_that_is_not_labels(tmp_path):
    bad = tmp_path / "labels.csv"
    bad.write_text("a,b\n1,2\n")
    result = subprocess.run(
        [sys.executable, "-m", "formcheck.app.cli", "evaluate", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1 and "not a labels file" in result.stderr and "Traceback" not in result.stderr


def test_evaluate_with_a_bad_config_says_so_once_before_any_clip(videos, tmp_path):
    from cli_helpers import formcheck, one_line_error

    bad = tmp_path / "bad.toml"
    bad.write_text("[plank]\nhip_sag_deg = 'x'\n")
    result = formcheck("evaluate", str(videos / "labels.csv"), "--config", str(bad))
    assert "'plank.hip_sag_deg' must be a number" in one_line_error(result)
    assert result.stdout == ""
