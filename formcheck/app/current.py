"""Is an input's report present and current? Then a folder run (local or on a cluster) skips it.

Current means: report.json is whole (not partial, nor its video cut short) and was made by this
formcheck version, for the same exercise, variant and thresholds (config and strictness applied),
from the same input content (sha256) and the same pose model (sha256; a saved track carries its
own), with every output this run would write already beside it. report.json records the two
hashes (formcheck.app.provenance); the rest was in it already. A file's hash is read only
when everything else matches, so checking an archive analysed under other settings costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from formcheck import __version__, interrupts
from formcheck.app.analyze import TRACK_SUFFIX, AnalysisResult, AnalyzeOptions
from formcheck.app.auto import AUTO
from formcheck.app.provenance import provenance
from formcheck.exercises.base import Exercise
from formcheck.judging.session import make_exercise
from formcheck.outputs.report import json_safe


def model_of(path: Path, opts: AnalyzeOptions) -> str | None:
    """The pose model that reads this input: none for a saved track (its hash covers the model)."""
    return None if path.suffix.lower() == TRACK_SUFFIX else opts.model


def current_result(path: Path, out_dir: Path, opts: AnalyzeOptions, exercise: Exercise) -> AnalysisResult | None:
    """The result already in `out_dir` if it is current for this input and these options, else None."""
    try:
        report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("partial") or report.get("annotated_partial"):
        return None
    settings = {"formcheck_version": __version__, "exercise": exercise.name, "variant": exercise.variant}
    if any(report.get(key) != value for key, value in settings.items()):
        return None
    if report.get("thresholds") != json.loads(json.dumps(json_safe(exercise.t))):
        return None
    names = {"report": "report.json", "frames": "frames.csv", "timeline": "timeline.png"}
    if opts.video and path.is_file() and path.suffix.lower() != TRACK_SUFFIX:
        names["annotated"] = "annotated.mp4"
    outputs = {key: out_dir / name for key, name in names.items()}
    if not all(p.is_file() for p in outputs.values()):
        return None
    try:
        expected = provenance(path, model_of(path, opts))
        if report.get("input_sha256") != expected["input_sha256"]:
            return None
        if expected["model_sha256"] is not None and report.get("model_sha256") != expected["model_sha256"]:
            return None  # (a saved track's own hash covers the model that made it)
    except OSError:  # the input cannot be read: let the analysis say so in its one line
        return None
    return AnalysisResult(path, out_dir, report, outputs, skipped=True)


def current_results(
    paths: list[Path], outs: list[Path], opts: AnalyzeOptions, on_skip: Callable[[], None]
) -> dict[int, AnalysisResult]:
    """The inputs (by position) whose reports are current, if the run skips them (`on_skip` is
    called for each). A stop ends the look-up: the rest are then not started."""
    if not opts.skip_current or opts.exercise == AUTO:  # a workout's report has no one exercise to compare
        return {}
    exercise = make_exercise(opts.exercise, opts.config, opts.strictness, opts.variant)
    found: dict[int, AnalysisResult] = {}
    for k, (path, out) in enumerate(zip(paths, outs, strict=True)):
        if interrupts.requested():
            break
        result = current_result(path, out, opts, exercise)
        if result is not None:
            found[k] = result
            on_skip()
    return found
