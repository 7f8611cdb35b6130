"""`formcheck analyze FOLDER --cluster ray|ray://HOST:PORT`: one Ray task per input, one table.

Ray (an optional extra, `formcheck[cluster]`) carries the same per-input function as a local
folder run to the machines of a cluster; everything around it is the local run's: the output
folder names, the skip of inputs whose report is current, the progress bar over the whole archive,
each failure its input's one line, the table and the exit code.

- Where the outputs go: each task first tries to work in place (it sees the driver's input and
  `--out` at the same paths, as on the driver's machine or a shared file system) and otherwise
  is sent again with the input's bytes, its outputs coming back to the driver to write
  (`formcheck.app.cluster_task`). `--cluster-return` sends every input that way.
- Failures: a bad input is its one-line failure, as locally; Ray retries a task only when its
  worker process or machine died (`TASK_RETRIES`), never for bad input.
- Stopping: Ctrl-C or SIGTERM stops handing out inputs and asks the running tasks to save what
  they have seen (`cluster_task._stop_watch`); a third signal cancels them outright.
- Inputs are handed out a few per CPU of the cluster at a time, so a shipped archive is never
  all in memory at once, and a stop leaves the rest "not started".
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from formcheck import interrupts
from formcheck.app.analyze import AnalysisResult, AnalyzeOptions
from formcheck.app.batch import STOP_GRACE_S, _one_line, output_names
from formcheck.app.cluster_task import Job, Shipped, pack_input, run_in_place, run_shipped
from formcheck.app.current import current_results
from formcheck.errors import FormcheckError
from formcheck.files import atomic_write, save_or_rescue
from formcheck.outputs.folder import OutputFolder
from formcheck.progress import progress_bar

INSTALL_HINT = "pip install 'formcheck[cluster]'"
TASK_RETRIES = 3  # for a worker process or machine that died; bad input is never retried
TASKS_PER_CPU = 2  # handed out at a time: every CPU busy, the next input already there


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise FormcheckError(f"--cluster needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def check_address(address: str | None) -> str | None:
    """`ray` (Ray's own choice: $RAY_ADDRESS, a cluster started on this machine with `ray start`,
    else a new local instance) or `ray://HOST:PORT` (an existing cluster's client port)."""
    if address is None:
        raise FormcheckError("--cluster-return goes with --cluster ray|ray://HOST:PORT")
    if address == "ray":
        return None
    if address.startswith("ray://") and len(address) > len("ray://"):
        return address
    raise FormcheckError(f"--cluster {address!r}: expected 'ray' or 'ray://HOST:PORT'")


@contextlib.contextmanager
def connected(address: str | None) -> Any:
    """Ray, connected for the block (left as it was if the caller had already connected)."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    ray_logger = logging.getLogger("ray")
    level = ray_logger.level
    ray_logger.setLevel(logging.ERROR)  # Ray's start-up notes are not the user's concern (README)
    try:
        with warnings.catch_warnings():  # a failure is said once, in our line
            warnings.simplefilter("ignore")
            ray.init(address=address, log_to_driver=False, logging_level=logging.ERROR)
    except Exception as exc:
        where = address or "the local Ray instance"
        raise FormcheckError(f"cannot start or reach {where}: {_one_line(exc)}") from None
    finally:
        ray_logger.setLevel(level)
    try:
        yield ray
    finally:
        ray.shutdown()


def analyze_on_cluster(
    paths: list[Path], opts: AnalyzeOptions, address: str | None, ship: bool = False
) -> list[AnalysisResult]:
    """Every input as its own Ray task; a result for every input, in the order given, whatever
    stopped or failed."""
    import_ray()  # not installed: one line, before anything is done
    outs = [opts.out / name for name in output_names(paths)]
    if interrupts.requested():  # stopped while setting up: nothing started
        return [AnalysisResult(path, out, {}, interrupted=True) for path, out in zip(paths, outs, strict=True)]
    made_out = not opts.out.exists()
    opts.out.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    probe = opts.out.absolute() / f".formcheck-probe-{token}"
    probe.write_text(token)  # a worker that reads it sees the driver's files
    try:
        with interrupts.polled(), progress_bar(len(paths), "videos", unit="video", enabled=opts.progress) as bar:
            skipped = current_results(paths, outs, opts, lambda: bar.update(1))
            stop_name = f"formcheck-stop-{token}"
            jobs = {
                k: Job(
                    path=str(path.absolute()),
                    shown_as=str(path),
                    out_dir=str(out.absolute()),
                    out_shown=str(out),
                    opts=replace(opts, progress=False),
                    stop_name=stop_name,
                    probe=str(probe),
                    token=token,
                )
                for k, (path, out) in enumerate(zip(paths, outs, strict=True))
                if k not in skipped
            }
            outcomes: dict[int, AnalysisResult | str] = {}
            if jobs and not interrupts.requested():  # all current: no cluster needed
                with connected(address) as ray:
                    outcomes = _Scheduler(ray, jobs, ship, stop_name, lambda: bar.update(1)).run()
    finally:
        probe.unlink(missing_ok=True)
        if made_out:
            with contextlib.suppress(OSError):
                opts.out.rmdir()  # only if no input left anything in it
    results = []
    for k, (path, out) in enumerate(zip(paths, outs, strict=True)):
        outcome = skipped.get(k) or outcomes.get(k)
        if isinstance(outcome, AnalysisResult):
            results.append(outcome)
        else:  # never started, or its task failed
            results.append(
                AnalysisResult(path, out, {}, interrupted=outcome is None, error=outcome and f"{path}: {outcome}")
            )
    return results


class _Scheduler:
    """Hands the jobs out a few per CPU at a time and gathers their outcomes: a result, or a
    one-line reason its task failed (without the input's name); none for those not started."""

    def __init__(
        self, ray: Any, jobs: dict[int, Job], ship: bool, stop_name: str, done_one: Callable[[], None]
    ) -> None:
        self.ray, self.jobs, self.stop_name, self.done_one = ray, jobs, stop_name, done_one
        options = {"num_cpus": 1, "max_retries": TASK_RETRIES, "retry_exceptions": False}
        self.in_place = ray.remote(run_in_place).options(**options)
        self.shipped = ray.remote(run_shipped).options(**options)
        self.waiting: deque[tuple[int, bool]] = deque((k, ship) for k in jobs)  # (job, send its bytes)
        self.running: dict[Any, int] = {}  # task -> job
        self.outcomes: dict[int, AnalysisResult | str] = {}
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.window = max(2, TASKS_PER_CPU * cpus)
        self.stop_actor: Any = None

    def run(self) -> dict[int, AnalysisResult | str]:
        deadline: float | None = None
        try:
            while self.waiting or self.running:
                if deadline is None and interrupts.requested():
                    deadline = time.monotonic() + STOP_GRACE_S
                    self._ask_to_stop()
                if deadline is not None and time.monotonic() > deadline:
                    for k in self.running.values():
                        self.outcomes[k] = f"did not save its partial report within {STOP_GRACE_S:.0f} s"
                    self._cancel_running()
                    break
                while deadline is None and self.waiting and len(self.running) < self.window:
                    self._submit(*self.waiting.popleft())
                if self.running:
                    ready, _ = self.ray.wait(list(self.running), num_returns=1, timeout=0.1)
                    for ref in ready:
                        self._gather(ref)
        except KeyboardInterrupt:  # asked a third time: do not wait for the tasks
            self._cancel_running()
            raise
        return self.outcomes

    def _submit(self, k: int, ship: bool) -> None:
        job = self.jobs[k]
        if ship:
            try:
                ref = self.shipped.remote(job, pack_input(Path(job.path)))
            except OSError as exc:
                self.outcomes[k] = f"cannot be read ({exc.strerror or exc})"
                self.done_one()
                return
        else:
            ref = self.in_place.remote(job)
        self.running[ref] = k

    def _gather(self, ref: Any) -> None:
        k = self.running.pop(ref)
        try:
            value = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            self.outcomes[k] = f"its Ray task failed ({_ray_reason(exc)})"
            self.done_one()
            return
        if value is None:  # the worker does not see the driver's files: send them
            self.waiting.appendleft((k, True))
            return
        self.outcomes[k] = value if isinstance(value, AnalysisResult) else write_shipped(value)
        self.done_one()

    def _ask_to_stop(self) -> None:
        """No more inputs handed out; the running tasks see the stop actor and save what they saw."""
        self.waiting.clear()

        class Stop:  # its existence under this name is the request
            pass

        with contextlib.suppress(Exception):  # Ray going down: the tasks end with it anyway
            self.stop_actor = self.ray.remote(num_cpus=0)(Stop).options(name=self.stop_name).remote()
        if self.running:
            print("formcheck: stopping: the clips in progress are saving what was seen", file=sys.stderr, flush=True)

    def _cancel_running(self) -> None:
        for ref in self.running:
            with contextlib.suppress(Exception):
                self.ray.cancel(ref, force=True)


def write_shipped(shipped: Shipped) -> AnalysisResult:
    """Write a shipped task's output files into the input's folder here (report.json last, so a
    report present means its outputs are there too)."""
    result = shipped.result
    if not shipped.files:
        return result
    outputs = dict(result.outputs)
    notes = list(result.notes)
    names = sorted(shipped.files, key=lambda name: name == "report.json")  # the folder's own last
    try:
        with OutputFolder(result.out_dir):
            for name in names:
                target = result.out_dir / name
                saved, note = save_or_rescue(target, lambda p, data=shipped.files[name]: _write_bytes(p, data))
                for key, path in outputs.items():
                    if path == target:
                        outputs[key] = saved
                if note:
                    notes.append(note)
    except FormcheckError as exc:  # another run holds the folder, or it cannot be made
        return replace(result, report={}, outputs={}, error=str(exc))
    return replace(result, outputs=outputs, notes=notes)


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_write(path, "wb") as f:
        f.write(data)


def _ray_reason(exc: BaseException) -> str:
    """Ray's errors carry tracebacks: the cause's one line, or the kind of failure."""
    cause = getattr(exc, "cause", None)
    if not isinstance(cause, BaseException):
        return type(exc).__name__
    if isinstance(cause, ImportError) and "formcheck" in str(cause):
        return f"{_one_line(cause)}; every worker needs {INSTALL_HINT}"
    return _one_line(cause)
