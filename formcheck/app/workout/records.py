"""What a workout did, set by set, and its report.json: per step the sets done, reps, good reps,
good-form time, faults, whether a set was stopped early and why, and the rests taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from formcheck import __version__
from formcheck.app.workout.phases import FORM_SLIPPING, TARGET
from formcheck.plan import Day, Plan, Step


@dataclass
class SetRecord:
    set: int  # from 1
    side: str  # "first" / "second" for per-side steps, else ""
    ended_by: str  # phases.TARGET, FORM_SLIPPING, SKIPPED, QUIT, SOURCE_ENDED
    stop_reason: str = ""
    report: dict | None = None  # the set's live report (None: the set never started)
    report_path: Path | None = None
    source: str = ""
    source_from_s: float | None = None  # the source's time when the set started

    def as_dict(self, out_dir: Path) -> dict:
        r = self.report or {}
        sides = r.get("sides") or {}
        return {
            "set": self.set,
            "side": self.side,
            "side_seen": max(sides, key=lambda s: sides[s].get("hold_s", 0.0)) if sides else "",
            "started": self.report is not None,
            "ended_by": self.ended_by,
            "reached_target": self.ended_by == TARGET,
            "stopped_early": self.ended_by == FORM_SLIPPING,
            "stop_reason": self.stop_reason,
            "reps": r.get("reps", 0),
            "good_reps": r.get("good_reps", 0),
            "hold_s": r.get("hold_s", 0.0),
            "good_hold_s": r.get("good_hold_s", 0.0),
            "faults": sorted({f["name"] for f in r.get("faults", [])}),
            "report": _relative(self.report_path, out_dir),
            "source": self.source,
            "source_from_s": self.source_from_s,
        }


@dataclass
class RestRecord:
    after_set: int
    after_side: str
    planned_s: float
    taken_s: float
    skipped: bool = False  # the skip key ended it
    compressed: bool = False  # fast mode: not waited for

    def as_dict(self) -> dict:
        return {
            "after_set": self.after_set,
            "after_side": self.after_side,
            "planned_s": self.planned_s,
            "taken_s": round(self.taken_s, 2),
            "skipped": self.skipped,
            "compressed": self.compressed,
        }


@dataclass
class StepRecord:
    number: int  # from 1
    step: Step
    sets: list[SetRecord] = field(default_factory=list)
    rests: list[RestRecord] = field(default_factory=list)

    def as_dict(self, out_dir: Path) -> dict:
        step = self.step
        sets = [s.as_dict(out_dir) for s in self.sets]
        started = [s for s in sets if s["started"]]
        faults: dict[str, int] = {}
        for s in started:
            for name in s["faults"]:
                faults[name] = faults.get(name, 0) + 1
        done_sets = {s["set"] for s in started}
        return {
            "step": self.number,
            "exercise": step.exercise,
            "variant": step.variant,
            "planned": {
                "sets": step.sets,
                "reps": step.reps,
                "seconds": step.seconds,
                "per_side": step.per_side,
                "rest_s": step.rest_s,
                "rest_after_s": step.rest_after_s,
            },
            "sets_done": len(done_sets),
            "reps": sum(s["reps"] for s in started),
            "good_reps": sum(s["good_reps"] for s in started),
            "hold_s": round(sum(s["hold_s"] for s in started), 2),
            "good_hold_s": round(sum(s["good_hold_s"] for s in started), 2),
            "faults": faults,  # fault -> in how many sets (or sides) it showed
            "stopped_early": any(s["stopped_early"] for s in sets),
            "sets": sets,
            "rests": [r.as_dict() for r in self.rests],
        }


def workout_report(
    plan: Plan,
    day: Day,
    steps: list[StepRecord],
    *,
    out_dir: Path,
    started: datetime,
    ended_by: str,
    model: str,
    fast: bool,
) -> dict:
    return {
        "kind": "workout",
        "plan": plan.name,
        "plan_source": plan.source,
        "day": day.number,
        "day_title": day.title,
        "started_at": started.isoformat(timespec="seconds"),
        "ended_by": ended_by,  # "done", "quit", "interrupted", "out_of_sources", "camera_lost"
        "complete": ended_by == "done" and len(steps) == len(day.steps),
        "model": model,
        "fast": fast,
        "formcheck_version": __version__,
        "steps": [s.as_dict(out_dir) for s in steps],
    }


def format_workout(report: dict) -> str:
    """The session summary as printed (and drawn on the summary card): one line per step."""
    lines = [f"Day {report['day']}: {report['day_title']} ({report['ended_by']})"]
    for s in report["steps"]:
        planned = s["planned"]
        target = f"{planned['seconds']:g} s" if planned["seconds"] is not None else f"{planned['reps']} reps"
        side = " per side" if planned["per_side"] else ""
        figures = (
            f"{s['good_hold_s']:.1f} s good form of {s['hold_s']:.1f} s"
            if planned["seconds"] is not None
            else f"{s['good_reps']} good of {s['reps']} reps"
        )
        faults = ", ".join(f.replace("_", " ") for f in s["faults"]) or "no faults"
        stopped = "; stopped early: form slipping" if s["stopped_early"] else ""
        lines.append(
            f"  {s['step']}. {s['exercise']}: {s['sets_done']}/{planned['sets']} sets of {target}{side}; "
            f"{figures}; {faults}{stopped}"
        )
    return "\n".join(lines)


def _relative(path: Path | None, base: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)  # saved elsewhere (a rescued report)
