"""`formcheck history --html FILE`: one self-contained page with the progress plot (embedded)
and the sessions, each linked to its own report.html where that is still on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path
from string import Template

from formcheck.files import write_text_atomic
from formcheck.history.progress import counts_reps, fault_names, headline, local_when, plot_progress
from formcheck.history.store import Entry
from formcheck.i18n import N_, _, language, name_text
from formcheck.outputs.html import escape as _e
from formcheck.outputs.html import png_data_uri

KINDS = (N_("analyze"), N_("live"), N_("workout"))  # what recorded a session, as name_text shows it

PAGE = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 1100px;
         padding: 0 1rem; color: #222; }
  h1 { font-size: 1.5rem; }
  img { max-width: 100%; border: 1px solid #ccc; }
  table { border-collapse: collapse; font-size: 0.9rem; margin-top: 1rem; }
  th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25rem 0.6rem; text-align: left; }
  th { background: #f5f5f5; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  td:first-child { white-space: nowrap; }
  .meta { color: #666; font-size: 0.85rem; }
</style>
</head>
<body>
<h1>$heading</h1>
<p class="meta">$about</p>
<img id="progress" alt="$alt" src="$plot">
<table id="sessions">
<thead><tr>$head</tr></thead>
<tbody>
$rows
</tbody>
</table>
</body>
</html>
""")


def _row(e: Entry) -> str:
    page = Path(e.report_path).with_name("report.html") if e.report_path else None
    source = _e(e.source)
    if page is not None and page.is_file():
        source = f'<a href="{_e(page.as_uri())}">{source}</a>'
    name = name_text(e.exercise) + (f" ({name_text(e.variant)})" if e.variant else "")
    cells = [
        f"<td>{_e(local_when(e))}</td><td>{_e(name_text(e.kind))}</td><td>{_e(name)}</td><td>{source}</td>",
        f'<td class="num">{e.reps}</td><td class="num">{e.good_reps}</td>',
        f'<td class="num">{e.hold_s:.1f}</td><td class="num">{e.good_hold_s:.1f}</td>',
        f'<td class="num">{headline(e):.{0 if counts_reps(e) else 1}f}</td><td>{_e(fault_names(e) or "-")}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def write_history_page(path: Path, entries: list[Entry], targets: dict[str, float]) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        plot = png_data_uri(plot_progress(Path(tmp) / "progress.png", entries, targets))
    about = _(
        "{n} sessions; the headline figure is good-form hold time for a hold and good reps for a rep exercise;"
        " the dashed line is the plan's per-set target."
    ).format(n=len(entries))
    names = (_("when"), _("kind"), _("exercise"), _("source"), _("reps"), _("good"), _("hold s"), _("good s"))
    names += (_("headline"), _("faults"))
    text = PAGE.substitute(
        lang=language(),
        title=_e(_("formcheck: history")),
        heading=_e(_("Progress")),
        about=_e(about),
        alt=_e(_("the headline figure per exercise per day, with the plan's targets")),
        head="".join(f"<th>{_e(h)}</th>" for h in names),
        plot=plot,
        rows="\n".join(_row(e) for e in entries),
    )
    return write_text_atomic(path, text)
