"""`formcheck live`: the frame grabber, the live loop on real clips, the window under Xvfb, keys,
interruption, a lost camera, memory over minutes, and the one-line errors.

Real clips come from $FORMCHECK_SAMPLES or ../shared/videos beside the checkout; tests that need
one are skipped (saying so) when it is absent. The window tests start their own Xvfb.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.app.live import FrameInfo, live_session, spoken_cues
from formcheck.app.live import phases as live_phases
from formcheck.exercises import EXERCISES
from formcheck.judging.records import Event, FrameState
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.landmarks import side_landmark
from formcheck.outputs.overlay import BONE_COLOUR, CUE_AMBER, CUE_GREEN, CUE_RED, JOINT_COLOUR
from formcheck.pipeline.capture import LatestFrameGrabber
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import Frame, FrameSource, VideoFileSource, VideoInfo

REPO = Path(__file__).resolve().parents[1]
PLANK_CLIP = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"  # 17 s: sag, pike, head drop
BRIDGE_CLIP = "glute_bridge/glute_bridge_side_woman_darebee.mp4"  # 5 clean reps in 10 s
SHORT_CLIP = "plank/plank_forearm_side_man_rooftop_b.mp4"  # 3 s


def sample_dirs() -> list[Path]:
    dirs = []
    if os.environ.get("FORMCHECK_SAMPLES"):
        dirs.append(Path(os.environ["FORMCHECK_SAMPLES"]).expanduser())
    dirs.append(Path(__file__).resolve().parents[2] / "shared" / "videos")
    return dirs


def clip(rel: str) -> Path:
    for folder in sample_dirs():
        if (folder / rel).is_file():
            return folder / rel
    pytest.skip(f"sample clip {rel} not found in $FORMCHECK_SAMPLES or ../shared/videos")


def quiet_log(line: str) -> None:
    pass


def run_clip(path: Path, exercise_name: str, out: Path, **kwargs):  # type: ignore[no-untyped-def]
    exercise = make_exercise(exercise_name)
    # As the live command does: the back's outline is read for exercises that judge the back.
    with VideoFileSource(path) as source, PoseEstimator("full", outline=exercise.back is not None) as estimator:
        options = {
            "headless": True,
            "quiet": True,
            "out_dir": out,
            "mirror": False,
            "countdown_s": 0.0,
            "fast": True,
            "log": quiet_log,
        }
        options.update(kwargs)
        return live_session(source, exercise, estimator, **options), exercise


def offline(path: Path, exercise_name: str, streaming: bool = False) -> dict:
    from formcheck.pipeline.extract import track_for_video

    exercise = make_exercise(exercise_name)
    track, _ = track_for_video(path, outline=exercise.back is not None)
    return summarize(judge_track(track, exercise, streaming=streaming).judge)


def close_to(a: float, b: float, rel: float = 0.10, absolute: float = 0.5) -> bool:
    return abs(a - b) <= max(absolute, rel * abs(b))


# -- synthetic sources for the grabber ------------------------------------------------------------


class ListSource(FrameSource):
    """Small synthetic frames at `fps`; optionally raises after `fail_after` frames."""

    def __init__(self, n: int, fps: float = 100.0, fail_after: int | None = None) -> None:
        self.n, self.fps, self.fail_after = n, fps, fail_after
        self.info = VideoInfo(32, 24, fps, n, "synthetic")

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.n):
            if self.fail_after is not None and i == self.fail_after:
                raise RuntimeError("camera unplugged")
            yield Frame(i, i * 1000.0 / self.fps, np.full((24, 32, 3), i % 256, np.uint8))


def drain(grabber: LatestFrameGrabber, work_s: float = 0.0) -> list[int]:
    seqs = []
    while True:
        g = grabber.get(timeout=5.0)
        if g is None:
            break
        seqs.append(g.seq)
        if work_s:
            time.sleep(work_s)
    return seqs


def test_grabber_keeps_only_the_newest_frame_when_the_consumer_is_slow():
    source = ListSource(60, fps=100.0)
    with LatestFrameGrabber(source, pace=True) as grabber:
        start = time.perf_counter()
        seqs = drain(grabber, work_s=0.05)  # 20 "model calls" a second against 100 fps
        elapsed = time.perf_counter() - start
    assert grabber.ended and grabber.error is None
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert grabber.dropped > 20, "a slow consumer must drop frames, not queue them"
    assert grabber.received == 60 and grabber.taken + grabber.dropped == 60
    assert seqs[-1] == 59, "the last frame judged is the newest one"
    assert 0.5 <= elapsed < 2.0, "paced at the clip's rate (0.6 s), not as fast as possible"


def test_grabber_hands_over_the_newest_frame_not_a_backlog():
    """After a long pause the consumer gets the frame just delivered, not the oldest waiting."""
    source = ListSource(50, fps=100.0)
    with LatestFrameGrabber(source, pace=True) as grabber:
        first = grabber.get(timeout=5.0)
        time.sleep(0.2)  # ~20 frames arrive meanwhile
        second = grabber.get(timeout=5.0)
        sent_at = 1000.0 * (time.perf_counter() - first.received_at) / 10.0  # frames since the first
    assert first is not None and second is not None
    assert second.seq - first.seq >= 15
    assert abs(second.seq - first.seq - sent_at) <= 3


def test_grabber_without_dropping_delivers_every_frame_in_order():
    source = ListSource(200, fps=30.0)  # would take 6.7 s paced
    start = time.perf_counter()
    with LatestFrameGrabber(source, pace=True, drop=False) as grabber:
        seqs = drain(grabber, work_s=0.001)
    assert seqs == list(range(200))
    assert grabber.dropped == 0
    assert time.perf_counter() - start < 3.0, "no pacing in the no-drop (--fast) mode"


def test_grabber_reports_a_source_error_after_the_frames_it_got():
    source = ListSource(100, fail_after=10)
    with LatestFrameGrabber(source, drop=False) as grabber:
        seqs = drain(grabber)
    assert seqs == list(range(10))
    assert isinstance(grabber.error, RuntimeError) and grabber.ended


def test_grabber_stops_promptly():
    source = ListSource(10_000, fps=30.0)
    grabber = LatestFrameGrabber(source, pace=True).start()
    assert grabber.get(timeout=5.0) is not None
    start = time.perf_counter()
    grabber.stop()
    assert time.perf_counter() - start < 1.0
    assert grabber._thread is not None and not grabber._thread.is_alive()


# -- what is said ------------------------------------------------------------------------------


def _state(good_hold_s: float = 0.0, reps: int = 0) -> FrameState:
    return FrameState(0, 0.0, True, 0, True, (), "hold", reps, reps, good_hold_s, good_hold_s, "")


def test_spoken_cues_for_faults_reps_praise_and_hold_targets():
    events = [
        Event(1.0, "fault_ended", "hips_sagging", "Good — straight line"),
        Event(1.0, "rep_completed", detail={"rep": 5, "good": True}),
        Event(1.0, "fault_started", "hips_piked", "Lower your hips into a straight line"),
        Event(1.0, "fault_ended", "knees_bent", "", {"at_end": True}),
        Event(1.0, "position_entered"),
    ]
    cues, step = spoken_cues(events, _state(good_hold_s=20.4), last_hold_step=1)
    texts = [text for text, _key in cues]
    assert texts == ["Good — straight line", "5", "20 seconds", "Lower your hips into a straight line"]
    assert step == 2
    keys = [key for _text, key in cues]
    assert len(set(keys)) == len(keys)
    # The same hold step is not announced twice; rep exercises get no hold announcements.
    assert spoken_cues([], _state(good_hold_s=21.0), step)[0] == []
    assert spoken_cues([], _state(good_hold_s=30.0), 0, hold=False)[0] == []


def test_spoken_cues_tell_how_to_fix_the_view():
    events = [Event(2.0, "unjudged_started", "wrong_view", "Turn side-on to the camera")]
    cues, _ = spoken_cues(events, _state(), 0)
    assert cues == [("Turn side-on to the camera", "setup:wrong_view")]


# -- the live loop on real clips -----------------------------------------------------------------


@pytest.mark.video
def test_headless_fast_plank_agrees_with_offline(tmp_path):
    path = clip(PLANK_CLIP)
    result, exercise = run_clip(path, "plank", tmp_path)
    n_frames = VideoFileSource(path).info.frame_count
    assert result.ended_by == "end_of_source"
    assert result.dropped == 0 and result.frames == n_frames, "--fast judges every frame"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["mode"] == "live" and report["partial"] is False
    assert report["exercise"] == "plank" and report["model"] == "full"
    assert report["source"] == str(path)
    assert report["thresholds"] == pytest.approx(exercise.t)
    assert report["formcheck_version"]
    want = offline(path, "plank")
    for key in ("hold_s", "good_hold_s", "duration_s"):
        assert close_to(report[key], want[key]), f"{key}: live {report[key]} vs offline {want[key]}"
    # Live smooths causally; offline with the same (streaming) smoothing must agree closely,
    # fault for fault.
    same = offline(path, "plank", streaming=True)
    assert abs(report["hold_s"] - same["hold_s"]) <= 0.25
    assert {f["name"] for f in report["faults"]} == {f["name"] for f in same["faults"]}
    assert report["faults"], "the clip shows sagging, piked hips and a dropped head"


@pytest.mark.video
def test_headless_fast_glute_bridge_counts_reps_like_offline(tmp_path):
    path = clip(BRIDGE_CLIP)
    result, _ = run_clip(path, "glute_bridge", tmp_path)
    report = result.report
    want = offline(path, "glute_bridge")
    assert abs(report["reps"] - want["reps"]) <= 1, f"live {report['reps']} reps vs offline {want['reps']}"
    assert report["reps"] >= 4  # the clip shows five


@pytest.mark.video
def test_paced_source_plays_at_real_speed_and_drops_like_a_camera(tmp_path):
    path = clip(SHORT_CLIP)
    infos: list[FrameInfo] = []
    start = time.perf_counter()
    result, _ = run_clip(path, "plank", tmp_path, fast=False, on_frame=infos.append)
    elapsed = time.perf_counter() - start
    info = VideoFileSource(path).info
    assert elapsed >= 0.9 * info.duration_s, "the clip is released at its own frame rate"
    assert abs(result.received - info.frame_count) <= 2
    assert result.frames + result.dropped == result.received
    assert [i.grabbed.seq for i in infos] == sorted({i.grabbed.seq for i in infos})
    # Never behind: each frame waited at most about one frame's processing before being judged.
    processing = np.median([i.latency_ms - i.wait_ms for i in infos])
    assert np.percentile([i.wait_ms for i in infos], 95) <= 2.0 * processing + 15.0


@pytest.mark.video
def test_lost_camera_still_writes_a_partial_report(tmp_path, monkeypatch):
    """A camera-like source (no frame count) that dies mid-stream; the view is mirrored."""
    path = clip(SHORT_CLIP)

    class DyingCamera(FrameSource):
        def __init__(self) -> None:
            self.video = VideoFileSource(path)
            i = self.video.info
            self.info = VideoInfo(i.width, i.height, i.fps, None, "camera 0")

        def __iter__(self) -> Iterator[Frame]:
            for frame in self.video:
                if frame.index == 40:
                    raise RuntimeError("device disconnected")
                yield frame

        def close(self) -> None:
            self.video.close()

    monkeypatch.setattr(live_phases, "POSITION_MIN_S", 0.3)  # a short "get into position" phase
    monkeypatch.setattr(live_phases, "POSITION_READY_S", 0.2)
    infos: list[FrameInfo] = []
    raw: dict[int, np.ndarray] = {}
    with VideoFileSource(path) as again:
        for frame in again:
            if frame.index == 5:
                raw[5] = frame.image.copy()
                break
    with DyingCamera() as source, PoseEstimator("full") as estimator:
        result = live_session(
            source,
            make_exercise("plank"),
            estimator,
            headless=True,
            quiet=True,
            out_dir=tmp_path,
            mirror=True,
            countdown_s=0.5,
            fast=True,
            on_frame=infos.append,
            log=quiet_log,
        )
    assert result.ended_by == "camera_lost" and "device disconnected" in (result.error or "")
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["partial"] is True and report["ended_by"] == "camera_lost"
    assert report["live"]["mirrored"] is True
    # Before judging: the position phase and the countdown; judging started after them.
    phases = [i.phase for i in infos]
    assert phases[0] == "position" and "judging" in phases
    assert report["duration_s"] < 40 / 30.0
    # The camera view is shown mirrored, like a mirror.
    shown = infos[5].image.astype(np.int16)
    assert np.abs(shown - cv2.flip(raw[5], 1)).mean() < np.abs(shown - raw[5]).mean() / 2


# -- the window, under Xvfb ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xdisplay() -> Iterator[str]:
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (Debian: apt-get install -y xvfb)")
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(
            [exe, "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        pytest.skip(f"Xvfb cannot be started: {exc}")
    os.close(write_fd)
    number = b""
    if select.select([read_fd], [], [], 15.0)[0]:
        number = os.read(read_fd, 64)
    if not number.strip():
        proc.kill()
        proc.wait()
        os.close(read_fd)
        pytest.skip("Xvfb started but reported no display number")
    try:
        # read_fd stays open while Xvfb runs: it writes the number again when it resets, and
        # a closed pipe then kills it ("Cannot write display number to fd").
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Running:
    """A `formcheck live` (or `command`) subprocess whose output lines are collected as they come."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, command: str = "live") -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "formcheck.app.cli", command, *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for_line(self, pattern: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.out.append(line)
            if re.search(pattern, line):
                return line
        stderr = ""
        if self.proc.poll() is not None and self.proc.stderr is not None:
            stderr = self.proc.stderr.read()
        raise AssertionError(f"no line matching {pattern!r}; got {self.out}; stderr: {stderr[-2000:]}")

    def finish(self, timeout: float = 90.0) -> tuple[int, str, str]:
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self._reader.join(timeout=5)
        while not self.lines.empty():
            self.out.append(self.lines.get())
        assert self.proc.stderr is not None
        return rc, "".join(self.out), self.proc.stderr.read()


def display_env(display: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, PYTHONPATH=str(REPO))
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)
    return env


def window_ids(display: str) -> list[str]:
    """X windows named exactly "formcheck" (xwininfo, else xdotool)."""
    env = dict(os.environ, DISPLAY=display)
    if shutil.which("xwininfo"):
        tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True).stdout
        return re.findall(r"^\s*(0x[0-9a-f]+) \"formcheck\":", tree, flags=re.M)
    if shutil.which("xdotool"):
        found = subprocess.run(
            ["xdotool", "search", "--name", "^formcheck$"], env=env, capture_output=True, text=True
        ).stdout
        return found.split()
    pytest.skip("neither xwininfo (x11-utils) nor xdotool is installed to find the window")


def wait_for_window(display: str, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = window_ids(display)
        if ids:
            return ids
        time.sleep(0.2)
    return []


def colour_near(image: np.ndarray, colour: tuple[int, int, int], tol: int) -> np.ndarray:
    return (np.abs(image.astype(np.int16) - np.array(colour, np.int16)) <= tol).all(axis=-1)


@pytest.mark.video
def test_window_shows_the_overlay_under_xvfb(xdisplay, tmp_path):
    path = clip(PLANK_CLIP)
    shot = tmp_path / "window.png"
    out = tmp_path / "session"
    run = Running(
        [
            "--source",
            str(path),
            "--exercise",
            "plank",
            "--quiet",
            "--out",
            str(out),
            "--screenshot",
            str(shot),
            "--screenshot-at",
            "6",
        ],
        display_env(xdisplay),
        tmp_path,
    )
    run.wait_for_line(r"^formcheck live: Plank")
    assert wait_for_window(xdisplay), "no X window named formcheck appeared"
    line = run.wait_for_line(r"^screenshot: ")
    rc, _stdout, stderr = run.finish()
    assert rc == 0, stderr
    assert "Traceback" not in stderr
    assert (out / "report.json").is_file()
    report = json.loads((out / "report.json").read_text())
    assert report["mode"] == "live" and report["ended_by"] == "end_of_source"

    match = re.search(r"\(frame (\d+), ([\d.]+) s\)", line)
    assert match, line
    index = int(match.group(1))
    image = cv2.imread(str(shot))
    assert image is not None
    with VideoFileSource(path) as source:
        raw = next(f.image for f in source if f.index == index)
    assert image.shape == raw.shape, "the window shows the clip at its own size, not mirrored"
    h, w = image.shape[:2]

    # Skeleton: joint dots and bones drawn where the pose model put the joints in that frame.
    from formcheck.pipeline.extract import track_for_video

    track, _ = track_for_video(path)
    lm = track.landmarks[index]
    exercise = make_exercise("plank")
    vis = {s: sum(lm[side_landmark(s, j), 3] for j in exercise.needed) for s in ("left", "right")}
    side = max(vis, key=vis.get)
    ink_shot = colour_near(image, JOINT_COLOUR, 60) | colour_near(image, BONE_COLOUR, 25)
    ink_raw = colour_near(raw, JOINT_COLOUR, 60) | colour_near(raw, BONE_COLOUR, 25)
    hits = 0
    checked = 0
    r = 9
    for joint in ("shoulder", "elbow", "hip", "knee", "ankle"):
        k = side_landmark(side, joint)
        if lm[k, 3] < 0.5:
            continue
        checked += 1
        x, y = int(lm[k, 0] * w), int(lm[k, 1] * h)
        box = (slice(max(0, y - r), y + r + 1), slice(max(0, x - r), x + r + 1))
        if ink_shot[box].sum() >= ink_raw[box].sum() + 8:
            hits += 1
    assert checked >= 4 and hits >= checked - 1, f"skeleton found at {hits} of {checked} joints"

    # The timer panel (top left): white text on a darkened box, unlike the clip there.
    panel = (slice(0, int(0.2 * h)), slice(0, int(0.4 * w)))
    white_shot = (image[panel] > 230).all(axis=-1).sum()
    white_raw = (raw[panel] > 230).all(axis=-1).sum()
    assert white_shot >= white_raw + 150, "no timer text in the panel"
    assert image[panel].mean() < raw[panel].mean(), "the panel box darkens the frame behind the text"

    # The cue band across the bottom, in one of the cue colours (red: a fault at 6 s).
    strip = image[h - 4 : h, :, :].reshape(-1, 3)
    median = np.median(strip, axis=0)
    distances = {
        name: np.abs(median - np.array(c)).max()
        for name, c in (("red", CUE_RED), ("amber", CUE_AMBER), ("green", CUE_GREEN))
    }
    assert min(distances.values()) < 45, f"no cue band at the bottom (median colour {median})"
    assert distances["red"] < 45, "the judge shows a fault 6 s into this clip"


@pytest.mark.video
def test_keys_next_exercise_pause_and_quit_under_xvfb(xdisplay, tmp_path):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install -y xdotool) to press keys")
    path = clip(PLANK_CLIP)
    out = tmp_path / "keys"
    env = display_env(xdisplay)
    run = Running(["--source", str(path), "--exercise", "plank", "--quiet", "--out", str(out)], env, tmp_path)
    run.wait_for_line(r"^formcheck live: ")
    ids = wait_for_window(xdisplay)
    assert ids, "no window"

    def press(key: str) -> None:
        subprocess.run(["xdotool", "windowfocus", "--sync", ids[0]], env=env, capture_output=True, timeout=10)
        subprocess.run(["xdotool", "key", key], env=env, check=True, timeout=10)

    time.sleep(2.0)
    press("n")  # plank -> the next exercise; plank's report is written first
    run.wait_for_line(r"^report: .*report\.json", timeout=10)
    press("space")
    time.sleep(1.0)
    press("space")
    time.sleep(1.0)
    press("q")
    rc, _stdout, stderr = run.finish()
    assert rc == 0, stderr
    first = json.loads((out / "report.json").read_text())
    second = json.loads((out / "report-2.json").read_text())
    names = list(EXERCISES)
    assert first["exercise"] == "plank" and first["ended_by"] == "next"
    assert second["exercise"] == names[(names.index("plank") + 1) % len(names)]
    assert second["ended_by"] == "quit" and second["partial"] is False
    assert second["duration_s"] > 0.5


# -- interruption and errors ---------------------------------------------------------------------


@pytest.mark.video
def test_ctrl_c_writes_a_partial_report(tmp_path):
    path = clip(PLANK_CLIP)
    out = tmp_path / "interrupted"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = Running(
        ["--source", str(path), "--exercise", "plank", "--headless", "--quiet", "--out", str(out)], env, tmp_path
    )
    run.wait_for_line(r"^formcheck live: ")
    time.sleep(3.0)
    run.proc.send_signal(signal.SIGINT)
    rc, stdout, stderr = run.finish(timeout=30)
    assert rc == 130, stderr
    assert "Traceback" not in stderr
    report = json.loads((out / "report.json").read_text())
    assert report["partial"] is True and report["ended_by"] == "interrupted"
    assert 1.0 < report["duration_s"] < 10.0
    assert f"report: {out / 'report.json'}" in stdout


def one_line_error(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ, PYTHONPATH=str(REPO)),
        cwd=REPO,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    return done.returncode, lines[0]


@pytest.mark.parametrize("entry", [["-m", "formcheck.app.cli", "live"], ["-m", "formcheck", "live"]])
def test_no_camera_is_one_clear_line(entry):
    rc, line = one_line_error([*entry, "--camera", "7", "--exercise", "plank"])
    assert rc != 0
    assert line.startswith("formcheck: error: camera 7 cannot be opened")


def test_no_display_suggests_headless(tmp_path):
    video = tmp_path / "tiny.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    for k in range(5):
        writer.write(np.full((48, 64, 3), 40 * k, np.uint8))
    writer.release()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("QT_QPA_PLATFORM", None)
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux")
    rc, line = one_line_error(["-m", "formcheck", "live", "--source", str(video), "--exercise", "plank"], env)
    assert rc != 0
    assert line.startswith("formcheck: error: cannot open a window") and "--headless" in line


def test_fast_needs_a_source():
    rc, line = one_line_error(["-m", "formcheck", "live", "--exercise", "plank", "--fast", "--headless"])
    assert rc != 0 and "--fast" in line


# -- memory over minutes ---------------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return math.nan


class LoopingSource(FrameSource):
    """A clip played over and over (re-opened each pass), its timestamps running on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with VideoFileSource(path) as first:
            self.info = first.info
        self.passes = 0

    def __iter__(self) -> Iterator[Frame]:
        offset, index = 0.0, 0
        while True:
            last = 0.0
            with VideoFileSource(self.path) as source:
                for frame in source:
                    yield Frame(index, offset + frame.timestamp_ms, frame.image)
                    index += 1
                    last = frame.timestamp_ms
            self.passes += 1
            offset += last + 1000.0 / self.info.fps


@pytest.mark.slow
@pytest.mark.video
def test_memory_stays_flat_over_minutes(tmp_path):
    if not Path("/proc/self/status").exists():
        pytest.skip("reads RSS from /proc")
    path = clip(SHORT_CLIP)
    total_s, warm_s = 150.0, 60.0
    samples: list[tuple[float, float]] = []
    start = time.perf_counter()

    def on_frame(info: FrameInfo) -> None:
        now = time.perf_counter() - start
        if not samples or now - samples[-1][0] >= 5.0:
            samples.append((now, rss_mb()))

    source = LoopingSource(path)
    with PoseEstimator("full") as estimator:
        result = live_session(
            source,
            make_exercise("plank"),
            estimator,
            headless=True,
            quiet=True,
            out_dir=tmp_path,
            mirror=False,
            countdown_s=0.0,
            fast=True,
            on_frame=on_frame,
            max_seconds=total_s,
            log=quiet_log,
        )
    end = rss_mb()
    assert result.ended_by == "max_seconds" and source.passes >= 10
    warm = next(rss for t, rss in samples if t >= warm_s)
    growth = end - warm
    print(
        f"RSS {warm:.0f} MB at {warm_s:.0f} s -> {end:.0f} MB at {total_s:.0f} s ({result.frames} frames, "
        f"{source.passes} passes)"
    )
    assert growth < 30.0, f"RSS grew {growth:.1f} MB between {warm_s:.0f} s and {total_s:.0f} s"
    assert result.report is not None and result.report["duration_s"] > 0.9 * result.frames / source.info.fps
