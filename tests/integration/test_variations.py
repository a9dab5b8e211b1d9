"""Proposed variations: an agreement in force stays in force, with its signatures, sealed PDF, review
dates and counts, until its variation is approved and signed by every party; a variation can be
withdrawn, and ends with its agreement."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from factories import audit_events, make_agreement, make_organisation, page_text, submit
from factories_agreements import sign_by_every_party
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, Signature, SignedDocument
from registry.services import tallies

FLOW = {"direction": "two_way", "frequency": "weekly", "transfer_method": "Secure file transfer",
        "security_measures": "Encrypted at rest and in transit", "international_transfers": "no"}  # fmt: skip
CURRENT = "This is the current version, and the agreement is active."


def upload(client: FlaskClient, data: bytes):  # type: ignore[no-untyped-def]
    """Check a file at /verify, as anyone may."""
    response = submit(client, "/verify", {"document": (BytesIO(data), "agreement.pdf")}, token_from="/verify")
    assert response.status_code == 200
    return response


def shown(response, element_id: str) -> str:  # type: ignore[no-untyped-def]
    match = re.search(rf'id="{element_id}">(.*?)</', response.text, re.S)
    assert match, f"no #{element_id} on the page"
    return " ".join(match.group(1).split())


def row(app: Flask, reference: str) -> Agreement:
    with app.app_context():
        found = db.session.scalar(select(Agreement).where(Agreement.reference == reference))
        db.session.expunge_all()
        return found


def post(app: Flask, client: FlaskClient, reference: str, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    version = row(app, reference).lock_version
    return submit(client, f"/agreements/{reference}/{path}", {"version": version, **(data or {})}, token_from="/")


def sealed(app: Flask, agreement_id: int, number: int) -> SignedDocument:
    with app.app_context():
        found = db.session.scalar(
            select(SignedDocument).where(SignedDocument.agreement_id == agreement_id,
                                         SignedDocument.version_number == number)
        )  # fmt: skip
        found.pdf  # noqa: B018  (load the deferred column before leaving the session)
        db.session.expunge_all()
        return found


def counts(app: Flask) -> dict[str, Any]:
    """The maintained dashboard counts, and the same counted again from the records."""
    with app.app_context():
        today = today_in_london()
        maintained = {d: tallies.counts(d) for d in ("status", "kind", "sector", "gaps")}
        windows = tallies.review_windows(today)
        db.session.rollback()
        tallies.rebuild()
        recounted = {d: tallies.counts(d) for d in ("status", "kind", "sector", "gaps")}
        assert maintained == recounted and windows == tallies.review_windows(today), "the triggers drifted"
        db.session.rollback()
        return {**maintained, "windows": windows}


@pytest.fixture
def in_force(app: Flask, cast):  # type: ignore[no-untyped-def]
    """Version 1 of an agreement, signed by every party and sealed; its review due in 20 days."""
    trust = make_organisation(app, name="Northbridge Tenants Trust", sector="third", kind="charity")
    review = today_in_london() + timedelta(days=20)
    agreement = make_agreement(
        app, cast.admin, [cast.own_org, trust], status="awaiting_signatures", title="Tenancy support",
        next_review_date=review,
    )  # fmt: skip
    sign_by_every_party(app, agreement)
    agreement.trust = trust
    agreement.document = sealed(app, agreement.id, 1)
    return agreement


def test_a_change_opens_a_variation_and_the_signed_version_stays_in_force_until_it_replaces_it(
    app: Flask, cast, as_user, client, in_force
) -> None:
    reference, url = in_force.reference, f"/agreements/{in_force.reference}"
    manager, ig, partner = as_user(cast.manager), as_user(cast.ig), as_user(cast.partner)
    before = counts(app)
    review_date = row(app, reference).next_review_date
    newcomer = make_organisation(app, name="Northbridge Food Bank", sector="third", kind="charity")

    # a small change (one more data-subject group) opens version 2 as a proposed variation
    response = post(app, manager, reference, "subjects/new", {"name": "Tenants' carers"})
    assert response.status_code == 302
    variation = f"{reference}-VAR1"
    assert response.headers["Location"] == f"/agreements/{variation}#data"
    assert "This change is in the proposed variation, version 2" in page_text(manager.get(f"/agreements/{variation}"))
    party = {
        "organisation_id": newcomer.id,
        "role": "recipient",
        "signatory_name": "Ali Khan",
        "signatory_job_title": "Chair",
        "rights_contact": "info@foodbank.example",
        "retention_period": "6 years",
    }
    assert post(app, manager, variation, "parties/new", party).status_code == 302

    main = row(app, reference)
    assert (main.status, main.version_number, main.next_review_date) == ("active", 1, review_date)
    assert main.variation_status == "draft"
    with app.app_context():
        signatures = list(db.session.scalars(select(Signature).where(Signature.agreement_id == in_force.id)))
        assert len(signatures) == 2 and all(s.voided_at is None for s in signatures)
    assert counts(app) == before  # the dashboard, its review windows and every count see version 1 only

    page = page_text(manager.get(url))
    assert "Version 1 is in force. Version 2 is a proposed variation (draft)." in page
    assert "Tenants' carers" in page.split("What the proposed variation changes", 1)[1]
    assert "The variation would add Northbridge Food Bank as a party" in page
    assert "Download the signed and sealed PDF of version 1" in page
    listed = page_text(manager.get("/agreements/?status=active"))
    assert reference in listed and "Proposed variation: draft" in listed and variation not in listed
    assert variation not in page_text(manager.get(f"/search?q={reference}"))
    assert reference in page_text(manager.get("/reviews/?window=30"))

    # the partner, a party to both, sees the version in force and the proposal
    assert "Version 1 is in force" in page_text(partner.get(url))
    assert partner.get(f"/agreements/{variation}").status_code == 200
    assert as_user(cast.other_partner).get(f"/agreements/{variation}").status_code == 404

    assert shown(upload(client, in_force.document.pdf), "standing") == CURRENT

    # the manager submits the variation; the IG officer approves it; it goes out for signature
    assert post(app, manager, variation, "submit").status_code == 302
    assert row(app, variation).status == "awaiting_approval"
    assert "Proposed variation: awaiting approval" in page_text(ig.get("/agreements/?status=active"))
    waiting = page_text(ig.get("/agreements/?variation=awaiting_approval"))
    assert "1 agreement matches" in waiting and reference in waiting
    assert "No agreements match your search" in page_text(ig.get("/agreements/?variation=approved"))
    dashboard = ig.get("/governance/").text.split('id="variations-table"', 1)[1]
    assert re.search(r"Variation awaiting approval</th>\s*<td[^>]*><a[^>]*>1<span", dashboard), dashboard[:800]
    assert post(app, ig, variation, "approve").status_code == 302
    assert post(app, manager, variation, "request-signatures").status_code == 302
    assert row(app, reference).status == "active"
    assert shown(upload(client, in_force.document.pdf), "standing") == CURRENT
    assert counts(app) == before

    # every party to the variation signs it, the party it adds among them
    sign_by_every_party(app, row(app, variation))
    main = row(app, reference)
    assert (main.status, main.version_number, main.variation_status) == ("active", 2, None)
    assert {p.organisation_id for p in db_parties(app, main.id)} == {cast.own_org.id, in_force.trust.id, newcomer.id}
    with app.app_context():
        query = select(AgreementVersion).where(AgreementVersion.agreement_id == in_force.id)
        first, second = db.session.scalars(query.order_by(AgreementVersion.number))
        assert (first.superseded_by, second.superseded_at) == (2, None) and first.superseded_at is not None
        assert all(s.voided_at is None for s in db.session.scalars(select(Signature)))  # signatures stay valid
    old = upload(client, in_force.document.pdf)
    when = f"{first.superseded_at.day} {first.superseded_at:%B %Y}"
    assert shown(old, "standing") == (
        f"This is version 1; it was superseded by version 2 on {when}, when that version was signed by every party."
    )
    assert shown(upload(client, sealed(app, in_force.id, 2).pdf), "standing") == CURRENT
    page = page_text(manager.get(f"/agreements/{variation}"))
    assert "became version 2 in force" in page
    page = page_text(manager.get(url))
    assert "Proposed variation" not in page and "Superseded by version 2" in page
    counts(app)  # the counts follow version 2 (checked against a recount)
    actions = {e.action for e in audit_events(app)}
    assert {"agreement.variation_opened", "agreement.variation_in_force", "agreement.new_version_in_force"} <= actions


def db_parties(app: Flask, agreement_id: int) -> list[Any]:
    from registry.models import Party

    with app.app_context():
        found = list(db.session.scalars(select(Party).where(Party.agreement_id == agreement_id)))
        db.session.expunge_all()
        return found


def test_a_withdrawn_variation_leaves_the_version_in_force_untouched(app: Flask, cast, as_user, client, in_force):  # type: ignore[no-untyped-def]
    reference = in_force.reference
    manager, ig = as_user(cast.manager), as_user(cast.ig)
    before = row(app, reference)
    assert post(app, manager, reference, "edit/flow", FLOW).status_code == 302
    variation = f"{reference}-VAR1"
    assert post(app, manager, variation, "submit").status_code == 302
    assert post(app, ig, variation, "approve").status_code == 302
    assert post(app, manager, variation, "request-signatures").status_code == 302

    page = manager.get(f"/agreements/{variation}/withdraw")
    assert page.status_code == 200 and "Withdraw the proposed variation" in page_text(page)
    response = post(app, manager, variation, "withdraw", {"reason": "The panel chose another approach"})
    assert response.status_code == 302 and response.headers["Location"] == f"/agreements/{reference}"
    after = row(app, reference)
    assert (after.status, after.version_number, after.frequency, after.lock_version) == (
        "active", 1, before.frequency, before.lock_version)  # fmt: skip
    assert after.variation_status is None
    assert shown(upload(client, in_force.document.pdf), "standing") == CURRENT
    assert "This proposed variation was withdrawn" in page_text(manager.get(f"/agreements/{variation}"))
    # it can be neither signed nor changed now, and the next change opens a new variation
    refused = post(app, manager, variation, "edit/flow", {**FLOW, "frequency": "daily"})
    assert refused.status_code == 200
    assert "This proposed variation has ended and can no longer be changed" in page_text(refused)
    assert (
        post(app, manager, reference, "edit/flow", FLOW).headers["Location"].startswith(f"/agreements/{reference}-VAR2")
    )
    assert row(app, f"{reference}-VAR2").version_number == 3  # version 2 was approved once; never reused


@pytest.mark.parametrize("how", ["terminated", "expired"])
def test_ending_the_agreement_ends_its_variation(app: Flask, cast, as_user, in_force, how: str) -> None:
    from registry.services import lifecycle

    reference = in_force.reference
    manager = as_user(cast.manager)
    assert post(app, manager, reference, "edit/flow", FLOW).status_code == 302
    variation = f"{reference}-VAR1"
    if how == "terminated":
        assert post(app, as_user(cast.ig), reference, "terminate", {"reason": "Service closed"}).status_code == 302
    else:
        with app.app_context():
            agreement = db.session.get(Agreement, in_force.id)
            agreement.end_date = today_in_london() - timedelta(days=1)
            db.session.commit()
            assert lifecycle.expire_due() == [reference]
            db.session.commit()
    ended = row(app, variation)
    assert (ended.variation_outcome, row(app, reference).status) == ("ended", how)
    assert row(app, reference).variation_status is None
    assert f"when the agreement was {how}" in page_text(manager.get(f"/agreements/{variation}"))


def test_a_party_the_variation_removes_is_told_on_the_agreement_page(app: Flask, cast, as_user, in_force) -> None:
    reference = in_force.reference
    manager = as_user(cast.manager)
    party = next(p for p in db_parties(app, in_force.id) if p.organisation_id == cast.own_org.id)
    with app.app_context():  # the partner's organisation provides no data item, so it can be removed
        from registry.models import DataItem

        for item in db.session.scalars(select(DataItem).where(DataItem.agreement_id == in_force.id)):
            item.provider_organisation_id = in_force.trust.id
        db.session.commit()
    response = post(app, manager, reference, f"parties/{party.id}/remove")
    assert response.status_code == 302
    message = f"The variation would remove {cast.own_org.name} as a party."
    assert message in page_text(as_user(cast.partner).get(f"/agreements/{reference}"))
    # still a party to the version in force, the partner may read what is proposed
    assert as_user(cast.partner).get(f"/agreements/{reference}-VAR1").status_code == 200
    assert {p.organisation_id for p in db_parties(app, in_force.id)} == {cast.own_org.id, in_force.trust.id}


def test_an_edit_of_the_agreement_in_force_goes_to_its_open_variation(app: Flask, cast, as_user, in_force) -> None:
    reference = in_force.reference
    manager = as_user(cast.manager)
    assert post(app, manager, reference, "edit/flow", FLOW).status_code == 302
    response = manager.get(f"/agreements/{reference}/edit/purpose")
    assert response.status_code == 302 and response.headers["Location"] == f"/agreements/{reference}-VAR1"
    response = post(app, manager, reference, "edit/flow", {**FLOW, "frequency": "daily"})
    assert response.status_code == 302 and response.headers["Location"] == f"/agreements/{reference}-VAR1"
    assert "make your changes to it here" in page_text(manager.get(response.headers["Location"]))
    assert row(app, reference).frequency != "daily" and row(app, f"{reference}-VAR1").frequency == "weekly"


def test_the_service_refuses_a_second_variation_while_one_is_open(app: Flask, cast, in_force) -> None:
    from registry.services import agreements
    from registry.services.errors import AgreementNotEditable

    with app.app_context():
        manager = db.session.merge(cast.manager)
        agreement = db.session.get(Agreement, in_force.id)
        version = agreement.lock_version
        agreements.update_section(manager, agreement, "flow", {"frequency": "weekly"}, read_version=version)
        db.session.commit()
        with pytest.raises(AgreementNotEditable, match="Version 2 is already proposed as a variation"):
            agreements.update_section(manager, agreement, "flow", {"frequency": "daily"},
                                      read_version=agreement.lock_version)  # fmt: skip


def test_the_agreement_history_tells_the_variation_in_plain_english(app: Flask, cast, as_user, in_force) -> None:
    reference = in_force.reference
    manager = as_user(cast.manager)
    assert post(app, manager, reference, "edit/flow", FLOW).status_code == 302
    assert post(app, manager, f"{reference}-VAR1", "withdraw", {"reason": "Not needed"}).status_code == 302
    history = page_text(as_user(cast.ig).get(f"/agreements/{reference}/history"))
    for words in ("Variation of agreement proposed", "Agreement changed", "Proposed variation withdrawn",
                  "How the proposed variation ended", "Withdrawn", "Not needed"):  # fmt: skip
        assert words in history, words
