"""`formcheck analyze --exercise auto`: a whole workout in one recording. The exercise is
recognised (formcheck.recognition), the recording split into sets, and each set judged as if it
had been analysed alone, into its own folder (`01-plank/`: report.json, frames.csv, timeline.png);
the recording's folder holds the combined report.json (every set with its exercise, start, end and
figures), a timeline of the sets and the annotated video, which names each set's exercise.
"""

from __future__ import annotations

from pathlib import Path

from formcheck import __version__, interrupts
from formcheck.app.analyze import (
    AnalysisResult,
    AnalyzeOptions,
    Drawn,
    _extract_only,
    _record_video,
    _track_of,
    _write_outputs,
    analyze_one,
    output_dir,
    report_provenance,
)
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.i18n import _
from formcheck.judging.judgement import Judgement
from formcheck.judging.session import judge_track, make_exercise
from formcheck.outputs.folder import OutputFolder
from formcheck.outputs.report import build_report, write_json
from formcheck.pipeline.track import Track
from formcheck.recognition.recognise import RecognisedSet, Recognition, recognise

AUTO = "auto"
TOTALS = ("reps", "good_reps", "hold_s", "good_hold_s", "in_position_s", "unjudged_s")


def analyze_input(
    path: Path, opts: AnalyzeOptions, out_dir: Path | None = None, shown_as: str | None = None
) -> AnalysisResult:
    """One input: a whole workout with `--exercise auto`, else the exercise named (`shown_as`:
    the source its report names, see analyze_one)."""
    if opts.exercise == AUTO:
        return analyze_auto(path, opts, out_dir)
    return analyze_one(path, opts, out_dir, shown_as)


def set_folder(index: int, recognised: RecognisedSet) -> str:
    return f"{index:02d}-{recognised.exercise}"


def analyze_auto(path: Path, opts: AnalyzeOptions, out_dir: Path | None = None) -> AnalysisResult:
    """Recognise, split and judge one recording (see the module's docstring)."""
    for name in EXERCISES:  # a bad config or strictness: one line before any work
        make_exercise(name, opts.config, opts.strictness)
    out_dir = out_dir if out_dir is not None else output_dir(opts.out, path)
    with interrupts.polled():
        track, is_video = _track_of(path, opts, outline=True)  # any exercise may be there: read the back
        with OutputFolder(out_dir):
            interrupted = False
            if track is None:
                track, interrupted = _extract_only(path, opts, True)
            if len(track) == 0:
                if interrupted:
                    raise KeyboardInterrupt
                raise FormcheckError(f"{path}: no frames were read")
            return _judge_sets(path, track, is_video, interrupted, opts, out_dir)


def judge_sets(track: Track, recognition: Recognition, opts: AnalyzeOptions) -> list[tuple[RecognisedSet, Judgement]]:
    """Each recognised set judged alone, on its own stretch of the track."""
    out = []
    for recognised in recognition.sets():
        exercise = make_exercise(recognised.exercise, opts.config, opts.strictness)
        out.append((recognised, judge_track(track.slice(recognised.start, recognised.stop), exercise)))
    return out


def _judge_sets(
    path: Path, track: Track, is_video: bool, interrupted: bool, opts: AnalyzeOptions, out_dir: Path
) -> AnalysisResult:
    recognition = recognise(track)
    partial = interrupted or bool(track.meta.get("partial"))
    model = str(track.meta.get("model", opts.model))
    sets, set_reports = [], []
    judged = judge_sets(track, recognition, opts)
    provenance = report_provenance(path, track, opts)  # once: it may read the whole video
    for index, (recognised, judgement) in enumerate(judged, 1):
        report = build_report(judgement.judge, path.name, model, partial, **provenance)
        report["set"] = _set_entry(index, recognised)
        folder = out_dir / set_folder(index, recognised)
        folder.mkdir(exist_ok=True)
        one = AnalysisResult(path, folder, report)
        _write_outputs(one, judgement)
        set_reports.append((report, one.outputs.get("report")))
        sets.append({**report["set"], **set_figures(report)})
    report = combined_report(path, track, recognition, sets, model, partial)
    result = AnalysisResult(path, out_dir, report, interrupted=interrupted, set_reports=set_reports)
    _write_combined(result, recognition, track)
    if opts.video and is_video and judged:
        if interrupted or interrupts.requested():
            drawn, result.interrupted = Drawn(), True
        else:
            from formcheck.app.auto_video import draw_sets

            try:
                drawn, result.interrupted = draw_sets(
                    judged, recognition, path, out_dir / "annotated.mp4", opts.progress
                )
            except FormcheckError as exc:
                drawn = Drawn(error=str(exc))
        _record_video(result, drawn, out_dir / "annotated.mp4", len(track))
    if not track.detected.any():
        result.error = f"{path}: no person found in any frame"
    return result


def _set_entry(index: int, recognised: RecognisedSet) -> dict:
    return {
        "set": index,
        "exercise": recognised.exercise,
        "start_s": round(recognised.start_s, 2),
        "end_s": round(recognised.end_s, 2),
        "confidence": round(recognised.confidence, 3),
        "folder": set_folder(index, recognised),
    }


def set_figures(report: dict) -> dict:
    """The figures of a set's report that the combined report lists beside its set entry."""
    return {k: report[k] for k in (*TOTALS, "variant", "faults", "fault_time_s")}


def combined_report(
    path: Path, track: Track, recognition: Recognition, sets: list[dict], model: str, partial: bool
) -> dict:
    """The recording's report.json: every set, and totals over them (so tables of many inputs read it)."""
    totals = {k: round(sum(s[k] for s in sets), 2) for k in TOTALS}
    fault_time: dict[str, float] = {}
    for s in sets:
        for name, seconds in s["fault_time_s"].items():
            fault_time[name] = round(fault_time.get(name, 0.0) + seconds, 2)
    return {
        "exercise": AUTO,
        "variant": "",
        "source": path.name,
        "duration_s": round(track.duration_s, 2),
        **totals,
        "good_share": round(totals["good_hold_s"] / totals["hold_s"], 3) if totals["hold_s"] > 0 else None,
        "fault_time_s": fault_time,
        "sets": sets,
        "recognised_s": {k: round(v, 2) for k, v in recognition.seen().items()},
        "partial": partial,
        "model": model,
        "formcheck_version": __version__,
    }


def _write_combined(result: AnalysisResult, recognition: Recognition, track: Track) -> None:
    from formcheck.outputs.sets_timeline import plot_sets

    result.outputs["report"] = result.out_dir / "report.json"
    write_json(result.outputs["report"], result.report)
    result.outputs["timeline"] = result.out_dir / "timeline.png"
    names, confidence = recognition.per_frame()
    plot_sets(result.outputs["timeline"], track.times_s, names, confidence, result.report)
    for s in result.report["sets"]:
        result.outputs[f"set {s['set']}"] = result.out_dir / s["folder"]


def format_sets_table(report: dict) -> str:
    head = [_("set"), _("exercise"), _("start s"), _("end s"), _("reps"), _("hold s"), _("good s"), _("faults")]
    lines = [f"{head[0]:>3} {head[1]:16} {head[2]:>8} {head[3]:>8} {head[4]:>9} {head[5]:>7} {head[6]:>7} {head[7]}"]
    for s in report["sets"]:
        reps = f"{s['reps']} ({s['good_reps']})"
        faults = ", ".join(sorted(s["fault_time_s"])) or "-"
        lines.append(
            f"{s['set']:>3} {s['exercise']:16} {s['start_s']:8.1f} {s['end_s']:8.1f} {reps:>9} "
            f"{s['hold_s']:7.1f} {s['good_hold_s']:7.1f} {faults}"
        )
    if not report["sets"]:
        lines.append("    " + _("no exercise recognised for long enough to be a set"))
    return "\n".join(lines)
