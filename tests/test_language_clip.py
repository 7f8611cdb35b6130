"""`formcheck analyze CLIP --exercise plank --lang de` on a real clip: a German summary, German
cues drawn in the annotated video, and report.json and frames.csv the same as in English but for
the report's `language`."""

from __future__ import annotations

import html
import json
import re

import cv2
import numpy as np
import pytest
from cli_helpers import formcheck

from formcheck.exercises.base import REASONS
from formcheck.i18n import _, set_language
from formcheck.judging.records import FrameState
from formcheck.judging.session import make_exercise
from formcheck.lab.samples import DEMO_CLIP
from formcheck.outputs.overlay import GOOD_FORM_TEXT, draw_overlay

pytestmark = [pytest.mark.video, pytest.mark.slow]


def in_language(lang: str, text: str) -> str:
    set_language(lang)
    try:
        return _(text)
    finally:
        set_language("en")


def ink(image: np.ndarray, top: int) -> np.ndarray:
    """The cue's white letters in the band below row `top` (the band itself is red while a fault is on)."""
    return (image[top:].min(axis=2) > 170).astype(bool)


def best_cue(frame: np.ndarray, candidates: dict[str, str], top: int) -> tuple[str, float]:
    """Which candidate text, drawn by the overlay on a frame of the same size, matches the frame's
    band best (intersection over union of the letters), and how well."""
    h, w = frame.shape[:2]
    seen = ink(frame, top)
    plank = make_exercise("plank")
    scores = {}
    for key, text in candidates.items():
        state = FrameState(0, 0.0, True, 0, True, ("hips_sagging",), "hold", 0, 0, 1.0, 0.0, text)
        set_language(key.split(":")[0])
        try:
            drawn = draw_overlay(np.zeros((h, w, 3), np.uint8), None, None, True, state, {}, plank)
        finally:
            set_language("en")
        mine = ink(drawn, top)
        scores[key] = (seen & mine).sum() / max((seen | mine).sum(), 1)
    key = max(scores, key=scores.__getitem__)
    return key, scores[key]


def frame_at(video, t_s: float) -> np.ndarray:
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_MSEC, t_s * 1000.0)
    ok, frame = cap.read()
    cap.release()
    assert ok, f"no frame at {t_s} s in {video}"
    return frame


def test_analyze_in_german_matches_english_but_for_the_words(tmp_path, videos):
    clip = videos / DEMO_CLIP
    runs = {}
    for lang in ("de", "en"):
        result = formcheck("analyze", str(clip), "--exercise", "plank", "--lang", lang, "--out", str(tmp_path / lang))
        assert result.returncode == 0, result.stderr
        runs[lang] = result
    folder = {lang: tmp_path / lang / clip.stem for lang in runs}
    reports = {lang: json.loads((folder[lang] / "report.json").read_text(encoding="utf-8")) for lang in runs}

    # report.json: the language recorded, nothing else differs but when it was made; frames.csv byte for byte
    assert reports["de"].pop("language") == "de" and reports["en"].pop("language") == "en"
    assert reports["de"].pop("created_at") and reports["en"].pop("created_at")
    assert reports["de"] == reports["en"]
    assert (folder["de"] / "frames.csv").read_bytes() == (folder["en"] / "frames.csv").read_bytes()
    spans = reports["de"]["faults"]
    assert spans, "the demo clip has faults to cue"

    # the terminal summary is German, with decimal commas, each fault's cue in German
    out = runs["de"].stdout
    assert out.splitlines()[0].split() == ["Übung", "Unterarmstütz"]
    assert re.search(r"^Dauer +\d+,\d s$", out, re.M), out
    for span in spans:
        german = in_language("de", span["cue"])
        assert german != span["cue"] and f"„{german}“" in out
        assert span["cue"] not in out
    assert f'"{spans[0]["cue"]}"' in runs["en"].stdout  # the same table in English

    # report.html: the page in the language, its headings and each fault's cue
    pages = {lang: (folder[lang] / "report.html").read_text(encoding="utf-8") for lang in runs}
    assert (
        '<html lang="de">' in pages["de"] and "<h2>Zahlen</h2>" in pages["de"] and "<h2>Numbers</h2>" not in pages["de"]
    )
    assert '<html lang="en">' in pages["en"] and "<h2>Numbers</h2>" in pages["en"]
    for span in spans:
        assert html.escape(in_language("de", span["cue"])) in pages["de"]
        assert html.escape(span["cue"]) in pages["en"] and html.escape(span["cue"]) not in pages["de"]

    # the annotated video's cue band: at the middle of the longest fault, the letters drawn are
    # those of one of the exercise's cues in German, and in the English video in English
    longest = max(spans, key=lambda s: s["end_s"] - s["start_s"])
    t = (longest["start_s"] + longest["end_s"]) / 2
    plank = make_exercise("plank")
    english = {f.cue for f in plank.faults} | {f.praise for f in plank.faults} | {GOOD_FORM_TEXT}
    english |= {cue for _name, cue in REASONS.values()} | {plank.get_in_position_cue}
    candidates = {f"{lang}:{text}": text for lang in ("de", "en") for text in english}
    for lang in ("de", "en"):
        frame = frame_at(folder[lang] / "annotated.mp4", t)
        top = int(frame.shape[0] * 0.75)
        key, score = best_cue(frame, candidates, top)
        assert key.startswith(f"{lang}:"), (lang, key, score)
        assert score > 0.5, (lang, key, score)


SESSIONS = {
    "glute_bridge": "glute_bridge/glute_bridge_side_woman_darebee.mp4",  # reps
    "stretch": "stretch/stretch_knee_to_chest_side_woman_treatment_table.mp4",  # which stretch, which side
    "seated_rotation": "seated_rotation/seated_rotation_chair_twist_front_woman_white_studio.mp4",  # turn per side
}


@pytest.mark.parametrize("exercise", list(SESSIONS))
def test_summary_and_timeline_of_real_sessions_in_german(videos, exercise):
    """Rep counts, sides, stretch names and measures per side: every word of the summary and the
    timeline from the catalogue, numbers with a decimal comma."""
    from formcheck.judging.session import judge_track
    from formcheck.judging.summary import summarize
    from formcheck.outputs.report import format_summary_table
    from formcheck.outputs.timeline import timeline_figure
    from formcheck.pipeline.extract import track_for_video

    track, _stats = track_for_video(videos / SESSIONS[exercise])  # a committed track: no model run
    judgement = judge_track(track, make_exercise(exercise))
    summary = summarize(judgement.judge)
    english = format_summary_table(summary)
    set_language("de")
    try:
        table = format_summary_table(summary)
        fig = timeline_figure(judgement, summary)
        texts = [fig._suptitle.get_text()] + [t.get_text() for ax in fig.get_axes() for t in ax.texts]
        texts += [ax.get_xlabel() for ax in fig.get_axes()] + [ax.get_title(loc="left") for ax in fig.get_axes()]
        ticks = [t.get_text() for ax in fig.get_axes() for t in ax.get_yticklabels()]
        legends = [t.get_text() for ax in fig.get_axes() if ax.get_legend() for t in ax.get_legend().get_texts()]
    finally:
        set_language("en")
    assert table.splitlines()[0].split()[0] == "Übung" and table != english
    assert not re.search(r"\d\.\d", table), table  # no decimal point left for people
    keys = {line.split("  ")[0].strip() for line in english.splitlines()}
    assert not any(line.startswith(k) for k in keys if k for line in table.splitlines()), table  # no English row
    assert in_language("de", make_exercise(exercise).title) in table
    names = list(summary.get("sides", {})) + list(summary.get("fault_time_s", {}))
    for name in names:  # identifiers shown in words of the language, each word from the catalogue
        parts = [part.replace("_", " ") for part in str(name).split()]
        assert all(in_language("de", part) != part for part in parts), (name, table)
        assert " ".join(in_language("de", part) for part in parts) in table or name in ("left", "right"), table
    for side in ("left", "right"):
        if side in summary.get("sides", {}):
            assert in_language("de", f"{side} side") in table
    assert "Zeit (s)" in texts, texts
    assert all("." not in t for t in ticks if re.search(r"\d", t)), ticks
    assert legends and all(t == in_language("de", t) for t in legends)  # nothing left in English ids
