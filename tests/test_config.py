import re

import pytest

from formcheck.config import STRICTNESS, load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.judging.session import make_exercise


def write(tmp_path, text):
    path = tmp_path / "my.toml"
    path.write_text(text)
    return path


def test_defaults_have_every_threshold_each_exercise_reads():
    for name, cls in EXERCISES.items():
        thresholds = load_thresholds(name)
        for key in cls.tolerances:
            assert key in thresholds, f"{name}.{key}"


def test_a_user_file_overrides_one_value(tmp_path):
    path = write(tmp_path, "[plank]\nhip_sag_deg = 5.5\n[common]\nmin_fault_s = 1.0\n")
    t = load_thresholds("plank", path)
    assert t["hip_sag_deg"] == 5.5 and t["min_fault_s"] == 1.0
    assert t["hip_pike_deg"] == load_thresholds("plank")["hip_pike_deg"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[plank]\nhip_sag = 5\n", "unknown key 'plank.hip_sag'"),
        ("[planck]\nhip_sag_deg = 5\n", "unknown table [planck]"),
        ("[plank]\nhip_sag_deg = 'lots'\n", "'plank.hip_sag_deg' must be a number"),
        ("[plank]\nhip_sag_deg = -3\n", "'plank.hip_sag_deg' must be a finite number >= 0"),
        ("[common]\nmin_visibility = 2\n", "'common.min_visibility' must be between 0 and 1"),
        ("[plank\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_problem(tmp_path, text, message):
    with pytest.raises(FormcheckError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_thresholds("plank", write(tmp_path, text))


def test_missing_config_file(tmp_path):
    with pytest.raises(FormcheckError, match="no such config file"):
        load_thresholds("plank", tmp_path / "nope.toml")


def test_strictness_scales_only_tolerances():
    standard = load_thresholds("plank")
    tolerances = EXERCISES["plank"].tolerances
    for level, factor in STRICTNESS.items():
        t = load_thresholds("plank", strictness=level, tolerances=tolerances)
        assert t["hip_sag_deg"] == pytest.approx(standard["hip_sag_deg"] * factor)
        assert t["max_view_ratio"] == standard["max_view_ratio"]  # not a tolerance
    with pytest.raises(FormcheckError, match="strictness must be one of"):
        load_thresholds("plank", strictness="extreme")


def test_strictness_can_come_from_the_file(tmp_path):
    path = write(tmp_path, 'strictness = "strict"\n')
    assert make_exercise("plank", path).t["hip_sag_deg"] < load_thresholds("plank")["hip_sag_deg"]


def test_unknown_exercise_and_variant():
    with pytest.raises(FormcheckError, match="unknown exercise 'squat'"):
        make_exercise("squat")
    with pytest.raises(FormcheckError, match="unknown variant 'wobbly' for plank"):
        make_exercise("plank", variant="wobbly")


def test_a_signed_threshold_may_be_negative_where_its_default_is(tmp_path):
    path = write(tmp_path, "[glute_bridge]\nrep_top = -30.0\n")
    assert load_thresholds("glute_bridge", path)["rep_top"] == -30.0


def test_a_folder_as_config_is_one_line(tmp_path):
    with pytest.raises(FormcheckError, match="is a folder, not a config file"):
        load_thresholds("plank", tmp_path)


def test_a_non_utf8_config_is_one_line(tmp_path):
    path = tmp_path / "my.toml"
    path.write_bytes("# réglages\n[plank]\nhip_sag_deg = 5\n".encode("latin-1"))
    with pytest.raises(FormcheckError, match=r"my.toml: not UTF-8 text \(byte 0xe9 on line 1\)"):
        load_thresholds("plank", path)


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 5000,  # nesting deep enough to exhaust the parser's recursion
        "a = 1" + "0" * 5000,  # an integer too long for Python to convert
    ],
)
def test_pathological_toml_is_one_line(tmp_path, text):
    with pytest.raises(FormcheckError, match="not valid TOML") as info:
        load_thresholds("plank", write(tmp_path, text))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[plank]\nhip_sag_deg = 1e308\n", "'plank.hip_sag_deg' must be at most 180 (degrees), got 1e+308"),
        ("[plank]\nhip_sag_deg = 181\n", "'plank.hip_sag_deg' must be at most 180"),
        ("[common]\ncut_jump_ratio = 1e308\n", "'common.cut_jump_ratio' must be at most 10 (a ratio)"),
        ("[common]\nmin_fault_s = 1e308\n", "'common.min_fault_s' must be at most 600 (seconds)"),
        ("[common]\nfault_hysteresis = 1e308\n", "'common.fault_hysteresis' must be at most 180"),
        ("[glute_bridge]\nrep_top = -1e308\n", "'glute_bridge.rep_top' must be at least -180"),
        ("[plank]\nhip_sag_deg = [1, 2]\n", "'plank.hip_sag_deg' must be a number, got [1, 2]"),
    ],
)
def test_thresholds_have_upper_bounds_by_unit(tmp_path, text, message):
    with pytest.raises(FormcheckError, match=re.escape(message)):
        load_thresholds("plank" if "plank" in text else "glute_bridge", write(tmp_path, text))


def test_a_long_bad_value_is_shortened_to_one_line(tmp_path):
    path = write(tmp_path, "[plank]\nhip_sag_deg = '''" + "x\n" * 500 + "'''\n")
    with pytest.raises(FormcheckError, match="must be a number") as info:
        load_thresholds("plank", path)
    assert "\n" not in str(info.value) and len(str(info.value)) < 300


def test_the_shipped_defaults_are_within_their_bounds():
    from formcheck.config import default_tables, validate_overrides

    validate_overrides(default_tables(), "thresholds.toml")


def test_a_huge_integer_is_refused(tmp_path):
    with pytest.raises(FormcheckError, match=r"'plank\.hip_sag_deg' must be a finite number"):
        load_thresholds("plank", write(tmp_path, "[plank]\nhip_sag_deg = " + "9" * 400 + "\n"))


@pytest.mark.parametrize("value", ['"extreme"', "[0.0]", "{ a = 1 }", "3"])
def test_a_bad_strictness_in_the_file_names_the_file(tmp_path, value):
    path = write(tmp_path, f"strictness = {value}\n")
    with pytest.raises(FormcheckError, match=re.escape(f"{path}: strictness must be one of")):
        load_thresholds("plank", path)


def test_a_name_with_control_characters_stays_on_one_line(tmp_path):
    with pytest.raises(FormcheckError, match=re.escape(r"unknown table ['\r']")) as info:
        load_thresholds("plank", write(tmp_path, '"\\r" = 0.0\n'))
    assert "\r" not in str(info.value)
