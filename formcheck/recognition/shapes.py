"""What tells the exercises done lying on the back apart, as a physiotherapist would say it.

Their own position tests all pass on the same frames (lying face up, trunk near the floor), so the
neighbours alone decide between them, and an exercise no training clip shows like this (a dead bug
with the only other one held out) is lost. These shape tests narrow the position tests where the
body says which it is:

- glute bridge: knees bent, feet flat on the floor - both shins upright (knees above the ankles);
- lying leg raise and dead bug: nothing below the floor - no knee well below the hips (kneeling
  on all fours, the thighs hang down);
- lying leg raise: the feet leave the floor (shins not both upright) and the arms rest (on the
  floor, under the hips or behind the head);
- dead bug: the pelvis stays down and an arm reaches up to the ceiling, straight. The feet-down
  heel slide (arms resting) is the bottom of a bridge by shape: it is left to the neighbours, and
  a dead bug test passing on every bridge bottom would let the one heel-slide clip outvote
  bridges the training lacks.

The floor is taken as the image's horizontal (cameras stand level; a roll of 15-20 degrees moves
nothing here), heights are in torso lengths, and each test looks at either side's limbs, so left
or right facing read the same.
"""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import Landmark as L

# A shin is upright when it rises at least this steeply from the ankle to the knee (sine of its
# angle above the floor; 0.6 ~ 37 deg). In position on the labelled clips, bridges read 0.75 and
# more (the heel slide 0.65); judgeable leg raises and dead bugs 0.47 and less.
UPRIGHT_SHIN = 0.6
# An arm reaches up when its wrist is this many torso lengths above its shoulder with the arm
# straight (shoulder-wrist over upper arm + forearm). The dead bug learnt from reads 0.79 and more;
# leg raises 0.55 and less (hands behind the head in a crunch: elbows bent, no reach at all).
REACH_UP_RATIO = 0.7
STRAIGHT_ARM = 0.9
# The hips are lifted when the hip is this many torso lengths above the line from the shoulder to
# the lower ankle (the floor, when both rest on it). Lying flat reads 0.08 and less on every
# labelled clip (dead bugs, heel slide, leg raises); bridges rise to 0.37-0.51 at the top.
HIPS_LIFTED_RATIO = 0.15
# A knee is below the floor when it is this many torso lengths below the hips: kneeling thighs
# hang -0.3 to -1.1; leg raises and dead bugs in position stay above -0.15 (a rolled camera).
KNEE_BELOW_RATIO = -0.3

_SIDES = ((L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST), (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST))
_SHINS = ((L.LEFT_KNEE, L.LEFT_ANKLE), (L.RIGHT_KNEE, L.RIGHT_ANKLE))


def _length(v: np.ndarray) -> np.ndarray:
    return np.linalg.norm(v, axis=-1)


def shin_rise(xy: np.ndarray) -> np.ndarray:
    """N x 33 x 2 pixels (y down) -> per frame, the flatter shin's sine of its angle above the
    floor, knee above ankle (1 both shins vertical, 0 a shin level, < 0 a foot above its knee)."""
    rises = []
    for knee, ankle in _SHINS:
        d = xy[:, knee] - xy[:, ankle]
        rises.append(-d[:, 1] / _length(d))
    return np.fmin(*rises)


def arm_reach_up(xy: np.ndarray) -> np.ndarray:
    """Per frame, the height of the higher straight arm's wrist above its shoulder, in torso
    lengths (a bent arm counts as not reaching: -inf)."""
    shoulder = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    torso = _length(hip - shoulder)
    reach = []
    for s, e, w in _SIDES:
        straight = _length(xy[:, w] - xy[:, s]) / (_length(xy[:, e] - xy[:, s]) + _length(xy[:, w] - xy[:, e]))
        height = (xy[:, s, 1] - xy[:, w, 1]) / torso
        reach.append(np.where(straight >= STRAIGHT_ARM, height, np.where(np.isnan(straight), np.nan, -np.inf)))
    return np.fmax(*reach)


def hip_lift(xy: np.ndarray) -> np.ndarray:
    """Per frame, the hip's height above the line from the shoulder to the lower ankle, in torso
    lengths (> 0 lifted, as in a bridge; < 0 the feet up, as in a leg raise)."""
    shoulder = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    left_lower = xy[:, L.LEFT_ANKLE, 1] >= xy[:, L.RIGHT_ANKLE, 1]  # y down: the lower ankle
    ankle = np.where(left_lower[:, None], xy[:, L.LEFT_ANKLE], xy[:, L.RIGHT_ANKLE])
    to_ankle = ankle - shoulder
    line_y = shoulder[:, 1] + (hip[:, 0] - shoulder[:, 0]) / to_ankle[:, 0] * to_ankle[:, 1]
    return (line_y - hip[:, 1]) / _length(hip - shoulder)


def knee_height(xy: np.ndarray) -> np.ndarray:
    """Per frame, the lower knee's height above the hips, in torso lengths."""
    shoulder = (xy[:, L.LEFT_SHOULDER] + xy[:, L.RIGHT_SHOULDER]) / 2
    hip = (xy[:, L.LEFT_HIP] + xy[:, L.RIGHT_HIP]) / 2
    lower_knee = np.fmax(xy[:, L.LEFT_KNEE, 1], xy[:, L.RIGHT_KNEE, 1])  # y down
    return (hip[:, 1] - lower_knee) / _length(hip - shoulder)


def supine_tests(xy: np.ndarray) -> dict[str, np.ndarray]:
    """Per exercise lying on the back, per frame: False where its shape rules it out. A frame
    whose limbs are not seen rules nothing out (the position test decides alone)."""
    shin = shin_rise(xy)
    reach = arm_reach_up(xy)
    lift = hip_lift(xy)
    feet_flat = shin >= UPRIGHT_SHIN
    arm_up = reach >= REACH_UP_RATIO
    hips_down = ~(lift >= HIPS_LIFTED_RATIO)  # unseen: down
    knees_up = ~(knee_height(xy) < KNEE_BELOW_RATIO)  # unseen: up
    unseen_legs, unseen_arms = np.isnan(shin), np.isnan(reach)
    return {
        "glute_bridge": feet_flat | unseen_legs,
        "leg_raise": knees_up & (~feet_flat | unseen_legs) & (~arm_up | unseen_arms),
        "dead_bug": knees_up & hips_down & (arm_up | unseen_arms),
    }
