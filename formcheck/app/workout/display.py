"""What the workout shows: `live`'s frame and overlay, plus the step's title, its instruction card,
the placement check (amber with what to fix, green once the camera is right), the countdown, the
progress toward the set's target, the rest timer and the summary card."""

from __future__ import annotations

import textwrap

import cv2
import numpy as np

from formcheck.app.live.display import PHASE_BANNER_TOP, LiveDisplay
from formcheck.app.live.window import AMBER, DARK, WHITE, draw_banner, draw_big_text
from formcheck.app.workout.phases import SetFrame
from formcheck.outputs.drawing import ascii_text
from formcheck.pipeline.capture import GrabbedFrame
from formcheck.pipeline.sources import Frame

GREEN_BAND = (80, 175, 60)  # BGR
BAR_FILL = (80, 200, 80)
BAR_BACK = (60, 60, 60)
HELP = "q quit  space pause  s skip  r repeat"


def _unit(image: np.ndarray) -> float:
    return max(min(image.shape[:2]) / 720.0, 0.3)


def draw_lines(image: np.ndarray, lines: list[str], top: float, scale: float = 0.6, width_chars: int = 70) -> None:
    """Wrapped lines of text on a darkened box across the frame, from `top` (share of height)."""
    u = _unit(image)
    h = image.shape[0]
    font = cv2.FONT_HERSHEY_SIMPLEX
    size = scale * u
    thickness = max(1, round(1.5 * u))
    wrapped = [part for line in lines for part in textwrap.wrap(ascii_text(line), width_chars) or [""]]
    (_, th), base = cv2.getTextSize("Ag", font, size, thickness)
    step = th + base + max(2, round(4 * u))
    y0 = int(top * h)
    y1 = min(h, y0 + step * len(wrapped) + 2 * step // 3)
    roi = image[y0:y1]
    cv2.convertScaleAbs(roi, dst=roi, alpha=0.35)
    x = max(4, round(12 * u))
    for i, line in enumerate(wrapped):
        cv2.putText(image, line, (x, y0 + (i + 1) * step), font, size, WHITE, thickness, cv2.LINE_AA)


def draw_progress(image: np.ndarray, done: float, target: float, unit: str) -> None:
    """A bar toward the target with "12.4 / 30 s" (or "4 / 10 reps") on it, near the bottom."""
    h, w = image.shape[:2]
    u = _unit(image)
    x0, x1 = int(0.05 * w), int(0.95 * w)
    y0 = int(0.80 * h)
    y1 = y0 + max(16, round(34 * u))
    share = 0.0 if target <= 0 else min(1.0, max(0.0, done / target))
    cv2.rectangle(image, (x0, y0), (x1, y1), BAR_BACK, -1)
    cv2.rectangle(image, (x0, y0), (x0 + int((x1 - x0) * share), y1), BAR_FILL, -1)
    cv2.rectangle(image, (x0, y0), (x1, y1), WHITE, max(1, round(2 * u)))
    text = f"{done:.1f} / {target:g} s" if unit == "s" else f"{int(done)} / {int(target)} reps"
    font = cv2.FONT_HERSHEY_DUPLEX
    size = 0.8 * u
    thickness = max(1, round(2 * u))
    (tw, th), _ = cv2.getTextSize(text, font, size, thickness)
    org = ((w - tw) // 2, (y0 + y1 + th) // 2)
    cv2.putText(image, text, org, font, size, DARK, thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, org, font, size, WHITE, thickness, cv2.LINE_AA)


class WorkoutDisplay(LiveDisplay):
    """LiveDisplay with the workout's panels; `card` shows a still (rest, summary) between sets."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.help_text = HELP
        self.last_image: np.ndarray | None = None  # the last frame shown (the rest card's background)

    @property
    def unseen(self) -> bool:
        """Nobody will see this frame: no window, no frame callback, no screenshot still due."""
        return (
            self.window is None and self.on_frame is None and (self.screenshot is None or bool(self.screenshot_written))
        )

    def put(self, frame: Frame, shown: SetFrame) -> None:  # type: ignore[override]
        live = shown.live
        if self.unseen:  # headless: count the frame, draw nothing (most of a replay's time otherwise)
            self.frames += 1
            self.last_state = live.state
            return
        image = self.compose(frame, live)
        draw_banner(image, shown.title, colour=(70, 70, 70), ink=WHITE, top=0.0)
        if shown.placement is not None:
            placed = shown.placement
            colour = GREEN_BAND if placed.green else AMBER
            draw_banner(image, placed.message, colour=colour, top=PHASE_BANNER_TOP)
            if not placed.green and placed.ready_s > 0:
                draw_lines(image, [f"judgeable for {placed.ready_s:.1f} s of 2"], PHASE_BANNER_TOP + 0.08, 0.5)
        elif live.phase == "countdown":
            draw_banner(image, "Starting in", top=PHASE_BANNER_TOP)
            draw_big_text(image, str(live.countdown), centre_y=0.55)
        if live.phase == "judging" or live.phase == "countdown":
            draw_progress(image, shown.progress, shown.target, shown.unit)
        if shown.instruction and live.phase != "judging":
            draw_lines(image, [shown.instruction], 0.56, 0.55)
        self.last_image = image.copy()
        self._show(image, live.phase if shown.placement is None else "placement", live.state, live.session_t)

    def card(
        self, grabbed: GrabbedFrame | None, lines: list[str], big: str = "", colour=AMBER, lines_top: float = 0.68
    ) -> np.ndarray:
        """A still between sets (the newest camera frame, else the last frame shown, else black)
        with a banner, a big number and lines of text; shown and returned."""
        if grabbed is not None:
            self.take(grabbed)
            image = cv2.flip(grabbed.frame.image, 1) if self.mirror else grabbed.frame.image.copy()
        elif self.last_image is not None:
            image = self.last_image.copy()
            cv2.convertScaleAbs(image, dst=image, alpha=0.5)
        else:
            image = np.zeros((720, 1280, 3), np.uint8)
        if lines:
            draw_banner(image, lines[0], colour=colour, top=PHASE_BANNER_TOP)
        if big:
            draw_big_text(image, big, scale=4.0, centre_y=0.5)
        if len(lines) > 1:
            draw_lines(image, lines[1:], lines_top, 0.6, width_chars=90)
        if self.window is not None:
            self.window.show(image)
        return image
