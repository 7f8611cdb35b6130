"""What an exercise reads (PoseFrames: the smoothed pose over frames) and what it returns to the
judge (Signals). Plain numpy; the exercises and the judge share them through base."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck import geometry as g
from formcheck.exercises.back import MIN_QUALITY as BACK_MIN_QUALITY
from formcheck.exercises.back import curves as back_curves_of
from formcheck.landmarks import side_landmark


@dataclass
class PoseFrames:
    """Smoothed pose data for any number of frames (T may be 1, live)."""

    times_s: np.ndarray  # T
    xy: np.ndarray  # T x 33 x 2 pixels, NaN where missing
    visibility: np.ndarray  # T x 33
    width: int
    height: int
    # The silhouette's edges around the shoulder-hip chord (pipeline/outline): T x 2 x 17 offsets
    # (side 0 towards the image top, 1 towards the bottom; + = up, torso lengths) and T x 2
    # qualities; None when the track has no outline. Read the back through `back_curves`.
    outline: np.ndarray | None = None
    outline_quality: np.ndarray | None = None
    # T x 33 x 3 world landmarks (metres, hip-centred; x right, y down, z away from the camera),
    # smoothed like xy, for exercises that set `uses_world` (else None): only depth questions read
    # it (which way the shoulders face), as DESIGN warns it is noisier than xy.
    world: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.times_s)

    def back_curves(self, prone: bool) -> dict[str, np.ndarray]:
        """Per frame, lumbar_curve, thoracic_curve and local_lumbar (exercises/back.py): + rounded,
        - hollow, torso lengths; NaN without an outline or where it is poor. `prone`: the back
        faces up (plank, superman, all fours), else down (bridge, leg raise, dead bug)."""
        if self.outline is None or self.outline_quality is None:
            nan = np.full(len(self), np.nan)
            return {"lumbar_curve": nan, "thoracic_curve": nan.copy(), "local_lumbar": nan.copy()}
        side = np.full(len(self), 0 if prone else 1, dtype=np.intp)  # the outline's upper or lower edge
        return back_curves_of(self.outline, self.outline_quality, side)

    def scene_cuts(self, body_ratio: float, limb_ratio: float) -> np.ndarray:
        """Per frame, True where the body jumped further than anyone moves in one frame (g.scene_cuts)."""
        return g.scene_cuts(self.xy, body_ratio, limb_ratio)

    def back_edge(self, i: int, prone: bool) -> np.ndarray | None:
        """Frame i's back outline as N_POINTS image-up offsets from the shoulder-hip chord (torso
        lengths, NaN where hidden), or None where there is no outline or it is poor."""
        if self.outline is None or self.outline_quality is None:
            return None
        side = 0 if prone else 1
        if not self.outline_quality[i, side] >= BACK_MIN_QUALITY:
            return None
        return self.outline[i, side]

    def joint(self, side: np.ndarray | str, name: str) -> np.ndarray:
        """T x 2 pixels of a paired joint on the given side ('left'/'right', or per frame)."""
        if isinstance(side, str):
            return self.xy[:, side_landmark(side, name)]
        left = self.xy[:, side_landmark("left", name)]
        right = self.xy[:, side_landmark("right", name)]
        return np.where(side[:, None], left, right)

    def joint_visibility(self, side: np.ndarray | str, name: str) -> np.ndarray:
        if isinstance(side, str):
            return self.visibility[:, side_landmark(side, name)]
        left = self.visibility[:, side_landmark("left", name)]
        right = self.visibility[:, side_landmark("right", name)]
        return np.where(side, left, right)


@dataclass
class Signals:
    """Everything the judge needs, as arrays over frames."""

    features: dict[str, np.ndarray]  # named per-frame measurements (for CSV, plots, overlay)
    reason: np.ndarray  # int per frame: JUDGEABLE or a REASONS code
    position: np.ndarray  # margin: > 0 in position
    faults: dict[str, np.ndarray]  # margin per fault: > 0 at fault
    near_left: np.ndarray  # bool per frame: the judged side is the left one
    lift: np.ndarray | None = None  # rep exercises: the signal that rises at each rep (higher = up)
    cut: np.ndarray | None = None  # bool per frame: the body jumped (a scene cut in edited video)
    side_label: np.ndarray | None = None  # "left"/"right" per frame: side plank's support, a rep's limb
    # Holds of movements (cat-cow): margin > 0 while moving; time counts only while moving, a still
    # rest longer than min_rest_s pauses it (None: every frame in position counts).
    active: np.ndarray | None = None
    # Per frame, a value whose size the summary reports per side label (the seated rotation's turn).
    side_value: np.ndarray | None = None
