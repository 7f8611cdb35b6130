"""Where outputs go: a path that cannot be written is one line before any work, and a result that
cannot be saved once the work is done is saved elsewhere, with one line saying where."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import formcheck, one_line_error

from formcheck import files

CLIP = "plank/plank_forearm_side_man_rooftop_a.mp4"


@pytest.fixture
def track_file(track_of, tmp_path) -> Path:
    path = tmp_path / "clip.npz"
    track_of(CLIP).save(path)
    return path


def test_analyze_out_that_is_a_file_is_one_line(tmp_path, track_file):
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder")
    line = one_line_error(formcheck("analyze", str(track_file), "-e", "plank", "--out", str(taken)))
    assert f"--out {taken}: exists and is not a folder" in line
    line = one_line_error(formcheck("analyze", str(track_file), "-e", "plank", "--out", str(taken / "sub")))
    assert f"{taken} is not a folder" in line


# Root writes in read-only folders (CAP_DAC_OVERRIDE): as root, the command runs without it.
AS_A_USER = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]


def test_analyze_out_in_a_read_only_folder_is_one_line_before_any_work(tmp_path, videos):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        command = [sys.executable, "-m", "formcheck.app.cli"]
        try:
            (locked / "probe").touch()
            (locked / "probe").unlink()
            if shutil.which("setpriv") is None:
                pytest.fail("running as root without setpriv (util-linux): cannot test a read-only folder")
            command = AS_A_USER + command
        except PermissionError:
            pass
        started = time.monotonic()
        args = ["analyze", str(videos / CLIP), "-e", "plank", "--out", str(locked / "out"), "--no-cache"]
        result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=900)
        assert f"cannot write in {locked} (Permission denied)" in one_line_error(result)
        assert time.monotonic() - started < 10  # refused before the model ran
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_live_out_that_is_a_file_is_one_line_before_the_session(tmp_path, videos):
    taken = tmp_path / "report.json"
    taken.write_text("{}")
    result = formcheck(
        "live", "-e", "plank", "--source", str(videos / CLIP), "--headless", "--fast", "--quiet", "--out", str(taken)
    )
    assert f"--out {taken}: exists and is not a folder" in one_line_error(result)
    assert "formcheck live:" not in result.stdout  # the session never started
    assert taken.read_text() == "{}"


def test_evaluate_json_that_is_a_folder_is_one_line_before_any_clip(tmp_path, videos):
    labels = tmp_path / "labels.csv"
    header = "file,exercise,variant,view,judgeable,reps,hold_s,good_hold_s,faults,fault_spans,position_spans,notes"
    labels.write_text(f"{header}\n{videos / CLIP},plank,forearm,side,yes,,2.6,2.6,,,0.0-2.57,\n")
    result = formcheck("evaluate", str(labels), "--json", str(tmp_path), "--no-extract")
    assert f"--json {tmp_path}: is a folder; give a file name" in one_line_error(result)
    assert result.stdout == ""  # no clip was scored


def test_extract_output_that_is_a_folder_is_one_line_before_extracting(tmp_path, videos):
    result = formcheck("extract", str(videos / CLIP), "-o", str(tmp_path), "--model", "lite")
    assert f"-o {tmp_path}: is a folder; give a file name" in one_line_error(result)
    assert list(tmp_path.iterdir()) == []  # nothing extracted, no temporary left


@pytest.fixture
def full_disk_in(monkeypatch, tmp_path):
    """Make writing fail (as on a full disk) in the folders given, once the work has begun;
    rescued results go under tmp_path/data."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "data"))
    full: set[Path] = set()
    beside = files.temp_path_beside

    def temp_path_beside(path: Path, suffix: str = ".part") -> Path:
        if Path(path).parent.resolve() in full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return beside(path, suffix)

    monkeypatch.setattr(files, "temp_path_beside", temp_path_beside)
    return lambda folder: full.add(Path(folder).resolve())


def rescued(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "data" / "formcheck" / "unsaved").rglob("*.*"))


def test_analyze_results_that_cannot_be_saved_are_saved_elsewhere(tmp_path, track_file, full_disk_in, capsys):
    from formcheck.app.cli import main

    out = tmp_path / "out"
    full_disk_in(out / "clip")
    code = main(["analyze", str(track_file), "-e", "plank", "--out", str(out)])
    lines = capsys.readouterr().err.splitlines()
    assert code == 1 and len(lines) == 1, lines
    saved = rescued(tmp_path)
    assert [p.name for p in saved] == ["frames.csv", "report.html", "report.json", "timeline.png"]
    where = saved[0].parent
    assert (
        lines[0]
        == f"formcheck: error: cannot write in {out / 'clip'} (No space left on device); saved in {where} instead"
    )
    assert json.loads(saved[2].read_text())["source"] == track_file.name


def test_an_extracted_track_that_cannot_be_saved_is_saved_elsewhere(tmp_path, videos, full_disk_in, capsys):
    from formcheck.app.cli import main
    from formcheck.pipeline.track import Track

    target = tmp_path / "tracks" / "clip.npz"
    target.parent.mkdir()
    full_disk_in(target.parent)
    code = main(["extract", str(videos / CLIP), "-o", str(target), "--model", "lite"])
    err = capsys.readouterr().err.strip()
    (saved,) = rescued(tmp_path)
    assert (
        code == 1
        and err == f"formcheck: error: cannot write {target} (No space left on device); saved to {saved} instead"
    )
    assert len(Track.load(saved)) > 70


def test_a_live_report_that_cannot_be_saved_is_saved_elsewhere(tmp_path, videos, full_disk_in, capsys):
    from formcheck.app.cli import main

    out = tmp_path / "session"
    out.mkdir()
    full_disk_in(out)
    args = ["--source", str(videos / CLIP), "--headless", "--fast", "--quiet", "--out", str(out)]
    code = main(["live", "-e", "plank", *args])
    err = capsys.readouterr().err.strip()
    page, saved = rescued(tmp_path)  # report.json, and its report.html beside it
    assert page.name == "report.html" and saved.name == "report.json"
    assert code == 1 and err.endswith(f"saved to {saved} instead"), err
    assert json.loads(saved.read_text())["mode"] == "live"
