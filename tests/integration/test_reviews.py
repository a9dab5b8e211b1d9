"""Reviews: which agreements are overdue or due (decided in Europe/London), the dashboard, recording a review."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    field_error,
    make_agreement,
    make_organisation,
    page_text,
    reload,
    submit,
)
from flask import Flask

from registry import dates
from registry.extensions import db
from registry.models import Agreement, Review
from registry.readiness import add_months
from registry.services import lifecycle, reviews

# days from today -> the dashboard window it falls in ("later": none of them)
WINDOW_OF = {-1: "overdue", 0: "30", 1: "30", 30: "30", 31: "60", 60: "60", 61: "90", 90: "90", 91: "later"}


# --- the state of one agreement -------------------------------------------------------------


@pytest.mark.parametrize(("days", "key", "label"), [
    (-30, "overdue", "Overdue by 30 days"), (-1, "overdue", "Overdue by 1 day"), (0, "30", "Due today"),
    (1, "30", "Due in 1 day"), (30, "30", "Due in 30 days"), (31, "60", "Due in 31 days"), (60, "60", "Due in 60 days"),
    (61, "90", "Due in 61 days"), (90, "90", "Due in 90 days"), (91, "later", "Due on 1 April 2027"),
])  # fmt: skip
def test_state_at_the_window_boundaries(days: int, key: str, label: str) -> None:
    today = date(2026, 12, 31)
    for status in reviews.LIVE:
        assert reviews.state(today + timedelta(days=days), status, today) == reviews.ReviewState(key, label)


@pytest.mark.parametrize("status", ["draft", "awaiting_approval", "terminated", "expired"])
def test_no_review_state_unless_approved_awaiting_signatures_or_active(status: str) -> None:
    assert reviews.state(date(2020, 1, 1), status, date(2026, 1, 1)).key == "none"
    assert reviews.state(None, "active", date(2026, 1, 1)).key == "none"


def test_today_is_decided_in_london_not_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # 23:30 UTC on 30 June is 00:30 BST on 1 July
    monkeypatch.setattr(dates, "utcnow", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert dates.today_in_london() == date(2026, 7, 1)
    assert reviews.state(date(2026, 7, 1), "active").label == "Due today"
    assert reviews.state(date(2026, 6, 30), "active").label == "Overdue by 1 day"
    # in winter London is on UTC: 23:30 UTC on 31 December is still 31 December
    monkeypatch.setattr(dates, "utcnow", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert reviews.state(date(2026, 12, 31), "active").label == "Due today"


# --- the dashboard ----------------------------------------------------------------------------


def _dashboard(client, **query: object) -> tuple[dict[str, int], list[str], str]:  # type: ignore[no-untyped-def]
    """The counts table, the references listed below it, and the page text."""
    response = client.get("/reviews/", query_string=query)
    assert response.status_code == 200
    counts_table = re.search(r'<table class="govuk-table" id="review-counts">(.*?)</table>', response.text, re.S)
    assert counts_table is not None
    counts = {}
    for label, number in re.findall(r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(\d+)</td>', counts_table[1], re.S):
        label = page_text_of(label).removesuffix(" (shown below)")
        counts[next(k for k, v in reviews.WINDOWS.items() if v == label)] = int(number)
    due_list = re.search(r'<table class="govuk-table" id="due-list">(.*?)</table>', response.text, re.S)
    listed = re.findall(r">(DSA-\d{4}-\d{4})</a>", due_list[1]) if due_list else []
    return counts, listed, page_text(response)


def page_text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_dashboard_windows_and_counts_at_the_boundaries(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = dates.today_in_london()
    by_days = {
        days: make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active",
                             next_review_date=today + timedelta(days=days), title=f"Review in {days} days")
        for days in WINDOW_OF
    }  # fmt: skip
    client = as_user(cast.ig)
    expected_counts = {key: sum(1 for w in WINDOW_OF.values() if w == key) for key in reviews.WINDOWS}
    assert expected_counts == {"overdue": 1, "30": 3, "60": 2, "90": 2}
    for window in reviews.WINDOWS:
        counts, listed, text = _dashboard(client, window=window)
        assert counts == expected_counts
        expected = [a.reference for days, a in sorted(by_days.items()) if WINDOW_OF[days] == window]
        assert listed == expected, window  # soonest first
    _, _, text = _dashboard(client, window="30")
    assert "Due today" in text
    assert "Due in 30 days" in text
    assert "Overdue" not in text.split("Due within 30 days (shown below)")[1]


def _terminate(app: Flask, agreement: Agreement, actor) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        lifecycle.terminate(
            db.session.merge(actor), db.session.get(Agreement, agreement.id), "Ended", read_version=None
        )
        db.session.commit()


def test_filter_by_organisation_and_only_live_agreements_appear(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    yesterday = dates.today_in_london() - timedelta(days=1)
    third = make_organisation(app, name="Third Party Charity", kind="charity", sector="third")
    ours = [make_agreement(app, cast.manager, [cast.own_org, third], status=status, next_review_date=yesterday)
            for status in ("approved", "awaiting_signatures", "active")]  # fmt: skip
    theirs = make_agreement(app, cast.manager, [cast.other_org, third], status="active", next_review_date=yesterday)
    draft = make_agreement(app, cast.manager, [cast.own_org, third], next_review_date=yesterday)
    submitted = make_agreement(app, cast.manager, [cast.own_org, third], status="awaiting_approval",
                               next_review_date=yesterday)  # fmt: skip
    ended = make_agreement(app, cast.manager, [cast.own_org, third], status="active", next_review_date=yesterday)
    _terminate(app, ended, cast.ig)
    client = as_user(cast.manager)

    counts, listed, _ = _dashboard(client)
    assert counts["overdue"] == 4
    assert sorted(listed) == sorted(a.reference for a in [*ours, theirs])
    for hidden in (draft, submitted, ended):
        assert hidden.reference not in listed

    counts, listed, _ = _dashboard(client, organisation=cast.own_org.id)
    assert counts == {"overdue": 3, "30": 0, "60": 0, "90": 0}
    assert sorted(listed) == sorted(a.reference for a in ours)
    counts, listed, _ = _dashboard(client, organisation=cast.other_org.id, window="overdue")
    assert (counts["overdue"], listed) == (1, [theirs.reference])
    counts, listed, _ = _dashboard(client, organisation=third.id)
    assert counts["overdue"] == 4


# --- recording a review -------------------------------------------------------------------


def _review(client, agreement, day: date, outcome: str, notes: str = ""):  # type: ignore[no-untyped-def]
    url = f"/agreements/{agreement.reference}/reviews/new"
    data = {"reviewed_on": [str(day.day), str(day.month), str(day.year)], "outcome": outcome, "notes": notes}
    return submit(client, url, data)


def test_recording_a_review_sets_the_next_date_an_interval_after_the_review(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = dates.today_in_london()
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active",
                               next_review_date=today - timedelta(days=3))  # fmt: skip
    client = as_user(cast.ig)
    assert "Record a review" in page_text(client.get(f"/agreements/{agreement.reference}"))

    response = _review(client, agreement, today, "continue", "Still needed")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{agreement.reference}")
    stored = reload(app, Agreement, agreement.id)
    assert stored.next_review_date == add_months(today, 12)
    assert stored.status == "active"
    [event] = audit_events(app, "agreement.reviewed")
    assert (event.entity_id, event.actor_id) == (agreement.reference, cast.ig.id)
    assert event.changes == {
        "outcome": {"before": None, "after": "continue"},
        "reviewed_on": {"before": None, "after": today.isoformat()},
        "next_review_date": {"before": (today - timedelta(days=3)).isoformat(),
                             "after": add_months(today, 12).isoformat()},
    }  # fmt: skip
    text = page_text(client.get(f"/agreements/{agreement.reference}"))
    assert f"The review of {agreement.reference} has been recorded" in text
    assert "Continue unchanged" in text
    assert "Still needed" in text
    assert agreement.reference not in _dashboard(client)[1]

    # a late review counts from the day it was held, not from today: 29 February + 12 months
    _review(client, agreement, date(2024, 2, 29), "amend")
    assert reload(app, Agreement, agreement.id).next_review_date == date(2025, 2, 28)
    assert count(app, Review) == 2


def test_a_review_that_decides_to_terminate_terminates_the_agreement(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = dates.today_in_london()
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active",
                               next_review_date=today)  # fmt: skip
    client = as_user(cast.ig)
    assert _review(client, agreement, today, "terminate").status_code == 302
    stored = reload(app, Agreement, agreement.id)
    assert (stored.status, stored.next_review_date) == ("terminated", None)
    assert [e.action for e in audit_events(app)][-2:] == ["agreement.reviewed", "agreement.terminate"]
    assert audit_events(app, "agreement.terminate")[0].changes["reason"]["after"] == (
        f"Review on {today.isoformat()} decided to terminate"
    )
    counts, listed, _ = _dashboard(client, window="30")
    assert (counts["30"], listed) == (0, [])
    text = page_text(client.get(f"/agreements/{agreement.reference}"))
    assert "Terminated" in text
    assert "Record a review" not in text


def test_a_review_date_in_the_future_is_refused(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = dates.today_in_london()
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active",
                               next_review_date=today + timedelta(days=10))  # fmt: skip
    response = _review(as_user(cast.ig), agreement, today + timedelta(days=1), "continue")
    assert response.status_code == 200
    assert field_error(response, "reviewed_on") == "Date of the review must be today or in the past"
    assert reload(app, Agreement, agreement.id).next_review_date == today + timedelta(days=10)
    assert count(app, Review) == 0
    assert audit_events(app, "agreement.reviewed") == []
