"""Drawing primitives for the overlay and the live window: text OpenCV can draw (German letters
too), text
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
    }
)
# German: OpenCV 5 (what mediapipe brings) draws Unicode letters with its own fonts; an OpenCV whose
# fonts are ASCII-only Hershey draws an umlaut as its vowel with two dots (draw_text) and ß as ss.
UMLAUTS = {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"}
_GERMAN = {*UMLAUTS, "ß"}
_AE = str.maketrans({**{k: v + "e" for k, v in UMLAUTS.items()}, "ß": "ss"})


def ascii_text(text: str) -> str:
    """Plain ASCII: common punctuation mapped, umlauts spelt out (ä -> ae), anything else dropped."""
    return text.translate(_ASCII).translate(_AE).encode("ascii", "ignore").decode()


@lru_cache(maxsize=1)
def unicode_fonts() -> bool:
    """Whether this OpenCV draws letters beyond ASCII (an ASCII-only font draws '?' for them)."""
    drawn = []
    for ch in ("ü", "?"):
        img = np.zeros((40, 40), np.uint8)
        cv2.putText(img, ch, (5, 30), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 2)
        drawn.append(img)
    return not np.array_equal(*drawn)


def drawable(text: str) -> str:
    """What `draw_text` can draw: ASCII and German letters (punctuation mapped, the rest dropped)."""
    return "".join(ch for ch in text.translate(_ASCII) if ch.isascii() or ch in _GERMAN)


def hershey(text: str) -> tuple[str, tuple[int, ...]]:
    """A drawable text as this OpenCV's glyphs: unchanged where it has German letters; else each
    umlaut its vowel (with where the dots go: indices) and ß as ss."""
    if unicode_fonts():
        return text, ()
    text = text.replace("ß", "ss")
    marks = tuple(i for i, ch in enumerate(text) if ch in UMLAUTS)
    return "".join(UMLAUTS.get(ch, ch) for ch in text), marks


def draw_text(
    image: np.ndarray,
    text: str,
    org: tuple[int, int],
    font: int,
    scale: float,
    colour: tuple[int, int, int],
    thickness: int,
) -> None:
    """cv2.putText for a `drawable` text. Where OpenCV's fonts are ASCII-only, an umlaut is its vowel
    with two dots above it, placed from the vowel's own ink, so German needs no 'ae' spellings."""
    glyphs, marks = hershey(text)
    cv2.putText(image, glyphs, org, font, scale, colour, thickness, cv2.LINE_AA)
    for i in marks:
        x0 = org[0] + text_width(glyphs[:i], font, scale, thickness)
        for cx, cy, radius in _umlaut_dots(glyphs[i], font, scale, thickness):
            x, y = x0 + cx, org[1] + cy
            if radius > 1:
                cv2.circle(image, (x, y), radius, colour, -1, cv2.LINE_AA)
            else:  # small text: a round dot blurs into its twin; a square pixel pair reads as dots
                cv2.rectangle(image, (x, y), (x + radius, y + radius), colour, -1)


@lru_cache(maxsize=512)
def _umlaut_dots(vowel: str, font: int, scale: float, thickness: int) -> tuple[tuple[int, int, int], ...]:
    """The two dots over `vowel` as (x, y, radius) from its drawing origin, measured on the glyph."""
    (w, h), base = cv2.getTextSize(vowel, font, scale, thickness)
    (_, cap_h), _baseline = cv2.getTextSize("H", font, scale, thickness)
    pad = 2 * thickness + 2
    ink = np.zeros((h + base + 2 * pad, w + 2 * pad), np.uint8)
    cv2.putText(ink, vowel, (pad, pad + h), font, scale, 255, thickness, cv2.LINE_AA)
    ys, xs = np.nonzero(ink > 127)
    if not xs.size:
        return ()
    left, right, top = int(xs.min()) - pad, int(xs.max()) - pad, int(ys.min()) - pad - h
    radius = max(1, round(0.085 * cap_h))
    y = top - max(2, round(0.14 * cap_h)) - radius
    span = right - left
    spread = (0.27, 0.73) if radius > 1 else (0.15, 0.75)  # small: the pixel pair's left corners
    return tuple((round(left + f * span), y, radius) for f in spread)


def unit(width: int, height: int) -> float:
    """Size unit: 1.0 on a 720p frame, scaled by the short side."""
    return max(min(width, height) / 720.0, 0.3)


def text_width(text: str, font: int, scale: float, thickness: int) -> int:
    """The width `draw_text` draws `text` at (an umlaut as wide as its vowel)."""
    return cv2.getTextSize(hershey(text)[0], font, scale, thickness)[0][0]


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
