"""Keep the German catalogue in step with the code (a developer's tool; formcheck.i18n reads it).

    python -m formcheck.lab.catalogue update    # add new texts to de.po (empty), drop unused ones, compile
    python -m formcheck.lab.catalogue compile   # de.po -> de.mo only
    python -m formcheck.lab.catalogue check     # list untranslated texts and a stale .mo; exit 1 if any

The texts are found in the source: the first argument of every `_()` / `N_()` call and both of
every `ngettext()`, plus the words of every stable identifier a person sees through
`i18n.name_text` (fault names, reasons a frame is not judged, variants, sides, stretch names).
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from formcheck.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, signal_words

PACKAGE = Path(__file__).parents[1]
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return po_path(lang).with_suffix(".mo")


def marked_texts(root: Path = PACKAGE) -> Iterator[tuple[str | tuple[str, str], str]]:
    """(message id, 'file:line') of every marked text under `root` (a plural: both forms)."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            n = MARKERS.get(node.func.id)
            if not n or len(node.args) < n:
                continue
            args = node.args[:n]
            if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                continue
            values = [a.value for a in args]  # type: ignore[attr-defined]
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            yield (values[0] if n == 1 else (values[0], values[1])), where


def identifier_texts() -> Iterator[tuple[str, str]]:
    """The words of every identifier shown through `name_text` (its msgid) and where it comes from."""
    from formcheck.exercises import EXERCISES
    from formcheck.exercises.base import REASONS

    for name, cls in EXERCISES.items():
        for fault in cls.faults:
            yield fault.name.replace("_", " "), f"fault of {name}"
        for variant in cls.variants:
            yield variant.replace("_", " "), f"variant of {name}"
        shown = [cls.key_angle.feature, *(p.feature for p in cls.plots if p.timeline), *cls.rep_measures]
        for feature in shown:  # the overlay's key value, the timeline's legend
            yield signal_words(feature), f"signal of {name}"
    for code_name, _cue in REASONS.values():
        yield code_name.replace("_", " "), "unjudged reason"
    for word in ("settling", "left", "right", "both", "top", "down", "hold", "not in position"):
        yield word, "shared word"
    for state in ("done", "partial", "not started", "failed"):
        yield state, "state of an analysed input (the folder table)"


def template() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="formcheck", charset="utf-8")
    for msgid, where in marked_texts():
        file, line = where.rsplit(":", 1)
        catalog.add(msgid, locations=[(file, int(line))], flags=["python-format"] if _has_format(msgid) else ())
    for msgid, what in identifier_texts():
        if msgid not in catalog:
            catalog.add(msgid, auto_comments=[what])
    return catalog


def _has_format(msgid: str | tuple[str, str]) -> bool:
    text = msgid if isinstance(msgid, str) else msgid[0]
    return "{" in text


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def compile_catalogue(lang: str) -> Path:
    mo_path(lang).write_bytes(compiled(read(lang)))
    return mo_path(lang)


def update(lang: str) -> tuple[int, int]:
    """Merge the texts found in the code into `lang`'s .po (new ones empty, unused ones dropped) and
    compile it; returns (texts, untranslated)."""
    path = po_path(lang)
    catalog = read(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN, project="formcheck")
    catalog.update(template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=120, omit_header=False, sort_output=False)
    compile_catalogue(lang)
    return len(catalog), len(untranslated(catalog))


def untranslated(catalog: Catalog) -> list[str]:
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def problems(lang: str) -> list[str]:
    """What is wrong with `lang`'s catalogue: texts missing from it or untranslated, a stale .mo."""
    catalog = read(lang)
    out = []
    for msgid, where in [*marked_texts(), *((m, w) for m, w in identifier_texts())]:
        if msgid not in catalog:
            text = msgid if isinstance(msgid, str) else msgid[0]
            fix = "run: python -m formcheck.lab.catalogue update"
            out.append(f"{where}: {text!r} is not in {po_path(lang).name} ({fix})")
    for text in untranslated(catalog):
        out.append(f"{po_path(lang)}: {text!r} has no {lang} translation")
    if not mo_path(lang).exists() or mo_path(lang).read_bytes() != compiled(catalog):
        out.append(f"{mo_path(lang)} is out of date (run: python -m formcheck.lab.catalogue compile)")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    action = args[0] if args else "check"
    langs = [lang for lang in LANGUAGES if lang != "en"]
    if action == "update":
        for lang in langs:
            total, missing = update(lang)
            print(f"{po_path(lang)}: {total} texts, {missing} untranslated")
        return 0
    if action == "compile":
        for lang in langs:
            print(compile_catalogue(lang))
        return 0
    if action == "check":
        found = [p for lang in langs for p in problems(lang)]
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    print(f"usage: python -m formcheck.lab.catalogue update|compile|check (not {action!r})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
