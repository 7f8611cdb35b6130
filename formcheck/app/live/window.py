"""The live window: a frame shown, keys read, the window noticed closing; and what the live
loop draws that the overlay does not (phase banners, the countdown, the key help)."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import cv2
import numpy as np

from formcheck.errors import FormcheckError
from formcheck.outputs.drawing import ascii_text

WINDOW = "formcheck"
MAX_WINDOW = (1280, 800)  # larger frames are shown in a window scaled down to fit
# Big-text colours (BGR)
WHITE = (255, 255, 255)
DARK = (20, 20, 20)
AMBER = (0, 165, 250)


def _unit(image: np.ndarray) -> float:
    return max(min(image.shape[:2]) / 720.0, 0.3)


def draw_big_text(image: np.ndarray, text: str, *, scale: float = 6.0, colour=WHITE, centre_y: float = 0.5) -> None:
    """Text centred on the frame on a dark disc (readable on any background), shrunk to fit."""
    text = ascii_text(text)
    h, w = image.shape[:2]
    u = _unit(image)
    scale *= u
    thickness = max(2, round(scale * 2.2))
    font = cv2.FONT_HERSHEY_DUPLEX
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    if tw > 0.9 * w:
        f = 0.9 * w / tw
        scale *= f
        thickness = max(2, round(thickness * f))
        (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    org = ((w - tw) // 2, int(h * centre_y + th / 2))
    radius = int(0.5 * math.hypot(tw, th) + 0.25 * th)
    cx, cy = w // 2, int(h * centre_y)
    x0, y0 = max(0, cx - radius), max(0, cy - radius)
    x1, y1 = min(w, cx + radius + 1), min(h, cy + radius + 1)
    if x1 > x0 and y1 > y0:
        roi = image[y0:y1, x0:x1]
        disc = roi.copy()
        cv2.circle(disc, (cx - x0, cy - y0), radius, DARK, -1, cv2.LINE_AA)
        cv2.addWeighted(roi, 0.4, disc, 0.6, 0.0, dst=roi)
    cv2.putText(image, text, org, font, scale, colour, thickness, cv2.LINE_AA)


def draw_banner(image: np.ndarray, text: str, colour=AMBER, ink=DARK, top: float = 0.0) -> None:
    """A full-width band of text across the frame (PAUSED, GET INTO POSITION)."""
    text = ascii_text(text)
    h, w = image.shape[:2]
    u = _unit(image)
    scale = 1.1 * u
    thickness = max(1, round(2 * u))
    font = cv2.FONT_HERSHEY_DUPLEX
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    if tw > 0.94 * w:
        scale *= 0.94 * w / tw
        (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    pad = max(4, int(0.5 * th))
    y0 = int(top * h)
    y1 = min(h, y0 + th + base + 2 * pad)
    roi = image[y0:y1]
    band = np.empty_like(roi)
    band[:] = colour
    cv2.addWeighted(roi, 0.2, band, 0.8, 0.0, dst=roi)
    cv2.putText(image, text, ((w - tw) // 2, y0 + pad + th), font, scale, ink, thickness, cv2.LINE_AA)


HELP_TEXT = "q quit  space pause  r reset  n next"


def draw_help(image: np.ndarray, text: str = HELP_TEXT) -> None:
    """One dim line naming the keys, at the top right."""
    u = _unit(image)
    scale = max(0.35, 0.5 * u)
    thickness = 1
    font = cv2.FONT_HERSHEY_SIMPLEX
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    w = image.shape[1]
    margin = max(4, round(10 * u))
    pad = max(2, round(4 * u))
    org = (w - tw - margin, th + margin)
    x0, y0 = max(0, org[0] - pad), max(0, org[1] - th - pad)
    roi = image[y0 : org[1] + base + pad, x0 : min(w, org[0] + tw + pad)]
    cv2.convertScaleAbs(roi, dst=roi, alpha=0.4)  # darken behind the text
    cv2.putText(image, text, org, font, scale, (225, 225, 225), thickness, cv2.LINE_AA)


def display_problem() -> str | None:
    """Why a window cannot be opened here, or None. OpenCV's Qt backend aborts the whole process
    when it cannot reach a display, so on Linux this is tried in a throwaway subprocess first."""
    if not sys.platform.startswith("linux"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "vnc", "eglfs", "linuxfb")):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return "no display (DISPLAY is not set)"
    probe = f"import cv2; cv2.namedWindow({WINDOW + '-probe'!r}); cv2.waitKey(1); cv2.destroyAllWindows()"
    try:
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=20.0)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the window test failed ({exc})"
    if done.returncode != 0:
        where = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        said = [line.strip() for line in done.stderr.decode(errors="replace").splitlines() if line.strip()]
        return f"display {where} cannot be reached" + (f" ({said[0]})" if said else "")
    return None


class Window:
    """The OpenCV window: show a frame, read a key, notice the user closing it."""

    def __init__(self, name: str, width: int, height: int) -> None:
        self.name = name
        try:
            cv2.namedWindow(name, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise FormcheckError(f"cannot open a window ({exc.err}); run with --headless") from None
        f = min(1.0, MAX_WINDOW[0] / width, MAX_WINDOW[1] / height)
        cv2.resizeWindow(name, max(1, int(width * f)), max(1, int(height * f)))
        self.shown = False

    def show(self, image: np.ndarray) -> None:
        cv2.imshow(self.name, image)
        self.shown = True

    def key(self, wait_ms: int = 1) -> int:
        k = cv2.waitKey(wait_ms)
        return -1 if k < 0 else k & 0xFF

    def closed(self) -> bool:
        if not self.shown:
            return False
        try:
            return cv2.getWindowProperty(self.name, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:
            return True

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.name)
            cv2.waitKey(1)
        except cv2.error:
            pass
