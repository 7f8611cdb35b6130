"""Where a text a person reads may appear in formcheck's source, and so must come from the catalogue.

The rule (tests/test_catalogue.py applies it to every module under formcheck/): a string literal,
or the literal part of an f-string, that holds words (two letters in a row) and is not an
identifier (lowercase_with_underscores) must be wrapped in `_()` / `N_()` / `ngettext()` when it is

1. a cue or praise: `FaultSpec(name, CUE, PRAISE)` or `cue=` / `praise=`;
2. an exercise's `title`, `get_in_position_cue` or `timeline_label`, a `cue` or `praise` field,
   a `Plot`'s title, or any value assigned to a name ending in `_CUE`, `_CUES`, `_TEXT`, `_TITLE`
   or `_NAMES`, or to `REASONS`;
3. printed: `print(...)` / `echo(...)` / `log(...)` (except diagnostics, `formcheck: error: ...`,
   `formcheck: interrupted: ...`, `formcheck: note: ...`, which stay English so they can be
   searched for and reported, as do FormcheckError messages), or spoken: `.say(TEXT, key)`;
4. drawn on a frame: `cv2.putText(image, TEXT, ...)`, `draw_text`, `label(image, TEXT, ...)`, `draw_banner`,
   `draw_big_text`;
5. a matplotlib title or label: `set_title`, `suptitle`, `set_xlabel`, `set_ylabel`, `.text(x, y,
   TEXT)`, `annotate(TEXT)`, or a `label=` keyword.
6. anywhere in a function that builds text for people, named `headline`, `panel_lines`,
   `describe`, `format_*` or ending in `_table`, `_text` or `_label` (the terminal summary, the
   overlay's panel, the workout's summary, the plan's listing).

Exempt: developer tools that are no part of what a user of formcheck reads (EXEMPT below, each with
its reason). A literal passed through a helper (`headline(summary, title)`) is found where it is
written, not where it is shown: wrap it there.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

WRAPPERS = {"_", "N_", "ngettext"}
NAMED_ATTRS = {"title", "get_in_position_cue", "timeline_label", "cue", "praise"}
NAME_SUFFIXES = ("_CUE", "_CUES", "_TEXT", "_TITLE", "_NAMES")
PRINTERS = {"print", "echo", "log"}
DRAWERS = {"putText": 1, "draw_text": 1, "label": 1, "draw_banner": 1, "draw_big_text": 1, "draw_lines": 1, "card": 1}
MPL = {"set_title": 0, "suptitle": 0, "set_xlabel": 0, "set_ylabel": 0, "annotate": 0, "text": 2}
DIAGNOSTIC = re.compile(r"^formcheck: [a-z]+(:|$)")  # formcheck: error: / interrupted: / note: ...
WORDS = re.compile(r"[A-Za-zÄÖÜäöüß]{2}")
IDENTIFIER = re.compile(r"^[a-z0-9_]*$")
PROGRAM = re.compile(r"^formcheck [a-z]+: ")
TEXT_BUILDER = re.compile(r"^(headline|panel_lines|describe|format_\w+)$|^[^_].*_(table|text|label)$")  # public

EXEMPT = {
    "formcheck/lab/catalogue.py": "the developer's catalogue tool (python -m formcheck.lab.catalogue)",
    "formcheck/lab/sample_index.py": "builds the committed sample-track index; run by developers",
    "formcheck/pipeline/modelbuild.py": "rebuilds the model bundles; its lines are for the maintainer",
    "formcheck/app/evaluate.py": "scores the rules against labelled clips: a table for whoever tunes them",
    "formcheck/recognition/train.py": "trains the recogniser shipped in the package; run by developers",
    "formcheck/recognition/evaluation.py": "scores the recogniser on labelled clips (evaluate --recognition)",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    why: str
    node: ast.AST | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.text!r} ({self.why}) is shown to people but not in the catalogue: "
            f'wrap it as _("...") (or N_("...") where it is defined before the language is known, '
            f"translated with _() where shown), then run `python -m formcheck.lab.catalogue update` "
            f"and write its German in formcheck/locale/de/LC_MESSAGES/formcheck.po"
        )


def _is_wrapped(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in WRAPPERS


def _literal_text(node: ast.AST) -> str | None:
    """The words of a literal (the constant parts of an f-string), or None if it has none."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    text = PROGRAM.sub("", text)  # "formcheck live: ..." names the program: no words to translate
    if not WORDS.search(text) or IDENTIFIER.match(text):
        return None
    return text


def texts_in(node: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Unwrapped literals with words in an expression (through tuples, dicts, conditionals, `+`,
    but not into calls: a call's own arguments are judged by its own rule)."""
    if _is_wrapped(node):
        return
    text = _literal_text(node)
    if text is not None:
        if not (isinstance(node, ast.Constant) and DIAGNOSTIC.match(text)):
            yield node, text
        return
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        for elt in node.elts:
            yield from texts_in(elt)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from texts_in(value)
    elif isinstance(node, ast.IfExp):
        yield from texts_in(node.body)
        yield from texts_in(node.orelse)
    elif isinstance(node, ast.BinOp):
        yield from texts_in(node.left)
        yield from texts_in(node.right)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from texts_in(value)


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _is_stderr_diagnostic(node: ast.Call) -> bool:
    first = node.args[0] if node.args else None
    if isinstance(first, ast.JoinedStr) and first.values:
        head = first.values[0]
        return isinstance(head, ast.Constant) and bool(DIAGNOSTIC.match(str(head.value)))
    return isinstance(first, ast.Constant) and bool(DIAGNOSTIC.match(str(first.value)))


def findings_in(tree: ast.AST, path: str) -> Iterator[Finding]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            checks: list[tuple[ast.AST, str]] = []
            if name == "FaultSpec":
                checks += [(a, "a fault's cue or praise") for a in node.args[1:3]]
                checks += [(k.value, f"a fault's {k.arg}") for k in node.keywords if k.arg in ("cue", "praise")]
            elif name == "Plot":
                checks += [(a, "a plot's title") for a in node.args[1:2]]
                checks += [(k.value, "a plot's title") for k in node.keywords if k.arg == "title"]
            elif name == "say":
                checks += [(a, "spoken by say()") for a in node.args[:1]]
            elif name in PRINTERS and not _is_stderr_diagnostic(node):
                checks += [(a, f"{name}()") for a in node.args]
            elif name in DRAWERS:
                checks += [(a, f"text drawn by {name}()") for a in node.args[DRAWERS[name] : DRAWERS[name] + 1]]
            elif name in MPL:
                checks += [(a, f"matplotlib {name}()") for a in node.args[MPL[name] : MPL[name] + 1]]
            checks += [(k.value, "a plot label") for k in node.keywords if k.arg == "label"]
            for arg, why in checks:
                for lit, text in texts_in(arg):
                    yield Finding(path, getattr(lit, "lineno", node.lineno), text, why, lit)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if node.value is None:
                continue
            for target in names:
                if target in NAMED_ATTRS or target.endswith(NAME_SUFFIXES) or target == "REASONS":
                    for lit, text in texts_in(node.value):
                        yield Finding(path, getattr(lit, "lineno", node.lineno), text, f"assigned to {target}", lit)


def _in_text_builders(tree: ast.AST, path: str) -> Iterator[Finding]:
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef) or not TEXT_BUILDER.search(func.name):
            continue
        wrapped = {id(n) for call in ast.walk(func) if _is_wrapped(call) for n in ast.walk(call)}
        wrapped |= {id(n) for k in ast.walk(func) if isinstance(k, ast.keyword) for n in ast.walk(k.value)}  # encoding=
        docstring = ast.get_docstring(func, clean=False) is not None and func.body[0]
        skip = {id(n) for n in ast.walk(docstring)} if docstring else set()
        for node in ast.walk(func):
            if id(node) in wrapped or id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr):
                skip |= {id(v) for v in node.values}  # judged as one f-string
            if isinstance(node, ast.Constant | ast.JoinedStr):
                text = _literal_text(node)
                if text is not None:
                    yield Finding(path, node.lineno, text, f"text built in {func.name}()", node)


def scan(root: Path) -> list[Finding]:
    """Every finding in the package under `root` (the repository), skipping EXEMPT files."""
    out: list[Finding] = []
    for file in sorted((root / "formcheck").rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        if rel in EXEMPT:
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"), rel)
        out.extend(findings_in(tree, rel))
        out.extend(_in_text_builders(tree, rel))
    return out
