"""`formcheck analyze` on many inputs: every input its own folder, every failure its own line,
and nothing left behind for inputs that gave nothing."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import formcheck, one_line_error

REPO = Path(__file__).resolve().parents[1]
ROOFTOP_A = "plank/plank_forearm_side_man_rooftop_a.mp4"
ROOFTOP_B = "plank/plank_forearm_side_man_rooftop_b.mp4"


@pytest.fixture
def tracks(track_of, tmp_path):
    """Write the track of a real clip to a path; returns the writer."""

    def write(relpath: str, clip: str = ROOFTOP_A) -> Path:
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        track_of(clip).save(path)
        return path

    return write


def reports_by_folder(out: Path) -> dict[str, str]:
    """Each folder's input, as report.json records it with --full-source-path."""
    return {
        d.name: json.loads((d / "report.json").read_text())["source_path"] for d in sorted(out.iterdir()) if d.is_dir()
    }


def test_output_names_are_unique_stable_and_readable():
    from formcheck.app.batch import output_names

    paths = [Path(p) for p in ("a/clip.mp4", "b/clip.mp4", "c/clip.mp4", "c/clip.npz", "a/clip.mp4", "d/other.mp4")]
    names = output_names(paths)
    assert names == ["a-clip", "b-clip", "c-clip-mp4", "c-clip-npz", "a-clip-2", "other"]
    assert output_names(paths) == names  # the same inputs give the same folders every time
    # names that only differ in case clash on macOS and Windows; a made-up name may be taken already
    assert output_names([Path("x/Clip.mp4"), Path("y/clip.mp4"), Path("x-clip.mp4")]) == [
        "x-Clip",
        "y-clip",
        "x-clip-2",
    ]


def test_same_named_inputs_each_get_their_own_folder(videos, tmp_path, tracks):
    """a/clip and b/clip, a video with its own track beside it, and one input given twice."""
    a, b = tracks("a/clip.npz"), tracks("b/clip.npz", ROOFTOP_B)
    c_npz = tracks("c/clip.npz", ROOFTOP_B)
    c_mp4 = tmp_path / "c" / "clip.mp4"
    c_mp4.symlink_to(videos / ROOFTOP_A)
    out = tmp_path / "out"
    inputs = [a, b, c_mp4, c_npz, a]
    args = ("-e", "plank", "--out", str(out), "--no-video", "--jobs", "2", "--full-source-path")
    result = formcheck("analyze", *map(str, inputs), *args)
    assert result.returncode == 0, result.stderr
    assert reports_by_folder(out) == {
        "a-clip": str(a),
        "a-clip-2": str(a),
        "b-clip": str(b),
        "c-clip-mp4": str(c_mp4),
        "c-clip-npz": str(c_npz),
    }
    rows = [line for line in result.stdout.splitlines()[1:] if line.strip()]
    assert len(rows) == 5 and all(" done " in row for row in rows), result.stdout


def test_a_folder_another_run_is_writing_is_refused_in_one_line(tmp_path, tracks):
    track = tracks("clip.npz")
    folder = tmp_path / "out" / "clip"
    folder.mkdir(parents=True)
    with open(folder / ".formcheck.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242")
        held.flush()
        result = formcheck("analyze", str(track), "-e", "plank", "--out", str(tmp_path / "out"))
    line = one_line_error(result)
    assert "another formcheck run (pid 4242) is writing" in line and str(folder) in line
    assert not (folder / "report.json").exists()


def _analyze(track: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "formcheck.app.cli",
            "analyze",
            str(track),
            "-e",
            "plank",
            "--out",
            str(out),
            "--full-source-path",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_runs_sharing_out_both_succeed_or_one_says_why(tmp_path, tracks, track_of):
    """Same --out at the same time: different names both succeed; the same name either both
    succeed in turn or one is refused in one line, and the folder is never a mix of the two."""
    a, b = tracks("a/clip.npz"), tracks("b/clip.npz", ROOFTOP_B)
    other = tracks("b/other.npz", ROOFTOP_B)
    frames = {str(a): len(track_of(ROOFTOP_A)), str(b): len(track_of(ROOFTOP_B))}
    for round_ in range(2):
        out = tmp_path / f"out{round_}"
        runs = {str(a): _analyze(a, out), str(b): _analyze(b, out), str(other): _analyze(other, out)}
        finished = {source: (proc.wait(timeout=300), proc.stderr.read()) for source, proc in runs.items()}
        assert finished[str(other)][0] == 0, finished[str(other)][1]
        succeeded = [source for source in (str(a), str(b)) if finished[source][0] == 0]
        assert succeeded, finished
        for source in {str(a), str(b)} - set(succeeded):
            code, err = finished[source]
            assert code == 1 and err.count("\n") == 1 and "another formcheck run" in err, err
        folder = out / "clip"
        source = json.loads((folder / "report.json").read_text())["source_path"]
        assert source in succeeded
        rows = (folder / "frames.csv").read_text().count("\n") - 1
        assert rows == frames[source]  # frames.csv comes from the same run as report.json
        assert not (folder / ".formcheck.lock").exists()


def test_an_unexpected_error_in_one_input_is_its_one_line_failure(tmp_path, tracks):
    """A bug hit by one input (injected here into every process, workers included) fails that
    input alone, in one line naming the exception; the others and the table still come."""
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(
        "import formcheck.app.analyze as analyze\n"
        "_build = analyze.build_report\n"
        "def build_report(judge, source, *args, **kwargs):\n"
        "    if 'boom' in source:\n"
        "        raise ZeroDivisionError('injected for the test')\n"
        "    return _build(judge, source, *args, **kwargs)\n"
        "analyze.build_report = build_report\n"
    )
    good, bad = tracks("in/good.npz"), tracks("in/boom.npz")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(inject), str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "out"
    result = formcheck("analyze", str(tmp_path / "in"), "-e", "plank", "--out", str(out), env=env)
    assert one_line_error(result) == f"formcheck: error: {bad}: ZeroDivisionError: injected for the test"
    assert json.loads((out / "good" / "report.json").read_text())["source"] == good.name
    assert not (out / "boom").exists()
    table = result.stdout.splitlines()
    assert any("good.npz" in row and " done " in row for row in table), result.stdout
    assert any("boom.npz" in row and " failed " in row for row in table), result.stdout


def test_inputs_that_give_nothing_leave_no_empty_folders(tmp_path, tracks):
    folder = tmp_path / "in"
    tracks("in/good.npz")
    (folder / "fake.mp4").write_text("not a video")
    (folder / "empty.mp4").write_bytes(b"")
    out = tmp_path / "out"
    result = formcheck("analyze", str(folder), "-e", "plank", "--out", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["good"]
    with (out / "summary.csv").open(encoding="utf-8") as f:
        summary = {row["video"]: row for row in csv.DictReader(f)}
    assert {name: row["state"] for name, row in summary.items()} == {
        "empty.mp4": "failed",
        "fake.mp4": "failed",
        "good.npz": "done",
    }
    good = json.loads((out / "good" / "report.json").read_text())
    assert int(summary["good.npz"]["reps"]) == good["reps"] and float(summary["good.npz"]["hold_s"]) == good["hold_s"]
    assert "not a video" in summary["fake.mp4"]["error"]
    single = formcheck("analyze", str(folder / "fake.mp4"), "-e", "plank", "--out", str(tmp_path / "out2"))
    assert "not a video" in one_line_error(single)
    assert not (tmp_path / "out2").exists()  # nor the --out folder made for it


def test_a_file_name_that_is_not_utf8_is_analysed(tmp_path, tracks):
    """Undecodable bytes in a name (an old Latin-1 disk, say) are shown as escapes in report.json."""
    try:
        name = os.fsdecode(b"clip\xe9.npz")
        track = tracks(f"in/{name}")
    except (OSError, UnicodeError):
        pytest.skip("this file system only takes UTF-8 names")
    tracks("in/other.npz")
    out = tmp_path / "out"
    result = formcheck("analyze", str(tmp_path / "in"), "-e", "plank", "--out", str(out), errors="surrogateescape")
    assert result.returncode == 0, result.stderr
    assert name in result.stdout  # the table shows the name as the terminal will
    report = json.loads((out / track.stem / "report.json").read_text(encoding="utf-8"))
    assert report["source"] == "clip\\xe9.npz"
