"""The history database: one SQLite file in the user's data folder, one row per session.

- Several formcheck processes may write at once (a folder run, a live session beside it): WAL
  lets readers and one writer work together, every write is one `BEGIN IMMEDIATE` transaction,
  and a writer waits for another (the busy timeout) instead of failing with "database is locked".
- The layout has a version (`schema_version`), and an older file is migrated in place, step by
  step, inside a transaction: a crash half-way leaves the old version, which migrates next time.
- A damaged file (a disk error, a copy cut short) is moved aside with one line and a new one
  started: the history is worth keeping, but never worth a failed run.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from formcheck.paths import data_dir

HISTORY_ENV = "FORMCHECK_HISTORY"  # the database file itself (tests, or a history kept elsewhere)
FILE_NAME = "history.sqlite"
BUSY_TIMEOUT_S = 30.0

# Each step takes the database from the version before it to its own; a new file runs them all.
MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,          -- the report's created_at, UTC ISO 8601
            exercise TEXT NOT NULL,
            variant TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,               -- a name, not a path
            source_sha256 TEXT,                 -- the content's hash (None: a camera)
            reps INTEGER NOT NULL DEFAULT 0,
            good_reps INTEGER NOT NULL DEFAULT 0,
            hold_s REAL NOT NULL DEFAULT 0,
            good_hold_s REAL NOT NULL DEFAULT 0,
            faults TEXT NOT NULL DEFAULT '[]',  -- JSON: [{"name", "start_s", "end_s"}]
            model TEXT,
            strictness TEXT,
            report_path TEXT
        );
        CREATE INDEX runs_when ON runs (recorded_at);
    """,
    # 2: what kind of run (analyze, live, workout), the model's hash, the length, partial runs;
    # one row per content, kind and exercise (a re-analysis replaces its row).
    2: """
        ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'analyze';
        ALTER TABLE runs ADD COLUMN model_sha256 TEXT;
        ALTER TABLE runs ADD COLUMN duration_s REAL;
        ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
        DELETE FROM runs WHERE source_sha256 IS NOT NULL AND id NOT IN (
            SELECT MAX(id) FROM runs WHERE source_sha256 IS NOT NULL GROUP BY source_sha256, exercise
        );
        CREATE UNIQUE INDEX runs_content ON runs (kind, source_sha256, exercise) WHERE source_sha256 IS NOT NULL;
    """,
}
VERSION = max(MIGRATIONS)


class HistoryError(Exception):
    """The history cannot be used (a newer layout, a folder that cannot be written)."""


def history_path() -> Path:
    env = os.environ.get(HISTORY_ENV)
    return Path(env).expanduser() if env else data_dir() / FILE_NAME


@dataclass
class Entry:
    """One recorded session (a row of `runs`)."""

    recorded_at: str
    exercise: str
    variant: str
    source: str
    source_sha256: str | None
    reps: int
    good_reps: int
    hold_s: float
    good_hold_s: float
    faults: list[dict] = field(default_factory=list)
    model: str | None = None
    strictness: str | None = None
    report_path: str | None = None
    kind: str = "analyze"
    model_sha256: str | None = None
    duration_s: float | None = None
    partial: bool = False
    id: int | None = None

    @property
    def when(self) -> datetime:
        return datetime.strptime(self.recorded_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


COLUMNS = [f for f in Entry.__dataclass_fields__ if f != "id"]


class History:
    """`with History.open() as history:` the database at `path` (default: history_path()),
    created or migrated as needed."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path | None = None) -> Iterator[History]:
        path = path or history_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"cannot create {path.parent} ({exc.strerror or exc})") from None
        conn = _open_or_replace(path)
        try:
            yield cls(conn, path)
        finally:
            conn.close()

    def add(self, entry: Entry) -> None:
        """Insert, replacing the row of the same content, kind and exercise (a re-analysis)."""
        values = [getattr(entry, c) for c in COLUMNS]
        values[COLUMNS.index("faults")] = json.dumps(entry.faults)
        values[COLUMNS.index("partial")] = int(entry.partial)
        with _write(self.conn):
            if entry.source_sha256:
                self.conn.execute(
                    "DELETE FROM runs WHERE kind = ? AND source_sha256 = ? AND exercise = ?",
                    (entry.kind, entry.source_sha256, entry.exercise),
                )
            self.conn.execute(
                f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", values
            )

    def entries(
        self, exercise: str | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> list[Entry]:
        """Rows oldest first; `since` and `until` bound recorded_at (UTC), both included."""
        where, args = [], []
        if exercise:
            where.append("exercise = ?")
            args.append(exercise)
        if since:
            where.append("recorded_at >= ?")
            args.append(since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if until:
            where.append("recorded_at <= ?")
            args.append(until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        sql = f"SELECT id, {', '.join(COLUMNS)} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = _retry(lambda: self.conn.execute(sql + " ORDER BY recorded_at, id", args).fetchall())
        entries = []
        for row in rows:
            values = dict(zip(["id", *COLUMNS], row, strict=True))
            values["faults"] = json.loads(values["faults"] or "[]")
            values["partial"] = bool(values["partial"])
            entries.append(Entry(**values))
        return entries


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; each write is one explicit BEGIN IMMEDIATE.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def _open_or_replace(path: Path) -> sqlite3.Connection:
    """Open, set WAL and migrate; a damaged file is moved aside (one line) and a new one made."""
    try:
        seen = os.stat(path).st_ino if path.exists() else None
    except OSError:
        seen = None
    conn = _connect(path)
    try:
        _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
        _migrate(conn)
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError):  # locked for too long, read-only, disk full
            raise
        _move_aside(path, seen, exc)
    conn = _connect(path)
    _retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone())
    _migrate(conn)
    return conn


def _move_aside(path: Path, seen_inode: int | None, exc: Exception) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}-{os.getpid()}")
    try:
        if seen_inode is not None and os.stat(path).st_ino != seen_inode:
            return  # another process has replaced it already: use the new one
        os.replace(path, aside)
    except FileNotFoundError:
        return
    for suffix in ("-wal", "-shm"):  # the damaged file's journal belongs with it
        with contextlib.suppress(OSError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    print(
        f"formcheck: note: the history {path} was damaged ({exc}); moved aside to {aside.name}, starting a new one",
        file=sys.stderr,
    )


def _version(conn: sqlite3.Connection) -> int:
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not has_table:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def _migrate(conn: sqlite3.Connection) -> None:
    if _retry(lambda: _version(conn)) == VERSION:
        return
    with _write(conn):  # one writer migrates; the others wait, then find it done
        version = _version(conn)
        if version > VERSION:
            raise HistoryError(f"the history is version {version}, newer than this formcheck knows ({VERSION})")
        if version == 0:
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO schema_version VALUES (0)")
        for step in range(version + 1, VERSION + 1):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (step,))


@contextlib.contextmanager
def _write(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (BEGIN IMMEDIATE) so two writers never deadlock."""
    _retry(lambda: conn.execute("BEGIN IMMEDIATE"))
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _retry(lambda: conn.execute("COMMIT"))


def _retry(call, deadline_s: float = BUSY_TIMEOUT_S):  # type: ignore[no-untyped-def]
    """SQLite's busy handler covers most waits; a few (a WAL switch, a checkpoint in progress)
    still answer 'locked' at once: wait and try again until the deadline."""
    end = time.monotonic() + deadline_s
    delay = 0.01
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if ("locked" not in text and "busy" not in text) or time.monotonic() > end:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
