"""`formcheck analyze` as a user runs it, on real clips, saved tracks, folders and bad input."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from cli_helpers import formcheck, one_line_error

PLANK = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"
BRIDGE = "glute_bridge/glute_bridge_side_woman_darebee.mp4"
REQUIRED_KEYS = {
    "exercise",
    "duration_s",
    "reps",
    "good_reps",
    "hold_s",
    "good_hold_s",
    "faults",
    "unjudged_s",
    "partial",
    "model",
    "thresholds",
    "formcheck_version",
}


@pytest.fixture(scope="module")
def plank_outputs(videos, tmp_path_factory):
    out = tmp_path_factory.mktemp("analyze")
    result = formcheck("analyze", str(videos / PLANK), "--exercise", "plank", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / Path(PLANK).stem, result


def test_report_json_has_the_promised_keys_and_matches_evaluate(plank_outputs, videos, labels):
    folder, result = plank_outputs
    report = json.loads((folder / "report.json").read_text())
    assert report.keys() >= REQUIRED_KEYS
    assert report["exercise"] == "plank" and report["partial"] is False and report["model"] == "full"
    # the faults a person labelled on this clip are in the report, as spans with cues
    names = {f["name"] for f in report["faults"]}
    assert {"hips_piked", "head_raised"} <= names
    assert all(f["end_s"] > f["start_s"] and f["cue"] for f in report["faults"])
    # the same numbers `formcheck evaluate` finds for this clip
    from formcheck.app.evaluate import evaluate_clip
    from formcheck.pipeline.cache import TrackCache
    from formcheck.pipeline.models import resolve_model

    clip = evaluate_clip(labels[PLANK], resolve_model("full"), TrackCache(), None, None)
    for key in ("hold_s", "good_hold_s", "reps"):
        assert report[key] == clip.summary[key]
    assert "Good form" in result.stdout and str(folder) in result.stdout


def test_frames_csv_has_one_row_per_frame_with_features(plank_outputs, track_of):
    folder, _ = plank_outputs
    with (folder / "frames.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(track_of(PLANK))
    assert {"time_s", "phase", "faults", "body_angle_deg", "hip_bend_deg"} <= rows[0].keys()
    piked = [r for r in rows if 6.0 <= float(r["time_s"]) <= 8.0]
    assert all("hips_piked" in r["faults"] for r in piked)


def test_timeline_png_and_annotated_video(plank_outputs, track_of):
    folder, _ = plank_outputs
    png = (folder / "timeline.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    cap = cv2.VideoCapture(str(folder / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(track_of(PLANK))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 170)  # 7 s: the pike
    ok, frame = cap.read()
    cap.release()
    assert ok
    # the cue band at the bottom is red while a fault is active
    band = frame[-10:, frame.shape[1] // 4 : 3 * frame.shape[1] // 4].reshape(-1, 3).mean(axis=0)
    assert band[2] > 150 and band[1] < 120  # BGR: red


def test_analyze_a_saved_track_without_the_model(videos, tmp_path, track_of):
    track_path = tmp_path / "bridge.npz"
    track_of(BRIDGE).save(track_path)
    result = formcheck("analyze", str(track_path), "-e", "glute_bridge", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "bridge" / "report.json").read_text())
    assert report["reps"] == 5
    assert not (tmp_path / "out" / "bridge" / "annotated.mp4").exists()  # no frames to draw on


def test_analyze_a_folder_in_parallel(videos, tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    for rel in ("plank/plank_forearm_side_man_rooftop_a.mp4", "plank/plank_forearm_side_man_rooftop_b.mp4"):
        (folder / Path(rel).name).symlink_to(videos / rel)
    result = formcheck("analyze", str(folder), "-e", "plank", "--out", str(tmp_path / "out"), "--no-video")
    assert result.returncode == 0, result.stderr
    for stem in ("plank_forearm_side_man_rooftop_a", "plank_forearm_side_man_rooftop_b"):
        report = json.loads((tmp_path / "out" / stem / "report.json").read_text())
        assert report["hold_s"] > 2.0
        assert stem[-16:] in result.stdout  # the combined table names every video


def test_missing_and_not_a_video(tmp_path):
    assert "no such file" in one_line_error(formcheck("analyze", str(tmp_path / "x.mp4"), "-e", "plank"))
    fake = tmp_path / "fake.mp4"
    fake.write_text("hello")
    assert "not a video" in one_line_error(formcheck("analyze", str(fake), "-e", "plank"))


def test_unknown_exercise_and_bad_config_fail_before_any_work(tmp_path, videos):
    line = one_line_error(formcheck("analyze", str(videos / PLANK), "-e", "yoga"))
    assert "unknown exercise 'yoga'" in line
    bad = tmp_path / "bad.toml"
    bad.write_text("[plank]\nhip_sag_deg = 'x'\n")
    line = one_line_error(formcheck("analyze", str(videos / PLANK), "-e", "plank", "--config", str(bad)))
    assert "plank.hip_sag_deg" in line


def test_a_clip_with_no_person_writes_a_report_and_says_so(tmp_path):
    video = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, (320, 240))
    for i in range(20):
        writer.write(np.full((240, 320, 3), 40 + i, dtype=np.uint8))
    writer.release()
    result = formcheck("analyze", str(video), "-e", "plank", "--out", str(tmp_path / "out"), "--no-video")
    assert "no person found" in one_line_error(result)
    report = json.loads((tmp_path / "out" / "empty_room" / "report.json").read_text())
    assert report["hold_s"] == 0 and report["unjudged_reasons"].get("no_person", 0) > 1.5


def test_a_truncated_video_gives_a_partial_report(videos, tmp_path):
    data = (videos / PLANK).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = formcheck("analyze", str(cut), "-e", "plank", "--out", str(tmp_path / "out"), "--no-cache")
    line = one_line_error(result)
    if "not a video" in line:
        pytest.fail("the truncated clip could not be opened at all; the test needs a clip with its index first")
    assert "ended early" in line
    report = json.loads((tmp_path / "out" / "cut" / "report.json").read_text())
    assert report["partial"] is True
    assert 3.0 < report["duration_s"] < 15.0
    assert (tmp_path / "out" / "cut" / "annotated.mp4").exists()  # what was read is still drawn


def test_ctrl_c_keeps_a_partial_report(videos, tmp_path):
    clip = videos / "plank/plank_forearm_side_front_prone_entry_tutorial.mp4"  # 66 s: long enough
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "formcheck.app.cli",
            "analyze",
            str(clip),
            "-e",
            "plank",
            "--out",
            str(tmp_path),
            "--no-cache",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8.0)  # model loaded, some frames extracted
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    report = json.loads((tmp_path / clip.stem / "report.json").read_text())
    assert report["partial"] is True
    assert 0 < report["duration_s"] < 60


def test_one_pass_analysis_matches_the_cached_two_pass_one(videos, tmp_path, plank_outputs):
    """With nothing cached, the model, the judgement and the drawing run in one pass; the report
    must be the one a second pass over the cached track gives."""
    result = formcheck("analyze", str(videos / PLANK), "-e", "plank", "--out", str(tmp_path), "--no-cache")
    assert result.returncode == 0, result.stderr
    one_pass = json.loads((tmp_path / Path(PLANK).stem / "report.json").read_text())
    two_pass = json.loads((plank_outputs[0] / "report.json").read_text())
    for key in ("hold_s", "good_hold_s", "reps", "faults", "unjudged_s"):
        assert one_pass[key] == two_pass[key], key
    cap = cv2.VideoCapture(str(tmp_path / Path(PLANK).stem / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 416
    cap.release()
