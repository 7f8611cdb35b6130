"""`formcheck analyze` on many inputs: folders expanded, one worker process per input, one table.

- Every input gets its own output folder, even when names clash (`output_names`).
- Whatever happens to one input (bad file, a bug, its worker dying) is that input's one-line
  failure; the others and the table still come.
- Stopping is decided here alone. Ctrl-C or SIGTERM reaches this process (workers ignore the
  terminal's Ctrl-C and are started with the stop signals held back until they have set up), which
  cancels the inputs not started yet and sets an event every worker watches. A worker then stops
  between two frames and saves its partial report and video exactly as a single-file run does; an
  input it picks up afterwards is left unstarted. So each worker gets exactly one stop, whatever
  the terminal sent, and the run ends as soon as the reports are saved.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from formcheck import interrupts
from formcheck.app.analyze import TRACK_SUFFIX, VIDEO_SUFFIXES, AnalysisResult, AnalyzeOptions
from formcheck.app.auto import analyze_input
from formcheck.app.current import current_results
from formcheck.errors import FormcheckError
from formcheck.pipeline.sources import IMAGE_SUFFIXES
from formcheck.progress import progress_bar

STOP_GRACE_S = 60.0  # for the running workers to save their partial reports once asked to stop


def expand_inputs(paths: list[str]) -> list[Path]:
    """Videos and tracks named directly, or found (not recursively) in the folders named."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            items = sorted(p for p in path.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES | {TRACK_SUFFIX})
            if not items:
                if any(p.suffix.lower() in IMAGE_SUFFIXES for p in path.iterdir()):
                    items = [path]  # a folder of images is one "video"
                else:
                    raise FormcheckError(f"{path}: no videos or tracks in this folder")
            found.extend(items)
        else:
            found.append(path)
    return found


def output_names(paths: list[Path]) -> list[str]:
    """One output folder name per input, unique in the run (ignoring case, as macOS and Windows
    do) and readable: the file's stem; where stems clash, its folder before it (a-clip, b-clip),
    then its suffix after it (clip-mp4, clip-npz); an input given twice gets clip-2."""

    def stem(p: Path) -> str:
        return p.stem if p.suffix else p.name

    names = [stem(p) for p in paths]
    _refine(names, paths, lambda p: p.absolute().parent.name, lambda name, label: f"{label}-{name}")
    _refine(names, paths, lambda p: p.suffix[1:], lambda name, label: f"{name}-{label}")
    taken: set[str] = set()
    for i, name in enumerate(names):
        candidate, k = name, 2
        while candidate.casefold() in taken:
            candidate, k = f"{name}-{k}", k + 1
        names[i] = candidate
        taken.add(candidate.casefold())
    return names


def _refine(
    names: list[str], paths: list[Path], label: Callable[[Path], str], combine: Callable[[str, str], str]
) -> None:
    """Within each group of clashing names, add the label if it tells them apart."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        groups[name.casefold()].append(i)
    for members in groups.values():
        labels = [label(paths[i]) for i in members]
        if len(members) > 1 and len({x.casefold() for x in labels}) > 1:
            for i, x in zip(members, labels, strict=True):
                names[i] = combine(names[i], x) if x else names[i]


def analyze_in_worker(path: str, out_dir: str, opts: AnalyzeOptions, shown_as: str | None = None) -> AnalysisResult:
    """One input of many, in a worker process (or a cluster's task); never raises, so one input
    cannot take the batch down."""
    source, out = Path(path), Path(out_dir)
    if interrupts.requested():  # picked up after the stop: left unstarted
        return AnalysisResult(source, out, {}, interrupted=True)
    try:
        return analyze_input(source, opts, out, shown_as)
    except KeyboardInterrupt:  # stopped before its first frame
        return AnalysisResult(source, out, {}, interrupted=True)
    except FormcheckError as exc:
        return AnalysisResult(source, out, {}, error=str(exc))
    except Exception as exc:  # a bug, but this input's alone: one line, and the batch goes on
        return AnalysisResult(source, out, {}, error=f"{source}: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def analyze_many(paths: list[Path], opts: AnalyzeOptions, jobs: int | None = None) -> list[AnalysisResult]:
    """Every input in its own worker process, as many at once as there are cores (or `jobs`);
    a result for every input, in the order given, whatever stopped or failed."""
    jobs = max(1, min(len(paths), jobs or os.cpu_count() or 1))
    outs = [opts.out / name for name in output_names(paths)]
    if interrupts.requested():  # stopped while setting up: nothing started
        return [AnalysisResult(path, out, {}, interrupted=True) for path, out in zip(paths, outs, strict=True)]
    worker_opts = replace(opts, progress=False)
    context = get_context("spawn")
    stop = context.Event()
    made_out = not opts.out.exists()
    opts.out.mkdir(parents=True, exist_ok=True)  # here, so no worker removes it as another starts in it
    with interrupts.polled(), progress_bar(len(paths), "videos", unit="video", enabled=opts.progress) as bar:
        skipped = current_results(paths, outs, opts, lambda: bar.update(1))
        pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=interrupts.init_worker, initargs=(stop,))
        try:
            with interrupts.blocked():  # workers start with the stop signals held back (see init_worker)
                futures = {
                    pool.submit(analyze_in_worker, str(path), str(out), worker_opts): k
                    for k, (path, out) in enumerate(zip(paths, outs, strict=True))
                    if k not in skipped
                }
            outcomes: dict[int, AnalysisResult | str] = {**skipped, **_collect(futures, stop, lambda: bar.update(1))}
            if any(isinstance(o, str) for o in outcomes.values()):
                _kill_workers(pool)  # some did not finish in time
        except KeyboardInterrupt:  # asked a third time: quit without waiting for the workers
            _kill_workers(pool)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if made_out:
                with contextlib.suppress(OSError):
                    opts.out.rmdir()  # only if no input left anything in it
    results = []
    for k, (path, out) in enumerate(zip(paths, outs, strict=True)):
        outcome = outcomes.get(k)
        if isinstance(outcome, AnalysisResult):
            results.append(outcome)
        else:  # never started, or its worker failed
            results.append(
                AnalysisResult(path, out, {}, interrupted=outcome is None, error=outcome and f"{path}: {outcome}")
            )
    return results


def _collect(
    futures: dict[Future[AnalysisResult], int], stop: Any, done_one: Callable[[], None]
) -> dict[int, AnalysisResult | str]:
    """Wait for the results (or one-line failures), noticing a stop request between waits."""
    outcomes: dict[int, AnalysisResult | str] = {}
    pending = set(futures)
    deadline: float | None = None
    while pending:
        if deadline is None and interrupts.requested():
            stop.set()
            for future in pending:
                future.cancel()  # only those no worker has taken yet: they stay "not started"
            deadline = time.monotonic() + STOP_GRACE_S
            print("formcheck: stopping: the clips in progress are saving what was seen", file=sys.stderr, flush=True)
        if deadline is not None and time.monotonic() > deadline:
            for future in pending:
                outcomes[futures[future]] = f"did not save its partial report within {STOP_GRACE_S:.0f} s"
            break
        done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
        for future in done:
            if future.cancelled():
                continue
            error = future.exception()
            outcomes[futures[future]] = (
                future.result() if error is None else f"its worker process failed ({_one_line(error)})"
            )
            done_one()
    return outcomes


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the workers at once (ProcessPoolExecutor has no public way to before Python 3.14)."""
    for process in (getattr(pool, "_processes", None) or {}).values():
        process.kill()
