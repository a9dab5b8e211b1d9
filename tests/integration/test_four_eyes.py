"""Four-eyes approval: a version is never approved by whoever submitted it or last changed it, whatever
their role (an administrator holds every role); the refusal names the rule."""

from __future__ import annotations

import pytest
from factories import make_agreement, page_text, submit
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement

RULE = "a version is never approved by whoever submitted it or last changed it, so another IG officer must approve it"


def lock(app: Flask, reference: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference))


def status(app: Flask, reference: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Agreement.status).where(Agreement.reference == reference))


def test_the_submitter_cannot_approve_and_is_told_the_rule(app: Flask, cast, as_user) -> None:
    agreement = make_agreement(app, cast.admin, [cast.own_org, cast.other_org])
    url, admin, ig = f"/agreements/{agreement.reference}", as_user(cast.admin), as_user(cast.ig)
    response = submit(admin, f"{url}/submit", {"version": lock(app, agreement.reference)}, token_from=url)
    assert response.status_code == 302

    page = admin.get(url)
    assert "Approve version 1" not in page.text
    assert f"You cannot approve version 1 because you submitted it: {RULE}." in page_text(page)
    refused = submit(admin, f"{url}/approve", {"version": lock(app, agreement.reference)}, token_from=url)
    assert refused.status_code == 403
    assert f"You cannot approve version 1 because you submitted it: {RULE}." in page_text(refused)
    assert status(app, agreement.reference) == "awaiting_approval"

    assert "Approve version 1" in ig.get(url).text
    assert submit(ig, f"{url}/approve", {"version": lock(app, agreement.reference)}, token_from=url).status_code == 302
    assert status(app, agreement.reference) == "approved"


def test_the_last_editor_cannot_approve_though_someone_else_submitted(app: Flask, cast, as_user) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    url = f"/agreements/{agreement.reference}"
    admin, manager = as_user(cast.admin), as_user(cast.manager)
    data = {"version": lock(app, agreement.reference), "name": "Tenants' carers"}
    assert submit(admin, f"{url}/subjects/new", data, token_from=url).status_code == 302
    response = submit(manager, f"{url}/submit", {"version": lock(app, agreement.reference)}, token_from=url)
    assert response.status_code == 302
    refused = submit(admin, f"{url}/approve", {"version": lock(app, agreement.reference)}, token_from=url)
    assert refused.status_code == 403
    assert "because you made the last change to it" in page_text(refused)
    assert status(app, agreement.reference) == "awaiting_approval"


def test_the_service_refuses_it_too(app: Flask, cast) -> None:
    from registry.services import lifecycle
    from registry.services.errors import FourEyes

    agreement = make_agreement(app, cast.admin, [cast.own_org, cast.other_org], status="awaiting_approval")
    with app.app_context():
        admin, record = db.session.merge(cast.admin), db.session.get(Agreement, agreement.id)
        with pytest.raises(FourEyes, match="because you submitted it"):
            lifecycle.approve(admin, record, read_version=record.lock_version)
