"""What `formcheck analyze` tells the user: each input's result or state, the lines on stderr
(one per input that did not simply finish) and the exit code."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from formcheck.app.analyze import AnalysisResult
from formcheck.errors import EXIT_ERROR, EXIT_INTERRUPTED
from formcheck.files import atomic_write
from formcheck.i18n import _, name_text, num
from formcheck.outputs.report import format_summary_table, json_safe


def print_result(result: AnalysisResult) -> None:
    if "sets" in result.report:  # --exercise auto
        from formcheck.app.auto import format_sets_table

        print(format_sets_table(result.report))
    else:
        print(format_summary_table(result.report))
    if result.report.get("suggestion"):
        print(result.report["suggestion"])
    print(_("outputs in {folder}:").format(folder=f"{result.out_dir}/"))
    for name, path in result.outputs.items():
        print(f"  {name:9} {path}")
    sys.stdout.flush()


def combined_table(results: list[AnalysisResult]) -> str:
    """One row per input, in the order given, with its state: done, partial, not started, failed."""
    head = [_("video"), _("state"), _("reps"), _("hold s"), _("good s"), _("faults"), _("output")]
    lines = [f"{head[0]:44} {head[1]:11} {head[2]:>9} {head[3]:>8} {head[4]:>8} {head[5]:30} {head[6]}"]
    for r in results:
        name = r.input.name[-44:]
        state = name_text(r.state)
        if not r.report:
            lines.append(f"{name:44} {state:11} {r.error or ''}".rstrip())
            continue
        rep = r.report
        reps = f"{rep['reps']} ({rep['good_reps']})"
        faults = ", ".join(sorted(rep.get("fault_time_s", {}))) or "-"
        where = r.outputs["report"].parent if "report" in r.outputs else r.out_dir
        hold, good = num(rep["hold_s"]), num(rep["good_hold_s"])
        lines.append(f"{name:44} {state:11} {reps:>9} {hold:>8} {good:>8} {faults[:30]:30} {where}")
    return "\n".join(lines)


def result_lines(result: AnalysisResult) -> tuple[int, list[str]]:
    """The exit code one input calls for, and its lines for stderr (none if it simply finished)."""
    lines = [f"formcheck: warning: {w}" for w in result.warnings]
    lines += [f"formcheck: error: {note}" for note in result.notes]
    code = EXIT_ERROR if result.notes else 0
    if result.state == "not started":
        return EXIT_INTERRUPTED, lines
    if result.state == "failed":
        return EXIT_ERROR, [*lines, f"formcheck: error: {result.error}"]
    report = result.report
    if result.interrupted:
        if result.partial:
            what = f"the report covers the {report['duration_s']:.1f} s seen and is marked partial"
        else:
            shown = report.get("annotated_frames", 0)
            what = f"the report is complete; the annotated video was cut short ({shown} frames drawn)"
        return EXIT_INTERRUPTED, [*lines, f"formcheck: interrupted: {result.input}: {what}"]
    if result.error:
        return EXIT_ERROR, [*lines, f"formcheck: error: {result.error}"]
    if result.partial:
        what = "ended early (truncated or corrupt); the report covers the frames read and is marked partial"
        return EXIT_ERROR, [*lines, f"formcheck: error: {result.input} {what}"]
    return code, lines


def report_outcomes(results: list[AnalysisResult]) -> int:
    """Print each input's lines on stderr (and, for a stopped batch, how many never started);
    return the exit code: interrupted over error over success."""
    codes = []
    for result in results:
        code, lines = result_lines(result)
        codes.append(code)
        for line in lines:
            print(line, file=sys.stderr)
    states = Counter(r.state for r in results)
    if states["not started"]:
        print(
            f"formcheck: interrupted: {states['not started']} of {len(results)} inputs not started",
            file=sys.stderr,
        )
    return EXIT_INTERRUPTED if EXIT_INTERRUPTED in codes else max(codes, default=0)


SUMMARY_COLUMNS = (
    "video",
    "state",
    "exercise",
    "variant",
    "duration_s",
    "reps",
    "good_reps",
    "hold_s",
    "good_hold_s",
    "good_share",
    "faults",
    "warnings",
    "error",
    "report",
)


def write_summary_csv(path: Path, results: list[AnalysisResult]) -> None:
    """A folder run's one table as `summary.csv`: a row per input, in the order given, with the
    report's headline numbers (the same names as in report.json) and where the report is."""
    with atomic_write(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(SUMMARY_COLUMNS)
        for r in results:
            rep = r.report
            values = {key: rep.get(key, "") for key in SUMMARY_COLUMNS[2:10]}
            values["good_share"] = "" if rep.get("good_share") is None else rep["good_share"]
            writer.writerow(
                json_safe(  # names with undecodable bytes as \xff escapes, as in report.json
                    [
                        r.input.name,
                        r.state,
                        *values.values(),
                        ";".join(rep.get("fault_time_s") or {}),
                        " | ".join(rep.get("warnings") or []),
                        r.error or "",
                        r.outputs.get("report", ""),
                    ]
                )
            )
