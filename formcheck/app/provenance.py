"""What report.json records of where its numbers came from, so that a later run can tell whether
it is still current (formcheck.app.current): the input's content hash and the pose model's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from formcheck.pipeline.models import file_sha256, resolve_model
from formcheck.pipeline.sources import IMAGE_SUFFIXES


def input_sha256(path: Path) -> str:
    """The content hash of a video or track; of a folder of images, a hash over its images' names
    and contents (the frames it gives)."""
    if not path.is_dir():
        return file_sha256(path)
    digest = hashlib.sha256()
    for image in sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
        digest.update(f"{image.name}\0{file_sha256(image)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def provenance(path: Path, model: str | None) -> dict[str, str | None]:
    """The input's hash and the model's (`model` None: a saved track, whose hash covers its model)."""
    return {"input_sha256": input_sha256(path), "model_sha256": model and resolve_model(model).sha256}
