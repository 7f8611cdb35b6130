"""Malformed track files, config files and labels: a one-line FormcheckError, never another exception.

Bounded so the suite stays quick; for a deeper search set FORMCHECK_FUZZ_EXAMPLES (e.g. 5000).
"""

from __future__ import annotations

import atexit
import io
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from formcheck.config import default_tables, load_thresholds
from formcheck.errors import FormcheckError
from formcheck.exercises.plank import plank_pose
from formcheck.lab.labels import read_labels
from formcheck.lab.synthetic import hold, make_track
from formcheck.pipeline.track import Track
from formcheck.pipeline.trackfile import FIELDS

DEEP = os.environ.get("FORMCHECK_FUZZ_EXAMPLES")
fuzz = settings(
    max_examples=int(DEEP or 120),
    derandomize=DEEP is None,  # the suite always tries the same examples; a deep run explores
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # no example files left behind in the checkout
)
WORK = Path(tempfile.mkdtemp(prefix="formcheck-fuzz-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)


def loads_or_one_line(load, path: Path):
    """Run `load(path)`: a result, or a FormcheckError of one line naming the file."""
    try:
        return load(path)
    except FormcheckError as exc:
        text = str(exc)
        assert "\n" not in text and "\r" not in text and len(text) < 400, text
        assert str(path) in text, text
        return None


# -- track files -------------------------------------------------------------------------------------

VALID = make_track([*hold(plank_pose(), 0.2), None, None])
VALID_PATH = VALID.save(WORK / "valid.npz")
VALID_FIELDS = dict(np.load(VALID_PATH, allow_pickle=False))
VALID_BYTES = VALID_PATH.read_bytes()
_npy = io.BytesIO()
np.save(_npy, VALID.landmarks)
PLAIN_NPY = _npy.getvalue()

STRUCTURED = np.dtype([("x", "f4"), ("y", "i2")])
DTYPES = st.sampled_from(
    [
        np.float16,
        np.float32,
        np.float64,
        np.int8,
        np.int64,
        np.uint8,
        np.uint64,
        np.bool_,
        np.complex64,
        "U3",
        "S2",
        STRUCTURED,
    ]
)
SHAPES = st.one_of(
    array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    st.sampled_from([(8, 33, 4), (8, 33, 3), (8,), (2,), (0, 33, 4), (3, 33, 4)]),
)


@st.composite
def any_array(draw):
    dtype = np.dtype(draw(DTYPES))
    shape = draw(SHAPES)
    if dtype.names:
        return np.zeros(shape, dtype=dtype)
    return draw(arrays(dtype, shape))


@st.composite
def track_npz(draw) -> bytes:
    """A valid track's fields with some replaced by arbitrary arrays, dropped, or added to."""
    fields = dict(VALID_FIELDS)
    for name in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=3)):
        if draw(st.booleans()):
            fields[name] = draw(any_array())
        else:
            del fields[name]
    if draw(st.booleans()):
        fields["extra"] = draw(any_array())
    buffer = io.BytesIO()
    (np.savez_compressed if draw(st.booleans()) else np.savez)(buffer, **fields)
    return buffer.getvalue()


@st.composite
def damaged_bytes(draw) -> bytes:
    """A valid file with bytes overwritten, cut short, or inserted."""
    data = bytearray(VALID_BYTES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["overwrite", "truncate", "insert"]))
        chunk = draw(st.binary(min_size=1, max_size=16))
        if action == "overwrite":
            data[at : at + len(chunk)] = chunk
        elif action == "truncate":
            del data[at:]
            if not data:
                break
        else:
            data[at:at] = chunk
    return bytes(data)


def check_track(content: bytes) -> None:
    path = WORK / "t.npz"
    path.write_bytes(content)
    track = loads_or_one_line(Track.load, path)
    if track is not None:  # what loads is a track every stage can use
        assert math.isfinite(track.fps) and track.fps > 0 and track.width > 0 and track.height > 0
        assert len(track.landmarks) == len(track.world) == len(track.timestamps_ms)
        assert (np.diff(track.timestamps_ms) > 0).all() and isinstance(track.meta, dict)
        assert math.isfinite(track.duration_s)


@fuzz
@given(content=track_npz())
def test_fuzzed_track_fields(content):
    check_track(content)


@fuzz
@given(content=st.one_of(damaged_bytes(), st.binary(max_size=200), st.just(PLAIN_NPY)))
def test_fuzzed_track_bytes(content):
    check_track(content)


# -- config files ------------------------------------------------------------------------------------

TABLES = default_tables()
KEYS = sorted({key for table in TABLES.values() for key in table})
SCALARS = st.one_of(
    st.floats(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.text(max_size=20),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)
TABLE_NAMES = st.one_of(st.sampled_from([*TABLES, "strictness"]), st.text(min_size=1, max_size=8))


@st.composite
def config_text(draw) -> bytes:
    """TOML from tables and keys that mostly exist, with values of any type; or mangled text."""
    doc = {}
    for table in draw(st.lists(TABLE_NAMES, max_size=3, unique=True)):
        if table == "strictness":
            doc[table] = draw(st.one_of(st.sampled_from(["strict", "beginner", "extreme"]), VALUES))
        elif draw(st.integers(0, 9)) == 0:
            doc[table] = draw(VALUES)  # a table that is not a table
        else:
            keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=8))
            doc[table] = draw(st.dictionaries(keys, VALUES, max_size=4))
    text = tomli_w.dumps(doc).encode()
    mangle = draw(st.sampled_from(["none", "cut", "bytes"]))
    if mangle == "cut" and text:
        text = text[: draw(st.integers(0, len(text)))]
    elif mangle == "bytes":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.binary(min_size=1, max_size=8)) + text[at:]
    return text


@fuzz
@given(
    content=st.one_of(config_text(), st.binary(max_size=100), st.text(max_size=100).map(str.encode)),
    exercise=st.sampled_from(sorted(set(TABLES) - {"common"})),
)
def test_fuzzed_config_files(content, exercise):
    path = WORK / "my.toml"
    path.write_bytes(content)
    thresholds = loads_or_one_line(lambda p: load_thresholds(exercise, p), path)
    if thresholds is not None:
        assert all(isinstance(v, float) and math.isfinite(v) for v in thresholds.values())


# -- labels files ------------------------------------------------------------------------------------

HEADER = "file,exercise,reps,hold_s,good_hold_s,faults,fault_spans,notes"
CELLS = st.one_of(
    st.sampled_from(["plank/a.mp4", "plank", "3", "30.5", "nan", "-inf", "1e999", "hip_sag@1-2", "x@2-1", '"']),
    st.text(max_size=8),
)


@fuzz
@given(
    rows=st.lists(st.lists(CELLS, max_size=10), max_size=4),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "latin-1"]),
)
def test_fuzzed_labels_files(rows, bom, encoding):
    text = ("\ufeff" if bom else "") + HEADER + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    path = WORK / "labels.csv"
    assume(encoding == "utf-8" or all(ord(c) < 256 for c in text))
    path.write_bytes(text.encode(encoding))
    labels = loads_or_one_line(read_labels, path)
    for label in labels or []:
        assert all(v is None or (math.isfinite(v) and v >= 0) for v in (label.reps, label.hold_s, label.good_hold_s))
