"""Read a `labels.csv` of ground truth (format: ../shared/videos/LABELS.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import FormcheckError

REQUIRED_COLUMNS = ("file", "exercise", "reps", "hold_s", "good_hold_s", "faults", "fault_spans")


@dataclass(frozen=True)
class FaultSpan:
    name: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class ClipLabel:
    path: Path  # resolved against the labels file's folder
    file: str
    exercise: str
    variant: str = ""
    view: str = ""
    judgeable: str = ""
    reps: int | None = None
    hold_s: float | None = None
    good_hold_s: float | None = None
    faults: tuple[str, ...] = ()
    fault_spans: tuple[FaultSpan, ...] = ()
    position_spans: tuple[tuple[float, float], ...] = ()
    notes: str = field(default="", compare=False)


def _number(text: str, kind: type, column: str, where: str) -> float | int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError as exc:
        raise FormcheckError(f"{where}: column {column!r} has {text!r}, not a number") from exc


def _span(text: str, where: str) -> tuple[float, float]:
    start, _, end = text.strip().partition("-")
    try:
        return float(start), float(end)
    except ValueError as exc:
        raise FormcheckError(f"{where}: bad time span {text!r} (expected start-end)") from exc


def parse_row(row: dict[str, str], base: Path, where: str) -> ClipLabel:
    faults = tuple(f.strip() for f in (row.get("faults") or "").split(";") if f.strip())
    spans = []
    for item in (row.get("fault_spans") or "").split(";"):
        if item.strip():
            name, _, times = item.strip().partition("@")
            spans.append(FaultSpan(name.strip(), *_span(times, where)))
    positions = tuple(_span(s, where) for s in (row.get("position_spans") or "").split(";") if s.strip())
    return ClipLabel(
        path=base / row["file"],
        file=row["file"],
        exercise=row["exercise"].strip(),
        variant=(row.get("variant") or "").strip(),
        view=(row.get("view") or "").strip(),
        judgeable=(row.get("judgeable") or "").strip(),
        reps=_number(row.get("reps") or "", int, "reps", where),  # type: ignore[arg-type]
        hold_s=_number(row.get("hold_s") or "", float, "hold_s", where),  # type: ignore[arg-type]
        good_hold_s=_number(row.get("good_hold_s") or "", float, "good_hold_s", where),  # type: ignore[arg-type]
        faults=faults,
        fault_spans=tuple(spans),
        position_spans=positions,
        notes=row.get("notes") or "",
    )


def read_labels(path: str | Path) -> list[ClipLabel]:
    path = Path(path)
    if not path.is_file():
        raise FormcheckError(f"{path}: no such labels file")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FormcheckError(f"{path}: not a labels file (missing columns: {', '.join(missing)})")
        return [parse_row(row, path.parent, f"{path}:{i + 2}") for i, row in enumerate(reader)]
