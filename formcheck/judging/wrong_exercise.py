"""A clip never in the chosen exercise's position is said, not hidden: the wrong exercise was
chosen, or the camera shows the body from a side the rules cannot read. Such a report of zeros
looks like a bad workout; the warning names what was seen instead: the positions of the other
exercises the body held (judged again on the same track, about 0.1 s each for a minute of video)
and why frames were not judged.
"""

from __future__ import annotations

from formcheck.exercises import EXERCISES
from formcheck.exercises.base import Exercise
from formcheck.judging.session import judge_track, make_exercise
from formcheck.judging.summary import summarize
from formcheck.pipeline.track import Track

MIN_SEEN_S = 1.0  # a position held for less is a pass through it, not what the clip shows
MAX_NAMED = 2


def never_in_position(summary: dict) -> bool:
    """Judged frames existed (or could have), but none was in the exercise's position."""
    return (summary.get("duration_s") or 0) > 0 and not summary.get("in_position_s") and not summary.get("reps")


def positions_seen(track: Track, chosen: str) -> dict[str, float]:
    """Seconds in position for every other exercise (default variant and thresholds), the
    longest first; only those held at least MIN_SEEN_S."""
    seen = {}
    for name in EXERCISES:
        if name == chosen:
            continue
        summary = summarize(judge_track(track, make_exercise(name)).judge)
        if summary["in_position_s"] >= MIN_SEEN_S:
            seen[name] = summary["in_position_s"]
    return dict(sorted(seen.items(), key=lambda kv: -kv[1]))


def position_warning(summary: dict, exercise: Exercise, seen: dict[str, float] | None = None) -> str:
    """'never in a plank position — wrong exercise or camera view? seen: a superman position
    for 39.0 s; not judged 18.7 s (not visible 10.7 s, no person 6.9 s)'."""
    text = f"never in a {exercise.title.lower()} position — wrong exercise or camera view?"
    parts = []
    for name in list(seen or {})[:MAX_NAMED]:
        title = EXERCISES[name].title.lower()
        parts.append(f"a {title} position for {seen[name]:.1f} s")  # type: ignore[index]
    reasons = {k: v for k, v in (summary.get("unjudged_reasons") or {}).items() if v}
    if reasons:
        detail = ", ".join(f"{k.replace('_', ' ')} {v:.1f} s" for k, v in reasons.items())
        parts.append(f"not judged {summary.get('unjudged_s') or 0:.1f} s ({detail})")
    return text + (f" seen: {'; '.join(parts)}" if parts else "")


def check_position(report: dict, exercise: Exercise, track: Track | None = None) -> str | None:
    """Add the warning to a report (`warnings`, and `positions_seen` when the track is at hand)
    if it was never in position; return the warning, or None."""
    if track is not None:
        person_seen = bool(track.detected.any())
    else:  # live: judged frames, or frames with somebody not judged
        reasons = report.get("unjudged_reasons") or {}
        judged_s = (report.get("duration_s") or 0) - (report.get("unjudged_s") or 0)
        person_seen = judged_s > MIN_SEEN_S or any(v for k, v in reasons.items() if k != "no_person")
    if not never_in_position(report) or not person_seen:
        return None  # nobody in any frame: that is said on its own ("no person found")
    seen = positions_seen(track, exercise.name) if track is not None else None
    warning = position_warning(report, exercise, seen)
    report.setdefault("warnings", []).append(warning)
    if seen is not None:
        report["positions_seen"] = seen
    return warning
