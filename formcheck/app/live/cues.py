"""What to say out loud during a live session, and which cue to show while a judge settles."""

from __future__ import annotations

import dataclasses

from formcheck.exercises.base import JUDGEABLE, REASONS, WRONG_VIEW, WRONG_VIEW_CUES
from formcheck.i18n import _, ngettext
from formcheck.judging.records import Event, FrameState
from formcheck.judging.streaming import StreamingSession

HOLD_ANNOUNCE_S = 10.0  # say "10 seconds", "20 seconds", ... of good-form hold


def spoken_cues(
    events: list[Event],
    state: FrameState,
    last_hold_step: int,
    *,
    hold: bool = True,
    hold_step_s: float = HOLD_ANNOUNCE_S,
) -> tuple[list[tuple[str, str]], int]:
    """(text, throttle key) to say for this frame's new events, least important first (the
    announcer keeps only the newest pending message), and the hold step reached so far.

    A fault starting says its cue, a fault corrected its praise, a rep its number, a hold
    exercise every `hold_step_s` of good-form time ("20 seconds"), a lost view what to fix."""
    praise: list[tuple[str, str]] = []
    counts: list[tuple[str, str]] = []
    setup: list[tuple[str, str]] = []
    faults: list[tuple[str, str]] = []
    for ev in events:
        if ev.kind == "fault_started" and ev.cue:
            faults.append((_(ev.cue), f"fault:{ev.name}"))
        elif ev.kind == "fault_ended" and ev.cue and not ev.detail.get("at_end"):
            praise.append((_(ev.cue), f"praise:{ev.name}"))
        elif ev.kind == "rep_completed":
            number = ev.detail.get("rep", state.reps)
            counts.append((str(number), f"rep:{number}"))
        elif ev.kind == "unjudged_started" and ev.cue:
            setup.append((_(ev.cue), f"setup:{ev.name}"))
    step = int(max(state.good_hold_s, 0.0) // hold_step_s) if hold and hold_step_s > 0 else 0
    if step > last_hold_step and step > 0:
        seconds = int(step * hold_step_s)
        counts.append((ngettext("{n} second", "{n} seconds", seconds).format(n=seconds), f"hold:{step}"))
    last_hold_step = max(last_hold_step, step)
    return praise + counts + setup + faults, last_hold_step


def settled(session: StreamingSession, state: FrameState) -> FrameState:
    """A new judge starts "not judged", and until its first `unjudged_started` event its cue is
    "Step into the frame" whatever the frame shows. Until then, cue this frame's own reason, and
    nothing while the judge settles on a judgeable frame (a wrong cue is worse than none)."""
    if not state.judged and not any(e.kind == "unjudged_started" for e in session.judge.events):
        if state.reason == JUDGEABLE:
            cue = ""
        elif state.reason == WRONG_VIEW:
            cue = WRONG_VIEW_CUES[session.exercise.view]
        else:
            cue = REASONS.get(state.reason, ("", state.cue))[1]
        if cue != state.cue:
            state = dataclasses.replace(state, cue=cue)
    return state
