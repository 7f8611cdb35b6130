"""The pose model as formcheck runs it: pinned landmarks on a real frame, names, closing."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from formcheck.landmarks import Landmark, side_landmark
from formcheck.pipeline.modelbuild import add_image_metadata, bundle_bytes
from formcheck.pipeline.models import PACKAGE_MODELS
from formcheck.pipeline.pose import PoseEstimator
from formcheck.pipeline.sources import VideoFileSource

PINNED = json.loads((Path(__file__).parent / "data" / "pinned_landmarks.json").read_text())
TOLERANCE_PX = 1.0  # mean over the 33 landmarks; a wrong input normalisation shifts them ~3 px


def landmarks_at_pinned_frame(videos: Path, model) -> np.ndarray:
    with VideoFileSource(videos / PINNED["clip"]) as source, PoseEstimator(model) as estimator:
        for frame in source:
            pose = estimator.detect(frame.image, frame.timestamp_ms)  # VIDEO mode: track from frame 0
            if frame.index == PINNED["frame"]:
                assert pose is not None
                return pose.landmarks[:, :2] * np.array([PINNED["width"], PINNED["height"]])
    raise AssertionError("clip shorter than the pinned frame")


def mean_shift(xy: np.ndarray) -> float:
    return float(np.linalg.norm(xy - np.array(PINNED["xy_px"]), axis=1).mean())


def test_landmarks_of_a_known_frame_are_pinned(videos):
    xy = landmarks_at_pinned_frame(videos, "full")
    assert mean_shift(xy) < TOLERANCE_PX
    # and they sit where a person marked the joints on that frame (labels.csv notes, ~3.0 s)
    shoulder, hip, ankle = (xy[side_landmark("left", j)] for j in ("shoulder", "hip", "ankle"))
    assert np.linalg.norm(shoulder - [945, 445]) < 30
    assert np.linalg.norm(hip - [750, 480]) < 30
    assert np.linalg.norm(ankle - [375, 515]) < 30


def test_the_pin_catches_a_wrongly_normalised_model(videos, tmp_path):
    """Wrong input normalisation does not fail to load: it silently moves landmarks."""
    with zipfile.ZipFile(PACKAGE_MODELS / "pose_landmarker_full.task") as bundle:
        detector = bundle.read("pose_detector.tflite")
        landmarks = bundle.read("pose_landmarks_detector.tflite")
    wrong = tmp_path / "wrong.task"
    wrong.write_bytes(bundle_bytes(detector, add_image_metadata(landmarks, 127.5, 127.5, "wrong")))
    assert mean_shift(landmarks_at_pinned_frame(videos, wrong)) > TOLERANCE_PX


def test_landmark_names():
    assert len(Landmark) == 33
    assert Landmark.LEFT_HIP == 23 and side_landmark("right", "ankle") == Landmark.RIGHT_ANKLE


def test_estimator_returns_none_without_a_person_and_accepts_repeated_timestamps():
    with PoseEstimator("lite") as estimator:
        blank = np.zeros((240, 320, 3), dtype=np.uint8)
        assert estimator.detect(blank, 0) is None
        assert estimator.detect(blank, 0) is None  # nudged forward, not an error
    assert estimator._landmarker is None  # closed


def test_an_unloadable_model_file_is_one_clear_error(tmp_path):
    from formcheck.errors import FormcheckError

    bad = tmp_path / "bad.task"
    bad.write_bytes(b"not a bundle")
    with pytest.raises(FormcheckError, match="cannot load pose model"):
        PoseEstimator(bad)
