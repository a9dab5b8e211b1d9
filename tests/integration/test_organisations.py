"""The organisations register: finding, viewing and adding organisations."""

from __future__ import annotations

import random
import re

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    dissolve_organisation,
    error_summary,
    field_error,
    make_organisation,
    make_user,
    page_text,
    submit,
    update_organisation,
)
from flask import Flask
from flask_login import FlaskLoginClient
from werkzeug.test import TestResponse

from registry.models import Organisation, Role

ROW_NAME = re.compile(r'<td class="govuk-table__cell"><a class="govuk-link" href="/organisations/\d+">(.*?)</a>')


def listed(response: TestResponse) -> list[str]:
    """Organisation names in the results table, in the order shown."""
    assert response.status_code == 200
    return ROW_NAME.findall(response.text)


def new_organisation(**fields: str) -> dict[str, str]:
    return {"name": "Northbridge Youth Trust", "sector": "third", "kind": "charity", **fields}


@pytest.fixture
def manager(app: Flask, as_user) -> FlaskLoginClient:  # type: ignore[no-untyped-def]
    return as_user(make_user(app, Role.MANAGER))


# --- finding ---------------------------------------------------------------------------------


def test_search_by_name_ignores_case(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    assert listed(client.get("/organisations/?q=POLICE")) == ["Other Police Force"]
    assert listed(client.get("/organisations/?q=  own housing ")) == ["Own Housing Association"]
    response = client.get("/organisations/?q=Ambulance")
    assert listed(response) == []
    assert "No organisations match your search" in page_text(response)


def test_search_treats_percent_and_underscore_as_plain_characters(app: Flask, manager: FlaskLoginClient) -> None:
    for name in ("100% Digital CIC", "1000 Digital Ltd", "Under_score Trust", "Underscore Trust"):
        make_organisation(app, name=name)
    assert listed(manager.get("/organisations/?q=%25")) == ["100% Digital CIC"]
    assert listed(manager.get("/organisations/?q=0%25 d")) == ["100% Digital CIC"]
    assert listed(manager.get("/organisations/?q=_")) == ["Under_score Trust"]
    assert listed(manager.get("/organisations/?q=r_s")) == ["Under_score Trust"]


def test_filter_by_sector_kind_and_status(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    ccg = make_organisation(app, name="Northbridge CCG", kind="nhs_body")
    dissolve_organisation(app, ccg)
    client = as_user(cast.manager)
    assert listed(client.get("/organisations/?sector=third")) == ["Own Housing Association"]
    assert listed(client.get("/organisations/?kind=police")) == ["Other Police Force"]
    assert listed(client.get("/organisations/?status=dissolved")) == ["Northbridge CCG"]
    assert listed(client.get("/organisations/?status=active&sector=public")) == ["Other Police Force"]
    everyone = ["Northbridge CCG", "Other Police Force", "Own Housing Association"]
    assert listed(client.get("/organisations/?sector=bogus&kind=bogus&status=bogus")) == everyone
    dissolved_page = page_text(client.get("/organisations/?status=dissolved"))
    assert "Northbridge CCG Public sector NHS body Dissolved" in dissolved_page


def test_sort_orders(app: Flask, manager: FlaskLoginClient) -> None:
    fire = make_organisation(app, name="Alpha Fire Service", sector="public", kind="fire_and_rescue")
    make_organisation(app, name="Beta Charity", sector="third", kind="charity")
    make_organisation(app, name="gamma broadband", sector="private", kind="business")
    update_organisation(app, fire, website="https://alpha.example.org")  # the most recently changed

    def order(sort: str) -> list[str]:
        return [name.split()[0] for name in listed(manager.get(f"/organisations/?sort={sort}"))]

    assert order("name") == ["Alpha", "Beta", "gamma"]
    assert order("-name") == ["gamma", "Beta", "Alpha"]
    assert order("sector") == ["gamma", "Alpha", "Beta"]  # private, public, third
    assert order("kind") == ["gamma", "Beta", "Alpha"]  # business, charity, fire and rescue
    assert order("-updated") == ["Alpha", "gamma", "Beta"]
    assert order("nonsense") == ["Alpha", "Beta", "gamma"]


def test_results_are_paged_in_the_database_in_a_fixed_order(app: Flask, manager: FlaskLoginClient) -> None:
    names = [f"Parish Council {n:02d}" for n in range(1, 26)]
    for name in random.Random(7).sample(names, len(names)):
        make_organisation(app, name=name, kind="parish_council")

    first = manager.get("/organisations/?q=parish")
    second = manager.get("/organisations/?q=parish&page=2")
    assert listed(first) == names[:20]
    assert listed(second) == names[20:]
    assert "Showing 1 to 20 of 25" in page_text(first)
    assert "Showing 21 to 25 of 25" in page_text(second)
    assert 'href="/organisations/?q=parish&amp;page=2"' in first.text, "the next page keeps the search"
    assert listed(manager.get("/organisations/?q=parish&page=2")) == names[20:], "same answer every time"
    assert listed(manager.get("/organisations/?q=parish&page=x")) == names[:20]


# --- viewing ---------------------------------------------------------------------------------


def test_view_shows_the_details_and_only_the_buttons_the_user_can_use(
    app: Flask,
    cast: Cast,
    as_user,  # type: ignore[no-untyped-def]
) -> None:
    org = make_organisation(app, name="Northbridge Sixth Form", kind="fe_college", ukprn="10004567", postcode="NB6 7CE")
    text = page_text(as_user(cast.manager).get(f"/organisations/{org.id}"))
    assert "Further education college Northbridge Sixth Form" in text
    assert "UKPRN 10004567" in text
    assert "Charity number Not recorded" in text
    assert "Change details" in text and "Mark as dissolved" in text

    ig_text = page_text(as_user(cast.ig).get(f"/organisations/{org.id}"))
    assert "UKPRN 10004567" in ig_text
    assert "Change details" not in ig_text and "Mark as dissolved" not in ig_text
    assert as_user(cast.manager).get("/organisations/999999").status_code == 404


# --- adding ----------------------------------------------------------------------------------


def test_create_normalises_identifiers_and_records_an_audit_event(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    data = new_organisation(
        ico_registration_number="za 123456", charity_number="1087654", postcode="sw1a1aa",
        main_contact_email="Dee@Example.org", website="https://youth.example.org",
    )  # fmt: skip
    response = submit(client, "/organisations/new", data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page_text(page)
    assert "Northbridge Youth Trust has been added to the register" in text
    assert "ICO registration number ZA123456" in text and "Postcode SW1A 1AA" in text

    [event] = audit_events(app, "organisation.created")[-1:]
    org_id = int(event.entity_id or 0)
    assert page.request.path == f"/organisations/{org_id}"
    assert event.actor_email == cast.manager.email
    assert event.changes["name"] == {"before": None, "after": "Northbridge Youth Trust"}
    assert event.changes["ico_registration_number"]["after"] == "ZA123456"
    assert event.changes["postcode"]["after"] == "SW1A 1AA"
    assert event.changes["status"]["after"] == "active"
    assert "ukprn" not in event.changes, "fields left blank are not recorded as changes"


def wrong(label: str, example: str) -> str:
    return f"Enter the {label} in the correct format, like {example}"


EMAIL = "Enter an email address in the correct format, like name@example.org"
VALIDATION = [
    ("name", "", "Enter the organisation’s name"),
    ("name", "x" * 201, "Name must be 200 characters or fewer"),
    ("kind", "", "Select the kind of organisation"),
    ("ico_registration_number", "Z123", wrong("ICO registration number", "Z1234567 or ZA123456")),
    ("companies_house_number", "123", wrong("Companies House number", "01234567 or SC123456")),
    ("charity_number", "12", wrong("charity number", "1234567, SC012345 or NIC100001")),
    ("nhs_ods_code", "12345", wrong("NHS ODS code", "RX1 or A12345")),
    ("ukprn", "20012345", wrong("UKPRN", "10012345")),
    ("school_urn", "012345", wrong("school URN", "123456")),
    ("rsh_number", "H1234", wrong("Regulator of Social Housing number", "L1234, LH1234 or 4567")),
    ("postcode", "SW1A", "Enter a real UK postcode, like SW1A 1AA"),
    ("main_contact_email", "dee.example.org", EMAIL),
    ("dpo_email", "dpo@", EMAIL),
    ("website", "not a website", "Enter a website address in the correct format, like https://www.example.org"),
]


@pytest.mark.parametrize(("field", "value", "message"), VALIDATION, ids=[f"{f}={v[:10]}" for f, v, _ in VALIDATION])
def test_each_invalid_field_shows_its_message_and_saves_nothing(
    app: Flask, manager: FlaskLoginClient, field: str, value: str, message: str
) -> None:
    response = submit(manager, "/organisations/new", new_organisation(**{field: value}))
    assert response.status_code == 200
    assert "<title>Error: Add an organisation" in response.text
    assert error_summary(response) == [message]
    assert f'<a href="#{field}">' in response.text, "the summary links to the field"
    assert field_error(response, field) == message
    assert count(app, Organisation) == 0
    assert audit_events(app, "organisation.created") == []


@pytest.mark.parametrize("name", ["other police force", "  OTHER POLICE FORCE  ", "Other   Police Force"])
def test_a_name_already_on_the_register_is_refused(app: Flask, cast: Cast, as_user, name: str) -> None:  # type: ignore[no-untyped-def]
    before = count(app, Organisation)
    response = submit(as_user(cast.manager), "/organisations/new", new_organisation(name=name))
    assert response.status_code == 200
    message = "An organisation with this name is already on the register"
    assert error_summary(response) == [message]
    assert field_error(response, "name") == message
    assert count(app, Organisation) == before
