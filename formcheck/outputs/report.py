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


def pretty(name: str) -> str:
    """'hips_sagging' -> 'hips sagging'."""
    return name.replace("_", " ")


def side_name(label: str) -> str:
    """A side label as the report reads it: "left side"; other labels (which stretch, and its
    side) stand as they are: "knee to chest right"."""
    return f"{label} side" if label in ("left", "right") else pretty(label)


def side_text(times: dict) -> str:
    """One side's line: its time in position (holds), its reps (one leg, or one arm and the
    opposite leg, at a time; a dynamic variant of a hold), and the largest size of what the
    exercise measures per side ("max turn 59 deg")."""
    parts = []
    if "hold_s" in times:
        h, g = times["hold_s"], times.get("good_hold_s", 0.0)
        share = f" ({100 * g / h:.0f} %)" if h else ""
        parts.append(f"{_secs(h)} in position, {_secs(g)} good{share}")
    if "reps" in times:
        parts.append(f"{times['reps']} reps ({times.get('good_reps', 0)} good)")
    for key, value in times.items():
        if key.startswith("max_") and value is not None:
            unit = " deg" if key.endswith("_deg") else ""
            parts.append(f"max {pretty(key[4:].removesuffix('_deg'))} {value:.0f}{unit}")
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
        text = f"{title}: {summary.get('reps', 0)} reps, {summary.get('good_reps', 0)} good"
    else:
        hold, good = max(summary.get("hold_s") or 0.0, 0.0), max(summary.get("good_hold_s") or 0.0, 0.0)
        if hold > 0:
            text = f"{title}: good form {good:.1f} s of {hold:.1f} s in position ({100 * good / hold:.0f} %)"
        else:
            text = f"{title}: never in position"
        if summary.get("reps"):
            text += f", {summary['reps']} reps"
    if summary.get("partial"):
        text += " — PARTIAL (stopped early)"
    return text


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{max(float(value), 0.0):.1f} s"


def format_summary_table(summary: dict) -> str:
    """A compact text table of a session's report, for the terminal."""
    rows: list[tuple[str, str]] = []
    name = str(summary.get("exercise", "?"))
    if summary.get("variant"):
        name += f" ({summary['variant']})"
    rows.append(("Exercise", name))
    rows.append(("Duration", _secs(summary.get("duration_s"))))
    reps = summary.get("rep_details") or []
    if is_rep_exercise(summary):
        n, good = summary.get("reps", 0), summary.get("good_reps", 0)
        rows.append(("Reps", f"{n} ({good} good)" if n else "0"))
        bad = [r for r in reps if not r.get("good")]
        if bad:
            rows.append(
                (
                    "Reps with faults",
                    ", ".join(f"{r['rep']} ({', '.join(pretty(f) for f in r.get('faults', []))})" for r in bad),
                )
            )
        if summary.get("hold_s") and n:
            rows.append(("Time at the top", _secs(summary.get("hold_s"))))
        elif summary.get("hold_s"):  # held at the top without a rep (a sphinx, a bridge held)
            good, share = summary.get("good_hold_s") or 0.0, summary.get("good_share")
            pct = f" ({100 * max(share, 0.0):.0f} %)" if share is not None else ""
            rows.append(("Held at the top", _secs(summary.get("hold_s"))))
            rows.append(("Good form", _secs(good) + pct))
    else:
        hold, good = summary.get("hold_s") or 0.0, summary.get("good_hold_s") or 0.0
        share = summary.get("good_share")
        rows.append(("In position", _secs(hold)))
        pct = f" ({100 * max(share, 0.0):.0f} %)" if share is not None else ""
        rows.append(("Good form", _secs(good) + pct))
        if summary.get("reps"):
            rows.append(("Reps", f"{summary['reps']} ({summary.get('good_reps', 0)} good)"))
    for side, times in (summary.get("sides") or {}).items():
        rows.append((f"  {side_name(side)}", side_text(times)))
    ranges = {k: v for k, v in (summary.get("mean_ranges") or {}).items() if v is not None}
    if ranges:
        rows.append(("Mean range", ", ".join(f"{pretty(k)} {v:.3g}" for k, v in ranges.items())))
    spans = summary.get("faults") or []
    fault_time = summary.get("fault_time_s") or {}
    names = list(fault_time) + sorted({s["name"] for s in spans} - set(fault_time))
    if names:
        width = max(len(pretty(n)) for n in names)
        for k, fault in enumerate(names):
            count = sum(1 for s in spans if s["name"] == fault)
            cue = next((s.get("cue", "") for s in spans if s["name"] == fault and s.get("cue")), "")
            times = f"{count} time" if count == 1 else f"{count} times"
            text = f"{pretty(fault):<{width}}  {_secs(fault_time.get(fault)):>7}  {times:<8}"
            if cue:
                text += f'  "{cue}"'
            rows.append(("Faults" if k == 0 else "", text))
    else:
        rows.append(("Faults", "none"))
    unjudged_s = summary.get("unjudged_s") or 0.0
    reasons = summary.get("unjudged_reasons") or {}
    detail = ", ".join(f"{pretty(r)} {_secs(v)}" for r, v in reasons.items())
    rows.append(("Not judged", _secs(unjudged_s) + (f" ({detail})" if detail and unjudged_s else "")))
    if summary.get("partial"):
        rows.append(("PARTIAL", "stopped, or the input broke off; this covers only what was seen"))
    key_w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{key_w}}  {v}".rstrip() for k, v in rows)
