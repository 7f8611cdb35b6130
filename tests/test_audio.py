"""The announcer: throttled per key, never blocking, never raising, whatever the machine has."""

from __future__ import annotations

import shutil
import stat
import time
from pathlib import Path

import pytest

from formcheck.outputs import audio
from formcheck.outputs.audio import Announcer, find_speech_program


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def no_speech(monkeypatch, tmp_path):
    """A PATH with no espeak on it."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def fake_espeak(folder: Path, body: str) -> Path:
    """An `espeak-ng` shell script on `folder`; $LOG is where it writes what it was asked to say."""
    folder.mkdir(exist_ok=True)
    script = folder / "espeak-ng"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_same_key_is_throttled_and_other_keys_pass(no_speech):
    clock = FakeClock()
    a = Announcer(True, repeat_s=4.0, bell=False, clock=clock)
    assert a.say("Lower your hips", "fault:hips_piked")
    clock.now += 1.0
    assert not a.say("Lower your hips", "fault:hips_piked")  # same key within 4 s
    assert not a.say("Something else", "fault:hips_piked")  # the key decides, not the text
    assert a.say("5", "rep:5")  # a different key passes
    assert a.say("6", "rep:6")
    clock.now += 3.1  # 4.1 s after the first
    assert a.say("Lower your hips", "fault:hips_piked")
    assert a.spoken == ["Lower your hips", "5", "6", "Lower your hips"]


def test_key_defaults_to_the_text(no_speech):
    clock = FakeClock()
    a = Announcer(True, bell=False, clock=clock)
    assert a.say("Go")
    assert not a.say("Go")
    assert a.say("Stop")


def test_disabled_says_nothing(no_speech):
    a = Announcer(False)
    assert not a.say("Lower your hips", "k")
    assert a.spoken == [] and a.backend == "off"
    a.close()


def test_missing_espeak_does_not_raise(no_speech, capsys):
    assert find_speech_program() is None
    a = Announcer(True, bell=False)
    assert a.backend == "none"
    assert a.say("Lower your hips", "k")  # passed on to nothing, silently
    a.close()
    assert capsys.readouterr().out == ""


def test_bell_fallback_without_espeak(no_speech, capsys):
    a = Announcer(True, bell=True)
    assert a.backend == "bell"
    a.say("Lower your hips", "k")
    a.say("Lower your hips", "k")  # throttled: one bell
    a.close()
    assert capsys.readouterr().out == "\a"


def test_speaks_through_espeak_without_blocking(monkeypatch, tmp_path):
    log = tmp_path / "said.txt"
    folder = tmp_path / "bin"
    fake_espeak(folder, f'sleep 0.3\necho "$@" >> "{log}"')
    monkeypatch.setenv("PATH", str(folder))
    a = Announcer(True)
    assert a.backend == "espeak-ng"
    start = time.perf_counter()
    assert a.say("Lower your hips into a straight line", "fault")
    assert time.perf_counter() - start < 0.1  # the frame loop is not held up
    assert wait_for(lambda: log.exists() and "straight line" in log.read_text())
    line = log.read_text().strip()
    assert line.endswith("Lower your hips into a straight line")
    assert "-s" in line.split()  # spoken at the set rate
    a.close()


def test_only_the_newest_pending_message_waits(monkeypatch, tmp_path):
    """While one cue is being spoken, older queued cues are replaced by newer ones."""
    log = tmp_path / "said.txt"
    folder = tmp_path / "bin"
    fake_espeak(folder, f'for last; do :; done\necho "$last" >> "{log}"\nsleep 0.4')
    monkeypatch.setenv("PATH", str(folder))
    a = Announcer(True)
    a.say("one", "1")
    assert wait_for(lambda: log.exists() and "one" in log.read_text())
    a.say("two", "2")
    a.say("three", "3")
    a.say("four", "4")
    assert wait_for(lambda: "four" in log.read_text())
    a.close()
    assert log.read_text().split() == ["one", "four"]


def test_failing_or_hanging_program_never_raises(monkeypatch, tmp_path):
    folder = tmp_path / "bin"
    fake_espeak(folder, 'echo "no sound device" >&2\nexit 1')
    monkeypatch.setenv("PATH", str(folder))
    a = Announcer(True)
    assert a.say("fails", "1")
    time.sleep(0.2)
    a.close()

    fake_espeak(folder, "sleep 30")
    monkeypatch.setattr(audio, "SPEAK_TIMEOUT_S", 0.3)
    b = Announcer(True)
    b.say("hangs", "1")
    time.sleep(0.6)  # killed after the timeout, the worker carries on
    b.say("again", "2")
    start = time.perf_counter()
    b.close()  # ends the utterance under way
    assert time.perf_counter() - start < 3.0


def test_program_vanishing_after_start_is_survived(monkeypatch, tmp_path):
    folder = tmp_path / "bin"
    script = fake_espeak(folder, "exit 0")
    monkeypatch.setenv("PATH", str(folder))
    a = Announcer(True)
    script.unlink()
    assert a.say("gone", "1")
    time.sleep(0.2)
    assert a.say("still fine", "2")
    a.close()


@pytest.mark.skipif(find_speech_program() is None, reason="espeak-ng/espeak not installed")
def test_real_espeak_does_not_raise_even_without_a_sound_device():
    a = Announcer(True)
    assert a.backend in ("espeak-ng", "espeak")
    assert a.say("5", "rep:5")
    time.sleep(0.5)
    a.close()
    assert shutil.which(a.backend)


# -- the voice on each platform ------------------------------------------------------------------------


def only(*names: str):
    """A `which` that finds just these programs (at /opt/bin/NAME)."""
    return lambda name: f"/opt/bin/{name}" if name in names else None


def test_each_platform_finds_its_own_voice(monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: None if n == "pyttsx3" else real_find_spec(n))
    mac = audio.find_voice("darwin", only("say", "espeak-ng"))
    assert mac.name == "say" and mac.argv == ("/opt/bin/say", "-r", str(audio.WORDS_PER_MINUTE))
    windows = audio.find_voice("win32", only("powershell"))
    assert windows.name == "sapi" and windows.stdin and windows.argv[0] == "/opt/bin/powershell"
    assert "System.Speech" in windows.argv[-1] and "[Console]::In" in windows.argv[-1]
    assert audio.find_voice("win32", only("pwsh")).argv[0] == "/opt/bin/pwsh"
    linux = audio.find_voice("linux", only("espeak"))
    assert linux.name == "espeak" and linux.argv[:2] == ("/opt/bin/espeak", "-s")
    assert audio.find_voice("linux", only("espeak-ng", "espeak")).name == "espeak-ng"
    assert audio.find_voice("darwin", only()) is None and audio.find_voice("linux", only("say")) is None
    # pyttsx3, where installed, is Windows' first choice (SAPI5 in-process)
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: object() if n == "pyttsx3" else real_find_spec(n))
    assert audio.find_voice("win32", only("powershell")) == audio.Voice("pyttsx3")


def test_a_voice_reading_stdin_gets_the_text_there(monkeypatch, tmp_path):
    """Windows' SAPI script reads the cue from stdin: no quoting of the user's text in a command."""
    log = tmp_path / "said.txt"
    script = fake_espeak(tmp_path / "bin", f'cat > "{log}"')
    monkeypatch.setattr(audio, "find_voice", lambda: audio.Voice("sapi", (str(script),), stdin=True))
    a = Announcer(True)
    assert a.backend == "sapi"
    said = 'Don\'t bounce — hold "still"'
    assert a.say(said, "k")
    assert wait_for(lambda: log.exists() and log.read_text(encoding="utf-8") == said)
    a.close()


def test_a_broken_pyttsx3_is_silence_not_an_error(monkeypatch):
    import sys
    import types

    broken = types.ModuleType("pyttsx3")

    def init():
        raise RuntimeError("no audio device")

    broken.init = init
    monkeypatch.setitem(sys.modules, "pyttsx3", broken)
    monkeypatch.setattr(audio, "find_voice", lambda: audio.Voice("pyttsx3"))
    a = Announcer(True)
    assert a.say("one", "1")
    assert wait_for(lambda: a.voice is None)  # given up quietly
    assert a.say("two", "2") is True  # still accepted (the bell or nothing), never raises
    a.close()
