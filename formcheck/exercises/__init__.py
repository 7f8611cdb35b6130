"""The exercises formcheck judges, by name: every module in this package that defines an Exercise.

Adding an exercise is its module here, its table in thresholds.toml, and its tests: the module is
found and imported below, and its class joins the registry (`EXERCISES`) by being defined.
"""

from __future__ import annotations

import importlib
import pkgutil

from formcheck.errors import FormcheckError
from formcheck.exercises.base import REGISTRY, Exercise

# Shared parts, not exercises.
_SHARED = {"back", "base", "measures", "posing", "stretch_shapes"}

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SHARED:
        importlib.import_module(f"{__name__}.{_module.name}")

EXERCISES = REGISTRY


def exercise_class(name: str) -> type[Exercise]:
    try:
        return EXERCISES[name]
    except KeyError:
        raise FormcheckError(f"unknown exercise '{name}' (choose from: {', '.join(EXERCISES)})") from None
