"""The one-way flow, enforced: source -> pose -> smoothing -> exercise rules -> outputs.

Each package is a stage; a module may import its own stage and the stages before it, never after.
The rules never load OpenCV, MediaPipe or matplotlib; an exercise module knows only the shared
exercise base, geometry and landmark helpers (no sibling exercise); outputs never run a session;
and no two modules import each other, directly or round a loop.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "formcheck"
# The stages in flow order; the top-level modules (errors, config, geometry, ...) are shared by all.
STAGES = ("pipeline", "exercises", "judging", "outputs", "lab", "recognition", "app")
EXERCISE_HELPERS = {
    "formcheck.exercises.back",
    "formcheck.exercises.base",
    "formcheck.exercises.frames",
    "formcheck.exercises.measures",
    "formcheck.exercises.posing",
    "formcheck.exercises.stretch_shapes",
}
ALLOWED_IN_EXERCISES = EXERCISE_HELPERS | {"formcheck", "formcheck.geometry", "formcheck.landmarks"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):  # type: ignore[no-untyped-def]
    """Every node, except those under `if TYPE_CHECKING:` (annotations only, never imported)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_modules(source: str, module: str) -> set[str]:
    """Every formcheck module the source imports when it runs, at the top or inside a function."""
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                base = ".".join([*module.split(".")[: -node.level], node.module])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}")}
    return {m for m in found if m == "formcheck" or m.startswith("formcheck.") or m.split(".")[0] in _NATIVE}


_NATIVE = {"cv2", "mediapipe", "matplotlib"}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def all_modules() -> dict[str, set[str]]:
    return {
        module_name(path): imported_modules(path.read_text(encoding="utf-8"), module_name(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def stage(module: str) -> int:
    """-1 for the shared top-level modules, else the stage's place in the flow (`python -m
    formcheck` is the command line's)."""
    if module == "formcheck.__main__":
        return STAGES.index("app")
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 2 or (len(parts) == 2 and parts[1] in STAGES) else -1


def exercise_module_problems(module: str, source: str) -> list[str]:
    """What an exercise module imports beyond the shared exercise parts, geometry and landmarks."""
    imports = imported_modules(source, module)
    return sorted(m for m in imports if m not in ALLOWED_IN_EXERCISES)


def test_rules_load_no_opencv_mediapipe_or_matplotlib():
    code = (
        "import sys\n"
        "import formcheck.exercises, formcheck.judging.judge, formcheck.judging.session, formcheck.judging.summary\n"
        "import formcheck.pipeline.track\n"
        "print(sorted(m for m in ('cv2', 'mediapipe', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted((PACKAGE / "exercises").glob("*.py"))
        if p.stem != "__init__" and module_name(p) not in EXERCISE_HELPERS
    ],
    ids=lambda p: p.stem,
)
def test_exercise_modules_import_only_the_shared_helpers(path):
    assert exercise_module_problems(module_name(path), path.read_text(encoding="utf-8")) == []


def test_the_exercise_check_catches_opencv_and_a_sibling_exercise():
    source = "import cv2\nfrom formcheck.exercises.plank import head_angle_deg\nfrom formcheck import geometry as g\n"
    assert exercise_module_problems("formcheck.exercises.toy", source) == ["cv2", "formcheck.exercises.plank"]


def test_each_stage_imports_only_itself_and_earlier_stages():
    problems = []
    for module, imports in all_modules().items():
        for target in imports:
            if target.startswith("formcheck") and stage(target) > stage(module):
                problems.append(f"{module} -> {target}")
    assert problems == []


def test_outputs_never_run_a_session():
    outputs = {m: i for m, i in all_modules().items() if m.startswith("formcheck.outputs")}
    assert outputs and not [m for m, imports in outputs.items() if "formcheck.judging.session" in imports]


def test_no_import_cycles():
    graph = {m: {i for i in imports if i.startswith("formcheck.") and i != m} for m, imports in all_modules().items()}
    # A package's __init__ is imported with any of its modules: not an edge worth a cycle.
    graph = {m: {i for i in deps if not m.startswith(i + ".")} for m, deps in graph.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
