"""report.json's documented shape: a JSON Schema shipped in the package (report.schema.json),
and a check of a report against it (tests, and anyone reading reports with a program)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


@cache
def report_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def report_problems(report: dict) -> list[str]:
    """Every way `report` (as read back from report.json) differs from the schema, one line each
    naming the key; [] if it validates."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(report_schema())
    problems = []
    for error in sorted(validator.iter_errors(report), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(map(str, error.absolute_path)) or "(top level)"
        problems.append(f"{where}: {error.message}")
    return problems
