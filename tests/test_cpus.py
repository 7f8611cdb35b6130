"""The pose model's threads on one CPU and the flow's other work on the rest (pipeline/cpus.py)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from formcheck.pipeline.cpus import MAX_PIXELS, CpuSplit

TWO_CPUS = sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) >= 2
needs_two = pytest.mark.skipif(not TWO_CPUS, reason="CPU affinity needs Linux and two CPUs (CI has both)")


@needs_two
def test_the_model_threads_get_one_cpu_the_others_the_rest_and_all_get_every_cpu_back():
    everything = os.sched_getaffinity(0)
    started, done = threading.Event(), threading.Event()
    helper: dict[str, int] = {}

    def work() -> None:
        helper["tid"] = threading.get_native_id()
        started.set()
        done.wait(10)

    thread = threading.Thread(target=work)
    thread.start()
    started.wait(10)
    split = CpuSplit(pixels=720 * 480)
    assert split.enabled
    split.model(set())  # the calling thread runs the model
    try:
        split.apply()
        assert os.sched_getaffinity(0) == split.model_cpu and len(split.model_cpu) == 1
        assert os.sched_getaffinity(helper["tid"]) == split.rest == everything - split.model_cpu
    finally:
        split.restore()
        done.set()
        thread.join()
    assert os.sched_getaffinity(0) == everything


def test_no_split_for_large_frames_or_when_asked_not_to(monkeypatch):
    assert not CpuSplit(pixels=1080 * 1920).enabled  # decoding and encoding them need more than one CPU
    assert MAX_PIXELS >= 720 * 480
    monkeypatch.setenv("FORMCHECK_NO_PINNING", "1")
    assert not CpuSplit(pixels=720 * 480).enabled
    split = CpuSplit(pixels=720 * 480)
    split.apply()  # a no-op
    split.restore()
    assert not split.pinned
