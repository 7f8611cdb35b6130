"""No text a person reads is written outside the message catalogue (the rule: tests/catalogue_rules.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from catalogue_rules import EXEMPT, findings_in, scan

REPO = Path(__file__).resolve().parents[1]


def test_no_user_facing_text_outside_the_catalogue():
    found = scan(REPO)
    assert not found, "\n" + "\n".join(str(f) for f in found)


def test_the_scan_finds_each_kind_of_text_and_says_where_and_how_to_fix_it():
    source = """
NECK_CUE = "Keep your neck long"
class Toy(Exercise):
    title = "Toy"
    get_in_position_cue = N_("Lie down")
    faults = (FaultSpec("bad", "Fix it", praise="Good"), FaultSpec("ok", N_("Fine"), N_("Good")))
    plots = (Plot("x_deg", "x angle (deg)"),)
def show(image, ax, n, path):
    print(f"{n} reps done")
    print("formcheck: error: cannot read", path)
    print(f"formcheck live: {path}")
    cv2.putText(image, "Hold it", (0, 0), 0, 1.0, (0, 0, 0))
    ax.set_title("faults over time")
    ax.text(0, 0, "no faults", color="red")
    ax.plot([], label=_("wrapped"))
    announcer.say("Go", "countdown:go")
    announcer.say(_("Go"), "countdown:go")
    return {"hips_sagging": 1}, "utf-8"
"""
    found = list(findings_in(ast.parse(source), "formcheck/toy.py"))
    texts = sorted(f.text for f in found)
    assert texts == sorted(
        [
            "Keep your neck long",
            "Toy",
            "Fix it",
            "Good",
            "x angle (deg)",
            " reps done",
            "Hold it",
            "faults over time",
            "no faults",
            "Go",
        ]
    )
    message = str(next(f for f in found if f.text == "Hold it"))
    assert message.startswith("formcheck/toy.py:12: 'Hold it' (text drawn by putText())")
    assert 'wrap it as _("...")' in message and "python -m formcheck.lab.catalogue update" in message


def test_exempt_files_exist():
    """An exemption for a file that is gone (renamed) would silently exempt nothing: keep the list true."""
    assert all((REPO / path).is_file() for path in EXEMPT)


def test_modules_that_translate_never_rebind_the_underscore():
    """`(w, h), _ = cv2.getTextSize(...)` in a module that imported `_` makes `_` a local name in
    that function: a `_("...")` there would then call a tuple. Use `_baseline` or similar instead."""
    bad = []
    for file in sorted((REPO / "formcheck").rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        imports_it = any(
            isinstance(n, ast.ImportFrom) and n.module == "formcheck.i18n" and any(a.name == "_" for a in n.names)
            for n in tree.body
        )
        if not imports_it:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                bad.append(f"{file.relative_to(REPO)}:{node.lineno}")
    assert not bad, f"`_` rebound where it translates: {bad}"
