"""report.html: one page a person opens from the file system, beside report.json. It holds the
annotated video (referenced by its name beside it: it stays small and the browser streams it),
the timeline embedded as a data URI, the numbers, the faults and reps whose times seek the video
on a click, and the cues. Plain HTML and a few lines of JavaScript, no server, no network.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from string import Template

from formcheck.exercises import EXERCISES
from formcheck.files import write_text_atomic
from formcheck.i18n import _, language, name_text, percent_text, seconds_text
from formcheck.outputs.report import headline, is_rep_exercise, json_safe, pretty, side_name, side_text

TEMPLATE = Path(__file__).with_name("templates") / "report.html"


def escape(value: object) -> str:
    """Text (or a number) as it may stand in HTML, quotes included (attributes)."""
    return html.escape(str(value), quote=True)


def _secs(value: float | None) -> str:
    return "-" if value is None else seconds_text(max(float(value), 0.0))


def _seek(t: float) -> str:
    """A time that seeks the video when clicked."""
    hint = escape(_("show this moment"))
    return f'<button class="seek" data-t="{float(t):.3f}" title="{hint}">{seconds_text(float(t))}</button>'


def title_of(report: dict) -> str:
    cls = EXERCISES.get(str(report.get("exercise", "")))
    title = _(cls.title) if cls else pretty(str(report.get("exercise", "?")))
    return title + (f" ({pretty(report['variant'])})" if report.get("variant") else "")


def png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f'<tr><th scope="row">{escape(k)}</th><td>{v}</td></tr>' for k, v in pairs)


def _numbers(report: dict) -> str:
    pairs = [(_("Duration"), _secs(report.get("duration_s")))]
    hold, good = report.get("hold_s") or 0.0, report.get("good_hold_s") or 0.0
    share = report.get("good_share")
    pct = f" ({percent_text(share)})" if share is not None else ""
    if is_rep_exercise(report):
        pairs.append((_("Reps"), _reps_text(report)))
        if hold:
            pairs.append(
                (_("Time at the top"), _("{held}, good form {good}").format(held=_secs(hold), good=_secs(good) + pct))
            )
    else:
        pairs.append((_("In position"), _secs(hold)))
        pairs.append((_("Good form"), _secs(good) + pct))
        if report.get("reps"):
            pairs.append((_("Reps"), _reps_text(report)))
    for side, times in (report.get("sides") or {}).items():
        pairs.append((side_name(side), escape(side_text(times))))
    reasons = report.get("unjudged_reasons") or {}
    detail = ", ".join(f"{name_text(k)} {_secs(v)}" for k, v in reasons.items() if v)
    pairs.append((_("Not judged"), _secs(report.get("unjudged_s")) + (f" ({escape(detail)})" if detail else "")))
    return _rows([(k, v if "<" in v else escape(v)) for k, v in pairs])


def _faults(report: dict) -> str:
    spans = report.get("faults") or []
    if not spans:
        return f'<p id="faults" class="good">{escape(_("No faults."))}</p>'
    rows = [
        "<tr>"
        f'<td class="bad">{escape(name_text(s["name"]))}</td><td class="num">{_seek(s["start_s"])}</td>'
        f'<td class="num">{_seek(s["end_s"])}</td><td class="num">{_secs(s["end_s"] - s["start_s"])}</td>'
        f"<td>{escape(_(s['cue']) if s.get('cue') else '')}</td></tr>"
        for s in spans
    ]
    head = "".join(f"<th>{escape(h)}</th>" for h in (_("fault"), _("from"), _("to"), _("for"), _("cue")))
    head = f"<tr>{head}</tr>"
    return f'<table id="faults">\n<thead>{head}</thead>\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>"


def _reps(report: dict) -> str:
    reps = report.get("rep_details") or []
    if not reps:
        return ""
    rows = []
    for r in reps:
        verdict = (
            f'<span class="good">{escape(_("good"))}</span>'
            if r.get("good")
            else f'<span class="bad">{escape(_("fault"))}</span>'
        )
        faults = ", ".join(name_text(f) for f in r.get("faults", []))
        rows.append(
            f'<tr><td class="num">{r["rep"]}</td><td class="num">{_seek(r["start_s"])}</td>'
            f'<td class="num">{_seek(r["top_s"])}</td><td class="num">{_secs(r["top_hold_s"])}</td>'
            f"<td>{verdict}</td><td>{escape(r.get('side', ''))}</td><td>{escape(faults)}</td></tr>"
        )
    names = (_("rep"), _("start"), _("top"), _("held"), "", _("side"), _("faults"))
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in names) + "</tr>"
    return (
        f'<h2>{escape(_("Reps"))}</h2>\n<table id="reps">\n<thead>{head}</thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _cues(report: dict) -> str:
    said: dict[str, int] = {}
    for span in report.get("faults") or []:
        if span.get("cue"):
            said[span["cue"]] = said.get(span["cue"], 0) + 1
    if not said:
        return f'<p class="note">{escape(_("Nothing to correct."))}</p>'
    items = "".join(
        f"<li>{escape(_(cue))}"
        + (f" <span class='meta'>({escape(_('{n} times').format(n=n))})</span>" if n > 1 else "")
        + "</li>"
        for cue, n in said.items()
    )
    return f'<ul id="cues">{items}</ul>'


def _meta(report: dict) -> str:
    parts = [_("source {name}").format(name=report.get("source", "?"))]
    if report.get("created_at"):
        parts.append(_("made {when}").format(when=report["created_at"].replace("T", " ").replace("Z", " UTC")))
    if report.get("width") and report.get("height"):
        size = f"{report['width']}x{report['height']}"
        parts.append(_("{size} at {fps} fps").format(size=size, fps=f"{report.get('fps') or 0:.0f}"))
    parts.append(
        _("model {model}, {strictness} strictness").format(
            model=report.get("model", "?"), strictness=_(report.get("strictness", "standard"))
        )
    )
    parts.append(f"formcheck {report.get('formcheck_version', '?')}")
    return escape(" · ".join(parts))


def render_report_html(report: dict, timeline_png: Path | None = None, video: str | None = None) -> str:
    """The page for one report; `video` is the annotated video's name beside the page (None: none)."""
    banners = "".join(f'<div class="warning">{escape(w)}</div>' for w in report.get("warnings") or [])
    if report.get("partial"):
        text = _("PARTIAL: stopped, or the input broke off; this covers only what was seen.")
        banners += f'<div class="partial">{escape(text)}</div>'
    if video:
        video_html = f'<video id="video" src="{escape(video)}" controls preload="metadata" playsinline></video>'
    else:
        video_html = f'<p class="note">{escape(_("No annotated video with this report."))}</p>'
    if timeline_png is not None and timeline_png.is_file():
        alt = escape(_("the session over time: in position, faults, reps and the signals behind them"))
        timeline = f'<img id="timeline" class="timeline" alt="{alt}" src="{png_data_uri(timeline_png)}">'
    else:
        timeline = f'<p class="note">{escape(_("No timeline with this report."))}</p>'
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=escape(f"formcheck: {title_of(report)} — {report.get('source', '')}"),
        headline=escape(headline(report, title_of(report))),
        meta=_meta(report),
        banners=banners,
        video=video_html,
        numbers=_numbers(report),
        faults=_faults(report),
        reps=_reps(report),
        cues=_cues(report),
        timeline=timeline,
        lang=language(),
        h_session=escape(_("The session")),
        h_numbers=escape(_("Numbers")),
        h_faults=escape(_("Faults")),
        h_cues=escape(_("Cues")),
        h_timeline=escape(_("Timeline")),
    )


def _reps_text(report: dict) -> str:
    return _("{reps} ({good} good)").format(reps=report.get("reps", 0), good=report.get("good_reps", 0))


def write_report_html(path: Path, report: dict, timeline_png: Path | None = None, video: str | None = None) -> Path:
    """Write the page atomically (names with undecodable bytes shown as escapes, as in report.json)."""
    return write_text_atomic(path, render_report_html(json_safe(report), timeline_png, video))
