"""`formcheck analyze` on many inputs: folders expanded, one process per input, one table."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from formcheck.app.analyze import TRACK_SUFFIX, VIDEO_SUFFIXES, AnalysisResult, AnalyzeOptions, analyze_one, output_dir
from formcheck.errors import FormcheckError
from formcheck.pipeline.sources import IMAGE_SUFFIXES
from formcheck.progress import progress_bar


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


def _worker(path: str, opts: AnalyzeOptions) -> AnalysisResult:
    try:
        return analyze_one(Path(path), opts)
    except FormcheckError as exc:
        return AnalysisResult(Path(path), output_dir(opts.out, Path(path)), {}, error=str(exc))


def analyze_many(paths: list[Path], opts: AnalyzeOptions, jobs: int | None = None) -> list[AnalysisResult]:
    """One process per video, as many at once as there are cores."""
    jobs = max(1, min(len(paths), jobs or os.cpu_count() or 1))
    worker_opts = AnalyzeOptions(**{**opts.__dict__, "progress": False})
    results: list[AnalysisResult] = []
    with (
        ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool,
        progress_bar(len(paths), "videos", unit="video", enabled=opts.progress) as bar,
    ):
        futures = {pool.submit(_worker, str(p), worker_opts): p for p in paths}
        for future in as_completed(futures):
            results.append(future.result())
            bar.update(1)
    order = {p: k for k, p in enumerate(paths)}
    return sorted(results, key=lambda r: order.get(r.input, 0))


def combined_table(results: list[AnalysisResult]) -> str:
    lines = [f"{'video':44} {'reps':>9} {'hold s':>8} {'good s':>8} {'faults':30} output"]
    for r in results:
        name = r.input.name[-44:]
        if not r.report:
            lines.append(f"{name:44} error: {r.error}")
            continue
        rep = r.report
        reps = f"{rep['reps']} ({rep['good_reps']})"
        faults = ", ".join(sorted(rep.get("fault_time_s", {}))) or "-"
        flag = " (partial)" if rep.get("partial") else ""
        lines.append(
            f"{name:44} {reps:>9} {rep['hold_s']:8.1f} {rep['good_hold_s']:8.1f} {faults[:30]:30} {r.out_dir}{flag}"
        )
    return "\n".join(lines)
