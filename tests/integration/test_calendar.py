"""Private calendar feeds: the address shown once, a new one revoking the old, and exactly the
review dates the user can see, as iCalendar that parses."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from factories import Cast, audit_events, deactivate_user, make_agreement, make_organisation, page_text, submit
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import AuditEvent, CalendarFeed, User

PAGE = "/account/calendar"
FEED_URL = re.compile(r'id="feed-url"[^>]*value="([^"]+)"')


def new_feed(client: FlaskClient) -> str:
    """Create (or replace) the signed-in user's feed; the address the page shows, once."""
    response = submit(client, PAGE + "/new", token_from=PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    page = client.get(PAGE)
    match = FEED_URL.search(page.text)
    assert match, "the new address is on the page after creating it"
    assert "Copy it now: for your security it will not be shown again." in page_text(page)
    return html.unescape(match.group(1))


def path_of(url: str) -> str:
    assert url.startswith("http://registry.test/calendar/") and url.endswith(".ics"), url
    return url.removeprefix("http://registry.test")


def events(client: FlaskClient, url: str) -> dict[str, dict]:
    response = client.get(path_of(url))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    calendar = Calendar.from_ical(response.data)
    found = {}
    for event in calendar.walk("VEVENT"):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and end == start + timedelta(days=1), "an all-day event"
        found[str(event["summary"])] = {"day": start, "url": str(event["url"]), "uid": str(event["uid"])}
    return found


def test_the_feed_holds_exactly_the_review_dates_the_user_can_see(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = today_in_london()
    third = make_organisation(app, name="Feed Third Party", sector="third", kind="charity")
    ours = make_agreement(app, cast.manager, [cast.own_org, third], status="active", title="Ours, active",
                          next_review_date=today + timedelta(days=40))  # fmt: skip
    signing = make_agreement(app, cast.manager, [cast.own_org, third], status="awaiting_signatures",
                             title="Ours, awaiting signatures",
                             next_review_date=today + timedelta(days=200))  # fmt: skip
    theirs = make_agreement(app, cast.manager, [cast.other_org, third], status="approved", title="Theirs, approved",
                            next_review_date=today - timedelta(days=3))  # fmt: skip
    make_agreement(app, cast.manager, [cast.own_org, third], title="Ours, draft",
                   next_review_date=today + timedelta(days=10))  # fmt: skip

    partner_client = as_user(cast.partner)
    partner = events(app.test_client(), new_feed(partner_client))
    assert "There are 2 review dates in your feed now." in page_text(partner_client.get(PAGE))
    assert partner == {
        f"Review due: {ours.reference} Ours, active": {
            "day": ours.next_review_date,
            "url": f"http://registry.test/agreements/{ours.reference}",
            "uid": f"review-{ours.id}-{ours.next_review_date.isoformat()}@registry.test",
        },
        f"Review due: {signing.reference} Ours, awaiting signatures": {
            "day": signing.next_review_date,
            "url": f"http://registry.test/agreements/{signing.reference}",
            "uid": f"review-{signing.id}-{signing.next_review_date.isoformat()}@registry.test",
        },
    }, "a partner sees only their organisation's live agreements"
    ig_url = new_feed(as_user(cast.ig))
    ig = events(app.test_client(), ig_url)
    assert sorted(ig) == sorted(f"Review due: {a.reference} {a.title}" for a in (ours, signing, theirs))
    assert events(app.test_client(), ig_url) == ig, "the same UIDs on every fetch"


def test_the_address_is_shown_once_and_a_new_one_revokes_the_old(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    assert "You do not have a calendar feed." in page_text(client.get(PAGE))
    first = new_feed(client)
    again = client.get(PAGE)
    assert first not in again.text and FEED_URL.search(again.text) is None, "shown only once"
    assert "You have a calendar feed, made on" in page_text(again)
    anonymous = app.test_client()
    assert anonymous.get(path_of(first)).status_code == 200, "no sign-in: the token is the credential"

    second = new_feed(client)
    assert second != first
    assert anonymous.get(path_of(first)).status_code == 404, "a new address revokes the old"
    assert anonymous.get(path_of(second)).status_code == 200
    actions = [e.action for e in audit_events(app) if e.action.startswith("calendar_feed.")]
    assert actions == ["calendar_feed.created", "calendar_feed.replaced"]


def test_a_revoked_unknown_or_deactivated_users_token_answers_404(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    anonymous = app.test_client()
    client = as_user(cast.manager)
    url = new_feed(client)
    response = submit(client, PAGE + "/revoke", token_from=PAGE, follow_redirects=True)
    assert "Your calendar feed has been stopped." in page_text(response)
    assert "You do not have a calendar feed." in page_text(response)
    assert anonymous.get(path_of(url)).status_code == 404
    assert anonymous.get("/calendar/not-a-real-token.ics").status_code == 404
    assert anonymous.get("/calendar/" + "x" * 300 + ".ics").status_code == 404

    partner_url = new_feed(as_user(cast.partner))
    assert anonymous.get(path_of(partner_url)).status_code == 200
    deactivate_user(app, cast.partner, by=cast.admin)
    assert anonymous.get(path_of(partner_url)).status_code == 404, "a deactivated user's feed stops"
    assert [e.action for e in audit_events(app, "calendar_feed.revoked")] == ["calendar_feed.revoked"]


def test_only_a_hash_of_the_token_is_stored(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    url = new_feed(as_user(cast.ig))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    with app.app_context():
        [feed] = db.session.scalars(select(CalendarFeed))
        assert feed.token_hash != token and token not in feed.token_hash
        assert feed.user_id == cast.ig.id
        for event in db.session.scalars(select(AuditEvent)):
            assert token not in str(event.changes)
        assert db.session.get(User, cast.ig.id) is not None
