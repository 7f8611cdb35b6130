"""The language machinery: choosing the language, the catalogue complete and compiled, --lang on
every command, and the cues of every exercise in German."""

from __future__ import annotations

import argparse
import datetime

import pytest

from formcheck import i18n
from formcheck.app.cli import build_parser
from formcheck.app.language import _subparsers
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import REASONS, WRONG_VIEW_CUES
from formcheck.i18n import _, set_language
from formcheck.lab import catalogue


@pytest.fixture
def lang(monkeypatch):
    """Set a language for one test; English again afterwards (and FORMCHECK_LANG restored)."""
    monkeypatch.setenv(i18n.ENV, "en")
    yield set_language
    set_language("en")


def test_catalogue_is_complete_and_compiled():
    """Every marked text and every identifier shown in words has a German translation, and the
    committed .mo is the .po compiled (else: python -m formcheck.lab.catalogue update / compile)."""
    assert catalogue.problems("de") == []


def test_every_cue_praise_and_refusal_speaks_german(lang):
    lang("de")
    texts = set(WRONG_VIEW_CUES.values()) | {cue for _name, cue in REASONS.values()}
    for cls in EXERCISES.values():
        texts |= {cls.title, cls.get_in_position_cue}
        texts |= {f.cue for f in cls.faults} | {f.praise for f in cls.faults}
    untranslated = sorted(t for t in texts if _(t) == t and t not in ("Superman",))
    assert untranslated == []
    assert _("Lift your hips — squeeze glutes and abs") == "Hüfte anheben — Po und Bauch anspannen"
    lang("en")
    assert _("Lift your hips — squeeze glutes and abs") == "Lift your hips — squeeze glutes and abs"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "de_AT.UTF-8"}, "de"),
        ({"LANGUAGE": "de:en", "LANG": "en_US.UTF-8"}, "de"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LC_ALL": "C"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
    ],
)
def test_system_locale_decides_by_default(monkeypatch, tmp_path, env, expected):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", i18n.ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))  # no settings file
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.configured_language() == expected


def test_settings_file_beats_the_locale_and_bad_values_are_one_line(monkeypatch, tmp_path):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", i18n.ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("FORMCHECK_HOME", str(tmp_path))
    path = i18n.settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('language = "de"\n', encoding="utf-8")
    assert i18n.configured_language() == "de"
    path.write_text('language = "klingon"\n', encoding="utf-8")
    with pytest.raises(i18n.FormcheckError, match=r"settings\.toml: language = 'klingon': choose one of en, de"):
        i18n.configured_language()


def test_lang_option_on_every_command():
    parser = build_parser()
    leaves = [p for p in _subparsers(parser) if not any(isinstance(a, argparse._SubParsersAction) for a in p._actions)]
    assert len(leaves) >= 7  # extract, analyze, evaluate, live, demo, samples fetch/where, models build
    for p in leaves:
        options = {o for a in p._actions for o in a.option_strings}
        assert "--lang" in options, p.prog
    args = parser.parse_args(["analyze", "x.mp4", "--exercise", "plank", "--lang", "de"])
    assert args.lang == "de"
    args = parser.parse_args(["--lang", "de", "samples", "where"])  # before the command, kept
    assert args.lang == "de"
    assert not hasattr(parser.parse_args(["samples", "where"]), "lang")  # not given: configured/system


def test_numbers_for_people_per_language(lang):
    lang("de")
    assert i18n.num(12.345, 1) == "12,3"
    assert i18n.num(float("nan")) == "-"
    lang("en")
    assert i18n.num(12.345, 1) == "12.3"


def test_dates_for_people_per_language(lang):
    moment = datetime.datetime(2026, 11, 29, 18, 5)
    lang("de")
    assert i18n.date_text(moment) == "29.11.26, 18:05"
    assert i18n.date_text(moment.date()) == "29.11.2026"
    assert i18n.decimal_symbol() == ","
    lang("en")
    assert i18n.date_text(moment.date()) == "Nov 29, 2026"
    assert i18n.decimal_symbol() == "."
