"""What an exercise module declares, and the pose data it reads.

An exercise is a small module: the joints it needs, the view it wants, its per-frame features
(vectorised numpy over any number of frames), when the body is in position, and its faults as
signed margins (> 0 = at fault). The generic `Judge` (formcheck.judging.judge) turns those arrays into
events with hysteresis and minimum durations, identically live and offline.
No OpenCV or MediaPipe here: arrays and timestamps only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal

import numpy as np

from formcheck.exercises.frames import PoseFrames, Signals  # re-exported: what exercises read and return
from formcheck.i18n import N_

Kind = Literal["hold", "reps"]
View = Literal["side", "front"]
Role = Literal["fault", "position", "view", "rep"]

# Why a frame cannot be judged, and what to tell the user. Code 0 means "judge it".
JUDGEABLE = 0
NO_PERSON = 1
NOT_VISIBLE = 2
WRONG_VIEW = 3
REASONS = {
    NO_PERSON: ("no_person", N_("Step into the frame")),
    NOT_VISIBLE: ("not_visible", N_("Keep your whole body in the frame")),
    WRONG_VIEW: ("wrong_view", N_("Turn side-on to the camera")),
}
WRONG_VIEW_CUES = {
    "side": N_("Turn side-on to the camera"),
    "front": N_("Face the camera (or turn your back to it)"),
}


@dataclass(frozen=True)
class FaultSpec:
    name: str
    cue: str
    praise: str = N_("Good — that's it")
    # "hold": judged on every frame in position; "top": only at the top of a rep;
    # "rep": judged once per rep, on the rep's peak (e.g. a bridge that never got high enough) or
    # on its ranges (`Exercise.rep_faults`); "tempo": once per rep from how long its rise and
    # fall took (`Exercise.tempo_margins`).
    scope: Literal["hold", "top", "rep", "tempo"] = "hold"
    # The hips off the body line: on the way out of a hold the body sweeps through the line
    # (a sag pushed up into kneeling), so such a fault clearing just before leaving is the exit.
    body_line: bool = False
    joints: tuple[str, ...] = ()  # ringed on the overlay while the fault is on (judged side)
    outline: bool = False  # read from the back's outline: the overlay draws it red while on


@dataclass(frozen=True)
class Limit:
    """One threshold drawn on a plotted signal: the line sits at `offset + sign * t[key]`, and `bad`
    says which side of it is the fault (or out of position, the wrong view, the top of a rep).
    A fault's lines each flag it alone, except lines sharing a `together` note, which flag it only
    when all of them are crossed (the hips a little high AND the back's outline arched)."""

    key: str
    bad: Literal["above", "below"]
    role: Role
    fault: str = ""  # the fault it belongs to (role "fault")
    sign: float = 1.0
    offset: float = 0.0
    together: str = ""  # e.g. "both: hip and outline"

    def value(self, t: Mapping[str, float]) -> float:
        """Where the line is, in the signal's units (NaN if the threshold does not exist)."""
        try:
            return self.offset + self.sign * float(t[self.key])
        except KeyError:
            return math.nan

    def beyond(self, signal: np.ndarray, t: Mapping[str, float]) -> np.ndarray:
        v = self.value(t)
        return signal > v if self.bad == "above" else signal < v

    def label(self, t: Mapping[str, float]) -> str:
        what = (
            self.fault.replace("_", " ")
            or {"position": "out of position", "view": "wrong view", "rep": "rep top"}[self.role]
        )
        also = f"; {self.together}" if self.together else ""
        return f"{what} {self.bad} {self.value(t):.3g} ({self.key}{also})"


@dataclass(frozen=True)
class Plot:
    """A signal worth plotting (timeline, tuning notebook) with the thresholds drawn on it."""

    feature: str
    title: str
    limits: tuple[Limit, ...] = ()
    variant: str = ""  # only for this variant (its rep signal), else for all
    timeline: bool = False  # also on the timeline's top panel


@dataclass(frozen=True)
class KeyAngle:
    """The angle drawn at its vertex on the overlay: joints (a, vertex, c) on the judged side (the
    midpoints of each pair for exercises judged from the front); c None = against the image
    horizontal. `straight`: the ideal is a straight line, so the a-c line is drawn dashed."""

    feature: str
    joints: tuple[str, str, str | None] | None = None  # None: the value is shown in the panel only
    straight: bool = False


@dataclass(frozen=True)
class Synthetic:
    """How to pose a hand-built body for this exercise (tests, notebooks, the contract test).

    `pose(**kwargs)` returns one frame's 33 x [x, y, z, visibility] landmarks (image-normalised,
    1280 x 720). `good` is a good hold (or a rep's top), `rest` a rep's bottom; `faults` maps each
    fault to the changes to `good` that show it; `wrong_view` the changes that show the body from
    the wrong side; `sweep` parameter ranges that take every feature across its limits.
    `sequence(changes)`, if given, builds a whole good set's frames with the changes applied (for
    movements a hold or rest-to-top reps do not show, e.g. cat-cow cycles). `elsewhere` names the
    faults a pose cannot show (how fast a rep moved, a rep's range, the back's outline): each is
    tested in the exercise's own tests instead."""

    pose: Callable[..., np.ndarray]
    good: Mapping[str, Any]
    faults: Mapping[str, Mapping[str, Any]]
    sweep: Mapping[str, tuple[float, float]]
    wrong_view: Mapping[str, Any] = field(default_factory=dict)
    rest: Mapping[str, Any] = field(default_factory=dict)
    sequence: Callable[[Mapping[str, Any]], list[np.ndarray]] | None = None
    elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class RepSpec:
    """How reps are counted on the `lift` signal (see Judge): up once it is above `top` and has
    risen `rise` from its last trough; down once it has fallen `drop` from the rep's peak.
    `top_band`: within this of the rep's peak counts as "at the top" (hold time, top faults)."""

    top: float
    rise: float
    drop: float
    hysteresis: float
    top_band: float
    needs_position: bool = True  # False when a rep takes the body out of position (knee taps)
    max_top_s: float = math.inf  # a "rep" held at the top longer than this is a posture change
    max_peak: float = math.inf  # a "rep" rising past this is another movement (a kick that is a tuck)
    # Down only once the signal has also fallen back this share of the rep's rise (trough to peak):
    # a hold whose level wanders by `drop` is not a rep.
    drop_share: float = 0.0
    # Holds at the top that are not reps (a bridge held, a sphinx): with a level set, a recording
    # that opens at or above it opens at the top (its lift unseen: no rep), and a top still held
    # when it ends counts too; either is timed as a hold if it lasts min_hold_s.
    hold_level: float | None = None
    min_hold_s: float = 1.0
    # A rep is complete once its top is reached, so a recording that ends at the top still counts
    # it (a cat-cow cycle is a cow and a cat: the clip may end in the cat).
    top_completes: bool = False


@dataclass(frozen=True)
class Timing:
    """Hysteresis and minimum durations shared by all exercises (seconds / margin units), all
    from thresholds.toml."""

    min_position_s: float
    min_leave_s: float
    min_fault_s: float
    min_fault_clear_s: float
    min_unjudged_s: float
    min_judged_s: float
    min_top_s: float
    min_bottom_s: float
    min_top_fault_s: float
    min_active_s: float
    min_rest_s: float
    min_side_s: float
    position_hysteresis: float
    exit_grace_s: float
    max_frame_gap_s: float

    @classmethod
    def from_thresholds(cls, t: Mapping[str, float]) -> Timing:
        return cls(**{name: float(t[name]) for name in cls.__dataclass_fields__})


class Registry(Mapping[str, "type[Exercise]"]):
    """The exercises formcheck judges by name, in the order of the plan (then by name). Every
    subclass of Exercise that sets `name` joins it when its module is imported."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Exercise]] = {}

    def add(self, cls: type[Exercise]) -> None:
        self._classes[cls.name] = cls

    def remove(self, name: str) -> None:
        self._classes.pop(name, None)

    def __getitem__(self, name: str) -> type[Exercise]:
        return self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._classes, key=lambda n: (self._classes[n].order, n)))

    def __len__(self) -> int:
        return len(self._classes)


REGISTRY = Registry()


class Exercise:
    """One exercise, everything about it in one place: subclasses set the class attributes and
    `signals()`; the judge, the overlay, the timeline, the tuning panels and the tests read them."""

    name: ClassVar[str]
    title: ClassVar[str]
    # kind, faults, reports_sides: the exercise's on the class (`faults`: every variant's), its
    # variant's on an instance (kind_of, faults_of, sides_of).
    kind: Kind
    view: ClassVar[View]
    needed: ClassVar[tuple[str, ...]]  # paired joints needed on the judged side
    faults: tuple[FaultSpec, ...]
    key_angle: ClassVar[KeyAngle]  # the angle drawn on the video (and named in the panel)
    plots: ClassVar[tuple[Plot, ...]]  # signals to plot, with their limit lines
    synthetic: ClassVar[Synthetic | None] = None  # hand-built poses for tests and notebooks
    timeline_label: ClassVar[str] = ""  # y label of the timeline's signal panel (default: its plot's title)
    get_in_position_cue: ClassVar[str] = N_("Get into position")
    variants: ClassVar[tuple[str, ...]] = ()
    tolerances: ClassVar[tuple[str, ...]] = ()  # thresholds scaled by the strictness level
    reports_sides: bool = False  # time (holds) or count (reps) each side separately
    # Variants of a rep exercise done as a timed hold (a sphinx, propped on the arms): "top" faults
    # are judged on every frame held, a whole rep's ("rep", "tempo") not at all.
    hold_variants: ClassVar[tuple[str, ...]] = ()
    side_variants: ClassVar[tuple[str, ...]] = ()  # variants that report sides (one leg at a time)
    # Features whose range (max - min) over each rep is reported with the rep (a cat-cow cycle's
    # range of motion) and handed to `rep_faults` when the rep completes.
    rep_measures: ClassVar[tuple[str, ...]] = ()
    side_value: ClassVar[str] = ""  # what Signals.side_value measures, reported per side (e.g. "turn_deg")
    uses_world: ClassVar[bool] = False  # its signals read PoseFrames.world (smoothed only then)
    # Which way the back faces when in position, for exercises that read the back's outline
    # (PoseFrames.back_curves): "up" (prone, all fours) or "down" (supine); None: it does not, and
    # the pose stage need not read the silhouette for it.
    back: ClassVar[Literal["up", "down"] | None] = None
    # Seconds of past frames `signals` reads (trailing windows: a bounce, a reference posture).
    # Offline it sees the whole track; the online judgement and live sessions keep this much.
    history_s: ClassVar[float] = 0.0
    order: ClassVar[float] = 100.0  # where it is listed (the plan's order), then by name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            REGISTRY.add(cls)

    def __init__(self, thresholds: Mapping[str, float], variant: str = "") -> None:
        self.t = dict(thresholds)
        self.variant = variant
        cls = type(self)
        self.kind = cls.kind_of(variant)
        self.faults = cls.faults_of(variant)
        self.reports_sides = cls.sides_of(variant)

    @classmethod
    def kind_of(cls, variant: str) -> Kind:
        return "hold" if variant in cls.hold_variants else cls.kind

    @classmethod
    def faults_of(cls, variant: str) -> tuple[FaultSpec, ...]:
        if cls.kind_of(variant) == cls.kind:
            return cls.faults
        return tuple(replace(f, scope="hold") for f in cls.faults if f.scope in ("hold", "top"))

    @classmethod
    def sides_of(cls, variant: str) -> bool:
        return cls.reports_sides or variant in cls.side_variants

    @property
    def key_feature(self) -> str:
        return self.key_angle.feature

    @property
    def fault_specs(self) -> dict[str, FaultSpec]:
        return {f.name: f for f in self.faults}

    def timing(self) -> Timing:
        return Timing.from_thresholds(self.t)

    def plots_for_variant(self) -> tuple[Plot, ...]:
        """The plots of this exercise and variant (a variant's own rep signal only for it)."""
        return tuple(p for p in self.plots if p.variant in ("", self.variant))

    def signals(self, pose: PoseFrames) -> Signals:
        raise NotImplementedError

    def rep_faults(self, ranges: Mapping[str, float]) -> list[str]:
        """Faults of a whole rep, judged on the ranges of `rep_measures` over it (NaN where a
        measure was never seen). They must be FaultSpecs of scope "rep"."""
        return []

    def tempo_margins(self, up_s: float, down_s: float) -> dict[str, tuple[float, str]]:
        """Margins (> 0 = at fault) of the "tempo" faults of one rep, from the seconds its rep
        signal took to rise (up_s) and to fall back (down_s), each from 10% to 90% of its range;
        NaN where a time is not known yet. With each, the phase it blames ("up" or "down")."""
        return {}

    def rep(self, top: float, rise: float, drop: float, **kwargs: Any) -> RepSpec:
        """A RepSpec with the shared hysteresis and top band from the thresholds."""
        return RepSpec(top, rise, drop, self.t["rep_hysteresis"], self.t["rep_top_band"], **kwargs)

    def rep_spec(self) -> RepSpec | None:
        """How this exercise (and variant) counts reps; None if it does not."""
        if self.kind != "reps":
            return None
        t = self.t
        return self.rep(t["rep_top"], t["rep_rise"], t["rep_drop"])

    # Helpers shared by the exercise modules --------------------------------------------

    def near_side(self, pose: PoseFrames) -> np.ndarray:
        """Per frame, True if the left side is the one nearer the camera (more visible)."""
        left = np.zeros(len(pose))
        right = np.zeros(len(pose))
        for joint in self.needed:
            left += np.nan_to_num(pose.joint_visibility("left", joint))
            right += np.nan_to_num(pose.joint_visibility("right", joint))
        return left >= right

    def visibility_reason(
        self, pose: PoseFrames, side: np.ndarray, joints: tuple[str, ...] | None = None
    ) -> np.ndarray:
        """NO_PERSON / NOT_VISIBLE / JUDGEABLE per frame for the judged side's needed joints."""
        joints = joints or self.needed
        min_vis = self.t["min_visibility"]
        margin = self.t["frame_margin_ratio"]
        reason = np.full(len(pose), JUDGEABLE, dtype=np.int8)
        for joint in joints:
            xy = pose.joint(side, joint)
            vis = pose.joint_visibility(side, joint)
            inside = (
                (xy[:, 0] >= -margin * pose.width)
                & (xy[:, 0] <= (1 + margin) * pose.width)
                & (xy[:, 1] >= -margin * pose.height)
                & (xy[:, 1] <= (1 + margin) * pose.height)
            )
            bad = ~(vis >= min_vis) | ~inside
            reason[bad] = NOT_VISIBLE
        reason[np.isnan(pose.xy[:, 0, 0])] = NO_PERSON
        return reason

    @property
    def cut_ratios(self) -> tuple[float, float]:
        """The trunk and limb jumps (per torso length, in one frame) beyond which a frame is a cut."""
        return self.t["cut_jump_ratio"], self.t["cut_limb_jump_ratio"]

    def scene_cut(self, pose: PoseFrames) -> np.ndarray:
        """Frames where the body jumps further than anyone moves in one frame: a cut in an
        edited video (or the person swapped). Rep counting restarts after one."""
        return pose.scene_cuts(*self.cut_ratios)
