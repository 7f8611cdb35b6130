"""The history: every analysis recorded once per content, safe with two writers at once, a
damaged file moved aside, an older layout migrated, and never a failed run because of it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import formcheck

from formcheck.history import History, entry_from_report, record
from formcheck.history.store import MIGRATIONS, VERSION

REPO = Path(__file__).resolve().parents[1]
TRACKS = REPO / "sample_videos" / "tracks"
CLIPS = {  # clip -> exercise: a hold with faults, a rep exercise
    "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4": "plank",
    "glute_bridge/glute_bridge_side_woman_darebee.mp4": "glute_bridge",
}


def track_file(clip: str) -> Path:
    index = (TRACKS / "index.csv").read_text(encoding="utf-8").splitlines()
    row = next(line for line in index if line.startswith(clip + ","))
    return TRACKS / row.split(",")[1]


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data" / "history.sqlite"
    monkeypatch.setenv("FORMCHECK_HISTORY", str(path))
    return path


def entries(path: Path):
    with History.open(path) as history:
        return history.entries()


def analyze(track: Path, exercise: str, out: Path, *extra: str) -> dict:
    result = formcheck("analyze", str(track), "-e", exercise, "--out", str(out), "--no-video", *extra)
    assert result.returncode == 0, result.stderr
    assert "history" not in result.stderr, result.stderr
    return json.loads((out / track.stem / "report.json").read_text())


def test_real_analyses_are_recorded_once_per_video(db, tmp_path):
    reports = {}
    for clip, exercise in CLIPS.items():
        track = tmp_path / "in" / Path(clip).with_suffix(".npz").name
        track.parent.mkdir(exist_ok=True)
        track.write_bytes(track_file(clip).read_bytes())
        reports[exercise] = (analyze(track, exercise, tmp_path / "out"), track)
    rows = entries(db)
    assert [r.exercise for r in rows] == list(CLIPS.values())
    for row in rows:
        report, track = reports[row.exercise]
        assert row.source == track.name and row.source_sha256 == report["source_sha256"]
        assert (row.reps, row.good_reps, row.hold_s, row.good_hold_s) == (
            report["reps"],
            report["good_reps"],
            report["hold_s"],
            report["good_hold_s"],
        )
        assert [f["name"] for f in row.faults] == [f["name"] for f in report["faults"]]
        assert row.faults[0]["start_s"] == report["faults"][0]["start_s"] if report["faults"] else True
        assert row.recorded_at == report["created_at"] and row.kind == "analyze" and row.model == "full"
        assert row.strictness == "standard" and row.report_path == str(tmp_path / "out" / track.stem / "report.json")
    assert {r.exercise: bool(r.faults) for r in rows}["plank"]  # this plank sags and pikes: its faults are kept

    # the same plank again (a copy elsewhere, stricter): its row is replaced, not added
    plank = reports["plank"][1]
    again = tmp_path / "again" / plank.name
    again.parent.mkdir()
    again.write_bytes(plank.read_bytes())
    strict = analyze(again, "plank", tmp_path / "out2", "--strictness", "strict")
    rows = entries(db)
    assert [r.exercise for r in rows] == ["glute_bridge", "plank"]
    assert rows[-1].strictness == "strict" and rows[-1].recorded_at == strict["created_at"]
    assert rows[-1].report_path == str(tmp_path / "out2" / plank.stem / "report.json")
    analyze(again, "superman", tmp_path / "out3", "--no-history")  # records nothing
    assert len(entries(db)) == 2


WRITER = """
import os, sys, time
from pathlib import Path
from formcheck.history import record
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
for i in range(int(sys.argv[3])):
    record({**REPORT, "source": f"{sys.argv[2]}-{i}.mp4", "source_sha256": None}, report_path=None)
"""


def test_two_processes_writing_at_once_lose_nothing(db, tmp_path):
    """Both start on a database that does not exist yet (both create and migrate it), then
    write as fast as they can; every row arrives and nobody is told the database is locked."""
    report = json.loads(json.dumps({"exercise": "plank", "created_at": "2026-11-29T10:00:00Z", "reps": 0}))
    go = tmp_path / "go"
    code = f"REPORT = {report!r}\n" + WRITER
    n = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(go), name, str(n)], stderr=subprocess.PIPE, text=True, env=os.environ
        )
        for name in ("a", "b")
    ]
    time.sleep(1.0)  # both imported and waiting
    go.touch()
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and errors == ["", ""], errors
    rows = entries(db)
    assert sorted(r.source for r in rows) == sorted(f"{w}-{i}.mp4" for w in "ab" for i in range(n))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def a_report(exercise: str = "plank", sha: str = "ab" * 32) -> dict:
    return {
        "exercise": exercise,
        "variant": "",
        "source": "clip.mp4",
        "source_sha256": sha,
        "created_at": "2026-11-28T08:00:00Z",
        "reps": 0,
        "good_reps": 0,
        "hold_s": 30.0,
        "good_hold_s": 25.0,
        "faults": [{"name": "hips_sagging", "start_s": 3.0, "end_s": 8.0, "cue": "Lift your hips"}],
        "model": "full",
        "strictness": "standard",
    }


def test_a_damaged_database_is_moved_aside_and_a_new_one_started(db, capsys):
    db.parent.mkdir(parents=True)
    junk = b"this is not a database, but it was once a history" * 100
    db.write_bytes(junk)
    record(a_report(), report_path=None)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "damaged" in lines[0] and "moved aside" in lines[0], lines
    aside = [p for p in db.parent.iterdir() if p.name.startswith("history.sqlite.damaged-")]
    assert len(aside) == 1 and aside[0].read_bytes() == junk  # nothing lost: the old file kept as it was
    assert [r.good_hold_s for r in entries(db)] == [25.0]
    record(a_report("superman", "cd" * 32), report_path=None)
    assert capsys.readouterr().err == "" and len(entries(db)) == 2


def test_a_database_of_the_previous_version_is_migrated(db):
    """A version-1 file made by hand (as formcheck 1's layout was), with two entries of the same
    video: migrated to the current version, its rows kept (the older duplicate dropped)."""
    assert VERSION == 2
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.executescript(MIGRATIONS[1])
        rows = [
            ("2026-11-20T08:00:00Z", "plank", "", "a.mp4", "11" * 32, 0, 0, 20.0, 15.0, "[]", "full", "standard", None),
            ("2026-11-21T08:00:00Z", "plank", "", "a.mp4", "11" * 32, 0, 0, 24.0, 20.0, "[]", "full", "standard", None),
            ("2026-11-21T09:00:00Z", "glute_bridge", "", "b.mp4", None, 12, 10, 9.0, 7.0, "[]", "lite", None, None),
        ]
        conn.executemany(
            "INSERT INTO runs (recorded_at, exercise, variant, source, source_sha256, reps, good_reps, hold_s,"
            " good_hold_s, faults, model, strictness, report_path) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    conn.close()
    record(a_report(), report_path=Path("r/report.json"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    conn.close()
    got = entries(db)
    assert [(r.source, r.good_hold_s, r.kind) for r in got] == [
        ("a.mp4", 20.0, "analyze"),
        ("b.mp4", 7.0, "analyze"),
        ("clip.mp4", 25.0, "analyze"),
    ]
    assert got[1].good_reps == 10 and got[-1].faults == [{"name": "hips_sagging", "start_s": 3.0, "end_s": 8.0}]
    assert got[-1].report_path == str(Path("r/report.json").absolute())


def test_a_history_that_cannot_be_written_is_one_line_never_an_error(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("FORMCHECK_HISTORY", str(blocker / "history.sqlite"))
    record(a_report(), report_path=None)  # does not raise
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("formcheck: note: not recorded in the history"), lines


def test_a_newer_database_is_left_alone(db, capsys):
    record(a_report(), report_path=None)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    record(a_report("superman"), report_path=None)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "version 99, newer than this formcheck knows (2)" in lines[0], lines
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT exercise FROM runs").fetchall() == [("plank",)]
    conn.close()


def test_the_entry_of_a_report_and_the_same_content_as_a_live_session():
    entry = entry_from_report(a_report(), None, "live")
    assert entry.kind == "live" and entry.hold_s == 30.0 and entry.when.year == 2026


# -- formcheck history ----------------------------------------------------------------------------

DAYS = [  # (clip, exercise, day of November): sessions a person might have recorded
    ("plank/plank_forearm_side_man_rooftop_a.mp4", "plank", 20),
    ("plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4", "plank", 20),
    ("plank/plank_forearm_side_man_rooftop_b.mp4", "plank", 22),
    ("glute_bridge/glute_bridge_side_woman_darebee.mp4", "glute_bridge", 21),
    ("glute_bridge/glute_bridge_side_man_gym.mp4", "glute_bridge", 23),
]


@pytest.fixture
def days_of_history(db) -> list[dict]:
    """Re-judged committed tracks recorded as if on different days, through analyze's own report."""
    from formcheck.app.analyze import AnalyzeOptions, judge_and_report
    from formcheck.judging.session import make_exercise
    from formcheck.pipeline.track import Track

    reports = []
    for clip, exercise, day in DAYS:
        track = Track.load(track_file(clip))
        _j, report, _w = judge_and_report(Path(clip), track, make_exercise(exercise), AnalyzeOptions(exercise=exercise))
        report["created_at"] = f"2026-11-{day}T12:00:00Z"
        record(report, report_path=None)
        reports.append(report)
    return reports


def test_history_table_filters_and_exports(days_of_history, tmp_path):
    result = formcheck("history")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + len(DAYS) + 1 and "(5 sessions in" in lines[-1]
    plank = formcheck("history", "--exercise", "plank", "--since", "2026-11-21")
    rows = plank.stdout.splitlines()[1:-1]
    assert len(rows) == 1 and "plank_forearm_side_man_rooftop_b.mp4" in rows[0]
    until = formcheck("history", "--until", "2026-11-20", "--json")
    data = json.loads(until.stdout)
    assert [d["source"] for d in data] == [Path(c).name for c, _, day in DAYS if day == 20]
    sagging = next(d for d in data if "BAD" in d["source"])
    assert sagging["headline"] == sagging["good_hold_s"] and sagging["faults"], sagging
    out = tmp_path / "h.csv"
    csv_run = formcheck("history", "--csv", str(out), "-e", "glute_bridge")
    assert csv_run.returncode == 0, csv_run.stderr
    import csv

    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    bridges = [r for r in days_of_history if r["exercise"] == "glute_bridge"]
    assert [float(r["headline"]) for r in rows] == [float(r["good_reps"]) for r in bridges]
    assert {r["headline_unit"] for r in rows} == {"good reps"}
    bad = formcheck("history", "--since", "last week")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "--since 'last week'" in bad.stderr


def red_pixels(png: Path) -> int:
    """Pixels of the target line's colour (#c0392b)."""
    import matplotlib.image

    image = matplotlib.image.imread(png)[:, :, :3]
    target = [0xC0 / 255, 0x39 / 255, 0x2B / 255]
    return int((abs(image - target).max(axis=2) < 0.06).sum())


def test_the_progress_plot_draws_each_exercise_against_the_plans_target(days_of_history, tmp_path):
    from formcheck.history.progress import daily_best, plot_progress
    from formcheck.plan import headline_targets, load_plan

    png = tmp_path / "progress.png"
    result = formcheck("history", "--plot", str(png))
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and red_pixels(png) > 200
    with History.open() as history:
        entries = history.entries()
    best = daily_best(entries)
    plank = dict(best["plank"])
    day20 = [r["good_hold_s"] for r in days_of_history if r["exercise"] == "plank" and r["created_at"][8:10] == "20"]
    assert next(iter(plank.values())) == max(day20)  # the day's best session
    assert [v for _, v in best["glute_bridge"]] == [r["good_reps"] for r in days_of_history[3:]]
    targets = headline_targets(load_plan())
    assert targets["plank"] == 30 and targets["glute_bridge"] == 12  # the article's per-set targets
    plot_progress(tmp_path / "none.png", entries, {})
    assert red_pixels(tmp_path / "none.png") == 0


@pytest.mark.video
def test_live_sessions_are_recorded_with_their_page_and_warning(db, videos, tmp_path):
    """A live session from a file: recorded as live with the file's name and hash, its page beside
    its report; judged as the wrong exercise, it says so; --no-history records nothing."""
    from formcheck.pipeline.models import file_sha256

    clip = videos / "plank/plank_forearm_side_man_rooftop_a.mp4"
    common = ["--source", str(clip), "--headless", "--fast", "--quiet"]
    plank = formcheck("live", "-e", "plank", *common, "--out", str(tmp_path / "a"))
    assert plank.returncode == 0, plank.stderr
    assert (tmp_path / "a" / "report.html").is_file()
    bridge = formcheck("live", "-e", "glute_bridge", *common, "--out", str(tmp_path / "b"))
    assert bridge.returncode == 0, bridge.stderr
    warned = [line for line in bridge.stdout.splitlines() if "never in a glute bridge position" in line]
    assert len(warned) == 1, bridge.stdout
    assert json.loads((tmp_path / "b" / "report.json").read_text())["warnings"] == [warned[0].split("warning: ")[1]]
    none = formcheck("live", "-e", "superman", *common, "--out", str(tmp_path / "c"), "--no-history")
    assert none.returncode == 0, none.stderr
    rows = entries(db)
    assert [(r.kind, r.exercise) for r in rows] == [("live", "plank"), ("live", "glute_bridge")]
    assert rows[0].source == clip.name and rows[0].source_sha256 == file_sha256(clip)
    assert rows[0].report_path == str(tmp_path / "a" / "report.json")


def test_history_command_errors_are_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "a folder"
    folder.mkdir()
    monkeypatch.setenv("FORMCHECK_HISTORY", str(folder))
    result = formcheck("history")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        result.stderr.strip() == f"formcheck: error: {folder}: cannot read the history (unable to open database file)"
    )
    monkeypatch.setenv("FORMCHECK_HISTORY", str(tmp_path / "none.sqlite"))
    empty = formcheck("history")
    assert empty.returncode == 0 and "no sessions recorded" in empty.stdout
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates it
    plan = formcheck("history", "--plot", str(tmp_path / "p.png"), "--plan", str(tmp_path / "missing.toml"))
    assert plan.returncode == 1 and plan.stderr.count("\n") == 1 and not (tmp_path / "p.png").exists()
    typo = formcheck("history", "--exercise", "plnak")
    assert typo.returncode == 1 and typo.stderr.count("\n") == 1 and "--exercise 'plnak': not one of" in typo.stderr
