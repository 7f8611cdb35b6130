"""The history: every `analyze`, `live` and workout set, kept in one SQLite file in the user's
data folder (formcheck.history.store), so progress over days can be shown (`formcheck history`).

`record(report, report_path=..., kind=...)` is the one call the commands make after a report is
written. It never raises: a history that cannot be written costs one line, never the run.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from formcheck.history.store import Entry, History, HistoryError, history_path

__all__ = ["Entry", "History", "HistoryError", "entry_from_report", "history_path", "record"]


def entry_from_report(report: dict, report_path: Path | None = None, kind: str = "analyze") -> Entry:
    """The history row of a report.json dict."""
    when = report.get("created_at") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Entry(
        recorded_at=str(when),
        exercise=str(report["exercise"]),
        variant=str(report.get("variant") or ""),
        source=str(report.get("source") or ""),
        source_sha256=report.get("source_sha256"),
        reps=int(report.get("reps") or 0),
        good_reps=int(report.get("good_reps") or 0),
        hold_s=float(report.get("hold_s") or 0.0),
        good_hold_s=float(report.get("good_hold_s") or 0.0),
        faults=[{"name": f["name"], "start_s": f["start_s"], "end_s": f["end_s"]} for f in report.get("faults") or []],
        model=report.get("model"),
        strictness=report.get("strictness"),
        report_path=str(Path(report_path).absolute()) if report_path else None,
        kind=kind,
        model_sha256=report.get("model_sha256"),
        duration_s=report.get("duration_s"),
        partial=bool(report.get("partial")),
    )


def record(report: dict, *, report_path: Path | None, kind: str = "analyze") -> None:
    """Add a session's report to the history (replacing an earlier entry of the same content,
    kind and exercise). Any problem is one line on stderr, and the caller carries on."""
    try:
        entry = entry_from_report(report, report_path, kind)
        with History.open() as history:
            history.add(entry)
    except Exception as exc:  # the history is never worth a failed run
        text = " ".join(str(exc).split()) or type(exc).__name__
        print(f"formcheck: note: not recorded in the history ({history_path()}): {text}", file=sys.stderr)
