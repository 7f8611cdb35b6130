"""`formcheck plan`: the workout plan's days and steps, with the plan checked against the exercises."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.exercises import EXERCISES
from formcheck.plan import Plan, format_plan, load_plan


def exercise_catalog() -> dict[str, tuple[str, ...]]:
    """Every exercise with its variants: what a plan's steps may name."""
    return {name: tuple(cls.variants) for name, cls in EXERCISES.items()}


def load_checked_plan(path: str | Path | None) -> Plan:
    """The shipped plan (None) or the user's file, with each step's exercise and variant checked."""
    return load_plan(Path(path) if path else None, exercise_catalog())


def cmd_plan(args: argparse.Namespace) -> int:
    print(format_plan(load_checked_plan(args.plan)))
    return 0


def add_plan_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", metavar="TOML", help="a plan file (default: the shipped three-day back-care plan)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("plan", help="list the workout plan's days and steps (and check a plan file)")
    add_plan_option(p)
    p.set_defaults(func=cmd_plan)
