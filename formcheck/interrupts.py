"""Ctrl-C (SIGINT) and `kill` (SIGTERM) as one request to stop, acted on where the work can stop
cleanly and keep what it has.

Python's own Ctrl-C raises KeyboardInterrupt wherever the main thread happens to be: halfway
through appending a frame to a track, or through writing the report of what was seen. Under
`handled()` (the command line installs it once) a signal is noted instead, and:

- in ordinary code the first signal still raises KeyboardInterrupt, so commands with nothing to
  keep simply stop;
- inside `polled()` nothing is raised: the frame loops ask `requested()` between frames, stop
  there, and then save their results, which a second signal cannot cut short;
- a third signal always raises, a way out should saving itself hang.

The workers of a batch run polled throughout and ignore the terminal's Ctrl-C: the parent alone
decides, and tells each worker through an event it watches (`init_worker`), so every worker gets
exactly one request however many signals the terminal sent.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any, Protocol

ABANDON_AFTER = 3  # the signal that raises even where results are being saved
STOP_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


class _Event(Protocol):
    def is_set(self) -> bool: ...


class _State:
    installed = False
    count = 0  # signals received since handled() began
    raising = True  # outside polled(): the first signal raises KeyboardInterrupt
    event: _Event | None = None  # a batch worker's stop request from its parent


_state = _State()


def _on_signal(signum: int, frame: Any) -> None:
    _state.count += 1
    if _state.count >= ABANDON_AFTER or (_state.count == 1 and _state.raising):
        raise KeyboardInterrupt
    if _state.count == ABANDON_AFTER - 1:
        with contextlib.suppress(OSError):
            os.write(2, b"formcheck: stopping: saving what was seen (once more to quit without saving)\n")


def requested() -> bool:
    """Has a stop been asked for (a signal, or a batch parent's request)?"""
    return _state.count > 0 or (_state.event is not None and _state.event.is_set())


def request() -> None:
    """Ask for a stop from the program itself, as a signal would (no exception is raised)."""
    _state.count = max(_state.count, 1)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into stop requests for the block (re-entrant; main thread only,
    elsewhere Python's own handling stays)."""
    if _state.installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in STOP_SIGNALS}
    _state.installed, _state.count, _state.raising = True, 0, True
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _state.installed, _state.count, _state.raising = False, 0, True


@contextlib.contextmanager
def polled() -> Iterator[None]:
    """A block that checks `requested()` itself: signals in it are noted, not raised."""
    before = _state.raising
    _state.raising = False
    try:
        yield
    finally:
        _state.raising = before


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back in this thread for the block (they arrive after it). Child
    processes started in it inherit the block, so they cannot be interrupted before they have
    set up their own handling."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


@contextlib.contextmanager
def watching(stop: _Event) -> Iterator[None]:
    """A cluster task: `stop` being set is the stop request (its driver decides); the signals are
    left to the worker's own host process, which runs other tasks after this one."""
    before = _state.event
    _state.event = stop
    try:
        yield
    finally:
        _state.event = before


def init_worker(stop: _Event) -> None:
    """Set up a batch worker process (started inside `blocked()`): polled throughout, the
    terminal's Ctrl-C ignored (its parent decides), a SIGTERM sent to it or `stop` being set
    asks it to stop; then let the held-back signals in."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in STOP_SIGNALS[1:]:
        signal.signal(sig, _on_signal)
    _state.installed, _state.count, _state.raising, _state.event = True, 0, False, stop
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
