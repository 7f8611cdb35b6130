"""draw_overlay on synthetic frames: the judged side's skeleton, the cue band, text kept in frame."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.judging.records import FrameState
from formcheck.judging.session import make_exercise
from formcheck.landmarks import NUM_LANDMARKS, SIDE_BONES, side_landmark
from formcheck.outputs.drawing import ascii_text, layout_cue
from formcheck.outputs.overlay import (
    CUE_AMBER,
    CUE_BAND_ALPHA,
    CUE_GREEN,
    CUE_RED,
    cue_colour,
    draw_overlay,
    mirror_xy,
    panel_lines,
)

BG = (100, 100, 100)
LONG_CUE = "Keep your neck long — look at the floor just ahead of your hands, and breathe out slowly"

# A plank-like body in the middle of a 640x480 frame. The left side lies along y ~ 200,
# the right side is put along y ~ 330 so the two sides' bones are far apart.
LEFT = {
    "ear": (140, 180),
    "shoulder": (180, 205),
    "elbow": (185, 262),
    "wrist": (240, 268),
    "hip": (330, 200),
    "knee": (430, 204),
    "ankle": (520, 208),
    "heel": (535, 196),
    "foot_index": (540, 232),
}


def synthetic_xy() -> np.ndarray:
    xy = np.full((NUM_LANDMARKS, 2), np.nan)
    xy[0] = (130, 190)  # nose
    for name, (x, y) in LEFT.items():
        xy[side_landmark("left", name)] = (x, y)
        xy[side_landmark("right", name)] = (x + 15, y + 130)
    return xy


def state(**kw: object) -> FrameState:
    base = dict(
        index=10,
        t=0.4,
        judged=True,
        reason=0,
        in_position=True,
        faults=(),
        phase="hold",
        reps=0,
        good_reps=0,
        hold_s=3.0,
        good_hold_s=2.5,
        cue="",
        side="",
    )
    base.update(kw)
    return FrameState(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def plank():
    return make_exercise("plank")


def blank(w: int = 640, h: int = 480) -> np.ndarray:
    return np.full((h, w, 3), BG, np.uint8)


def changed(before: np.ndarray, after: np.ndarray, p: tuple[float, float], r: int = 1) -> bool:
    x, y = round(p[0]), round(p[1])
    a = before[y - r : y + r + 1, x - r : x + r + 1].astype(int)
    b = after[y - r : y + r + 1, x - r : x + r + 1].astype(int)
    return bool(np.abs(a - b).max() > 30)


def bone_midpoints(xy: np.ndarray, side: str) -> list[tuple[float, float]]:
    out = []
    for a, b in SIDE_BONES:
        pa, pb = xy[side_landmark(side, a)], xy[side_landmark(side, b)]
        out.append(((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2))
    return out


@pytest.mark.parametrize("near_left", [True, False])
def test_skeleton_drawn_on_judged_side_only(plank, near_left: bool) -> None:
    xy = synthetic_xy()
    img = blank()
    out = draw_overlay(img.copy(), xy, np.ones(NUM_LANDMARKS), near_left, state(), {"body_angle_deg": 178.0}, plank)
    judged, other = ("left", "right") if near_left else ("right", "left")
    for p in bone_midpoints(xy, judged):
        assert changed(img, out, p), f"no bone drawn at {p} on the {judged} side"
    for name in ("shoulder", "hip", "knee", "ankle"):
        assert changed(img, out, xy[side_landmark(judged, name)])
    for p in bone_midpoints(xy, other):
        assert not changed(img, out, p, r=0), f"{other} side bone drawn at {p}"


def test_missing_points_are_skipped(plank) -> None:
    xy = synthetic_xy()
    knee = xy[side_landmark("left", "knee")].copy()
    xy[side_landmark("left", "knee")] = np.nan
    img = blank()
    out = draw_overlay(img.copy(), xy, np.ones(NUM_LANDMARKS), True, state(), {"body_angle_deg": 178.0}, plank)
    hip, ankle = xy[side_landmark("left", "hip")], xy[side_landmark("left", "ankle")]
    # Move off the dashed shoulder-ankle line to where the hip-knee and knee-ankle bones would be.
    knee_below = (knee[0], knee[1] + 12)
    assert not changed(img, out, knee_below, r=0)
    assert changed(img, out, hip) and changed(img, out, ankle)


def test_nobody_found_still_draws_panel_and_cue(plank) -> None:
    img = blank()
    s = state(judged=False, in_position=False, reason=1, cue="Step into the frame", phase="out")
    out = draw_overlay(img.copy(), None, None, True, s, {}, plank)
    assert not np.array_equal(out[:60, :200], img[:60, :200])  # the panel
    assert not np.array_equal(out[-20:], img[-20:])  # the cue band
    assert np.array_equal(out[200:300, 250:450], img[200:300, 250:450])  # nothing in the middle


def test_returns_the_image_it_was_given(plank) -> None:
    img = blank()
    out = draw_overlay(img, synthetic_xy(), np.ones(NUM_LANDMARKS), True, state(), {}, plank)
    assert out is img


def expected_band(colour: tuple[int, int, int]) -> np.ndarray:
    return np.array(BG) * (1 - CUE_BAND_ALPHA) + np.array(colour) * CUE_BAND_ALPHA


@pytest.mark.parametrize(
    ("kw", "colour", "dominant"),
    [
        (dict(faults=("hips_sagging",), cue="Lift your hips — squeeze glutes and abs"), CUE_RED, 2),
        (dict(in_position=False, phase="out", cue="Get into your plank"), CUE_AMBER, None),
        (
            dict(judged=False, in_position=False, reason=2, phase="out", cue="Keep your whole body in the frame"),
            CUE_AMBER,
            None,
        ),
        (dict(cue="Good — hips in line"), CUE_GREEN, 1),
        (dict(cue=""), CUE_GREEN, 1),
    ],
)
def test_cue_band_colour(plank, kw: dict, colour: tuple[int, int, int], dominant: int | None) -> None:
    s = state(**kw)
    assert cue_colour(s) == colour
    img = blank()
    out = draw_overlay(img.copy(), synthetic_xy(), np.ones(NUM_LANDMARKS), True, s, {}, plank)
    h, w = out.shape[:2]
    for x in (3, w - 4):  # band corners: away from the centred text
        px = out[h - 3, x].astype(int)
        assert np.abs(px - expected_band(colour)).max() <= 3, (px, colour)
        if dominant is not None:  # BGR: 2 = red, 1 = green
            assert px[dominant] > max(px[k] for k in range(3) if k != dominant) + 60
        else:  # amber: strong red, medium green, little blue
            assert px[2] > px[1] > px[0] + 60


@pytest.mark.parametrize("size", [(320, 240), (360, 640), (1080, 1920), (428, 396)])
@pytest.mark.parametrize("cue", [LONG_CUE, "Supercalifragilisticexpialidociouslylonglonglongword " * 2])
def test_long_cue_stays_inside_frame(plank, size: tuple[int, int], cue: str) -> None:
    w, h = size
    s = state(faults=("head_dropped",), cue=cue)
    img = blank(w, h)
    out = draw_overlay(img.copy(), None, None, True, s, {}, plank)
    band = expected_band(CUE_RED)
    lines, *_ = layout_cue(ascii_text(cue), w, h)
    # Find the band: rows at the bottom whose edge pixels are the band colour.
    rows = [y for y in range(h) if np.abs(out[y, 0].astype(int) - band).max() <= 3]
    top = min(rows)
    assert rows == list(range(top, h)), "the band is one block at the bottom"
    assert h - top < 0.45 * h, "the band covers less than half the frame"
    region = out[top:h].astype(int)
    off_band = np.abs(region - band).max(axis=2) > 40
    cols = np.flatnonzero(off_band.any(axis=0))
    assert cols.size, "no cue text drawn"
    assert cols.min() >= 2 and cols.max() <= w - 3, "cue text touches the frame edge"
    text_rows = np.flatnonzero(off_band.any(axis=1))
    assert text_rows.min() >= 1, "cue text runs above the band"
    assert len(lines) <= 4


def test_cue_is_large_on_big_frames() -> None:
    _, scale_small, *_ = layout_cue("Lift your hips higher", 428, 396)
    _, scale_720, _, _, text_h = layout_cue("Lift your hips higher", 1280, 720)
    _, scale_portrait, *_ = layout_cue("Lift your hips higher", 1080, 1920)
    assert scale_small < scale_720 < scale_portrait
    assert text_h >= 0.03 * 720  # readable from a few metres away


def test_ascii_text_for_hershey_fonts() -> None:
    assert ascii_text("Lift your hips — squeeze glutes · 5°") == "Lift your hips - squeeze glutes - 5 deg"
    assert ascii_text("naïve") == "nave"


def test_mirror_xy() -> None:
    xy = synthetic_xy()
    m = mirror_xy(xy, 640)
    assert m is not None
    hip = side_landmark("left", "hip")
    assert m[hip, 0] == pytest.approx(640 - xy[hip, 0]) and m[hip, 1] == xy[hip, 1]
    assert np.isnan(m[1]).all()  # missing stays missing
    back = mirror_xy(m, 640)
    assert back is not None and np.allclose(back, xy, equal_nan=True)
    assert mirror_xy(None, 640) is None
    many = mirror_xy(np.stack([xy, xy]), 640)
    assert many is not None and many.shape == (2, NUM_LANDMARKS, 2)


def test_panel_hold_and_reps(plank) -> None:
    texts = [t for t, *_ in panel_lines(state(hold_s=15.0, good_hold_s=12.34), {}, plank, fps=29.6)]
    assert texts[0] == "Plank"
    assert "Good form 12.3 s / 15.0 s" in texts
    assert "30 fps" in texts
    assert not any(t.startswith("Reps") for t in texts)
    texts = [t for t, *_ in panel_lines(state(reps=3, good_reps=2), {}, plank)]
    assert "Reps 3 (good 2)" in texts  # a dynamic hold variant (knee taps) counts reps too
    bridge = make_exercise("glute_bridge")
    texts = [t for t, *_ in panel_lines(state(reps=5, good_reps=4, phase="up"), {}, bridge)]
    assert texts[:3] == ["Glute bridge", "Reps 5 (good 4)", "Phase: top"]
    texts = [t for t, *_ in panel_lines(state(), {"bridge_angle_deg": 171.6}, bridge, key_drawn=False)]
    assert "bridge angle 172 deg" in texts


@pytest.mark.parametrize("size", [(320, 240), (1080, 1920)])
def test_panel_stays_inside_frame(plank, size: tuple[int, int]) -> None:
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = (200, 200, 200)
    s = state(side="left", reps=12, good_reps=11, hold_s=123.4, good_hold_s=100.0)
    out = draw_overlay(img.copy(), None, None, True, s, {}, plank, fps=30.0)
    dark = out[: h // 2].astype(int).sum(axis=2) < 3 * 150
    cols = np.flatnonzero(dark.any(axis=0))
    assert cols.size and cols.max() < w - 2


def test_key_angle_arc_and_value(plank) -> None:
    xy = synthetic_xy()
    img = blank()
    vis = np.ones(NUM_LANDMARKS)
    with_value = draw_overlay(img.copy(), xy, vis, True, state(), {"body_angle_deg": 150.0}, plank)
    no_value = draw_overlay(img.copy(), xy, np.ones(NUM_LANDMARKS), True, state(), {}, plank)
    # The value label is drawn only when there is a value; the arc in both cases.
    assert np.abs(with_value.astype(int) - no_value.astype(int)).max() > 50
    hip = xy[side_landmark("left", "hip")]
    ring = [
        (hip[0] + r * math.cos(a), hip[1] + r * math.sin(a))
        for r in range(10, 40)
        for a in np.linspace(0, 2 * math.pi, 24)
    ]
    assert sum(changed(img, no_value, p, r=0) for p in ring) > 20
