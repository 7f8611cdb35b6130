"""report.json, frames.csv, timeline.png and the terminal table, on real judged clips."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from formcheck.exercises import EXERCISES
from formcheck.files import atomic_write
from formcheck.judging.judgement import Judgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.outputs.report import (
    FRAME_COLUMNS,
    format_summary_table,
    headline,
    json_safe,
    write_frames_csv,
    write_json,
)
from formcheck.outputs.timeline import plot_timeline, signal_panel

SAMPLES = Path(os.environ.get("FORMCHECK_SAMPLES") or Path(__file__).resolve().parents[2] / "shared" / "videos")
needs_videos = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no sample videos at {SAMPLES} (set FORMCHECK_SAMPLES)")

CLIPS = {
    "plank": "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4",
    "glute_bridge": "glute_bridge/glute_bridge_side_woman_darebee.mp4",
    "superman": "superman/superman_side_woman_darebee_holds.mp4",
    "stretch": "stretch/stretch_knee_to_chest_side_woman_treatment_table.mp4",
    "seated_rotation": "seated_rotation/seated_rotation_chair_twist_front_woman_white_studio.mp4",
}


def judged(exercise: str) -> tuple[Judgement, dict]:
    from formcheck.pipeline.extract import track_for_video

    track, _ = track_for_video(SAMPLES / CLIPS[exercise])  # cached after the first run
    judgement = judge_track(track, make_exercise(exercise))
    return judgement, summarize(judgement.judge)


@pytest.fixture(scope="module")
def plank() -> tuple[Judgement, dict]:
    return judged("plank")


@pytest.fixture(scope="module")
def bridge() -> tuple[Judgement, dict]:
    return judged("glute_bridge")


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# -- on real clips ----------------------------------------------------------------------------


@needs_videos
@pytest.mark.video
def test_frames_csv_rows_and_columns(tmp_path: Path, plank: tuple[Judgement, dict]) -> None:
    judgement, _ = plank
    path = tmp_path / "frames.csv"
    write_frames_csv(path, judgement)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(judgement.times_s) == len(judgement.final_states)
    header = list(rows[0])
    assert header[: len(FRAME_COLUMNS)] == list(FRAME_COLUMNS)
    assert header[len(FRAME_COLUMNS) :] == list(judgement.signals.features)
    # Values agree with the judge, frame by frame.
    for i in (0, len(rows) // 2, len(rows) - 1):
        row, state = rows[i], judgement.final_states[i]
        assert int(row["frame"]) == state.index == i
        assert float(row["time_s"]) == pytest.approx(state.t, abs=1e-3)
        assert row["judged"] == str(int(state.judged)) and row["in_position"] == str(int(state.in_position))
        assert row["faults"] == ";".join(state.faults) and row["cue"] == state.cue
        assert int(row["reps"]) == state.reps
        for name, values in judgement.signals.features.items():
            v = float(values[i])
            assert row[name] == "" if math.isnan(v) else float(row[name]) == pytest.approx(v, abs=0.006)
    # The per-frame fault columns add up to the report's fault times.
    _, summary = plank
    assert summary["fault_time_s"], "the BAD plank clip has faults"
    names = {n for r in rows for n in r["faults"].split(";") if n}
    assert names == set(summary["fault_time_s"]) and names <= {f.name for f in judgement.exercise.faults}
    dt = float(np.median(np.diff(judgement.times_s)))
    for name, seconds in summary["fault_time_s"].items():
        frames = sum(name in r["faults"].split(";") for r in rows)
        assert frames * dt == pytest.approx(seconds, abs=0.3)
    assert all(r["unjudged_reason"] == "" for r in rows if r["judged"] == "1")
    assert not list(tmp_path.glob("*.part"))


@needs_videos
@pytest.mark.video
@pytest.mark.parametrize(
    ("clip", "exercise", "variant"),
    [
        ("plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4", "plank", ""),
        ("plank/plank_forearm_knee_taps_woman_studio.mp4", "plank", "knee_taps"),
        ("glute_bridge/glute_bridge_tutorial_cuts_BAD_and_good_douyin.mp4", "glute_bridge", ""),
    ],
)
def test_frames_csv_adds_up_to_the_report(tmp_path: Path, clip: str, exercise: str, variant: str) -> None:
    """Decisions are dated from their onset, so the per-frame flags, not only the totals, are
    final: summing frames.csv gives the report's hold, good-form and fault times and reps."""
    from formcheck.pipeline.extract import track_for_video

    track, _ = track_for_video(SAMPLES / clip)
    judgement = judge_track(track, make_exercise(exercise, variant=variant))
    summary = summarize(judgement.judge)
    path = tmp_path / "frames.csv"
    write_frames_csv(path, judgement)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    dt = np.asarray(judgement.judge.dt)
    counted = np.array([r["judged"] == "1" and r["in_position"] == "1" for r in rows])
    good = counted & np.array([r["faults"] == "" for r in rows])
    judge = judgement.judge  # its totals are the time in position (for reps, the report's hold is at the top)
    assert float(dt[counted].sum()) == pytest.approx(judge.hold_s, abs=1e-6)
    assert float(rows[-1]["in_position_s"]) == pytest.approx(judge.hold_s, abs=0.01)
    assert float(rows[-1]["good_form_s"]) == pytest.approx(judge.good_hold_s, abs=0.01)
    if judgement.exercise.kind == "hold":  # (a rep exercise's top faults do not make its hold bad)
        assert float(dt[good].sum()) == pytest.approx(judge.good_hold_s, abs=1e-6)
        assert summary["hold_s"] == pytest.approx(judge.hold_s, abs=0.01)
        assert summary["good_hold_s"] == pytest.approx(judge.good_hold_s, abs=0.01)
    assert int(rows[-1]["reps"]) == summary["reps"]
    for name, seconds in summary["fault_time_s"].items():
        on = np.array([name in r["faults"].split(";") for r in rows]) & counted
        assert float(dt[on].sum()) == pytest.approx(seconds, abs=0.05)


@needs_videos
@pytest.mark.video
def test_report_json_round_trips(tmp_path: Path, plank: tuple[Judgement, dict]) -> None:
    _, summary = plank
    data = {**summary, "nan_value": math.nan, "array": np.array([1.5, np.nan]), "count": np.int64(3)}
    path = tmp_path / "report.json"
    write_json(path, data)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back == json_safe(data)
    assert back["nan_value"] is None and back["array"] == [1.5, None] and back["count"] == 3
    assert back["faults"] == summary["faults"] and back["exercise"] == "plank"
    assert "NaN" not in path.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.part"))


@needs_videos
@pytest.mark.video
@pytest.mark.parametrize("exercise", list(CLIPS))
def test_timeline_png(tmp_path: Path, exercise: str) -> None:
    judgement, summary = judged(exercise)
    path = tmp_path / "timeline.png"
    plot_timeline(path, judgement, summary)
    w, h = png_size(path)
    assert w >= 1000 and h >= 500
    assert path.stat().st_size > 30_000  # a drawn chart, not an empty canvas
    assert not list(tmp_path.glob("*.part"))


@needs_videos
@pytest.mark.video
def test_summary_table_of_real_sessions(plank: tuple[Judgement, dict], bridge: tuple[Judgement, dict]) -> None:
    _, summary = plank
    text = format_summary_table(summary)
    assert text.splitlines()[0].split() == ["Exercise", "Plank"]  # the title, in the language
    assert "Good form" in text and "In position" in text
    for name, seconds in summary["fault_time_s"].items():
        assert name.replace("_", " ") in text and f"{seconds:.1f} s" in text
    for span in summary["faults"]:
        assert span["cue"] in text
    _, summary = bridge
    text = format_summary_table(summary)
    assert re.search(rf"^Reps +{summary['reps']} \({summary['good_reps']} good\)$", text, re.M), text
    assert "Good form" not in text


# -- no clips needed ---------------------------------------------------------------------------


def test_summary_table_sides_unjudged_and_partial() -> None:
    summary = {
        "exercise": "side_plank",
        "variant": "",
        "duration_s": 62.0,
        "reps": 0,
        "good_reps": 0,
        "hold_s": 40.0,
        "good_hold_s": 30.0,
        "good_share": 0.75,
        "in_position_s": 40.0,
        "faults": [
            {"name": "hips_dropped", "start_s": 5.0, "end_s": 8.0, "cue": "Push your hips up"},
            {"name": "hips_dropped", "start_s": 20.0, "end_s": 27.0, "cue": "Push your hips up"},
        ],
        "fault_time_s": {"hips_dropped": 10.0},
        "rep_details": [],
        "unjudged_s": 12.5,
        "unjudged_reasons": {"not_visible": 10.0, "no_person": 2.5},
        "sides": {
            "left": {"hold_s": 22.0, "good_hold_s": 20.0},
            "right": {"hold_s": 18.0, "good_hold_s": 10.0},
        },
        "partial": True,
    }
    text = format_summary_table(summary)
    assert "30.0 s (75 %)" in text
    assert "left side" in text and "91 %" in text and "right side" in text and "56 %" in text
    assert "hips dropped" in text and "10.0 s" in text and "2 times" in text and "Push your hips up" in text
    assert "12.5 s (not visible 10.0 s, no person 2.5 s)" in text
    assert "PARTIAL" in text


def test_summary_table_names_other_side_labels_as_they_are() -> None:
    """Which stretch (and its side) reads as it is, not "... side"; a measured range and a dynamic
    variant's reps read beside the time."""
    summary = {
        "exercise": "stretch",
        "hold_s": 9.0,
        "good_hold_s": 9.0,
        "good_share": 1.0,
        "faults": [],
        "sides": {
            "knee_to_chest right": {"hold_s": 4.9, "good_hold_s": 4.9, "holds": 1},
            "left": {"hold_s": 4.1, "good_hold_s": 4.1, "holds": 2, "reps": 2, "good_reps": 2, "max_turn_deg": 58.9},
        },
    }
    text = format_summary_table(summary)
    assert re.search(r"^  knee to chest right +4.9 s in position, 4.9 s good \(100 %\)$", text, re.M), text
    assert "knee to chest right side" not in text
    assert re.search(
        r"^  left side +4.1 s in position, 4.1 s good \(100 %\), 2 reps \(2 good\), max turn 59 deg$", text, re.M
    )


def test_summary_table_reps_with_faults() -> None:
    summary = {
        "exercise": "glute_bridge",
        "duration_s": 30.0,
        "reps": 3,
        "good_reps": 1,
        "hold_s": 3.0,
        "good_hold_s": 1.0,
        "faults": [{"name": "hips_too_low", "start_s": 4.0, "end_s": 5.0, "cue": "Lift your hips higher"}],
        "fault_time_s": {"hips_too_low": 1.0},
        "rep_details": [
            {"rep": 1, "start_s": 1, "top_s": 2, "end_s": 3, "top_hold_s": 1, "good": True, "faults": []},
            {
                "rep": 2,
                "start_s": 3,
                "top_s": 4,
                "end_s": 5,
                "top_hold_s": 1,
                "good": False,
                "faults": ["hips_too_low"],
            },
            {
                "rep": 3,
                "start_s": 5,
                "top_s": 6,
                "end_s": 7,
                "top_hold_s": 1,
                "good": False,
                "faults": ["back_arched", "feet_misplaced"],
            },
        ],
        "unjudged_s": 0.0,
        "unjudged_reasons": {},
    }
    text = format_summary_table(summary)
    assert "3 (1 good)" in text
    assert "2 (hips too low), 3 (back arched, feet misplaced)" in text
    assert text.splitlines()[-1].split() == ["Not", "judged", "0.0", "s"]
    assert "Good form" not in text and "In position" not in text


def test_summary_table_reps_per_side_and_a_hold_variant_of_a_rep_exercise() -> None:
    base = {"duration_s": 20.0, "faults": [], "fault_time_s": {}, "unjudged_s": 0.0, "unjudged_reasons": {}}
    superman = {
        **base,
        "exercise": "superman",
        "variant": "alternating",
        "reps": 3,
        "good_reps": 3,
        "hold_s": 3.0,
        "good_hold_s": 3.0,
        "rep_details": [],
        "sides": {"left_arm_right_leg": {"reps": 2, "good_reps": 2}, "right_arm_left_leg": {"reps": 1, "good_reps": 1}},
    }
    text = " ".join(format_summary_table(superman).split())
    assert "left arm right leg 2 reps (2 good)" in text and "right arm left leg 1 reps (1 good)" in text
    legs = {
        **superman,
        "exercise": "leg_raise",
        "variant": "single_leg",
        "sides": {"left": {"reps": 2, "good_reps": 1}},
    }
    assert "left side 2 reps (1 good)" in " ".join(format_summary_table(legs).split())
    # A sphinx is a timed hold, although a back extension counts reps.
    sphinx = {**base, "exercise": "back_extension", "variant": "sphinx", "reps": 0, "good_reps": 0}
    sphinx |= {"hold_s": 20.0, "good_hold_s": 15.0, "good_share": 0.75, "rep_details": []}
    text = format_summary_table(sphinx)
    assert "In position" in text and "15.0 s (75 %)" in text and "Reps" not in text
    assert headline(sphinx, "Back extension").startswith("Back extension: good form 15.0 s of 20.0 s")
    assert headline({**sphinx, "variant": ""}, "Back extension") == "Back extension: 0 reps, 0 good"


def test_json_safe_and_atomic_failure_keeps_old_file(tmp_path: Path) -> None:
    assert json_safe({"a": [math.inf, -math.inf, 1.0], "b": (np.float32(2.5), np.bool_(True)), "p": tmp_path}) == {
        "a": [None, None, 1.0],
        "b": [2.5, True],
        "p": str(tmp_path),
    }
    path = tmp_path / "report.json"
    write_json(path, {"version": 1})
    with pytest.raises(RuntimeError), atomic_write(path, "w") as f:
        f.write('{"version": 2')
        raise RuntimeError("interrupted")
    assert json.loads(path.read_text()) == {"version": 1}
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("name", list(EXERCISES))
def test_the_timeline_draws_each_exercises_own_signals_and_limits(name) -> None:
    from formcheck.judging.session import pose_frames
    from formcheck.pipeline.track import Track

    ex = make_exercise(name)
    # The features exist in what the exercise computes (on a two-frame empty pose).
    track = Track(np.full((2, 33, 4), np.nan), np.full((2, 33, 3), np.nan), np.array([0.0, 33.0]), 30.0, 640, 480)
    features = ex.signals(pose_frames(track, track.pixels().astype(np.float64))).features
    panel = signal_panel(ex, features)
    assert panel.features and all(f in features for f in panel.features)
    assert panel.limits, f"{name}: no limit lines on the timeline"
    for feature, limit in panel.limits:
        assert feature in panel.features and limit.key in ex.t
