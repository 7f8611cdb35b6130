"""A new exercise is its module, its thresholds table and its tests, nothing else: a toy exercise
defined here (a wall sit) shows up in the command line, the timeline, the tuning panels and the
overlay without any other file being edited."""

from __future__ import annotations

import json

import numpy as np
import pytest

from formcheck import config
from formcheck import geometry as g
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import (
    WRONG_VIEW,
    Exercise,
    FaultSpec,
    KeyAngle,
    Limit,
    Plot,
    PoseFrames,
    Signals,
    Synthetic,
)
from formcheck.exercises.measures import shoulder_width_ratio
from formcheck.exercises.posing import SHIN, THIGH, TORSO, assemble, far_offset, unit

TOY_TABLE = """
[wall_sit]
# A toy exercise for the tests: thighs level, back on the wall.
max_thigh_tilt_deg = 25.0
max_knee_angle_deg = 120.0
back_lean_deg = 15.0
max_view_ratio = 0.25
"""


def wall_sit_pose(back_lean_deg: float = 0.0, width_ratio: float = 0.05) -> np.ndarray:
    hip = np.array([0.0, 0.0])
    knee = hip + THIGH * unit(0.0)
    ankle = knee + SHIN * unit(-90.0)
    shoulder = hip + TORSO * unit(90.0 + back_lean_deg)
    points = {
        "shoulder": shoulder,
        "elbow": shoulder + np.array([20.0, -100.0]),
        "wrist": shoulder + np.array([40.0, -180.0]),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, -5.0]),
        "foot_index": ankle + np.array([20.0, -5.0]),
        "ear": shoulder + np.array([10.0, 60.0]),
    }
    return assemble(points, (500.0, 450.0), far_offset(width_ratio))


@pytest.fixture
def wall_sit(tmp_path, monkeypatch):
    """The toy exercise, registered, with its table added to a copy of the thresholds."""
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(config.DEFAULTS_FILE.read_text(encoding="utf-8") + TOY_TABLE, encoding="utf-8")
    monkeypatch.setattr(config, "DEFAULTS_FILE", thresholds)

    class WallSit(Exercise):
        name = "wall_sit"
        title = "Wall sit"
        kind = "hold"
        view = "side"
        needed = ("shoulder", "hip", "knee", "ankle")
        faults = (FaultSpec("leaning_forward", "Back against the wall", joints=("shoulder",)),)
        key_angle = KeyAngle("knee_angle_deg", ("hip", "knee", "ankle"))
        plots = (
            Plot(
                "back_lean_deg",
                "back off vertical (deg)",
                (Limit("back_lean_deg", "above", "fault", "leaning_forward"),),
                timeline=True,
            ),
            Plot("thigh_tilt_deg", "thigh from level (deg)", (Limit("max_thigh_tilt_deg", "above", "position"),)),
        )
        synthetic = Synthetic(
            pose=wall_sit_pose,
            good={},
            faults={"leaning_forward": {"back_lean_deg": 30.0}},
            sweep={"back_lean_deg": (-5, 40)},
            wrong_view={"width_ratio": 0.8},
        )

        def signals(self, pose: PoseFrames) -> Signals:
            t = self.t
            left = self.near_side(pose)
            shoulder, hip, knee, ankle = (pose.joint(left, j) for j in ("shoulder", "hip", "knee", "ankle"))
            lean = 90.0 - g.tilt_from_horizontal_deg(hip, shoulder)
            thigh = g.tilt_from_horizontal_deg(hip, knee)
            knee_angle = g.joint_angle_deg(hip, knee, ankle)
            reason = self.visibility_reason(pose, left)
            reason[(reason == 0) & (shoulder_width_ratio(pose) > t["max_view_ratio"])] = WRONG_VIEW
            position = np.minimum(t["max_thigh_tilt_deg"] - thigh, t["max_knee_angle_deg"] - knee_angle)
            faults = {"leaning_forward": lean - t["back_lean_deg"]}
            features = {"back_lean_deg": lean, "thigh_tilt_deg": thigh, "knee_angle_deg": knee_angle}
            return Signals(features, reason, position, faults, left, cut=self.scene_cut(pose))

    yield WallSit
    EXERCISES.remove("wall_sit")


def test_the_toy_is_registered_and_offered_on_the_command_line(wall_sit, capsys):
    from formcheck.app.cli import build_parser

    assert "wall_sit" in EXERCISES
    help_text = build_parser()._subparsers._group_actions[0].choices["analyze"].format_help()
    assert "wall_sit" in help_text


def test_the_toy_is_analysed_into_a_report_and_timeline(wall_sit, tmp_path, capsys):
    from formcheck.app.cli import main
    from formcheck.lab.synthetic import hold, make_track

    frames = hold(wall_sit_pose(), 3.0) + hold(wall_sit_pose(back_lean_deg=30.0), 2.0)
    track = make_track(frames).save(tmp_path / "wall.npz")
    assert main(["analyze", str(track), "--exercise", "wall_sit", "--out", str(tmp_path / "out")]) == 0
    report = json.loads((tmp_path / "out" / "wall" / "report.json").read_text())
    assert report["exercise"] == "wall_sit"
    assert report["hold_s"] == pytest.approx(5.0, abs=0.3)
    assert [f["name"] for f in report["faults"]] == ["leaning_forward"]
    assert (tmp_path / "out" / "wall" / "timeline.png").stat().st_size > 10_000


def test_the_toy_has_timeline_and_tuning_panels(wall_sit):
    from formcheck.judging.session import judge_track, make_exercise
    from formcheck.lab import plots, tuning
    from formcheck.lab.synthetic import hold, make_track
    from formcheck.outputs.timeline import signal_panel

    judgement = judge_track(make_track(hold(wall_sit_pose(), 2.0)), make_exercise("wall_sit"))
    panel = signal_panel(judgement.exercise, judgement.signals.features)
    assert panel.features == ("back_lean_deg",) and [lim.key for _, lim in panel.limits] == ["back_lean_deg"]
    assert [p.feature for p in tuning.panels("wall_sit")] == ["back_lean_deg", "thigh_tilt_deg"]
    assert set(tuning.fault_lines("wall_sit")) == {"leaning_forward"}
    fig = plots.plot_tuning(judgement)
    assert len(fig.get_axes()) == 1 + 2


def test_the_overlay_draws_the_toys_key_angle_and_rings_its_fault(wall_sit):
    from formcheck.judging.session import judge_track, make_exercise
    from formcheck.lab.synthetic import hold, make_track
    from formcheck.outputs.overlay import ANGLE_COLOUR, FAULT_RING_COLOUR, draw_overlay

    judgement = judge_track(make_track(hold(wall_sit_pose(back_lean_deg=30.0), 2.0)), make_exercise("wall_sit"))
    i = len(judgement.final_states) - 1
    state = judgement.final_states[i]
    assert state.faults == ("leaning_forward",)
    image = np.zeros((720, 1280, 3), np.uint8)
    features = {k: float(v[i]) for k, v in judgement.signals.features.items()}
    draw_overlay(image, judgement.pose.xy[i], judgement.pose.visibility[i], True, state, features, judgement.exercise)
    sx, sy = judgement.pose.xy[i][11].astype(int)  # the left shoulder: its fault ring
    ring = image[sy - 30 : sy + 30, sx - 30 : sx + 30].reshape(-1, 3)
    assert (np.abs(ring.astype(int) - FAULT_RING_COLOUR).sum(axis=1) < 60).sum() > 20
    kx, ky = judgement.pose.xy[i][25].astype(int)  # the left knee: the key angle's arc
    arc = image[ky - 60 : ky + 60, kx - 60 : kx + 60].reshape(-1, 3)
    assert (np.abs(arc.astype(int) - ANGLE_COLOUR).sum(axis=1) < 60).sum() > 20
