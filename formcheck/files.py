"""Writing files so that nothing is half-written or lost.

- Every output goes to a unique temporary file beside its target and is renamed over it only when
  complete: a reader never sees half a file, an interrupted run leaves the previous file intact,
  and two writers never share a temporary.
- Where outputs go is checked before the work (`check_folder`, `check_file`), so a wrong path
  costs one line, not the work.
- If saving still fails after the work (a full disk, permissions changed meanwhile), the result
  is saved in a rescue folder instead and the caller says where (`save_or_rescue`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from formcheck.errors import FormcheckError

_UMASK = os.umask(0)
os.umask(_UMASK)


def temp_path_beside(path: Path, suffix: str = ".part") -> Path:
    """A new, unique, empty file beside `path` (`<name>.<random><suffix>`), readable like any
    output (mkstemp alone would make it private)."""
    fd, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~_UMASK)
    return Path(name)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path` for writing; rename it to `path` if the block
    succeeds, delete it if the block raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_beside(path)
    try:
        with open(tmp, mode, **kwargs) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(path)


# -- before the work: can the outputs go where asked? ----------------------------------------


def check_folder(path: Path, option: str) -> None:
    """One line now, before any work, if `path` cannot be (or become) a folder to write in."""
    if path.exists() and not path.is_dir():
        raise FormcheckError(f"{option} {path}: exists and is not a folder")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise FormcheckError(f"{option} {path}: {existing} is not a folder")
    try:  # os.access is not enough: read-only mounts, ACLs, and root on a read-only folder
        fd, probe = tempfile.mkstemp(prefix=".formcheck-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise FormcheckError(f"{option} {path}: cannot write in {existing} ({exc.strerror or exc})") from None


def check_file(path: Path, option: str) -> None:
    """One line now, before any work, if a file cannot be written at `path`."""
    if path.is_dir():
        raise FormcheckError(f"{option} {path}: is a folder; give a file name")
    check_folder(path.parent, option)


# -- after the work: if saving fails, save elsewhere and say where -----------------------------


def data_home() -> Path:
    """The user's data folder ($XDG_DATA_HOME, ~/.local/share; %LOCALAPPDATA% on Windows)."""
    env = os.environ.get("LOCALAPPDATA" if os.name == "nt" else "XDG_DATA_HOME")
    return Path(env) if env else Path.home() / ".local" / "share"


def rescue_dir(name: str) -> Path:
    """A new folder for results that could not be saved where asked: in the user's data folder
    (formcheck/unsaved/), else in the temporary folder."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    bases = (data_home() / "formcheck" / "unsaved", Path(tempfile.gettempdir()) / "formcheck-unsaved")
    for base in bases:
        try:
            base.mkdir(parents=True, exist_ok=True)
            return Path(tempfile.mkdtemp(prefix=f"{stamp}-{name}-", dir=base))
        except OSError:
            continue
    raise FormcheckError(f"nowhere to save {name}: {' and '.join(map(str, bases))} cannot be written either")


def save_or_rescue(target: Path, write: Callable[[Path], object]) -> tuple[Path, str | None]:
    """Save with `write(path)` at `target`; if that fails (disk full, permissions changed while
    working), save in a rescue folder instead. Returns where it went and, if elsewhere, one line
    saying so."""
    try:
        write(target)
        return target, None
    except OSError as exc:
        reason = exc.strerror or str(exc)
    saved = rescue_dir(target.stem) / target.name
    write(saved)
    return saved, f"cannot write {target} ({reason}); saved to {saved} instead"
