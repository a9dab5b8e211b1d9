"""Partnerships, members over time, objectives and progress, through the pages a user sees."""

from __future__ import annotations

import re

from factories import make_objective, make_organisation, make_partnership, submit
from flask import Flask
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import AuditEvent, Membership, Objective, Partnership, ProgressUpdate


def _date(prefix: str, day: int, month: int, year: int) -> dict[str, list[str]]:
    return {prefix: [str(day), str(month), str(year)]}


def _errors(html: str) -> list[str]:
    return [
        " ".join(m.split())
        for m in re.findall(r'govuk-error-message">\s*<span[^>]*>Error:</span>(.*?)</p>', html, re.S)
    ]


def post(client, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    """Post as a browser would, with the session's CSRF token (taken from the home page)."""
    return submit(client, url, data, token_from="/")


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_manager_builds_a_partnership_with_members_objectives_and_progress(app, cast, as_user) -> None:
    client = as_user(cast.manager)
    college = make_organisation(app, name="Northbridge College", kind="fe_college")
    response = post(client, "/partnerships/new", data={
        "name": "Digital Inclusion Partnership", "purpose": "Get tenants online",
        "lead_organisation_id": cast.own_org.id, "status": "active",
        **_date("start_date", 1, 4, 2025), "strategies": "Digital Inclusion Strategy\nCommunity Safety Partnership\n",
    })  # fmt: skip
    assert response.status_code == 302
    partnership_url = response.headers["Location"]
    for organisation in (cast.other_org, college):
        response = post(client, f"{partnership_url}/members/new", data={
            "organisation_id": organisation.id, "role": "member", **_date("joined_on", 1, 4, 2025)})  # fmt: skip
        assert response.status_code == 302, _errors(response.text)
    page = client.get(partnership_url).text
    for name in (cast.own_org.name, cast.other_org.name, college.name):
        assert name in page
    assert "Digital Inclusion Strategy, Community Safety Partnership" in page

    objective_urls = []
    for title in ("More tenants online", "Older people learn online"):
        response = post(client, f"{partnership_url}/objectives/new", data={
            "title": title, "priority": "high", "owner_organisation_id": college.id, "communities": ["1", "6"],
            "indicator": "Tenants online", "unit": "per cent", "baseline": "40", "target": "80",
            **_date("baseline_date", 1, 4, 2025), **_date("target_date", 1, 4, 2027),
        })  # fmt: skip
        assert response.status_code == 302, _errors(response.text)
        objective_urls.append(response.headers["Location"])

    for day, value in (("1 7 2025", "45"), ("1 10 2025", "50"), ("1 1 2026", "62")):
        response = post(client, f"{objective_urls[0]}/progress", data={
            "recorded_on": day.split(), "value": value, "narrative": "Drop-in sessions"})  # fmt: skip
        assert response.status_code == 302, _errors(response.text)
    page = client.get(objective_urls[0]).text
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in page
    assert "On track" in page  # 55% of the way by January 2026, against 37% expected
    table = page[page.index('id="progress-table"') :]
    for value in ("40", "45", "50", "62", "80"):
        assert value in table
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 3
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"partnership.created", "partnership.member_added", "objective.created",
            "objective.progress_recorded"} <= actions  # fmt: skip


def test_bad_objective_input_gets_clear_errors_and_saves_nothing(app, cast, as_user) -> None:
    partnership = make_partnership(app, cast.manager, cast.own_org)
    client = as_user(cast.manager)
    before = _count(app, Objective)
    response = post(client, f"/partnerships/{partnership.id}/objectives/new", data={
        "title": "Bad", "priority": "high", "owner_organisation_id": cast.other_org.id, "communities": ["1"],
        "indicator": "People", "unit": "people", "baseline": "about ten", "target": "50",
        **_date("baseline_date", 1, 4, 2025), **_date("target_date", 1, 4, 2024),
    })  # fmt: skip
    assert response.status_code == 200
    errors = _errors(response.text)
    assert "Baseline must be a number, like 120 or 45.5" in errors
    assert "Select an owning organisation that is a current member of the partnership" in errors
    assert "There is a problem" in response.text
    response = post(client, f"/partnerships/{partnership.id}/objectives/new", data={
        "title": "Bad", "priority": "high", "owner_organisation_id": cast.own_org.id, "communities": ["1"],
        "indicator": "People", "unit": "people", "baseline": "10", "target": "50",
        **_date("baseline_date", 1, 4, 2025), **_date("target_date", 1, 4, 2024),
    })  # fmt: skip
    assert "Enter a target date after the baseline date" in _errors(response.text)
    assert _count(app, Objective) == before


def test_partnership_dates_and_dissolved_members_are_refused(app, cast, as_user) -> None:
    client = as_user(cast.manager)
    response = post(client, "/partnerships/new", data={
        "name": "Backwards", "purpose": "x", "lead_organisation_id": cast.own_org.id, "status": "active",
        **_date("start_date", 1, 4, 2026), **_date("end_date", 1, 4, 2025)})  # fmt: skip
    assert "Enter an end date after the start date" in _errors(response.text)
    assert _count(app, Partnership) == 0

    partnership = make_partnership(app, cast.manager, cast.own_org)
    successor = make_organisation(app, name="New Integrated Care Board", kind="nhs_body")
    old = make_organisation(app, name="Old Primary Care Trust", kind="nhs_body")
    post(as_user(cast.admin), f"/organisations/{old.id}/dissolve", data={
        **_date("dissolved_on", 31, 3, 2013), "successor_id": successor.id})  # fmt: skip
    response = post(client, f"/partnerships/{partnership.id}/members/new", data={
        "organisation_id": old.id, "role": "member", **_date("joined_on", 1, 4, 2025)})  # fmt: skip
    assert any("has been dissolved" in e and "New Integrated Care Board" in e for e in _errors(response.text))
    assert _count(app, Membership) == 1  # only the lead


def test_leaving_keeps_membership_history(app, cast, as_user) -> None:
    partnership = make_partnership(app, cast.manager, cast.own_org, [cast.other_org])
    with app.app_context():
        membership_id = db.session.scalar(select(Membership.id).where(Membership.organisation_id == cast.other_org.id))
    client = as_user(cast.manager)
    response = post(client, f"/partnerships/{partnership.id}/members/{membership_id}/end",
                           data=_date("left_on", 1, 6, 2025))  # fmt: skip
    assert response.status_code == 302
    response = post(client, f"/partnerships/{partnership.id}/members/new", data={
        "organisation_id": cast.other_org.id, "role": "observer", **_date("joined_on", 1, 9, 2025)})  # fmt: skip
    assert response.status_code == 302
    page = client.get(f"/partnerships/{partnership.id}").text
    assert "1 June 2025" in page and "Current member" in page
    with app.app_context():
        spells = db.session.execute(
            select(Membership.role, Membership.left_on).where(Membership.organisation_id == cast.other_org.id)
            .order_by(Membership.id)).all()  # fmt: skip
    assert [(role, str(left)) for role, left in spells] == [("member", "2025-06-01"), ("observer", "None")]


def test_partner_can_record_progress_only_on_objectives_its_organisation_owns(app, cast, as_user) -> None:
    third = make_organisation(app, name="Charity Partner", sector="third", kind="charity")
    partnership = make_partnership(app, cast.manager, cast.own_org, [third])
    owned = make_objective(app, cast.manager, partnership, cast.own_org)
    not_owned = make_objective(app, cast.manager, partnership, third)
    hidden = make_partnership(app, cast.manager, cast.other_org)
    client = as_user(cast.partner)
    base = f"/partnerships/{partnership.id}/objectives"

    response = post(client, f"{base}/{owned.id}/progress", data={
        "recorded_on": ["1", "9", "2025"], "value": "150", "narrative": "Good progress"})  # fmt: skip
    assert response.status_code == 302
    assert "Good progress" in client.get(f"{base}/{owned.id}").text

    assert post(client, f"{base}/{not_owned.id}/progress", data={
        "recorded_on": ["1", "9", "2025"], "value": "1", "narrative": "x"}).status_code == 403  # fmt: skip
    for url in (f"{base}/{owned.id}/edit", f"{base}/new", f"/partnerships/{partnership.id}/edit",
                f"/partnerships/{partnership.id}/members/new"):  # fmt: skip
        assert client.get(url).status_code in (403, 404)
        assert post(client, url, data={}).status_code in (403, 404)
    assert client.get(f"/partnerships/{hidden.id}").status_code == 404
    listing = client.get("/partnerships/").text
    assert partnership.name in listing and hidden.name not in listing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


def test_list_filters_by_status_member_priority_and_community(app, cast, as_user) -> None:
    first = make_partnership(app, cast.manager, cast.own_org, name="Alpha Safety Partnership", status="active")
    second = make_partnership(app, cast.manager, cast.other_org, name="Beta Health Partnership", status="proposed")
    make_objective(app, cast.manager, first, cast.own_org, priority="low")
    client = as_user(cast.ig)

    def names(query: str) -> list[str]:
        html = client.get(f"/partnerships/?{query}").text
        return [n for n in (first.name, second.name) if n in html]

    assert names("") == [first.name, second.name]
    assert names("q=beta") == [second.name]
    assert names("status=active") == [first.name]
    assert names(f"member={cast.other_org.id}") == [second.name]
    assert names("priority=low") == [first.name]
    assert names("priority=high") == []
    assert names("community=1") == [first.name]
