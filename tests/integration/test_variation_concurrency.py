"""Proposed variations and signatures when two people act at once, on PostgreSQL, with the
interleaving held deterministically: the first transaction stops before its commit, the test waits
until the second is blocked on its row lock (pg_stat_activity), then lets the first commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from factories import Cast, make_agreement, make_organisation, make_user
from flask import Flask
from sqlalchemy import func, select, text

from registry.extensions import db
from registry.models import Agreement, Role, SignedDocument, User
from registry.services import agreements, signing, users
from registry.services.errors import AgreementNotEditable


def _postgres_only(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: nothing interleaves")


def _blocked(app: Flask) -> int:
    with app.app_context(), db.engine.connect() as watcher:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        return int(watcher.execute(text(query)).scalar_one())


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def _interleave(app: Flask, first: Callable[[], Any], second: Callable[[], Any]) -> list[BaseException]:
    """Run ``first`` up to its commit, start ``second``, wait until it is blocked, then let the first commit."""
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with app.app_context():
                first()
                holding.set()
                assert release.wait(30)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
            holding.set()

    def two() -> None:
        try:
            with app.app_context():
                second()
                db.session.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    threads[0].start()
    assert holding.wait(30) and not errors
    threads[1].start()
    _until(lambda: _blocked(app) > 0 or not threads[1].is_alive(), "the second never ran")
    assert threads[1].is_alive(), "the second did not wait for the first's lock"
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_changes_at_once_to_an_agreement_in_force_open_one_variation(app: Flask, cast: Cast) -> None:
    _postgres_only(app)
    active = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active")
    read_at = active.lock_version

    def change(who: int, frequency: str) -> Callable[[], Any]:
        def run() -> None:
            agreement = db.session.get(Agreement, active.id)
            actor = db.session.get(User, who)
            agreements.update_section(actor, agreement, "flow", {"frequency": frequency}, read_version=read_at)

        return run

    errors = _interleave(app, change(cast.manager.id, "weekly"), change(cast.admin.id, "daily"))
    assert len(errors) == 1 and isinstance(errors[0], AgreementNotEditable), errors
    assert "Version 2 is already proposed as a variation" in errors[0].message
    with app.app_context():
        proposed = db.session.scalars(select(Agreement).where(Agreement.variation_of_id == active.id)).all()
        assert [(v.frequency, v.version_number) for v in proposed] == [("weekly", 2)]
        assert db.session.get(Agreement, active.id).status == "active"


def test_the_last_two_signatures_at_once_seal_the_document_once(app: Flask, cast: Cast) -> None:
    _postgres_only(app)
    trust = make_organisation(app, name="Concurrent Trust", sector="third", kind="charity")
    agreement = make_agreement(app, cast.manager, [cast.own_org, trust], status="awaiting_signatures")
    signers = []
    for organisation in (cast.own_org, trust):
        signer = make_user(app, Role.PARTNER, organisation)
        with app.app_context():
            users.set_signatory(None, db.session.get(User, signer.id), True)
            db.session.commit()
        signers.append(signer.id)

    def sign(who: int) -> Callable[[], Any]:
        def run() -> None:
            live = db.session.get(Agreement, agreement.id)
            fingerprint = signing.current_version(live).document_sha256
            signing.sign(db.session.get(User, who), live, job_title="Director", fingerprint=fingerprint)

        return run

    assert _interleave(app, sign(signers[0]), sign(signers[1])) == []
    with app.app_context():
        live = db.session.get(Agreement, agreement.id)
        sealed = db.session.scalar(select(func.count()).select_from(SignedDocument))
        assert (live.status, sealed, len(signing.signatures(live))) == ("active", 1, 2)
