"""Read a `labels.csv` of ground truth (format: ../shared/videos/LABELS.md)."""

from __future__ import annotations

import csv
import io
import math
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
    """An empty cell is unknown; anything else must be a finite count or time, >= 0."""
    text = text.strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError as exc:
        raise FormcheckError(f"{where}: column {column!r} has {text!r}, not a number") from exc
    if not (math.isfinite(value) and value >= 0):  # NaN or inf would be scored as a label
        raise FormcheckError(f"{where}: column {column!r} has {text!r}, not a finite number >= 0")
    return value


def _span(text: str, where: str) -> tuple[float, float]:
    start, _, end = text.strip().partition("-")
    try:
        span = float(start), float(end)
    except ValueError as exc:
        raise FormcheckError(f"{where}: bad time span {text!r} (expected start-end)") from exc
    if not (all(math.isfinite(t) for t in span) and 0 <= span[0] <= span[1]):
        raise FormcheckError(f"{where}: bad time span {text!r} (expected seconds start-end, start <= end)")
    return span


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


def _text(path: Path) -> str:
    """The file as text: UTF-8, with or without the BOM Excel's "CSV UTF-8" writes.

    Other encodings are refused rather than guessed: a Latin-1 guess would decode any bytes, so a
    wrong guess would go unnoticed and could turn a file name into one that is not on disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FormcheckError(f"{path}: cannot read the labels file ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormcheckError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8 (Excel: CSV UTF-8)"
        ) from exc


def _check_fields(row: dict, fieldnames: list[str], where: str) -> None:
    """A row must fill every required column, and have no more fields than the header."""
    if None in row:  # csv puts the surplus of a long row under the key None
        raise FormcheckError(
            f"{where}: {len(fieldnames) + len(row[None])} fields, the header has {len(fieldnames)}"
            " (a comma in an unquoted cell?)"
        )
    if any(row.get(column) is None for column in REQUIRED_COLUMNS):
        filled = sum(value is not None for value in row.values())
        raise FormcheckError(f"{where}: only {filled} of the {len(fieldnames)} columns")


def read_labels(path: str | Path) -> list[ClipLabel]:
    path = Path(path)
    if not path.is_file():
        raise FormcheckError(f"{path}: no such labels file")
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    try:
        fieldnames = list(reader.fieldnames or [])
        missing = [c for c in REQUIRED_COLUMNS if c not in fieldnames]
        if missing:
            raise FormcheckError(f"{path}: not a labels file (missing columns: {', '.join(missing)})")
        labels = []
        for row in reader:
            where = f"{path}:{reader.line_num}"
            _check_fields(row, fieldnames, where)
            labels.append(parse_row(row, path.parent, where))
        return labels
    except csv.Error as exc:
        raise FormcheckError(f"{path}:{reader.line_num}: not a CSV row ({exc})") from exc
