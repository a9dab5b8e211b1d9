"""The journeys the agreements issue must show, through the pages a manager and an IG officer use."""

from __future__ import annotations

import re
from datetime import date

from factories import make_organisation, submit
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement, AgreementVersion, AuditEvent


def post(client, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return submit(client, url, data, token_from="/")


def when(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def gap_messages(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The gaps the readiness check lists on the agreement page (none when it says so)."""
    html = client.get(url).text
    found = re.search(r'<ul class="govuk-list govuk-list--bullet" id="gaps">(.*?)</ul>', html, re.S)
    if found is None:
        assert "No gaps: the record meets every rule" in html
        return []
    return [" ".join(re.sub(r"<[^>]+>", "", m).split()) for m in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def lock_version(app: Flask, reference: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference)))


def test_personal_agreement_from_draft_to_approved_version_and_a_second_version(app, cast, as_user) -> None:
    council = make_organisation(app, name="Northbridge Borough Council", ico_registration_number="Z1234567")
    police = make_organisation(app, name="Northshire Police", kind="police")
    manager, ig = as_user(cast.manager), as_user(cast.ig)

    response = post(manager, "/agreements/new", {"title": "Anti-social behaviour case sharing", "kind": "two_way"})
    url = response.headers["Location"]
    reference = url.rsplit("/", 1)[1]
    assert re.fullmatch(rf"DSA-{date.today().year}-\d{{4}}", reference)

    gaps = gap_messages(manager, url)
    assert "Add at least two parties" in gaps and "Choose the Article 6 lawful basis" in gaps
    assert response.status_code == 302

    for organisation in (council, cast.own_org, police):
        response = post(
            manager,
            f"{url}/parties/new",
            {
                "version": lock_version(app, reference),
                "organisation_id": organisation.id,
                "role": "controller",
                "signatory_name": f"Signer at {organisation.name}",
                "signatory_job_title": "Director",
                "rights_contact": "dpo@example.org",
                "retention_period": "6 years after the case closes",
            },
        )
        assert response.status_code == 302
    for name, category in (
        ("Name and address", "personal"),
        ("Mental health needs", "special_category"),
        ("Convictions for anti-social behaviour", "criminal_offence"),
    ):
        post(
            manager,
            f"{url}/items/new",
            {
                "version": lock_version(app, reference),
                "name": name,
                "category": category,
                "provider_organisation_id": police.id,
            },
        )
    post(
        manager,
        f"{url}/subjects/new",
        {"version": lock_version(app, reference), "name": "Tenants in ASB cases", "includes_vulnerable_adults": "y"},
    )

    gaps = gap_messages(manager, url)
    assert "Choose an Article 9 condition for the special category data" in gaps
    assert any(g.startswith("Choose the Article 10 or Schedule 1 Part 3 condition") for g in gaps)
    assert "Add at least two parties" not in gaps

    response = post(manager, f"{url}/submit", {"version": lock_version(app, reference)})
    assert "gaps the readiness check lists" in manager.get(url).text or response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Agreement.status).where(Agreement.reference == reference)) == "draft"

    sections = {
        "purpose": {
            "title": "Anti-social behaviour case sharing",
            "kind": "two_way",
            "purpose": "Coordinate support and enforcement in ASB cases",
            "benefits": "Safer neighbourhoods",
            "necessity": "Cases need joint action",
            "less_data_rationale": "Named cases need names",
        },
        "legal": {
            "art6_basis": "public_task",
            "art9_condition": "g",
            "schedule1_condition": "p2_10",
            "policy_document_in_place": "yes",
            "criminal_condition": "official_authority",
            "law_enforcement_processing": "no",
            "national_data_opt_out": "not_health",
        },
        "flow": {
            "direction": "many_way",
            "frequency": "as_needed",
            "security_measures": "Secure email only",
            "international_transfers": "no",
        },
        "governance": {
            "dpia_vulnerable_people": "yes",
            "dpia_large_scale_special": "no",
            "dpia_matching": "no",
            "dpia_new_technology": "no",
            "dpia_denial_of_service": "no",
            "dpia_systematic_monitoring": "no",
            "dpia_reference": "DPIA-2026-07",
            "dpia_date": when(date(2026, 3, 1)),
            "dpia_outcome": "proceed",
        },
        "dates": {"effective_from": when(date(2026, 4, 1)), "review_interval_months": "12"},
    }
    for section, data in sections.items():
        response = post(manager, f"{url}/edit/{section}", {"version": lock_version(app, reference), **data})
        assert response.status_code == 302, (section, response.text[:300])
    assert gap_messages(manager, url) == []
    assert post(manager, f"{url}/submit", {"version": lock_version(app, reference)}).status_code == 302

    assert post(ig, f"{url}/approve", {"version": lock_version(app, reference)}).status_code == 302
    with app.app_context():
        agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        assert agreement.status == "approved"
        assert agreement.next_review_date == date(2027, 4, 1)
        frozen = db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id))
        assert frozen.number == 1 and frozen.snapshot["art9_condition"] == "g"
        assert [p["organisation_name"] for p in frozen.snapshot["parties"]] == [
            "Northbridge Borough Council",
            cast.own_org.name,
            "Northshire Police",
        ]

    # a material change to the approved agreement opens a proposed variation, version 2, beside version 1,
    # which stays approved and frozen
    response = post(
        manager,
        f"{url}/edit/flow",
        {"version": lock_version(app, reference), **{**sections["flow"], "frequency": "weekly"}},
    )
    assert response.status_code == 302
    variation_url = response.headers["Location"].split("#")[0]
    assert variation_url.endswith(f"/agreements/{reference}-VAR1")
    variation = variation_url.rsplit("/", 1)[1]
    with app.app_context():
        agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        assert (agreement.status, agreement.version_number, agreement.frequency) == ("approved", 1, "as_needed")
        assert agreement.variation_status == "draft"
        proposed = db.session.scalar(select(Agreement).where(Agreement.reference == variation))
        assert (proposed.status, proposed.version_number, proposed.frequency) == ("draft", 2, "weekly")
    page = manager.get(url).text
    assert "Version 1 is approved. Version 2 is a proposed variation (draft)." in page
    assert "Weekly" in page.split('id="variation-changes"', 1)[1]
    page = manager.get(f"{variation_url}/compare?from=1&to=current").text
    table = page.split('id="differences"', 1)[1]
    assert "When needed, case by case" in table and "Weekly" in table

    post(manager, f"{variation_url}/submit", {"version": lock_version(app, variation)})
    post(ig, f"{variation_url}/approve", {"version": lock_version(app, variation)})
    page = ig.get(f"{variation_url}/compare?from=1&to=2").text
    assert "Weekly" in page.split('id="differences"', 1)[1]
    with app.app_context():
        versions = db.session.scalars(select(AgreementVersion).order_by(AgreementVersion.number)).all()
        # version 1 is replaced only when version 2 is signed by every party
        assert [(v.number, v.superseded_at) for v in versions] == [(1, None), (2, None)]
        agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        assert (agreement.status, agreement.version_number, agreement.variation_status) == ("approved", 1, "approved")
        events = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == reference)))
        variation_events = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == variation)))
    assert {"agreement.created", "agreement.submit", "agreement.approve", "agreement.variation_opened"} <= events
    assert {"agreement.updated", "agreement.submit", "agreement.approve"} <= variation_events


def test_non_personal_agreement_goes_through_with_the_lighter_rules(app, cast, as_user) -> None:
    college = make_organisation(app, name="Northbridge College", kind="fe_college")
    manager, ig = as_user(cast.manager), as_user(cast.ig)
    url = post(manager, "/agreements/new", {"title": "Ward statistics", "kind": "non_personal"}).headers["Location"]
    reference = url.rsplit("/", 1)[1]
    for organisation in (cast.own_org, college):
        post(
            manager,
            f"{url}/parties/new",
            {
                "version": lock_version(app, reference),
                "organisation_id": organisation.id,
                "role": "provider",
                "signatory_name": "Signer",
            },
        )
    post(
        manager,
        f"{url}/items/new",
        {"version": lock_version(app, reference), "name": "Residents online by ward", "category": "aggregate"},
    )
    gaps = gap_messages(manager, url)
    assert "Choose the Article 6 lawful basis" not in gaps
    assert "Confirm the data is anonymised or aggregate, so no one can be identified" in gaps
    for section, data in {
        "purpose": {"title": "Ward statistics", "kind": "non_personal", "purpose": "Plan classes"},
        "legal": {"confirmed_anonymised": "yes"},
        "dates": {"effective_from": when(date(2026, 5, 1)), "review_interval_months": "24"},
    }.items():
        post(manager, f"{url}/edit/{section}", {"version": lock_version(app, reference), **data})
    assert gap_messages(manager, url) == []
    post(manager, f"{url}/submit", {"version": lock_version(app, reference)})
    post(ig, f"{url}/approve", {"version": lock_version(app, reference)})
    with app.app_context():
        agreement = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        assert (agreement.status, agreement.next_review_date) == ("approved", date(2028, 5, 1))


def test_illegal_transitions_are_refused_with_a_clear_message(app, cast, as_user) -> None:
    manager, ig = as_user(cast.manager), as_user(cast.ig)
    url = post(manager, "/agreements/new", {"title": "Early draft", "kind": "two_way"}).headers["Location"]
    reference = url.rsplit("/", 1)[1]
    response = post(ig, f"{url}/approve", {"version": lock_version(app, reference)})
    assert response.status_code == 302
    page = ig.get(url).text
    assert "You can only approve an agreement that is awaiting approval: this one is draft" in page
    with app.app_context():
        assert db.session.scalar(select(Agreement.status).where(Agreement.reference == reference)) == "draft"


def test_expire_command_ends_live_agreements_past_their_end_date(app, cast) -> None:
    from datetime import timedelta

    from factories import make_agreement

    from registry.dates import today_in_london
    from registry.services import agreements

    live = make_agreement(app, cast.admin, [cast.own_org, cast.other_org], status="active")
    current = make_agreement(app, cast.admin, [cast.own_org, cast.other_org], status="active")
    with app.app_context():
        agreement = db.session.get(Agreement, live.id)
        agreement.end_date = today_in_london() - timedelta(days=1)  # ended yesterday
        agreements.finish_change(None, agreement, "agreement.updated", {})  # type: ignore[arg-type]
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["registry", "expire-agreements"])
    assert result.exit_code == 0 and f"Expired {live.reference}" in result.output
    with app.app_context():
        statuses = dict(db.session.execute(select(Agreement.reference, Agreement.status)).all())
    assert statuses == {live.reference: "expired", current.reference: "active"}
    assert "0 agreements expired." in app.test_cli_runner().invoke(args=["registry", "expire-agreements"]).output
