"""Keep the pose model's threads on one CPU and the flow's other work on the others (Linux).

MediaPipe runs each frame on its own threads (it starts four with the landmarker) and gains
nothing from a second CPU (benchmarks/bench_contention.py: 10.9 ms a frame pinned to one, 11.0 on
two). When the decode, judging and drawing threads and the video encoder share its CPUs, they
preempt those threads and every frame waits for them: on two cores detect_for_video took 13.3 ms a
frame during `analyze` against 11.4 ms with the model's threads on one CPU and the rest on the
other, which brought `analyze` from ~1.2x the bare MediaPipe loop to ~1.0x (issue 10's note).

Only where the rest fits on the other CPUs: decoding, drawing and encoding grow with the frame's
pixels, and a 1080x1920 clip's need more than one CPU beside the model — pinned, `analyze` went from
1.29-1.32x to 1.39-1.40x the bare loop, where the 720x480 plank went from 1.18-1.25x to 1.01-1.04x.
MAX_PIXELS lies between the two (only those two sizes were measured). Offline only, one input at a
time (a batch's workers would all pin to the same CPU). A no-op without affinity calls (macOS,
Windows), with one CPU, or with FORMCHECK_NO_PINNING=1 (a machine whose CPUs other work keeps busy:
a pinned model cannot move off a CPU another process takes).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

TASKS = Path("/proc/self/task")
MAX_PIXELS = 640 * 720  # frames larger than this: the split is not made (see above)


def thread_ids() -> set[int]:
    """This process's threads (empty where /proc is not there)."""
    try:
        return {int(name) for name in os.listdir(TASKS)}
    except OSError:
        return set()


class CpuSplit:
    """`model(tids)` says which threads run the model (with the calling thread); `apply()` puts
    them on one CPU and every other thread of the process, and the processes in `children`, on
    the rest (call it again to catch threads started since); `restore()` gives all back every CPU."""

    def __init__(self, pixels: int = 0) -> None:
        """pixels: the frames' size (width x height); above MAX_PIXELS the split is not made."""
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        self.all = set(cpus)
        wanted = os.environ.get("FORMCHECK_NO_PINNING", "") in ("", "0") and pixels <= MAX_PIXELS
        self.enabled = len(cpus) >= 2 and wanted
        self.model_cpu, self.rest = set(cpus[:1]), set(cpus[1:])
        self.model_threads: set[int] = set()
        self.children: list[int] = []
        self.pinned: set[int] = set()  # this process's threads given a CPU set (the encoder's end with it)

    def model(self, tids: set[int]) -> None:
        self.model_threads = set(tids) | {threading.get_native_id()}

    def apply(self) -> None:
        if not self.enabled:
            return
        for tid in thread_ids():
            if _pin(tid, self.model_cpu if tid in self.model_threads else self.rest):
                self.pinned.add(tid)
        for pid in self.children:
            with contextlib.suppress(OSError):
                for name in os.listdir(f"/proc/{pid}/task"):
                    _pin(int(name), self.rest)

    def restore(self) -> None:
        for tid in self.pinned:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(tid, self.all)
        self.pinned.clear()


def _pin(tid: int, cpus: set[int]) -> bool:
    """Give a thread these CPUs; False if it has ended meanwhile."""
    try:
        os.sched_setaffinity(tid, cpus)
    except OSError:
        return False
    return True
