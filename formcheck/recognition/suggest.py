"""A named exercise never seen in position: say which one the recording looks like."""

from __future__ import annotations

from formcheck.pipeline.track import Track
from formcheck.recognition.recognise import recognise


def suggestion(track: Track, named: str) -> dict:
    """The exercise recognised instead of `named`, with one line for the terminal (empty when
    nothing else is recognised either)."""
    seen = {k: v for k, v in recognise(track).seen().items() if k != named}
    if not seen:
        return {}
    best, seconds = next(iter(seen.items()))
    return {
        "recognised": best,
        "suggestion": f"never in a {named.replace('_', ' ')} position; this looks like {best.replace('_', ' ')} "
        f"({seconds:.0f} s): try --exercise {best} (or --exercise auto)",
    }
