"""An archive of labelled clips analysed locally (one process per core) and on a local Ray
instance (one task per clip, as many workers as cores), in one run.

Prints the wall time of each (the local run before and after the Ray runs, their mean the
baseline), their ratio, Ray's start-up, and Ray's overhead per video: the
extra wall time of the Ray run over the local one, times the workers running at once, per video
(what each task costs beyond the analysis: scheduling, a worker importing formcheck, results
coming back). The shipped mode (`--cluster-return`: bytes to the workers, outputs back) and the
re-run of a current archive (everything skipped after a hash check) are timed too. The pose model
runs in every mode (no track cache), as it would on a new archive.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import clip, machine

from formcheck.app.analyze import AnalyzeOptions
from formcheck.app.batch import analyze_many
from formcheck.app.cluster import analyze_on_cluster

EXERCISE = "plank"
MAX_SECONDS = 11.0  # the labelled plank clips up to this long: an archive of a few minutes' work


def archive(folder: Path) -> tuple[list[Path], float]:
    """Links to the labelled plank clips (from MANIFEST.csv beside labels.csv) and their total seconds."""
    manifest = clip("labels.csv").parent / "MANIFEST.csv"
    rows = [r for r in csv.DictReader(manifest.open()) if r["exercise"] == EXERCISE]
    rows = [r for r in rows if float(r["seconds"]) <= MAX_SECONDS]
    paths = []
    for row in rows:
        link = folder / Path(row["file"]).name
        link.symlink_to(clip(row["file"]))
        paths.append(link)
    return sorted(paths), sum(float(r["seconds"]) for r in rows)


def timed(fn) -> tuple[float, list]:
    start = time.perf_counter()
    results = fn()
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpus", type=int, default=os.cpu_count(), help="workers for both runs")
    args = parser.parse_args()
    import ray

    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    try:
        clips_dir = work / "clips"
        clips_dir.mkdir()
        paths, seconds = archive(clips_dir)
        n = len(paths)
        print(f"cluster benchmark: {n} labelled {EXERCISE} clips, {seconds:.0f} s of video, full model, {machine()}")
        opts = AnalyzeOptions(exercise=EXERCISE, out=work / "local", progress=False, use_cache=False)
        local_s, local = timed(lambda: analyze_many(paths, opts, jobs=args.cpus))
        start = time.perf_counter()
        ray.init("local", num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, configure_logging=False)
        startup_s = time.perf_counter() - start
        try:
            ray_s, on_ray = timed(lambda: analyze_on_cluster(paths, replace(opts, out=work / "ray"), None))
            ship_s, shipped = timed(lambda: analyze_on_cluster(paths, replace(opts, out=work / "ship"), None, True))
            rerun = replace(opts, out=work / "ray", skip_current=True)
            rerun_s, skipped = timed(lambda: analyze_on_cluster(paths, rerun, None))
        finally:
            start = time.perf_counter()
            ray.shutdown()
            shutdown_s = time.perf_counter() - start
        # the local run again, after: a machine whose load drifts during the run shows it
        local2_s, _ = timed(lambda: analyze_many(paths, replace(opts, out=work / "local2"), jobs=args.cpus))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def states(results) -> str:
        counts: dict[str, int] = {}
        for r in results:
            counts[r.state] = counts.get(r.state, 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))

    print(f"  local, {args.cpus} processes           : {local_s:6.1f} s ({states(local)}); after Ray: {local2_s:.1f} s")
    local_s = (local_s + local2_s) / 2  # the ratios below are against the mean of the two
    print(
        f"  Ray, {args.cpus} workers, in place      : {ray_s:6.1f} s ({states(on_ray)}); "
        f"{ray_s / local_s:.2f} x the local run"
    )
    print(
        f"  Ray, {args.cpus} workers, shipped       : {ship_s:6.1f} s ({states(shipped)}); "
        f"{ship_s / local_s:.2f} x the local run"
    )
    print(f"  Ray start-up / shut-down          : {startup_s:6.1f} s / {shutdown_s:.1f} s (once per run)")
    for name, wall in (("in place", ray_s), ("shipped", ship_s)):
        overhead = (wall - local_s) * args.cpus / n
        print(f"  Ray overhead per video, {name:9}: {overhead:+6.2f} s of a worker's time")
    print(f"  re-run, all current (skipped)     : {rerun_s:6.2f} s ({states(skipped)}), no task started")


if __name__ == "__main__":
    main()
