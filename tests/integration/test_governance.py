"""Governance: the dashboard's figures, charts and links, and the compliance report as a page, CSV and PDF.

Problems the workflow would refuse (a special category item without its condition in an active
agreement, say) are planted straight into the rows: the report is there for records that got
that way before a rule existed, or by import.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from counting import counting
from factories import Cast, audit_events, dissolve_organisation, make_agreement, make_organisation, page_text
from flask import Flask

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, DataItem


def plant(app: Flask, agreement: Any, *, category: str | None = None, **fields: Any) -> None:
    """Change an agreement's row (and add a data item) without the services' checks."""
    with app.app_context():
        row = db.session.get(Agreement, agreement.id)
        for name, value in fields.items():
            setattr(row, name, value)
        if category:
            db.session.add(DataItem(agreement_id=row.id, name=f"Planted {category}", category=category))
        db.session.commit()


def figures_tables(html: str) -> dict[str, list[tuple[str, int, str]]]:
    """Each figures table on the dashboard as (label, figure, link) rows, by the chart's id."""
    tables = {}
    for chart_id, body in re.findall(
        r'<table class="govuk-table app-figures" id="(\w+)-table">(.*?)</table>', html, re.S
    ):
        tables[chart_id] = [
            (label, int(value), href.replace("&amp;", "&"))
            for label, href, value in re.findall(
                r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*><a class="govuk-link" href="([^"]+)">(\d+)<', body
            )
        ]
    return tables


def chart_descriptions(html: str) -> dict[str, str]:
    svgs = re.findall(r'<svg role="img" aria-labelledby="(\w+)-title \1-desc"[^>]*>(.*?)</svg>', html, re.S)
    return {chart_id: re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)[1] for chart_id, svg in svgs}  # type: ignore[index]


def listed_total(client, href: str) -> int:  # type: ignore[no-untyped-def]
    """How many agreements the list behind a link shows (from its "N agreements match")."""
    response = client.get(href)
    assert response.status_code == 200, href
    found = re.search(r"([\d,]+) agreements? match", response.text)
    return int(found[1].replace(",", "")) if found else 0


@pytest.fixture
def register(app: Flask, cast: Cast) -> dict[str, Any]:
    """Agreements in every status, three kinds, parties in all three sectors, reviews in each window."""
    today = today_in_london()
    council = make_organisation(app, name="Borough Council", sector="public", ico_registration_number="Z1234567")
    charity = make_organisation(
        app, name="Food Bank", sector="third", kind="charity", ico_registration_number="Z7654321"
    )
    shop = make_organisation(
        app, name="Corner Shop Ltd", sector="private", kind="business", ico_registration_number="ZA123456"
    )
    made = {
        "draft": make_agreement(app, cast.manager, [council, charity]),
        "draft_gaps": make_agreement(app, cast.manager, [council], ready=False, kind="joint_controller"),
        "draft_gaps_2": make_agreement(app, cast.manager, [shop], ready=False, kind="non_personal"),
        "awaiting": make_agreement(app, cast.manager, [council, charity], status="awaiting_approval"),
        "awaiting_gaps": make_agreement(app, cast.manager, [council, shop], status="awaiting_approval"),
        "approved": make_agreement(app, cast.manager, [council, charity], status="approved"),
        "signing": make_agreement(app, cast.manager, [charity, shop], status="awaiting_signatures"),
        "terminated": make_agreement(app, cast.manager, [council, charity], status="active"),
    }
    for name, days in (("overdue", -1), ("due_30", 10), ("due_60", 45), ("due_90", 75), ("later", 200)):
        made[name] = make_agreement(
            app, cast.manager, [council, shop], status="active", next_review_date=today + timedelta(days=days)
        )
    plant(app, made["awaiting_gaps"], purpose=None)
    plant(app, made["terminated"], status="terminated")
    with app.app_context():  # a proposed variation of an active one: counted only as a variation
        from registry.services import agreements

        varied = db.session.get(Agreement, made["later"].id)
        agreements.update_section(db.session.merge(cast.manager), varied, "flow", {"frequency": "weekly"},
                                  read_version=varied.lock_version)  # fmt: skip
        db.session.commit()
    return made


EXPECTED = {
    "status": {
        "Draft": 3,
        "Awaiting approval": 2,
        "Approved": 1,
        "Awaiting signatures": 1,
        "Active": 5,
        "Terminated": 1,
        "Expired": 0,
    },
    "kind": {
        "Two-way sharing of personal data": 11,
        "One-way disclosure of personal data": 0,
        "Joint controllers (UK GDPR Article 26)": 1,
        "Controller and processor (UK GDPR Article 28)": 0,
        "Non-personal data (anonymised, aggregate or open data)": 1,
    },
    "sector": {"Public sector": 11, "Third sector": 5, "Private sector": 8},
    # approved and awaiting signatures are reviewed a year after they take effect: "later"
    "reviews": {"Overdue": 1, "Due within 30 days": 1, "Due in 31 to 60 days": 1, "Due in 61 to 90 days": 1},
    "gaps": {"Draft": 2, "Awaiting approval": 1},
    "variations": {
        "Variation draft": 1,
        "Variation awaiting approval": 0,
        "Variation approved": 0,
        "Variation awaiting signatures": 0,
    },
}


def test_dashboard_figures_charts_and_links(app: Flask, cast: Cast, as_user, register) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.ig)
    response = client.get("/governance/")
    assert response.status_code == 200
    tables = figures_tables(response.text)
    assert {name: {label: n for label, n, _ in rows} for name, rows in tables.items()} == EXPECTED
    descriptions = chart_descriptions(response.text)
    assert set(descriptions) == set(EXPECTED)
    for name, rows in tables.items():
        for label, number, href in rows:
            assert f"{label}: {number}." in descriptions[name]  # the chart names the table's figure
            assert listed_total(client, href) == number, f"{name} {label}: {href}"
    links = {label: href for label, _, href in tables["gaps"]}
    assert links == {
        "Draft": "/agreements/?status=draft&gaps=yes",
        "Awaiting approval": "/agreements/?status=awaiting_approval&gaps=yes",
    }
    listed = client.get("/agreements/?gaps=yes").text
    for name in ("draft_gaps", "draft_gaps_2", "awaiting_gaps"):
        assert register[name].reference in listed
    for name in ("draft", "awaiting", "approved"):
        assert register[name].reference not in listed
    assert tables["reviews"][1][2] == "/reviews/?window=30"
    assert "Figures for the 13 data-sharing agreements" in page_text(response)


def test_dashboard_costs_the_same_queries_however_many_agreements(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    parties = [make_organisation(app, sector=s) for s in ("public", "third", "private")]
    client = as_user(cast.manager)

    def queries() -> int:
        with counting(app) as statements:
            assert client.get("/governance/").status_code == 200
        return len(statements)

    make_agreement(app, cast.manager, parties[:2])
    make_agreement(app, cast.manager, parties[:1], ready=False)
    few = queries()
    for status in ("draft", "draft", "awaiting_approval", "active"):
        make_agreement(app, cast.manager, parties, status=status)
    for _ in range(3):
        make_agreement(app, cast.manager, parties[1:], ready=False)
    assert queries() == few


@pytest.mark.parametrize("role", ["partner", "other_partner"])
def test_partners_may_not_see_governance(cast: Cast, as_user, role: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.by_role()[role])
    for path in ("/governance/", "/governance/compliance", "/governance/compliance.csv", "/governance/compliance.pdf"):
        assert client.get(path).status_code == 403


# --- the compliance report --------------------------------------------------------------------------


@pytest.fixture
def problems(app: Flask, cast: Cast) -> dict[str, tuple[Any, str]]:
    """One current agreement per problem, each with the line the report must show for it."""
    today = today_in_london()
    council = make_organisation(app, name="Borough Council", ico_registration_number="Z1234567")
    homes = make_organisation(
        app, name="Homes Trust", sector="third", kind="housing_association", ico_registration_number="Z7654321"
    )
    pct = make_organisation(app, name="Northbridge PCT", kind="nhs_body", ico_registration_number="Z1111111")
    icb = make_organisation(app, name="Northshire ICB", kind="nhs_body", ico_registration_number="Z2222222")
    unregistered = make_organisation(app, name="Unregistered Group", sector="third", kind="voluntary_group")

    def current(*parties: Any, status: str = "active", **fields: Any) -> Any:
        return make_agreement(app, cast.manager, [council, homes, *parties], status=status, **fields)

    found = {
        "clean": (current(title="=1+1 all in order"), ""),
        "overdue": (
            current(status="approved", next_review_date=today - timedelta(days=3)),
            "Review overdue: it was due on {} (overdue by 3 days)",
        ),
        "art9": (current(), "Special category data is shared without an Article 9 condition"),
        "schedule1": (
            current(),
            "Article 9(2)(h) health or social care needs a DPA 2018 Schedule 1 condition, but none is recorded",
        ),
        "dpia": (
            current(status="awaiting_signatures"),
            "A DPIA is required (the screening says yes) but its reference, date and outcome are missing",
        ),
        "dissolved": (
            current(pct),
            "Northbridge PCT has been dissolved: needs novation to its successor, Northshire ICB",
        ),
        "no_ico": (current(unregistered), "Unregistered Group has no ICO registration number"),
        "ended": (current(), "Past its end date of {} but still active: mark it as expired, or extend it"),
    }
    from registry.dates import format_date

    found["overdue"] = (found["overdue"][0], found["overdue"][1].format(format_date(today - timedelta(days=3))))
    found["ended"] = (found["ended"][0], found["ended"][1].format(format_date(today - timedelta(days=1))))
    plant(app, found["art9"][0], category="special_category")
    plant(app, found["schedule1"][0], category="special_category", art9_condition="h")
    plant(app, found["dpia"][0], dpia_screening={"matching": True})
    plant(app, found["ended"][0], end_date=today - timedelta(days=1))
    dissolve_organisation(app, pct, on=today - timedelta(days=30), successor=icb)
    make_agreement(app, cast.manager, [council, unregistered])  # a draft: not in the report
    return found


def pdf_text(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60)
    return " ".join(out.stdout.split())


def test_each_problem_appears_in_every_format(app: Flask, cast: Cast, as_user, problems, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.ig)
    page = client.get("/governance/compliance")
    assert page.status_code == 200
    csv_response = client.get("/governance/compliance.csv")
    pdf_response = client.get("/governance/compliance.pdf")
    text = csv_response.data.decode("utf-8-sig")
    rows = {row["Reference"]: row for row in csv.DictReader(io.StringIO(text))}
    pdf = pdf_text(pdf_response.data, tmp_path)
    assert len(rows) == len(problems)  # current agreements only: the draft is not in it
    for name, (agreement, line) in problems.items():
        html_row = re.search(
            rf'<tr class="govuk-table__row" id="row-{agreement.reference}">(.*?)</tr>', page.text, re.S
        )
        assert html_row is not None, name
        row_text = " ".join(re.sub(r"<[^>]+>", " ", html_row[1]).split())
        found = rows[agreement.reference]["Findings"]
        if name == "clean":
            assert (
                row_text.endswith("None") and found == "None" and rows[agreement.reference]["Number of findings"] == "0"
            )
            continue
        assert line in row_text, name
        assert found == line, name  # exactly the one planted problem
        assert line in pdf, name
        assert agreement.reference in pdf
    clean = problems["clean"][0].reference
    assert rows[clean]["Title"] == "'=1+1 all in order"  # a formula is neutralised


def test_downloads_are_not_cached_have_safe_names_and_are_audited(app: Flask, cast: Cast, as_user, problems) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    before = len(audit_events(app, "report.downloaded"))
    client.get("/governance/compliance")
    assert len(audit_events(app, "report.downloaded")) == before  # viewing the page is not a download
    for suffix, mimetype in (("csv", "text/csv"), ("pdf", "application/pdf")):
        response = client.get(f"/governance/compliance.{suffix}")
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert response.headers["Cache-Control"] == "no-store"
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(rf'attachment; filename="compliance-report-\d{{4}}-\d{{2}}-\d{{2}}\.{suffix}"', disposition)
    events = audit_events(app, "report.downloaded")[before:]
    assert [e.changes["format"]["after"] for e in events] == ["CSV", "PDF"]
    assert {(e.actor_email, e.entity_type, e.entity_id) for e in events} == {
        (cast.manager.email, "report", "compliance")
    }
    assert all(e.changes["agreements"]["after"] == len(problems) for e in events)
