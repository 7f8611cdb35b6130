"""Reading labels.csv: what a spreadsheet saves is read, and a bad row is one line naming it."""

from __future__ import annotations

import pytest

from formcheck.errors import FormcheckError
from formcheck.lab.labels import read_labels

HEADER = "file,exercise,reps,hold_s,good_hold_s,faults,fault_spans,notes"
ROW = "plank/a.mp4,plank,,30.5,20.0,hip_sag,hip_sag@3.0-5.5,café"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "labels.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_plain_file_is_read(tmp_path):
    (label,) = read_labels(write(tmp_path, f"{HEADER}\n{ROW}\n"))
    assert (label.file, label.hold_s, label.fault_spans[0].end_s, label.notes) == ("plank/a.mp4", 30.5, 5.5, "café")
    assert label.path == tmp_path / "plank" / "a.mp4"


def test_an_excel_utf8_bom_is_read(tmp_path):
    (label,) = read_labels(write(tmp_path, f"\ufeff{HEADER}\r\n{ROW}\r\n"))
    assert label.file == "plank/a.mp4" and label.notes == "café"


def test_a_latin1_file_is_refused_with_one_line_naming_it(tmp_path):
    path = write(tmp_path, f"{HEADER}\n{ROW}\n", encoding="latin-1")
    with pytest.raises(FormcheckError) as info:
        read_labels(path)
    text = str(info.value)
    assert text.startswith(f"{path}:2: not UTF-8 text") and "save it as UTF-8" in text and "\n" not in text


@pytest.mark.parametrize("row", ["plank/a.mp4,plank", "plank/a.mp4", "plank/a.mp4,plank,,30"])
def test_a_short_row_names_its_line(tmp_path, row):
    path = write(tmp_path, f"{HEADER}\n{ROW}\n{row}\n")
    with pytest.raises(FormcheckError, match=r"labels.csv:3: only \d of the 8 columns"):
        read_labels(path)


def test_a_row_with_an_extra_field_names_its_line(tmp_path):
    path = write(tmp_path, f"{HEADER}\n{ROW},extra, more\n")
    with pytest.raises(FormcheckError, match=r"labels.csv:2: 10 fields, the header has 8"):
        read_labels(path)


def test_a_short_row_of_only_optional_columns_is_read(tmp_path):
    path = write(tmp_path, f"{HEADER}\nplank/a.mp4,plank,,30.5,20.0,,\n")  # no notes column
    assert read_labels(path)[0].notes == ""


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ("plank/a.mp4,plank,,nan,20,,", "hold_s"),
        ("plank/a.mp4,plank,,inf,20,,", "hold_s"),
        ("plank/a.mp4,plank,,-3,20,,", "hold_s"),
        ("plank/a.mp4,plank,,30,-inf,,", "good_hold_s"),
        ("plank/a.mp4,plank,-2,,,,", "reps"),
        ("plank/a.mp4,plank,,1e999,,,", "hold_s"),
    ],
)
def test_nan_inf_and_negative_numbers_are_refused(tmp_path, cells, column):
    path = write(tmp_path, f"{HEADER}\n{ROW}\n{cells}\n")
    with pytest.raises(FormcheckError, match=rf"labels.csv:3: column '{column}' has .*, not a finite number >= 0"):
        read_labels(path)


@pytest.mark.parametrize("span", ["hip_sag@nan-5", "hip_sag@3-inf", "hip_sag@-1-5", "hip_sag@6-5"])
def test_bad_time_spans_are_refused(tmp_path, span):
    path = write(tmp_path, f"{HEADER}\nplank/a.mp4,plank,,30,20,hip_sag,{span}\n")
    with pytest.raises(FormcheckError, match=r"labels.csv:2: .*span"):
        read_labels(path)


def test_a_folder_or_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(FormcheckError, match="no such labels file"):
        read_labels(tmp_path)
