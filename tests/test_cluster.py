"""`formcheck analyze FOLDER --cluster ray`: a local Ray instance with two worker processes gives
the same outputs as a local folder run, each failure is its input's line, a re-run skips what is
current, and a stop saves the clips in progress.

One Ray instance serves the module (it takes a few seconds to start); the clips are short,
downscaled copies of real ones, analysed without the track cache, so the pose model itself runs
on the workers."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import ray
from cli_helpers import formcheck, one_line_error

from formcheck import interrupts
from formcheck.app.analyze import AnalyzeOptions
from formcheck.app.batch import analyze_many, expand_inputs
from formcheck.app.cluster import analyze_on_cluster
from formcheck.app.cluster_task import Job, run_in_place
from formcheck.app.current import current_result
from formcheck.app.outcomes import report_outcomes, result_lines
from formcheck.errors import EXIT_INTERRUPTED
from formcheck.judging.session import make_exercise

CLIPS = {  # name: (clip, start s): 3 s each; the last one holds a fault (hips piked from 4.6 s)
    "rooftop": ("plank/plank_forearm_side_man_rooftop_b.mp4", 0.0),
    "darkstudio": ("plank/plank_forearm_side_man_darkstudio.mp4", 0.0),
    "piked": ("plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4", 4.5),
}
OUTPUTS = ("report.json", "frames.csv", "timeline.png", "annotated.mp4")


def cut(video: Path, start: float, seconds: float, dest: Path) -> Path:
    """A trimmed, 480-pixel-wide copy (so the model runs quickly on the workers)."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-ss", str(start), "-i", str(video)]
    command += ["-t", str(seconds), "-vf", "scale=480:-2", "-an", "-c:v", "libx264", "-preset", "veryfast", str(dest)]
    subprocess.run(command, check=True, timeout=120)
    return dest


@pytest.fixture(scope="module")
def archive(videos, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    for name, (clip, start) in CLIPS.items():
        cut(videos / clip, start, 3.0, folder / f"{name}.mp4")
    (folder / "broken.mp4").write_bytes(os.urandom(20_000))  # not a video at all
    return folder


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A Ray instance on this machine, two worker processes, no dashboard; the workers keep
    their tracks in a cache of their own (they inherit the environment at start) and crash on
    inputs named crash* once (tests/cluster_hooks.py)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FORMCHECK_CACHE", str(tmp_path_factory.mktemp("worker-cache")))
        env.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
        hook = {"worker_process_setup_hook": "cluster_hooks.crash_once_on_crash_inputs"}
        quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        ray.init("local", num_cpus=2, runtime_env=hook, **quiet)  # "local": never a cluster found running
    yield ray
    ray.shutdown()


def options(out: Path) -> AnalyzeOptions:
    return AnalyzeOptions(exercise="plank", out=out, progress=False, use_cache=False, skip_current=True)


@pytest.fixture(scope="module")
def local_run(archive, tmp_path_factory):
    """The archive analysed by the local folder run: what the cluster's outputs must equal."""
    out = tmp_path_factory.mktemp("local") / "out"
    return analyze_many(expand_inputs([str(archive)]), options(out), jobs=2)


def by_name(results):
    return {r.input.stem: r for r in results}


def assert_same_outputs(results, local_results, out: Path):
    """Every clip done, with the same report.json (figures, faults, settings, hashes), the same
    frames.csv and an annotated video of as many frames; the corrupt file failed with the same line."""
    ours, theirs = by_name(results), by_name(local_results)
    assert set(ours) == {*CLIPS, "broken"}
    for name in CLIPS:
        assert ours[name].state == "done", ours[name]
        for file in OUTPUTS:
            assert (out / name / file).is_file()
        report = json.loads((out / name / "report.json").read_text())
        local = json.loads((theirs[name].out_dir / "report.json").read_text())
        assert report.pop("created_at") and local.pop("created_at")  # when it was made is all that differs
        assert report == local
        frames = (out / name / "frames.csv").read_text()
        assert frames == (theirs[name].out_dir / "frames.csv").read_text()
        assert report["annotated_frames"] == frames.count("\n") - 1 > 60
    assert any(ours["piked"].report["fault_time_s"].values())  # the comparison covers a fault
    broken = ours["broken"]
    assert broken.state == "failed" and broken.error == theirs["broken"].error
    assert result_lines(broken)[1] == [f"formcheck: error: {broken.input}: not a video OpenCV can read"]
    assert sorted(p.name for p in out.iterdir()) == sorted(CLIPS)  # nothing left for the broken one


def test_a_ray_run_equals_the_local_run_and_a_rerun_skips_what_is_current(archive, local_run, local_ray, tmp_path):
    out = tmp_path / "out"
    inputs = expand_inputs([str(archive)])
    results = analyze_on_cluster(inputs, options(out), address=None)
    assert_same_outputs(results, local_run, out)

    written = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = by_name(analyze_on_cluster(inputs, options(out), address=None))
    assert {name: again[name].state for name in CLIPS} == dict.fromkeys(CLIPS, "skipped")
    assert again["broken"].state == "failed"  # no report: tried again, failed again, alone
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == written
    assert again["piked"].report == results[inputs.index(archive / "piked.mp4")].report

    local_again = by_name(analyze_many(inputs, options(local_run[0].out_dir.parent), jobs=2))
    assert {name: local_again[name].state for name in CLIPS} == dict.fromkeys(CLIPS, "skipped")


def test_shipped_inputs_come_back_as_the_same_outputs(archive, local_run, local_ray, tmp_path):
    """--cluster-return: the workers get the bytes, the driver writes what they return (the
    workers may use the tracks they cached in the test before: the copies have the same content)."""
    out = tmp_path / "out"
    opts = replace(options(out), use_cache=True)
    results = analyze_on_cluster(expand_inputs([str(archive)]), opts, address=None, ship=True)
    assert_same_outputs(results, local_run, out)
    for result in (r for r in results if r.input.stem in CLIPS):
        assert result.outputs["report"] == out / result.input.stem / "report.json"
        assert json.loads(result.outputs["report"].read_text())["source"] == result.input.name  # not the copy's


def test_a_worker_that_dies_is_retried_and_bad_input_is_not(archive, local_ray, tmp_path):
    """Ray retries a task whose worker process died; a file that is not a video is its task's
    answer (a failure in one line), not an error for Ray to retry."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "crash.mp4").symlink_to(archive / "rooftop.mp4")
    (folder / "broken.mp4").symlink_to(archive / "broken.mp4")
    out = tmp_path / "out"
    results = by_name(analyze_on_cluster(expand_inputs([str(folder)]), options(out), address=None))
    assert (out / ".crashed-crash").is_file()  # the first worker died there
    assert results["crash"].state == "done" and (out / "crash" / "report.json").is_file()
    assert results["broken"].state == "failed" and "not a video" in results["broken"].error


def test_a_worker_that_cannot_see_the_drivers_files_asks_for_them(archive, tmp_path):
    """The probe decides: a worker that does not read the driver's token (another machine, no
    shared file system) returns None, and the driver sends the input instead."""
    probe = tmp_path / "probe"
    probe.write_text("elsewhere")
    clip = archive / "rooftop.mp4"
    job = Job(str(clip), str(clip), str(tmp_path / "o"), str(tmp_path / "o"), options(tmp_path), "s", str(probe), "t")
    assert run_in_place(job) is None
    assert not (tmp_path / "o").exists()


def test_a_report_is_current_only_for_the_same_content_settings_and_outputs(local_run, archive, tmp_path):
    rooftop = by_name(local_run)["rooftop"]
    clip, folder = archive / "rooftop.mp4", rooftop.out_dir
    opts = options(folder.parent)
    standard = make_exercise("plank")
    assert current_result(clip, folder, opts, standard) is not None
    assert current_result(clip, folder, opts, make_exercise("plank", strictness="strict")) is None
    assert current_result(clip, folder, replace(opts, model="lite"), standard) is None
    changed = tmp_path / "rooftop.mp4"
    changed.write_bytes(clip.read_bytes() + b"\0")  # same name, other content
    assert current_result(changed, folder, opts, standard) is None


def test_a_stop_saves_the_clips_in_progress_and_leaves_the_rest_not_started(videos, local_ray, tmp_path):
    """As Ctrl-C does: asked once the first clip is being drawn, the running tasks save their
    partial reports, the inputs not handed out are not started, and the exit code says so."""
    folder = tmp_path / "long"
    folder.mkdir()
    for k in range(4):
        (folder / f"clip{k}.mp4").symlink_to(videos / CLIPS["piked"][0])  # 17 s each
    out = tmp_path / "out"

    def drawing() -> bool:  # frames read, judged and drawn: the annotated video is being written
        return any(p.stat().st_size > 0 for p in out.glob("*/*.part.mp4"))

    def ask_to_stop_once_started() -> None:
        deadline = time.monotonic() + 120
        while not drawing() and time.monotonic() < deadline:
            time.sleep(0.05)
        interrupts.request()

    asker = threading.Thread(target=ask_to_stop_once_started, daemon=True)
    with interrupts.handled():
        asker.start()
        results = analyze_on_cluster(expand_inputs([str(folder)]), options(out), address=None)
        asker.join()
    states = [r.state for r in results]
    assert "partial" in states and "not started" in states and "done" not in states, states
    for result in results:
        if result.state == "partial":
            report = json.loads(result.outputs["report"].read_text())
            assert report["partial"] and 0 < report["duration_s"] < 17
    assert report_outcomes(results) == EXIT_INTERRUPTED


def test_without_ray_the_cluster_option_says_how_to_install_it(archive, tmp_path):
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['ray'] = None  # as if not installed\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hide), os.environ.get("PYTHONPATH", "")])}
    out = str(tmp_path / "o")
    result = formcheck("analyze", str(archive), "-e", "plank", "--out", out, "--cluster", "ray", env=env)
    assert one_line_error(result) == (
        "formcheck: error: --cluster needs Ray, which is not installed: pip install 'formcheck[cluster]'"
    )
    assert not (tmp_path / "o").exists()
    bad = formcheck("analyze", str(archive), "-e", "plank", "--cluster", "spark://x")
    assert one_line_error(bad) == "formcheck: error: --cluster 'spark://x': expected 'ray' or 'ray://HOST:PORT'"


def test_the_command_skips_a_cluster_run_that_is_all_current(archive, local_run):
    """The command line's path: nothing to do, so no cluster is even started; the table says skipped."""
    out = local_run[0].out_dir.parent
    clips = [str(archive / f"{name}.mp4") for name in CLIPS]
    result = formcheck("analyze", *clips, "-e", "plank", "--out", str(out), "--no-cache", "--cluster", "ray")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == len(CLIPS) and all(" skipped " in row for row in rows), result.stdout
