"""Find and verify the pose model bundle: `lite`, `full`, `heavy`, or a path to any `.task`."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.paths import CHECKOUT_DIR

BUNDLED = ("lite", "full", "heavy")
DEFAULT_MODEL = "full"
# sha256 of the bundles `formcheck models build` produces (byte-for-byte reproducible).
BUNDLE_SHA256 = {
    "lite": "5fe810e82756a0376f32cbfa9f2eb83d309fdb2a821d6eae7a0e8391eb8bf5ef",
    "full": "713476bf63c115265020125e679714706bccc5e6ab5760e74d02c9969c6700b6",
    "heavy": "026086285cdf714fff3a57480cda943606509b72a503146b10825e95df0a4039",
}


@dataclass(frozen=True)
class ModelFile:
    name: str  # "lite" / "full" / "heavy", or the file name of a user's bundle
    path: Path
    sha256: str


def models_dir() -> Path:
    """`$FORMCHECK_MODELS`, else the checkout's `models/` folder beside the package."""
    env = os.environ.get("FORMCHECK_MODELS")
    return Path(env) if env else CHECKOUT_DIR / "models"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_model(spec: str | os.PathLike[str] = DEFAULT_MODEL) -> ModelFile:
    """Turn `--model` into a verified file, or raise one clear line saying how to fix it."""
    spec_str = os.fspath(spec)
    if spec_str in BUNDLED:
        path = models_dir() / f"pose_landmarker_{spec_str}.task"
        rebuild = f"rebuild it with `formcheck models build {spec_str}`"
        if not path.is_file():
            raise FormcheckError(f"pose model '{spec_str}' is missing ({path}); {rebuild}")
        digest = file_sha256(path)
        if digest != BUNDLE_SHA256[spec_str]:
            raise FormcheckError(f"pose model '{spec_str}' is damaged (sha256 mismatch at {path}); {rebuild}")
        return ModelFile(spec_str, path, digest)
    path = Path(spec_str).expanduser()
    if not path.is_file():
        raise FormcheckError(f"--model {spec_str!r}: not one of {', '.join(BUNDLED)} and no such file")
    return ModelFile(path.name, path, file_sha256(path))
