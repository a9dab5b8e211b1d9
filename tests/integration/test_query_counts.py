"""Every list and detail page issues a constant number of SQL statements whatever the number of
rows it shows (the "scale" issue): each page is read at a small data size and again after the
data has grown, and its statement count must not grow.

Statements are counted with a ``before_cursor_execute`` listener on the app's engine. The data
grows from 3 to 12 of each thing a page lists (organisations, members, objectives with progress
updates, agreements with parties and data items, users, communities, audit events), which keeps
every list on its first page (20 rows). Detail pages are read for a record made at each size
(an agreement with 3 parties and items, then one with 12), so the page URL changes but the
question is the same: does the count depend on the rows?

A count may fall as the data grows, never rise: a history page looks up names with one query
per kind of record on the page (organisation, user, objective, ...), so a page whose twenty
newest events are all of one kind needs fewer queries than a page of mixed events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from counting import counting
from factories import (
    make_agreement,
    make_cast,
    make_objective,
    make_organisation,
    make_partnership,
    make_user,
    update_organisation,
)
from flask import Flask

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, Objective, Partnership, Role
from registry.services import paging

SMALL, LARGE = 3, 12

# page name -> reason, for pages whose count still grows with the rows (none: keep it that way)
KNOWN_N_PLUS_ONE: dict[str, str] = {}


def _grow(app: Flask, world: dict[str, Any], size: int) -> None:
    """Add rows until there are ``size`` of each thing, and a detail-page record made at this size."""
    cast = world["cast"]
    orgs: list = world["orgs"]
    while len(orgs) < size:
        orgs.append(make_organisation(app, sector="third", kind="charity"))
    while len(world["users"]) < size:
        world["users"].append(make_user(app, Role.MANAGER))
    partnership = world["partnership"]
    soon = today_in_london() + timedelta(days=10)
    with app.app_context():
        from registry.services import objectives, partnerships

        actor = db.session.merge(cast.admin)
        live = db.session.get(Partnership, partnership.id)
        for organisation in orgs[world["members"] : size]:
            partnerships.add_member(
                actor, live, organisation_id=organisation.id, role="member", joined_on=date(2025, 4, 1)
            )
        world["members"] = size
        for n in range(world["communities"], size):
            objectives.add_community(actor, f"Scale community {n}")
        world["communities"] = size
        db.session.commit()
    while len(world["objectives"]) < size:
        objective = make_objective(app, cast.admin, partnership, orgs[len(world["objectives"])])
        world["objectives"].append(objective)
    with app.app_context():
        from registry.services import objectives

        actor = db.session.merge(cast.admin)
        for objective in world["objectives"]:
            live_objective = db.session.get(Objective, objective.id)
            have = len(objectives.updates(live_objective))
            for n in range(have, size):
                objectives.add_progress(
                    actor,
                    live_objective,
                    recorded_on=date(2025, 5, 1) + timedelta(days=n),
                    value=Decimal(100 + n),
                    narrative=f"Update {n}",
                )
        db.session.commit()
    while len(world["partnerships"]) < size:
        member = orgs[len(world["partnerships"])]
        extra = make_partnership(app, cast.admin, cast.own_org, [member])
        make_objective(app, cast.admin, extra, member)
        world["partnerships"].append(extra)
    while len(world["agreements"]) < size:
        other = orgs[len(world["agreements"]) % len(orgs)]
        world["agreements"].append(
            make_agreement(app, cast.admin, [cast.own_org, other], status="active", next_review_date=soon)
        )
    world["detail"] = _detail_agreement(app, cast, orgs[: size - 1], size, approve=True)
    world["draft"] = _detail_agreement(app, cast, orgs[: size - 1], size, approve=False)
    while world["edits"] < size:
        world["edits"] += 1
        update_organisation(app, cast.own_org, address=f"{world['edits']} High Street")


def _detail_agreement(app: Flask, cast: Any, others: list, size: int, *, approve: bool) -> str:
    """An agreement with ``size`` parties and ``size`` data items; approved (so version 1 exists)
    or left a draft (so its pages build the current record's snapshot)."""
    from registry.services import agreement_parts, lifecycle

    detail = make_agreement(app, cast.admin, [cast.own_org, *others], status="draft")
    with app.app_context():
        actor = db.session.merge(cast.admin)
        live = db.session.get(Agreement, detail.id)
        for n in range(1, size):
            provider = others[(n - 1) % len(others)]
            agreement_parts.add_item(
                actor,
                live,
                {"name": f"Item {n}", "category": "personal", "provider_organisation_id": provider.id},
                read_version=live.lock_version,
            )
        if approve:  # four-eyes: the IG officer approves what the admin submitted
            lifecycle.submit(actor, live, read_version=live.lock_version)
            lifecycle.approve(db.session.merge(cast.ig), live, read_version=live.lock_version)
        db.session.commit()
        return f"/agreements/{live.reference}"


PAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "organisations list": lambda w: "/organisations/",
    "organisation page": lambda w: f"/organisations/{w['cast'].own_org.id}",
    "partnerships list": lambda w: "/partnerships/",
    "partnership page": lambda w: f"/partnerships/{w['partnership'].id}",
    "objective page": lambda w: f"/partnerships/{w['partnership'].id}/objectives/{w['objectives'][0].id}",
    "agreements list": lambda w: "/agreements/",
    "agreements list (filtered)": lambda w: f"/agreements/?status=active&organisation={w['cast'].own_org.id}",
    "agreements list (by title)": lambda w: "/agreements/?sort=title",
    "agreements list (by review date, a later page)": lambda w: (
        "/agreements/?sort=review&after=" + paging.encode([date(1, 1, 1), 0])
    ),
    "agreement page": lambda w: w["detail"],
    "agreement version": lambda w: w["detail"] + "/versions/1",
    "agreement compare": lambda w: w["detail"] + "/compare",
    "document (HTML)": lambda w: w["detail"] + "/document",
    "draft agreement page": lambda w: w["draft"],
    "draft compare (current record)": lambda w: w["draft"] + "/compare",
    "draft document (HTML)": lambda w: w["draft"] + "/document",
    "reviews dashboard": lambda w: "/reviews/?window=30",
    "governance dashboard": lambda w: "/governance/",
    "compliance report": lambda w: "/governance/compliance",
    "audit log": lambda w: "/audit/",
    "audit log (a later page)": lambda w: "/audit/?after=" + paging.encode([10**9]),
    "organisation history": lambda w: f"/organisations/{w['cast'].own_org.id}/history",
    "partnership history": lambda w: f"/partnerships/{w['partnership'].id}/history",
    "admin users list": lambda w: "/admin/users/",
    "communities page": lambda w: "/admin/communities/",
    "search (every kind)": lambda w: "/search?q=test",
    "search (one kind)": lambda w: "/search?q=agreement&kind=agreements",
}


# something from the newest rows that each page must show, so a constant count is not an empty page
MARKERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "organisations list": lambda w: w["orgs"][-1].name,
    "organisation page": lambda w: w["agreements"][-1].reference,
    "partnerships list": lambda w: w["partnerships"][-1].name,
    "partnership page": lambda w: w["objectives"][-1].title,
    "objective page": lambda w: f"Update {len(w['orgs']) - 1}",
    "agreements list": lambda w: w["agreements"][-1].reference,
    "agreements list (filtered)": lambda w: w["agreements"][-1].reference,
    "agreements list (by title)": lambda w: w["agreements"][-1].reference,
    "agreements list (by review date, a later page)": lambda w: w["agreements"][-1].reference,
    "agreement page": lambda w: f"Item {len(w['orgs']) - 1}",
    "agreement version": lambda w: f"Item {len(w['orgs']) - 1}",
    "document (HTML)": lambda w: f"Item {len(w['orgs']) - 1}",
    "draft agreement page": lambda w: f"Item {len(w['orgs']) - 1}",
    "draft document (HTML)": lambda w: f"Item {len(w['orgs']) - 1}",
    "reviews dashboard": lambda w: w["agreements"][-1].reference,
    "compliance report": lambda w: w["agreements"][-1].reference,
    "organisation history": lambda w: f"{w['edits']} High Street",
    "admin users list": lambda w: w["users"][-1].email,
    "communities page": lambda w: f"Scale community {w['communities'] - 1}",
    "search (every kind)": lambda w: "Test Organisation",
    "search (one kind)": lambda w: w["agreements"][-1].reference,
}


def _measure(app: Flask, world: dict[str, Any]) -> dict[str, int]:
    client = app.test_client(user=world["cast"].admin)
    counts = {}
    for name, url_for_world in PAGES.items():
        url = url_for_world(world)
        client.get(url)  # warm: first-request work (caches, lazy config) is not the page's
        with counting(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, f"{name}: GET {url} answered {response.status_code}"
        counts[name] = len(statements)
        if name in MARKERS:
            assert MARKERS[name](world) in response.text, f"{name}: {url} does not show the newest rows"
    return counts


def test_each_page_issues_a_constant_number_of_queries(app: Flask) -> None:
    cast = make_cast(app)
    partnership = make_partnership(app, cast.admin, cast.own_org)
    world: dict[str, Any] = {
        "cast": cast,
        "partnership": partnership,
        "orgs": [],
        "users": [],
        "objectives": [],
        "agreements": [],
        "partnerships": [],
        "members": 0,
        "communities": 0,
        "edits": 0,
    }
    _grow(app, world, SMALL)
    small = _measure(app, world)
    _grow(app, world, LARGE)
    large = _measure(app, world)

    grew = {name: (small[name], large[name]) for name in PAGES if large[name] > small[name]}
    unexpected = {name: counts for name, counts in grew.items() if name not in KNOWN_N_PLUS_ONE}
    assert unexpected == {}, f"statements per page grew with the rows ({SMALL} -> {LARGE}): {unexpected}"
    fixed = sorted(set(KNOWN_N_PLUS_ONE) - set(grew))
    assert fixed == [], f"no longer growing, take out of KNOWN_N_PLUS_ONE: {fixed}"
