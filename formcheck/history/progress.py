"""The history read back for a person: a table, CSV and JSON of the entries, and a progress
plot of each exercise's headline figure over days with the plan's per-set target drawn.

The headline figure is the one a plan's target is set in: good-form hold time for a hold, good
reps for a rep exercise (outputs.report.is_rep_exercise decides, per variant).
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from formcheck.exercises import EXERCISES
from formcheck.history.store import Entry
from formcheck.i18n import _
from formcheck.outputs.report import is_rep_exercise, pretty

TABLE_COLUMNS = ("when", "kind", "exercise", "source", "reps", "good_reps", "hold_s", "good_hold_s", "faults")


def counts_reps(entry: Entry) -> bool:
    return is_rep_exercise({"exercise": entry.exercise, "variant": entry.variant, "rep_details": entry.reps})


def headline(entry: Entry) -> float:
    """Good reps for a rep exercise, good-form seconds for a hold."""
    return float(entry.good_reps) if counts_reps(entry) else entry.good_hold_s


def local_when(entry: Entry) -> str:
    return entry.when.astimezone().strftime("%Y-%m-%d %H:%M")


def fault_names(entry: Entry) -> str:
    """'hips sagging x2, head dropped'."""
    counts: dict[str, int] = defaultdict(int)
    for fault in entry.faults:
        counts[fault["name"]] += 1
    return ", ".join(pretty(n) + (f" x{k}" if k > 1 else "") for n, k in counts.items())


def format_table(entries: list[Entry]) -> str:
    if not entries:
        return _("no sessions recorded (yet, or in these dates)")
    rows = [
        (_("when"), _("kind"), _("exercise"), _("source"), _("reps"), _("good"), _("hold s"), _("good s"), _("faults"))
    ]
    for e in entries:
        name = e.exercise + (f" ({e.variant})" if e.variant else "")
        rows.append(
            (
                local_when(e),
                e.kind + (_(" (partial)") if e.partial else ""),
                name,
                e.source if len(e.source) <= 40 else "..." + e.source[-37:],
                str(e.reps),
                str(e.good_reps),
                f"{e.hold_s:.1f}",
                f"{e.good_hold_s:.1f}",
                fault_names(e) or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    right = {4, 5, 6, 7}
    lines = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False))]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    return "\n".join(lines)


def entry_dict(entry: Entry) -> dict:
    """One entry as the JSON and CSV exports give it (UTC time, the headline figure added)."""
    data = asdict(entry)
    data.pop("id")
    data["headline"] = headline(entry)
    data["headline_unit"] = "good reps" if counts_reps(entry) else "s good form"
    return data


def to_json(entries: list[Entry]) -> str:
    return json.dumps([entry_dict(e) for e in entries], indent=2, ensure_ascii=False) + "\n"


def to_csv(entries: list[Entry]) -> str:
    out = io.StringIO()
    fields = list(entry_dict(entries[0])) if entries else [*Entry.__dataclass_fields__, "headline", "headline_unit"]
    fields = [f for f in fields if f != "id"]
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        row = entry_dict(e)
        row["faults"] = ";".join(f"{f['name']}@{f['start_s']}-{f['end_s']}" for f in e.faults)
        writer.writerow(row)
    return out.getvalue()


def _day(entry: Entry) -> datetime:
    """The session's local day (as a date-time at midnight, for the plot's day axis)."""
    return datetime.combine(entry.when.astimezone().date(), datetime.min.time())


def daily_best(entries: list[Entry]) -> dict[str, list[tuple[datetime, float]]]:
    """Per exercise, each day's best headline figure (local days), in date order."""
    best: dict[str, dict[datetime, float]] = defaultdict(dict)
    for e in entries:
        best[e.exercise][_day(e)] = max(best[e.exercise].get(_day(e), 0.0), headline(e))
    return {name: sorted(days.items()) for name, days in best.items()}


def plot_progress(path: Path, entries: list[Entry], targets: dict[str, float]) -> Path:
    """One panel per exercise: each session (faint), each day's best (line) and the plan's
    per-set target (dashed). Returns the path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from formcheck.files import atomic_write

    days = daily_best(entries)
    names = list(days) or ["(none)"]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 2.4 * len(names) + 0.6), squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        cls = EXERCISES.get(name)
        title = cls.title if cls else pretty(name)
        if name not in days:
            ax.text(0.5, 0.5, _("no sessions recorded"), ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        mine = [e for e in entries if e.exercise == name]
        reps = counts_reps(mine[-1])
        # each session on its day, beside that day's best (days, not hours, are the scale)
        ax.plot([_day(e) for e in mine], [headline(e) for e in mine], "o", color="#8aa6cf", ms=4, label=_("session"))
        x = [d for d, _value in days[name]]
        ax.plot(x, [v for _day_, v in days[name]], "-o", color="#1f4e9c", lw=1.8, ms=5, label=_("best of the day"))
        target = targets.get(name)
        if target:
            ax.axhline(
                target,
                color="#c0392b",
                ls="--",
                lw=1.2,
                label=_("plan target {target}").format(target=f"{target:g}{'' if reps else ' s'}"),
            )
        ax.set_title(title, loc="left", fontsize=10)
        ax.set_ylabel(_("good reps") if reps else _("good-form hold (s)"), fontsize=8)
        ax.set_ylim(bottom=0, top=max([v for _day_, v in days[name]] + [target or 0]) * 1.15 + 1)
        span = (x[-1] - x[0]).days
        ax.set_xlim(x[0] - timedelta(days=0.6), x[-1] + timedelta(days=0.6))
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span // 7 + 1)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(_("Progress: the headline figure per exercise, per day"), fontsize=11)
    fig.tight_layout()
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)
    return path
