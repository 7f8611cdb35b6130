"""`formcheck analyze`: a recorded video (or a saved track) in, a folder of outputs out.

Order matters for "nothing lost": the track is extracted (and cached) first, then judged, then
report.json, frames.csv and timeline.png are written (milliseconds), and the annotated video,
the slowest part, last. Ctrl-C or a file that breaks half-way still leaves the report, marked
partial, of everything seen so far.
"""

from __future__ import annotations

import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError
from formcheck.exercises.base import Exercise
from formcheck.judging.session import Judgement, judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.extract import ExtractStats, extract_track
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import IMAGE_SUFFIXES, VideoFileSource, open_source, prefetch
from formcheck.pipeline.track import Track
from formcheck.progress import progress_bar

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".3gp"}
TRACK_SUFFIX = ".npz"


@dataclass
class AnalyzeOptions:
    exercise: str
    out: Path = Path("formcheck-out")
    model: str = "full"
    config: str | None = None
    strictness: str | None = None
    variant: str = ""
    video: bool = True  # write annotated.mp4
    progress: bool = True
    use_cache: bool = True


@dataclass
class AnalysisResult:
    input: Path
    out_dir: Path
    report: dict
    outputs: dict[str, Path] = field(default_factory=dict)
    interrupted: bool = False
    error: str | None = None

    @property
    def partial(self) -> bool:
        return bool(self.report.get("partial"))


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


def output_dir(base: Path, source: Path) -> Path:
    return base / (source.stem if source.suffix else source.name)


def build_report(judgement: Judgement, source: Path, model_name: str, partial: bool, exercise: Exercise) -> dict:
    summary = summarize(judgement.judge)
    report = {
        "exercise": summary.pop("exercise"),
        "variant": summary.pop("variant"),
        "source": str(source),
        **summary,
        "partial": partial,
        "model": model_name,
        "thresholds": exercise.t,
        "formcheck_version": __version__,
    }
    return report


def _load_or_extract(path: Path, opts: AnalyzeOptions) -> tuple[Track, ExtractStats | None, bool]:
    """The track of a video (cached) or a saved track; returns (track, stats, interrupted)."""
    if path.suffix.lower() == TRACK_SUFFIX:
        return Track.load(path), None, False
    model = resolve_model(opts.model)
    cache = TrackCache()
    if opts.use_cache and path.is_file():
        cached = cache.find(path, model)
        if cached is not None:
            return cached, None, False
    with open_source(path) as source, PoseEstimator(model) as estimator:
        track, stats = extract_track(source, estimator, show_progress=opts.progress)
    if opts.use_cache and path.is_file() and not stats.interrupted:
        cache.store(path, model, track)
    return track, stats, stats.interrupted


def _frame_features(judgement: Judgement, i: int) -> dict[str, float]:
    return {name: float(values[i]) for name, values in judgement.signals.features.items()}


def render_video(judgement: Judgement, video: Path, out: Path, progress: bool) -> tuple[Path, str, bool]:
    """Draw the judgement on every frame of the video; returns (path, codec, interrupted)."""
    from formcheck.outputs.overlay import draw_overlay
    from formcheck.outputs.video import VideoSink

    n = len(judgement.states)
    interrupted = False
    with VideoFileSource(video) as source:
        info = source.info
        with (
            VideoSink(out, info.fps, (info.width, info.height)) as sink,
            progress_bar(n, f"render {video.name}", enabled=progress) as bar,
        ):
            try:
                for frame in prefetch(source):
                    i = frame.index
                    if i >= n:
                        break
                    xy = judgement.pose.xy[i]
                    has_pose = not math.isnan(float(xy[0, 0]))
                    image = draw_overlay(
                        frame.image,
                        xy if has_pose else None,
                        judgement.pose.visibility[i] if has_pose else None,
                        bool(judgement.signals.near_left[i]),
                        judgement.states[i],
                        _frame_features(judgement, i),
                        judgement.exercise,
                    )
                    sink.write(image)
                    bar.update(1)
            except KeyboardInterrupt:
                interrupted = True
            except FormcheckError:
                interrupted = True  # the file broke while re-reading: keep what was drawn
        codec = sink.codec
    return out, codec, interrupted


class _Renderer:
    """Draws and encodes annotated frames in its own thread, so drawing overlaps the pose model
    (OpenCV and the encoder pipe release the GIL) instead of adding to it."""

    def __init__(self, exercise: Exercise, out: Path, fps: float, size: tuple[int, int]) -> None:
        import queue
        import threading

        from formcheck.outputs.video import VideoSink

        self.exercise = exercise
        self.sink = VideoSink(out, fps, size)
        self.queue: queue.Queue = queue.Queue(maxsize=64)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="annotate", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from formcheck.outputs.overlay import draw_overlay

        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is not None:
                continue
            image, judged = item
            try:
                has_pose = not math.isnan(float(judged.xy[0, 0]))
                draw_overlay(
                    image,
                    judged.xy if has_pose else None,
                    judged.visibility if has_pose else None,
                    judged.near_left,
                    judged.state,
                    judged.features,
                    self.exercise,
                )
                self.sink.write(image)
            except BaseException as exc:  # reported by close(); the extraction goes on
                self.error = exc

    def put(self, image, judged) -> None:  # type: ignore[no-untyped-def]
        self.queue.put((image, judged))

    def close(self) -> str:
        self.queue.put(None)
        self.thread.join()
        self.sink.close()
        return self.sink.codec


def extract_judge_render(video: Path, exercise: Exercise, opts: AnalyzeOptions, out: Path) -> tuple[Track, str, bool]:
    """One pass over the video: pose model, zero-lag judgement a fraction of a second behind it,
    and the annotated frame drawn and encoded on the other core. Returns (track, codec, interrupted).
    A Ctrl-C or a file that breaks still leaves the video and the track of what was read."""
    from collections import deque

    from formcheck.judging.session import OnlineJudgement
    from formcheck.pipeline.extract import track_builder_for

    model = resolve_model(opts.model)
    interrupted = False
    with open_source(video) as source, PoseEstimator(model) as estimator:
        info = source.info
        builder = track_builder_for(info, estimator)
        online = OnlineJudgement(exercise, info.width, info.height, info.fps)
        renderer = _Renderer(exercise, out, info.fps, (info.width, info.height))
        waiting: deque = deque()  # decoded frames whose judgement is not final yet
        try:
            with progress_bar(info.frame_count, f"analyze {info.name}", enabled=opts.progress) as bar:
                try:
                    for frame in prefetch(source):
                        pose = estimator.detect(frame.image, frame.timestamp_ms)
                        landmarks = None if pose is None else pose.landmarks
                        builder.add(frame.timestamp_ms, landmarks, None if pose is None else pose.world)
                        waiting.append(frame.image)
                        for judged in online.add(frame.timestamp_ms / 1000.0, landmarks):
                            renderer.put(waiting.popleft(), judged)
                        bar.update(1)
                except KeyboardInterrupt:
                    interrupted = True
                for judged in online.flush():
                    renderer.put(waiting.popleft(), judged)
        finally:
            codec = renderer.close()
    track = builder.build()
    ended_early = bool(getattr(source, "ended_early", False))
    track.meta["partial"] = interrupted or ended_early
    if renderer.error is not None:
        raise FormcheckError(f"cannot write the annotated video: {renderer.error}")
    if opts.use_cache and not track.meta["partial"]:
        TrackCache().store(video, model, track)
    return track, codec, interrupted


def analyze_one(path: Path, opts: AnalyzeOptions) -> AnalysisResult:
    """Analyse one video (or track) into its own folder. Raises FormcheckError for bad input
    that yielded nothing; anything partial is written and flagged instead."""
    from formcheck.outputs import report as report_io
    from formcheck.outputs.timeline import plot_timeline

    exercise = make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)  # fail fast
    out_dir = output_dir(opts.out, path)
    annotated: tuple[Path, str] | None = None
    is_video = path.suffix.lower() != TRACK_SUFFIX and path.is_file()
    cached = TrackCache().find(path, resolve_model(opts.model)) if is_video and opts.use_cache else None
    if opts.video and is_video and cached is None:
        # Nothing extracted yet: model, judgement and drawing in one pass over the file.
        out_dir.mkdir(parents=True, exist_ok=True)
        track, codec, interrupted = extract_judge_render(path, exercise, opts, out_dir / "annotated.mp4")
        annotated = (out_dir / "annotated.mp4", codec)
    else:
        track, _stats, interrupted = (cached, None, False) if cached is not None else _load_or_extract(path, opts)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = interrupted or bool(track.meta.get("partial"))
    if len(track) == 0:
        raise FormcheckError(f"{path}: no frames were read")
    judgement = judge_track(track, exercise)
    model_name = str(track.meta.get("model", opts.model))
    report = build_report(judgement, path, model_name, partial, exercise)
    result = AnalysisResult(path, out_dir, report, interrupted=interrupted)
    outputs = result.outputs
    outputs["report"] = out_dir / "report.json"
    report_io.write_json(outputs["report"], report)
    outputs["frames"] = out_dir / "frames.csv"
    report_io.write_frames_csv(outputs["frames"], judgement)
    outputs["timeline"] = out_dir / "timeline.png"
    plot_timeline(outputs["timeline"], judgement, report)
    if annotated is not None:
        outputs["annotated"], report["annotated_codec"] = annotated
        report_io.write_json(outputs["report"], report)
    elif opts.video and not interrupted and is_video:
        video_path, codec, render_interrupted = render_video(judgement, path, out_dir / "annotated.mp4", opts.progress)
        outputs["annotated"] = video_path
        report["annotated_codec"] = codec
        if render_interrupted:
            result.interrupted = True
        report_io.write_json(outputs["report"], report)
    if not track.detected.any():
        result.error = f"{path}: no person found in any frame"
    return result


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


def print_result(result: AnalysisResult) -> None:
    from formcheck.outputs.report import format_summary_table

    print(format_summary_table(result.report))
    print(f"outputs in {result.out_dir}/:")
    for name, path in result.outputs.items():
        print(f"  {name:9} {path}")
    sys.stdout.flush()
