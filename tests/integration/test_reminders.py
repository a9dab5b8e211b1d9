"""``flask registry send-reminders``: the right email to the right people at each boundary, once.

Mail goes over real SMTP to an aiosmtpd server on loopback. Boundaries are checked by running
the service "as of" a given date; the command itself runs on today's date in Europe/London.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from factories import Cast, audit_events, deactivate_user, make_agreement, make_user
from flask import Flask
from smtp_inbox import SmtpServer, smtp_server
from sqlalchemy import select

from registry import mail
from registry.dates import today_in_london, utcnow
from registry.extensions import db
from registry.models import Agreement, ReviewReminder, Role, User
from registry.services import reminders, reviews

REVIEW = today_in_london() + timedelta(days=120)  # runs below are "as of" dates around it


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def app(app_factory: Callable[..., Flask], smtp: SmtpServer) -> Flask:
    return app_factory(SMTP_HOST=smtp.host, SMTP_PORT=smtp.port, SMTP_STARTTLS=False)


def due_on(app: Flask, cast: Cast, review_date: date = REVIEW, *, owner: User | None = None, **fields: Any) -> Any:
    """A live agreement (active unless ``status`` says otherwise) between the cast's two organisations."""
    fields.setdefault("status", "active")
    return make_agreement(app, owner or cast.manager, [cast.own_org, cast.other_org], next_review_date=review_date,
                          **fields)  # fmt: skip


def run(app: Flask, today: date) -> reminders.Summary:
    with app.app_context(), mail.mailer_for(app.config) as mailer:
        return reminders.send_due(mailer, today=today)


def rows(app: Flask) -> list[ReviewReminder]:
    with app.app_context():
        found = list(db.session.scalars(select(ReviewReminder).order_by(ReviewReminder.id)))
        db.session.expunge_all()
        return found


def test_reminders_go_to_the_owner_and_active_ig_officers_at_each_boundary(
    app: Flask, cast: Cast, smtp: SmtpServer
) -> None:
    second_ig = make_user(app, Role.IG_OFFICER, email="second.ig@example.org")
    gone = make_user(app, Role.IG_OFFICER, email="gone.ig@example.org")
    deactivate_user(app, gone, by=cast.admin)
    agreement = due_on(app, cast)
    expected = {
        -91: None, -90: "Review due in 90 days", -89: None, -31: None, -30: "Review due in 30 days", -1: None,
        0: "Review due today", 6: None, 7: "Review overdue by 1 week", 13: None, 14: "Review overdue by 2 weeks",
        21: "Review overdue by 3 weeks",
    }  # fmt: skip
    for offset, subject in expected.items():
        smtp.inbox.clear()
        summary = run(app, REVIEW + timedelta(days=offset))
        if subject is None:
            assert smtp.inbox.messages == [], f"nothing is due {offset} days from the review date"
            continue
        [received] = smtp.inbox.messages
        assert received.subject == f"{subject}: {agreement.reference} {agreement.title}"
        assert sorted(received.recipients) == sorted([cast.manager.email, cast.ig.email, second_ig.email])
        assert summary.sent == 1
    assert [row.threshold for row in rows(app)] == ["90", "30", "due", "overdue-1", "overdue-2", "overdue-3"]
    events = audit_events(app, "agreement.review_reminder_sent")
    assert [e.changes["reminder"]["after"] for e in events] == [row.threshold for row in rows(app)]
    assert {e.entity_id for e in events} == {agreement.reference}


def test_a_run_that_missed_a_boundary_sends_only_the_latest_reminder(app: Flask, cast: Cast, smtp: SmtpServer) -> None:
    due_on(app, cast)
    run(app, REVIEW + timedelta(days=16))  # cron was down for the 90 and 30-day reminders and the day itself
    assert [r.subject.split(":")[0] for r in smtp.inbox.messages] == ["Review overdue by 2 weeks"]
    assert "It is now 16 days overdue." in smtp.inbox.messages[0].body


def test_the_message_is_plain_english_with_a_link_to_the_agreement(app: Flask, cast: Cast, smtp: SmtpServer) -> None:
    agreement = due_on(app, cast, title="Tenancy support referrals")
    run(app, REVIEW - timedelta(days=30))
    [received] = smtp.inbox.messages
    assert received.message["From"] == app.config["MAIL_FROM"]
    assert received.message["Auto-Submitted"] == "auto-generated", "out-of-office replies are not sent back"
    assert received.message.get_content_type() == "text/plain"
    body = received.body
    assert "Hello," in body
    when = f"{REVIEW.day} {REVIEW:%B %Y}"  # the GOV.UK way: 1 April 2027
    assert f"The data-sharing agreement ‘Tenancy support referrals’ ({agreement.reference}) is due for review " \
           f"on {when}, in 30 days." in body  # fmt: skip
    assert f"http://registry.test/agreements/{agreement.reference}" in body
    assert "You will be reminded again on the day" in body
    assert "information governance officer" in body


def test_only_live_agreements_are_reminded_and_a_missing_owner_leaves_the_ig_officers(
    app: Flask, cast: Cast, smtp: SmtpServer
) -> None:
    due_on(app, cast, status="draft")
    owner = make_user(app, Role.MANAGER, email="leaver@example.org")
    live = due_on(app, cast, owner=owner, status="awaiting_signatures")
    deactivate_user(app, owner, by=cast.admin)
    summary = run(app, REVIEW)
    [received] = smtp.inbox.messages
    assert live.reference in received.subject
    assert received.recipients == [cast.ig.email]
    assert summary.considered == 1


def test_a_new_review_date_starts_the_reminders_afresh(app: Flask, cast: Cast, smtp: SmtpServer) -> None:
    agreement = due_on(app, cast, today_in_london() + timedelta(days=10))
    run(app, today_in_london())
    with app.app_context():
        live = db.session.get(Agreement, agreement.id)
        reviews.record(db.session.merge(cast.ig), live, reviewed_on=today_in_london(), outcome="continue", notes="")
        db.session.commit()
        next_date = live.next_review_date
    smtp.inbox.clear()
    run(app, next_date - timedelta(days=90))
    [received] = smtp.inbox.messages
    assert received.subject.startswith("Review due in 90 days")
    assert [(r.threshold, r.next_review_date) for r in rows(app)][-1] == ("90", next_date)


def test_the_command_shows_progress_and_a_summary_and_never_sends_twice(
    app: Flask, cast: Cast, smtp: SmtpServer
) -> None:
    agreement = due_on(app, cast, today_in_london() + timedelta(days=30))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["registry", "send-reminders"])
    assert first.exit_code == 0, first.output
    assert f"{agreement.reference} (review due" in first.output
    assert "30-day reminder sent to 2 people" in first.output
    assert "1 agreement due within 90 days or overdue, 1 reminder sent, 0 already sent before." in first.output
    second = runner.invoke(args=["registry", "send-reminders"])
    assert second.exit_code == 0, second.output
    assert "0 reminders sent, 1 already sent before." in second.output
    assert len(smtp.inbox.messages) == 1


@pytest.mark.parametrize("runs", [2, 3])
def test_runs_at_the_same_moment_send_each_reminder_once(app: Flask, cast: Cast, smtp: SmtpServer, runs: int) -> None:
    made = [due_on(app, cast, REVIEW + timedelta(days=n)) for n in range(6)]
    start = threading.Barrier(runs)
    summaries: list[reminders.Summary] = []
    errors: list[BaseException] = []

    def server() -> None:
        try:
            start.wait(timeout=10)
            summaries.append(run(app, REVIEW))
        except BaseException as error:  # noqa: BLE001  reported below
            errors.append(error)

    threads = [threading.Thread(target=server) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(r.subject for r in smtp.inbox.messages) == sorted({r.subject for r in smtp.inbox.messages}), (
        "a reminder was sent twice"
    )
    assert len(smtp.inbox.messages) == len(made)
    assert sum(s.sent for s in summaries) == len(made)
    assert all(row.status == "sent" for row in rows(app))
    assert len(audit_events(app, "agreement.review_reminder_sent")) == len(made)


def test_a_refused_message_is_released_and_sent_by_the_next_run(app: Flask, cast: Cast, smtp: SmtpServer) -> None:
    due_on(app, cast)
    smtp.inbox.mode = "refuse"
    summary = run(app, REVIEW)
    assert len(summary.not_sent) == 1 and "refused" in summary.not_sent[0]
    assert rows(app) == [], "the claim is released: the server certainly did not take the message"
    smtp.inbox.mode = "accept"
    assert run(app, REVIEW).sent == 1
    assert len(smtp.inbox.messages) == 1


def test_a_connection_lost_while_sending_is_never_sent_again_but_reported(
    app: Flask, cast: Cast, smtp: SmtpServer
) -> None:
    agreement = due_on(app, cast, today_in_london())
    smtp.inbox.mode = "drop"  # the server takes the message, then hangs up before saying so
    first = app.test_cli_runner().invoke(args=["registry", "send-reminders"])
    assert first.exit_code == 1
    assert "due-today reminder MAY NOT have been sent" in first.output
    [row] = rows(app)
    assert row.status == "unconfirmed"
    smtp.inbox.mode = "accept"
    second = app.test_cli_runner().invoke(args=["registry", "send-reminders"])
    assert second.exit_code == 0, second.output
    assert "1 reminder may not have been sent: check the mail server's log." in second.output
    assert f"{agreement.reference} due-today reminder" in second.output
    assert len(smtp.inbox.messages) == 1, "delivered once; never again"
    assert len(audit_events(app, "agreement.review_reminder_unconfirmed")) == 1


def test_a_claim_left_by_a_run_that_stopped_is_not_sent_again(app: Flask, cast: Cast, smtp: SmtpServer) -> None:
    agreement = due_on(app, cast)
    with app.app_context():  # a run claimed the reminder an hour ago, then stopped before confirming
        db.session.add(ReviewReminder(agreement_id=agreement.id, next_review_date=REVIEW, threshold="due",
                                      recipients=cast.ig.email, claimed_at=utcnow() - timedelta(hours=1)))  # fmt: skip
        db.session.commit()
        assert [u.reference for u in reminders.unconfirmed()] == [agreement.reference]
    summary = run(app, REVIEW)
    assert (summary.sent, summary.already) == (0, 1)
    assert smtp.inbox.messages == []


def test_an_unreachable_mail_server_stops_the_run_and_releases_the_claim(
    app_factory: Callable[..., Flask], cast: Cast
) -> None:
    with smtp_server() as gone:
        port = gone.port  # a port that nothing listens on once the server has stopped
    down = app_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    for n in range(2):
        due_on(down, cast, today_in_london() + timedelta(days=n))
    result = down.test_cli_runner().invoke(args=["registry", "send-reminders"])
    assert result.exit_code == 1
    assert "Stopped early: Could not use the mail server" in result.output
    assert "NOT sent" in result.output
    assert rows(down) == [], "nothing was sent, so nothing is held back from the next run"
