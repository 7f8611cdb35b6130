"""What one Ray task does with one input, on whichever machine of the cluster it lands.

The task runs the same per-input function as a local folder run (`batch.analyze_in_worker`), in one
of two ways:

- in place: the worker sees the driver's files at the same paths (a shared file system, or the
  driver's own machine). It proves it by reading a probe file the driver wrote into `--out`, then
  reads the input and writes the outputs where a local run would.
- shipped: it does not (or `--cluster-return` asked so). The driver sends the input's bytes; the
  task analyses a copy in a temporary folder and returns the output files' bytes for the driver
  to write. Paths in the result are given back as the driver named them.

A stop is decided by the driver alone: it creates a named actor, which every task looks for
between frames (a daemon thread asks Ray once a second); a task that finds it saves what it has
seen, as a local worker does.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from formcheck import interrupts
from formcheck.app.analyze import AnalysisResult, AnalyzeOptions
from formcheck.app.batch import analyze_in_worker
from formcheck.outputs.folder import LOCK_NAME

STOP_POLL_S = 1.0


@dataclass(frozen=True)
class Job:
    """One input as the driver names it (absolute paths), and how the task learns of a stop."""

    path: str  # absolute, on the driver
    shown_as: str  # the input as the user named it (report.json's source, the error lines)
    out_dir: str  # absolute, on the driver
    out_shown: str  # the folder as the run names it (under --out as the user typed it)
    opts: AnalyzeOptions
    stop_name: str  # the named actor whose existence asks for a stop
    probe: str  # a file in --out the driver wrote `token` into
    token: str


@dataclass
class Shipped:
    """A shipped task's answer: the result and its output files (path in its folder -> bytes;
    `--exercise auto` writes a folder per set)."""

    result: AnalysisResult
    files: dict[str, bytes]


def run_in_place(job: Job) -> AnalysisResult | None:
    """Analyse where a local run would; None if this worker cannot see the driver's files."""
    if not _sees_driver_files(job):
        return None
    with _stop_watch(job.stop_name):
        result = analyze_in_worker(job.path, job.out_dir, job.opts, shown_as=job.shown_as)
    return as_named(result, job, job.path, job.out_dir)


def run_shipped(job: Job, files: dict[str, bytes]) -> Shipped:
    """Analyse a copy of the input (`files`: one file, or a folder's images) in a temporary folder
    and return the outputs' bytes."""
    with _stop_watch(job.stop_name), tempfile.TemporaryDirectory(prefix="formcheck-task-") as tmp:
        source = Path(tmp) / "in" / Path(job.path).name
        folder_input = len(files) != 1 or next(iter(files)) != ""
        for name, data in files.items():  # "" is the file itself; other names are a folder's images
            target = source / name if folder_input else source
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        out = Path(tmp) / "out" / Path(job.out_dir).name
        result = analyze_in_worker(str(source), str(out), job.opts, shown_as=job.shown_as)
        written = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if _is_output(p)}
        return Shipped(as_named(result, job, str(source), str(out)), written)


def pack_input(path: Path) -> dict[str, bytes]:
    """An input's bytes for `run_shipped`: {"": the file}, or a folder's files by name."""
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}
    return {"": path.read_bytes()}


def as_named(result: AnalysisResult, job: Job, worker_input: str, worker_out: str) -> AnalysisResult:
    """The result with the input and its folder named as on the driver (and as the user typed
    the input), in its lines too; outputs the task wrote in its folder are mapped there. (Only
    report.json's `source` of an `--exercise auto` run still names the worker's copy.)"""

    def named(text: str) -> str:
        return text.replace(worker_out, job.out_shown).replace(worker_input, job.shown_as)

    out = Path(job.out_shown)
    outputs = {
        key: out / path.relative_to(worker_out) if path.is_relative_to(worker_out) else path
        for key, path in result.outputs.items()
    }
    error = named(result.error) if result.error else result.error
    notes = [named(note) for note in result.notes]
    return replace(result, input=Path(job.shown_as), out_dir=out, outputs=outputs, error=error, notes=notes)


def _is_output(path: Path) -> bool:
    return path.is_file() and path.name != LOCK_NAME and not path.name.endswith(".part")


def _sees_driver_files(job: Job) -> bool:
    try:
        return Path(job.probe).read_text() == job.token and Path(job.path).exists()
    except OSError:
        return False


@contextlib.contextmanager
def _stop_watch(stop_name: str) -> Iterator[None]:
    """Within the block, `interrupts.requested()` is true once the driver has asked for a stop."""
    import ray

    def asked() -> bool:
        try:
            ray.get_actor(stop_name)
        except ValueError:  # no such actor: no stop yet
            return False
        return True

    stop, done = threading.Event(), threading.Event()

    def poll() -> None:
        while not done.wait(STOP_POLL_S):
            with contextlib.suppress(Exception):  # Ray busy or going down: ask again next time
                if asked():
                    stop.set()
                    return

    if asked():  # a task taken up after the stop is left unstarted
        stop.set()
    watcher = threading.Thread(target=poll, name="formcheck-stop-watch", daemon=True)
    watcher.start()
    try:
        with interrupts.watching(stop):
            yield
    finally:
        done.set()
