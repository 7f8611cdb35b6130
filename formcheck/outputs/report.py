"""A session's numbers for people and programs: report.json, frames.csv, and a short table and
headline for the terminal (timeline.png is outputs/timeline). Every file is written atomically
(formcheck.files), so a reader never sees half a file and an interrupted run leaves the previous
one intact.
"""

from __future__ import annotations

import csv
import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from formcheck import __version__
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import REASONS
from formcheck.files import atomic_write, write_text_atomic
from formcheck.i18n import (
    _,
    degrees_text,
    label_text,
    language,
    name_text,
    ngettext,
    num,
    percent_text,
    seconds_text,
    sig_num,
    signal_text,
)
from formcheck.judging.judge import Judge
from formcheck.judging.judgement import Judgement
from formcheck.judging.summary import summarize

SCHEMA_VERSION = 1  # report.schema.json's version: raised when a key changes meaning or goes


def utc_now() -> str:
    """'2026-11-29T18:20:05Z': when a report was made, the same in every time zone."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(
    judge: Judge,
    source: str,
    model: str,
    partial: bool,
    *,
    source_sha256: str | None = None,
    model_sha256: str | None = None,
    strictness: str = "standard",
    fps: float | None = None,
    size: tuple[int, int] | None = None,
    **extra: Any,
) -> dict:
    """report.json's content (documented in report.schema.json and the README): the session's
    numbers (summary) with where they came from. `source` is a name (a file's name, "camera 0"),
    not a path, unless the user asked for the full path."""
    summary = summarize(judge)
    return {
        "schema_version": SCHEMA_VERSION,
        "created_at": utc_now(),
        "exercise": summary.pop("exercise"),
        "variant": summary.pop("variant"),
        "source": source,
        "source_sha256": source_sha256,
        **summary,
        "partial": partial,
        "model": model,
        "model_sha256": model_sha256,
        "strictness": strictness,
        "fps": round(fps, 3) if fps else None,
        "width": size[0] if size else None,
        "height": size[1] if size else None,
        "thresholds": judge.ex.t,
        "formcheck_version": __version__,
        "warnings": [],
        "language": language(),  # of the texts for people; the report's own texts stay English identifiers
        **extra,
    }


def json_safe(value: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, numpy scalars and arrays -> Python, paths -> str,
    and text that is not UTF-8 (a file name with undecodable bytes) shown as `\\xff` escapes."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value


def write_json(path: Path | str, data: dict) -> None:
    """Write `data` as indented JSON (NaN -> null), atomically."""
    text = json.dumps(json_safe(data), indent=2, ensure_ascii=False, allow_nan=False)
    write_text_atomic(path, text + "\n")


# -- frames.csv -----------------------------------------------------------------------------

FRAME_COLUMNS = (
    "frame",
    "time_s",
    "judged",
    "unjudged_reason",
    "in_position",
    "phase",
    "reps",
    "good_reps",
    "in_position_s",  # running totals; for reps, the report's hold_s is the time at the tops
    "good_form_s",
    "faults",
    "cue",
)


def _num(value: float, digits: int = 2) -> str:
    """Rounded, '' for NaN/inf, never '-0.0'."""
    value = float(value)
    if not math.isfinite(value):
        return ""
    return repr(round(value, digits) + 0.0)


def unjudged_reason_name(code: int) -> str:
    """The name of why a frame was not judged ('settling' while the judge waits out a glitch)."""
    return REASONS[code][0] if code in REASONS else "settling"


def write_frames_csv(path: Path | str, judgement: Judgement) -> None:
    """One row per frame: the judge's state, then every feature (2 decimals, empty for NaN)."""
    features = judgement.signals.features
    names = list(features)
    columns = list(FRAME_COLUMNS)
    sides = judgement.exercise.reports_sides
    if sides:
        columns.insert(columns.index("faults"), "side")
    columns += names
    values = [np.asarray(features[n], dtype=np.float64) for n in names]
    with atomic_write(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for i, s in enumerate(judgement.final_states):
            row: list[object] = [
                s.index,
                _num(s.t, 3),
                int(s.judged),
                "" if s.judged else unjudged_reason_name(s.reason),
                int(s.in_position),
                s.phase,
                s.reps,
                s.good_reps,
                _num(s.hold_s),
                _num(s.good_hold_s),
            ]
            if sides:
                row.append(s.side)
            row += [";".join(s.faults), s.cue]
            row += [_num(v[i]) for v in values]
            writer.writerow(row)


# -- headline and terminal table ---------------------------------------------------------
# For people, in the language (formcheck.i18n): words from the catalogue, decimal commas in German.


def pretty(name: str) -> str:
    """'hips_sagging' -> 'hips sagging' (English words; `name_text` gives them in the language)."""
    return name.replace("_", " ")


def side_name(label: str) -> str:
    """A side label as the report reads it: "left side"; other labels (which stretch, and its
    side) in words: "knee to chest right"."""
    if label in ("left", "right"):
        return _("left side") if label == "left" else _("right side")
    return label_text(label)


def side_text(times: dict) -> str:
    """One side's line: its time in position (holds), its reps (one leg, or one arm and the
    opposite leg, at a time; a dynamic variant of a hold), and the largest size of what the
    exercise measures per side ("max turn 59 deg")."""
    parts = []
    if "hold_s" in times:
        h, g = times["hold_s"], times.get("good_hold_s", 0.0)
        share = f" ({percent_text(g / h)})" if h else ""
        parts.append(_("{held} in position, {good} good").format(held=_secs(h), good=_secs(g)) + share)
    if "reps" in times:
        parts.append(_("{reps} reps ({good} good)").format(reps=times["reps"], good=times.get("good_reps", 0)))
    for key, value in times.items():
        if key.startswith("max_") and value is not None:
            what = name_text(key[4:].removesuffix("_deg"))
            size = degrees_text(value) if key.endswith("_deg") else num(value, 0)
            parts.append(_("max {what} {size}").format(what=what, size=size))
    return ", ".join(parts)


def is_rep_exercise(summary: dict) -> bool:
    """Whether the summary is of a rep exercise (by its exercise's kind, else by its reps)."""
    cls = EXERCISES.get(str(summary.get("exercise", "")))
    if cls is not None:
        return cls.kind_of(str(summary.get("variant") or "")) == "reps"
    return bool(summary.get("rep_details"))


def headline(summary: dict, title: str) -> str:
    """'Plank: good form 12.3 s of 15.0 s in position (82 %)' / 'Glute bridge: 12 reps, 10 good'."""
    if is_rep_exercise(summary):
        text = _("{title}: {reps} reps, {good} good").format(
            title=title, reps=summary.get("reps", 0), good=summary.get("good_reps", 0)
        )
    else:
        hold, good = max(summary.get("hold_s") or 0.0, 0.0), max(summary.get("good_hold_s") or 0.0, 0.0)
        if hold > 0:
            text = _("{title}: good form {good} of {held} in position ({share})").format(
                title=title, good=_secs(good), held=_secs(hold), share=percent_text(good / hold)
            )
        else:
            text = _("{title}: never in position").format(title=title)
        if summary.get("reps"):
            text += ", " + _("{reps} reps").format(reps=summary["reps"])
    if summary.get("partial"):
        text += " — " + _("PARTIAL (stopped early)")
    return text


def _measure(name: str, value: float) -> str:
    return degrees_text(value) if name.endswith("_deg") else sig_num(value)


def _secs(value: float | None) -> str:
    return "-" if value is None else seconds_text(max(float(value), 0.0))


def exercise_title(summary: dict) -> str:
    """'Plank (high)' / 'Unterarmstütz (hoch)': the exercise's title and variant in the language."""
    name = str(summary.get("exercise", "?"))
    cls = EXERCISES.get(name)
    title = _(cls.title) if cls is not None else name
    return title + (f" ({name_text(str(summary['variant']))})" if summary.get("variant") else "")


def format_summary_table(summary: dict) -> str:
    """A compact text table of a session's report, for the terminal."""
    rows: list[tuple[str, str]] = []
    rows.append((_("Exercise"), exercise_title(summary)))
    rows.append((_("Duration"), _secs(summary.get("duration_s"))))
    reps = summary.get("rep_details") or []
    if is_rep_exercise(summary):
        n, good = summary.get("reps", 0), summary.get("good_reps", 0)
        rows.append((_("Reps"), _("{reps} ({good} good)").format(reps=n, good=good) if n else "0"))
        bad = [r for r in reps if not r.get("good")]
        if bad:
            rows.append(
                (
                    _("Reps with faults"),
                    ", ".join(f"{r['rep']} ({', '.join(name_text(f) for f in r.get('faults', []))})" for r in bad),
                )
            )
        if summary.get("hold_s") and n:
            rows.append((_("Time at the top"), _secs(summary.get("hold_s"))))
        elif summary.get("hold_s"):  # held at the top without a rep (a sphinx, a bridge held)
            good, share = summary.get("good_hold_s") or 0.0, summary.get("good_share")
            pct = f" ({percent_text(max(share, 0.0))})" if share is not None else ""
            rows.append((_("Held at the top"), _secs(summary.get("hold_s"))))
            rows.append((_("Good form"), _secs(good) + pct))
    else:
        hold, good = summary.get("hold_s") or 0.0, summary.get("good_hold_s") or 0.0
        share = summary.get("good_share")
        rows.append((_("In position"), _secs(hold)))
        pct = f" ({percent_text(max(share, 0.0))})" if share is not None else ""
        rows.append((_("Good form"), _secs(good) + pct))
        if summary.get("reps"):
            rows.append(
                (_("Reps"), _("{reps} ({good} good)").format(reps=summary["reps"], good=summary.get("good_reps", 0)))
            )
    for side, times in (summary.get("sides") or {}).items():
        rows.append((f"  {side_name(side)}", side_text(times)))
    ranges = {k: v for k, v in (summary.get("mean_ranges") or {}).items() if v is not None}
    if ranges:
        rows.append((_("Mean range"), ", ".join(f"{signal_text(k)} {_measure(k, v)}" for k, v in ranges.items())))
    spans = summary.get("faults") or []
    fault_time = summary.get("fault_time_s") or {}
    names = list(fault_time) + sorted({s["name"] for s in spans} - set(fault_time))
    if names:
        width = max(len(name_text(n)) for n in names)
        for k, fault in enumerate(names):
            count = sum(1 for s in spans if s["name"] == fault)
            cue = next((s.get("cue", "") for s in spans if s["name"] == fault and s.get("cue")), "")
            times = ngettext("{n} time", "{n} times", count).format(n=count)
            text = f"{name_text(fault):<{width}}  {_secs(fault_time.get(fault)):>7}  {times:<8}"
            if cue:  # report.json keeps the English cue; shown in the language
                text += "  " + _('"{cue}"').format(cue=_(cue))
            rows.append((_("Faults") if k == 0 else "", text))
    else:
        rows.append((_("Faults"), _("none")))
    unjudged_s = summary.get("unjudged_s") or 0.0
    reasons = summary.get("unjudged_reasons") or {}
    detail = ", ".join(f"{name_text(r)} {_secs(v)}" for r, v in reasons.items())
    rows.append((_("Not judged"), _secs(unjudged_s) + (f" ({detail})" if detail and unjudged_s else "")))
    if summary.get("partial"):
        rows.append((_("PARTIAL"), _("stopped, or the input broke off; this covers only what was seen")))
    key_w = max(len(k) for k, _v in rows)
    return "\n".join(f"{k:<{key_w}}  {v}".rstrip() for k, v in rows)
