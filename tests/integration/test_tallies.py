"""The dashboard's maintained counts stay equal to a recount from the records, whatever changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from factories import Cast, make_organisation, update_organisation
from factories_agreements import make_agreement
from flask import Flask
from sqlalchemy import select, text

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, AgreementReviewTally, Party
from registry.services import agreement_parts, lifecycle, reviews, tallies


def _before_and_after_rebuild(app: Flask, read: Callable[[], dict[Any, Any]]) -> tuple[dict, dict]:
    """What ``read`` finds in the maintained rows, and the same after a recount from the records."""
    with app.app_context():
        maintained = read()
        tallies.rebuild()
        recounted = read()
        db.session.rollback()  # leave the maintained rows as they were
    return maintained, recounted


def maintained_and_recounted(app: Flask) -> tuple[dict, dict]:
    dimensions = ("status", "kind", "sector", "gaps")
    return _before_and_after_rebuild(app, lambda: {d: tallies.counts(d) for d in dimensions})


def test_counts_follow_every_kind_of_change(app: Flask, cast: Cast) -> None:
    college = make_organisation(app, name="Tally College", kind="college", sector="public")
    ready = make_agreement(app, cast.manager, [cast.own_org, college], status="approved")
    draft = make_agreement(app, cast.manager, [cast.own_org], ready=False, kind="one_way")
    make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active")
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["status"]["approved"] == 1 and maintained["status"]["draft"] == 1
    assert maintained["gaps"]["draft"] == 1  # the unready draft, counted by its stored readiness
    assert maintained["sector"]["public"] == 2 and maintained["sector"]["third"] == 3

    with app.app_context():  # parts added and removed, a status change, a material change
        actor = db.session.merge(cast.manager)
        agreement = db.session.get(Agreement, draft.id)
        agreement_parts.add_party(actor, agreement, {"organisation_id": college.id, "role": "recipient"},
                                  read_version=agreement.lock_version)  # fmt: skip
        db.session.commit()
        party = db.session.scalar(select(Party).where(Party.agreement_id == draft.id,
                                                      Party.organisation_id == cast.own_org.id))  # fmt: skip
        agreement_parts.remove_party(actor, agreement, party, read_version=agreement.lock_version)
        db.session.commit()
        approved = db.session.get(Agreement, ready.id)
        lifecycle.request_signatures(actor, approved, read_version=approved.lock_version)
        db.session.commit()
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["status"]["approved"] == 0 and maintained["status"]["awaiting_signatures"] == 1

    update_organisation(app, college, sector="private")  # recounts every sector
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["sector"]["private"] == 2 and maintained["sector"]["public"] == 1


def test_a_draft_made_ready_leaves_the_gaps_count(app: Flask, cast: Cast, as_user) -> None:
    make_agreement(app, cast.manager, [cast.own_org], ready=False)
    ready = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    maintained, _ = maintained_and_recounted(app)
    assert maintained["gaps"]["draft"] == 1
    with app.app_context():
        assert db.session.get(Agreement, ready.id).readiness_gaps == 0
    listed = as_user(cast.ig).get("/agreements/?gaps=yes")
    assert "1 agreement matches" in listed.text and ready.reference not in listed.text


def review_tallies(app: Flask) -> tuple[dict, dict]:
    """The maintained review-date counts (dates with none left out), and the same recounted."""

    def read() -> dict:
        rows = db.session.execute(select(AgreementReviewTally.review_date, AgreementReviewTally.number))
        return {day: number for day, number in rows if number}

    return _before_and_after_rebuild(app, read)


def test_review_windows_follow_reviews_terminations_and_new_dates(app: Flask, cast: Cast, as_user) -> None:
    today = today_in_london()
    overdue = make_agreement(
        app, cast.manager, [cast.own_org, cast.other_org], status="active", next_review_date=today - timedelta(3)
    )
    soon = make_agreement(
        app, cast.manager, [cast.own_org, cast.other_org], status="approved", next_review_date=today + timedelta(10)
    )
    make_agreement(
        app, cast.manager, [cast.own_org, cast.other_org], next_review_date=today - timedelta(5)
    )  # a draft: not counted
    maintained, recounted = review_tallies(app)
    assert maintained == recounted == {today - timedelta(3): 1, today + timedelta(10): 1}

    with app.app_context():  # reviewed today (next review a year on), terminated, and a live one made
        actor = db.session.merge(cast.manager)
        reviews.record(actor, db.session.get(Agreement, overdue.id), reviewed_on=today, outcome="continue", notes="")
        lifecycle.terminate(actor, db.session.get(Agreement, soon.id), "Ended", read_version=None)
        db.session.commit()
    make_agreement(
        app, cast.manager, [cast.own_org, cast.other_org], status="active", next_review_date=today + timedelta(40)
    )
    maintained, recounted = review_tallies(app)
    assert maintained == recounted
    assert sum(maintained.values()) == 2 and today + timedelta(40) in maintained

    page = as_user(cast.manager).get("/governance/")  # the dashboard shows the maintained figures
    with app.app_context():
        shown = reviews.counts(db.session.merge(cast.manager), today=today)
    assert shown == {"overdue": 0, "30": 0, "60": 1, "90": 0}
    assert page.status_code == 200


def test_a_multi_agreement_expiry_and_a_termination_on_one_review_date_do_not_deadlock(app: Flask, cast: Cast) -> None:
    """PostgreSQL: every writer takes the status tallies before any review-date row, so a transaction
    changing several agreements and one changing another agreement due the same day queue, not deadlock."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time: there is no lock order to get wrong")
    today = today_in_london()
    parties = [cast.own_org, cast.other_org]
    first, second, same_day = (
        make_agreement(app, cast.manager, parties, status="active", next_review_date=today + timedelta(days))
        for days in (10, 20, 20)
    )
    expire = text("UPDATE agreement SET status = 'expired' WHERE id = :id")
    with app.app_context():
        engine = db.engine
    expiry, termination, watcher = engine.connect(), engine.connect(), engine.connect()
    try:
        pid = termination.execute(text("SELECT pg_backend_pid()")).scalar_one()
        termination.commit()
        expiry.execute(expire, {"id": first.id})  # holds the status tallies and the first date's row
        errors: list[BaseException] = []

        def terminate() -> None:
            try:
                termination.execute(text("UPDATE agreement SET status = 'terminated' WHERE id = :id"),
                                    {"id": same_day.id})  # fmt: skip
                termination.commit()
            except Exception as error:  # noqa: BLE001  (reported below)
                errors.append(error)

        worker = threading.Thread(target=terminate)
        worker.start()
        deadline = time.monotonic() + 30
        while watcher.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                              {"pid": pid}).scalar() != "Lock":  # fmt: skip
            watcher.commit()  # a new snapshot of the server's activity each time
            assert time.monotonic() < deadline, "the termination never waited for the expiry"
            time.sleep(0.01)
        # the termination waits for the status tallies, holding no date row: this takes the second date's row
        expiry.execute(expire, {"id": second.id})
        expiry.commit()
        worker.join(timeout=30)
        assert not worker.is_alive() and errors == []
    finally:
        for connection in (expiry, termination, watcher):
            connection.close()
    maintained, recounted = review_tallies(app)
    assert maintained == recounted == {}
