"""MediaPipe PoseLandmarker in VIDEO mode: BGR frames in, landmark arrays out."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from formcheck.errors import FormcheckError
from formcheck.landmarks import NUM_LANDMARKS
from formcheck.pipeline.cpus import thread_ids
from formcheck.pipeline.models import DEFAULT_MODEL, ModelFile, resolve_model
from formcheck.pipeline.outline import outline as outline_of
from formcheck.pipeline.track import PoseResult
from formcheck.quiet import quiet_native_stderr

MAX_SHORT_SIDE = 720  # larger frames are shrunk before the model (see model_sized)


def model_scale(width: int, height: int) -> float:
    """The scale from a frame to what the model sees (see model_sized)."""
    return min(1.0, MAX_SHORT_SIDE / min(width, height))


def model_sized(frame: np.ndarray) -> np.ndarray:
    """The frame the model sees: at most MAX_SHORT_SIDE pixels on its short side. The landmark
    model reads a 256 x 256 crop, so nothing it sees is lost, while MediaPipe's work on the whole
    image (colour conversion, the mask scaled back to the frame) costs per pixel: a 1080p mask
    costs ~6 ms a frame, a 720p one ~1 ms. Landmarks are normalised, so nothing else changes."""
    h, w = frame.shape[:2]
    f = model_scale(w, h)
    if f == 1.0:
        return frame
    return cv2.resize(frame, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True)
class Inferred:
    """One model answer not yet read: MediaPipe's result (it owns the mask's memory)."""

    result: Any
    outline: bool


class PoseEstimator:
    """A PoseLandmarker for one stream. Use it in a `with` block: it must be closed.

    Timestamps must increase strictly (VIDEO mode tracks between frames, which is both faster
    and far steadier than IMAGE mode); a repeated or earlier timestamp is nudged forward.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | ModelFile = DEFAULT_MODEL,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        outline: bool = False,
    ) -> None:
        """outline: also read the silhouette's edges around the torso (the back's shape) from the
        model's segmentation mask, for exercises that judge the back."""
        self._landmarker = None
        self.thread_ids: set[int] = set()
        self.outline = outline
        self.model = model if isinstance(model, ModelFile) else resolve_model(model)
        with quiet_native_stderr():
            from mediapipe.tasks.python import BaseOptions, vision

            # The bundle's bytes, not its path: MediaPipe's own file opening is not reliable on
            # Windows (non-ASCII folders, absolute paths joined to its resource root).
            self._model_bytes = self.model.path.read_bytes()  # kept while the landmarker lives
            options = vision.PoseLandmarkerOptions(
                base_options=BaseOptions(model_asset_buffer=self._model_bytes),
                running_mode=vision.RunningMode.VIDEO,
                num_poses=1,
                min_pose_detection_confidence=min_detection_confidence,
                min_pose_presence_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
                output_segmentation_masks=outline,
            )
            before = thread_ids()
            try:
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
            except (RuntimeError, ValueError) as exc:
                raise FormcheckError(f"cannot load pose model {self.model.path}: {exc}") from exc
            self.thread_ids = thread_ids() - before  # MediaPipe's own (pipeline/cpus.py keeps them together)
        self._last_ts = -1
        self._first_call = True

    def detect(self, frame_bgr: np.ndarray, timestamp_ms: int) -> PoseResult | None:
        """Landmarks of the person in the frame, or None when nobody is found."""
        return self.finish(self.infer(frame_bgr, timestamp_ms))

    def infer(self, frame_bgr: np.ndarray, timestamp_ms: float, prepared: Any = None) -> Inferred:
        """The model's call alone, in frame order (VIDEO mode tracks between calls); `finish`
        turns its answer into a PoseResult and may run on another thread, while the model reads
        the next frame. `prepared`: the frame's `model_input`, if already made (on the decode
        thread), so this thread runs the model and nothing else."""
        ts = max(int(timestamp_ms), self._last_ts + 1)
        self._last_ts = ts
        image = self.model_input(frame_bgr) if prepared is None else prepared
        if self._first_call:  # the graph logs a few lines on its first frame
            with quiet_native_stderr():
                result = self._landmarker.detect_for_video(image, ts)
            self._first_call = False
        else:
            result = self._landmarker.detect_for_video(image, ts)
        return Inferred(result, self.outline)

    @staticmethod
    def model_input(frame_bgr: np.ndarray) -> Any:
        """What the model is given for a BGR frame: an RGB mediapipe Image (a copy of the pixels),
        at most MAX_SHORT_SIDE on its short side."""
        import mediapipe as mp

        rgb = cv2.cvtColor(model_sized(frame_bgr), cv2.COLOR_BGR2RGB)
        return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)

    @staticmethod
    def finish(inferred: Inferred) -> PoseResult | None:
        """The landmarks (and the back's outline, if asked for) of one model answer. Pure numpy on
        the answer alone, so it can run on any thread."""
        result = inferred.result
        if not result.pose_landmarks:
            return None
        landmarks = np.array([(p.x, p.y, p.z, p.visibility) for p in result.pose_landmarks[0]], dtype=np.float32)
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[0]], dtype=np.float32)
        assert landmarks.shape == (NUM_LANDMARKS, 4)
        if not (inferred.outline and result.segmentation_masks):
            return PoseResult(landmarks=landmarks, world=world)
        mask = result.segmentation_masks[0].numpy_view()
        xy = landmarks[:, :2].astype(np.float64) * (mask.shape[1], mask.shape[0])
        edges, quality = outline_of(mask, xy, landmarks[:, 3])
        return PoseResult(landmarks, world, edges.astype(np.float32), quality.astype(np.float32))

    def close(self) -> None:
        if self._landmarker is not None:
            with quiet_native_stderr():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
