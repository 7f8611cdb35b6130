"""formcheck.lab.tuning: labelled clips, threshold files, the lines drawn on the features, statistics."""

from __future__ import annotations

import math
import tomllib

import matplotlib
import numpy as np
import pytest

from formcheck.config import default_tables, load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import NO_PERSON, NOT_VISIBLE, WRONG_VIEW
from formcheck.exercises.plank import plank_pose
from formcheck.judging.session import judge_track, make_exercise
from formcheck.lab import landmark_stats, plots, synthetic, tuning

matplotlib.use("Agg")

LABELS_CSV = """\
file,exercise,variant,view,judgeable,reps,hold_s,good_hold_s,faults,fault_spans,position_spans,notes
plank/a.mp4,plank,forearm,side,yes,,3.0,1.0,hips_piked,hips_piked@1.0-3.0,0.0-3.0,
plank/b.mp4,plank,made_up,side,yes,,2.0,2.0,,,0.0-2.0,
glute_bridge/c.mp4,glute_bridge,frog_pump,side,yes,2,,,,,0.5-1.5;2.0-3.0,
"""


# -- labelled clips ------------------------------------------------------------------------------------


@pytest.fixture
def labels_file(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text(LABELS_CSV)
    (tmp_path / "plank").mkdir()
    (tmp_path / "plank" / "a.mp4").write_bytes(b"not really a video")
    return path


def test_labelled_clips_by_exercise_and_on_disk(labels_file):
    assert [c.file for c in tuning.labelled_clips("plank", labels_file)] == ["plank/a.mp4"]
    assert [c.file for c in tuning.labelled_clips("plank", labels_file, existing_only=False)] == [
        "plank/a.mp4",
        "plank/b.mp4",
    ]
    assert len(tuning.labelled_clips(None, labels_file, existing_only=False)) == 3


def test_find_clip_by_path_or_name_and_its_variant(labels_file):
    assert tuning.find_clip("plank/a.mp4", labels_file).file == "plank/a.mp4"
    clip = tuning.find_clip("c.mp4", labels_file)
    assert clip.exercise == "glute_bridge" and tuning.clip_variant(clip) == "frog_pump"
    assert tuning.clip_variant(tuning.find_clip("b.mp4", labels_file)) == ""  # unknown variant: standard
    with pytest.raises(FormcheckError):
        tuning.find_clip("nope.mp4", labels_file)


# -- thresholds and the files they are saved in ----------------------------------------------------------


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_sliders_start_on_the_default_and_cover_it(exercise):
    own, common = tuning.tunable_keys(exercise)
    defaults = tuning.default_thresholds(exercise)
    assert own and common and not set(own) & set(common)
    for key in own + common:
        spec = tuning.slider_spec(key, defaults[key])
        assert spec.min <= spec.value <= spec.max
        assert spec.value >= 0  # a config file cannot hold a negative value
        steps = (spec.value - spec.min) / spec.step
        assert abs(steps - round(steps)) < 1e-6, f"{key}: default {spec.value} is off the slider grid"


def test_keys_a_config_cannot_hold_get_no_slider():
    own, _ = tuning.tunable_keys("glute_bridge")
    negative = [k for k, v in default_tables()["glute_bridge"].items() if v < 0]
    assert negative and not set(negative) & set(own)


def test_changed_thresholds_only_lists_differences():
    defaults = tuning.default_thresholds("plank")
    assert tuning.changed_thresholds("plank", defaults) == {}
    assert tuning.changed_thresholds("plank", {**defaults, "hip_pike_deg": 17.0, "min_fault_s": 0.7}) == {
        "hip_pike_deg": 17.0,
        "min_fault_s": 0.7,
    }
    with pytest.raises(FormcheckError):
        tuning.changed_thresholds("plank", {"hip_pike": 1.0})


def test_written_file_holds_the_changes_and_formcheck_loads_it(tmp_path):
    path = tmp_path / "sub" / "tuned.toml"
    values = {**tuning.default_thresholds("plank"), "hip_pike_deg": 17.0, "min_fault_s": 0.7}
    written = tuning.write_thresholds(path, "plank", values, comment="tuned on a clip\nsecond line")
    assert written == {"hip_pike_deg": 17.0, "min_fault_s": 0.7}
    text = path.read_text()
    assert text.startswith("# tuned on a clip\n# second line\n")
    assert tomllib.loads(text) == {"plank": written}
    loaded = load_thresholds("plank", path)
    assert loaded == values
    # The other exercises are untouched by a plank file (common keys went into [plank]).
    assert load_thresholds("superman", path) == load_thresholds("superman")
    assert not list(path.parent.glob("*.part"))


def test_written_file_of_defaults_is_valid_and_empty(tmp_path):
    path = tmp_path / "tuned.toml"
    assert tuning.write_thresholds(path, "superman", tuning.default_thresholds("superman")) == {}
    assert tomllib.loads(path.read_text()) == {}
    assert load_thresholds("superman", path) == load_thresholds("superman")


def test_bad_values_are_refused_before_writing(tmp_path):
    with pytest.raises(FormcheckError):
        tuning.thresholds_toml({"plank": {"hip_pike_deg": -1.0}})
    with pytest.raises(FormcheckError):
        tuning.thresholds_toml({"plank": {"min_visibility": 2.0}})


def test_a_judge_with_tuned_thresholds_matches_make_exercise_with_the_file(tmp_path):
    track = synthetic.make_track(synthetic.hold(plank_pose(hip_bend_deg=20.0), 3.0), jitter_px=0.5)
    values = {**tuning.default_thresholds("plank"), "hip_pike_deg": 15.0}
    path = tmp_path / "tuned.toml"
    tuning.write_thresholds(path, "plank", values)
    from formcheck.judging.summary import summarize

    direct = tuning.judged_numbers(summarize(judge_track(track, tuning.exercise_with("plank", values)).judge))
    via_file = tuning.judged_numbers(summarize(judge_track(track, make_exercise("plank", config=path)).judge))
    default = tuning.judged_numbers(summarize(judge_track(track, make_exercise("plank")).judge))
    assert direct == via_file
    assert "hips_piked" in direct["faults"] and "hips_piked" not in default["faults"]


# -- the threshold lines drawn on the features agree with the rules ---------------------------------------


def _sweep(exercise: str, n: int = 400, seed: int = 1):
    """Poses spread over each exercise's features, one per frame (a jumpy but valid track): the
    parameter ranges each exercise declares in its `Synthetic.sweep`."""
    spec = synthetic.synthetic_of(exercise)
    rng = np.random.default_rng(seed)
    frames = [
        spec.pose(**{**spec.good, **{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in spec.sweep.items()}})
        for _ in range(n)
    ]
    return synthetic.make_track(frames)


def check_lines_against_rules(exercise, signals) -> list[str]:
    """Where a drawn line says 'at fault' (or 'out of position', 'wrong view'), the rules must agree."""
    t = exercise.t
    feats = signals.features
    problems = []
    for fault, lines in tuning.fault_lines(exercise.name).items():
        margin = np.asarray(signals.faults[fault], dtype=float)
        ok = np.isfinite(margin)
        beyond = np.zeros(len(margin), dtype=bool)
        for feature, line in lines:
            value = np.asarray(feats[feature], dtype=float)
            ok &= np.isfinite(value) & (np.abs(value - line.value(t)) > 1e-6)
            beyond |= line.beyond(value, t)
        wrong = ok & (beyond != (margin > 0))
        if wrong.any():
            problems.append(f"{fault}: {int(wrong.sum())} of {int(ok.sum())} frames disagree")
    for panel in tuning.panels(exercise.name):
        value = np.asarray(feats[panel.feature], dtype=float)
        for line in panel.limits:
            if line.role == "position":  # in position => no position line crossed
                ok = np.isfinite(value) & np.isfinite(signals.position)
                wrong = ok & (signals.position > 1e-9) & line.beyond(value, t)
            elif line.role == "view" and exercise.variant != "twists":  # beyond => wrong view
                seen = (signals.reason != NOT_VISIBLE) & (signals.reason != NO_PERSON)
                wrong = np.isfinite(value) & seen & line.beyond(value, t) & (signals.reason != WRONG_VIEW)
            else:
                continue
            if wrong.any():
                problems.append(f"{line.role} line {line.key} on {panel.feature}: {int(wrong.sum())} frames")
    return problems


@pytest.mark.parametrize("variant", ["shoulder_taps", "leg_raises"])
def test_a_variant_adds_the_panel_of_its_rep_signal(variant):
    ex = make_exercise("plank", variant=variant)
    features = ex.signals(judge_track(_sweep("plank", 20), ex).pose).features
    extra = [p for p in tuning.panels("plank", variant) if p not in tuning.panels("plank")]
    assert [p.variant for p in extra] == [variant]
    assert all(p.feature in features for p in tuning.panels("plank", variant))


@pytest.mark.parametrize("name", list(EXERCISES))
def test_every_exercise_has_panels_for_its_features_and_thresholds(name):
    ex = make_exercise(name)
    features = ex.signals(judge_track(_sweep(name, 20), ex).pose).features
    # A "tempo" fault is judged once per rep from the times of its rise and fall, not from a
    # per-frame feature: there is no line to draw for it.
    fault_names = {f.name for f in ex.faults if f.scope != "tempo"}
    assert tuning.panels(name), f"no feature panels for {name}"
    for panel in tuning.panels(name):
        assert panel.feature in features, f"{name}: no feature {panel.feature}"
        for line in panel.limits:
            assert line.key in ex.t, f"{name}: threshold {line.key} is gone"
            assert math.isfinite(line.value(ex.t))
            assert line.role != "fault" or line.fault in fault_names
    covered = set(tuning.fault_lines(name))
    assert covered == fault_names, f"{name}: faults without a drawn line: {fault_names - covered}"


@pytest.mark.parametrize("name", list(EXERCISES))
def test_drawn_lines_agree_with_the_rules_on_synthetic_poses(name):
    ex = make_exercise(name)
    judgement = judge_track(_sweep(name), ex)
    assert check_lines_against_rules(ex, judgement.signals) == []


@pytest.mark.video
def test_drawn_lines_agree_with_the_rules_on_the_real_clips():
    from formcheck.pipeline.cache import TrackCache
    from formcheck.pipeline.models import resolve_model

    try:
        clips = [c for c in tuning.labelled_clips() if c.exercise in EXERCISES]
        model = resolve_model("full")
    except FormcheckError as exc:
        pytest.skip(str(exc))
    cache = TrackCache()
    checked, problems = 0, []
    for clip in clips:
        track = cache.find(clip.path, model)
        if track is None:
            continue
        ex = make_exercise(clip.exercise, variant=tuning.clip_variant(clip))
        problems += [f"{clip.file}: {p}" for p in check_lines_against_rules(ex, judge_track(track, ex).signals)]
        checked += 1
    if not checked:
        pytest.skip("no cached tracks of the labelled clips")
    assert problems == []


def test_plot_shows_a_panel_per_feature_and_the_spans(labels_file):
    import matplotlib.pyplot as plt

    label = tuning.find_clip("plank/a.mp4", labels_file)
    frames = synthetic.hold(plank_pose(hip_bend_deg=5.0), 1.0) + synthetic.hold(plank_pose(hip_bend_deg=35.0), 2.0)
    judgement = judge_track(synthetic.make_track(frames, jitter_px=0.3), make_exercise("plank"))
    fig = plots.plot_tuning(judgement, label, mark_s=1.5, title="t")
    axes = fig.get_axes()
    assert len(axes) == 1 + len(tuning.panels("plank"))
    strip_labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert "label: hips_piked" in strip_labels and "found: hips_piked" in strip_labels
    assert "found: knees_bent" not in strip_labels  # no empty fault rows
    legend = " ".join(t.get_text() for t in axes[1].get_legend().get_texts())
    assert "hip_pike_deg" in legend and "hip_sag_deg" in legend
    plt.close(fig)


def test_overlay_frame_reads_the_right_frame_and_draws_on_it(tmp_path):
    cv2 = pytest.importorskip("cv2")
    video = tmp_path / "v.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (synthetic.WIDTH, synthetic.HEIGHT))
    if not writer.isOpened():
        pytest.skip("no mp4 writer in this OpenCV")
    for i in range(12):
        writer.write(np.full((synthetic.HEIGHT, synthetic.WIDTH, 3), 20 * i, dtype=np.uint8))
    writer.release()
    assert abs(float(plots.read_frame(video, 5).mean()) - 100) < 6
    track = synthetic.make_track(synthetic.hold(plank_pose(), 12 / 30))
    judgement = judge_track(track, make_exercise("plank"))
    image, index = plots.overlay_frame(judgement, video, 7 / 30)
    assert index == 7 and image.shape == (synthetic.HEIGHT, synthetic.WIDTH, 3)
    assert float(np.abs(image.astype(int) - 140).max()) > 50  # something was drawn on the grey frame
    with pytest.raises(FormcheckError):
        plots.read_frame(video, 500)


# -- landmark statistics -------------------------------------------------------------------------------------


def test_span_mask_and_trim_runs():
    t = np.arange(0, 5, 0.25)  # exact in binary: no rounding at the span edges
    mask = landmark_stats.span_mask(t, [(1.0, 2.0), (3.0, 4.0)])
    assert mask.sum() == 10
    assert landmark_stats.span_mask(t, [(1.0, 2.0)], trim_s=0.25).sum() == 3
    trimmed = landmark_stats.trim_runs(mask, t, 0.25)
    assert trimmed.sum() == 6 and not trimmed[t < 1.25].any() and trimmed[t == 1.25].all()


def test_jitter_ignores_steady_motion_and_measures_noise():
    t = np.arange(300)
    steady = np.stack([2.0 * t, 0.5 * t], axis=1)  # a pan: constant velocity
    mask = np.ones(300, dtype=bool)
    assert landmark_stats.displacement_jitter(steady, mask) == pytest.approx(0.0, abs=1e-9)
    noisy = steady + np.random.default_rng(0).normal(0, 1.0, size=steady.shape)
    # iid noise of std s per axis: each frame-to-frame step has variance 2 s^2 per axis -> 2 s.
    assert landmark_stats.displacement_jitter(noisy, mask) == pytest.approx(2.0, rel=0.15)
    assert landmark_stats.series_jitter(noisy[:, 0], mask) == pytest.approx(math.sqrt(2), rel=0.15)
    assert math.isnan(landmark_stats.displacement_jitter(noisy, np.zeros(300, dtype=bool)))


def test_landmark_agreement_and_near_side():
    a = synthetic.make_track(synthetic.hold(plank_pose(), 1.0))
    b = synthetic.make_track(synthetic.hold(plank_pose(), 1.0))
    b.landmarks[:, :, 0] += 3.0 / synthetic.WIDTH  # 3 px to the right
    b.landmarks[:10] = np.nan  # not found in the first frames
    agree = landmark_stats.landmark_agreement_px(a, b, [11, 23])
    assert agree["median_px"] == pytest.approx(3.0, abs=0.01)
    assert agree["both_detected"] == pytest.approx(20 / 30)
    assert landmark_stats.near_side(a) in ("left", "right")
