"""Plans as data: the shipped three-day plan, user plan files checked key by key, `formcheck plan`."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w

from formcheck.app.plans import exercise_catalog, load_checked_plan
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.plan import headline_targets, load_plan, shipped_plan_text
from tests.cli_helpers import formcheck, one_line_error


def shipped() -> dict:
    return tomllib.loads(shipped_plan_text())


def test_the_shipped_plan_is_the_articles_three_days():
    plan = load_checked_plan(None)
    days = [[(s.exercise, s.sets, s.reps, s.seconds, s.per_side) for s in day.steps] for day in plan.days]
    assert days == [
        [("cat_cow", 1, None, 120, False), ("side_plank", 3, None, 20, True), ("plank", 3, None, 30, False)],
        [
            ("superman", 3, 10, None, False),
            ("glute_bridge", 3, 12, None, False),
            ("back_extension", 3, 15, None, False),
        ],
        [("stretch", 1, None, 120, True), ("seated_rotation", 2, None, 30, True), ("leg_raise", 3, 10, None, False)],
    ]
    for day in plan.days:
        for step in day.steps:
            assert step.exercise in EXERCISES
            assert step.instruction and step.camera
            assert step.variant in ("", *EXERCISES[step.exercise].variants)
            assert step.rest_s > 0 or step.sets == 1  # a rest between every two sets
    # the front-view exercises say so in their camera line, the floor work says side view
    cameras = {s.exercise: s.camera for d in plan.days for s in d.steps}
    for name, camera in cameras.items():
        assert camera.lower().startswith(f"{EXERCISES[name].view} view"), name


def test_headline_targets_are_seconds_for_timed_steps_and_reps_otherwise():
    targets = headline_targets(load_plan())
    assert targets["plank"] == 30.0 and targets["side_plank"] == 20.0 and targets["cat_cow"] == 120.0
    assert targets["superman"] == 10.0 and targets["glute_bridge"] == 12.0 and targets["back_extension"] == 15.0
    assert targets["leg_raise"] == 10.0 and targets["seated_rotation"] == 30.0
    assert all(isinstance(v, float) for v in targets.values())


def test_a_user_plan_round_trips(tmp_path):
    data = shipped()
    data["days"] = data["days"][:1]
    data["days"][0]["steps"][2]["seconds"] = 45
    path = tmp_path / "mine.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    plan = load_checked_plan(path)
    assert len(plan.days) == 1 and plan.days[0].steps[2].seconds == 45.0
    assert headline_targets(plan)["plank"] == 45.0
    assert plan.day(1) is plan.days[0]
    with pytest.raises(FormcheckError, match="no day 2"):
        plan.day(2)


def _edit(change):
    data = shipped()
    change(data)
    return data


BAD = [
    (lambda d: d["days"][1]["steps"][0].update(sets=0), "days[2].steps[1].sets"),
    (lambda d: d["days"][0]["steps"][1].update(seconds="twenty"), "days[1].steps[2].seconds"),
    (lambda d: d["days"][0]["steps"][1].update(reps=10), "days[1].steps[2] needs either reps or seconds"),
    (lambda d: d["days"][0]["steps"][0].update(exercise="squat"), "days[1].steps[1].exercise"),
    (lambda d: d["days"][0]["steps"][2].update(variant="sideways"), "days[1].steps[3].variant"),
    (lambda d: d["days"][0]["steps"][2].update(per_side="yes"), "days[1].steps[3].per_side"),
    (lambda d: d["days"][0]["steps"][2].update(rest_s=-5), "days[1].steps[3].rest_s"),
    (lambda d: d["days"][2]["steps"][0].update(tempo=2), "days[3].steps[1].tempo"),
    (lambda d: d["days"][2]["steps"][0].pop("instruction"), "days[3].steps[1].instruction is missing"),
    (lambda d: d["days"][0].update(steps=[]), "days.steps must be one or more"),
    (lambda d: d.pop("days"), "days is missing"),
    (lambda d: d.update(weeks=2), "unknown key weeks"),
]


@pytest.mark.parametrize(("change", "names"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_plan_is_one_line_naming_the_key(tmp_path, change, names):
    path = tmp_path / "plan.toml"
    path.write_text(tomli_w.dumps(_edit(change)), encoding="utf-8")
    with pytest.raises(FormcheckError) as err:
        load_checked_plan(path)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(path)) and names in message, message


def test_unreadable_plan_files_are_one_line(tmp_path):
    for path, text in [
        (tmp_path / "missing.toml", "no such plan file"),
        (tmp_path, "is a folder"),
    ]:
        with pytest.raises(FormcheckError, match=text):
            load_plan(path)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[days]\n", encoding="utf-8")
    with pytest.raises(FormcheckError, match="not valid TOML"):
        load_plan(broken)


def test_without_a_catalog_exercise_names_still_come_from_the_thresholds(tmp_path):
    # formcheck.plan knows the exercises by their thresholds tables (it is shared by all stages)
    path = tmp_path / "plan.toml"
    path.write_text(tomli_w.dumps(_edit(lambda d: d["days"][0]["steps"][0].update(exercise="pushup"))))
    with pytest.raises(FormcheckError, match=r"days\[1\].steps\[1\].exercise"):
        load_plan(path)
    assert set(exercise_catalog()) == set(EXERCISES)


def test_formcheck_plan_lists_days_and_steps(tmp_path):
    result = formcheck("plan")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Day 1: Core stability" in out and "Day 3: Mobility and stretches" in out
    assert "side_plank: 3 x 20 s per side, rest 30 s" in out
    assert "glute_bridge: 3 x 12 reps" in out
    assert out.index("cat_cow") < out.index("side_plank") < out.index("plank:") < out.index("superman")
    bad = tmp_path / "bad.toml"
    bad.write_text(tomli_w.dumps(_edit(lambda d: d["days"][0]["steps"][1].update(sets=2.5))))
    line = one_line_error(formcheck("plan", "--plan", str(bad)))
    assert "days[1].steps[2].sets" in line
