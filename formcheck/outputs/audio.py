"""Spoken cues for the live loop: someone holding a plank cannot read a screen 3 m away.

`Announcer.say(text, key)` speaks with the platform's voice (`find_voice`): macOS's `say`; on
Windows pyttsx3 (SAPI5) if installed, else SAPI through PowerShell's System.Speech; `espeak-ng`
(or `espeak`) on Linux and wherever it is installed. Without one it rings the terminal bell, else
does nothing. It never blocks the frame loop and never raises: speech runs
in a worker thread, and only the newest pending message waits behind the one being spoken (an
old cue is worse than none). The same `key` is not repeated within `repeat_s` seconds, so a fault
that flickers on and off is not nagged about.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SPEECH_PROGRAMS = ("espeak-ng", "espeak")
REPEAT_S = 4.0  # the same cue at most every 4 s: long enough not to nag, short enough to remind
WORDS_PER_MINUTE = 175  # espeak's default is 175 (and `say`'s 175-200); cues are short
SPEAK_TIMEOUT_S = 10.0  # a speech program stuck on a missing sound device is killed after this
# Windows without pyttsx3: SAPI through .NET's System.Speech, the text read from stdin (no quoting).
SAPI_SCRIPT = (
    "Add-Type -AssemblyName System.Speech; "
    "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; $s.Speak([Console]::In.ReadToEnd())"
)


@dataclass(frozen=True)
class Voice:
    """How to say a cue: a command with the text last (or on stdin), or pyttsx3 (argv empty)."""

    name: str  # "espeak-ng", "espeak", "say", "sapi" or "pyttsx3"
    argv: tuple[str, ...] = ()
    stdin: bool = False


def find_voice(platform: str | None = None, which: Callable[[str], str | None] = shutil.which) -> Voice | None:
    """The platform's voice, or None: macOS `say`; Windows pyttsx3, else PowerShell's SAPI; then
    espeak-ng or espeak (Linux, or installed elsewhere)."""
    platform = platform or sys.platform
    if platform == "darwin" and which("say"):
        return Voice("say", (str(which("say")), "-r", str(WORDS_PER_MINUTE)))
    if platform.startswith("win"):
        if importlib.util.find_spec("pyttsx3") is not None:
            return Voice("pyttsx3")
        shell = which("powershell") or which("pwsh")
        if shell:
            return Voice("sapi", (shell, "-NoProfile", "-NonInteractive", "-Command", SAPI_SCRIPT), stdin=True)
    for name in SPEECH_PROGRAMS:
        path = which(name)
        if path:
            return Voice(name, (path, "-s", str(WORDS_PER_MINUTE)))
    return None


def find_speech_program() -> str | None:
    """The path of the program that speaks (say, PowerShell, espeak-ng or espeak), or None."""
    voice = find_voice()
    return voice.argv[0] if voice is not None and voice.argv else None


class Announcer:
    """Say short cues out loud, throttled per key; `enabled=False` (`--quiet`) says nothing."""

    def __init__(
        self,
        enabled: bool = True,
        repeat_s: float = REPEAT_S,
        bell: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.enabled = enabled
        self.repeat_s = repeat_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self.voice = find_voice() if enabled else None
        # Without a voice, a bell on an interactive terminal is the next best thing.
        self.bell = (self.voice is None and sys.stdout.isatty()) if bell is None else bell
        self.spoken: list[str] = []  # everything passed on (for tests and the session log)
        self._pending: str | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._engine: Any = None  # pyttsx3's engine, made in the worker thread that uses it

    @property
    def backend(self) -> str:
        if not self.enabled:
            return "off"
        if self.voice is not None:
            return self.voice.name
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
            if self.voice is not None:
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
        voice = self.voice
        if voice is None:
            return
        if not voice.argv:
            self._speak_pyttsx3(text)
            return
        try:
            proc = subprocess.Popen(
                [*voice.argv] if voice.stdin else [*voice.argv, text],
                stdin=subprocess.PIPE if voice.stdin else subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
            )
            if voice.stdin and proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.write(text.encode("utf-8"))
                    proc.stdin.close()
        except OSError:  # the program vanished or cannot run: stay silent from now on
            self.voice = None
            return
        self._proc = proc
        try:
            proc.wait(timeout=SPEAK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            self._proc = None

    def _speak_pyttsx3(self, text: str) -> None:
        try:
            if self._engine is None:
                import pyttsx3

                self._engine = pyttsx3.init()
                self._engine.setProperty("rate", WORDS_PER_MINUTE)
            self._engine.say(text)
            self._engine.runAndWait()
        except Exception:  # no audio device, a broken driver: silent from now on, never an error
            self.voice = None

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
