"""Agreements made through the real services, for tests: ready, moved along the lifecycle, signed."""

from __future__ import annotations

from typing import Any

from factories import PASSWORD, Cast, _counter, _detach, make_organisation
from flask import Flask

from registry.extensions import db
from registry.models import Organisation, Role, User

READY_SECTIONS: dict[str, dict[str, Any]] = {
    "purpose": {
        "purpose": "Prevent evictions by early support",
        "benefits": "Fewer evictions",
        "necessity": "Only named tenants at risk are shared",
        "less_data_rationale": "Support needs names",
    },
    "legal": {"art6_basis": "public_task", "national_data_opt_out": "not_health"},
    "data": {"identifiability": "identifiable", "approximate_volume": "200 records a month"},
    "flow": {
        "direction": "two_way",
        "frequency": "monthly",
        "transfer_method": "Secure file transfer",
        "security_measures": "Encrypted at rest and in transit",
        "international_transfers": False,
    },
    "governance": {"dpia_screening": {"matching": False, "vulnerable_people": False}},
}


def make_agreement(
    app: Flask,
    actor: User,
    parties: list[Organisation],
    *,
    ready: bool = True,
    status: str = "draft",
    kind: str = "two_way",
    **fields: Any,
) -> Any:
    """An agreement made through the services. ``ready`` fills every section so the readiness
    check passes; ``status`` then moves it along the lifecycle as far as asked."""

    from registry.models import Agreement
    from registry.services import agreement_parts, agreements, lifecycle

    n = next(_counter)
    with app.app_context():
        actor = db.session.merge(actor)
        agreement = agreements.create(actor, {"title": fields.pop("title", f"Agreement {n}"), "kind": kind})
        for organisation in parties:
            agreement_parts.add_party(
                actor,
                agreement,
                {
                    "organisation_id": organisation.id,
                    "role": "controller",
                    "signatory_name": "Sam Signer",
                    "signatory_job_title": "Director",
                    "rights_contact": "dpo@example.org",
                    "retention_period": "6 years",
                },
                read_version=agreement.lock_version,
            )
        if ready:
            for section, data in READY_SECTIONS.items():
                agreements.update_section(actor, agreement, section, data, read_version=agreement.lock_version)
            agreement_parts.add_item(
                actor,
                agreement,
                {"name": "Tenant name", "category": "personal", "provider_organisation_id": parties[0].id},
                read_version=agreement.lock_version,
            )
            agreement_parts.add_group(
                actor, agreement, {"name": "Tenants at risk of eviction"}, read_version=agreement.lock_version
            )
            from registry.dates import today_in_london

            today = today_in_london()
            agreements.update_section(
                actor,
                agreement,
                "dates",
                {
                    "effective_from": fields.pop("effective_from", today),
                    "review_interval_months": 12,
                    "next_review_date": fields.pop("next_review_date", None),
                    "end_date": None,
                },
                read_version=agreement.lock_version,
            )
            if fields:
                agreements.update_section(actor, agreement, "purpose", fields, read_version=agreement.lock_version)
        steps = ["submit", "approve", "request_signatures", "activate"]
        targets = {"awaiting_approval": 1, "approved": 2, "awaiting_signatures": 3, "active": 4}
        for step in steps[: targets.get(status, 0)]:
            if step == "activate":  # a shortcut for test data: real agreements become active by signing
                lifecycle.activate(actor, agreement)
            else:  # four-eyes: someone other than the submitter and last editor approves
                who = approver(actor) if step == "approve" else actor
                getattr(lifecycle, step)(who, agreement, read_version=agreement.lock_version)
        db.session.commit()
        return _detach(db.session.get(Agreement, agreement.id))


APPROVER_EMAIL = "factory-approver@example.org"


def approver(actor: User) -> User:
    """An IG officer other than ``actor`` who approves the factories' agreements (four-eyes): the test's
    own IG officer when it has one, else one made for the purpose (in the app context and session in use)."""
    from sqlalchemy import select

    from registry.services import users

    query = select(User).where(User.role == Role.IG_OFFICER, User.active, User.id != actor.id).order_by(User.id)
    found = db.session.scalar(query.limit(1))
    return found or users.create(None, email=APPROVER_EMAIL, name="Factory Approver", role=Role.IG_OFFICER,
                                 password=PASSWORD)  # fmt: skip


def add_agreements_to_cast(app: Flask, cast: Cast) -> None:
    """An approved agreement and a ready draft, both with the partner's organisation as a party.

    The draft also has one extra party, data item and subject group per role, so each role's
    removal request has its own target and the answers do not depend on who went first.
    """
    from registry.models import Agreement
    from registry.services import agreement_parts

    third = make_organisation(app, name="Agreement Third Party", sector="third", kind="charity")
    approved = make_agreement(app, cast.admin, [cast.own_org, third], status="approved")
    draft = make_agreement(app, cast.manager, [cast.own_org, third])
    cast.agreement_url = f"/agreements/{approved.reference}"  # type: ignore[attr-defined]
    signed = make_agreement(app, cast.admin, [cast.own_org, third], status="awaiting_signatures")
    sign_by_every_party(app, signed)
    cast.signed_url = f"/agreements/{signed.reference}"  # type: ignore[attr-defined]
    cast.draft_url = f"/agreements/{draft.reference}"  # type: ignore[attr-defined]
    # an agreement with a proposed variation open beside it, and one the admin submitted (four-eyes)
    varied = make_agreement(app, cast.admin, [cast.own_org, third], status="approved")
    submitted = make_agreement(app, cast.admin, [cast.own_org, third], status="awaiting_approval")
    with app.app_context():
        from registry.services import agreements

        agreement = db.session.get(Agreement, varied.id)
        variation = agreements.update_section(db.session.merge(cast.manager), agreement, "flow",
                                              {"frequency": "weekly"}, read_version=agreement.lock_version)  # fmt: skip
        cast.variation_url = f"/agreements/{variation.reference}"  # type: ignore[attr-defined]
        db.session.commit()
    cast.own_submission_url = f"/agreements/{submitted.reference}"  # type: ignore[attr-defined]
    roles = list(cast.by_role())
    extra_orgs = [
        make_organisation(app, name=f"Removable Party {role}", kind="charity", sector="third") for role in roles
    ]
    with app.app_context():
        agreement = db.session.get(Agreement, draft.id)
        actor = db.session.merge(cast.manager)
        cast.draft_party_id = next(p.id for p in agreement.parties if p.organisation_id == cast.own_org.id)  # type: ignore[attr-defined]
        cast.draft_item_id = agreement.data_items[0].id  # type: ignore[attr-defined]
        cast.removable = {"party": {}, "item": {}, "group": {}}  # type: ignore[attr-defined]
        for role, organisation in zip(roles, extra_orgs, strict=True):
            party = agreement_parts.add_party(
                actor,
                agreement,
                {"organisation_id": organisation.id, "role": "recipient"},
                read_version=agreement.lock_version,
            )
            item = agreement_parts.add_item(
                actor,
                agreement,
                {"name": f"Item for {role}", "category": "personal"},
                read_version=agreement.lock_version,
            )
            group = agreement_parts.add_group(
                actor, agreement, {"name": f"Group for {role}"}, read_version=agreement.lock_version
            )
            db.session.flush()
            cast.removable["party"][role] = party.id  # type: ignore[attr-defined]
            cast.removable["item"][role] = item.id  # type: ignore[attr-defined]
            cast.removable["group"][role] = group.id  # type: ignore[attr-defined]
        db.session.commit()


def sign_by_every_party(app: Flask, agreement: Any) -> dict[int, User]:
    """Each party's signatory (a new partner user marked as one) signs; the last signature seals."""
    from registry.models import Agreement
    from registry.services import signing, users

    signers: dict[int, User] = {}
    with app.app_context():
        live = db.session.get(Agreement, agreement.id)
        version = signing.current_version(live)
        for party in live.parties:
            n = next(_counter)
            signer = users.create(
                None,
                email=f"signatory{n}@example.org",
                name=f"Signatory {n}",
                role=Role.PARTNER,
                password=PASSWORD,
                organisation_id=party.organisation_id,
            )
            users.set_signatory(None, signer, True)
            signing.sign(signer, live, job_title="Director", fingerprint=version.document_sha256)
            signers[party.organisation_id] = signer
        db.session.commit()
        return {org: _detach(db.session.merge(user)) for org, user in signers.items()}
