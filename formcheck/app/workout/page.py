"""The workout's report.html: the summary card and, per step, its sets against the plan, each
set linked to its own page (sets/*.html, written beside each set's report). Opens from the file
system; every link is relative, so the folder can be moved or zipped."""

from __future__ import annotations

from pathlib import Path
from string import Template

from formcheck.files import write_text_atomic
from formcheck.i18n import N_, _, language, name_text, num, seconds_text
from formcheck.outputs.html import escape as _e
from formcheck.outputs.html import png_data_uri

# How a set, a side or the day ended, as name_text shows them (workout.phases, records.workout_report)
ENDINGS = (
    N_("target"), N_("form slipping"), N_("skipped"), N_("repeat"), N_("quit"), N_("end of source"),
    N_("first"), N_("second"), N_("done"), N_("interrupted"), N_("out of sources"), N_("camera lost"),
)  # fmt: skip

PAGE = Template("""<!DOCTYPE html>
<html lang="$lang">
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


def _planned(step: dict) -> str:
    p = step["planned"]
    per_set = seconds_text(p["seconds"], 0) if p["seconds"] is not None else _("{n} reps").format(n=p["reps"])
    text = _("{sets} × {per_set}").format(sets=p["sets"], per_set=per_set)
    return text + (_(" per side") if p["per_side"] else "")


def _set_row(s: dict) -> str:
    name = _("set {n}").format(n=s["set"]) + (f" ({name_text(s['side'])})" if s["side"] else "")
    if s.get("report"):
        name = f'<a href="{_e(Path(s["report"]).with_suffix(".html").as_posix())}">{_e(name)}</a>'
    ended = _e(name_text(s["ended_by"]))
    if s["stopped_early"]:
        reason = s["stop_reason"] or _("form slipping")
        ended = f'<span class="stopped">{_e(_("stopped: {reason}").format(reason=reason))}</span>'
    faults = ", ".join(name_text(f) for f in s["faults"]) or "-"
    cells = [name, ended, s["reps"], s["good_reps"], num(s["hold_s"]), num(s["good_hold_s"]), _e(faults)]
    return (
        "<tr>"
        + "".join(f"<td>{c}</td>" if k in (0, 1, 6) else f"<td class='num'>{c}</td>" for k, c in enumerate(cells))
        + "</tr>"
    )


def _step(step: dict) -> str:
    title = name_text(step["exercise"]) + (f" ({name_text(step['variant'])})" if step["variant"] else "")
    taken = [seconds_text(r["taken_s"], 0) for r in step["rests"]]
    rest_line = _("rests taken: {list}").format(list=", ".join(taken)) if taken else _("no rests")
    rows = "\n".join(_set_row(s) for s in step["sets"]) or f"<tr><td colspan='7'>{_e(_('no set started'))}</td></tr>"
    head = (_("set"), _("ended"), _("reps"), _("good reps"), _("hold s"), _("good form s"), _("faults"))
    done = _("sets done: {n}").format(n=step["sets_done"])
    return (
        f"<h2>{step['step']}. {_e(title)}: {_e(_planned(step))}</h2>"
        f"<p class='meta'>{_e(done)}; {_e(rest_line)}</p>"
        "<table class='sets'><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def write_workout_page(path: Path, report: dict, card_png: Path | None = None) -> Path:
    title = _("Day {day}: {title}").format(day=report["day"], title=report["day_title"])
    meta = _("{plan}; started {when}; ended: {ended}; model {model}").format(
        plan=report["plan"], when=report["started_at"], ended=name_text(report["ended_by"]), model=report["model"]
    )
    card = ""
    if card_png is not None and card_png.is_file():
        alt = _e(_("the workout summary card"))
        card = f'<img id="summary" alt="{alt}" src="{png_data_uri(card_png)}">'
    steps = "\n".join(_step(s) for s in report["steps"])
    page = PAGE.substitute(lang=language(), title=_e(title), meta=_e(meta), card=card, steps=steps)
    return write_text_atomic(path, page)
