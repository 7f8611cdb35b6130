"""The frame flow's overlap of stages gives the answers of the plain frame-by-frame loop, and
analyze writes its report while the annotated video is still being finished."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from formcheck.app.analyze import AnalyzeOptions, analyze_one
from formcheck.pipeline.flow import run_flow
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import FrameSource, VideoFileSource

PLANK = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"  # plank reads the back's outline
PORTRAIT = "side_plank/side_plank_forearm_front_LABELLED_faults_woman.mp4"  # 1080x1920, no outline


class FirstFrames(FrameSource):
    def __init__(self, path: Path, count: int) -> None:
        self.inner = VideoFileSource(path)
        self.info, self.count = self.inner.info, count

    def __iter__(self):
        return itertools.islice(iter(self.inner), self.count)

    def close(self) -> None:
        self.inner.close()


def threads_calling(monkeypatch, name: str) -> list[str]:
    """Record the thread each call of PoseEstimator.<name> runs on."""
    seen: list[str] = []
    original = getattr(PoseEstimator, name)

    def recording(*args):
        seen.append(threading.current_thread().name)
        return original(*args)

    monkeypatch.setattr(PoseEstimator, name, staticmethod(recording))
    return seen


class Recorded:
    """A sink keeping each frame's index and judgement as the annotated video would get them."""

    def __init__(self) -> None:
        self.got: list[tuple] = []
        self.images: list[np.ndarray] = []

    def put(self, frame, judged) -> None:
        self.got.append((frame.index, judged.index, repr(judged.state), repr(judged.features), judged.xy.tobytes()))
        self.images.append(frame.image)

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("clip", "exercise"), [(PLANK, "plank"), (PORTRAIT, "side_plank")])
def test_the_model_thread_running_the_model_alone_gives_the_frame_by_frame_answers(videos, monkeypatch, clip, exercise):
    """Decoding ahead, the model's input is made on the decode thread and each answer is read
    (outline included), judged and handed to the sinks on one worker: the track and every judged
    frame are exactly those of the plain loop live runs, where all of it is on the model's thread.
    A large frame is shrunk once, to the model's size, for the model and the sinks alike; the
    judged landmarks stay in the source's pixels."""
    from formcheck.judging.online import OnlineJudgement
    from formcheck.judging.session import make_exercise
    from formcheck.pipeline.pose import model_sized

    finished = threads_calling(monkeypatch, "finish")
    prepared = threads_calling(monkeypatch, "model_input")
    tracks, sinks = [], []
    for ahead in (True, False):  # decoded ahead (analyze, extract), or frames handed in (live)
        finished.clear()
        prepared.clear()
        sink = Recorded()
        outline = exercise == "plank"
        with FirstFrames(videos / clip, 60) as source, PoseEstimator("full", outline=outline) as estimator:
            info = source.info
            judging = OnlineJudgement(make_exercise(exercise), info.width, info.height, info.fps)
            flow = run_flow(source, estimator, judging, [sink], frames=None if ahead else iter(source))
        tracks.append(flow.track)
        sinks.append(sink)
        main = threading.main_thread().name
        if ahead:  # off the model's thread
            assert set(finished) == {"flow-take_0"}
            assert set(prepared) == {"frame-prefetch"}
        else:  # live reads each answer at once: its display must not wait a frame
            assert set(finished) == set(prepared) == {main}
        assert len(finished) == len(prepared) == 60
    piped, plain = tracks
    assert len(piped) == len(plain) == 60
    assert np.isfinite(plain.landmarks).any()
    if exercise == "plank":  # the back was read, so the comparison means something
        assert np.isfinite(plain.outline).any()
    else:
        assert plain.outline is None and piped.outline is None
    for name in ("timestamps_ms", "landmarks", "world", "outline", "outline_quality"):
        if getattr(plain, name) is not None:
            assert np.array_equal(getattr(piped, name), getattr(plain, name), equal_nan=True), name
    assert len(sinks[0].got) == 60
    assert sinks[0].got == sinks[1].got
    for shrunk, full in zip(sinks[0].images, sinks[1].images, strict=True):
        assert np.array_equal(shrunk, model_sized(full))
    size = sinks[0].images[0].shape[:2]
    assert size == ((480, 720) if exercise == "plank" else (1280, 720)), size  # 1080x1920 drawn as 720x1280


def test_the_report_is_written_while_the_video_is_finished_and_survives_its_failure(videos, tmp_path, monkeypatch):
    """The encoder's final flush overlaps the report and timeline: the video's file is finished
    only once they are on disk. A failure there is a note; the report stands."""
    from formcheck.outputs.video import VideoSink

    out = tmp_path / "out"
    folder = out / Path(PLANK).stem
    seen_at_finish: list[set[str]] = []

    def finish_after_the_report(self):
        deadline = time.monotonic() + 60.0
        while not (folder / "timeline.png").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        seen_at_finish.append({p.name for p in folder.iterdir()})
        raise OSError("no space left on device")

    monkeypatch.setattr(VideoSink, "close", finish_after_the_report)
    result = analyze_one(videos / PLANK, AnalyzeOptions(exercise="plank", out=out, progress=False, use_cache=False))
    assert len(seen_at_finish) == 1 and {"report.json", "frames.csv", "timeline.png"} <= seen_at_finish[0]
    assert result.state == "partial"  # the report is whole; its video is not
    assert any("annotated video was not written (no space left on device)" in note for note in result.notes)
    report = json.loads((folder / "report.json").read_text())
    assert report["partial"] is False and report["annotated_frames"] == 0 and report["annotated_partial"] is True
    assert report["duration_s"] > 10


@pytest.mark.skipif(
    not (hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) >= 2), reason="needs CPU affinity and 2 CPUs"
)
def test_with_a_cpu_split_the_model_threads_share_one_cpu_and_the_answers_are_the_same(videos, monkeypatch):
    """analyze, alone on the machine, keeps MediaPipe's threads and the model's on one CPU and the
    decode, worker and drawing threads on the rest (pipeline/cpus.py); nothing it computes changes,
    and every thread has every CPU back once the flow ends."""
    from formcheck.pipeline.cpus import CpuSplit, thread_ids

    seen: list[dict[int, set[int]]] = []
    original = CpuSplit.apply

    def recording(self):
        original(self)
        seen.append({tid: os.sched_getaffinity(tid) for tid in thread_ids() if _alive(tid)})

    monkeypatch.setattr(CpuSplit, "apply", recording)
    tracks, model_threads = [], set()
    split = CpuSplit(720 * 480)
    for cpus in (split, None):
        with FirstFrames(videos / PLANK, 60) as source, PoseEstimator("full", outline=True) as estimator:
            tracks.append(run_flow(source, estimator, cpus=cpus).track)
            if cpus is not None:
                assert estimator.thread_ids  # MediaPipe started threads of its own
                model_threads = estimator.thread_ids | {threading.get_native_id()}
    assert split.enabled and len(seen) == 2  # applied at frames 2 and 30
    for affinity in seen:
        on_model = {tid for tid, cpus in affinity.items() if cpus == split.model_cpu}
        assert on_model == model_threads & set(affinity)
        assert all(cpus == split.rest for tid, cpus in affinity.items() if tid not in on_model)
    assert os.sched_getaffinity(0) == split.all
    for name in ("landmarks", "world", "outline", "outline_quality"):
        assert np.array_equal(getattr(tracks[0], name), getattr(tracks[1], name), equal_nan=True), name


def _alive(tid: int) -> bool:
    return os.path.exists(f"/proc/self/task/{tid}")
