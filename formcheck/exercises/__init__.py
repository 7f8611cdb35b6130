"""The exercises formcheck judges, by name."""

from __future__ import annotations

from formcheck.errors import FormcheckError
from formcheck.exercises.base import Exercise
from formcheck.exercises.glute_bridge import GluteBridge
from formcheck.exercises.plank import Plank
from formcheck.exercises.side_plank import SidePlank
from formcheck.exercises.superman import Superman

EXERCISES: dict[str, type[Exercise]] = {cls.name: cls for cls in (Plank, SidePlank, GluteBridge, Superman)}


def exercise_class(name: str) -> type[Exercise]:
    try:
        return EXERCISES[name]
    except KeyError:
        raise FormcheckError(f"unknown exercise '{name}' (choose from: {', '.join(EXERCISES)})") from None
