"""Hostile input in every text field stays inert in HTML, PDF, CSV and email.

A table of payloads (markup, formula prefixes, a very long word, odd Unicode, control
characters) goes into every text field of each form at once: one submission per form and
payload, each its own test id. The answer is a redirect (saved) or the form again with a
GOV.UK error message by every field (too long; control characters), never a server error.
When saved, the pages that show the value hold it escaped, and an agreement's PDF holds the
literal text of the markup.

The form-by-payload matrix runs on one SQLite app per module (its records never collide:
each test makes its own), because a fresh app and cast for each of ~200 cases would take
minutes. The CSV checks, and one form with every payload, run on both databases; the email is
built from plain data, so it needs no database of its own.
"""

from __future__ import annotations

import csv
import io
import itertools
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from conftest import make_app
from factories import (
    Cast,
    add_partnership_to_cast,
    error_summary,
    make_agreement,
    make_cast,
    make_organisation,
    submit,
)
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from registry.extensions import db
from registry.models import Community

LONG = "A" * 5000
PAYLOADS: dict[str, str] = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "hyperlink": '=HYPERLINK("http://evil","x")',
    "plus": "+cmd|calc",
    "at": "@SUM(1)",
    "minus": "-2+3",
    "long": LONG,
    "rtl": "\u202eevil\u202c",
    "zero_width": "Zero\u200bwidth",
    "combining": "Z\u0351\u0352a\u0353\u0354l\u0355g\u0356o",
    "emoji": "Team \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f680",
    "control": "Vertical\x0btab\x0cfeed\x1bescape",
}
MARKUP = ("script", "img")
# refused with a message by each field (registry/parsing.py): nobody types them, and PostgreSQL cannot store NUL
REFUSED = {"control": "must not include control characters"}
FORMULAS = ("hyperlink", "plus", "at", "minus")
RAW_MARKUP = ("<script>alert(1)", "<img src=x")
NEW_PASSWORD = "quartz lantern meadow orbit 47"
_n = itertools.count(1)


@dataclass
class World:
    app: Flask
    cast: Cast
    community_id: int


@dataclass
class Target:
    """Where to post, the fixed answers the form needs, who posts, and which pages show the result."""

    url: str
    data: dict[str, Any]
    user: str = "manager"
    pages: list[str] = field(default_factory=list)  # besides the page the redirect leads to
    agreement: str | None = None  # the reference, for the PDF
    in_document: bool = True  # the text is part of the agreement (not a comment on its lifecycle)


def _when(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _lock(app: Flask, reference: str) -> str:
    from registry.models import Agreement

    with app.app_context():
        return str(db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference)))


def _agreement_target(w: World, path: str, status: str = "draft", **data: Any) -> Target:
    agreement = make_agreement(w.app, w.cast.manager, [w.cast.own_org, w.cast.other_org], status=status)
    ref = agreement.reference
    pages = [f"/agreements/{ref}", f"/agreements/{ref}/document", f"/agreements/{ref}/history"]
    return Target(f"/agreements/{ref}/{path}", {"version": _lock(w.app, ref), **data}, pages=pages, agreement=ref)


# form name -> (text fields with their maximum length, how to reach the form)
FORMS: dict[str, tuple[dict[str, int], Callable[[World], Target]]] = {
    "organisation": (
        {"name": 200, "address": 500, "main_contact_name": 200, "main_contact_phone": 40, "dpo_name": 200},
        lambda w: Target("/organisations/new", {"sector": "third", "kind": "charity"}),
    ),
    "partnership": (
        {"name": 200, "purpose": 5000, "strategies": 2000, "risk_reward_sharing": 5000},
        lambda w: Target(
            "/partnerships/new",
            {"lead_organisation_id": w.cast.own_org.id, "status": "active"},
            pages=["/partnerships/"],
        ),
    ),
    "objective": (
        {"title": 200, "description": 5000, "indicator": 200, "unit": 60},
        lambda w: Target(
            f"/partnerships/{w.cast.partnership.id}/objectives/new",  # type: ignore[attr-defined]
            {
                "priority": "high",
                "owner_organisation_id": w.cast.own_org.id,
                "communities": [w.community_id],
                "baseline": "100",
                "baseline_date": _when(date(2025, 4, 1)),
                "target": "300",
                "target_date": _when(date(2027, 3, 31)),
            },
        ),
    ),
    "progress": (
        {"narrative": 5000},
        lambda w: Target(
            w.cast.objective_url + "/progress",  # type: ignore[attr-defined]
            {"recorded_on": _when(date(2025, 9, 1)), "value": "150"},
        ),
    ),
    "agreement": (
        {"title": 200, "purpose": 5000},
        lambda w: Target("/agreements/new", {"kind": "two_way"}),
    ),
    "agreement_purpose": (
        {"title": 200, "purpose": 5000, "benefits": 5000, "necessity": 5000, "less_data_rationale": 5000},
        lambda w: _agreement_target(w, "edit/purpose", kind="two_way"),
    ),
    "agreement_legal": (
        {"other_gateways": 2000, "common_law_duty": 5000},
        lambda w: _agreement_target(w, "edit/legal", art6_basis="public_task", national_data_opt_out="not_health"),
    ),
    "agreement_data": (
        {"approximate_volume": 200},
        lambda w: _agreement_target(w, "edit/data", identifiability="identifiable"),
    ),
    "agreement_flow": (
        {
            "transfer_method": 5000,
            "access_controls": 5000,
            "onward_sharing": 5000,
            "transfer_safeguards": 5000,
            "security_measures": 5000,
        },
        lambda w: _agreement_target(w, "edit/flow", direction="two_way", frequency="monthly"),
    ),
    "agreement_governance": (
        {"dpia_reference": 100, "privacy_notice_links": 2000, "breach_contact": 2000, "termination_arrangements": 5000},
        lambda w: _agreement_target(w, "edit/governance"),
    ),
    "party": (
        {
            "signatory_name": 200,
            "signatory_job_title": 200,
            "rights_contact": 1000,
            "retention_period": 200,
            "disposal_method": 1000,
        },
        lambda w: _agreement_target(
            w,
            "parties/new",
            organisation_id=make_organisation(w.app, name=f"Hostile Party {next(_n)}").id,
            role="controller",
        ),
    ),
    "data_item": ({"name": 200, "description": 1000}, lambda w: _agreement_target(w, "items/new", category="personal")),
    "subject_group": ({"name": 200}, lambda w: _agreement_target(w, "subjects/new")),
    "return_comments": (
        {"comments": 5000},
        lambda w: {
            **vars(_agreement_target(w, "return", status="awaiting_approval")),
            "user": "ig",
            "in_document": False,
        },
    ),
    "terminate_reason": (
        {"reason": 5000},
        lambda w: {**vars(_agreement_target(w, "terminate", status="active")), "user": "admin", "in_document": False},
    ),
    "review_notes": (
        {"notes": 5000},
        lambda w: {
            **vars(
                _agreement_target(
                    w,
                    "reviews/new",
                    status="active",
                    reviewed_on=_when(date.today() - timedelta(days=1)),
                    outcome="continue",
                )
            ),
            "in_document": False,
        },
    ),
    "user_name": (
        {"name": 200},
        lambda w: Target(
            "/admin/users/new",
            {"email": f"hostile{next(_n)}@example.org", "role": "manager", "password": NEW_PASSWORD},
            user="admin",
            pages=["/admin/users/"],
        ),
    ),
    "community": ({"name": 120}, lambda w: Target("/admin/communities/", {}, user="admin")),
}


def _target(w: World, form: str) -> Target:
    made = FORMS[form][1](w)
    return made if isinstance(made, Target) else Target(**made)


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "document.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def assert_inert(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html, f"a payload's markup reached the page unescaped: {raw}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    path = tmp_path_factory.mktemp("hostile") / "registry.db"
    path.write_bytes(sqlite_template.read_bytes())
    app = make_app(f"sqlite:///{path}")
    cast = make_cast(app)
    add_partnership_to_cast(app, cast)
    with app.app_context():
        community_id = db.session.scalars(select(Community.id).limit(1)).one()
    yield World(app, cast, community_id)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("form", FORMS)
def test_hostile_input_in_every_form_stays_inert(world: World, form: str, payload: str, tmp_path: Path) -> None:
    value = PAYLOADS[payload]
    limits = FORMS[form][0]
    target = _target(world, form)
    client = world.app.test_client(user=world.cast.by_role()[target.user])
    response = submit(client, target.url, {**target.data, **dict.fromkeys(limits, value)}, token_from="/")

    assert response.status_code != 500
    assert_inert(response.text)
    if payload in REFUSED:
        assert response.status_code == 200
        messages = error_summary(response)
        assert sum(REFUSED[payload] in message for message in messages) == len(limits), messages
        return
    if len(value) > min(limits.values()):
        assert response.status_code == 200
        assert any("characters or fewer" in message for message in error_summary(response)), error_summary(response)
        return
    assert response.status_code == 302, error_summary(response) or response.text[:500]

    shown = ""
    for url in [response.headers["Location"], *target.pages]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert_inert(page.text)
        shown += page.text
    # some names are stored with their whitespace collapsed (a community's), which is fine
    assert str(escape(value)) in shown or str(escape(" ".join(value.split()))) in shown, "shown, escaped"

    if target.agreement:
        pdf = client.get(f"/agreements/{target.agreement}/document.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        if target.in_document and (payload in MARKUP or payload in FORMULAS):
            assert " ".join(value.split()) in pdf_text(pdf.data, tmp_path), "the PDF should show the text as typed"


# --- on both databases: one form with every payload, the CSV downloads and the email ---------------


def test_every_payload_is_stored_and_shown_escaped_on_each_database(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    manager = as_user(cast.manager)
    for name, value in PAYLOADS.items():
        response = submit(manager, "/agreements/new", {"title": value[:200], "kind": "two_way", "purpose": value})
        if name in REFUSED:
            assert response.status_code == 200 and REFUSED[name] in " ".join(error_summary(response)), name
            continue
        assert response.status_code == 302, (name, error_summary(response))
        page = manager.get(response.headers["Location"])
        assert_inert(page.text)
        assert str(escape(value)) in page.text, name


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_csv_downloads_neutralise_formula_prefixes(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    for name in FORMULAS:
        make_agreement(app, cast.manager, [cast.own_org, cast.other_org], title=PAYLOADS[name], status="active")
    dangerous = ("=", "+", "-", "@", "\t", "\r")

    compliance = _csv_cells(as_user(cast.manager).get("/governance/compliance.csv").data)
    audit = _csv_cells(as_user(cast.ig).get("/audit/export.csv").data)
    register = _csv_cells(as_user(cast.manager).get("/agreements/export.csv").data)
    for download, cells in (("compliance", compliance), ("audit", audit), ("agreements", register)):
        assert [c for c in cells if c.startswith(dangerous)] == [], f"{download} CSV has a cell a spreadsheet would run"
    for name in FORMULAS:
        assert "'" + PAYLOADS[name] in compliance, f"the compliance CSV should show the title {name} as text"
        assert "'" + PAYLOADS[name] in register, f"the agreements CSV should show the title {name} as text"
        assert any(PAYLOADS[name] in cell for cell in audit), f"the audit CSV should record the title {name}"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_reminder_email_is_plain_text_with_the_hostile_title_literal(world: World, payload: str) -> None:
    from registry.services import reminders

    title = PAYLOADS[payload]
    reminder = reminders.Reminder(
        agreement_id=1,
        reference="DSA-2026-0001",
        title=title,
        review_date=date(2027, 4, 1),
        threshold="30",
        days=30,
        recipients=("owner@example.org",),
    )
    with world.app.app_context():
        built = reminders.message(reminder, world.app.config)
    received = message_from_bytes(built.as_bytes(), policy=default_policy)
    assert not received.is_multipart()
    assert received.get_content_type() == "text/plain"
    assert " ".join(title.split()) in str(received["Subject"])
    body = received.get_content()
    assert title in body
    assert "<" not in body.replace(title, ""), "nothing but the title itself should look like markup"


@pytest.mark.parametrize("boxes", [[], ["1"], ["1", "4", "2025", "9"]], ids=["none", "one", "four"])
def test_a_date_posted_without_its_three_boxes_is_an_error_not_a_server_error(world: World, boxes: list[str]) -> None:
    client = world.app.test_client(user=world.cast.manager)
    data = {"name": "", "purpose": "Work together", "lead_organisation_id": world.cast.own_org.id, "status": "active"}
    response = submit(client, "/partnerships/new", {**data, "start_date": boxes}, token_from="/")
    assert response.status_code == 200
    assert "Enter the partnership’s name" in error_summary(response)
