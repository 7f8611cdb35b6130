"""Every registered exercise keeps the contract the rest of formcheck relies on: each fault has a
cue and joints to ring, every threshold it reads is in thresholds.toml (and every threshold there
is read), every plotted signal exists and has its limit lines, and its synthetic poses show good
form, each fault and the wrong view the way the judge reports them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.config import COMMON, default_tables
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import WRONG_VIEW_CUES, Exercise
from formcheck.judging.judge import Judge
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab import synthetic
from formcheck.landmarks import SIDE_BONES

NAMES = list(EXERCISES)
JOINTS = {joint for bone in SIDE_BONES for joint in bone} | {"ear", "heel", "foot_index"}


class RecordingDict(dict):
    """The thresholds, noting every key read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def sweep_track(name: str, n: int = 120, seed: int = 0):
    spec = synthetic.synthetic_of(name)
    rng = np.random.default_rng(seed)
    frames = [
        spec.pose(**{**spec.good, **{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in spec.sweep.items()}})
        for _ in range(n)
    ]
    return synthetic.make_track(frames)


def features_of(ex: Exercise) -> dict[str, np.ndarray]:
    return judge_track(sweep_track(ex.name, 30), ex).signals.features


@pytest.mark.parametrize("name", NAMES)
def test_each_fault_has_a_cue_praise_and_joints_to_ring(name):
    cls = EXERCISES[name]
    names = [f.name for f in cls.faults]
    assert len(names) == len(set(names))
    for fault in cls.faults:
        assert fault.cue.strip() and fault.praise.strip(), fault.name
        assert fault.joints and set(fault.joints) <= JOINTS, fault.name
    assert cls.title and cls.get_in_position_cue and cls.view in WRONG_VIEW_CUES
    assert set(cls.needed) <= JOINTS


@pytest.mark.parametrize("name", NAMES)
def test_thresholds_read_are_exactly_those_in_its_table(name):
    cls = EXERCISES[name]
    tables = default_tables()
    assert name in tables, f"no [{name}] table in thresholds.toml"
    shipped = {**tables[COMMON], **tables[name]}
    read: set[str] = set()
    for variant in ("", *cls.variants):
        ex = make_exercise(name, variant=variant)
        ex.t = t = RecordingDict(ex.t)
        Judge(ex)  # timing, hysteresis and the rep spec
        judge_track(sweep_track(name, 30), ex)
        # A good set completes reps: what is read only then (how fast a rep rose and fell).
        judge_track(synthetic.make_track(_frames(name, {}), jitter_px=0.5), ex)
        ex.rep_faults(dict.fromkeys(cls.rep_measures, 0.0))  # read when a rep completes (none may)
        read |= t.read
    assert read <= set(shipped), f"read but not in thresholds.toml: {sorted(read - set(shipped))}"
    unread = set(tables[name]) - read
    assert not unread, f"[{name}] thresholds nothing reads: {sorted(unread)}"
    assert set(cls.tolerances) <= set(tables[name])


@pytest.mark.parametrize("name", NAMES)
def test_every_plot_shows_a_real_signal_with_its_limit_lines(name):
    cls = EXERCISES[name]
    # A "tempo" fault is judged once per rep from how long its rise or fall took, not from a
    # per-frame signal: no line can show it, so its own tests must (Synthetic.elsewhere).
    tempo = {f.name for f in cls.faults if f.scope == "tempo"}
    assert tempo <= set(synthetic.synthetic_of(name).elsewhere), f"{name}: tempo faults not tested elsewhere"
    fault_names = {f.name for f in cls.faults} - tempo
    drawn_faults = set()
    for variant in ("", *cls.variants):
        ex = make_exercise(name, variant=variant)
        features = features_of(ex)
        assert ex.key_feature in features
        for plot in ex.plots_for_variant():
            assert plot.feature in features, f"{name}/{variant}: no feature {plot.feature}"
            assert plot.limits or plot.variant, f"{name}: {plot.feature} is plotted without limit lines"
            for limit in plot.limits:
                assert np.isfinite(limit.value(ex.t)), f"{name}: {limit.key} is not a threshold"
                assert (limit.role == "fault") == bool(limit.fault)
                drawn_faults.add(limit.fault)
    assert fault_names <= drawn_faults, f"{name}: faults without a drawn line: {fault_names - drawn_faults}"
    assert any(p.timeline for p in cls.plots), f"{name}: nothing on the timeline"


@pytest.mark.parametrize("name", NAMES)
def test_each_variant_is_a_hold_or_counts_reps_with_its_own_faults(name):
    """A variant may change what the exercise is (a timed hold of a rep exercise) and whether it
    reports sides: the instance says so, from what the class declares, and judges accordingly."""
    cls = EXERCISES[name]
    assert set(cls.hold_variants) | set(cls.side_variants) <= set(cls.variants)
    specs = {f.name: f for f in cls.faults}
    for variant in ("", *cls.variants):
        ex = make_exercise(name, variant=variant)
        assert ex.kind == cls.kind_of(variant) and ex.reports_sides == cls.sides_of(variant)
        assert ex.kind == "hold" or ex.rep_spec() is not None, f"{name}/{variant}: counts reps without a rep spec"
        assert {f.name for f in ex.faults} <= set(specs), f"{name}/{variant}: a fault the class does not list"
        if ex.kind != cls.kind:  # a hold variant of a rep exercise: every fault judged on every frame held
            assert ex.rep_spec() is None and ex.faults and {f.scope for f in ex.faults} == {"hold"}
        else:
            assert ex.faults == cls.faults


def _frames(name: str, changes: dict):
    ex_cls = EXERCISES[name]
    spec = synthetic.synthetic_of(name)
    if spec.sequence is not None:
        return spec.sequence(changes)
    if ex_cls.kind == "reps":
        return synthetic.reps(name, 3, **changes)
    return synthetic.hold(synthetic.posed(name, **changes), 4.0)


def _judged(name: str, changes: dict):
    judgement = judge_track(synthetic.make_track(_frames(name, changes), jitter_px=0.5), make_exercise(name))
    return judgement, summarize(judgement.judge)


@pytest.mark.parametrize("name", NAMES)
def test_synthetic_good_form_is_counted_and_clean(name):
    _, s = _judged(name, {})
    assert s["faults"] == []
    if EXERCISES[name].kind == "reps":
        assert s["reps"] == 3 and s["good_reps"] == 3
    else:
        assert s["good_hold_s"] == pytest.approx(4.0, abs=0.6)


TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize(("name", "fault"), [(n, f.name) for n in NAMES for f in EXERCISES[n].faults])
def test_each_synthetic_fault_is_found(name, fault):
    spec = synthetic.synthetic_of(name)
    if fault in spec.elsewhere:  # a pose cannot show it: the exercise's own tests must
        own = TESTS / f"test_{name}.py"
        assert own.is_file() and f'"{fault}"' in own.read_text(encoding="utf-8"), f"{name}: {fault} untested"
        return
    assert fault in spec.faults, f"{name}: no synthetic pose shows {fault}"
    _, s = _judged(name, dict(spec.faults[fault]))
    assert fault in {f["name"] for f in s["faults"]}
    if EXERCISES[name].kind == "reps":
        assert s["reps"] >= 2 and all(fault in r["faults"] for r in s["rep_details"])


@pytest.mark.parametrize("name", NAMES)
def test_the_wrong_view_is_refused_with_the_cue_to_turn(name):
    spec = synthetic.synthetic_of(name)
    assert spec.wrong_view, f"{name}: no synthetic wrong view"
    judgement, s = _judged(name, dict(spec.wrong_view))
    assert s["hold_s"] == 0 and s["reps"] == 0 and s["faults"] == []
    assert s["unjudged_reasons"].get("wrong_view", 0) > 3.0
    assert judgement.final_states[-1].cue == WRONG_VIEW_CUES[EXERCISES[name].view]
