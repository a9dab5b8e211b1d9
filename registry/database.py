"""Database connection set-up shared by the app and the CLI.

SQLite: foreign keys on, WAL and a busy timeout. Transactions that may write begin with
BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of one failing with
"database is locked" when it upgrades a read to a write. Transactions of GET requests
begin as plain (deferred) reads, so pages never queue behind each other.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# False while a read-only (GET) request runs; everything else may write
may_write: ContextVar[bool] = ContextVar("may_write", default=True)


def _is_sqlite(dbapi_connection: object) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    if not _is_sqlite(dbapi_connection):
        return
    # let SQLAlchemy's "begin" event below issue BEGIN, instead of the driver's own handling
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write.get() else "BEGIN")
