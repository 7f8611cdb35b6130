"""The one frame loop every front door drives: frames -> pose -> judging -> sinks.

`extract` runs it with no judging (a track out), `analyze` with the zero-lag judgement a fraction
of a second behind the model and the annotated video as its sink, `live` with the causal judgement
and the window, voice and report as sinks. What differs is only which frames go in (a file decoded
ahead on a thread, or a camera's newest frame) and which sinks come out; the loop, the track it
records and how an interruption ends it are the same.

Judging and sinks are duck-typed so this stage imports nothing after it:
- judging: `add(t_s, pose: PoseResult | None) -> list[result]` (results whose judgement is final, in
  frame order, possibly lagging the frames fed) and `flush() -> list[result]` at the end;
- a sink: `put(frame, result)` and `close()`. Frames decoded ahead come at the model's size (a
  large one shrunk once, see `_with_model_input`); results keep the source's pixels.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from formcheck import __version__, interrupts
from formcheck.pipeline.cpus import CpuSplit
from formcheck.pipeline.pose import Inferred, PoseEstimator, model_sized
from formcheck.pipeline.sources import Frame, FrameSource, VideoInfo, prefetch
from formcheck.pipeline.track import PoseResult, Track, TrackBuilder

PIN_AT_FRAMES = (2, 30, 90)  # frame indices at which the CPU split is (re)applied, see run_flow


class Judging(Protocol):
    def add(self, t_s: float, pose: PoseResult | None) -> Sequence[Any]: ...

    def flush(self) -> Sequence[Any]: ...


class Sink(Protocol):
    def put(self, frame: Frame, result: Any) -> None: ...

    def close(self) -> None: ...


@dataclass
class FlowResult:
    track: Track
    frames: int  # frames run through the pose model
    detected: int  # ... with a person found
    seconds: float
    interrupted: bool = False  # stopped by Ctrl-C (or SIGTERM, turned into one)
    ended_early: bool = False  # the file ended before the frames its header promised (truncated)

    @property
    def ms_per_frame(self) -> float:
        return 1000.0 * self.seconds / self.frames if self.frames else 0.0

    @property
    def detection_rate(self) -> float:
        return self.detected / self.frames if self.frames else 0.0


def track_builder_for(info: VideoInfo, estimator: PoseEstimator) -> TrackBuilder:
    """An empty track for this stream, labelled with the model that fills it."""
    return TrackBuilder(
        info.fps,
        info.width,
        info.height,
        meta={
            "source": info.name,
            "model": estimator.model.name,
            "model_sha256": estimator.model.sha256,
            "formcheck_version": __version__,
        },
    )


def run_flow(
    source: FrameSource,
    estimator: PoseEstimator,
    judging: Judging | None = None,
    sinks: Sequence[Sink] = (),
    on_frame: Callable[[Frame], None] | None = None,
    frames: Iterable[Frame] | None = None,
    cpus: CpuSplit | None = None,
) -> FlowResult:
    """Run every frame through the model (and the judging, and the sinks) until the frames end or
    Ctrl-C. `frames` defaults to the source decoded ahead on a thread (live passes the camera's
    newest frames). A stop request (`formcheck.interrupts`)
    ends it between two frames; an interrupted or truncated run still judges what was read and
    closes every sink, so the outputs cover everything seen; its track is marked partial.
    Decoding ahead, this thread runs the model and nothing else: the decode thread also makes the
    model's input (shrinking, colour conversion), and one worker reads each answer (landmarks, the
    back's outline), judges it and hands it to the sinks while the model reads the next frame. On
    two cores the model's own threads take both, so whatever else runs on its thread adds to the
    wall time in full. Live does all of it on its thread instead: its display must not lag a frame.
    `cpus`: decoding ahead, the model's threads are kept on one CPU and the rest on the others
    (pipeline/cpus.py), from the third frame, when the helper threads exist, and again later for
    those started late (the encoder's, once the first judged frame reaches it)."""
    builder = track_builder_for(source.info, estimator)
    ahead = frames is None
    frames = prefetch(source, prepare=_with_model_input) if ahead else frames
    worker = ThreadPoolExecutor(1, thread_name_prefix="flow-take") if ahead else None
    waiting: deque[Frame] = deque()  # frames whose judgement is not final yet
    taking: Future[None] | None = None  # the worker's job for the model's last answer
    detected = 0
    interrupted = False
    start = time.perf_counter()

    def deliver(results: Sequence[Any]) -> None:
        for result in results:
            frame = waiting.popleft()
            for sink in sinks:
                sink.put(frame, result)

    def take(frame: Frame, pose: PoseResult | None) -> None:
        nonlocal detected
        if pose is None:
            builder.add(frame.timestamp_ms, None, None)
        else:
            builder.add(frame.timestamp_ms, pose.landmarks, pose.world, pose.outline, pose.outline_quality)
        detected += pose is not None
        if judging is not None:
            waiting.append(frame)
            deliver(judging.add(frame.timestamp_ms / 1000.0, pose))
        if on_frame is not None:
            on_frame(frame)

    def take_answer(frame: Frame, inferred: Inferred) -> None:
        take(frame, estimator.finish(inferred))

    with interrupts.polled():  # a stop is acted on between frames, never halfway through one
        try:
            try:
                for frame in frames:
                    if interrupts.requested():
                        interrupted = True
                        break
                    if cpus is not None and ahead and frame.index in PIN_AT_FRAMES:
                        cpus.model(estimator.thread_ids)
                        cpus.apply()
                    inferred = estimator.infer(frame.image, frame.timestamp_ms, frame.model_input)
                    if frame.model_input is not None:  # its pixels are not held while the judgement lags
                        frame = dataclasses.replace(frame, model_input=None)
                    if worker is None:
                        take_answer(frame, inferred)
                        continue
                    job = worker.submit(take_answer, frame, inferred)
                    if taking is not None:  # one answer in hand at most; its errors raised here, in order
                        taking.result()
                    taking = job
            except KeyboardInterrupt:  # no handler installed (a library caller): Python raised it
                interrupted = True
            finally:
                close = getattr(frames, "close", None)
                if close is not None:
                    close()  # stop decoding ahead now, not when the generator is collected
            if taking is not None:  # the last frame the model read
                taking, job = None, taking
                job.result()
            if judging is not None:
                deliver(judging.flush())
        finally:
            if cpus is not None:
                cpus.restore()
            if worker is not None:
                worker.shutdown(wait=True)
            _close_all(sinks)
    track = builder.build()
    ended_early = bool(getattr(source, "ended_early", False))
    track.meta["partial"] = interrupted or ended_early
    return FlowResult(track, len(track), detected, time.perf_counter() - start, interrupted, ended_early)


def _with_model_input(frame: Frame) -> Frame:
    """The frame at the model's size (pose.model_sized) with the model's input made from it: a
    large frame is shrunk once, here, for both the model and the sinks (the annotated video is
    drawn at most that size), and the frames held downstream are small."""
    image = model_sized(frame.image)
    return Frame(frame.index, frame.timestamp_ms, image, PoseEstimator.model_input(image))


def _close_all(sinks: Sequence[Sink]) -> None:
    """Close every sink; the first failure is raised once all have had their turn."""
    error: BaseException | None = None
    for sink in sinks:
        try:
            sink.close()
        except BaseException as exc:
            error = error or exc
    if error is not None:
        raise error
