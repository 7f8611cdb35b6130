"""Every text the cue band shows, in every language, fits the band of a 1280x720 frame at full
size: all its words drawn, at most two lines, nothing past the frame's edges or above the band."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.app.live.display import PAUSED_CUE
from formcheck.app.workout import placement
from formcheck.exercises import EXERCISES
from formcheck.exercises.base import REASONS, WRONG_VIEW_CUES
from formcheck.i18n import LANGUAGES, _, set_language
from formcheck.judging.records import FrameState
from formcheck.judging.session import make_exercise
from formcheck.outputs.drawing import CUE_FONT, drawable, layout_cue, text_width, unit
from formcheck.outputs.overlay import CUE_BAND_ALPHA, CUE_RED, GOOD_FORM_TEXT, draw_overlay

W, H = 1280, 720
BG = (100, 100, 100)


def band_texts() -> list[str]:
    """The English message ids of everything the cue band can show."""
    texts = {GOOD_FORM_TEXT, PAUSED_CUE, *WRONG_VIEW_CUES.values(), *(cue for _name, cue in REASONS.values())}
    for cls in EXERCISES.values():
        texts |= {cls.get_in_position_cue, *(f.cue for f in cls.faults), *(f.praise for f in cls.faults)}
    # the workout's placement check speaks through the cue band too
    p = placement
    texts |= {p.STEP_IN, p.FEET_OUT, p.HEAD_OUT, p.HANDS_OUT, p.WHOLE_BODY, p.UNSEEN, p.GREEN, p.SETTLING}
    return sorted(texts)


@pytest.fixture(params=LANGUAGES)
def language(request, monkeypatch):
    monkeypatch.setenv("FORMCHECK_LANG", "en")
    yield set_language(request.param)
    set_language("en")


def test_there_are_cues_to_fit():
    assert len(band_texts()) > 50  # every exercise's: a broken collection must not pass vacuously


def test_every_cue_fits_the_band_at_full_size(language):
    full = 1.25 * unit(W, H)  # layout_cue's starting size: readable from the mat
    for text in band_texts():
        shown = drawable(_(text))
        lines, scale, thickness, _line_h, _text_h = layout_cue(shown, W, H)
        assert " ".join(lines).split() == shown.split(), f"words lost: {shown!r}"
        assert len(lines) <= 2, f"{language}: {shown!r} needs {len(lines)} lines"
        assert scale == pytest.approx(full), f"{language}: {shown!r} shrunk to {scale:.2f} to fit"
        assert max(text_width(line, CUE_FONT, scale, thickness) for line in lines) <= 0.94 * W


def test_every_cue_is_drawn_inside_the_band(language):
    """Drawn by the overlay itself on a 1280x720 frame: the band is one block at the bottom, its
    text inside it, clear of the frame's edges."""
    plank = make_exercise("plank")
    band = np.array(BG) * (1 - CUE_BAND_ALPHA) + np.array(CUE_RED) * CUE_BAND_ALPHA
    for text in band_texts():
        state = FrameState(10, 0.4, True, 0, True, ("hips_sagging",), "hold", 0, 0, 3.0, 2.5, text)
        out = draw_overlay(np.full((H, W, 3), BG, np.uint8), None, None, True, state, {}, plank)
        rows = [y for y in range(H) if np.abs(out[y, 0].astype(int) - band).max() <= 3]
        top = min(rows)
        assert rows == list(range(top, H)), f"{text!r}: the band is one block at the bottom"
        assert H - top < 0.25 * H, f"{text!r}: the band covers a quarter of the frame or more"
        ink = np.abs(out[top:].astype(int) - band).max(axis=2) > 40
        cols, text_rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
        assert cols.size, f"{text!r}: nothing drawn"
        assert cols.min() >= 2 and cols.max() <= W - 3, f"{language}: {text!r} touches the frame's edge"
        assert text_rows.min() >= 1 and text_rows.max() <= H - top - 2, f"{language}: {text!r} leaves the band"


@pytest.mark.parametrize("unicode_fonts", [True, False])
def test_german_letters_are_drawn_as_german(monkeypatch, unicode_fonts):
    """'Hüfte' differs from 'Hufte' only above the u, and is as wide: with OpenCV's own Unicode
    fonts, and with ASCII-only ones (the vowel and two dots drawn by draw_text); ß is ss there."""
    from formcheck.outputs import drawing

    monkeypatch.setattr(drawing, "unicode_fonts", lambda: unicode_fonts)
    scale, thickness, org = 1.25, 2, (40, 100)
    drawn = {}
    for word in ("Hüfte", "Hufte"):
        image = np.zeros((140, 400, 3), np.uint8)
        drawing.draw_text(image, word, org, CUE_FONT, scale, (255, 255, 255), thickness)
        drawn[word] = image
    assert text_width("Hüfte", CUE_FONT, scale, thickness) == text_width("Hufte", CUE_FONT, scale, thickness)
    ys, xs = np.nonzero(np.abs(drawn["Hüfte"].astype(int) - drawn["Hufte"]).max(axis=2) > 60)
    assert xs.size, "the dots are missing"
    u_left = org[0] + text_width("H", CUE_FONT, scale, thickness)
    u_right = org[0] + text_width("Hu", CUE_FONT, scale, thickness)
    assert xs.min() >= u_left - 2 and xs.max() <= u_right + 2  # over the u only
    u_ink = np.nonzero(drawn["Hufte"][:, u_left + 2 : u_right - 2].max(axis=(1, 2)) > 60)[0]
    assert ys.max() < u_ink.min() + 2  # above the u's own top
    assert drawing.hershey(drawing.drawable("Füße"))[0] == ("Füße" if unicode_fonts else "Fusse")
