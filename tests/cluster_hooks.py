"""Set-up run in each Ray worker process of tests/test_cluster.py (`worker_process_setup_hook`).

A worker given an input named `crash*.mp4` dies abruptly the first time (as a machine running out
of memory would kill it), leaving a marker beside the outputs; Ray retries the task on another
worker process, which finds the marker and analyses the clip."""

from __future__ import annotations

import os
from pathlib import Path


def crash_once_on_crash_inputs() -> None:
    import formcheck.app.cluster_task as task

    analyze_in_worker = task.analyze_in_worker

    def crashing_once(path: str, out_dir: str, opts, shown_as: str | None = None):
        marker = Path(out_dir).parent / f".crashed-{Path(path).stem}"
        if Path(path).stem.startswith("crash") and not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)
        return analyze_in_worker(path, out_dir, opts, shown_as)

    task.analyze_in_worker = crashing_once
