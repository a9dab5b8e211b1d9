"""``flask registry backup PATH`` and ``flask registry restore PATH`` (see registry/backup.py).

A backup is recorded in the audit trail as ``database.backed_up`` *before* the copy is taken,
so the backup holds its own event (recorded after, it could only be in the next backup). If
the copy then fails, ``database.backup_failed`` follows it, so the trail never claims a backup
that does not exist without saying so. A restore adds ``database.restored`` to the restored
database, after the backup's own events: the trail then shows where the restored history ends
and that whatever happened between the backup and the restore is not in it.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from registry import backup
from registry.backup import BackupError, Summary
from registry.extensions import db
from registry.services import audit


def _progress(line: str) -> None:
    click.echo(line, err=True)


def _describe(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite database at {parsed.database}"
    return f"the PostgreSQL database {parsed.database} on {parsed.host or 'the local socket'}"


def _echo_summary(summary: Summary) -> None:
    width = max((len(name) for name in summary.rows_by_table), default=0)
    for name, rows in summary.rows_by_table.items():
        click.echo(f"  {name:<{width}}  {rows:>9,}")
    tables = len(summary.rows_by_table)
    click.echo(f"{tables} tables, {summary.rows:,} rows; migration {summary.revision or 'unknown'}.")


def _latest_revision() -> str | None:
    from alembic.script import ScriptDirectory

    from registry import MIGRATIONS_DIR

    return ScriptDirectory(MIGRATIONS_DIR).get_current_head()


def _file(path: Path) -> dict[str, dict[str, str | None]]:
    return {"file": {"before": None, "after": str(path.resolve())}}


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the whole database to a new file PATH, while the service keeps running.

    SQLite: SQLite's online backup (one consistent copy, never a copy of a file being written).
    PostgreSQL: pg_dump's custom format, for pg_restore.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        kind = backup.kind_of_url(url)
        source = backup.sqlite_path(url) if kind == "sqlite" else None
        if path.exists():
            raise BackupError(f"{path} already exists: a backup never overwrites a file. Choose a new name.")
        if not path.parent.is_dir():
            raise BackupError(f"There is no folder {path.parent} to write the backup into.")
    except BackupError as error:
        raise click.ClickException(error.message) from error

    try:
        audit.record("database.backed_up", "database", kind, actor=None, changes=_file(path))
        db.session.commit()  # before the copy, so the backup holds its own event
    except OperationalError as error:
        problem = str(error.orig).strip()
        raise click.ClickException(f"Cannot reach {_describe(url)}, so nothing was backed up: {problem}") from error
    click.echo(f"Backing up {_describe(url)} to {path}…", err=True)
    try:
        if source is not None:
            db.session.close()
            summary = backup.sqlite_backup(source, path, _progress)
        else:
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    summary = backup.pg_backup(connection, url, path, _progress)
    except BaseException as error:  # failed or interrupted: the trail must not claim a backup
        problem = error.message if isinstance(error, BackupError) else f"interrupted ({type(error).__name__})"
        changes = {**_file(path), "problem": {"before": None, "after": problem}}
        db.session.rollback()
        audit.record("database.backup_failed", "database", kind, actor=None, changes=changes)
        db.session.commit()
        if isinstance(error, BackupError):
            raise click.ClickException(f"{error.message} Nothing was written to {path}.") from error
        raise
    click.echo(f"Backed up {_describe(url)} to {path} ({path.stat().st_size:,} bytes):")
    _echo_summary(summary)
    click.echo(f"Restore it with: flask --app wsgi registry restore {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup made by `registry backup` into the configured database, which must be empty.

    It never overwrites: a database that already has tables is refused and left as it was.
    """
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        kind = backup.check_kind_matches(path, url)
        click.echo(f"Restoring {path} into {_describe(url)}…", err=True)
        if kind == "sqlite":
            db.session.close()
            db.engine.dispose()  # no pooled connection of ours holds the file while pages are copied in
            summary = backup.sqlite_restore(path, backup.sqlite_path(url), _progress)
        else:
            try:
                with db.engine.connect() as connection:
                    empty = backup.pg_is_empty(connection)
            except OperationalError as error:
                raise BackupError(
                    f"Cannot connect to {_describe(url)} ({error.orig}). Create the database first "
                    "(createdb), empty, and check DATABASE_URL."
                ) from error
            if not empty:
                raise BackupError(
                    f"The {_describe(url).removeprefix('the ')} already has tables: a restore only goes into an empty "
                    "database, so nothing was changed. Create a new database (createdb), point DATABASE_URL "
                    "at it and run the restore again."
                )
            db.engine.dispose()
            backup.pg_restore(path, url, _progress)
            revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
            summary = Summary(kind, backup.row_counts(db.session.connection()), revision)
    except BackupError as error:
        raise click.ClickException(error.message) from error

    click.echo(f"Restored {path} into {_describe(url)}:")
    _echo_summary(summary)
    latest = _latest_revision()
    if summary.revision != latest:
        click.echo(
            f"The backup is at migration {summary.revision}; this code's latest is {latest}. "
            "Run `flask --app wsgi db upgrade` before starting the service. "
            "(The restore was not added to the audit trail, whose table may change in the upgrade.)"
        )
        return
    last = db.session.scalar(text("SELECT MAX(seq) FROM audit_event"))
    changes = {**_file(path), "last_event_in_backup": {"before": None, "after": last}}
    audit.record("database.restored", "database", kind, actor=None, changes=changes)
    db.session.commit()
    click.echo(f"Recorded the restore in the audit trail after event {last}, the last one in the backup.")


def register(group: click.Group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
