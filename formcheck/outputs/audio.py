"""Spoken cues for the live loop: someone holding a plank cannot read a screen 3 m away.

`Announcer.say(text, key)` speaks through `espeak-ng` (or `espeak`) when one is on PATH, else rings
the terminal bell, else does nothing. It never blocks the frame loop and never raises: speech runs
in a worker thread, and only the newest pending message waits behind the one being spoken (an
old cue is worse than none). The same `key` is not repeated within `repeat_s` seconds, so a fault
that flickers on and off is not nagged about.

The texts come already in the user's language (formcheck.i18n); the voice is that language's
(`espeak-ng -v de`) where the program has one, else its default voice, and a note says so once.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from formcheck import i18n

SPEECH_PROGRAMS = ("espeak-ng", "espeak")
REPEAT_S = 4.0  # the same cue at most every 4 s: long enough not to nag, short enough to remind
WORDS_PER_MINUTE = 175  # espeak's default is 175; cues are short
SPEAK_TIMEOUT_S = 10.0  # a speech program stuck on a missing sound device is killed after this


def voice_args(program: str, language: str) -> tuple[list[str], str | None]:
    """The arguments that make `program` speak `language` (['-v', 'de']), and a note for the user
    when it has no voice for it (then its default voice speaks). English is every espeak's default."""
    if language == "en":
        return [], None
    try:
        listed = subprocess.run(
            [program, f"--voices={language}"], capture_output=True, text=True, timeout=SPEAK_TIMEOUT_S
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    # "Pty Language Age/Gender VoiceName File Other Languages", then one line per voice
    languages = {line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1}
    if language in languages or any(code.startswith(f"{language}-") for code in languages):
        return ["-v", language], None
    name = program.rsplit("/", 1)[-1]
    return [], f"{name} has no voice for language {language!r}: cues are spoken with its default voice"


def find_speech_program() -> str | None:
    """The path of espeak-ng or espeak, or None."""
    for name in SPEECH_PROGRAMS:
        path = shutil.which(name)
        if path:
            return path
    return None


class Announcer:
    """Say short cues out loud, throttled per key; `enabled=False` (`--quiet`) says nothing."""

    def __init__(
        self,
        enabled: bool = True,
        repeat_s: float = REPEAT_S,
        bell: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        language: str | None = None,
    ) -> None:
        self.enabled = enabled
        self.repeat_s = repeat_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self.program = find_speech_program() if enabled else None
        self.language = language or i18n.language()
        self.voice: list[str] = []
        self.voice_note: str | None = None  # said once, on stderr, when the language has no voice
        if self.program:
            self.voice, self.voice_note = voice_args(self.program, self.language)
            if self.voice_note:
                print(f"formcheck: note: {self.voice_note}", file=sys.stderr)
        # Without a speech program, a bell on an interactive terminal is the next best thing.
        self.bell = (self.program is None and sys.stdout.isatty()) if bell is None else bell
        self.spoken: list[str] = []  # everything passed on (for tests and the session log)
        self._pending: str | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def backend(self) -> str:
        if not self.enabled:
            return "off"
        if self.program:
            return self.program.rsplit("/", 1)[-1]
        return "bell" if self.bell else "none"

    def say(self, text: str, key: str | None = None) -> bool:
        """Speak `text` unless the same key (default: the text) was said within `repeat_s`.
        Returns True if the message was passed on."""
        if not self.enabled or not text or self._closed:
            return False
        key = key or text
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.repeat_s:
            return False
        self._last[key] = now
        self.spoken.append(text)
        try:
            if self.program:
                self._queue(text)
            elif self.bell:
                sys.stdout.write("\a")
                sys.stdout.flush()
        except Exception:  # sound is a nicety: never let it stop a session
            return False
        return True

    def _queue(self, text: str) -> None:
        with self._cond:
            self._pending = text  # replaces an older message still waiting
            self._cond.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._speak_loop, name="announcer", daemon=True)
            self._thread.start()

    def _speak_loop(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                text, self._pending = self._pending, None
            self._speak(text)

    def _speak(self, text: str) -> None:
        assert self.program is not None
        try:
            proc = subprocess.Popen(
                [self.program, *self.voice, "-s", str(WORDS_PER_MINUTE), text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # the program vanished or cannot run: stay silent from now on
            self.program = None
            return
        self._proc = proc
        try:
            proc.wait(timeout=SPEAK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            self._proc = None

    def close(self) -> None:
        """Stop speaking (the current utterance is cut short) and end the worker thread."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify_all()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.terminate()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def __enter__(self) -> Announcer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
