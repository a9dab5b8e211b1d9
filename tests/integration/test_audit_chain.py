"""The audit trail is a hash chain: verified whole, broken by any edit, removal or reordering,
refused by the database to the application, and never forked by writers working at once."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from factories import make_agreement, make_organisation
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from registry.extensions import db
from registry.models import AuditEvent


def verify(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["registry", "audit", "verify", *args])


def tamper(app: Flask, *statements: str) -> None:
    """Change audit rows as someone with direct database access would, past the triggers."""
    with app.app_context(), db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                connection.execute(text(statement))
        else:
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
            for statement in statements:
                connection.execute(text(statement))


@pytest.fixture
def journey(app: Flask, cast):  # type: ignore[no-untyped-def]
    """A demo journey: organisations, users and an agreement taken through its lifecycle."""
    make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > 20
    return app


def test_verify_passes_on_an_untouched_trail(journey: Flask, tmp_path: Path) -> None:
    result = verify(journey)
    assert result.exit_code == 0, result.output
    assert "The audit trail is intact" in result.output
    checkpoint = tmp_path / "checkpoint.json"
    assert journey.test_cli_runner().invoke(args=["registry", "audit", "checkpoint", str(checkpoint)]).exit_code == 0
    result = verify(journey, "--checkpoint", str(checkpoint))
    assert result.exit_code == 0 and "matches the checkpoint" in result.output


@pytest.mark.parametrize(
    ("statements", "named", "problem"),
    [
        (["UPDATE audit_event SET action = 'organisation.hidden' WHERE seq = 5"], 5, "content was changed"),
        (["DELETE FROM audit_event WHERE seq = 7"], 7, "is missing"),
        (
            [
                "UPDATE audit_event SET seq = -1 WHERE seq = 3",
                "UPDATE audit_event SET seq = 3 WHERE seq = 4",
                "UPDATE audit_event SET seq = 4 WHERE seq = -1",
            ],
            3,
            "does not follow",
        ),
    ],
    ids=["edited", "removed", "reordered"],
)
def test_verify_names_the_first_broken_event(journey: Flask, statements: list[str], named: int, problem: str) -> None:
    tamper(journey, *statements)
    result = verify(journey)
    assert result.exit_code == 1
    assert f"The chain breaks at event {named}" in result.output and problem in result.output


def test_a_checkpoint_catches_a_rewritten_or_shortened_chain(journey: Flask, tmp_path: Path) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    journey.test_cli_runner().invoke(args=["registry", "audit", "checkpoint", str(checkpoint)])
    last = json.loads(checkpoint.read_text())["seq"]
    tamper(journey, f"DELETE FROM audit_event WHERE seq >= {last - 1}")  # the chain itself still verifies
    result = verify(journey, "--checkpoint", str(checkpoint))
    assert result.exit_code == 1 and "shorter than the checkpoint" in result.output
    forged = json.loads(checkpoint.read_text()) | {"seq": 2}
    checkpoint.write_text(json.dumps(forged))
    result = verify(journey, "--checkpoint", str(checkpoint))
    assert result.exit_code == 1 and "signature is not valid" in result.output


def test_the_application_cannot_change_or_delete_audit_rows(journey: Flask) -> None:
    with journey.app_context():
        for statement in ("UPDATE audit_event SET action = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 1"):
            with pytest.raises(DatabaseError, match="audit events cannot be changed or deleted"):
                db.session.execute(text(statement))
            db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DatabaseError, match="audit events cannot be changed or deleted"):
                db.session.execute(text("TRUNCATE audit_event"))
            db.session.rollback()
    assert verify(journey).exit_code == 0


def _write_organisations(url: str, prefix: str, count: int, start) -> None:  # type: ignore[no-untyped-def]
    """In its own process: wait for the start signal, then create organisations one commit at a time."""
    from conftest import make_app

    from registry.services import organisations

    app = make_app(url)
    start.wait()
    for n in range(count):
        with app.app_context():
            organisations.create(None, {"name": f"{prefix} {n}", "sector": "third", "kind": "charity"})
            db.session.commit()


def test_two_processes_writing_at_once_leave_one_unbroken_chain(app: Flask, database_url: str) -> None:
    make_organisation(app, name="Before the race")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [
        context.Process(target=_write_organisations, args=(database_url, name, 15, start))
        for name in ("Alpha charity", "Beta charity")
    ]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    with app.app_context():
        seqs = list(db.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
    assert seqs == list(range(1, 32))
    result = verify(app)
    assert result.exit_code == 0, result.output
