"""Every transaction takes its locks in one order, the audit chain head last, so two requests queue
rather than deadlock (docs/ARCHITECTURE.md, "Lock order").

The first test is the interleaving ``make load`` met (issue 13, section 6): a partner downloads an
agreement PDF (an audited read) while a manager saves their organisation. Before the rule, the
download locked the chain head, then its audit event's foreign key asked for a share lock on the
partner's organisation row, which the edit held; the edit, at its commit, asked for the chain head:
"deadlock detected ... while locking tuple in relation organisation".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from factories import PASSWORD, Cast, audit_events, make_agreement
from flask import Flask
from flask.testing import FlaskClient
from pages import form_tokens
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from registry.extensions import db
from registry.models import Organisation, User
from registry.services import organisations


def _postgres_only(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: there is no lock order to get wrong")


def _engine(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


def _waiting_for_a_lock(watcher: Any) -> int:
    """How many of this database's connections wait for a lock (a new snapshot each call)."""
    number = watcher.execute(
        text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    ).scalar_one()
    watcher.commit()
    return int(number)


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@pytest.mark.parametrize(
    "change",
    [{"main_contact_name": "Sam Okafor"}, {"name": "Own Housing Association (renamed)"}],
    ids=["contact", "rename"],
)
def test_a_download_and_an_edit_of_the_downloaders_organisation_do_not_deadlock(
    app_factory: Callable[..., Flask], cast: Cast, change: dict[str, str]
) -> None:
    """The edit holds the organisation's row (its version check; a rename also changes a key column,
    so its UPDATE takes the strongest row lock); the download commits meanwhile; then the edit commits.
    Both must land. (A rename makes the download wait for the edit: it must wait holding no chain head.)"""
    app = app_factory(REQUEST_RETRIES=0)  # the lock order alone must prevent it: no retry to hide behind
    _postgres_only(app)
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    partner = app.test_client(user=cast.partner)  # this app's client (``as_user`` serves the default app)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    answers: list[int] = []

    def edit() -> None:
        try:
            with app.app_context():
                organisation = db.session.get(Organisation, cast.own_org.id)
                data = {field: getattr(organisation, field) for field in organisations.EDITABLE} | change
                actor = db.session.get(User, cast.manager.id)
                organisations.update(actor, organisation, data, read_version=organisation.version)  # type: ignore[arg-type]
                holding.set()  # the organisation's row is locked (and, for a rename, updated)
                assert release.wait(30)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001  (reported below, in the test's own thread)
            errors.append(error)
            holding.set()

    def download() -> None:
        try:
            answers.append(partner.get(f"/agreements/{agreement.reference}/document.pdf").status_code)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    watcher = _engine(app).connect()
    editor, downloader = threading.Thread(target=edit), threading.Thread(target=download)
    try:
        editor.start()
        assert holding.wait(30) and not errors
        downloader.start()
        # the download either waits for a row lock or, when it needs none the edit holds, finishes
        _until(lambda: _waiting_for_a_lock(watcher) > 0 or not downloader.is_alive(), "the download never ran")
        waited = downloader.is_alive()
        release.set()  # the edit commits: it takes the audit chain head
        editor.join(timeout=30)
        downloader.join(timeout=30)
    finally:
        release.set()
        watcher.close()
    assert not editor.is_alive() and not downloader.is_alive()
    assert errors == [], "\n".join(str(error) for error in errors)
    assert answers == [200]
    # a contact change locks the row FOR NO KEY UPDATE, which the download's foreign key check does not
    # wait for; a rename changes a key column, so the download waits (holding no chain head) for the edit
    assert waited == ("name" in change)
    assert len(audit_events(app, "organisation.updated")) == 1
    assert len(audit_events(app, "document.downloaded")) == 1
    result = app.test_cli_runner().invoke(args=["registry", "audit", "verify"])
    assert result.exit_code == 0, result.output


# --- the rule, statement by statement ---------------------------------------------------------------------


@contextmanager
def _statements(app: Flask) -> Iterator[list[str]]:
    """Every statement sent, with "COMMIT" where a transaction committed."""
    statements: list[str] = []

    def sent(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    def committed(conn) -> None:  # type: ignore[no-untyped-def]
        statements.append("COMMIT")

    engine = _engine(app)
    event.listen(engine, "before_cursor_execute", sent)
    event.listen(engine, "commit", committed)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", sent)
        event.remove(engine, "commit", committed)


def _post(client: FlaskClient, path: str, data: dict[str, str], token_from: str) -> Callable[[], Any]:
    """The form's tokens read from its page now; the post itself is what the test watches."""
    tokens = form_tokens(client, token_from)
    return lambda: client.post(path, data={**tokens, **data})


FLOWS = {
    "agreement PDF download": lambda c, a: lambda: c["partner"].get(f"/agreements/{a}/document.pdf"),
    "organisation edit": lambda c, a: _post(
        c["manager"], f"/organisations/{c['org'].id}/edit",
        {"name": c["org"].name, "sector": c["org"].sector, "kind": c["org"].kind, "main_contact_name": "Sam Okafor",
         "version": str(c["org"].version)}, "/organisations/new"),
    "agreement created": lambda c, a: _post(
        c["manager"], "/agreements/new", {"title": "Another agreement", "kind": "two_way"}, "/agreements/new"),
    "agreement submitted for approval": lambda c, a: _post(
        c["manager"], f"/agreements/{a}/submit", {"version": str(c["version"])}, f"/agreements/{a}"),
    "sign-in": lambda c, a: _post(
        c["anonymous"], "/sign-in", {"email": "partner@example.org", "password": PASSWORD}, "/sign-in"),
}  # fmt: skip


@pytest.mark.parametrize("flow", FLOWS)
def test_the_audit_chain_head_is_the_last_lock_a_request_takes(app: Flask, cast: Cast, as_user: Any, flow: str) -> None:
    """After the head is locked a transaction writes only its audit events (and the head), then
    commits; on PostgreSQL the rows those events refer to were share-locked before the head."""
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    clients = {"partner": as_user(cast.partner), "manager": as_user(cast.manager), "anonymous": app.test_client(),
               "org": cast.own_org, "version": agreement.lock_version}  # fmt: skip
    request = FLOWS[flow](clients, agreement.reference)
    with _statements(app) as statements:
        response = request()
    assert response.status_code == (200 if flow == "agreement PDF download" else 302)
    heads = [n for n, statement in enumerate(statements) if "FROM audit_chain_head" in statement]
    assert heads, "no audit event was recorded"
    head = heads[0]
    end = statements.index("COMMIT", head)
    after = statements[head + 1 : end]
    assert after and all(s.startswith(("INSERT INTO audit_event ", "UPDATE audit_chain_head ")) for s in after), after
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert statements[head].endswith("FOR UPDATE")
        begun = max((n for n in range(head) if statements[n] == "COMMIT"), default=-1)
        shared = [s for s in statements[begun + 1 : head] if s.endswith("FOR KEY SHARE")]
        assert any("FROM user_account" in s for s in shared), statements[begun + 1 : head]
        # the partner's organisation: the manager has none
        assert any("FROM organisation" in s for s in shared) == (flow in ("agreement PDF download", "sign-in"))
