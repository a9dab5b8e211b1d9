"""Each record's history: its events newest first, readable changes, and who may see it."""

from __future__ import annotations

import re
from datetime import date

from factories import (
    Cast,
    add_partnership_to_cast,
    audit_events,
    dissolve_organisation,
    make_agreement,
    make_objective,
    make_organisation,
    make_partnership,
    page_text,
    pager_link,
    update_organisation,
)
from flask import Flask

from registry.extensions import db
from registry.models import User
from registry.services import audit


def headings(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The timeline's event headings, newest first."""
    match = re.search(r'<ol class="govuk-list" id="timeline">(.*?)</ol>', response.text, re.S)
    return re.findall(r'<h2 class="govuk-heading-s[^"]*">(.*?)</h2>', match.group(1)) if match else []


def test_an_organisations_history_shows_its_changes_newest_first(app: Flask, cast: Cast, as_user) -> None:
    update_organisation(app, cast.own_org, name="Own Homes", postcode="NE1 4ST")
    successor = make_organisation(app, name="Successor Homes")
    dissolve_organisation(app, cast.own_org, on=date(2024, 3, 31), successor=successor)
    response = as_user(cast.manager).get(f"/organisations/{cast.own_org.id}/history")
    assert response.status_code == 200
    assert headings(response) == [
        "Organisation marked as dissolved",
        "Organisation details changed",
        "Organisation added",
    ]
    text = page_text(response)
    assert "Name: Own Housing Association → changed to Own Homes" in text
    assert "Postcode: NE1 4ST" in text
    assert "Status: active → changed to dissolved" in text
    assert "Successor: Successor Homes" in text  # the name, not the id
    assert "Dissolved on: 31 March 2024" in text
    assert "<title>History: Own Homes – " in response.text


def test_a_partnerships_history_includes_its_objectives_and_members(app: Flask, cast: Cast, as_user) -> None:
    add_partnership_to_cast(app, cast)
    other = make_partnership(app, cast.manager, cast.other_org)
    make_objective(app, cast.manager, other, cast.other_org, title="Not this one")
    response = as_user(cast.ig).get(f"/partnerships/{cast.partnership.id}/history")  # type: ignore[attr-defined]
    found = headings(response)
    assert found.count("Objective added") == 2
    assert found.count("Member added to partnership") == 2 and found[-1] == "Partnership created"
    text = page_text(response)
    assert "Not this one" not in text and "Objective: Objective" in text
    assert "Organisation: Own Housing Association" in text and "Role: lead" in text
    assert f'href="/partnerships/{cast.partnership.id}/objectives/' in response.text  # type: ignore[attr-defined]


def test_an_agreements_history_includes_its_parts_and_lifecycle(app: Flask, cast: Cast, as_user) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="approved")
    make_agreement(app, cast.manager, [cast.other_org], title="Someone else's")
    response = as_user(cast.ig).get(f"/agreements/{agreement.reference}/history")
    found = headings(response)
    assert found[:2] == ["Agreement approved", "Agreement submitted for approval"]
    assert found[-1] == "Agreement started" and found.count("Party added to agreement") == 2
    assert "Data item added to agreement" in found and "Data subjects added to agreement" in found
    text = page_text(response)
    assert "Status: awaiting approval → changed to approved" in text
    assert "Role: Controller; Signatory name: Sam Signer" in text
    assert "Someone else" not in text


def test_each_record_page_links_to_its_history(app: Flask, cast: Cast, as_user) -> None:
    add_partnership_to_cast(app, cast)
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    client = as_user(cast.partner)
    for page, history in (
        (f"/organisations/{cast.own_org.id}", f"/organisations/{cast.own_org.id}/history"),
        (f"/partnerships/{cast.partnership.id}", f"/partnerships/{cast.partnership.id}/history"),  # type: ignore[attr-defined]
        (f"/agreements/{agreement.reference}", f"/agreements/{agreement.reference}/history"),
    ):
        assert f'href="{history}" id="history-link"' in client.get(page).text
        assert client.get(history).status_code == 200


def test_partners_see_only_their_own_records_histories(app: Flask, cast: Cast, as_user) -> None:
    add_partnership_to_cast(app, cast)
    theirs = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    not_theirs = make_agreement(app, cast.manager, [cast.other_org, make_organisation(app)])
    client = as_user(cast.partner)
    assert client.get(f"/organisations/{cast.own_org.id}/history").status_code == 200
    assert client.get(f"/agreements/{theirs.reference}/history").status_code == 200
    assert client.get(f"/organisations/{cast.other_org.id}/history").status_code == 404
    assert client.get(f"/agreements/{not_theirs.reference}/history").status_code == 404
    other = as_user(cast.other_partner)
    assert other.get(f"/partnerships/{cast.partnership.id}/history").status_code == 404  # type: ignore[attr-defined]
    refused = [(e.actor_email, e.entity_type, e.entity_id) for e in audit_events(app, "access.refused")]
    assert refused == [
        ("partner@example.org", "organisation", str(cast.other_org.id)),
        ("partner@example.org", "agreement", not_theirs.reference),
        ("other.partner@example.org", "partnership", str(cast.partnership.id)),  # type: ignore[attr-defined]
    ]


def test_downloads_and_refusals_show_only_to_those_who_audit(app: Flask, cast: Cast, as_user) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    assert as_user(cast.partner).get(f"/agreements/{agreement.reference}/document.pdf").status_code == 200
    with app.app_context():  # someone who may not see it tried
        outsider = db.session.get(User, cast.manager.id)
        audit.record("access.refused", "agreement", agreement.reference, actor=outsider, changes={})
        db.session.commit()
    history = f"/agreements/{agreement.reference}/history"
    for user in (cast.partner, cast.manager):
        found = headings(as_user(user).get(history))
        assert "Document downloaded" not in found and "Access refused" not in found
    found = headings(as_user(cast.ig).get(history))
    assert found[:2] == ["Access refused", "Document downloaded"]


def test_a_long_history_is_paged_with_the_record_in_the_links(app: Flask, cast: Cast, as_user) -> None:
    with app.app_context():
        actor = db.session.get(User, cast.manager.id)
        for n in range(1, 56):
            audit.record("organisation.updated", "organisation", cast.own_org.id, actor=actor,
                         changes={"website": {"before": None, "after": f"https://example.org/{n}"}})  # fmt: skip
        db.session.commit()
    client = as_user(cast.manager)
    history = f"/organisations/{cast.own_org.id}/history"
    first = client.get(history)
    assert len(headings(first)) == 50 and "https://example.org/55" in first.text
    following = pager_link(first, "next")
    assert following is not None and following.startswith(f"{history}?after=")
    second = client.get(following)
    assert headings(second)[-1] == "Organisation added" and len(headings(second)) == 6
    assert "56 events match" in page_text(second)
