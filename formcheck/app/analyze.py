"""`formcheck analyze`, one input: a recorded video (or a saved track) in, a folder of outputs out.

A video with no cached track goes through the frame flow once: the pose model, the zero-lag
judgement a fraction of a second behind it, and the annotated video drawn on the other core. A
cached track or a saved `.npz` is judged at once, and the video (if any) re-read only to draw it.
Order matters for "nothing lost": report.json, frames.csv and timeline.png (milliseconds) are
written as soon as the judgement is complete, the slow annotated video is finished last, and Ctrl-C,
SIGTERM or a file that breaks half-way still leaves the report, marked partial, of everything seen
(with the video drawn so far). A stop is acted on between frames (`formcheck.interrupts`), never
while results are being saved. If the folder cannot be written once the work is done, the results
go to a rescue folder instead and the result says where.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from formcheck import interrupts
from formcheck.app.provenance import provenance
from formcheck.config import strictness_level
from formcheck.errors import FormcheckError
from formcheck.exercises.base import Exercise
from formcheck.files import rescue_dir, save_or_rescue
from formcheck.judging.judgement import Judgement, judged_frame
from formcheck.judging.online import OnlineJudgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.wrong_exercise import check_position
from formcheck.outputs.annotate import AnnotatedVideo, EndingSink, shrunk
from formcheck.outputs.folder import OutputFolder
from formcheck.outputs.html import write_report_html
from formcheck.outputs.report import build_report, write_frames_csv, write_json
from formcheck.outputs.timeline import plot_timeline
from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.cpus import CpuSplit
from formcheck.pipeline.flow import run_flow
from formcheck.pipeline.models import file_sha256, resolve_model
from formcheck.pipeline.pose import PoseEstimator, model_scale
from formcheck.pipeline.sources import FrameSource, VideoFileSource, open_source, prefetch
from formcheck.pipeline.track import Track
from formcheck.progress import progress_bar

VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".3gp", ".gif"}
TRACK_SUFFIX = ".npz"
PENDING_BYTES = 320 << 20  # frames held while their judgement is pending (at the model's size), else two passes


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
    full_source_path: bool = False  # report.json names the source; its absolute path only if asked
    skip_current: bool = False  # many inputs: skip those whose report is current (formcheck.app.current)
    pin_cpus: bool = False  # alone on the machine (one input, in-process): the model on its own CPU (pipeline/cpus.py)


@dataclass
class Drawn:
    """What became of the annotated video."""

    codec: str = ""
    frames: int = 0
    error: str | None = None


@dataclass
class AnalysisResult:
    input: Path
    out_dir: Path
    report: dict  # empty if the input failed or was never started
    outputs: dict[str, Path] = field(default_factory=dict)
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM
    error: str | None = None
    skipped: bool = False  # its report was already there and current (formcheck.app.current)
    notes: list[str] = field(default_factory=list)  # one line each: results saved elsewhere, a video lost
    warnings: list[str] = field(default_factory=list)  # one line each: never in position
    set_reports: list[tuple[dict, Path | None]] = field(default_factory=list)  # --exercise auto: each set's

    @property
    def partial(self) -> bool:
        return bool(self.report.get("partial"))

    @property
    def state(self) -> str:
        """done, partial (the report or its video covers part of the input), skipped (current
        already), not started, or failed."""
        if self.skipped:
            return "skipped"
        if not self.report:
            return "not started" if self.interrupted and self.error is None else "failed"
        return "partial" if self.partial or self.report.get("annotated_partial") else "done"


def output_dir(base: Path, source: Path) -> Path:
    return base / (source.stem if source.suffix else source.name)


def extract_judge_draw(
    video: Path, exercise: Exercise, opts: AnalyzeOptions, out: Path
) -> tuple[Track, AnnotatedVideo | None, bool]:
    """One pass over a video: the model, the judgement and the annotated video together.
    Returns (track, video, interrupted); a stop or a broken file still leaves both. The video is
    returned still finishing (its last frames, the encoder's flush): the caller closes it once the
    report and timeline are written. The frames held while their judgement is pending come at the
    model's size (720p for 4K and 8K too); should they still not fit PENDING_BYTES (a frame rate
    in the hundreds), they are not drawn here (video None) but by the caller in a second pass."""
    model = resolve_model(opts.model)
    with open_source(video) as source, PoseEstimator(model, outline=exercise.back is not None) as estimator:
        info = source.info
        online = OnlineJudgement(exercise, info.width, info.height, info.fps)
        held = model_scale(info.width, info.height) ** 2 * info.width * info.height * 3  # bytes a frame
        if online.max_pending * held > PENDING_BYTES:
            track, interrupted = _extract(source, estimator, opts)
            return track, None, interrupted
        annotated = AnnotatedVideo(exercise, out, info.fps, (info.width, info.height))
        cpus = CpuSplit(info.width * info.height) if opts.pin_cpus else None
        if cpus is not None and annotated.sink.pid is not None:
            cpus.children.append(annotated.sink.pid)
        try:
            with progress_bar(info.frame_count, f"analyze {info.name}", enabled=opts.progress) as bar:
                sinks = [EndingSink(annotated)]
                flow = run_flow(source, estimator, online, sinks, on_frame=lambda _frame: bar.update(1), cpus=cpus)
        except BaseException:
            annotated.close()
            raise
    if opts.use_cache and not flow.track.meta["partial"]:
        TrackCache().store(video, model, flow.track)
    return flow.track, annotated, flow.interrupted


def draw_video(judgement: Judgement, video: Path, out: Path, progress: bool) -> tuple[Drawn, bool]:
    """Re-read a video and draw a finished judgement on it; returns (video, interrupted)."""
    n = len(judgement.states)
    interrupted = False
    with VideoFileSource(video) as source:
        annotated = AnnotatedVideo(judgement.exercise, out, source.info.fps, (source.info.width, source.info.height))
        try:
            with (
                progress_bar(n, f"draw {video.name}", enabled=progress) as bar,
                contextlib.closing(prefetch(source, prepare=lambda frame: shrunk(frame, annotated.size))) as frames,
            ):
                for frame in frames:
                    if frame.index >= n:
                        break
                    if interrupts.requested():
                        interrupted = True
                        break
                    annotated.put(frame, judged_frame(judgement, frame.index))
                    bar.update(1)
        except KeyboardInterrupt:  # no handler installed (a library caller): Python raised it
            interrupted = True
        except FormcheckError:  # the video broke while re-read: keep what was drawn
            pass
        finally:
            annotated.close()
    return _drawn(annotated), interrupted


def _drawn(annotated: AnnotatedVideo) -> Drawn:
    if annotated.error is not None:
        return Drawn(error=" ".join(str(annotated.error).split()) or type(annotated.error).__name__)
    return Drawn(annotated.sink.codec, annotated.sink.frames)


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
    with open_source(path) as source, PoseEstimator(resolve_model(opts.model), outline=outline) as estimator:
        return _extract(source, estimator, opts)


def _extract(source: FrameSource, estimator: PoseEstimator, opts: AnalyzeOptions) -> tuple[Track, bool]:
    """The model alone over a source (the track is cached if it is a whole video file)."""
    from formcheck.pipeline.extract import extract_track

    track, flow = extract_track(source, estimator, show_progress=opts.progress)
    if opts.use_cache and isinstance(source, VideoFileSource) and not track.meta["partial"]:
        TrackCache().store(source.path, estimator.model, track)
    return track, flow.interrupted


def analyze_one(
    path: Path, opts: AnalyzeOptions, out_dir: Path | None = None, shown_as: str | None = None
) -> AnalysisResult:
    """Analyse one video (or track) into its own folder (`out_dir`, by default <out>/<stem>).
    Raises FormcheckError for bad input that yielded nothing, and KeyboardInterrupt if stopped
    before its first frame; anything partial is written and flagged instead. `shown_as` is the
    source the report names (a cluster worker analyses a copy of the driver's file)."""
    exercise = make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)  # fail fast
    out_dir = out_dir if out_dir is not None else output_dir(opts.out, path)
    outline = exercise.back is not None  # read the back's shape only for exercises that judge it
    with interrupts.polled():  # stops come between frames; saving what was seen is never cut short
        track, is_video = _track_of(path, opts, outline)
        model = None if path.suffix.lower() == TRACK_SUFFIX else opts.model  # a track's hash covers its model
        recorded = provenance(path, model)  # what tells a later run whether the report is still current
        with OutputFolder(out_dir):
            return _analyze_into(out_dir, path, track, is_video, exercise, opts, shown_as or str(path), recorded)


def _analyze_into(
    out_dir: Path,
    path: Path,
    track: Track | None,
    is_video: bool,
    exercise: Exercise,
    opts: AnalyzeOptions,
    source: str,
    recorded: dict,
) -> AnalysisResult:
    annotated = out_dir / "annotated.mp4"
    drawn: Drawn | None = None
    drawing: AnnotatedVideo | None = None  # the one-pass video, finishing while the outputs are written
    interrupted = False
    try:
        if track is None and is_video and opts.video:
            track, drawing, interrupted = extract_judge_draw(path, exercise, opts, annotated)
        elif track is None:
            track, interrupted = _extract_only(path, opts, exercise.back is not None)
        if len(track) == 0:
            if interrupted:
                raise KeyboardInterrupt  # stopped before the first frame: nothing was seen
            raise FormcheckError(f"{path}: no frames were read")
        judgement, report, warning = judge_and_report(
            path, track, exercise, opts, interrupted, Path(source).name, recorded["input_sha256"]
        )
        if warning:  # never in position: also name the exercise the recording looks like
            from formcheck.recognition.suggest import suggestion

            report.update(suggestion(track, exercise.name))
        result = AnalysisResult(path, out_dir, report, interrupted=interrupted)
        if warning:
            result.warnings.append(f"{path}: {warning}")
        _write_outputs(result, judgement)
    finally:
        if drawing is not None:
            drawing.close()
    if drawing is not None:
        drawn = _drawn(drawing)
    if drawn is None and opts.video and is_video:
        if interrupted or interrupts.requested():  # asked to stop: the video is not drawn now
            drawn, result.interrupted = Drawn(), True
        else:
            try:
                drawn, result.interrupted = draw_video(judgement, path, annotated, opts.progress)
            except FormcheckError as exc:  # the video cannot be re-read or written: the report stands
                drawn = Drawn(error=str(exc))
    if drawn is not None:
        _record_video(result, drawn, annotated, len(track))
    if not track.detected.any():
        result.error = f"{path}: no person found in any frame"
    return result


def judge_and_report(
    path: Path,
    track: Track,
    exercise: Exercise,
    opts: AnalyzeOptions,
    interrupted: bool = False,
    source: str | None = None,
    input_sha256: str | None = None,
) -> tuple[Judgement, dict, str | None]:
    """A track judged, and report.json's content for it; with the warning if it was never in
    the exercise's position (also in the report). `source`: the name the report gives the input
    (default: the file's name; a cluster worker judges a copy of the user's file); `input_sha256`:
    the input's hash if already read (formcheck.app.provenance), so the file is not read again."""
    judgement = judge_track(track, exercise)
    partial = interrupted or bool(track.meta.get("partial"))
    model = str(track.meta.get("model", opts.model))
    info = report_provenance(path, track, opts, input_sha256)
    report = build_report(judgement.judge, source or path.name, model, partial, **info)
    return judgement, report, check_position(report, exercise, track)


def report_provenance(path: Path, track: Track, opts: AnalyzeOptions, input_sha256: str | None = None) -> dict:
    """Where the report's numbers came from: the content's hash (a track's own video's hash, so
    re-judging a clip's track is the same clip), the model, the strictness, the frames' rate and
    size, and the absolute path only if asked."""
    source_sha256 = track.meta.get("video_sha256")
    if source_sha256 is None and path.is_file():  # a video extracted without the cache, or a bare track
        source_sha256 = input_sha256 or file_sha256(path)
    model_sha256 = track.meta.get("model_sha256")
    if model_sha256 is None and track.meta.get("model", opts.model) == opts.model:
        with contextlib.suppress(FormcheckError):
            model_sha256 = resolve_model(opts.model).sha256
    info = {
        "source_sha256": source_sha256,
        "model_sha256": model_sha256,
        "strictness": strictness_level(opts.config, opts.strictness),
        "config": Path(opts.config).name if opts.config else None,
        "fps": track.fps,
        "size": (track.width, track.height),
    }
    if opts.full_source_path:
        info["source_path"] = str(path.absolute())
    if input_sha256 is not None:  # what tells a later run the report is current (formcheck.app.current)
        info["input_sha256"] = input_sha256
    return info


def _write_outputs(result: AnalysisResult, judgement: Judgement) -> None:
    """report.json, frames.csv and timeline.png in the output folder, or all in a rescue folder if
    that cannot be written."""
    writers = {
        "report": ("report.json", lambda p: write_json(p, result.report)),
        "frames": ("frames.csv", lambda p: write_frames_csv(p, judgement)),
        "timeline": ("timeline.png", lambda p: plot_timeline(p, judgement, result.report)),
        "html": ("report.html", lambda p: write_report_html(p, result.report, p.with_name("timeline.png"))),
    }
    folder = result.out_dir
    try:
        for name, (file_name, write) in writers.items():
            write(folder / file_name)
            result.outputs[name] = folder / file_name
    except OSError as exc:
        folder = rescue_dir(result.out_dir.name)
        result.notes.append(f"cannot write in {result.out_dir} ({exc.strerror or exc}); saved in {folder} instead")
        for name, (file_name, write) in writers.items():
            write(folder / file_name)
            result.outputs[name] = folder / file_name


def _record_video(result: AnalysisResult, drawn: Drawn, path: Path, frames: int) -> None:
    """Say in the report what the annotated video holds, and write the report again."""
    report = result.report
    if drawn.error is not None:
        result.notes.append(f"{path}: the annotated video was not written ({drawn.error})")
    elif drawn.frames:
        result.outputs["annotated"], report["annotated_codec"] = path, drawn.codec
    report["annotated_frames"] = drawn.frames if drawn.error is None else 0
    report["annotated_partial"] = report["annotated_frames"] < frames
    result.outputs["report"], note = save_or_rescue(result.outputs["report"], lambda p: write_json(p, report))
    if note:
        result.notes.append(note)
    page = result.outputs["report"].with_name("report.html")
    # the video by its path from the page (its name, unless the report had to be saved elsewhere)
    video = Path(os.path.relpath(path, page.parent)).as_posix() if "annotated" in result.outputs else None
    try:  # the page again, now with its video; the one written before stands if this fails
        result.outputs["html"] = write_report_html(page, report, page.with_name("timeline.png"), video)
    except OSError as exc:
        result.notes.append(f"{page}: not updated with the video ({exc.strerror or exc})")
