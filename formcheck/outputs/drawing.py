"""Drawing primitives for the overlay and the live window: ASCII text for Hershey fonts, text
that fits the frame, translucent boxes, dashed lines. Every size scales with the frame."""

from __future__ import annotations

import math
from functools import lru_cache

import cv2
import numpy as np

CUE_FONT = cv2.FONT_HERSHEY_DUPLEX
PANEL_FONT = cv2.FONT_HERSHEY_SIMPLEX

_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "−": "-",
        "°": " deg",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "×": "x",
        "·": "-",
        "≈": "~",
        # German in Hershey's ASCII: the spelling German itself uses without umlauts
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "ß": "ss",
    }
)


def ascii_text(text: str) -> str:
    """Hershey fonts draw ASCII only: map common punctuation and umlauts, drop anything else."""
    return text.translate(_ASCII).encode("ascii", "ignore").decode()


def unit(width: int, height: int) -> float:
    """Size unit: 1.0 on a 720p frame, scaled by the short side."""
    return max(min(width, height) / 720.0, 0.3)


def text_width(text: str, font: int, scale: float, thickness: int) -> int:
    return cv2.getTextSize(text, font, scale, thickness)[0][0]


def wrap(words: list[str], font: int, scale: float, thickness: int, max_w: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in words:
        trial = f"{line} {word}" if line else word
        if not line or text_width(trial, font, scale, thickness) <= max_w:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


@lru_cache(maxsize=256)
def layout_cue(text: str, width: int, height: int) -> tuple[tuple[str, ...], float, int, int, int]:
    """Fit a cue into the frame: (lines, font scale, thickness, line height, text height).

    Starts large (readable from a mat 2-4 m away), wraps onto at most two lines, then shrinks;
    a single word wider than the frame is shrunk until it fits. Never wider than 94% of it.
    """
    u = unit(width, height)
    max_w = int(width * 0.94)
    words = text.split() or [""]
    scale = 1.25 * u
    min_scale = 0.35
    while True:
        thickness = max(1, round(2.0 * scale / 1.25))
        lines = wrap(words, CUE_FONT, scale, thickness, max_w)
        widest = max(text_width(line, CUE_FONT, scale, thickness) for line in lines)
        max_lines = 2 if scale > min_scale * 1.5 else 4
        if (len(lines) <= max_lines and widest <= max_w) or scale <= min_scale:
            break
        scale *= 0.9
    if len(lines) > 1:  # balance the lines: the narrowest width that still needs no more lines
        width_try = widest
        while width_try > 0:
            width_try = int(width_try * 0.95)
            trial = wrap(words, CUE_FONT, scale, thickness, width_try)
            if len(trial) > len(lines):
                break
            lines = trial
        widest = max(text_width(line, CUE_FONT, scale, thickness) for line in lines)
    while widest > max_w and scale > 0.05:  # one word wider than the frame
        scale *= 0.9
        thickness = max(1, round(2.0 * scale / 1.25))
        widest = max(text_width(line, CUE_FONT, scale, thickness) for line in lines)
    (_, text_h), baseline = cv2.getTextSize("Hg", CUE_FONT, scale, thickness)
    line_h = int(text_h + baseline + 0.35 * text_h)
    return tuple(lines), scale, thickness, line_h, text_h


def blend_rect(
    image: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int] | None, alpha: float
) -> None:
    """Paint a rectangle over the image with opacity alpha (colour None = darken)."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = image[y0:y1, x0:x1]
    cv2.convertScaleAbs(roi, dst=roi, alpha=1.0 - alpha)
    if colour is not None:  # two in-place passes: ~5x faster than addWeighted with a colour image
        cv2.add(roi, (colour[0] * alpha, colour[1] * alpha, colour[2] * alpha, 0.0), dst=roi)


def pt(p: np.ndarray, limit: float) -> tuple[int, int] | None:
    x, y = float(p[0]), float(p[1])
    if math.isnan(x) or math.isnan(y):
        return None
    return (round(min(max(x, -limit), limit)), round(min(max(y, -limit), limit)))


def dashed_line(
    image: np.ndarray,
    p0: tuple[int, int],
    p1: tuple[int, int],
    colour: tuple[int, int, int],
    thickness: int,
    dash: float,
) -> None:
    length = math.hypot(p1[0] - p0[0], p1[1] - p0[1])
    if length < 1:
        return
    n = max(1, int(length / (2 * dash)))
    dx, dy = (p1[0] - p0[0]) / length, (p1[1] - p0[1]) / length
    for k in range(n + 1):
        s = k * 2 * dash
        e = min(s + dash, length)
        if s >= length:
            break
        a = (int(p0[0] + dx * s), int(p0[1] + dy * s))
        b = (int(p0[0] + dx * e), int(p0[1] + dy * e))
        cv2.line(image, a, b, colour, thickness, cv2.LINE_AA)


def label(
    image: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    thickness: int,
    anchor_centre: bool = True,
) -> None:
    """Text with a dark box behind it, kept inside the frame."""
    h, w = image.shape[:2]
    (tw, th), base = cv2.getTextSize(text, PANEL_FONT, scale, thickness)
    pad = max(2, int(th * 0.3))
    x = org[0] - tw // 2 if anchor_centre else org[0]
    y = org[1] + th // 2 if anchor_centre else org[1]
    x = min(max(x, pad), max(pad, w - tw - pad))
    y = min(max(y, th + pad), max(th + pad, h - base - pad))
    blend_rect(image, x - pad, y - th - pad, x + tw + pad, y + base + pad, None, 0.6)
    cv2.putText(image, text, (x, y), PANEL_FONT, scale, colour, thickness, cv2.LINE_AA)
