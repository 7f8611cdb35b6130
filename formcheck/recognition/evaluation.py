"""`formcheck evaluate --recognition`: per labelled clip the exercise recognised over its
in-position spans (leave-one-clip-out: each clip by a model trained without it; the hold-out clips
by the shipped model), per-exercise accuracy, the confusion matrix and the overall accuracy."""

from __future__ import annotations

from pathlib import Path

from formcheck.lab.labels import ClipLabel
from formcheck.pipeline.track import Track
from formcheck.recognition.features import STEP_S
from formcheck.recognition.model import NONE
from formcheck.recognition.scoring import ClipScore, confusion, overall, score_clips
from formcheck.recognition.train import build_table, classes, load_table, sample_track

GROUPS = (("judgeable yes", ("yes",)), ("yes + partial", ("yes", "partial")), ("all", ("yes", "partial", "no")))


def track_finder(model: str, extract: bool):
    """A labelled clip's track: the committed sample, else the cache, else (with `extract`) the model."""
    from formcheck.pipeline.cache import TrackCache
    from formcheck.pipeline.extract import track_for_video
    from formcheck.pipeline.models import resolve_model

    model_file = resolve_model(model)

    def find(label: ClipLabel) -> Track | None:
        if model_file.name == "full" and (track := sample_track(label)) is not None:
            return track
        if not label.path.is_file():
            return None
        if extract:
            return track_for_video(label.path, model_file, outline=True)[0]
        return TrackCache().find(label.path, model_file, outline=True)

    return find


def evaluate_recognition(labels: Path, model: str = "full", extract: bool = True) -> list[ClipScore]:
    """The labelled clips' features as computed now, each scored against the committed training
    features (leave-one-clip-out)."""
    return score_clips(load_table(), build_table(labels, track_finder(model, extract)))


def figures(scores: list[ClipScore]) -> dict:
    names = classes()
    others = [s for s in scores if s.exercise == NONE]  # pushups, squats: no set should be found
    dev = [s for s in scores if not s.holdout and s.exercise != NONE]
    per_exercise = {}
    for name in names[1:]:
        own = [s for s in dev if s.exercise == name and s.judgeable == "yes"]
        if own:
            per_exercise[name] = round(overall(own), 3)
    return {
        "leave_one_clip_out": {g: round(overall([s for s in dev if s.judgeable in j]), 3) for g, j in GROUPS},
        "per_exercise_judgeable": per_exercise,
        "holdout": round(overall([s for s in scores if s.holdout]), 3),
        "not_judged_as_none": round(overall(others), 3) if others else None,
        "confusion_classes": list(names),
        "confusion_judgeable": confusion([s for s in dev if s.judgeable == "yes"], names).tolist(),
        "clips": [
            {
                "file": s.file,
                "exercise": s.exercise,
                "judgeable": s.judgeable,
                "holdout": s.holdout,
                "recognised": s.recognised,
                "accuracy": round(s.accuracy, 3),
                "in_position_s": round(len(s.in_position) * STEP_S, 1),
            }
            for s in scores
        ],
    }


def format_report(scores: list[ClipScore]) -> str:
    f = figures(scores)
    lines = [f"{'clip':62} {'judg':4} {'labelled':15} {'recognised':15} {'right':>6}"]
    for c in f["clips"]:
        mark = " (hold-out)" if c["holdout"] else ""
        lines.append(
            f"{c['file'][-62:]:62} {c['judgeable'][:4]:4} {c['exercise']:15} {c['recognised'] or '-':15} "
            f"{100 * c['accuracy']:5.0f}%{mark}"
        )
    names = f["confusion_classes"]
    short = [n[:6] for n in names]
    lines += ["", "confusion over the judgeable clips' in-position time (rows labelled, columns recognised; samples):"]
    lines.append(f"{'':15} " + " ".join(f"{n:>6}" for n in short))
    for name, row in zip(names, f["confusion_judgeable"], strict=True):
        if any(row):
            lines.append(f"{name:15} " + " ".join(f"{v:6d}" for v in row))
    lines += [
        "",
        "per exercise (judgeable clips): "
        + ", ".join(f"{k} {100 * v:.0f}%" for k, v in f["per_exercise_judgeable"].items()),
    ]
    loco = f["leave_one_clip_out"]
    lines.append(
        "in-position time recognised right, leave-one-clip-out: "
        + ", ".join(f"{g} {100 * v:.1f}%" for g, v in loco.items())
    )
    lines.append(f"hold-out clips (never developed on): {100 * f['holdout']:.1f}%")
    if f["not_judged_as_none"] is not None:
        lines.append(
            f"exercises formcheck does not judge (pushup, squat) recognised as none: "
            f"{100 * f['not_judged_as_none']:.1f}%"
        )
    return "\n".join(lines)
