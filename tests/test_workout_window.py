"""The workout's window under Xvfb: the placement check on a clip whose feet are out of the frame
shows the message (amber band), and a set shows its progress toward the target (the bar)."""

from __future__ import annotations

import json
import re
import signal

import cv2
import numpy as np
import pytest

from formcheck.app.workout.display import BAR_FILL
from formcheck.app.workout.placement import FEET_OUT
from formcheck.outputs.drawing import ascii_text
from formcheck.pipeline.sources import VideoFileSource
from tests.test_live import Running, colour_near, display_env, wait_for_window, xdisplay  # noqa: F401 (fixture)

pytestmark = pytest.mark.video

FEET_OUT_CLIP = "side_plank/side_plank_crunch_woman_long_talking_intro.mp4"  # a talking close-up 0-18.7 s
PLANK_CLIP = "plank/plank_forearm_side_woman_backlit_room.mp4"  # in position from the first frame


def one_step_plan(tmp_path, exercise: str) -> str:
    path = tmp_path / f"{exercise}.toml"
    path.write_text(
        f'[[days]]\ntitle = "Test"\n[[days.steps]]\nexercise = "{exercise}"\nsets = 1\nseconds = 30\n'
        'instruction = "Hold it."\ncamera = "Where the exercise wants it."\n'
    )
    return str(path)


def workout(tmp_path, xdisplay, exercise: str, clip, at: float) -> tuple[Running, str]:  # noqa: F811
    shot = tmp_path / f"{exercise}.png"
    args = ["1", "--plan", one_step_plan(tmp_path, exercise), "--quiet", "--fast", "--out", str(tmp_path / "out")]
    args += ["--screenshot", str(shot), "--screenshot-at", str(at), "--source", str(clip)]
    run = Running(args, display_env(xdisplay), tmp_path, command="workout")
    run.wait_for_line(r"^formcheck workout: ")
    assert wait_for_window(xdisplay), "no X window named formcheck appeared"
    return run, run.wait_for_line(r"^screenshot: ")


def amberish(pixels: np.ndarray) -> np.ndarray:
    """The amber band as drawn over any background (80% amber: BGR about (0, 165, 250))."""
    b, g, r = (pixels[..., k].astype(int) for k in range(3))
    return (r > 190) & (g > 110) & (g < 215) & (b < 120)


def greenish(pixels: np.ndarray) -> np.ndarray:
    b, g, r = (pixels[..., k].astype(int) for k in range(3))
    return (g > 140) & (r < 120) & (b < 120)


def test_the_placement_check_says_the_feet_are_out_of_the_frame(videos, xdisplay, tmp_path):  # noqa: F811
    run, line = workout(tmp_path, xdisplay, "side_plank", videos / FEET_OUT_CLIP, 8.0)
    run.proc.send_signal(signal.SIGINT)  # the rest of the 76 s clip is not needed; nothing is lost
    rc, _stdout, stderr = run.finish()
    assert rc == 130 and "Traceback" not in stderr, stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["ended_by"] == "interrupted"
    image = cv2.imread(str(tmp_path / "side_plank.png"))
    index = int(re.search(r"\(frame (\d+),", line).group(1))
    with VideoFileSource(videos / FEET_OUT_CLIP) as source:
        raw = next(f.image for f in source if f.index == index)
    assert image.shape == raw.shape
    # The placement band (amber: not green yet) below the title, where the clip itself is not amber.
    top = int(0.22 * image.shape[0])
    band = slice(top + 2, top + 12)
    assert amberish(image[band]).mean() > 0.6 > 0.05 > amberish(raw[band]).mean()
    assert not greenish(image[band]).any()
    # The cue band at the bottom says the same as the placement band (amber too).
    assert amberish(image[-4:]).mean() > 0.6
    assert ascii_text(FEET_OUT) == "Move back - your feet are out of the frame"  # as drawn (Hershey is ASCII)


def test_a_set_shows_its_progress_toward_the_target(videos, xdisplay, tmp_path):  # noqa: F811
    run, _line = workout(tmp_path, xdisplay, "plank", videos / PLANK_CLIP, 5.0)
    rc, stdout, stderr = run.finish()
    assert rc == 0, stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    (entry,) = report["steps"][0]["sets"]
    image = cv2.imread(str(tmp_path / "plank.png"))
    h, w = image.shape[:2]
    # The bar near the bottom: filled green from its left end for the share of 30 s held by 5 s.
    bar = colour_near(image[int(0.80 * h) : int(0.85 * h)], BAR_FILL, 30)
    filled = bar.any(axis=0)
    columns = np.flatnonzero(filled)
    assert len(columns) > 0, "no progress bar"
    share = (columns.max() - int(0.05 * w)) / (0.90 * w)
    held_by_then = 5.0 - entry["source_from_s"]  # in position throughout: hold time = time since the start
    assert share == pytest.approx(held_by_then / 30.0, abs=0.05)
    assert "plank: 1/1 sets of 30 s" in stdout
