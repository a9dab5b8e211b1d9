"""The search box: one query across organisations, partnerships and agreements, on both databases.

Records are made through the services (so the index triggers or generated columns must keep
up with ORM writes); the results are read from the page a user sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import flask_migrate
import pytest
from factories import Cast, make_agreement, make_cast, make_organisation, make_partnership, update_organisation
from flask import Flask
from sqlalchemy import inspect, text

from registry.extensions import db
from registry.models import Agreement
from registry.services import search

HOSTILE = [
    '"',
    '"unbalanced',
    "*",
    "NEAR(",
    "NEAR(a b)",
    "-",
    "-housing",
    "a OR b AND NOT c",
    "housing:*",
    "!&|()<>",
    "'; DROP TABLE agreement; --",
    "%_\\",
    "½ ℌ ᵃ",
    "Zero\u200bwidth \u202eevil\u202c",
    "Z\u0351\u0352a\u0353\u0354l\u0355g\u0356o",
    "Team \U0001f468\u200d\U0001f469\u200d\U0001f467",
    "x" * 5000,
    "the and of",
    "\x00\x0b",
    "<script>alert(1)</script>",
]


def _links(html: str, section: str) -> list[str]:
    """The link texts in one kind's list of results, in order."""
    block = re.search(rf'id="{section}-results">(.*?)</ul>', html, re.S)
    return (
        [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]
        if block
        else []
    )


def _found(html: str, section: str) -> list[str]:
    return [re.sub("&amp;", "&", t) for t in _links(html, section)]


@pytest.fixture
def world(app: Flask) -> Cast:
    cast = make_cast(app)
    cast.fire = make_organisation(app, name="Northshire Fire and Rescue", kind="fire_and_rescue")  # type: ignore[attr-defined]
    cast.safety = make_partnership(  # type: ignore[attr-defined]
        app, cast.admin, cast.own_org, [cast.fire], name="Community Safety Board", purpose="Reduce antisocial behaviour"
    )
    cast.families = make_agreement(  # type: ignore[attr-defined]
        app, cast.admin, [cast.own_org, cast.fire], title="Troubled families referrals", purpose="Early help"
    )
    cast.police_only = make_agreement(  # type: ignore[attr-defined]
        app, cast.admin, [cast.other_org], title="Troubled families police checks", purpose="Safeguarding"
    )
    return cast


def test_each_kind_is_found_by_its_words_and_the_last_word_by_its_start(world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world.manager)
    page = client.get("/search?q=troubled+famil")
    assert page.status_code == 200
    assert sorted(_found(page.text, "agreements")) == sorted(
        [
            f"{world.families.reference}: Troubled families referrals",
            f"{world.police_only.reference}: Troubled families police checks",
        ]  # type: ignore[attr-defined]
    )
    assert "Agreements (2)" in page.text
    assert _found(client.get("/search?q=antisocial").text, "partnerships") == ["Community Safety Board"]
    assert _found(client.get("/search?q=Northshire+fire").text, "organisations") == ["Northshire Fire and Rescue"]
    assert "No organisations match your search." in client.get("/search?q=troubled").text


def test_an_exact_reference_or_identifier_comes_first(app: Flask, world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    reference = world.families.reference  # type: ignore[attr-defined]
    # another agreement says the reference over and over in its title and purpose: it still ranks second
    echo = make_agreement(
        app, world.admin, [world.own_org], title=f"Follows {reference} {reference}", purpose=f"See {reference}. " * 5
    )
    client = as_user(world.admin)
    found = _found(client.get(f"/search?q={reference.lower()}").text, "agreements")
    assert found[0].startswith(reference + ":") and any(f.startswith(echo.reference) for f in found)

    update_organisation(app, world.fire, ico_registration_number="ZA123456")  # type: ignore[attr-defined]
    make_organisation(app, name="ZA123456 ZA123456 Trust")
    found = _found(client.get("/search?q=za123456").text, "organisations")
    assert found == ["Northshire Fire and Rescue", "ZA123456 ZA123456 Trust"]
    assert "ZA123456" in client.get("/search?q=za123456").text  # the identifier is shown by the name


def test_partners_find_only_what_they_may_see(world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    partner = as_user(world.partner)
    assert _found(partner.get("/search?q=troubled").text, "agreements") == [
        f"{world.families.reference}: Troubled families referrals"  # type: ignore[attr-defined]
    ]
    assert _found(partner.get("/search?q=community+safety").text, "partnerships") == ["Community Safety Board"]
    assert _found(partner.get("/search?q=housing").text, "organisations") == ["Own Housing Association"]
    assert _found(partner.get("/search?q=northshire").text, "organisations") == []  # not their own organisation
    assert _found(partner.get("/search?q=police").text, "organisations") == []

    other = as_user(world.other_partner)
    assert _found(other.get("/search?q=troubled").text, "agreements") == [
        f"{world.police_only.reference}: Troubled families police checks"  # type: ignore[attr-defined]
    ]
    assert _found(other.get("/search?q=community+safety").text, "partnerships") == []
    assert _found(other.get("/search?q=housing").text, "organisations") == []
    assert _found(other.get("/search?q=police").text, "organisations") == ["Other Police Force"]
    for kind in search.KINDS:
        page = other.get(f"/search?q=troubled+referrals&kind={kind}")
        assert not [hit for hit in _found(page.text, kind) if world.families.reference in hit]  # type: ignore[attr-defined]


def test_changes_and_new_rows_are_searchable_at_once(app: Flask, world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        agreement = db.session.get(Agreement, world.families.id)  # type: ignore[attr-defined]
        agreement.title = "Homelessness prevention"
        db.session.commit()
    client = as_user(world.admin)
    assert _found(client.get("/search?q=homelessness").text, "agreements") == [
        f"{world.families.reference}: Homelessness prevention"  # type: ignore[attr-defined]
    ]
    assert _found(client.get("/search?q=referrals").text, "agreements") == []
    update_organisation(app, world.fire, name="Northshire Fire Service")  # type: ignore[attr-defined]
    assert _found(client.get("/search?q=rescue").text, "organisations") == []
    assert _found(client.get("/search?q=fire+servic").text, "organisations") == ["Northshire Fire Service"]


@pytest.mark.parametrize("kind", ["", "organisations", "partnerships", "agreements"])
def test_hostile_input_is_answered_not_an_error(world: Cast, as_user, kind: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world.admin)
    for value in HOSTILE:
        page = client.get("/search", query_string={"q": value, "kind": kind})
        assert page.status_code == 200, value
        assert "<script>alert(1)" not in page.text
    page = client.get("/search", query_string={"q": '"troubled" -(fam*', "kind": kind})
    assert page.status_code == 200
    if kind in ("", "agreements"):
        assert world.families.reference in page.text  # type: ignore[attr-defined]


def test_a_kind_is_paged_in_a_fixed_order(app: Flask, world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    made = [make_agreement(app, world.admin, [world.own_org], ready=False, title=f"Paging test {n}") for n in range(23)]
    client = as_user(world.admin)
    summary = client.get("/search?q=paging+test")
    assert len(_found(summary.text, "agreements")) == search.SUMMARY_SIZE
    assert "See all 23 agreements" in summary.text
    first = client.get("/search?q=paging+test&kind=agreements")
    second = client.get("/search?q=paging+test&kind=agreements&page=2")
    assert "23 matches" in first.text and "Showing 1 to 20" in first.text and "Showing 21 to 23" in second.text
    shown = _found(first.text, "agreements") + _found(second.text, "agreements")
    # equal ranks: by id
    assert shown == [f"{a.reference}: {a.title}" for a in made]
    assert _found(client.get("/search?q=paging+test&kind=agreements&page=99").text, "agreements") == shown[20:]


def test_counts_stop_at_the_cap_and_then_newest_come_first(app_factory: Callable[..., Flask], as_user) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(SEARCH_COUNT_CAP=3)
    cast = make_cast(app)
    made = [make_agreement(app, cast.admin, [cast.own_org], ready=False, title=f"Capped {n}") for n in range(5)]
    client = app.test_client(user=cast.admin)
    summary = client.get("/search?q=capped")
    assert "Agreements (more than 3)" in summary.text and "See more than 3 agreements" in summary.text
    page = client.get("/search?q=capped&kind=agreements")
    assert "More than 3 matches" in page.text
    assert _found(page.text, "agreements")[:3] == [f"{a.reference}: {a.title}" for a in reversed(made)][:3]


def test_the_header_has_a_search_box_for_signed_in_users_only(world: Cast, as_user, client) -> None:  # type: ignore[no-untyped-def]
    page = as_user(world.partner).get("/")
    assert 'action="/search"' in page.text and 'id="app-header-search"' in page.text
    assert 'id="app-header-search"' not in client.get("/sign-in").text
    assert client.get("/search?q=x").status_code == 302
    empty = as_user(world.partner).get("/search")
    assert empty.status_code == 200 and "Enter words to search for" in empty.text


def test_the_index_goes_down_and_up_with_its_migration(app: Flask, world: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        try:
            flask_migrate.downgrade(revision="0008")
            names = set(inspect(db.engine).get_table_names())
            assert not {name for name in names if search.is_index_table(name)}
            columns = {c["name"] for c in inspect(db.engine).get_columns("agreement")}
            assert "search_vector" not in columns
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as connection:
                    assert not connection.execute(
                        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%search%'")
                    ).all()
        finally:
            flask_migrate.upgrade()
            db.engine.dispose()
    # rows made before the index was built are found
    found = _found(as_user(world.admin).get("/search?q=troubled+families").text, "agreements")
    assert len(found) == 2
