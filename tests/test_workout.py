"""`formcheck workout`: days 1 and 2 of the shipped plan end to end on real clips played as the
camera (fast mode), each set's figures against the offline judgement of the same frames, the
stop cue on the BAD plank and never on the good clips, and the placement check measured on the
labelled clips. The window tests (under Xvfb) are in test_workout_window.py."""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from pathlib import Path

import pytest

from formcheck.app.cli import main
from formcheck.app.workout.placement import FEET_OUT, GREEN, HANDS_OUT, PlacementCheck
from formcheck.app.workout.replay import track_poses
from formcheck.app.workout.stopcue import STOP_CUE, FormSlipping, StopSettings
from formcheck.config import load_thresholds
from formcheck.exercises.base import WRONG_VIEW_CUES
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.pipeline.extract import track_for_video
from formcheck.pipeline.sources import VideoFileSource
from formcheck.plan import load_plan

pytestmark = pytest.mark.video

# Short clips where the person is judgeable and in position early (they turn green by ~2.4 s).
DAY1 = {
    "cat_cow": ["cat_cow/cat_cow_side_man_home_white_sheet.mp4"],
    "side_plank": [  # first side, second side
        "side_plank/side_plank_forearm_woman_outdoor_arm_raise.mp4",
        "side_plank/side_plank_forearm_hip_dips_arm_raised_lowfps.mp4",
    ],
    "plank": [
        "plank/plank_forearm_side_woman_backlit_room.mp4",
        "plank/plank_forearm_side_woman_home_timer_overlay.mp4",
    ],
}
DAY2 = {
    "superman": ["superman/superman_side_woman_darebee_holds.mp4"],
    "glute_bridge": ["glute_bridge/glute_bridge_side_woman_darebee.mp4"],
    "back_extension": ["back_extension/back_extension_prone_sphinx_side_woman_tutorial_portrait.mp4"],
}
BAD_PLANK = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"


def clips_for_day(videos: Path, day: int, pool: dict[str, list[str]]) -> list[Path]:
    """One clip per set and side, in plan order (cycling through each exercise's clips)."""
    clips = []
    for step in load_plan().day(day).steps:
        options = pool[step.exercise]
        for k in range(step.sets * (2 if step.per_side else 1)):
            clips.append(videos / options[k % len(options)])
    return clips


def run_workout(tmp_path: Path, day: int, clips: list[Path], *extra: str) -> tuple[dict, Path]:
    out = tmp_path / f"day{day}"
    argv = ["workout", str(day), "--headless", "--quiet", "--fast", "--out", str(out), *extra, "--source"]
    assert main([*argv, *map(str, clips)]) == 0
    return json.loads((out / "report.json").read_text()), out


@functools.cache
def offline_same_frames(source: str, from_s: float, n: int, exercise_name: str, variant: str, streaming: bool):
    """The offline judgement (as `formcheck analyze` judges) of the n frames a set judged from
    `from_s` into its clip (cached: a clip replayed for several sets is judged once)."""
    exercise = make_exercise(exercise_name, variant=variant)
    track, _ = track_for_video(source, outline=exercise.back is not None)
    first = int((track.timestamps_ms >= from_s * 1000.0 - 0.5).argmax())
    return summarize(judge_track(track.slice(first, first + n), exercise, streaming=streaming).judge)


def analyze_same_frames(tmp_path: Path, entry: dict, set_report: dict, exercise: str, variant: str) -> dict:
    """`formcheck analyze` itself on the frames a set judged, saved as a track."""
    track, _ = track_for_video(entry["source"], outline=True)
    first = int((track.timestamps_ms >= entry["source_from_s"] * 1000.0 - 0.5).argmax())
    frames = tmp_path / f"{exercise}-set{entry['set']}{entry['side']}.npz"
    track.slice(first, first + set_report["live"]["judged_frames"]).save(frames)
    argv = ["analyze", str(frames), "--exercise", exercise, "--no-video", "--out", str(tmp_path / "analyze")]
    assert main([*argv, *(["--variant", variant] if variant else [])]) == 0
    return json.loads((tmp_path / "analyze" / frames.stem / "report.json").read_text())


def check_day(report: dict, out: Path, day: int, analyze_in: Path | None = None) -> None:
    """The workout report against the plan, each set against the offline judgement of its frames,
    and (with `analyze_in`) each step's first set against `formcheck analyze` run on them."""
    plan_day = load_plan().day(day)
    assert report["kind"] == "workout" and report["day"] == day and report["ended_by"] == "done"
    assert report["complete"] and report["fast"]
    assert [s["exercise"] for s in report["steps"]] == [s.exercise for s in plan_day.steps]  # in plan order
    for step, planned in zip(report["steps"], plan_day.steps, strict=True):
        sides = ["first", "second"] if planned.per_side else [""]
        assert [(s["set"], s["side"]) for s in step["sets"]] == [
            (n, side) for n in range(1, planned.sets + 1) for side in sides
        ]
        assert step["sets_done"] == planned.sets
        for entry in step["sets"]:
            assert entry["started"] and entry["ended_by"] == "end_of_source"  # short clips: no target reached
            set_report = json.loads((out / entry["report"]).read_text())
            assert set_report["mode"] == "live" and set_report["workout"]["step"] == step["step"]
            for key in ("reps", "good_reps", "hold_s", "good_hold_s"):
                assert entry[key] == set_report[key]
            for streaming in (True, False):  # live's causal smoothing, and analyze's zero-lag one
                frames = (entry["source"], entry["source_from_s"], set_report["live"]["judged_frames"])
                offline = offline_same_frames(*frames, step["exercise"], step["variant"], streaming)
                for key in ("reps", "good_reps"):
                    assert set_report[key] == offline[key], (step["exercise"], entry, key, offline[key])
                for key in ("hold_s", "good_hold_s"):
                    assert set_report[key] == pytest.approx(offline[key], abs=0.25), (step["exercise"], key)
            if analyze_in is not None and entry is step["sets"][0]:
                analyzed = analyze_same_frames(analyze_in, entry, set_report, step["exercise"], step["variant"])
                for key in ("reps", "good_reps", "hold_s", "good_hold_s"):
                    assert set_report[key] == pytest.approx(analyzed[key], abs=0.25), (step["exercise"], key)
                assert {f["name"] for f in set_report["faults"]} == {f["name"] for f in analyzed["faults"]}
            if planned.timed:
                assert entry["hold_s"] > 1.0
        assert step["hold_s"] == pytest.approx(sum(s["hold_s"] for s in step["sets"]), abs=0.02)
        assert step["reps"] == sum(s["reps"] for s in step["sets"])
        # a rest after every set but the day's very last
        last = planned is plan_day.steps[-1]
        rests = [(r["after_set"], r["planned_s"]) for r in step["rests"]]
        want = [(n, planned.rest_s) for n in range(1, planned.sets)]
        if not last and planned.rest_after_s:
            want.append((planned.sets, planned.rest_after_s))
        assert rests == want
        assert all(r["compressed"] and r["taken_s"] == 0 for r in step["rests"])


def test_day_1_end_to_end(videos, tmp_path):
    report, out = run_workout(tmp_path, 1, clips_for_day(videos, 1, DAY1))
    check_day(report, out, 1, analyze_in=tmp_path)
    side_plank = report["steps"][1]
    assert side_plank["exercise"] == "side_plank" and side_plank["planned"]["per_side"]
    for first, second in zip(side_plank["sets"][::2], side_plank["sets"][1::2], strict=True):
        assert first["side"] == "first" and second["side"] == "second"
        assert first["hold_s"] > 2 and second["hold_s"] > 2  # each side timed on its own
        assert first["source"] != second["source"]
    assert (out / "summary.png").is_file()


def test_day_2_end_to_end(videos, tmp_path):
    report, out = run_workout(tmp_path, 2, clips_for_day(videos, 2, DAY2))
    check_day(report, out, 2)
    reps = {s["exercise"]: s["reps"] for s in report["steps"]}
    assert reps["glute_bridge"] >= 6 and reps["superman"] >= 3  # counted in each set (the clips show 5 and 3)


def test_the_stop_cue_ends_the_bad_plank_set(videos, tmp_path):
    plan = tmp_path / "plank.toml"
    plan.write_text(
        '[[days]]\ntitle = "Plank"\n[[days.steps]]\nexercise = "plank"\nsets = 1\nseconds = 30\n'
        'instruction = "Hold a forearm plank."\ncamera = "Side view."\n'
    )
    report, out = run_workout(tmp_path, 1, [videos / BAD_PLANK], "--plan", str(plan))
    (entry,) = report["steps"][0]["sets"]
    assert entry["ended_by"] == "form_slipping" and entry["stopped_early"] and report["steps"][0]["stopped_early"]
    assert entry["stop_reason"].startswith("good form only 0% over the last 3 s")  # bad from its start
    set_report = json.loads((out / entry["report"]).read_text())
    assert set_report["workout"]["stop_reason"] == entry["stop_reason"]
    assert set_report["duration_s"] < 12.0  # stopped well before the clip's 17 s
    assert STOP_CUE == "Your form is slipping — end this set and rest"


# -- the stop cue and the placement check, measured on the labelled clips' tracks --------------------

STOP_EXERCISES = ("plank", "side_plank", "glute_bridge", "superman")


def fed_stop_cue(track, exercise) -> tuple[FormSlipping, float | None]:
    """The stop cue fed every frame's state as live showed it (the causal judgement, computed a
    whole clip at a time: the same states as a StreamingSession's, much faster)."""
    stop = FormSlipping(StopSettings.from_thresholds(load_thresholds("workout")), reps=exercise.kind == "reps")
    for state in judge_track(track, exercise, streaming=True).states:
        if stop.update(state):
            return stop, state.t
    return stop, None


def test_the_stop_cue_never_fires_on_a_good_clip_and_fires_on_the_bad_plank(labels, track_of):
    measured = []
    for label in labels.values():
        if label.exercise not in STOP_EXERCISES or label.faults or label.judgeable == "no":
            continue
        variant = label.variant if label.variant in make_exercise(label.exercise).variants else ""
        exercise = make_exercise(label.exercise, variant=variant)
        stop, fired = fed_stop_cue(track_of(label.file), exercise)
        measured.append((label.file, stop.start_share, stop.recent_share))
        assert fired is None, f"{label.file}: {stop.fired}"
    print(f"\n{len(measured)} good clips, {sum(m[2] is not None for m in measured)} long enough for a verdict")
    for name, start, recent in measured:
        print(f"  {name}: start {start}, last {recent}")
    assert len(measured) >= 20 and sum(m[2] is not None for m in measured) >= 15
    stop, fired = fed_stop_cue(track_of(BAD_PLANK), make_exercise("plank"))
    assert fired is not None and fired < 10.0, stop.fired
    print(f"BAD plank: stopped at {fired:.1f} s ({stop.fired})")


# (clip, what the placement check must say) where the labels' notes name what is wrong.
PLACEMENT_CUES = {
    "plank/plank_forearm_frontoblique_woman_home_enter_exit.mp4": WRONG_VIEW_CUES["side"],
    "back_extension/back_extension_45deg_bench_oblique_man_gym.mp4": WRONG_VIEW_CUES["side"],
    "back_extension/back_extension_swiss_ball_oblique_then_front_man_fitbod.mp4": WRONG_VIEW_CUES["side"],
    "stretch/stretch_seated_hamstring_front_woman_outdoor_track.mp4": WRONG_VIEW_CUES["side"],
    "cat_cow/cat_cow_frontoblique_woman_home_studio_timer_gif.gif": WRONG_VIEW_CUES["side"],
    "bird_dog/bird_dog_frontoblique_man_home_long_talking.mp4": WRONG_VIEW_CUES["side"],
    "bird_dog/bird_dog_side_woman_home_tight_framing.mp4": HANDS_OUT,
    "dead_bug/dead_bug_beginner_feet_down_side_woman_home_tight.mp4": FEET_OUT,
    "side_plank/side_plank_crunch_woman_long_talking_intro.mp4": FEET_OUT,
    "stretch/stretch_figure4_supine_oblique_then_side_woman_fitbod.mp4": WRONG_VIEW_CUES["side"],
    "stretch/stretch_childs_pose_oblique_then_side_woman_fitbod.mp4": WRONG_VIEW_CUES["side"],
    "back_extension/back_extension_swiss_ball_oblique_then_side_woman_fitbod.mp4": WRONG_VIEW_CUES["side"],
    "bird_dog/bird_dog_oblique_then_side_man_fitbod.mp4": WRONG_VIEW_CUES["side"],
}


def placement_run(label, track, until_s: float) -> tuple[float | None, dict[str, float]]:
    """When the check turned green, and for how long each message was shown before that."""
    variant = label.variant if label.variant in make_exercise(label.exercise).variants else ""
    check = PlacementCheck(make_exercise(label.exercise, variant=variant), track.width, track.height)
    shown: dict[str, float] = {}
    for t, pose in track_poses(track):
        if t > until_s:
            break
        placed = check.update(t, pose)
        if placed.green:
            return t, shown
        shown[placed.message] = shown.get(placed.message, 0.0) + 1.0 / track.fps
    return None, shown


def test_the_placement_check_on_the_labelled_clips(labels, track_of):
    lags = []
    for label in labels.values():
        if label.judgeable != "yes" or label.exercise in ("pushup", "squat"):
            continue
        in_position = max(0.0, label.position_spans[0][0]) if label.position_spans else 0.0
        green, shown = placement_run(label, track_of(label.file), in_position + 3.0)
        assert green is not None, f"{label.file}: not green 3 s after the person is in position ({shown})"
        lags.append((green - in_position, label.file))
    cues = {}
    for name, cue in PLACEMENT_CUES.items():
        green, shown = placement_run(labels[name], track_of(name), 12.0)
        said = max((m for m in shown if m != GREEN), key=shown.get, default="")
        cues[name] = (said, green)
        assert shown.get(cue, 0.0) >= 0.5, f"{name}: wants {cue!r}, shown {shown}"
    print(f"\njudgeable clips: {len(lags)}, green at most {max(lags)[0]:.2f} s after being in position")
    for name, (said, green) in cues.items():
        print(f"  {name}: mostly {said!r}, green at {green}")
    assert len(lags) >= 30
    never_green = [n for n in PLACEMENT_CUES if labels[n].judgeable == "no" and cues[n][1] is None]
    assert len(never_green) >= 5  # of the 6 listed judgeable=no clips, in their first 12 s


# -- keys, and bad input -------------------------------------------------------------------------------


def test_keys_repeat_skip_and_pause_a_set(videos, tmp_path, monkeypatch):
    """Keys as the window would deliver them, between frames: repeat starts the set again (on the
    next clip), skip ends it, pause stops the set's clock (paused frames are not judged)."""
    from formcheck.app.workout import runner

    plan = tmp_path / "plank.toml"
    plan.write_text(
        '[[days]]\n[[days.steps]]\nexercise = "plank"\nsets = 2\nseconds = 30\nrest_s = 5\n'
        'instruction = "Hold a forearm plank."\ncamera = "Side view."\n'
    )
    script = {(1, 100): "r", (2, 120): "s", (3, 80): " ", (3, 110): " "}  # (clip, frame) -> key
    seen = {"clip": 0, "frame": 0, "phases": None}

    def poll(self, phases):
        if phases is not None and phases is not seen["phases"]:
            seen.update(clip=seen["clip"] + 1, frame=0, phases=phases)
        seen["frame"] += 1
        key = script.get((seen["clip"], seen["frame"]))
        return self.key(ord(key), phases) if key else False

    monkeypatch.setattr(runner.WorkoutRun, "_poll_keys", poll)
    clips = [videos / DAY1["plank"][0], videos / DAY1["plank"][1], videos / DAY1["plank"][0]]
    report, out = run_workout(tmp_path, 1, clips, "--plan", str(plan))
    sets = report["steps"][0]["sets"]
    assert [(s["set"], s["ended_by"]) for s in sets] == [(1, "skipped"), (2, "end_of_source")]
    assert sets[0]["source"] == str(clips[1])  # the repeated set ran on the next clip
    paused = json.loads((out / sets[1]["report"]).read_text())
    total = VideoFileSource(clips[2]).info.frame_count
    started = int(sets[1]["source_from_s"] * VideoFileSource(clips[2]).info.fps + 0.5)
    assert paused["live"]["judged_frames"] == pytest.approx(total - started - 30, abs=2)


def test_bad_workout_input_is_one_line(tmp_path, videos):
    from tests.cli_helpers import formcheck, one_line_error

    clip = str(videos / DAY1["plank"][0])
    assert "no day 4" in one_line_error(formcheck("workout", "4", "--headless", "--source", clip))
    assert "--fast only applies to --source" in one_line_error(formcheck("workout", "1", "--headless", "--fast"))
    missing = str(tmp_path / "nope.mp4")
    assert "no such video file" in one_line_error(formcheck("workout", "1", "--headless", "--source", missing))
    assert "no video clips" in one_line_error(formcheck("workout", "1", "--headless", "--source", str(tmp_path)))


class ClipAsCamera(VideoFileSource):
    """A clip that behaves like a camera: no frame count, frames delivered in real time, one
    stream for the whole workout."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.info = dataclasses.replace(self.info, frame_count=None)

    def __iter__(self):
        start = time.monotonic()
        for frame in super().__iter__():
            time.sleep(max(0.0, start + frame.timestamp_ms / 1000.0 - time.monotonic()))
            yield frame


def test_with_a_camera_sets_follow_on_one_stream_and_end_at_their_target(videos, tmp_path):
    from formcheck.app.workout.display import WorkoutDisplay
    from formcheck.app.workout.runner import Feeds, WorkoutRun
    from formcheck.outputs.audio import Announcer
    from formcheck.plan import load_plan as load

    plan_file = tmp_path / "short.toml"
    plan_file.write_text(
        '[[days]]\n[[days.steps]]\nexercise = "plank"\nsets = 2\nseconds = 1.5\n'
        'instruction = "Hold."\ncamera = "Side view."\n'
    )
    plan = load(plan_file)
    camera = ClipAsCamera(videos / BAD_PLANK)  # in a plank 1.7-16 s (bad form: only 1.5 s per set here)
    feeds = Feeds(camera, [], "full", fast=False, outline=True)
    display = WorkoutDisplay(camera.info.width, True, None, None, None, 0.0, lambda line: None)
    with Announcer(enabled=False) as announcer:
        run = WorkoutRun(
            plan,
            plan.day(1),
            feeds,
            display=display,
            announcer=announcer,
            out_dir=tmp_path / "out",
            make=lambda step: make_exercise(step.exercise),
            stop=StopSettings.from_thresholds(load_thresholds("workout")),
            countdown_s=0.0,
            fast=False,
            model_name="full",
            log=lambda line: None,
        )
        report = run.run()
    camera.close()
    sets = report["steps"][0]["sets"]
    assert [s["ended_by"] for s in sets] == ["target", "target"] and all(s["reached_target"] for s in sets)
    assert all(1.5 <= s["hold_s"] < 2.5 for s in sets)
    # one stream: the second set starts after the first ended, with its own placement check
    assert sets[1]["source_from_s"] > sets[0]["source_from_s"] + 1.5
    assert report["ended_by"] == "done"


def test_the_stop_cue_compares_a_set_with_its_start():
    """Hand-made states: a good start that slips is stopped; a steady set and a set that
    recovers are not (every 0.1 s in position; good or not per frame)."""
    from formcheck.judging.records import FrameState

    def states(good: list[bool], dt: float = 0.1):
        hold = good_hold = 0.0
        for i, g in enumerate(good):
            yield FrameState(i, i * dt, True, 0, True, (), "hold", 0, 0, hold, good_hold, "")
            hold += dt
            good_hold += dt if g else 0.0

    settings = StopSettings.from_thresholds(load_thresholds("workout"))

    def fire_at(good):
        stop = FormSlipping(settings, reps=False)
        return next((s.t for s in states(good) if stop.update(s)), None), stop.fired

    at, why = fire_at([True] * 40 + [False] * 40)  # 4 s good, then bad
    assert 6.0 <= at <= 6.2 and why.startswith("good form fell to")  # once 3 s + 3 s have been seen
    assert fire_at([True] * 120)[0] is None
    assert fire_at([True] * 40 + [True, True, False] * 40)[0] is None  # two thirds good: a fall of 33 points
    assert fire_at([False] * 80)[1].startswith("good form only 0%")  # bad from the start
    reps = FormSlipping(settings, reps=True)
    done = [(1, 1), (2, 2), (3, 2), (4, 2)]  # (reps, good reps): the 3rd and 4th bad
    prev = FrameState(0, 0.0, True, 0, True, (), "down", 0, 0, 0.0, 0.0, "")
    reps.update(prev)
    fired = [reps.update(dataclasses.replace(prev, index=i, reps=n, good_reps=g)) for i, (n, g) in enumerate(done, 1)]
    assert fired[:3] == [None, None, None] and fired[3].startswith("good form fell to 0% over the last 2 reps")
