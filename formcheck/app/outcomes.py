"""What `formcheck analyze` tells the user: each input's result or state, the lines on stderr
(one per input that did not simply finish) and the exit code."""

from __future__ import annotations

import sys
from collections import Counter

from formcheck.app.analyze import AnalysisResult
from formcheck.errors import EXIT_ERROR, EXIT_INTERRUPTED
from formcheck.outputs.report import format_summary_table


def print_result(result: AnalysisResult) -> None:
    if "sets" in result.report:  # --exercise auto
        from formcheck.app.auto import format_sets_table

        print(format_sets_table(result.report))
    else:
        print(format_summary_table(result.report))
    if result.report.get("suggestion"):
        print(result.report["suggestion"])
    print(f"outputs in {result.out_dir}/:")
    for name, path in result.outputs.items():
        print(f"  {name:9} {path}")
    sys.stdout.flush()


def combined_table(results: list[AnalysisResult]) -> str:
    """One row per input, in the order given, with its state: done, partial, not started, failed."""
    lines = [f"{'video':44} {'state':11} {'reps':>9} {'hold s':>8} {'good s':>8} {'faults':30} output"]
    for r in results:
        name = r.input.name[-44:]
        if not r.report:
            lines.append(f"{name:44} {r.state:11} {r.error or ''}".rstrip())
            continue
        rep = r.report
        reps = f"{rep['reps']} ({rep['good_reps']})"
        faults = ", ".join(sorted(rep.get("fault_time_s", {}))) or "-"
        where = r.outputs["report"].parent if "report" in r.outputs else r.out_dir
        lines.append(
            f"{name:44} {r.state:11} {reps:>9} {rep['hold_s']:8.1f} {rep['good_hold_s']:8.1f} {faults[:30]:30} {where}"
        )
    return "\n".join(lines)


def result_lines(result: AnalysisResult) -> tuple[int, list[str]]:
    """The exit code one input calls for, and its lines for stderr (none if it simply finished)."""
    lines = [f"formcheck: error: {note}" for note in result.notes]
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
