"""`formcheck analyze`, one input: a recorded video (or a saved track) in, a folder of outputs out.

A video with no cached track goes through the frame flow once: the pose model, the zero-lag
judgement a fraction of a second behind it, and the annotated video drawn on the other core. A
cached track or a saved `.npz` is judged at once, and the video (if any) re-read only to draw it.
Order matters for "nothing lost": report.json, frames.csv and timeline.png (milliseconds) are
written as soon as the judgement is complete, the slow annotated video is finished last, and Ctrl-C
or a file that breaks half-way still leaves the report, marked partial, of everything seen.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.exercises.base import Exercise
from formcheck.judging.judgement import Judgement, judged_frame
from formcheck.judging.online import OnlineJudgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.outputs.annotate import AnnotatedVideo
from formcheck.outputs.report import build_report, format_summary_table, write_frames_csv, write_json
from formcheck.outputs.timeline import plot_timeline
from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.flow import run_flow
from formcheck.pipeline.models import resolve_model
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import VideoFileSource, open_source, prefetch
from formcheck.pipeline.track import Track
from formcheck.progress import progress_bar

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".3gp", ".gif"}
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


def output_dir(base: Path, source: Path) -> Path:
    return base / (source.stem if source.suffix else source.name)


def extract_judge_draw(video: Path, exercise: Exercise, opts: AnalyzeOptions, out: Path) -> tuple[Track, str, bool]:
    """One pass over a video: the model, the judgement and the annotated video together.
    Returns (track, codec, interrupted); a Ctrl-C or a broken file still leaves both."""
    model = resolve_model(opts.model)
    with open_source(video) as source, PoseEstimator(model, outline=exercise.back is not None) as estimator:
        info = source.info
        online = OnlineJudgement(exercise, info.width, info.height, info.fps)
        annotated = AnnotatedVideo(exercise, out, info.fps, (info.width, info.height))
        with progress_bar(info.frame_count, f"analyze {info.name}", enabled=opts.progress) as bar:
            flow = run_flow(source, estimator, online, [annotated], on_frame=lambda _frame: bar.update(1))
    if annotated.error is not None:
        raise FormcheckError(f"cannot write the annotated video: {annotated.error}")
    if opts.use_cache and not flow.track.meta["partial"]:
        TrackCache().store(video, model, flow.track)
    return flow.track, annotated.sink.codec, flow.interrupted


def draw_video(judgement: Judgement, video: Path, out: Path, progress: bool) -> tuple[str, bool]:
    """Re-read a video and draw a finished judgement on it; returns (codec, interrupted)."""
    n = len(judgement.states)
    interrupted = False
    with VideoFileSource(video) as source:
        annotated = AnnotatedVideo(judgement.exercise, out, source.info.fps, (source.info.width, source.info.height))
        try:
            with progress_bar(n, f"draw {video.name}", enabled=progress) as bar:
                for frame in prefetch(source):
                    if frame.index >= n:
                        break
                    annotated.put(frame, judged_frame(judgement, frame.index))
                    bar.update(1)
        except (KeyboardInterrupt, FormcheckError):  # keep what was drawn
            interrupted = True
        finally:
            codec = annotated.close()
    if annotated.error is not None:
        raise FormcheckError(f"cannot write the annotated video: {annotated.error}")
    return codec, interrupted


def _track_of(path: Path, opts: AnalyzeOptions, outline: bool) -> tuple[Track | None, bool]:
    """A saved track, or a video's cached track (None if it must be extracted; with `outline`,
    one that has the back's outline); and whether the input is a video."""
    if path.suffix.lower() == TRACK_SUFFIX:
        return Track.load(path), False
    if not path.exists():
        raise FormcheckError(f"{path}: no such file")
    is_video = path.is_file()  # a folder of images is extracted each time
    model = resolve_model(opts.model)
    cached = TrackCache().find(path, model, outline) if is_video and opts.use_cache else None
    return cached, is_video


def _extract_only(path: Path, opts: AnalyzeOptions, outline: bool) -> tuple[Track, bool]:
    from formcheck.pipeline.extract import extract_track

    model = resolve_model(opts.model)
    with open_source(path) as source, PoseEstimator(model, outline=outline) as estimator:
        track, flow = extract_track(source, estimator, show_progress=opts.progress)
    if opts.use_cache and path.is_file() and not track.meta["partial"]:
        TrackCache().store(path, model, track)
    return track, flow.interrupted


def analyze_one(path: Path, opts: AnalyzeOptions) -> AnalysisResult:
    """Analyse one video (or track) into its own folder. Raises FormcheckError for bad input
    that yielded nothing; anything partial is written and flagged instead."""
    exercise = make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)  # fail fast
    out_dir = output_dir(opts.out, path)
    annotated = out_dir / "annotated.mp4"
    outline = exercise.back is not None  # read the back's shape only for exercises that judge it
    track, is_video = _track_of(path, opts, outline)
    codec, interrupted = "", False
    if track is None and is_video and opts.video:
        out_dir.mkdir(parents=True, exist_ok=True)
        track, codec, interrupted = extract_judge_draw(path, exercise, opts, annotated)
    elif track is None:
        track, interrupted = _extract_only(path, opts, outline)
    if len(track) == 0:
        raise FormcheckError(f"{path}: no frames were read")
    judgement = judge_track(track, exercise)
    partial = interrupted or bool(track.meta.get("partial"))
    report = build_report(judgement.judge, str(path), str(track.meta.get("model", opts.model)), partial)
    result = AnalysisResult(path, out_dir, report, interrupted=interrupted)
    _write_outputs(result, judgement)
    if not codec and opts.video and is_video and not interrupted:
        codec, result.interrupted = draw_video(judgement, path, annotated, opts.progress)
    if codec:
        result.outputs["annotated"], report["annotated_codec"] = annotated, codec
        write_json(result.outputs["report"], report)
    if not track.detected.any():
        result.error = f"{path}: no person found in any frame"
    return result


def _write_outputs(result: AnalysisResult, judgement: Judgement) -> None:
    out_dir, outputs = result.out_dir, result.outputs
    outputs["report"] = out_dir / "report.json"
    write_json(outputs["report"], result.report)
    outputs["frames"] = out_dir / "frames.csv"
    write_frames_csv(outputs["frames"], judgement)
    outputs["timeline"] = out_dir / "timeline.png"
    plot_timeline(outputs["timeline"], judgement, result.report)


def print_result(result: AnalysisResult) -> None:
    print(format_summary_table(result.report))
    print(f"outputs in {result.out_dir}/:")
    for name, path in result.outputs.items():
        print(f"  {name:9} {path}")
    sys.stdout.flush()
