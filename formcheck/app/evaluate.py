"""`formcheck evaluate LABELS.csv`: run the rules over every labelled clip and score them.

Figures (per clip and overall): reps predicted vs labelled (MAE as |pred - true| / true, and OBO,
the share of clips within +-1 rep), hold and good-form hold time (relative error, share within
15%), faults found vs labelled (precision / recall over clips judged by the label), and the
largest share of in-position time any fault covers on clips labelled good.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.lab.labels import ClipLabel, read_labels
from formcheck.pipeline.cache import TrackCache
from formcheck.pipeline.extract import track_for_video
from formcheck.pipeline.models import ModelFile, resolve_model

HOLD_TOLERANCE = 0.15  # issue 3: good-form hold within +-15% of the labelled time
HOLD_FLOOR_S = 0.5  # labels are +-0.3 s; a 0 s label is matched within half a second


@dataclass
class ClipResult:
    label: ClipLabel
    summary: dict | None = None
    error: str | None = None

    @property
    def predicted_faults(self) -> set[str]:
        return {f["name"] for f in self.summary["faults"]} if self.summary else set()

    @property
    def judged_by_label(self) -> bool:
        """Faults count only where the label judged form (judgeable yes/partial)."""
        return self.label.judgeable in ("yes", "partial", "")

    @property
    def refused_by_label(self) -> bool:
        """The label says a checker should refuse the clip (judgeable=no): its counts and times
        are not scored; what is checked is that formcheck said why it did not judge."""
        return self.label.judgeable == "no"

    def refusal(self) -> str:
        """Why formcheck did not judge (most of) a clip: its unjudged reasons, longest first."""
        reasons = (self.summary or {}).get("unjudged_reasons") or {}
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in reasons.items())

    def fault_share(self) -> float:
        """Largest share of in-position time covered by one fault."""
        if not self.summary or not self.summary["in_position_s"]:
            return 0.0
        times = self.summary["fault_time_s"]
        # A fault span runs to the next frame's time, so it can exceed in-position time by a frame.
        return min(1.0, max(times.values(), default=0.0) / self.summary["in_position_s"])


def within(pred: float, true: float, tolerance: float = HOLD_TOLERANCE) -> bool:
    return abs(pred - true) <= max(tolerance * true, HOLD_FLOOR_S)


@dataclass
class Evaluation:
    results: list[ClipResult] = field(default_factory=list)

    def scored(self) -> list[ClipResult]:
        return [r for r in self.results if r.summary is not None]

    def overall(self) -> dict[str, float | int | None]:
        # Counts and times are scored where the label judged the clip (not judgeable=no).
        counted = [r for r in self.scored() if not r.refused_by_label]
        rep = [r for r in counted if r.label.reps is not None]
        hold = [r for r in counted if r.label.hold_s is not None]
        good = [r for r in counted if r.label.good_hold_s is not None]
        # Issue 13's targets count the clips labelled judgeable `yes`: on `partial` clips a checker
        # refuses the shots it cannot see, which the labelled count includes.
        rep_yes = [r for r in rep if r.label.judgeable in ("yes", "")]
        hold_yes = [r for r in hold if r.label.judgeable in ("yes", "")]
        judged = [r for r in self.scored() if r.judged_by_label]
        tp = sum(len(r.predicted_faults & set(r.label.faults)) for r in judged)
        fp = sum(len(r.predicted_faults - set(r.label.faults)) for r in judged)
        fn = sum(len(set(r.label.faults) - r.predicted_faults) for r in judged)
        clean = [r for r in judged if not r.label.faults]

        def mean(values: list[float]) -> float | None:
            return sum(values) / len(values) if values else None

        return {
            "clips": len(self.results),
            "errors": sum(r.error is not None for r in self.results),
            "rep_clips": len(rep),
            "rep_mae": mean([abs(r.summary["reps"] - r.label.reps) / max(r.label.reps, 1) for r in rep]),
            "rep_obo": mean([float(abs(r.summary["reps"] - r.label.reps) <= 1) for r in rep]),
            "hold_clips": len(hold),
            "hold_error": mean([abs(r.summary["hold_s"] - r.label.hold_s) / max(r.label.hold_s, 1e-9) for r in hold]),
            "hold_within_15": mean([float(within(r.summary["hold_s"], r.label.hold_s)) for r in hold]),
            "judgeable_rep_clips": len(rep_yes),
            "judgeable_rep_obo": mean([float(abs(r.summary["reps"] - r.label.reps) <= 1) for r in rep_yes]),
            "judgeable_hold_clips": len(hold_yes),
            "judgeable_hold_within_15": mean([float(within(r.summary["hold_s"], r.label.hold_s)) for r in hold_yes]),
            "good_hold_clips": len(good),
            "good_hold_within_15": mean([float(within(r.summary["good_hold_s"], r.label.good_hold_s)) for r in good]),
            "fault_precision": tp / (tp + fp) if tp + fp else None,
            "fault_recall": tp / (tp + fn) if tp + fn else None,
            "good_clips_max_fault_share": max((r.fault_share() for r in clean), default=None),
        }


def evaluate_clip(
    label: ClipLabel,
    model: ModelFile,
    cache: TrackCache,
    config: str | Path | None,
    strictness: str | None,
    extract: bool = True,
) -> ClipResult:
    try:
        exercise = make_exercise(
            label.exercise,
            config,
            strictness,
            label.variant if label.variant in EXERCISES[label.exercise].variants else "",
        )
        if not label.path.is_file():
            raise FormcheckError(f"{label.path}: no such file")
        outline = exercise.back is not None
        if extract:
            track, _ = track_for_video(label.path, model, cache, outline=outline)
        else:
            track = cache.find(label.path, model, outline)
            if track is None:
                raise FormcheckError(f"{label.file}: no cached track")
        judgement = judge_track(track, exercise)
        return ClipResult(label, summarize(judgement.judge))
    except FormcheckError as exc:
        return ClipResult(label, error=str(exc))


def evaluate(
    labels_file: str | os.PathLike[str],
    exercises: list[str] | None = None,
    model: str = "full",
    config: str | Path | None = None,
    strictness: str | None = None,
    cache: TrackCache | None = None,
    extract: bool = True,
) -> Evaluation:
    """Judge every labelled clip of the exercises formcheck knows (or those asked for)."""
    labels = read_labels(labels_file)
    wanted = set(exercises) if exercises else set(EXERCISES)
    unknown = wanted - set(EXERCISES)
    if unknown:
        raise FormcheckError(f"unknown exercise(s): {', '.join(sorted(unknown))} (choose from: {', '.join(EXERCISES)})")
    model_file = resolve_model(model)
    cache = cache or TrackCache()
    evaluation = Evaluation()
    for label in labels:
        if label.exercise in wanted:
            evaluation.results.append(evaluate_clip(label, model_file, cache, config, strictness, extract))
    return evaluation


def _fmt(value: float | int | None, pattern: str = "{:.1f}") -> str:
    return "-" if value is None else pattern.format(value)


def format_table(evaluation: Evaluation) -> str:
    lines = [
        f"{'clip':58} {'reps':>9} {'hold s':>11} {'good s':>11}  faults (found / labelled / extra)",
    ]
    for r in evaluation.results:
        name = r.label.file[-58:]
        if r.error:
            lines.append(f"{name:58} error: {r.error}")
            continue
        s = r.summary
        reps = f"{s['reps']}/{_fmt(r.label.reps, '{}')}" if r.label.reps is not None else f"({s['reps']})"
        hold = f"{s['hold_s']:.1f}/{_fmt(r.label.hold_s)}"
        good = f"{s['good_hold_s']:.1f}/{_fmt(r.label.good_hold_s)}"
        labelled = set(r.label.faults)
        found = sorted(r.predicted_faults & labelled)
        extra = sorted(r.predicted_faults - labelled)
        missed = sorted(labelled - r.predicted_faults)
        faults = ", ".join(found) or "-"
        if missed:
            faults += f" / missed {', '.join(missed)}"
        if extra:
            faults += f" / extra {', '.join(extra)}"
        if r.refused_by_label:
            faults += f" (label: not judgeable; formcheck did not judge: {r.refusal() or 'nothing'})"
        elif not r.judged_by_label:
            faults += " (form not judged by label)"
        lines.append(f"{name:58} {reps:>9} {hold:>11} {good:>11}  {faults}")
    o = evaluation.overall()
    lines += [
        "",
        f"clips {o['clips']} (errors {o['errors']})",
        f"reps: {o['rep_clips']} clips, MAE {_fmt(o['rep_mae'], '{:.1%}')}, "
        f"within +-1 rep {_fmt(o['rep_obo'], '{:.0%}')}",
        f"hold: {o['hold_clips']} clips, mean error {_fmt(o['hold_error'], '{:.1%}')}, "
        f"within 15% {_fmt(o['hold_within_15'], '{:.0%}')}",
        f"judgeable (yes) clips: reps {o['judgeable_rep_clips']}, within +-1 {_fmt(o['judgeable_rep_obo'], '{:.0%}')}; "
        f"hold {o['judgeable_hold_clips']}, within 15% {_fmt(o['judgeable_hold_within_15'], '{:.0%}')}",
        f"good-form hold: {o['good_hold_clips']} clips, within 15% {_fmt(o['good_hold_within_15'], '{:.0%}')}",
        f"faults: precision {_fmt(o['fault_precision'], '{:.0%}')}, recall {_fmt(o['fault_recall'], '{:.0%}')}; "
        f"largest fault share on good clips {_fmt(o['good_clips_max_fault_share'], '{:.0%}')}",
    ]
    return "\n".join(lines)
