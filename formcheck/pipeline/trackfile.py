"""The track file: a compressed `.npz` of plain arrays (no pickles).

Writes are atomic through a temp file of their own (two writers of one cache entry never share
one). Reads check every field before a Track is built, so a damaged, foreign or hostile file is
one clear line naming the field, never a traceback or a track that judges nonsense.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import FormcheckError
from formcheck.files import atomic_write
from formcheck.landmarks import NUM_LANDMARKS

FORMAT = 1
FIELDS = ("format", "landmarks", "world", "timestamps_ms", "fps", "size", "meta")
OPTIONAL = ("outline", "outline_quality")  # the silhouette's edges (tracks extracted with them)
# Limits of what formcheck itself writes, with room to spare:
MAX_FIELD_BYTES = 1 << 30  # ten hours of landmarks at 30 fps is ~0.6 GB; refuses zip bombs unread
FPS_RANGE = (0.01, 1000.0)  # sources read a stated rate outside (0, 1000) as unknown (30 fps)
MAX_SIDE = 65535  # pixels; past any camera, and keeps pixel maths in range
MAX_COORD = 100.0  # normalised coordinates / metres; the model's own range is about -1.5 to 2.6


class _Bad(Exception):
    """Why a file is not a track (becomes one FormcheckError line naming the file)."""


def write(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> Path:
    """Save atomically: a unique temp file in the target's folder, then one rename."""
    path = Path(path)
    with atomic_write(path, "wb") as f:
        np.savez_compressed(f, **arrays)
        f.flush()
        os.fsync(f.fileno())  # the rename must never publish a file whose data is not on disk
    return path


def read(path: Path) -> dict[str, Any]:
    """The checked fields as Track arguments; one FormcheckError line if any is wrong."""
    try:
        return _checked(_arrays(path))
    except _Bad as exc:
        reason = str(exc)
        if reason.startswith("track format"):
            raise FormcheckError(f"{path}: {reason}") from None
        raise FormcheckError(f"{path}: not a formcheck track ({reason})") from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with path.open("rb") as f:
            if f.read(6) == b"\x93NUMPY":
                raise _Bad("a plain .npy array, not a track .npz")
        with zipfile.ZipFile(path) as z:
            members = {name.removesuffix(".npy"): name for name in z.namelist()}
            missing = [key for key in FIELDS if key not in members]
            if missing:
                raise _Bad(f"missing {', '.join(missing)}")
            arrays = {}
            for key in (*FIELDS, *(k for k in OPTIONAL if k in members)):
                info = z.getinfo(members[key])
                if info.file_size > MAX_FIELD_BYTES:
                    raise _Bad(f"{key} is too large ({info.file_size} bytes)")
                with z.open(info) as member:
                    arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
            return arrays
    except _Bad:
        raise
    except Exception as exc:
        # Only the zip, zlib and npy-header parsers run here, and what they raise on damaged or
        # hostile bytes is open-ended (fuzzing found BadZipFile, zlib.error, ValueError,
        # SyntaxError, tokenize.TokenError, MemoryError, RuntimeError for encrypted members):
        # any of it means the file is not a track.
        raise _Bad(_one_line(exc)) from exc


def _show(a: np.ndarray) -> str:
    """A short description of what was found: small arrays by value, others by type and shape."""
    if a.size <= 4 and a.dtype.kind in "biuf":
        return repr(a.tolist())
    return f"{'a structured array' if a.dtype.names else a.dtype} of shape {a.shape}"


def _scalar(a: np.ndarray, name: str, kinds: str) -> float:
    if a.ndim != 0 or a.dtype.kind not in kinds:
        raise _Bad(f"{name} must be a single number, got {_show(a)}")
    return a.item()


def _points(a: np.ndarray, name: str, width: int) -> np.ndarray:
    """T x 33 x width floats, NaN where nobody was found, otherwise finite and in range."""
    if a.dtype.kind != "f" or a.ndim != 3 or a.shape[1:] != (NUM_LANDMARKS, width):
        raise _Bad(f"{name} must be floats of shape T x {NUM_LANDMARKS} x {width}, got {_show(a)}")
    with np.errstate(invalid="ignore"):
        if (np.abs(a) > MAX_COORD).any():  # NaN compares false; inf and garbage do not
            raise _Bad(f"{name} hold values beyond +-{MAX_COORD:g} (or infinite)")
    return a


def _meta(a: np.ndarray) -> dict[str, Any]:
    if a.dtype != np.uint8 or a.ndim != 1:
        raise _Bad(f"meta must be JSON bytes, got {_show(a)}")
    try:
        meta = json.loads(a.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise _Bad(f"meta is not JSON ({_one_line(exc)})") from exc
    if not isinstance(meta, dict):
        raise _Bad(f"meta must be a JSON object, got {type(meta).__name__}")
    return meta


def _checked(a: dict[str, np.ndarray]) -> dict[str, Any]:
    version = _scalar(a["format"], "format", "iu")
    if version != FORMAT:
        raise _Bad(f"track format {version}, expected {FORMAT}")
    fps = float(_scalar(a["fps"], "fps", "fiu"))
    if not FPS_RANGE[0] <= fps <= FPS_RANGE[1]:  # also refuses NaN
        raise _Bad(f"fps must be between {FPS_RANGE[0]:g} and {FPS_RANGE[1]:g}, got {fps!r}")
    size = a["size"]
    if size.dtype.kind not in "iu" or size.shape != (2,) or not all(1 <= int(v) <= MAX_SIDE for v in size):
        raise _Bad(f"size must be two whole numbers of pixels (1 to {MAX_SIDE}), got {_show(size)}")
    landmarks = _points(a["landmarks"], "landmarks", 4)
    world = _points(a["world"], "world", 3)
    times = a["timestamps_ms"]
    if times.dtype.kind not in "fiu" or times.ndim != 1:
        raise _Bad(f"timestamps_ms must be a list of numbers, got {_show(times)}")
    times = times.astype(np.float64)
    if not np.isfinite(times).all() or (np.diff(times) <= 0).any():
        raise _Bad("timestamps_ms must be finite and increase frame by frame (as the pose model requires)")
    if not len(landmarks) == len(world) == len(times):
        raise _Bad(f"landmarks, world and timestamps disagree: {len(landmarks)}, {len(world)}, {len(times)} frames")
    return {
        "landmarks": landmarks,
        "world": world,
        "timestamps_ms": times,
        "fps": fps,
        "width": int(size[0]),
        "height": int(size[1]),
        "meta": _meta(a["meta"]),
        **_outline(a, len(times)),
    }


def _outline(a: dict[str, np.ndarray], frames: int) -> dict[str, np.ndarray | None]:
    """The optional outline: both arrays or neither, floats of the right shapes and in range."""
    if "outline" not in a and "outline_quality" not in a:
        return {"outline": None, "outline_quality": None}
    if "outline" not in a or "outline_quality" not in a:
        raise _Bad("outline and outline_quality come together")
    outline, quality = a["outline"], a["outline_quality"]
    if outline.dtype.kind != "f" or outline.ndim != 3 or outline.shape[:2] != (frames, 2):
        raise _Bad(f"outline must be floats of shape T x 2 x points, got {_show(outline)}")
    if quality.dtype.kind != "f" or quality.shape != (frames, 2):
        raise _Bad(f"outline_quality must be floats of shape T x 2, got {_show(quality)}")
    with np.errstate(invalid="ignore"):
        if (np.abs(outline) > MAX_COORD).any() or not ((quality >= 0) & (quality <= 1)).all():
            raise _Bad("outline or outline_quality hold values out of range")
    return {"outline": outline, "outline_quality": quality}
