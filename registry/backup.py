"""Backing the database up to one file, and restoring that file into an empty database.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies the pages of a live
database as one consistent snapshot (if another connection writes part-way, the copy starts
again), so the backup is never a torn copy of a file that was being written; a file copy can
be. PostgreSQL: ``pg_dump --format=custom``, run on a snapshot exported from our own
connection so the row counts we print are exactly the rows in the file, and ``pg_restore``.

A backup is written to ``PATH.partial`` (owner-only permissions: it holds password hashes)
and renamed to PATH when complete, so a failed backup never leaves a truncated file under the
real name. The kind of a backup is read from its first bytes (SQLite's header or PGDMP), so a
restore refuses a file of the other kind. A restore only goes into an empty database: it never
overwrites records.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, inspect, make_url, text
from sqlalchemy.engine import Connection

SQLITE_MAGIC = b"SQLite format 3\x00"
POSTGRES_MAGIC = b"PGDMP"
SQLITE_PAGES_PER_STEP = 256
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message saying why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Summary:
    kind: str  # "sqlite" or "postgresql"
    rows_by_table: dict[str, int]
    revision: str | None  # the migration the database is at (its alembic_version)

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())


def kind_of_url(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in KIND_NAMES:
        raise BackupError(f"Backups work with SQLite and PostgreSQL databases, not {backend}.")
    return backend


def kind_of_file(path: Path) -> str:
    """What a backup file holds, from its first bytes."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(POSTGRES_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a registry backup: it is neither a SQLite database nor a PostgreSQL custom-format dump."
    )


def check_kind_matches(path: Path, url: str) -> str:
    kind, wanted = kind_of_file(path), kind_of_url(url)
    if kind != wanted:
        raise BackupError(
            f"{path} is a {KIND_NAMES[kind]} backup, but this registry's database is {KIND_NAMES[wanted]}. "
            f"Restore it into a {KIND_NAMES[kind]} database (set DATABASE_URL), or move the data another way."
        )
    return kind


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("The database is in memory: there is no file to back up or restore into.")
    return Path(database)


@contextmanager
def partial_file(target: Path) -> Iterator[Path]:
    """An owner-only ``TARGET.partial`` that becomes TARGET only if the block finishes."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        yield partial
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows in every table of the database (the migration table included)."""
    names = sorted(inspect(connection).get_table_names())
    return {name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in names}


def revision_of(rows_by_table: dict[str, int], read: Callable[[str], str | None]) -> str | None:
    return read("SELECT version_num FROM alembic_version") if "alembic_version" in rows_by_table else None


# SQLite ---------------------------------------------------------------------------------------


def _copy_pages(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress) -> None:
    shown = {"last": -1}

    def report(_status: int, remaining: int, total: int) -> None:
        done = total - remaining
        if total and (done == total or done - shown["last"] >= SQLITE_PAGES_PER_STEP * 8):
            shown["last"] = done
            progress(f"  {done:,} of {total:,} pages copied")

    source.backup(target, pages=SQLITE_PAGES_PER_STEP, progress=report)


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_summary(path: Path) -> Summary:
    """Check a SQLite file's integrity and count its rows, without changing it."""
    connection = _open_read_only(path)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise BackupError(f"{path} is damaged: " + "; ".join(problems[:3]))
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                      "AND name NOT LIKE 'sqlite_%' ORDER BY name")]  # fmt: skip
        counts = {name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
        revision = revision_of(counts, lambda sql: (connection.execute(sql).fetchone() or [None])[0])
        return Summary("sqlite", counts, revision)
    finally:
        connection.close()


def sqlite_backup(source: Path, target: Path, progress: Progress) -> Summary:
    if not source.exists():
        raise BackupError(f"There is no database at {source} to back up.")
    with partial_file(target) as partial:
        reader = sqlite3.connect(source)
        writer = sqlite3.connect(partial)
        try:
            reader.execute("PRAGMA busy_timeout=10000")
            _copy_pages(reader, writer, progress)
            # one self-contained file: no -wal or -shm beside it
            writer.execute("PRAGMA journal_mode=DELETE")
        finally:
            writer.close()
            reader.close()
        summary = sqlite_summary(partial)
    return summary


def sqlite_is_empty(path: Path) -> bool:
    """A file that is missing, empty, or a SQLite database with nothing in it."""
    if not path.exists() or path.stat().st_size == 0:
        return True
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is there but is not a SQLite database ({error}): nothing was restored.") from error
    finally:
        connection.close()


def sqlite_restore(backup: Path, target: Path, progress: Progress) -> Summary:
    summary = sqlite_summary(backup)  # refuses a damaged backup before anything is written
    if not sqlite_is_empty(target):
        raise BackupError(
            f"The database at {target} already has tables: a restore only goes into an empty database, "
            "so nothing was changed. Point DATABASE_URL at a new file, or move this one aside first."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    reader, writer = _open_read_only(backup), sqlite3.connect(target)
    try:
        _copy_pages(reader, writer, progress)
        writer.execute("PRAGMA journal_mode=WAL")
    finally:
        writer.close()
        reader.close()
    return summary


# PostgreSQL -----------------------------------------------------------------------------------


def _version(bindir: str) -> tuple[int, ...]:
    name = Path(bindir).parent.name
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def pg_tool(name: str) -> str:
    """The newest local copy of a PostgreSQL client program (a pg_dump older than the server refuses)."""
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        if (Path(bindir) / name).exists():
            return str(Path(bindir) / name)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client programs "
            "(on Debian, the postgresql-client package for the server's version or newer)."
        )
    return found


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy URL as a libpq connection URI, with the password in the environment (not on
    the command line, where other users of the machine could read it)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    return plain.render_as_string(hide_password=False), env


def _run(arguments: list[str], env: dict[str, str], progress: Progress) -> None:
    """Run a PostgreSQL program, passing its --verbose lines on as progress."""
    process = subprocess.Popen(arguments, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    lines: list[str] = []
    for line in process.stderr:
        lines.append(line.rstrip())
        if "dumping contents of table" in line or "processing data for table" in line:
            progress("  " + line.split(": ", 1)[-1].strip())
    if process.wait() != 0:
        problems = [line for line in lines if "error" in line.lower()] or lines[-3:]
        raise BackupError(f"{Path(arguments[0]).name} failed: " + " ".join(problems[-3:]))


def pg_list(path: Path) -> list[str]:
    """The archive's table of contents; refuses a file pg_restore cannot read."""
    result = subprocess.run([pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{path} cannot be read as a PostgreSQL backup: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line and not line.startswith(";")]


def pg_backup(connection: Connection, url: str, target: Path, progress: Progress) -> Summary:
    """Dump on a snapshot exported from ``connection`` (which must be in a REPEATABLE READ
    transaction), and count the rows on the same snapshot, while the transaction stays open."""
    snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    counts = row_counts(connection)
    revision = revision_of(counts, lambda sql: connection.execute(text(sql)).scalar())
    conninfo, env = libpq_target(url)
    with partial_file(target) as partial:
        _run(
            [pg_tool("pg_dump"), "--format=custom", "--verbose", f"--snapshot={snapshot}",
             f"--file={partial}", f"--dbname={conninfo}"],
            env, progress,
        )  # fmt: skip
        tables = sum(" TABLE DATA " in line for line in pg_list(partial))
        if tables != len(counts):
            raise BackupError(f"The dump holds {tables} tables where the database has {len(counts)}.")
    return Summary("postgresql", counts, revision)


def pg_is_empty(connection: Connection) -> bool:
    """No tables, views or sequences outside PostgreSQL's own schemas."""
    found = connection.execute(
        text(
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
        )
    ).scalar_one()
    return found == 0


def pg_restore(backup: Path, url: str, progress: Progress) -> None:
    """Restore in one transaction (a failure leaves the database as empty as it was); the
    objects belong to the user restoring, whoever owned them where the dump was taken."""
    pg_list(backup)
    conninfo, env = libpq_target(url)
    _run(
        [pg_tool("pg_restore"), "--verbose", "--exit-on-error", "--single-transaction", "--no-owner",
         "--no-privileges", f"--dbname={conninfo}", str(backup)],
        env, progress,
    )  # fmt: skip
