"""The issue's listed server errors, each as a case of its own with an otherwise valid request.

The walk (test_hostile_walk.py) sends every hostile value to every key every route reads, but
with every key hostile at once a form stops at its first bad field. Here each listed value goes
into one field of a form that is otherwise valid, so it reaches as deep as it can: the answer is
the form again with a GOV.UK message by the field (or the list as if the parameter were absent),
the database is unchanged, and the same form without the hostile value saves (so the value was
the only thing refused). Every case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from factories import (
    PASSWORD,
    Cast,
    add_agreements_to_cast,
    add_partnership_to_cast,
    error_summary,
    make_cast,
    make_organisation,
    page_text,
)
from flask import Flask
from hostile_values import TWENTY_DIGITS, WHITESPACE, fingerprint
from sqlalchemy import select
from werkzeug.test import TestResponse

from registry.extensions import db
from registry.models import Agreement, Community

STALE = "Someone else changed this record while you were editing it"


@pytest.fixture
def open_app(app_factory: Callable[..., Flask]) -> Flask:
    """CSRF off, as in the walk: each case is one request, not a page then a post."""
    return app_factory(WTF_CSRF_ENABLED=False)


@pytest.fixture
def full_cast(open_app: Flask) -> Cast:
    cast = make_cast(open_app)
    add_partnership_to_cast(open_app, cast)
    add_agreements_to_cast(open_app, cast)
    return cast


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def lock(app: Flask, url: str) -> str:
    with app.app_context():
        reference = url.rsplit("/", 1)[-1]
        return str(db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference)))


def refused(app: Flask, client: Any, path: str, data: dict[str, Any], *messages: str) -> TestResponse:
    """Post; the form comes back with each message in its error summary and nothing changed."""
    before = fingerprint(app)
    response = client.post(path, data=with_token(data))
    assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
    summary = error_summary(response)
    for message in messages:
        assert any(message in shown for shown in summary), (path, message, summary)
    assert fingerprint(app) == before, f"{path}: a refused form changed the database"
    return response


def with_token(data: dict[str, Any]) -> dict[str, Any]:
    """A new one-time submission token (create forms need one; other forms ignore it)."""
    return {"submission_token": secrets.token_urlsafe(24), **data}


def saved(client: Any, path: str, data: dict[str, Any]) -> None:
    response = client.post(path, data=with_token(data))
    assert response.status_code == 302, (path, error_summary(response) or response.status_code)


# --- a date part with 20 digits in any date field ------------------------------------------------


@dataclass
class DateForm:
    path: Callable[[Cast], str]
    data: Callable[[Flask, Cast], dict[str, Any]]  # valid
    dates: tuple[str, ...]  # its date fields
    versioned: bool = False


LAST_YEAR = date.today() - timedelta(days=365)
DATE_FORMS = {
    "progress": DateForm(
        lambda c: c.objective_url + "/progress",
        lambda a, c: {"recorded_on": parts(LAST_YEAR), "value": "150", "narrative": "Went well"},
        ("recorded_on",),
    ),
    "review": DateForm(
        lambda c: c.agreement_url + "/reviews/new",
        lambda a, c: {"reviewed_on": parts(date.today() - timedelta(days=1)), "outcome": "continue"},
        ("reviewed_on",),
    ),
    "member joining": DateForm(
        lambda c: f"/partnerships/{c.partnership.id}/members/new",
        lambda a, c: {"organisation_id": c.other_org.id, "role": "member", "joined_on": parts(LAST_YEAR)},
        ("joined_on",),
    ),
    "member leaving": DateForm(
        lambda c: f"/partnerships/{c.partnership.id}/members/{c.membership.id}/end",
        lambda a, c: {"left_on": parts(date.today() - timedelta(days=1))},
        ("left_on",),
    ),
    "dissolve": DateForm(
        lambda c: f"/organisations/{c.dissolving.id}/dissolve",
        lambda a, c: {"dissolved_on": parts(LAST_YEAR)},
        ("dissolved_on",),
    ),
    "agreement dates": DateForm(
        lambda c: c.draft_url + "/edit/dates",
        lambda a, c: {
            "effective_from": parts(date(2026, 4, 1)),
            "end_date": parts(date(2029, 3, 31)),
            "review_interval_months": "12",
            "next_review_date": parts(date(2027, 4, 1)),
            "version": lock(a, c.draft_url),
        },
        ("effective_from", "end_date", "next_review_date"),
    ),
    "agreement DPIA": DateForm(
        lambda c: c.draft_url + "/edit/governance",
        lambda a, c: {"dpia_date": parts(LAST_YEAR), "version": lock(a, c.draft_url)},
        ("dpia_date",),
    ),
    "partnership": DateForm(
        lambda c: "/partnerships/new",
        lambda a, c: {
            "name": "Dated partnership",
            "purpose": "Work together",
            "lead_organisation_id": c.own_org.id,
            "status": "active",
            "start_date": parts(date(2025, 4, 1)),
            "end_date": parts(date(2028, 3, 31)),
        },
        ("start_date", "end_date"),
    ),
    "objective": DateForm(
        lambda c: f"/partnerships/{c.partnership.id}/objectives/new",
        lambda a, c: {
            "title": "Dated objective",
            "priority": "high",
            "owner_organisation_id": c.own_org.id,
            "communities": [c.community_id],
            "indicator": "People online",
            "unit": "people",
            "baseline": "100",
            "baseline_date": parts(date(2025, 4, 1)),
            "target": "300",
            "target_date": parts(date(2027, 3, 31)),
        },
        ("baseline_date", "target_date"),
    ),
}


def test_a_date_part_with_20_digits_is_not_a_real_date(open_app: Flask, full_cast: Cast) -> None:
    full_cast.dissolving = make_organisation(open_app, name="Dissolving Council")  # type: ignore[attr-defined]
    with open_app.app_context():
        full_cast.community_id = db.session.scalars(select(Community.id).limit(1)).one()  # type: ignore[attr-defined]
    manager = open_app.test_client(user=full_cast.manager)
    for form in DATE_FORMS.values():
        path = form.path(full_cast)
        for field in form.dates:
            for hostile in (["1", "1", TWENTY_DIGITS], [TWENTY_DIGITS, "1", "2026"], ["1", TWENTY_DIGITS, "2026"]):
                data = {**form.data(open_app, full_cast), field: hostile}
                refused(open_app, manager, path, data, "must be a real date")
        saved(manager, path, form.data(open_app, full_cast))  # the same form without it saves

    ig = open_app.test_client(user=full_cast.ig)
    for box in ("day", "month", "year"):
        query = {"from-day": "1", "from-month": "1", "from-year": "2026", f"from-{box}": TWENTY_DIGITS}
        response = ig.get("/audit/", query_string=query)
        assert response.status_code == 200
        assert "Date from must be a real date" in error_summary(response)


# --- names of only whitespace -----------------------------------------------------------------------


@pytest.mark.parametrize("blank", WHITESPACE.values(), ids=WHITESPACE.keys())
def test_a_name_of_only_whitespace_is_no_name(open_app: Flask, full_cast: Cast, blank: str) -> None:
    manager = open_app.test_client(user=full_cast.manager)
    draft = full_cast.draft_url  # type: ignore[attr-defined]
    forms: dict[str, tuple[str, Callable[[], dict[str, Any]], str]] = {
        "organisation": ("/organisations/new", lambda: {"sector": "third", "kind": "charity"}, "name"),
        "partnership": (
            "/partnerships/new",
            lambda: {"purpose": "Work together", "lead_organisation_id": full_cast.own_org.id, "status": "active"},
            "name",
        ),
        "data item": (draft + "/items/new", lambda: {"category": "personal", "version": lock(open_app, draft)}, "name"),
        "subject group": (draft + "/subjects/new", lambda: {"version": lock(open_app, draft)}, "name"),
        "new agreement": ("/agreements/new", lambda: {"kind": "two_way"}, "title"),
        "agreement title": (
            draft + "/edit/purpose",
            lambda: {"kind": "two_way", "version": lock(open_app, draft)},
            "title",
        ),
    }
    messages = {
        "organisation": "Enter the organisation’s name",
        "partnership": "Enter the partnership’s name",
        "data item": "Enter the name of the data item",
        "subject group": "Enter the group of people the data is about",
        "new agreement": "Enter a title for the agreement",
        "agreement title": "Enter a title for the agreement",
    }
    for name, (path, data, field) in forms.items():
        refused(open_app, manager, path, {**data(), field: blank}, messages[name])
        refused(open_app, manager, path, {**data(), field: f"{blank}\u200b{blank}"}, messages[name])
        saved(manager, path, {**data(), field: f"{blank}A {name} of our own{blank}"})


# --- control characters in text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"], ids=["NUL", "bell", "escape", "DEL", "NEL"]
)
def test_a_control_character_in_text_is_refused_by_its_field(open_app: Flask, full_cast: Cast, control: str) -> None:
    manager = open_app.test_client(user=full_cast.manager)
    draft = full_cast.draft_url  # type: ignore[attr-defined]
    typed = f"Before{control}after"
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/organisations/new", {"name": typed, "sector": "third", "kind": "charity"}, "Name"),
        (
            "/organisations/new",
            {"name": "Addressed", "sector": "third", "kind": "charity", "address": typed},
            "Address",
        ),
        ("/agreements/new", {"title": typed, "kind": "two_way"}, "Title"),
        ("/agreements/new", {"title": "Purposeful", "kind": "two_way", "purpose": typed}, "Purpose"),
        (
            draft + "/items/new",
            {"name": "Item", "description": typed, "category": "personal", "version": lock(open_app, draft)},
            "Description",
        ),
    ]
    for path, data, label in cases:
        page = refused(open_app, manager, path, data, f"{label} must not include control characters").text
        assert "Beforeafter" in page, "the text is shown again without the control character"
        assert control not in page

    anonymous = open_app.test_client()
    email = {"email": f"manager{control}@example.org", "password": PASSWORD}
    refused(open_app, anonymous, "/sign-in", email, "Email address must not include control characters")

    # a filter or search is not stored: the control character is dropped and the list shown
    ig = open_app.test_client(user=full_cast.ig)
    for page in ("/organisations/?q={t}", "/partnerships/?q={t}", "/agreements/?q={t}", "/search?q={t}",
                 "/verify?code={t}", "/reviews/?window={t}"):  # fmt: skip
        assert ig.get(page.format(t=quote(typed))).status_code == 200, page
    response = ig.get("/audit/", query_string={"actor": typed, "entity_id": typed})
    assert response.status_code == 200
    message = "Email address of the person who acted must not include control characters"
    assert any(message in shown for shown in error_summary(response)), error_summary(response)


# --- a version field that is not a number --------------------------------------------------------------


def test_a_version_that_is_not_a_number_is_a_stale_edit(open_app: Flask, full_cast: Cast) -> None:
    manager = open_app.test_client(user=full_cast.manager)
    with open_app.app_context():
        community_id = db.session.scalars(select(Community.id).limit(1)).one()
    objective = full_cast.objective_url  # type: ignore[attr-defined]
    forms: dict[str, tuple[str, dict[str, Any]]] = {
        "organisation": (
            f"/organisations/{full_cast.own_org.id}/edit",
            {"name": "Own Housing Association", "sector": "third", "kind": "housing_association"},
        ),
        "partnership": (
            f"/partnerships/{full_cast.partnership.id}/edit",  # type: ignore[attr-defined]
            {
                "name": "Renamed partnership",
                "purpose": "Work together",
                "lead_organisation_id": full_cast.own_org.id,
                "status": "active",
            },
        ),
        "objective": (
            objective + "/edit",
            {
                "title": "Renamed objective",
                "priority": "high",
                "owner_organisation_id": full_cast.own_org.id,
                "communities": [community_id],
                "indicator": "People online",
                "unit": "people",
                "baseline": "100",
                "baseline_date": parts(date(2025, 4, 1)),
                "target": "300",
                "target_date": parts(date(2027, 3, 31)),
            },
        ),
        "agreement section": (full_cast.draft_url + "/edit/data", {"approximate_volume": "2,000 a month"}),  # type: ignore[attr-defined]
    }
    for name, (path, data) in forms.items():
        for version in ("1x", "²", "١", "9" * 20, "-1", "", "0"):
            response = manager.post(path, data={**data, "version": version})
            assert response.status_code == 200, (name, version, response.status_code)
            assert STALE in page_text(response), (name, version, error_summary(response))
        page = manager.get(path)
        current = page.text.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
        saved(manager, path, {**data, "version": current})
