"""Helpers for the notebooks that tune thresholds and explore landmarks (see notebooks/).

Everything here calls formcheck's own API (labels, tracks, `judge_track`, `summarize`); no rule is
re-implemented. What this module adds:

- the labelled clips of an exercise, and the variant formcheck judges each with;
- which threshold is drawn on which feature: each exercise's own `plots`, so a plot shows the line a
  feature must cross before a fault or a position change; tests/test_tuning.py checks every line
  against the exercise's fault and position margins on real tracks, so the picture cannot drift;
- slider ranges per threshold, and writing the changed thresholds as a TOML file that
  `formcheck analyze --config` loads (only values that differ from the defaults, validated);
- reading one video frame and drawing the judged skeleton on it (`render.draw_overlay`);
- landmark statistics for explore_landmarks: visibility, frame-to-frame jitter, lite-vs-full agreement.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.config import COMMON, default_tables, load_thresholds, validate_overrides
from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES, exercise_class
from formcheck.exercises.base import Exercise, Limit, Plot
from formcheck.files import write_text_atomic
from formcheck.lab.labels import ClipLabel, read_labels
from formcheck.lab.samples import find_labels

# -- labelled clips ------------------------------------------------------------------------------


def labels_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The labels.csv to use: the one given, else the first found beside the sample clips."""
    if path is not None:
        return Path(path)
    found = find_labels()
    if found is None:
        raise FormcheckError(
            "no labels.csv found: put the clips in sample_videos/ or ../shared/videos, or set FORMCHECK_SAMPLES"
        )
    return found


def labelled_clips(
    exercise: str | None = None, labels: str | os.PathLike[str] | None = None, existing_only: bool = True
) -> list[ClipLabel]:
    """The labelled clips (of one exercise, or all), in labels.csv order; by default only those on disk."""
    rows = read_labels(labels_path(labels))
    return [r for r in rows if (exercise is None or r.exercise == exercise) and (not existing_only or r.path.is_file())]


def find_clip(name: str, labels: str | os.PathLike[str] | None = None) -> ClipLabel:
    """A clip's label by its labels.csv path (`plank/x.mp4`) or file name (`x.mp4`)."""
    rows = read_labels(labels_path(labels))
    for r in rows:
        if name in (r.file, Path(r.file).name):
            return r
    raise FormcheckError(f"{name}: not in {labels_path(labels)}")


def clip_variant(label: ClipLabel) -> str:
    """The variant formcheck judges a labelled clip with: the label's, if the exercise knows it."""
    cls = EXERCISES.get(label.exercise)
    return label.variant if cls is not None and label.variant in cls.variants else ""


# -- thresholds: sliders, changed values, TOML ----------------------------------------------------


def default_thresholds(exercise: str) -> dict[str, float]:
    """The shipped defaults one exercise runs with (its table over [common]), standard strictness."""
    return load_thresholds(exercise)


def exercise_with(exercise: str, thresholds: Mapping[str, float], variant: str = "") -> Exercise:
    """An exercise judged with these thresholds (a full dict, e.g. defaults with a few changed)."""
    return exercise_class(exercise)(dict(thresholds), variant)


def _overridable(value: float) -> bool:
    # config.validate_overrides accepts finite numbers >= 0 only.
    return math.isfinite(value) and value >= 0


def tunable_keys(exercise: str) -> tuple[list[str], list[str]]:
    """(the exercise's own keys, the [common] keys) a threshold file can override, in TOML order.

    Keys whose shipped default is negative (glute_bridge.rep_top) are left out: a config file
    cannot set a negative value (config.validate_overrides), so a slider for them could not be saved.
    """
    tables = default_tables()
    own = [k for k, v in tables[exercise].items() if _overridable(float(v))]
    common = [k for k, v in tables[COMMON].items() if k not in tables[exercise] and _overridable(float(v))]
    return own, common


@dataclass(frozen=True)
class SliderSpec:
    key: str
    value: float
    min: float
    max: float
    step: float


def slider_spec(key: str, value: float) -> SliderSpec:
    """A sensible slider range for one threshold, from the unit in its name."""
    if key == "min_visibility":
        lo, hi, step = 0.0, 1.0, 0.05
    elif key.endswith("_deg") or key.endswith("_hysteresis") or key in ("rep_rise", "rep_drop", "twist_depth"):
        lo, hi, step = 0.0, min(180.0, max(45.0, 3.0 * abs(value))), 0.5
    elif key.endswith("_ratio"):
        lo, hi, step = 0.0, max(1.0, 3.0 * abs(value)), 0.01
    elif key.endswith("_s"):
        lo, hi, step = 0.0, max(2.0, 4.0 * abs(value)), 0.05
    else:
        lo, hi, step = 0.0, max(10.0, 3.0 * abs(value)), 0.1
    # Keep the default on the slider's grid, so an untouched slider reads back exactly.
    while step > 1e-4 and abs(round(value / step) * step - value) > 1e-9:
        step /= 10.0
    return SliderSpec(key, float(value), lo, max(hi, float(value)), step)


def changed_thresholds(exercise: str, values: Mapping[str, float], tol: float = 1e-9) -> dict[str, float]:
    """The values that differ from the exercise's shipped defaults (unknown keys raise)."""
    defaults = default_thresholds(exercise)
    changed: dict[str, float] = {}
    for key, value in values.items():
        if key not in defaults:
            raise FormcheckError(f"unknown threshold '{exercise}.{key}'")
        if abs(float(value) - defaults[key]) > tol:
            changed[key] = float(value)
    return changed


def thresholds_toml(tables: Mapping[str, Mapping[str, float]], comment: str = "") -> str:
    """TOML text with one table per exercise; each value is validated as `--config` would."""
    import tomli_w

    plain = {name: {k: float(v) for k, v in values.items()} for name, values in tables.items() if values}
    validate_overrides(plain, "tuned thresholds")
    header = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return header + ("\n" if header else "") + tomli_w.dumps(plain)


def write_thresholds(
    path: str | os.PathLike[str], exercise: str, values: Mapping[str, float], comment: str = ""
) -> dict[str, float]:
    """Write the values that differ from the defaults as `[exercise]` in a TOML file formcheck
    loads with `--config`; atomically. Returns what was written (may be empty: defaults)."""
    changed = changed_thresholds(exercise, values)
    text = thresholds_toml({exercise: changed}, comment)
    if not changed:
        text += f"# no changes: {exercise} runs with the shipped defaults\n"
    write_text_atomic(path, text)
    return changed


def panels(exercise: str, variant: str = "") -> tuple[Plot, ...]:
    """The feature plots of an exercise and variant, with their threshold lines (the exercise's own)."""
    return tuple(p for p in exercise_class(exercise).plots if p.variant in ("", variant))


def fault_lines(exercise: str) -> dict[str, list[tuple[str, Limit]]]:
    """fault name -> [(feature, limit)], for checking the drawn lines against the rules."""
    out: dict[str, list[tuple[str, Limit]]] = {}
    for plot in exercise_class(exercise).plots:
        for limit in plot.limits:
            if limit.role == "fault":
                out.setdefault(limit.fault, []).append((plot.feature, limit))
    return out


# -- one judged clip: summary vs label, plots, frames -------------------------------------------------


def clip_summary_rows(summary: Mapping[str, Any], label: ClipLabel | None) -> list[tuple[str, str, str]]:
    """(quantity, found, labelled) rows comparing one clip's summary with its label."""

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        return f"{v:.1f}" if isinstance(v, float) else str(v)

    found_faults = sorted({f["name"] for f in summary.get("faults", [])})
    rows = [
        ("reps", fmt(summary.get("reps")), fmt(label.reps if label else None)),
        ("hold s", fmt(summary.get("hold_s")), fmt(label.hold_s if label else None)),
        ("good-form hold s", fmt(summary.get("good_hold_s")), fmt(label.good_hold_s if label else None)),
        ("faults", ", ".join(found_faults) or "-", ", ".join(label.faults) if label and label.faults else "-"),
        ("not judged s", fmt(summary.get("unjudged_s")), ""),
    ]
    return rows


def format_rows(rows: Sequence[tuple[str, ...]], header: tuple[str, ...] = ("", "formcheck", "label")) -> str:
    table = [header, *rows]
    widths = [max(len(str(r[c])) for r in table) for c in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in table)


def judged_numbers(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers of a summary a threshold change is checked by (JSON-friendly)."""
    return {
        "reps": summary["reps"],
        "good_reps": summary["good_reps"],
        "hold_s": summary["hold_s"],
        "good_hold_s": summary["good_hold_s"],
        "faults": sorted({f["name"] for f in summary["faults"]}),
        "fault_time_s": dict(summary["fault_time_s"]),
    }
