"""Hand-built pose sequences from joint angles, for tests and notebooks.

Each `*_pose` function returns one frame's 33 x [x, y, z, visibility] landmarks (image-normalised,
like MediaPipe's) for a body placed side-on (or facing the camera for the side plank) in a
1280 x 720 frame. Build a sequence by calling it per frame with changing angles, then
`make_track` turns the frames into a Track the rules judge like a real one.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.landmarks import NUM_LANDMARKS, Landmark
from formcheck.pipeline.track import Track

WIDTH, HEIGHT = 1280, 720
# Segment lengths in pixels for an adult filling about half the frame width.
TORSO, THIGH, SHIN, UPPER_ARM, FOREARM, NECK = 200.0, 180.0, 170.0, 110.0, 100.0, 70.0


def _unit(angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    return np.array([math.cos(a), math.sin(a)])


def _rotate(v: np.ndarray, angle_deg: float) -> np.ndarray:
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _assemble(
    near: dict[str, np.ndarray],
    origin: tuple[float, float],
    far_offset: tuple[float, float],
    near_side: str = "left",
    nose: np.ndarray | None = None,
    far: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Body points in a y-up frame (pixels from `origin`) -> 33 x 4 normalised landmarks."""
    out = np.zeros((NUM_LANDMARKS, 4), dtype=np.float32)
    out[:, 3] = 0.3  # face details and hands: present but not relied on
    far_side = "right" if near_side == "left" else "left"

    def put(index: int, p: np.ndarray, vis: float) -> None:
        out[index, 0] = (origin[0] + p[0]) / WIDTH
        out[index, 1] = (origin[1] - p[1]) / HEIGHT
        out[index, 3] = vis

    offset = np.array(far_offset)
    for joint, p in near.items():
        put(Landmark[f"{near_side.upper()}_{joint.upper()}"], p, 0.99)
        far_p = far[joint] if far and joint in far else p + offset
        put(Landmark[f"{far_side.upper()}_{joint.upper()}"], far_p, 0.85)
    head = nose if nose is not None else near["ear"] + np.array([25.0, -5.0])
    put(Landmark.NOSE, head, 0.99)
    for index in (Landmark.LEFT_EYE, Landmark.RIGHT_EYE, Landmark.MOUTH_LEFT, Landmark.MOUTH_RIGHT):
        put(index, head, 0.9)
    for name in ("pinky", "index", "thumb"):
        for side, src in ((near_side, near), (far_side, far or {k: v + offset for k, v in near.items()})):
            put(Landmark[f"{side.upper()}_{name.upper()}"], src["wrist"] + np.array([15.0, 0.0]), 0.5)
    return out


def plank_pose(
    hip_bend_deg: float = 0.0,
    knee_angle_deg: float = 180.0,
    head_deg: float = 10.0,
    body_tilt_deg: float = 5.0,
    high: bool = False,
    shoulder_offset_ratio: float = 0.0,
) -> np.ndarray:
    """A side-on plank, head to the right. hip_bend_deg > 0 piked, < 0 sagging; head_deg is the
    ear-shoulder line's angle above the trunk line (10 = MediaPipe's neutral)."""
    hip = np.array([0.0, 0.0])
    torso_dir = _unit(body_tilt_deg - hip_bend_deg / 2)
    leg_dir = -_unit(body_tilt_deg + hip_bend_deg / 2)
    shoulder = hip + TORSO * torso_dir
    knee = hip + THIGH * leg_dir
    # Bent knees drop towards the floor: turn the shin so the knee ends up below the line.
    ankle = knee + SHIN * _rotate(leg_dir, -(180.0 - knee_angle_deg))
    # MediaPipe's landmarks sit inside the limbs: on the clips a straight plank's hip reads about
    # half a torso above the elbow-toe line, so the support is placed a little lower than bone length.
    if high:
        elbow = shoulder + np.array([0.0, -UPPER_ARM * 1.2])
        wrist = elbow + np.array([0.0, -FOREARM * 1.2])
    else:
        elbow = shoulder + np.array([-shoulder_offset_ratio * UPPER_ARM * 1.5, -UPPER_ARM * 1.5])
        wrist = elbow + np.array([FOREARM, 0.0])
    ear = shoulder + NECK * _rotate(torso_dir, head_deg)
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, 0.0]),
        "foot_index": ankle + np.array([5.0, -25.0]),
        "ear": ear,
    }
    # The forearms (or hands) and toes rest on the floor.
    floor_shift = -min(points["elbow"][1], points["wrist"][1], points["foot_index"][1])
    points = {k: v + np.array([0.0, floor_shift]) for k, v in points.items()}
    nose = points["ear"] + NECK * 0.4 * _rotate(torso_dir, head_deg - 40)
    return _assemble(points, (640.0, 560.0), (6.0, 8.0), nose=nose)


def _hip_for_bend(knee: np.ndarray, shoulder: np.ndarray, bend_deg: float) -> np.ndarray:
    """A hip TORSO from the shoulder whose knee-hip-shoulder bend is bend_deg (> 0 above the line)."""
    line = knee - shoulder
    base = math.degrees(math.atan2(line[1], line[0]))
    lo, hi = -80.0, 80.0  # angle of shoulder->hip relative to shoulder->knee
    from formcheck.geometry import bend_above_line_deg

    def bend(delta: float) -> float:
        hip = shoulder + TORSO * _unit(base + delta)
        image = lambda p: np.array([p[0], -p[1]])  # noqa: E731 - y-up to y-down for the measure
        return float(bend_above_line_deg(image(knee), image(hip), image(shoulder)))

    for _ in range(60):  # bisection: bend grows with delta (hip raised above the line)
        mid = (lo + hi) / 2
        if bend(mid) < bend_deg:
            lo = mid
        else:
            hi = mid
    return shoulder + TORSO * _unit(base + (lo + hi) / 2)


def bridge_pose(hip_lift_deg: float = 0.0, shin_offset_ratio: float = 0.0) -> np.ndarray:
    """A glute bridge side-on, head to the left, feet flat. hip_lift_deg is the hip's bend above
    the knee-shoulder line (0 = on the line, -45 lying down, +15 arched)."""
    shoulder = np.array([0.0, 25.0])
    ankle = np.array([TORSO + THIGH * 0.8, 10.0])
    knee = ankle + np.array([-shin_offset_ratio * SHIN, SHIN * math.sqrt(max(0.0, 1 - shin_offset_ratio**2))])
    hip = _hip_for_bend(knee, shoulder, hip_lift_deg)
    elbow = shoulder + np.array([UPPER_ARM * 0.9, -20.0])
    wrist = elbow + np.array([FOREARM, 0.0])
    ear = shoulder + np.array([-NECK, 5.0])
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-10.0, -5.0]),
        "foot_index": ankle + np.array([30.0, -5.0]),
        "ear": ear,
    }
    nose = ear + np.array([-10.0, 30.0])  # face up
    return _assemble(points, (350.0, 600.0), (5.0, 6.0), nose=nose)


def superman_pose(
    arm_lift_deg: float = -12.0,
    leg_lift_deg: float = 4.0,
    chest_lift_deg: float = 2.0,
    head_deg: float = 10.0,
    knee_angle_deg: float = 175.0,
) -> np.ndarray:
    """A superman side-on, lying face down, head to the right; lifts are degrees above horizontal."""
    hip = np.array([0.0, 20.0])
    shoulder = hip + TORSO * _unit(chest_lift_deg)
    wrist = shoulder + (UPPER_ARM + FOREARM) * _unit(arm_lift_deg)
    elbow = shoulder + UPPER_ARM * _unit(arm_lift_deg)
    leg_dir = _unit(180.0 - leg_lift_deg)
    knee = hip + THIGH * leg_dir
    ankle = knee + SHIN * _rotate(leg_dir, -(180.0 - knee_angle_deg))
    ear = shoulder + NECK * _rotate(_unit(chest_lift_deg), head_deg)
    points = {
        "shoulder": shoulder,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": ankle + np.array([-5.0, 10.0]),
        "foot_index": ankle + np.array([-20.0, -5.0]),
        "ear": ear,
    }
    nose = ear + np.array([20.0, -25.0])  # face down
    return _assemble(points, (500.0, 600.0), (5.0, 6.0), nose=nose)


def side_plank_pose(
    hip_bend_deg: float = 0.0,
    elbow_offset_ratio: float = 0.0,
    support: str = "left",
    body_tilt_deg: float = 20.0,
    knee_angle_deg: float = 178.0,
) -> np.ndarray:
    """A forearm side plank seen from the front: the body line rises from the feet (left of the
    frame) to the shoulders; the supporting shoulder is the lower one."""
    ankle = np.array([0.0, 0.0])
    body = TORSO + THIGH + SHIN
    line = _unit(body_tilt_deg)
    shoulder_mid = ankle + body * 0.92 * line
    # Put the mid-hip off the ankle-shoulder line by the bend (> 0 above).
    along = ankle + (THIGH + SHIN) * line
    normal = _rotate(line, 90)
    offset = math.tan(math.radians(hip_bend_deg / 2)) * (THIGH + SHIN) * 0.6
    hip_mid = along + offset * normal
    half_width = 0.35 * TORSO  # facing the camera: the shoulders are spread across the body
    lower, upper = shoulder_mid - half_width * normal, shoulder_mid + half_width * normal
    hip_low, hip_up = hip_mid - 0.5 * half_width * normal, hip_mid + 0.5 * half_width * normal
    knee_mid = ankle + SHIN * line
    elbow = lower + UPPER_ARM * _unit(-90) + np.array([elbow_offset_ratio * UPPER_ARM, 0.0])
    wrist = elbow + FOREARM * line
    ear_mid = shoulder_mid + NECK * line
    support_pts = {
        "shoulder": lower,
        "elbow": elbow,
        "wrist": wrist,
        "hip": hip_low,
        "knee": knee_mid - 8 * normal,
        "ankle": ankle - 5 * normal,
        "heel": ankle - 5 * normal,
        "foot_index": ankle + np.array([-15.0, 0.0]),
        "ear": ear_mid - 20 * normal,
    }
    bend_knee = _rotate(line, -(180 - knee_angle_deg))
    support_pts["knee"] = support_pts["hip"] - THIGH * line
    support_pts["ankle"] = support_pts["knee"] - SHIN * bend_knee
    top_pts = {
        "shoulder": upper,
        "elbow": upper + np.array([0.0, 60.0]),
        "wrist": upper + np.array([0.0, 120.0]),
        "hip": hip_up,
        "knee": hip_up - THIGH * line,
        "ankle": hip_up - (THIGH + SHIN) * line,
        "heel": ankle + 5 * normal,
        "foot_index": ankle + np.array([-15.0, 5.0]),
        "ear": ear_mid + 20 * normal,
    }
    floor_shift = 40.0 - min(p[1] for p in list(support_pts.values()) + list(top_pts.values()))
    support_pts = {k: v + np.array([0.0, floor_shift]) for k, v in support_pts.items()}
    top_pts = {k: v + np.array([0.0, floor_shift]) for k, v in top_pts.items()}
    nose = ear_mid + np.array([0.0, floor_shift + 10.0]) + 40 * line
    return _assemble(support_pts, (250.0, 650.0), (0.0, 0.0), near_side=support, nose=nose, far=top_pts)


def make_track(frames: list[np.ndarray | None], fps: float = 30.0, jitter_px: float = 0.0, seed: int = 0) -> Track:
    """A Track from per-frame landmarks (None = nobody found), with optional pixel jitter."""
    rng = np.random.default_rng(seed)
    landmarks = np.full((len(frames), NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    for i, frame in enumerate(frames):
        if frame is not None:
            landmarks[i] = frame
    if jitter_px:
        noise = rng.normal(0.0, jitter_px, size=(len(frames), NUM_LANDMARKS, 2))
        landmarks[:, :, 0] += (noise[:, :, 0] / WIDTH).astype(np.float32)
        landmarks[:, :, 1] += (noise[:, :, 1] / HEIGHT).astype(np.float32)
    world = np.where(np.isnan(landmarks[:, :, :1]), np.nan, 0.0).repeat(3, axis=2).astype(np.float32)
    times = np.arange(len(frames)) * 1000.0 / fps
    return Track(landmarks, world, times, fps, WIDTH, HEIGHT, {"source": "synthetic"})


def hold(pose: np.ndarray, seconds: float, fps: float = 30.0) -> list[np.ndarray | None]:
    return [pose] * round(seconds * fps)
