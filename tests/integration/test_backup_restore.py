"""A restore drill: back up through the CLI, restore into a scratch database of the same kind,
and check nothing was lost: every table's rows, the audit chain, and the sealed PDF."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_app
from factories import (
    Cast,
    make_agreement,
    make_organisation,
    make_partnership,
    sign_by_every_party,
)
from flask import Flask
from sqlalchemy import create_engine, make_url, select, text
from sqlalchemy.exc import DBAPIError

from registry.backup import row_counts
from registry.extensions import db
from registry.models import AuditEvent, Organisation, SignedDocument
from registry.services import verification


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        counts = row_counts(db.session.connection())
        db.session.rollback()
        return counts


def _chain(app: Flask) -> list[tuple[int, str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(AuditEvent.seq, AuditEvent.action, AuditEvent.hash)
                                                         .order_by(AuditEvent.seq))]  # fmt: skip


def org_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Organisation.id)))


def _cli(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["registry", *args])


@pytest.fixture
def scratch_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the test's: a file not made yet, or a database
    created on the same PostgreSQL server (dropped afterwards)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'registry.db'}"
        return
    server = make_url(database_url)
    name = f"registry_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_app(scratch_url: str) -> Iterator[Flask]:
    restored = make_app(scratch_url)
    yield restored
    with restored.app_context():
        db.engine.dispose()


@pytest.fixture
def signed(app: Flask, cast: Cast):  # type: ignore[no-untyped-def]
    """Records of every kind, and an agreement signed by every party with its sealed PDF."""
    third = make_organisation(app, name="Northbridge Tenants Trust", sector="third", kind="charity")
    make_partnership(app, cast.manager, cast.own_org, [third])
    agreement = make_agreement(app, cast.admin, [cast.own_org, third], status="awaiting_signatures")
    sign_by_every_party(app, agreement)
    return agreement


def _backup(app: Flask, path: Path):  # type: ignore[no-untyped-def]
    result = _cli(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return result


def test_a_backup_restores_into_an_empty_database_with_nothing_lost(
    app: Flask, cast: Cast, signed, scratch_app: Flask, database_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "registry.backup"
    result = _backup(app, path)
    sqlite = database_url.startswith("sqlite")
    assert ("pages copied" if sqlite else 'dumping contents of table "public.signed_document"') in result.stderr
    assert f"Backed up the {'SQLite' if sqlite else 'PostgreSQL'} database" in result.stdout
    assert path.read_bytes()[:16].startswith(b"SQLite format 3\0" if sqlite else b"PGDMP")
    assert path.stat().st_mode & 0o077 == 0, "a backup holds password hashes: only its owner may read it"
    assert not path.with_name(path.name + ".partial").exists()
    source_counts, source_chain = _counts(app), _chain(app)
    assert source_chain[-1][1] == "database.backed_up", "recorded before the copy, so the backup holds it"
    assert f"{len(source_counts)} tables, {sum(source_counts.values()):,} rows" in result.stdout

    restored = _cli(scratch_app, "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert "Recorded the restore in the audit trail" in restored.stdout

    counts, chain = _counts(scratch_app), _chain(scratch_app)
    assert counts == {**source_counts, "audit_event": source_counts["audit_event"] + 1}
    assert all(source_counts[name] for name in ("organisation", "user_account", "signed_document", "partnership"))
    assert chain[:-1] == source_chain, "every event kept, with its sequence and hash"
    assert chain[-1][1] == "database.restored"
    verified = _cli(scratch_app, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert f"The audit trail is intact: {len(chain)} events" in verified.stdout

    with app.app_context():
        original = db.session.scalars(select(SignedDocument.pdf)).one()
    with scratch_app.app_context():
        document = db.session.scalars(select(SignedDocument)).one()
        assert document.pdf == original
        assert hashlib.sha256(document.pdf).hexdigest() == document.sha256
        outcome = verification.check_file(document.pdf)
        assert outcome.verdict == "genuine", outcome.message
        assert outcome.agreement is not None and outcome.agreement.reference == signed.reference
        # the audit trail's guard came across with the tables
        with pytest.raises(DBAPIError):
            db.session.execute(text("UPDATE audit_event SET action = 'edited' WHERE seq = 1"))
        db.session.rollback()

    page = scratch_app.test_client(user=cast.admin).get(f"/agreements/{signed.reference}")
    assert page.status_code == 200, "the restored database serves the same sign-ins and records"
    added = make_organisation(scratch_app, name="Registered after the restore")
    assert added.id > max(org_ids(app)), "the id sequences came across too: new records do not collide"


def test_a_restore_into_a_database_with_tables_is_refused_and_changes_nothing(
    app: Flask, cast: Cast, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "registry.backup"
    _backup(app, path)
    before_counts, before_chain = _counts(app), _chain(app)

    refused = _cli(app, "restore", str(path))
    assert refused.exit_code == 1
    assert "already has tables: a restore only goes into an empty database, so nothing was changed" in refused.output
    assert _counts(app) == before_counts
    assert _chain(app) == before_chain


def test_a_backup_never_overwrites_a_file(app: Flask, cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "precious.txt"
    path.write_text("keep me")
    refused = _cli(app, "backup", str(path))
    assert refused.exit_code == 1
    assert "already exists: a backup never overwrites a file" in refused.output
    assert path.read_text() == "keep me"


def test_a_backup_of_the_other_kind_or_not_a_backup_is_refused(
    app: Flask, cast: Cast, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    path = tmp_path / "registry.backup"
    _backup(app, path)
    if database_url.startswith("sqlite"):
        other, other_url = "PostgreSQL", request.getfixturevalue("postgres_url")
        target = make_app(other_url)
        before = _counts(target)
    else:
        other, other_url = "SQLite", f"sqlite:///{tmp_path / 'other' / 'registry.db'}"
        target = make_app(other_url)
    kind = "SQLite" if other == "PostgreSQL" else "PostgreSQL"

    refused = _cli(target, "restore", str(path))
    assert refused.exit_code == 1
    assert f"is a {kind} backup, but this registry's database is {other}" in refused.output
    if other == "SQLite":
        assert not (tmp_path / "other" / "registry.db").exists(), "nothing written"
    else:
        assert _counts(target) == before

    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = _cli(target, "restore", str(junk))
    assert refused.exit_code == 1
    assert "is not a registry backup: it is neither a SQLite database nor a PostgreSQL custom-format dump" in (
        refused.output
    )
    with target.app_context():
        db.engine.dispose()
