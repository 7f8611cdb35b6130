"""Workout plans as data: days of steps (exercise, sets, a target per set, rests, what to say).

The article's three-day plan ships as `formcheck/plans/back_care.toml`; a user's plan file has the
same shape and is checked key by key, each problem one line naming the key
(`plan.toml: days[2].steps[1].sets must be a whole number >= 1, got 0`).

This module is shared by the front doors (workout, plan listing, history's targets), so it knows
the exercises only by name, from the thresholds tables; which variants each has is passed in by
the caller that knows the exercises (`catalog`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from formcheck.config import default_tables
from formcheck.errors import FormcheckError

SHIPPED = "back_care.toml"
NOT_EXERCISES = {"common", "workout"}  # thresholds tables that are not an exercise's
PLAN_KEYS = {"name", "about", "days"}
DAY_KEYS = {"title", "steps"}
STEP_KEYS = {
    "exercise",
    "variant",
    "sets",
    "reps",
    "seconds",
    "per_side",
    "rest_s",
    "rest_after_s",
    "instruction",
    "camera",
}
MAX_SETS = 20
MAX_REPS = 500
MAX_SECONDS = 3600.0  # an hour: longer is a typo, not a set
MAX_REST_S = 1800.0


@dataclass(frozen=True)
class Step:
    """One exercise of a day: `sets` sets of `reps` reps, or of `seconds` (good-form time for a
    hold; time spent for a movement done for a while), once per side when `per_side`."""

    exercise: str
    variant: str
    sets: int
    reps: int | None
    seconds: float | None
    per_side: bool
    rest_s: float
    rest_after_s: float
    instruction: str
    camera: str

    @property
    def timed(self) -> bool:
        return self.seconds is not None

    @property
    def target(self) -> float:
        """The per-set (per-side) target: seconds if timed, else reps."""
        return float(self.seconds if self.seconds is not None else self.reps or 0)

    @property
    def target_text(self) -> str:
        return f"{self.seconds:g} s" if self.seconds is not None else f"{self.reps} reps"

    def describe(self) -> str:
        """e.g. "side_plank: 3 x 20 s per side, rest 30 s"."""
        name = self.exercise + (f" ({self.variant})" if self.variant else "")
        amount = f"{self.sets} x {self.target_text}" if self.sets > 1 else self.target_text
        side = " per side" if self.per_side else ""
        rest = f", rest {self.rest_s:g} s" if self.sets > 1 and self.rest_s else ""
        return f"{name}: {amount}{side}{rest}"


@dataclass(frozen=True)
class Day:
    number: int  # from 1, as the user types it
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Plan:
    name: str
    about: str
    days: tuple[Day, ...]
    source: str  # the file it came from (or the shipped plan's name)

    def day(self, number: int) -> Day:
        if not 1 <= number <= len(self.days):
            raise FormcheckError(f"{self.source}: no day {number} (the plan has days 1-{len(self.days)})")
        return self.days[number - 1]


def shipped_plan_text() -> str:
    return resources.files("formcheck").joinpath("plans", SHIPPED).read_text(encoding="utf-8")


def load_plan(path: Path | None = None, catalog: Mapping[str, Collection[str]] | None = None) -> Plan:
    """The plan in `path` (None: the shipped one), checked. `catalog` maps each exercise to its
    variants; without it the exercises are those with a thresholds table, any variant allowed."""
    if path is None:
        source, text = f"shipped plan {SHIPPED}", shipped_plan_text()
    else:
        source, text = str(path), _read_text(Path(path))
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FormcheckError(f"{source}: not valid TOML ({_short(exc)})") from exc
    known = catalog if catalog is not None else {name: () for name in default_tables() if name not in NOT_EXERCISES}
    return _plan(data, source, known, check_variants=catalog is not None)


def headline_targets(plan: Plan) -> dict[str, float]:
    """Exercise -> per-set target, the figure progress is measured against: seconds (good-form
    time) for timed steps, reps (good reps) otherwise, per side for per-side steps. An exercise in
    several steps keeps its first step's target."""
    targets: dict[str, float] = {}
    for day in plan.days:
        for step in day.steps:
            targets.setdefault(step.exercise, step.target)
    return targets


def format_plan(plan: Plan) -> str:
    """The days and their steps, as `formcheck plan` prints them."""
    lines = [plan.name + (f" ({plan.source})" if not plan.source.startswith("shipped") else "")]
    if plan.about:
        lines.append(plan.about)
    for day in plan.days:
        lines.append("")
        lines.append(f"Day {day.number}: {day.title}" if day.title else f"Day {day.number}")
        for i, step in enumerate(day.steps, 1):
            after = f"; then rest {step.rest_after_s:g} s" if step.rest_after_s else ""
            lines.append(f"  {i}. {step.describe()}{after}")
            lines.append(f"     {step.instruction}")
            lines.append(f"     Camera: {step.camera}")
    return "\n".join(lines)


# Checking ------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise FormcheckError(f"{path}: no such plan file") from exc
    except IsADirectoryError as exc:
        raise FormcheckError(f"{path}: is a folder, not a plan file") from exc
    except OSError as exc:
        raise FormcheckError(f"{path}: cannot read the plan file ({exc.strerror})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormcheckError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})") from exc


def _short(value: object) -> str:
    text = " ".join(str(value).split()) if isinstance(value, BaseException) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _unknown(keys: Collection[str], allowed: set[str], where: str, source: str) -> None:
    extra = sorted(k for k in keys if k not in allowed)
    if extra:
        key = f"{where}.{extra[0]}" if where else extra[0]
        shown = key if key.isprintable() and len(key) <= 80 else _short(key)
        raise FormcheckError(f"{source}: unknown key {shown} (known: {', '.join(sorted(allowed))})")


def _text(table: Mapping[str, Any], key: str, where: str, source: str, required: bool) -> str:
    if key not in table:
        if required:
            raise FormcheckError(f"{source}: {where}.{key} is missing")
        return ""
    value = table[key]
    if not isinstance(value, str):
        raise FormcheckError(f"{source}: {where}.{key} must be text, got {_short(value)}")
    if required and not value.strip():
        raise FormcheckError(f"{source}: {where}.{key} must not be empty")
    return " ".join(value.split())


def _number(table: Mapping[str, Any], key: str, where: str, source: str, low: float, high: float) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FormcheckError(f"{source}: {where}.{key} must be a number, got {_short(value)}")
    if not low <= value <= high:
        raise FormcheckError(f"{source}: {where}.{key} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def _whole(table: Mapping[str, Any], key: str, where: str, source: str, high: int) -> int:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise FormcheckError(f"{source}: {where}.{key} must be a whole number from 1 to {high}, got {_short(value)}")
    return value


def _list_of_tables(value: Any, where: str, source: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise FormcheckError(f"{source}: {where} must be one or more [[{where}]] tables")
    return value


def _plan(data: Mapping[str, Any], source: str, known: Mapping[str, Collection[str]], check_variants: bool) -> Plan:
    _unknown(data, PLAN_KEYS, "", source)
    if "days" not in data:
        raise FormcheckError(f"{source}: days is missing (one [[days]] table per day)")
    days = []
    for d, day in enumerate(_list_of_tables(data["days"], "days", source), 1):
        where = f"days[{d}]"
        _unknown(day, DAY_KEYS, where, source)
        if "steps" not in day:
            raise FormcheckError(f"{source}: {where}.steps is missing (one [[days.steps]] table per step)")
        steps = tuple(
            _step(step, f"{where}.steps[{s}]", source, known, check_variants)
            for s, step in enumerate(_list_of_tables(day["steps"], "days.steps", source), 1)
        )
        days.append(Day(d, _text(day, "title", where, source, required=False), steps))
    name = _text(data, "name", "plan", source, required=False) or Path(source).stem
    return Plan(name, _text(data, "about", "plan", source, required=False), tuple(days), source)


def _step(
    table: Mapping[str, Any], where: str, source: str, known: Mapping[str, Collection[str]], check_variants: bool
) -> Step:
    _unknown(table, STEP_KEYS, where, source)
    exercise = _text(table, "exercise", where, source, required=True)
    if exercise not in known:
        raise FormcheckError(
            f"{source}: {where}.exercise: unknown exercise {_short(exercise)} (choose from: {', '.join(known)})"
        )
    variant = _text(table, "variant", where, source, required=False)
    if check_variants and variant and variant not in known[exercise]:
        options = ", ".join(known[exercise]) or "none"
        raise FormcheckError(
            f"{source}: {where}.variant: {exercise} has no variant {_short(variant)} (variants: {options})"
        )
    if ("reps" in table) == ("seconds" in table):
        raise FormcheckError(f"{source}: {where} needs either reps or seconds (one of them, per set)")
    per_side = table.get("per_side", False)
    if not isinstance(per_side, bool):
        raise FormcheckError(f"{source}: {where}.per_side must be true or false, got {_short(per_side)}")
    sets = _whole(table, "sets", where, source, MAX_SETS) if "sets" in table else 1
    return Step(
        exercise=exercise,
        variant=variant,
        sets=sets,
        reps=_whole(table, "reps", where, source, MAX_REPS) if "reps" in table else None,
        seconds=_number(table, "seconds", where, source, 1.0, MAX_SECONDS) if "seconds" in table else None,
        per_side=per_side,
        rest_s=_number(table, "rest_s", where, source, 0.0, MAX_REST_S) if "rest_s" in table else 0.0,
        rest_after_s=(
            _number(table, "rest_after_s", where, source, 0.0, MAX_REST_S) if "rest_after_s" in table else 0.0
        ),
        instruction=_text(table, "instruction", where, source, required=True),
        camera=_text(table, "camera", where, source, required=True),
    )
