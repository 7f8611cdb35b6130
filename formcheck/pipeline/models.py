"""Find and verify the pose model bundle: `lite`, `full`, `heavy`, or a path to any `.task`.

The lite and full bundles ship inside the package (`formcheck/models/`, package data), so a
checkout, an editable install and a wheel all find them in the same place. The heavy one (31 MB,
kept out of the wheel) is built on demand into the user's data folder. Every bundle is checked
against its pinned sha256 before the model sees it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.paths import PACKAGE_DIR, data_dir

BUNDLED = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
# sha256 of the bundles `formcheck models build` produces (byte-for-byte reproducible).
BUNDLE_SHA256 = {
    "lite": "5fe810e82756a0376f32cbfa9f2eb83d309fdb2a821d6eae7a0e8391eb8bf5ef",
    "full": "713476bf63c115265020125e679714706bccc5e6ab5760e74d02c9969c6700b6",
    "heavy": "026086285cdf714fff3a57480cda943606509b72a503146b10825e95df0a4039",
}
PACKAGE_MODELS = PACKAGE_DIR / "models"


@dataclass(frozen=True)
class ModelFile:
    name: str  # "lite" / "full" / "heavy", or the file name of a user's bundle
    path: Path
    sha256: str


def build_dir() -> Path:
    """Where `formcheck models build` writes: `$FORMCHECK_MODELS`, else the user's data folder
    (never the installed package, which may be read-only and is replaced on upgrade)."""
    env = os.environ.get("FORMCHECK_MODELS")
    return Path(env) if env else data_dir() / "models"


def model_dirs() -> list[Path]:
    """Where bundles are looked for, in order: `$FORMCHECK_MODELS` alone if set, else the
    package's own bundles, then the ones built into the user's data folder."""
    if os.environ.get("FORMCHECK_MODELS"):
        return [build_dir()]
    return [PACKAGE_MODELS, build_dir()]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=16)
def _sha256_of(path: str, size: int, mtime_ns: int, inode: int) -> str:
    return file_sha256(Path(path))


def model_sha256(path: Path) -> str:
    """A bundle's sha256, read once per process while the file stays the same (size, time, inode):
    one analysis resolves the model several times, and a batch once per video (~15 ms each)."""
    st = path.stat()
    return _sha256_of(str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def resolve_model(spec: str | os.PathLike[str] = DEFAULT_MODEL) -> ModelFile:
    """Turn `--model` into a verified file, or raise one clear line saying how to fix it."""
    spec_str = os.fspath(spec)
    if spec_str in BUNDLED:
        return _bundled(spec_str)
    path = Path(spec_str).expanduser()
    if not path.is_file():
        raise FormcheckError(f"--model {spec_str!r}: not one of {', '.join(BUNDLED)} and no such file")
    return ModelFile(path.name, path, model_sha256(path))


def _bundled(name: str) -> ModelFile:
    """The first copy that matches the pinned hash. A damaged copy is passed over, so a rebuild
    into the data folder heals a damaged install; it is named only if no good copy exists."""
    rebuild = f"rebuild it with `formcheck models build {name}`"
    damaged: Path | None = None
    candidates = [folder / f"pose_landmarker_{name}.task" for folder in model_dirs()]
    for path in candidates:
        if not path.is_file():
            continue
        digest = model_sha256(path)
        if digest == BUNDLE_SHA256[name]:
            return ModelFile(name, path, digest)
        damaged = damaged or path
    if damaged is not None:
        raise FormcheckError(f"pose model '{name}' is damaged (sha256 mismatch at {damaged}); {rebuild}")
    where = " or ".join(str(p) for p in candidates)
    raise FormcheckError(f"pose model '{name}' is missing ({where}); {rebuild}")
