import numpy as np
import pytest

from formcheck import geometry as g


def p(x, y):
    return np.array([[x, y]], dtype=float)


def test_joint_angle_straight_and_right_angle():
    assert g.joint_angle_deg(p(0, 0), p(1, 0), p(2, 0))[0] == pytest.approx(180)
    assert g.joint_angle_deg(p(0, 0), p(1, 0), p(1, 1))[0] == pytest.approx(90)


@pytest.mark.parametrize("direction", [1, -1])
def test_height_above_line_means_up_in_the_image_whichever_way_the_line_runs(direction):
    a, b = p(0, 100), p(200 * direction, 100)
    assert g.height_above_line(p(100 * direction, 80), a, b)[0] == pytest.approx(20)  # y smaller = higher
    assert g.height_above_line(p(100 * direction, 130), a, b)[0] == pytest.approx(-30)


def test_bend_is_positive_when_the_middle_joint_is_above_the_line():
    shoulder, ankle = p(0, 100), p(400, 100)
    assert g.bend_above_line_deg(shoulder, p(200, 80), ankle)[0] > 0  # piked
    assert g.bend_above_line_deg(shoulder, p(200, 120), ankle)[0] < 0  # sagging
    assert g.bend_above_line_deg(shoulder, p(200, 100), ankle)[0] == pytest.approx(0, abs=1e-9)


def test_angles_are_measured_in_pixels_not_normalised_units():
    # A 16:9 frame: normalising x and y separately would bend a straight diagonal line.
    w, h = 1280.0, 720.0
    pts = [p(100, 100), p(600, 400), p(1100, 700)]
    assert g.joint_angle_deg(*pts)[0] == pytest.approx(180)
    normalised = [q / np.array([w, h]) for q in pts]
    assert g.joint_angle_deg(*normalised)[0] == pytest.approx(180)  # still straight (affine keeps lines)
    skewed = [p(100, 100), p(600, 300), p(1100, 700)]
    assert g.joint_angle_deg(*skewed)[0] != pytest.approx(g.joint_angle_deg(*[q / np.array([w, h]) for q in skewed])[0])


def test_angle_between_lines_is_signed_counter_clockwise_on_screen():
    o = np.array([0.0, 0.0])
    right, up_on_screen = np.array([10.0, 0.0]), np.array([0.0, -10.0])  # image y points down
    assert g.angle_between_lines_deg(o, right, o, up_on_screen) == pytest.approx(90.0)
    assert g.angle_between_lines_deg(o, up_on_screen, o, right) == pytest.approx(-90.0)
    assert abs(g.angle_between_lines_deg(o, right, o, -right)) == pytest.approx(180.0)


def test_nan_in_nan_out():
    out = g.joint_angle_deg(p(np.nan, 0), p(1, 0), p(2, 0))
    assert np.isnan(out[0])


def test_body_jump_ratio_flags_a_cut_not_a_movement():
    xy = np.zeros((3, 33, 2))
    xy[:, 11] = xy[:, 12] = [100, 100]
    xy[:, 23] = xy[:, 24] = [300, 100]  # torso 200 px
    xy[1] += 4  # a normal movement
    xy[2] += 150  # a jump of 0.7 torso lengths
    jump = g.body_jump_ratio(xy)
    assert jump[1] < 0.05 < 0.5 < jump[2]


def test_limb_jump_ratio_flags_a_cut_between_similar_shots_not_a_limb_lift():
    rng = np.random.default_rng(0)
    still = rng.uniform(100, 500, size=(33, 2))
    still[11] = still[12] = [100, 100]
    still[23] = still[24] = [300, 100]  # torso 200 px
    lift = still.copy()
    lift[[13, 14, 15, 16]] += [0, -120]  # both arms up 0.6 torso lengths in one frame
    shifted = still + np.array([40.0, 30.0])  # the whole body 0.25 torso lengths over: a cut
    xy = np.stack([still, lift, still, shifted])
    limb = g.limb_jump_ratio(xy)
    assert limb[1] < 0.05 and limb[3] == pytest.approx(0.25, abs=0.01)
    assert g.body_jump_ratio(xy)[3] < 0.3  # the trunk test alone misses it
    assert list(g.scene_cuts(xy, 0.3, 0.18)) == [False, False, False, True]


def test_a_left_right_swap_or_a_one_frame_glitch_is_not_a_cut():
    rng = np.random.default_rng(1)
    pose = rng.uniform(100, 500, size=(33, 2))
    pose[11], pose[12] = [100, 100], [110, 160]
    pose[23], pose[24] = [300, 100], [310, 160]  # torso ~200 px
    swapped = pose.copy()
    for a, b in zip(g.LIMB_JOINTS, g.MIRRORED_LIMBS, strict=True):
        swapped[a] = pose[b]
    glitch = pose + np.array([60.0, 40.0])  # a whole-body jump that comes straight back
    xy = np.stack([pose, swapped, pose, glitch, pose, pose])
    assert g.limb_jump_ratio(xy).max() < 0.05
    assert not g.scene_cuts(xy, 0.3, 0.18).any()
