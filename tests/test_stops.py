"""How runs end: Ctrl-C and SIGTERM at any moment, in one file or a folder, and files that end
early, in `analyze` and `live` alike. Nothing seen is lost and the run ends promptly."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
from cli_helpers import formcheck, one_line_error

LONG_CLIP = "plank/plank_forearm_side_front_prone_entry_tutorial.mp4"  # 66 s
SHORT_CLIPS = (
    "plank/plank_forearm_side_man_rooftop_a.mp4",  # 2.6 s
    "plank/plank_forearm_side_man_rooftop_b.mp4",  # 3.0 s
    "plank/plank_forearm_side_man_darkstudio.mp4",  # 3.3 s
)
PROMPT_EXIT_S = 8.0  # from the signal to the process gone, reports saved (2 slow cores)


def start_analyze(inputs: list[Path], out: Path, *extra: str) -> subprocess.Popen:
    """`formcheck analyze` in its own process group, as a terminal runs it (Ctrl-C goes to the
    whole group); the model is always run (no cached tracks), with the light model."""
    command = ["analyze", *map(str, inputs), "-e", "plank", "--out", str(out), "--no-cache", "--model", "lite"]
    return subprocess.Popen(
        [sys.executable, "-m", "formcheck.app.cli", *command, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen, how: str) -> tuple[str, str, float]:
    """Ctrl-C at a terminal (SIGINT to the process group) or `kill` (SIGTERM to the process);
    returns stdout, stderr and the seconds from the signal until the process was gone."""
    signalled = time.monotonic()
    try:
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
    except ProcessLookupError:  # it had finished already
        pass
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return out, err, time.monotonic() - signalled


def video_frames(path: Path) -> int:
    """Frames of a video OpenCV reads back from start to end (0 if unreadable)."""
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def table_states(stdout: str, names: list[str]) -> dict[str, str]:
    states = {}
    for name in names:
        row = next((line for line in stdout.splitlines() if line.startswith(name)), "")
        match = re.match(rf"{re.escape(name)}\s+(done|partial|not started|failed)\b", row)
        states[name] = match.group(1) if match else f"missing from the table:\n{stdout}"
    return states


def check_clip(folder: Path, state: str) -> None:
    """Every clip ends complete, or with a partial report and a readable video of what was
    drawn, or not started and without a folder; never with stray temporary files."""
    if state == "not started":
        assert not folder.exists(), sorted(folder.iterdir())
        return
    assert state in ("done", "partial"), state
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["annotated.mp4", "frames.csv", "report.html", "report.json", "timeline.png"], files
    report = json.loads((folder / "report.json").read_text())
    assert (state == "partial") == bool(report["partial"] or report["annotated_partial"])
    rows = (folder / "frames.csv").read_text().count("\n") - 1
    assert report["annotated_frames"] == rows if not report["annotated_partial"] else report["annotated_frames"] < rows
    assert video_frames(folder / "annotated.mp4") == report["annotated_frames"]


@pytest.fixture
def clips(videos, tmp_path) -> list[Path]:
    folder = tmp_path / "clips"
    folder.mkdir()
    for rel in SHORT_CLIPS:
        (folder / Path(rel).name).symlink_to(videos / rel)
    return sorted(folder.iterdir())


@pytest.fixture(scope="module")
def cut_clips(videos, tmp_path_factory) -> list[Path]:
    """The first 1.2 s of each short clip (as recorded), so one run takes a few seconds."""
    folder = tmp_path_factory.mktemp("cut")
    for rel in SHORT_CLIPS:
        cap = cv2.VideoCapture(str(videos / rel))
        fps = cap.get(cv2.CAP_PROP_FPS)
        size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        writer = cv2.VideoWriter(str(folder / Path(rel).name), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
        for _ in range(round(1.2 * fps)):
            ok, frame = cap.read()
            assert ok
            writer.write(frame)
        writer.release()
        cap.release()
    return sorted(folder.iterdir())


@pytest.mark.slow
def test_random_interrupts_over_a_folder_of_real_clips(cut_clips, tmp_path):
    """The issue's fault injection: 20 runs over a folder of real clips (two at a time, the model
    always run), each stopped at a random moment from start-up to the last save by Ctrl-C or SIGTERM."""
    rng = random.Random(11)
    names = [p.name for p in cut_clips]
    timings = []
    for trial in range(20):
        how, delay = rng.choice(["ctrl-c", "sigterm"]), rng.uniform(0.3, 3.0)
        out = tmp_path / f"out{trial}"
        proc = start_analyze([cut_clips[0].parent], out, "--jobs", "2")
        time.sleep(delay)
        stdout, stderr, took = stop(proc, how)
        context = f"trial {trial}: {how} after {delay:.2f} s, exit {proc.returncode}\n{stdout}\n{stderr}"
        assert took < PROMPT_EXIT_S, context
        assert "Traceback" not in stderr, context
        states = table_states(stdout, names)
        assert all(" " not in state or state == "not started" for state in states.values()), context
        for clip in cut_clips:
            check_clip(out / clip.stem, states[clip.name])
        expected = 0 if set(states.values()) == {"done"} else 130
        assert proc.returncode == expected, context
        timings.append(f"{how} at {delay:.2f} s: gone {took:.2f} s later, {sorted(states.values())}")
    print("\n".join(timings))


def test_ctrl_c_in_a_folder_saves_every_clip_in_progress_and_exits_promptly(clips, videos, tmp_path):
    """Two long clips in progress keep their partial reports and videos; the clips still queued
    are listed as not started, and no worker goes on to analyse them."""
    long_a, long_b = tmp_path / "clips" / "long_a.mp4", tmp_path / "clips" / "long_b.mp4"
    long_a.symlink_to(videos / LONG_CLIP)
    long_b.symlink_to(videos / LONG_CLIP)
    out = tmp_path / "out"
    proc = start_analyze([long_a, long_b, *clips[:2]], out, "--jobs", "2")
    time.sleep(8.0)  # both long clips are being analysed; the short ones wait their turn
    stdout, stderr, took = stop(proc, "ctrl-c")
    assert took < PROMPT_EXIT_S and proc.returncode == 130, (took, stdout, stderr)
    assert "Traceback" not in stderr
    names = ["long_a.mp4", "long_b.mp4", clips[0].name, clips[1].name]
    states = table_states(stdout, names)
    assert list(states.values()) == ["partial", "partial", "not started", "not started"], stdout
    for name, state in states.items():
        check_clip(out / Path(name).stem, state)
    for clip in (long_a, long_b):
        assert f"formcheck: interrupted: {clip}: the report covers the" in stderr
    assert "formcheck: interrupted: 2 of 4 inputs not started" in stderr


def test_sigterm_stops_a_single_file_analysis_like_ctrl_c(videos, tmp_path):
    proc = start_analyze([videos / LONG_CLIP], tmp_path)
    time.sleep(6.0)  # model loaded, some frames analysed
    stdout, stderr, took = stop(proc, "sigterm")
    assert proc.returncode == 130 and took < PROMPT_EXIT_S, (stdout, stderr)
    assert "Traceback" not in stderr and "the report covers the" in stderr and "marked partial" in stderr
    folder = tmp_path / Path(LONG_CLIP).stem
    check_clip(folder, "partial")
    report = json.loads((folder / "report.json").read_text())
    assert report["partial"] is True and 0 < report["duration_s"] < 60


def test_a_stop_while_drawing_says_what_the_report_says(videos, tmp_path, monkeypatch, capsys):
    """The track is cached, so the video is drawn after the report is written: a stop then
    leaves a complete report and a shorter video, and the message says exactly that."""
    from formcheck.app.cli import main
    from formcheck.outputs.annotate import AnnotatedVideo

    put = AnnotatedVideo.put
    drawn = []

    def put_then_stop(self, frame, judged):
        put(self, frame, judged)
        drawn.append(frame.index)
        if len(drawn) == 30:
            raise KeyboardInterrupt  # Ctrl-C, as Python delivers it where no handler is installed

    monkeypatch.setattr(AnnotatedVideo, "put", put_then_stop)
    code = main(["analyze", str(videos / SHORT_CLIPS[0]), "-e", "plank", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 130
    assert "the report is complete; the annotated video was cut short (30 frames drawn)" in err
    assert "marked partial" not in err
    folder = tmp_path / Path(SHORT_CLIPS[0]).stem
    report = json.loads((folder / "report.json").read_text())
    assert report["partial"] is False and report["annotated_partial"] is True
    assert report["annotated_frames"] == 30 == video_frames(folder / "annotated.mp4")


def test_a_truncated_source_exits_1_in_live_as_in_analyze(videos, tmp_path):
    data = (videos / "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    analyzed = formcheck("analyze", str(cut), "-e", "plank", "--out", str(tmp_path / "a"))
    live_out = str(tmp_path / "l")
    live = formcheck("live", "-e", "plank", "--source", str(cut), "--headless", "--fast", "--quiet", "--out", live_out)
    assert analyzed.returncode == live.returncode == 1, (analyzed.stderr, live.stderr)
    assert "ended early" in one_line_error(analyzed) and "ended early" in one_line_error(live)
    assert json.loads((tmp_path / "l" / "report.json").read_text())["partial"] is True


# -- the stop request itself -------------------------------------------------------------------


def _signal_self(sig: int = signal.SIGINT) -> None:
    os.kill(os.getpid(), sig)
    time.sleep(0.05)  # the handler runs at the next bytecode once the signal has arrived


def test_a_stop_raises_once_outside_saving_and_is_only_noted_inside_it():
    from formcheck import interrupts

    with interrupts.handled():
        with pytest.raises(KeyboardInterrupt):  # ordinary code: the first signal stops it
            _signal_self()
        _signal_self(signal.SIGTERM)  # the second is noted: whatever is being saved is not cut short
        assert interrupts.requested()
    with interrupts.handled(), interrupts.polled():
        _signal_self(signal.SIGTERM)
        _signal_self()
        assert interrupts.requested()  # noted, never raised: the loops ask between frames
        with pytest.raises(KeyboardInterrupt):  # a third always raises: a way out if saving hangs
            _signal_self()
    assert not interrupts.requested()  # handled() leaves things as they were
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
