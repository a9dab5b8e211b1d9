"""A request PostgreSQL chose as a deadlock victim (or could not serialise) runs again from the start,
and lands once: one record, one audit event, the chain intact (registry/retry.py).

The failure is made by the database itself, deterministically: a trigger on ``audit_event`` raises the
SQLSTATE for the first N rows it sees (counted by a sequence, which a rollback does not undo). That is
where the deadlock ``make load`` met was raised: inserting the audit event at the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from factories import Cast, audit_events, make_agreement, reload, submit
from flask import Flask
from sqlalchemy import text

from registry.extensions import db
from registry.models import Organisation


@contextmanager
def failing_audit_inserts(app: Flask, sqlstate: str, times: int) -> Iterator[Callable[[], int]]:
    """The first ``times`` audit events inserted fail with ``sqlstate``; yields how many were tried."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite has no deadlock victims and its lock timeout is not retried (registry/retry.py)")
    with app.app_context():
        engine = db.engine
    with engine.begin() as connection:
        connection.execute(text("CREATE SEQUENCE test_retry_runs"))
        connection.execute(text(f"""
            CREATE FUNCTION test_retry_fail() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF nextval('test_retry_runs') <= {int(times)} THEN
                RAISE EXCEPTION 'forced by the test' USING ERRCODE = '{sqlstate}';
              END IF;
              RETURN NEW;
            END $$"""))  # fmt: skip
        connection.execute(text("CREATE TRIGGER test_retry_fail BEFORE INSERT ON audit_event "
                                "FOR EACH ROW EXECUTE FUNCTION test_retry_fail()"))  # fmt: skip

    def tried() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT last_value FROM test_retry_runs")).scalar_one())

    try:
        yield tried
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TRIGGER test_retry_fail ON audit_event"))
            connection.execute(text("DROP FUNCTION test_retry_fail()"))
            connection.execute(text("DROP SEQUENCE test_retry_runs"))


def _edit_form(org: Organisation, **changes: str) -> dict[str, str]:
    return {"name": org.name, "sector": org.sector, "kind": org.kind, "version": str(org.version), **changes}


def _chain_intact(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["registry", "audit", "verify"])
    assert result.exit_code == 0, result.output


# as in production: a failure becomes an error page (which the retry discards), not an exception
PRODUCTION_ERRORS = {"PROPAGATE_EXCEPTIONS": False, "PROPAGATE_TEST_ERRORS": False}


def test_an_edit_chosen_as_a_deadlock_victim_runs_again_and_lands_once(
    app_factory: Callable[..., Flask], cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_factory(**PRODUCTION_ERRORS)
    org = cast.other_org
    client = app.test_client(user=cast.manager)  # this app's client (``as_user`` serves the default app)
    with failing_audit_inserts(app, "40P01", times=1) as tried, caplog.at_level(logging.WARNING):
        response = submit(client, f"/organisations/{org.id}/edit", _edit_form(org, main_contact_name="Sam Okafor"))
        assert tried() == 2  # the first run's event failed; the second run's went in
    assert response.status_code == 302
    saved = reload(app, Organisation, org.id)
    assert (saved.main_contact_name, saved.version) == ("Sam Okafor", org.version + 1)
    [event] = audit_events(app, "organisation.updated")
    assert event.changes == {"main_contact_name": {"before": None, "after": "Sam Okafor"}}
    _chain_intact(app)
    retried = [r for r in caplog.records if r.name == "registry.retry"]
    assert [r.levelname for r in retried] == ["WARNING"] and "40P01" in retried[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback for a run that was retried


def test_a_download_that_could_not_be_serialised_runs_again_and_is_audited_once(
    app: Flask, cast: Cast, as_user: Any
) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    partner = as_user(cast.partner)
    with failing_audit_inserts(app, "40001", times=2) as tried:
        response = partner.get(f"/agreements/{agreement.reference}/document.pdf")  # exceptions propagate here
        assert tried() == 3
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert [e.entity_id for e in audit_events(app, "document.downloaded")] == [agreement.reference]
    _chain_intact(app)


def test_retries_are_bounded_and_a_request_that_never_lands_changes_nothing(
    app_factory: Callable[..., Flask], cast: Cast
) -> None:
    app = app_factory(REQUEST_RETRIES=2, **PRODUCTION_ERRORS)
    org = cast.other_org
    client = app.test_client(user=cast.manager)
    before = len(audit_events(app))
    with failing_audit_inserts(app, "40P01", times=100) as tried:
        response = submit(client, f"/organisations/{org.id}/edit", _edit_form(org, main_contact_name="Sam Okafor"))
        assert tried() == 3  # the first run and two more
    assert response.status_code == 500
    saved = reload(app, Organisation, org.id)
    assert (saved.main_contact_name, saved.version) == (org.main_contact_name, org.version)
    assert len(audit_events(app)) == before
    _chain_intact(app)


def test_a_request_that_is_not_a_victim_runs_once(app_factory: Callable[..., Flask], cast: Cast) -> None:
    """Any other database failure (here a lock wait given up: 55P03) is not repeated."""
    app = app_factory(**PRODUCTION_ERRORS)
    org = cast.other_org
    with failing_audit_inserts(app, "55P03", times=1) as tried:
        client = app.test_client(user=cast.manager)
        response = submit(client, f"/organisations/{org.id}/edit", _edit_form(org, main_contact_name="X"))
        assert tried() == 1
    assert response.status_code in (500, 503)
    assert reload(app, Organisation, org.id).version == org.version
