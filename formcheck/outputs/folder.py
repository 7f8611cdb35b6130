"""One input's output folder: made when its work starts, held against a second run writing the
same folder at the same time, and removed again if the input failed before anything was put in it.

Two runs may share `--out`; each file in a folder is written atomically, but a folder written by
two runs at once would end up a mix of both (one clip's report beside another clip's video). So a
run holds an advisory lock on the folder while it works in it (`flock`, released by the kernel if
the run dies), and a second run wanting the same folder is told so in one line.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from formcheck.errors import FormcheckError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; files are still written whole
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".formcheck.lock"


class OutputFolder:
    """`with OutputFolder(path):` makes and locks the folder; FormcheckError (one line) if it
    cannot be made or another run holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._created: list[Path] = []  # the folders made here, innermost first

    def __enter__(self) -> OutputFolder:
        try:
            missing = self.path
            while not missing.exists() and missing != missing.parent:
                self._created.append(missing)
                missing = missing.parent
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock()
        except (FileExistsError, NotADirectoryError):
            raise FormcheckError(f"{self.path}: exists and is not a folder") from None
        except OSError as exc:
            raise FormcheckError(f"{self.path}: cannot create the output folder ({exc.strerror or exc})") from None
        return self

    def _lock(self) -> None:
        if fcntl is None:
            return
        lock = self.path / LOCK_NAME
        for _ in range(3):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode(errors="replace").strip()
                os.close(fd)
                who = f" (pid {holder})" if holder.isdigit() else ""
                message = f"another formcheck run{who} is writing this folder; let it finish or use another --out"
                raise FormcheckError(f"{self.path}: {message}") from None
            # The run before us removes the lock file as it lets go: lock the file that is there now.
            try:
                current = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self._fd = fd
                return
            os.close(fd)
            self.path.mkdir(parents=True, exist_ok=True)
        raise FormcheckError(f"{self.path}: cannot lock the output folder (it keeps being removed)")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path / LOCK_NAME)
            os.close(self._fd)  # lets go of the lock
            self._fd = None
        for folder in self._created:  # those left empty: an input that failed before writing anything
            try:
                folder.rmdir()
            except OSError:
                break
