"""The workout's page and the history's page speak the user's language (issue 19), like report.html
(tests/test_language_clip.py): headings, how a set ended, the exercise names, numbers with the
language's decimal mark. Built from a workout report and history entries of the shapes the workout
and the history write (the end-to-end runs are in tests/test_workout.py and tests/test_history.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.app.workout.page import write_workout_page
from formcheck.history.page import write_history_page
from formcheck.history.store import Entry
from formcheck.i18n import set_language

SIDE_PLANK = {
    "step": 2,
    "exercise": "side_plank",
    "variant": "",
    "planned": {"sets": 3, "reps": None, "seconds": 20, "per_side": True, "rest_s": 30, "rest_after_s": 60},
    "sets_done": 1,
    "sets": [
        {"set": 1, "side": "first", "started": True, "ended_by": "target", "stopped_early": False, "stop_reason": "",
         "reps": 0, "good_reps": 0, "hold_s": 20.4, "good_hold_s": 18.5, "faults": ["hips_sagging"],
         "report": "sets/02-side_plank-set1-first.json"},
        {"set": 1, "side": "second", "started": True, "ended_by": "form_slipping", "stopped_early": True,
         "stop_reason": "", "reps": 0, "good_reps": 0, "hold_s": 7.5, "good_hold_s": 2.0, "faults": [],
         "report": None},
    ],
    "rests": [{"taken_s": 30.0}],
}  # fmt: skip
WORKOUT = {"day": 1, "day_title": "Core stability", "plan": "Back care", "started_at": "2026-11-29T10:00:00",
           "ended_by": "done", "model": "full", "steps": [SIDE_PLANK]}  # fmt: skip
ENTRY = Entry("2026-11-29T10:05:00Z", "side_plank", "", "clip.mp4", None, 0, 0, 20.4, 18.5, kind="workout")


@pytest.fixture
def german():
    set_language("de")
    yield
    set_language("en")


def test_the_workout_page_in_german(tmp_path: Path, german) -> None:
    page = write_workout_page(tmp_path / "report.html", WORKOUT).read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "Tag 1: Core stability" in page  # the plan's own words stay
    assert "<th>Satz</th>" in page and "Ziel erreicht" in page and "abgebrochen" in page
    assert "18,5" in page and "18.5" not in page  # decimal comma
    assert 'href="sets/02-side_plank-set1-first.html"' in page
    for english in ("<th>set</th>", ">target<", "sets done", "per side", "no rests"):
        assert english not in page


def test_the_workout_page_in_english(tmp_path: Path) -> None:
    page = write_workout_page(tmp_path / "report.html", WORKOUT).read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "2. side plank: 3 × 20 s per side" in page
    assert "<th>set</th>" in page and "stopped: form slipping" in page and "18.5" in page


def test_the_history_page_in_german(tmp_path: Path, german) -> None:
    page = write_history_page(tmp_path / "history.html", [ENTRY], {"side_plank": 20.0}).read_text(encoding="utf-8")
    assert '<html lang="de">' in page and "<h1>Fortschritt</h1>" in page and "<td>Training</td>" in page
    assert "<th>Hauptwert</th>" in page and "<h1>Progress</h1>" not in page
