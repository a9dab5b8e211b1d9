"""The audit log for IG officers and admins: filters, pages, the CSV export, and refused access."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    error_summary,
    make_agreement,
    make_cast,
    page_text,
    pager_link,
    update_organisation,
)
from flask import Flask, abort

from registry.extensions import db
from registry.models import Organisation, User
from registry.services import audit, organisations

_ROWS = re.compile(r'<tbody class="govuk-table__body">(.*?)</tbody>', re.S)


def rows(response: Any) -> list[str]:
    """The text of each row of the events table ([] when there is none)."""
    match = _ROWS.search(response.text)
    if match is None:
        return []
    return [page_text(SimpleNamespace(text=row)) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)]


def record(app: Flask, action: str, entity_type: str, entity_id: Any, actor: User | None, *,
           at: datetime | None = None, **changes: Any) -> None:  # fmt: skip
    """An audit event as a service would record it, optionally at a given moment."""
    with app.app_context():
        event = audit.record(
            action, entity_type, entity_id,
            actor=db.session.get(User, actor.id) if actor else None,
            changes={field: {"before": None, "after": value} for field, value in changes.items()},
        )  # fmt: skip
        if at is not None:
            event.occurred_at = at
        db.session.commit()


def csv_rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_the_log_shows_who_did_what_to_which_record_in_plain_english(app: Flask, cast: Cast, as_user) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="awaiting_approval")
    response = as_user(cast.ig).get("/audit/?action=agreement.submit")
    assert response.status_code == 200
    [row] = rows(response)
    assert "Agreement submitted for approval" in row
    assert "manager@example.org" in row and "Partnership manager" in row
    assert "Status: draft → changed to awaiting approval" in row
    assert re.search(r"\d{1,2} \w+ \d{4} at \d{1,2}:\d{2}(am|pm) (GMT|BST)", row)
    assert f'href="/agreements/{agreement.reference}"' in response.text


def test_filters_by_record_actor_organisation_and_action(app: Flask, cast: Cast, as_user) -> None:
    record(app, "access.refused", "organisation", cast.other_org.id, cast.partner, path="/organisations/x")
    record(app, "document.downloaded", "agreement", "DSA-2026-0042", cast.other_partner, document="PDF")
    client = as_user(cast.ig)
    only_own = rows(client.get(f"/audit/?entity_type=organisation&entity_id={cast.own_org.id}"))
    assert [r for r in only_own if "Organisation added" in r] and all("Own Housing Association" in r for r in only_own)
    by_reference = rows(client.get("/audit/?entity_id=dsa-2026-0042"))  # a reference in any case
    assert len(by_reference) == 1 and "Document downloaded" in by_reference[0]
    by_actor = rows(client.get("/audit/?actor=OTHER.partner@"))
    assert len(by_actor) == 1 and "other.partner@example.org" in by_actor[0]
    by_organisation = rows(client.get(f"/audit/?organisation={cast.own_org.id}"))
    assert len(by_organisation) == 1 and "partner@example.org" in by_organisation[0]
    by_action = rows(client.get("/audit/?action=user.created"))
    assert len(by_action) == 5 and all("User account created" in r for r in by_action)
    assert rows(client.get("/audit/?action=user.created&entity_type=organisation")) == []
    assert "No events match these filters." in page_text(client.get("/audit/?actor=nobody@"))


def test_dates_are_uk_days(app: Flask, cast: Cast, as_user) -> None:
    # 11:30pm UTC on 30 June is 12:30am BST on 1 July
    record(app, "user.signed_in", "user", cast.ig.id, cast.ig, at=datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    record(app, "user.signed_in", "user", cast.ig.id, cast.ig, at=datetime(2025, 7, 2, 12, 0, tzinfo=UTC))
    client = as_user(cast.ig)
    base = "/audit/?action=user.signed_in"
    first_of_july = rows(client.get(f"{base}&from-day=1&from-month=7&from-year=2025&to-day=1&to-month=7&to-year=2025"))
    assert len(first_of_july) == 1 and "1 July 2025 at 12:30am BST" in first_of_july[0]
    assert rows(client.get(f"{base}&to-day=30&to-month=6&to-year=2025")) == []
    assert len(rows(client.get(f"{base}&from-day=2&from-month=7&from-year=2025"))) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from-day=31&from-month=2&from-year=2025", "Date from must be a real date"),
        ("to-day=1&to-year=2025", "Date to must include a month"),
        ("from-day=2&from-month=7&from-year=2025&to-day=1&to-month=7&to-year=2025",
         "Date to must be the same as or after date from"),
        ("action=organisation.deleted", "Select an action from the list"),
        ("entity_type=spaceship", "Select a kind of record from the list"),
    ],
)  # fmt: skip
def test_impossible_filters_say_what_to_correct(app: Flask, cast: Cast, as_user, query: str, message: str) -> None:
    client = as_user(cast.ig)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert error_summary(response) == [message]
    assert "<title>Error: Audit log" in response.text
    assert rows(response) == []
    export = client.get(f"/audit/export.csv?{query}")
    assert export.status_code == 302 and export.headers["Location"].startswith("/audit/?")


def test_pages_are_newest_first_and_keep_the_filters(app: Flask, cast: Cast, as_user) -> None:
    with app.app_context():
        actor = db.session.get(User, cast.ig.id)
        for n in range(1, 61):
            audit.record(
                "user.signed_in", "user", actor.id, actor=actor, changes={"note": {"before": None, "after": n}}
            )
        db.session.commit()
    client = as_user(cast.ig)
    first = client.get("/audit/?action=user.signed_in")
    notes = [int(m) for m in re.findall(r"Note: (\d+)", page_text(first))]
    assert notes == list(range(60, 10, -1))
    assert "60 events match" in page_text(first)
    assert pager_link(first, "prev") is None
    following = pager_link(first, "next")
    assert following is not None and following.startswith("/audit/?") and "action=user.signed_in" in following
    second = client.get(following)
    assert [int(m) for m in re.findall(r"Note: (\d+)", page_text(second))] == list(range(10, 0, -1))
    assert pager_link(second, "next") is None
    back = client.get(pager_link(second, "prev"))
    assert [int(m) for m in re.findall(r"Note: (\d+)", page_text(back))] == list(range(60, 10, -1))


def test_the_export_is_the_filtered_events_as_a_streamed_csv(app: Flask, cast: Cast, as_user) -> None:
    update_organisation(app, cast.own_org, name="Own Homes")
    response = as_user(cast.ig).get(f"/audit/export.csv?entity_type=organisation&entity_id={cast.own_org.id}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"', response.headers["Content-Disposition"]
    )
    found = csv_rows(response)
    assert [r["What they did"] for r in found] == ["Organisation details changed", "Organisation added"]
    assert found[0]["Changes"] == "Name: Own Housing Association → Own Homes"
    assert found[0]["Kind of record"] == "Organisation" and found[0]["Record"] == "Own Homes"
    assert int(found[0]["Event number"]) > int(found[1]["Event number"])
    assert list(found[0]) == [
        "Event number", "When (UK time)", "When (UTC)", "Who", "Email address", "Role", "Organisation",
        "What they did", "Kind of record", "Record number or reference", "Record", "Changes", "IP address",
        "Request ID",
    ]  # fmt: skip


def test_formula_characters_are_neutralised_in_the_export(app: Flask, cast: Cast, as_user) -> None:
    update_organisation(app, cast.own_org, name='=HYPERLINK("x")', website="+44 1632 960000")
    with app.app_context():
        db.session.get(User, cast.manager.id).name = "@SUM(A1)"
        db.session.commit()
    record(app, "user.signed_in", "user", cast.manager.id, cast.manager, note="\tTabbed")
    client = as_user(cast.ig)
    [renamed, added] = csv_rows(client.get(f"/audit/export.csv?entity_type=organisation&entity_id={cast.own_org.id}"))
    assert renamed["Record"] == added["Record"] == '\'=HYPERLINK("x")'
    assert renamed["Changes"] == 'Name: Own Housing Association → =HYPERLINK("x")\nWebsite: +44 1632 960000'
    [signed_in] = csv_rows(client.get("/audit/export.csv?action=user.signed_in"))
    assert signed_in["Who"] == signed_in["Record"] == "'@SUM(A1)"
    assert signed_in["Changes"] == "Note: \tTabbed"  # not at the start of the cell: left alone


def test_downloading_the_export_is_audited(app: Flask, cast: Cast, as_user) -> None:
    response = as_user(cast.ig).get("/audit/export.csv?action=user.created&actor=example.org")
    response.get_data()
    [event] = audit_events(app, "audit.exported")
    assert event.actor_email == "ig@example.org" and event.entity_type == "audit_log"
    assert event.changes["filters"]["after"] == {"action": "user.created", "actor": "example.org"}
    second, first = csv_rows(as_user(cast.ig).get("/audit/export.csv?action=audit.exported"))  # it lists itself too
    assert second["Changes"] == "Filters: What they did: Audit log exported"
    assert (
        first["Changes"]
        == "Filters: Email address of the person who acted: example.org; What they did: User account created"
    )


def test_a_refusal_is_recorded_with_its_page_and_answer(app: Flask, cast: Cast, as_user) -> None:
    assert as_user(cast.partner).get("/audit/?action=x").status_code == 403
    assert as_user(cast.other_partner).get(f"/organisations/{cast.own_org.id}").status_code == 404
    forbidden, hidden = audit_events(app, "access.refused")
    assert (forbidden.actor_email, forbidden.entity_type, forbidden.entity_id) == ("partner@example.org", "page", None)
    assert forbidden.changes == {
        "path": {"before": None, "after": "/audit/"},
        "method": {"before": None, "after": "GET"},
        "status": {"before": None, "after": 403},
    }
    assert (hidden.actor_email, hidden.entity_type, hidden.entity_id) == (
        "other.partner@example.org", "organisation", str(cast.own_org.id),
    )  # fmt: skip
    assert hidden.changes["status"]["after"] == 404
    [row] = rows(as_user(cast.ig).get("/audit/?action=access.refused&actor=other"))
    assert "Access refused" in row and "Status: 404 (the record is hidden from them)" in row


def test_missing_pages_and_anonymous_visitors_are_not_recorded(app: Flask, cast: Cast, as_user) -> None:
    assert as_user(cast.manager).get("/organisations/99999").status_code == 404
    assert as_user(cast.partner).get("/agreements/DSA-2099-9999").status_code == 404
    assert app.test_client().get("/no-such-page").status_code == 404
    assert app.test_client().get(f"/organisations/{cast.own_org.id}").status_code == 302
    assert audit_events(app, "access.refused") == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_refused_request_keeps_only_the_refusal(app_factory, method: str) -> None:  # type: ignore[no-untyped-def]
    """A view that changed something before it refused: its change is rolled back, the refusal kept."""
    app = app_factory(WTF_CSRF_ENABLED=False)

    def view() -> str:
        organisations.create(None, {"name": "Made Then Refused", "sector": "public", "kind": "police"})
        abort(403)

    app.add_url_rule("/refusing", "refusing", view, methods=[method])
    cast = make_cast(app)
    before = count(app, Organisation)
    response = app.test_client(user=cast.manager).open("/refusing", method=method)
    assert response.status_code == 403
    assert count(app, Organisation) == before
    [event] = audit_events(app, "access.refused")
    assert event.changes["method"]["after"] == method and event.changes["path"]["after"] == "/refusing"
