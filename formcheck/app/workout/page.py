"""The workout's report.html: the summary card and, per step, its sets against the plan, each
set linked to its own page (sets/*.html, written beside each set's report). Opens from the file
system; every link is relative, so the folder can be moved or zipped."""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from formcheck.files import write_text_atomic
from formcheck.i18n import _
from formcheck.outputs.html import png_data_uri

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>formcheck: $title</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 1100px;
         padding: 0 1rem; color: #222; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  img { max-width: min(100%, 720px); border: 1px solid #ccc; }
  table { border-collapse: collapse; font-size: 0.9rem; }
  th, td { border-bottom: 1px solid #e4e4e4; padding: 0.25rem 0.6rem; text-align: left; }
  th { background: #f5f5f5; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .stopped { color: #b00020; font-weight: 600; }
  .meta { color: #666; font-size: 0.85rem; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="meta">$meta</p>
$card
$steps
</body>
</html>
""")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _planned(step: dict) -> str:
    p = step["planned"]
    per_set = f"{p['seconds']:g} s" if p["seconds"] is not None else f"{p['reps']} reps"
    return f"{p['sets']} × {per_set}" + (" per side" if p["per_side"] else "")


def _set_row(s: dict) -> str:
    name = f"set {s['set']}" + (f" ({s['side']} side)" if s["side"] else "")
    if s.get("report"):
        name = f'<a href="{_e(Path(s["report"]).with_suffix(".html").as_posix())}">{_e(name)}</a>'
    ended = _e(s["ended_by"].replace("_", " "))
    if s["stopped_early"]:
        ended = f'<span class="stopped">stopped: {_e(s["stop_reason"] or "form slipping")}</span>'
    faults = ", ".join(f.replace("_", " ") for f in s["faults"]) or "-"
    return (
        f"<tr><td>{name}</td><td>{ended}</td><td class='num'>{s['reps']}</td><td class='num'>{s['good_reps']}</td>"
        f"<td class='num'>{s['hold_s']:.1f}</td><td class='num'>{s['good_hold_s']:.1f}</td><td>{_e(faults)}</td></tr>"
    )


def _step(step: dict) -> str:
    title = step["exercise"].replace("_", " ") + (f" ({step['variant']})" if step["variant"] else "")
    taken = [f"{r['taken_s']:.0f} s" for r in step["rests"]]
    rest_line = f"rests taken: {', '.join(taken)}" if taken else "no rests"
    rows = "\n".join(_set_row(s) for s in step["sets"]) or "<tr><td colspan='7'>no set started</td></tr>"
    return (
        f"<h2>{step['step']}. {_e(title)}: {_e(_planned(step))}</h2>"
        f"<p class='meta'>sets done: {step['sets_done']}; {_e(rest_line)}</p>"
        "<table class='sets'><thead><tr><th>set</th><th>ended</th><th>reps</th><th>good reps</th>"
        "<th>hold s</th><th>good form s</th><th>faults</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def write_workout_page(path: Path, report: dict, card_png: Path | None = None) -> Path:
    title = _("Day {day}: {title}").format(day=report["day"], title=report["day_title"])
    meta = f"{report['plan']}; started {report['started_at']}; ended: {report['ended_by']}; model {report['model']}"
    card = ""
    if card_png is not None and card_png.is_file():
        card = f'<img id="summary" alt="the workout summary card" src="{png_data_uri(card_png)}">'
    steps = "\n".join(_step(s) for s in report["steps"])
    return write_text_atomic(path, PAGE.substitute(title=_e(title), meta=_e(meta), card=card, steps=steps))
