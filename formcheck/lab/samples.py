"""Where the sample clips live, and fetching the public ones named in `sample_videos/manifest.csv`.

Clips are looked for, in order, in the checkout's `sample_videos/` folder, in `$FORMCHECK_SAMPLES`,
in `samples/` of the user's data folder (where an installed formcheck fetches them) and in
`../shared/videos` beside the checkout. The clips themselves are never committed: the footage
belongs to its makers, so `fetch_samples` downloads each one from the public repository it came from
and checks it against the sha256 pinned in the manifest.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import FormcheckError
from formcheck.files import atomic_write
from formcheck.i18n import _
from formcheck.paths import CHECKOUT_DIR, IN_CHECKOUT, SHARED_VIDEOS, data_dir
from formcheck.pipeline.models import file_sha256

PROJECT_SAMPLES = CHECKOUT_DIR / "sample_videos"
SHARED_SAMPLES = SHARED_VIDEOS
DEFAULT_MANIFEST = PROJECT_SAMPLES / "manifest.csv"
MANIFEST_COLUMNS = ("file", "exercise", "sha256", "url", "source", "license", "notes")
LABELS_NAME = "labels.csv"
DEMO_CLIP = "plank/plank_forearm_BAD_sag_pike_headdrop_woman.mp4"
DEMO_EXERCISE = "plank"
DOWNLOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # path relative to the samples folder, e.g. "plank/plank_....mp4"
    exercise: str
    sha256: str
    url: str
    source: str = ""
    license: str = ""
    notes: str = ""


# The demo clip's row of the manifest, pinned here too: an installed formcheck has no
# sample_videos/manifest.csv, yet `formcheck demo --fetch` must find the clip (tests keep the two equal).
DEMO_ENTRY = ManifestEntry(
    file=DEMO_CLIP,
    exercise=DEMO_EXERCISE,
    sha256="922df106504fc0c77dc2e5d978364424dce67a2fb52a14f6cdff917eac9815e1",
    url="https://raw.githubusercontent.com/seojmm/KUDIP/af8c8ed9588c6744dc82c43122f348d38d539b7f/incorrect_plank.mp4",
)


def user_samples_dir() -> Path:
    """Clips fetched by an installed formcheck, which has no `sample_videos/` of its own."""
    return data_dir() / "samples"


def fetch_dir() -> Path:
    """Where fetched clips go by default: the checkout's `sample_videos/`, else the user's folder."""
    return PROJECT_SAMPLES if IN_CHECKOUT else user_samples_dir()


def sample_dirs() -> list[Path]:
    """The sample folders that exist: `sample_videos/`, `$FORMCHECK_SAMPLES`, the user's samples
    folder, `../shared/videos`."""
    candidates = [PROJECT_SAMPLES]
    env = os.environ.get("FORMCHECK_SAMPLES")
    if env:
        candidates.append(Path(env).expanduser())
    candidates += [user_samples_dir(), SHARED_SAMPLES]
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in candidates:
        if folder.is_dir() and folder.resolve() not in seen:
            seen.add(folder.resolve())
            found.append(folder)
    return found


def find_sample(relpath: str) -> Path | None:
    """The first `<dir>/<relpath>` that is a file, over `sample_dirs()` in order."""
    for folder in sample_dirs():
        path = folder / relpath
        if path.is_file():
            return path
    return None


def find_labels() -> Path | None:
    """The first `labels.csv` in `sample_dirs()`."""
    return find_sample(LABELS_NAME)


def read_manifest(manifest: Path | None = None) -> list[ManifestEntry]:
    path = Path(manifest) if manifest is not None else DEFAULT_MANIFEST
    if manifest is None and not path.is_file():  # an installed formcheck
        raise FormcheckError(
            "the list of sample clips (sample_videos/manifest.csv) comes with a checkout of formcheck's "
            "repository; an installed formcheck fetches only the demo clip (`formcheck demo --fetch`)"
        )
    if not path.is_file():
        raise FormcheckError(f"{path}: no such manifest")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("file", "sha256", "url") if c not in (reader.fieldnames or [])]
        if missing:
            raise FormcheckError(f"{path}: not a sample manifest (missing columns: {', '.join(missing)})")
        entries = []
        for i, row in enumerate(reader):
            file, sha, url = (  # a short row leaves its missing cells None
                (row.get(c) or "").strip() for c in ("file", "sha256", "url")
            )
            if not (file and sha and url):
                raise FormcheckError(f"{path}:{i + 2}: file, sha256 and url must all be given")
            if Path(file).is_absolute() or ".." in Path(file).parts:
                raise FormcheckError(f"{path}:{i + 2}: file {file!r} must be a relative path inside the folder")
            entries.append(
                ManifestEntry(
                    file=file,
                    exercise=(row.get("exercise") or "").strip(),
                    sha256=sha.lower(),
                    url=url,
                    source=(row.get("source") or "").strip(),
                    license=(row.get("license") or "").strip(),
                    notes=(row.get("notes") or "").strip(),
                )
            )
    return entries


class _Unreachable(Exception):
    """The server could not be reached at all: every later download would fail the same way."""


def _download_verified(entry: ManifestEntry, target: Path) -> None:
    """Download entry.url to target via a temp file in the same folder; replace only if the hash matches."""
    digest = hashlib.sha256()
    with atomic_write(target, "wb") as out:  # a failed or mismatched download leaves nothing
        try:
            with urllib.request.urlopen(entry.url, timeout=DOWNLOAD_TIMEOUT_S) as resp:
                for block in iter(lambda: resp.read(1 << 16), b""):
                    digest.update(block)
                    out.write(block)
        except urllib.error.HTTPError as exc:
            raise FormcheckError(f"{entry.file}: {entry.url} answered HTTP {exc.code} {exc.reason}") from exc
        except urllib.error.URLError as exc:
            raise _Unreachable(f"cannot download {entry.url}: {exc.reason}") from exc
        except (OSError, ValueError) as exc:
            raise _Unreachable(f"cannot download {entry.url}: {exc}") from exc
        got = digest.hexdigest()
        if got != entry.sha256:
            raise FormcheckError(f"{entry.file}: sha256 mismatch (expected {entry.sha256}, got {got}) from {entry.url}")


def fetch_samples(dest: Path, manifest: Path | None = None, progress: bool = True) -> list[Path]:
    """Download every clip of the manifest into dest, verify its sha256, and return their paths.

    Files already in dest with the right hash are kept; each download goes to a temp file and is
    renamed into place only once its hash matches, so an interrupted or bad download never leaves a
    half file under the real name. Failures raise one FormcheckError line after trying the rest
    (or at once when the server cannot be reached at all).
    """
    return fetch_entries(Path(dest), read_manifest(manifest), progress)


def fetch_entries(dest: Path, entries: list[ManifestEntry], progress: bool = True) -> list[Path]:
    """`fetch_samples` for a given list of clips (the demo clip alone, in an installed formcheck)."""
    paths: list[Path] = []
    failures: list[str] = []
    for i, entry in enumerate(entries, 1):
        target = dest / entry.file
        if target.is_file() and file_sha256(target) == entry.sha256:
            paths.append(target)
            continue
        if progress:
            print(_("[{i}/{n}] fetching {file}").format(i=i, n=len(entries), file=entry.file), file=sys.stderr)
        try:
            _download_verified(entry, target)
        except _Unreachable as exc:
            done = f" ({len(paths)} of {len(entries)} clips are in {dest})" if paths else ""
            raise FormcheckError(f"{exc}; check the network and run again{done}") from exc
        except FormcheckError as exc:
            failures.append(str(exc))
            continue
        paths.append(target)
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise FormcheckError(
            f"{len(failures)} of {len(entries)} clips not fetched: {failures[0]}{more}; "
            f"the other {len(paths)} are in {dest}"
        )
    return paths
