"""`formcheck history`: the recorded sessions as a table (filtered by exercise and dates), as
CSV or JSON, and as a progress plot (PNG) or a page (HTML) against the plan's targets."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import date, datetime, time
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.exercises import EXERCISES
from formcheck.files import check_file, write_text_atomic
from formcheck.history.progress import format_table, plot_progress, to_csv, to_json
from formcheck.history.store import History, HistoryError, history_path
from formcheck.i18n import _, ngettext


def _day_or_time(text: str, option: str, end: bool) -> datetime:
    """'2026-11-20' (a local day: its start, or its end for --until) or an ISO date-time."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min).astimezone()
            return moment.replace(microsecond=0)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FormcheckError(f"{option} {text!r}: not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)") from None
    return moment if moment.tzinfo else moment.astimezone()


def plan_targets(plan_file: str | None) -> dict[str, float]:
    """Each exercise's per-set target in the plan (seconds of good form, or good reps)."""
    from formcheck.plan import headline_targets, load_plan

    return headline_targets(load_plan(Path(plan_file) if plan_file else None))


def cmd_history(args: argparse.Namespace) -> int:
    since = _day_or_time(args.since, "--since", end=False) if args.since else None
    until = _day_or_time(args.until, "--until", end=True) if args.until else None
    if since and until and since > until:
        raise FormcheckError(f"--since {args.since} is after --until {args.until}")
    if args.exercise and args.exercise not in EXERCISES:  # a typo would otherwise read as "no sessions"
        raise FormcheckError(f"--exercise {args.exercise!r}: not one of {', '.join(sorted(EXERCISES))}")
    for option, value in (("--plot", args.plot), ("--html", args.html)):
        if value:
            check_file(Path(value), option)
    targets = plan_targets(args.plan) if args.plot or args.html else {}
    path = history_path()
    if not path.exists():
        entries = []
    else:
        try:
            with History.open(path) as history:
                entries = history.entries(args.exercise, since, until)
        except (HistoryError, sqlite3.Error) as exc:
            raise FormcheckError(f"{path}: cannot read the history ({exc})") from None
    if args.json:
        _emit(args.json, to_json(entries))
    if args.csv:
        _emit(args.csv, to_csv(entries))
    if args.plot:
        print(_("progress plot: {path}").format(path=plot_progress(Path(args.plot), entries, targets)))
    if args.html:
        from formcheck.history.page import write_history_page

        print(_("history page: {path}").format(path=write_history_page(Path(args.html), entries, targets)))
    if not (args.json == "-" or args.csv == "-"):
        print(format_table(entries))
        print(
            ngettext("({n} session in {path})", "({n} sessions in {path})", len(entries)).format(
                n=len(entries), path=path
            )
        )
    return 0


def _emit(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        check_file(Path(target), "output")
        print(_("wrote {path}").format(path=write_text_atomic(Path(target), text)))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("history", help="the sessions recorded so far: a table, CSV/JSON, a progress plot")
    p.add_argument("--exercise", "-e", metavar="NAME", help="only this exercise")
    p.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD, local) or date-time on")
    p.add_argument("--until", metavar="DATE", help="up to this day (included) or date-time")
    p.add_argument("--csv", nargs="?", const="-", metavar="FILE", help="write the entries as CSV (no FILE: stdout)")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE", help="write the entries as JSON (no FILE: stdout)")
    p.add_argument("--plot", metavar="PNG", help="progress plot: the headline figure per exercise per day")
    p.add_argument("--html", metavar="FILE", help="a page with the table and the progress plot")
    p.add_argument("--plan", metavar="TOML", help="the plan whose targets are drawn (default: the shipped plan)")
    p.set_defaults(func=cmd_history)
