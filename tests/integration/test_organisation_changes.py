"""Changing organisations: edits (with stale-edit protection), dissolving, and who may do either."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    csrf_token,
    dissolve_organisation,
    error_summary,
    field_error,
    make_organisation,
    page_text,
    reload,
    submit,
)
from flask import Flask

from registry.dates import today_in_london
from registry.models import Organisation
from registry.services.organisations import EDITABLE

STALE_MESSAGE = "Someone else changed this record while you were editing it"


def edit_form(org: Organisation, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser would send it for this version of the record."""
    return {**{f: getattr(org, f) or "" for f in EDITABLE}, "version": str(org.version), **changes}


def edit_path(org: Organisation) -> str:
    return f"/organisations/{org.id}/edit"


def dissolve_path(org: Organisation) -> str:
    return f"/organisations/{org.id}/dissolve"


# --- editing ---------------------------------------------------------------------------------


def test_edit_saves_and_records_a_before_and_after_diff(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    org = cast.other_org
    response = submit(client, edit_path(org), edit_form(org, name="Northshire Police", postcode="m1 1ae"))
    assert response.status_code == 302
    assert "Northshire Police has been updated" in page_text(client.get(response.headers["Location"]))

    saved = reload(app, Organisation, org.id)
    assert (saved.name, saved.postcode, saved.version) == ("Northshire Police", "M1 1AE", 2)
    [event] = audit_events(app, "organisation.updated")
    assert event.actor_email == cast.manager.email
    assert event.entity_id == str(org.id)
    assert event.changes == {
        "name": {"before": "Other Police Force", "after": "Northshire Police"},
        "postcode": {"before": None, "after": "M1 1AE"},
    }


def test_edit_ignores_fields_that_are_not_on_the_form(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    org = cast.other_org
    extra = {"status": "dissolved", "successor_id": str(cast.own_org.id), "dissolved_on": "2020-01-01", "id": "999"}
    response = submit(as_user(cast.manager), edit_path(org), edit_form(org, main_contact_name="Sam Okafor", **extra))
    assert response.status_code == 302
    saved = reload(app, Organisation, org.id)
    assert (saved.id, saved.status, saved.successor_id, saved.dissolved_on) == (org.id, "active", None, None)
    assert saved.main_contact_name == "Sam Okafor"
    [event] = audit_events(app, "organisation.updated")
    assert set(event.changes) == {"main_contact_name"}


def test_a_stale_edit_is_refused_and_overwrites_nothing(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    org = cast.other_org  # both people open the form at version 1
    admin = as_user(cast.admin)
    assert submit(admin, edit_path(org), edit_form(org, main_contact_name="Ruth Patel")).status_code == 302

    manager = as_user(cast.manager)
    response = submit(manager, edit_path(org), edit_form(org, name="Renamed By Manager"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else saved changes to this organisation after you opened this page" in text
    assert "Nothing you entered has been saved. They changed: main contact name." in text
    assert error_summary(response) == [STALE_MESSAGE]
    saved = reload(app, Organisation, org.id)
    assert (saved.name, saved.main_contact_name, saved.version) == ("Other Police Force", "Ruth Patel", 2)
    assert len(audit_events(app, "organisation.updated")) == 1

    # the refused form now carries the current version, so saving again keeps the manager's version
    assert 'name="version" type="hidden" value="2"' in response.text
    again = submit(manager, edit_path(org), edit_form(saved, name="Renamed By Manager"))
    assert again.status_code == 302
    assert reload(app, Organisation, org.id).name == "Renamed By Manager"


def test_an_edit_without_a_version_is_treated_as_stale(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    org = cast.other_org
    response = submit(as_user(cast.manager), edit_path(org), edit_form(org, name="No Version", version=""))
    assert error_summary(response) == [STALE_MESSAGE]
    assert reload(app, Organisation, org.id).name == "Other Police Force"


def test_renaming_to_a_name_already_taken_is_refused(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    org = cast.other_org
    response = submit(as_user(cast.manager), edit_path(org), edit_form(org, name=" own housing ASSOCIATION"))
    assert field_error(response, "name") == "An organisation with this name is already on the register"
    assert reload(app, Organisation, org.id).name == "Other Police Force"
    assert audit_events(app, "organisation.updated") == []


# --- dissolving ------------------------------------------------------------------------------


def test_dissolve_with_a_successor(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    pct = make_organisation(app, name="Northbridge Primary Care Trust", kind="nhs_body")
    client = as_user(cast.manager)
    form = {"dissolved_on": ["31", "3", "2013"], "successor_id": str(cast.other_org.id)}
    response = submit(client, dissolve_path(pct), form)
    assert response.status_code == 302
    text = page_text(client.get(f"/organisations/{pct.id}"))
    assert "Northbridge Primary Care Trust has been marked as dissolved" in text
    assert "Dissolved on 31 March 2013. Its work passed to Other Police Force." in text
    assert "Mark as dissolved" not in text.replace("has been marked as dissolved", "")

    saved = reload(app, Organisation, pct.id)
    assert (saved.status, saved.successor_id, saved.dissolved_on.isoformat()) == (
        "dissolved",
        cast.other_org.id,
        "2013-03-31",
    )
    [event] = audit_events(app, "organisation.dissolved")
    assert event.actor_email == cast.manager.email
    assert event.changes == {
        "status": {"before": "active", "after": "dissolved"},
        "dissolved_on": {"before": None, "after": "2013-03-31"},
        "successor_id": {"before": None, "after": cast.other_org.id},
    }


def test_a_dissolved_organisation_cannot_be_dissolved_again(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    org = dissolve_organisation(app, cast.other_org)
    events_before = len(audit_events(app))
    client = as_user(cast.manager)
    response = client.post(
        dissolve_path(org), data={"csrf_token": csrf_token(client, "/"), "dissolved_on": ["1", "1", "2024"]}
    )
    assert response.status_code == 302
    assert "Other Police Force is already marked as dissolved" in page_text(client.get(response.headers["Location"]))
    assert reload(app, Organisation, org.id).dissolved_on.isoformat() == "2020-03-31"
    assert len(audit_events(app)) == events_before


@pytest.mark.parametrize(
    ("successor", "message"),
    [
        ("dissolved", "Select a successor that is still active"),
        ("missing", "Select a successor that is still active"),
        ("itself", "An organisation cannot be its own successor"),
    ],
)
def test_the_successor_must_be_another_active_organisation(
    app: Flask,
    cast: Cast,
    as_user,
    successor: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    gone = dissolve_organisation(app, make_organisation(app, name="Northbridge CCG", kind="nhs_body"))
    org = cast.other_org
    successor_id = {"dissolved": gone.id, "missing": 999999, "itself": org.id}[successor]
    form = {"dissolved_on": ["1", "4", "2022"], "successor_id": str(successor_id)}
    response = submit(as_user(cast.manager), dissolve_path(org), form)
    assert response.status_code == 200
    assert field_error(response, "successor_id") == message
    assert error_summary(response) == [message]
    assert reload(app, Organisation, org.id).status == "active"


@pytest.mark.parametrize(
    ("date_parts", "message"),
    [
        ("tomorrow", "Date dissolved must be today or in the past"),
        (["31", "2", "2020"], "Date dissolved must be a real date"),
        (["", "3", "2020"], "Date dissolved must include a day"),
        (["", "", ""], "Enter the date the organisation was dissolved"),
    ],
)
def test_a_wrong_or_future_date_is_refused(app: Flask, cast: Cast, as_user, date_parts: Any, message: str) -> None:  # type: ignore[no-untyped-def]
    if date_parts == "tomorrow":
        tomorrow = today_in_london() + timedelta(days=1)
        date_parts = [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]
    org = cast.other_org
    response = submit(as_user(cast.manager), dissolve_path(org), {"dissolved_on": date_parts, "successor_id": ""})
    assert response.status_code == 200
    assert error_summary(response) == [message]
    assert field_error(response, "dissolved_on") == message
    assert reload(app, Organisation, org.id).status == "active"
    assert audit_events(app, "organisation.dissolved") == []


def test_today_is_an_allowed_date(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    today = today_in_london()
    form = {"dissolved_on": [str(today.day), str(today.month), str(today.year)], "successor_id": ""}
    assert submit(as_user(cast.manager), dissolve_path(cast.other_org), form).status_code == 302
    assert reload(app, Organisation, cast.other_org.id).dissolved_on == today


# --- who may ---------------------------------------------------------------------------------


def test_partner_sees_only_their_own_organisation(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.partner)
    response = client.get("/organisations/?q=police")
    assert "Other Police Force" not in response.text
    everything = page_text(client.get("/organisations/"))
    assert "Own Housing Association" in everything and "Other Police Force" not in everything
    assert "Add an organisation" not in everything
    own = page_text(client.get(f"/organisations/{cast.own_org.id}"))
    assert "Own Housing Association" in own and "Change details" not in own
    for path in (f"/organisations/{cast.other_org.id}", edit_path(cast.other_org), dissolve_path(cast.other_org)):
        assert client.get(path).status_code == 404, path


def test_partner_may_not_create_edit_or_dissolve(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.partner)
    token = csrf_token(client, "/")
    before = count(app, Organisation)
    own = cast.own_org
    posts = {
        "/organisations/new": {"name": "Partner Made", "sector": "third", "kind": "charity"},
        edit_path(own): edit_form(own, name="Partner Renamed"),
        dissolve_path(own): {"dissolved_on": ["1", "1", "2024"], "successor_id": ""},
    }
    for path, form in posts.items():
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 403, path
    assert count(app, Organisation) == before
    saved = reload(app, Organisation, own.id)
    assert (saved.name, saved.status) == ("Own Housing Association", "active")


def test_ig_officer_reads_but_may_not_change(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.ig)
    assert "Other Police Force" in page_text(client.get("/organisations/"))
    assert client.get(f"/organisations/{cast.other_org.id}").status_code == 200
    token = csrf_token(client, "/")
    org = cast.other_org
    for path, form in {
        "/organisations/new": {"name": "IG Made", "sector": "public", "kind": "police"},
        edit_path(org): edit_form(org, name="IG Renamed"),
    }.items():
        assert client.get(path).status_code == 403, path
        assert client.post(path, data={"csrf_token": token, **form}).status_code == 403, path
    assert reload(app, Organisation, org.id).name == "Other Police Force"
    assert count(app, Organisation) == 2
