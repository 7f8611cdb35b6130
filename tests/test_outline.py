"""The back's outline from synthetic person masks (pipeline/outline) and the curves read from it
(exercises/back): a body band along a shoulder-hip chord whose back edge follows a known curve,
with the soft 2-3 px edge the pose model's masks have."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.exercises import back
from formcheck.pipeline import outline as ol

H, W = 360, 480
SH = np.array([140.0, 200.0])  # shoulder (x, y), mask pixels
HIP = np.array([340.0, 200.0])  # hip: a horizontal chord, torso = 200 px
TORSO = 200.0
T = np.linspace(0, 1, ol.N_POINTS)
UP, DOWN = 0, 1  # the outline's sides: towards the image top, towards the bottom


def body(back_edge, *, up=True, thickness=0.25, soft=1.5, x0=90, x1=400, h=H, w=W, sh=SH):
    """A float mask: the band between the back edge (offset e(u) from the chord, torso lengths,
    outwards on the back's side) and a flat front edge `thickness` on the other side."""
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    u = (xx - sh[0]) / TORSO
    e = back_edge(u)
    if up:
        top, bottom = sh[1] - e * TORSO, sh[1] + thickness * TORSO
    else:
        top, bottom = sh[1] - thickness * TORSO, sh[1] + e * TORSO
    inside = np.minimum(yy - top, bottom - yy)
    m = np.clip(0.5 + inside / (2 * soft), 0, 1)
    m[(xx < x0) | (xx > x1)] = 0.0
    return m.astype(np.float32)


def straight(u):
    return 0.2 + 0 * u


def sag(u, depth=0.12, width=0.15):
    return 0.2 - depth * np.exp(-(((u - 0.7) / width) ** 2))


def rounded(u, height=0.12):
    return 0.2 + height * np.sin(np.pi * np.clip(u, 0, 1))


def landmarks(sh=SH, hip=HIP, head=None, arms=None):
    """33 landmark pixels and visibilities: shoulders and hips on the chord; a head and arms only
    where given (else unseen, so they hide nothing)."""
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    xy[[11, 12]], xy[[23, 24]] = sh, hip
    vis[[11, 12, 23, 24]] = 1.0
    if head is not None:
        xy[[7, 8]], vis[[7, 8]] = head, 1.0
    if arms is not None:
        (elbow, wrist) = arms
        xy[[13, 14]], xy[[15, 16]] = elbow, wrist
        vis[[13, 14, 15, 16]] = 1.0
    return xy, vis


def read(mask, **kw):
    return ol.outline(mask, *landmarks(**kw))


def curves_of(offsets, quality, side):
    c = back.curves(offsets[None], quality[None], np.array([side]))
    return {k: float(v[0]) for k, v in c.items()}


# -- shapes -------------------------------------------------------------------------------------


def test_a_straight_back_reads_flat_and_clean():
    off, q = read(body(straight))
    assert off.shape == (2, ol.N_POINTS)
    assert np.allclose(off[UP], 0.2, atol=0.01)  # + = towards the image top
    assert q[UP] > 0.9
    c = curves_of(off, q, UP)
    assert abs(c["lumbar_curve"]) < 0.01 and abs(c["thoracic_curve"]) < 0.01


def test_the_front_edge_is_read_too():
    off, q = read(body(straight))
    assert np.allclose(off[DOWN], -0.25, atol=0.01) and q[DOWN] > 0.9


def test_a_sag_reads_a_hollow_lumbar_curve():
    off, q = read(body(sag))
    k = int(np.argmin(np.abs(T - 0.7)))
    assert off[UP, k] == pytest.approx(0.2 - 0.12, abs=0.01)
    c = curves_of(off, q, UP)
    assert c["lumbar_curve"] == pytest.approx(-0.12, abs=0.02)  # hollow = negative
    assert abs(c["thoracic_curve"]) < 0.03


def test_a_rounded_back_reads_positive_curves():
    off, q = read(body(rounded))
    c = curves_of(off, q, UP)
    assert c["lumbar_curve"] > 0.07 and c["thoracic_curve"] > 0.07  # rounded (cat) = positive
    assert off[UP, ol.N_POINTS // 2] == pytest.approx(0.32, abs=0.01)


def test_a_supine_back_is_read_on_the_floor_side_with_the_same_meaning():
    """A bridge: the back faces the image bottom; a hollow lower back bows towards the image top."""
    off, q = read(body(sag, up=False))
    assert q[DOWN] > 0.9 and np.nanmax(off[DOWN]) < 0
    k = int(np.argmin(np.abs(T - 0.7)))
    assert off[DOWN, k] == pytest.approx(-(0.2 - 0.12), abs=0.01)
    c = curves_of(off, q, DOWN)
    assert c["lumbar_curve"] == pytest.approx(-0.12, abs=0.02)  # hollow, whatever the image direction
    assert c["local_lumbar"] < -0.05


def test_a_deep_sag_with_the_chord_outside_the_body():
    off, q = read(body(lambda u: sag(u, depth=0.32, width=0.22)))
    k = int(np.argmin(np.abs(T - 0.7)))
    assert off[UP, k] == pytest.approx(0.2 - 0.32, abs=0.015)
    assert q[UP] > 0.8


# -- quality: say nothing rather than guess -----------------------------------------------------


def test_a_ragged_edge_has_low_quality():
    rng = np.random.default_rng(0)
    jag = rng.choice([-0.05, 0.05], size=W // 12 + 1).repeat(12)[:W]  # 12-px teeth, +-10 px
    _, q = read(body(lambda u: 0.2 + np.interp(u * TORSO + SH[0], np.arange(W), jag)))
    assert q[UP] < 0.3


def test_hair_or_loose_clothing_blur_has_low_quality():
    _, q = read(body(straight, soft=14.0))  # a 0.8->0.2 ramp of ~0.1 torso lengths
    assert q[UP] < 0.3


def test_a_second_blob_just_beyond_the_back_has_low_quality():
    m = body(straight)
    top = int(SH[1] - 0.2 * TORSO)
    m[top - 30 : top - 4, 150:330] = 1.0  # another person, a strand of hair: 4 px above the back
    _, q = read(m)
    assert q[UP] < 0.2


def test_a_blob_merged_into_the_back_is_too_far_from_the_torso():
    m = body(straight)
    top = int(SH[1] - 0.2 * TORSO)
    m[top - 120 : top + 2, 200:300] = 1.0  # a second person overlapping: the edge ~0.8 torso out
    _, q = read(m)
    assert q[UP] < 0.2


def test_a_mask_cut_by_the_frame_edge_has_zero_quality():
    shift = np.array([0.0, -165.0])  # the back leaves the top of the frame
    _, q = read(body(straight, sh=SH + shift), sh=SH + shift, hip=HIP + shift)
    assert q[UP] == 0.0


def test_a_tiny_person_has_zero_quality():
    small = body(straight)[::10, ::10]  # a torso of 20 px
    _, q = ol.outline(small, *landmarks(sh=SH / 10, hip=HIP / 10))
    assert q[UP] == 0.0


def test_the_head_is_hidden_without_hurting_the_quality():
    m = body(straight)
    yy, xx = np.mgrid[0:H, 0:W]
    head = np.array([120.0, 140.0])  # a raised head right above the shoulder
    m[(xx - head[0]) ** 2 + (yy - head[1]) ** 2 <= 45**2] = 1.0
    off, q = read(m, head=head, arms=(np.add(SH, [0, 90]), np.add(SH, [0, 160])))  # arms hang on the belly side
    assert np.isnan(off[UP, 0])  # hidden by the head
    assert np.allclose(off[UP, 4:], 0.2, atol=0.01)
    assert q[UP] > 0.9
    assert abs(curves_of(off, q, UP)["lumbar_curve"]) < 0.02  # the straightedge starts where the back shows


def test_an_arm_along_the_whole_back_leaves_nothing_to_judge():
    m = body(straight)
    off, q = read(m, arms=(np.add(SH, [0, -40]), np.add(HIP, [0, -40])))  # the upper arm and forearm lie on the back
    assert q[UP] == 0.0
    assert np.isnan(curves_of(off, q, UP)["lumbar_curve"])


def test_a_uint8_mask_as_stored_is_accepted():
    off, q = read((body(sag) * 255).astype(np.uint8))
    assert q[UP] > 0.9 and np.isfinite(off[UP]).all()


def test_the_profile_does_not_depend_on_the_mask_resolution():
    a, _ = read(body(sag))
    big = np.kron(body(sag), np.ones((2, 2), np.float32))
    b, q = ol.outline(big, *landmarks(sh=SH * 2, hip=HIP * 2))
    assert np.nanmax(np.abs(a[UP] - b[UP])) < 0.01 and q[UP] > 0.9


def test_curves_are_vectorised_and_gated_by_quality():
    a, qa = read(body(sag))
    b, _ = read(body(rounded))
    c = back.curves(np.stack([a, b]), np.array([qa, [0.2, 0.2]]), np.array([UP, UP]))
    assert c["lumbar_curve"][0] < -0.1 and np.isnan(c["lumbar_curve"][1]) and np.isnan(c["thoracic_curve"][1])
