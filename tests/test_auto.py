"""`--exercise auto` on a whole workout: three real clips of different exercises joined into one
video (downscaled to 480x270 at 10 fps so the pose model runs in seconds) come back as three sets
in order, each with the figures the named exercise gives on the same frames, and the labels'."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from cli_helpers import formcheck

from formcheck.judging.session import judge_track, make_exercise
from formcheck.pipeline.cache import PROJECT_TRACKS, TrackCache
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.track import Track

# (clip, exercise, seconds taken from its start)
PIECES = (
    ("plank/plank_forearm_side_woman_backlit_room.mp4", "plank", 6.5),
    ("side_plank/side_plank_forearm_woman_outdoor_arm_raise.mp4", "side_plank", 7.0),
    ("glute_bridge/glute_bridge_side_woman_darebee.mp4", "glute_bridge", 9.4),
)
FIT = "scale=480:270:force_original_aspect_ratio=decrease,pad=480:270:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10"


def hold_of(judgement) -> float:
    from formcheck.judging.summary import summarize

    return summarize(judgement.judge)["hold_s"]


def join(videos: Path, out: Path) -> Path:
    import imageio_ffmpeg

    args = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    for clip, _, seconds in PIECES:
        args += ["-t", str(seconds), "-i", str(videos / clip)]
    chains = ";".join(f"[{i}:v]{FIT}[v{i}]" for i in range(len(PIECES)))
    inputs = "".join(f"[v{i}]" for i in range(len(PIECES)))
    args += ["-filter_complex", f"{chains};{inputs}concat=n={len(PIECES)}:v=1:a=0[v]", "-map", "[v]"]
    subprocess.run([*args, "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", str(out)], check=True)
    return out


@pytest.fixture(scope="module")
def joined(videos, tmp_path_factory) -> Path:
    return join(videos, tmp_path_factory.mktemp("joined") / "workout.mp4")


@pytest.fixture(scope="module")
def workout(joined, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workout")
    video = joined
    env = {**os.environ, "FORMCHECK_CACHE": str(tmp / "cache")}
    run = formcheck("analyze", str(video), "--exercise", "auto", "-o", str(tmp / "out"), env=env)
    assert run.returncode == 0, run.stderr
    track = TrackCache([tmp / "cache"]).find(video, resolve_model("full"), outline=True)
    assert track is not None
    return tmp / "out" / "workout", track, run.stdout


def test_the_sets_come_back_in_order_with_the_per_clip_figures(workout, labels) -> None:
    folder, track, stdout = workout
    report = json.loads((folder / "report.json").read_text())
    assert [s["exercise"] for s in report["sets"]] == [exercise for _, exercise, _ in PIECES]
    start = 0.0
    for s, (_clip, exercise, seconds) in zip(report["sets"], PIECES, strict=True):
        end = start + seconds
        # within its own clip, give or take the way into the next position (sampled 2.5 times a second)
        assert start - 1.5 <= s["start_s"] and s["end_s"] <= end + 1.5
        assert s["end_s"] - s["start_s"] >= 0.6 * seconds
        # The same frames judged with the exercise named: what analysing the clip alone gives.
        frames = (track.times_s >= start) & (track.times_s < end)
        alone = judge_track(
            track.slice(int(frames.argmax()), int(frames.nonzero()[0][-1]) + 1), make_exercise(exercise)
        )
        assert s["reps"] == len(alone.judge.reps)
        assert abs(s["hold_s"] - hold_of(alone)) <= max(1.0, 0.15 * hold_of(alone))
        set_report = json.loads((folder / s["folder"] / "report.json").read_text())
        assert set_report["exercise"] == exercise and set_report["hold_s"] == s["hold_s"]
        assert (folder / s["folder"] / "frames.csv").is_file() and (folder / s["folder"] / "timeline.png").is_file()
        start = end
    label = labels[PIECES[2][0]]
    assert report["sets"][2]["reps"] == label.reps
    assert abs(report["sets"][0]["hold_s"] - PIECES[0][2]) <= 1.0  # in a plank from the first frame
    assert report["annotated_frames"] == len(track) and (folder / "annotated.mp4").is_file()
    assert (folder / "timeline.png").is_file()
    assert "side_plank" in stdout and "03-glute_bridge" in stdout


def test_a_named_exercise_never_seen_suggests_the_recognised_one(tmp_path) -> None:
    import csv

    with (PROJECT_TRACKS / "index.csv").open() as f:
        names = {r["file"]: r["track"] for r in csv.DictReader(f)}
    track = PROJECT_TRACKS / names["glute_bridge/glute_bridge_side_man_gym.mp4"]
    run = formcheck("analyze", str(track), "--exercise", "plank", "-o", str(tmp_path), "--no-video")
    assert run.returncode == 0, run.stderr
    hint = [line for line in run.stdout.splitlines() if "looks like" in line]
    assert len(hint) == 1 and "--exercise glute_bridge" in hint[0]
    assert Track.load(track)  # the committed track is untouched


def test_live_auto_switches_to_each_exercise_as_it_is_recognised(joined, workout, tmp_path) -> None:
    """Played as a camera: a session per set, in order, each judging from its set's start (the
    poses since then are kept), so its figures come close to the offline ones."""
    run = formcheck(
        "live", "--exercise", "auto", "--source", str(joined), "--headless", "--quiet", "--fast", "--out", str(tmp_path)
    )
    assert run.returncode == 0, run.stderr
    combined = json.loads((tmp_path / "report.json").read_text())  # as analyze --exercise auto writes it
    names = [exercise for _, exercise, _ in PIECES]
    assert [s["exercise"] for s in combined["sets"]] == names
    assert [s["folder"] for s in combined["sets"]] == [f"{k:02d}-{name}" for k, name in enumerate(names, 1)]
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [s["folder"] for s in combined["sets"]]
    reports = [json.loads((tmp_path / s["folder"] / "report.json").read_text()) for s in combined["sets"]]
    offline = json.loads((workout[0] / "report.json").read_text())["sets"]
    for live, line, set_ in zip(reports, combined["sets"], offline, strict=True):
        assert live["mode"] == "live" and live["set"] == {k: line[k] for k in live["set"]}
        assert line["reps"] == live["reps"] and line["hold_s"] == live["hold_s"]
        assert abs(live["in_position_s"] - set_["in_position_s"]) <= 1.0
        assert abs(live["reps"] - set_["reps"]) <= 1
        assert abs(live["set"]["start_s"] - set_["start_s"]) <= 1.5  # the set's replayed start, not the switch
    assert combined["reps"] == sum(r["reps"] for r in reports)
    assert combined["mode"] == "live" and combined["exercise"] == "auto"
    assert run.stdout.count("recognised: ") == 3
