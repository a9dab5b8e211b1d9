"""The agreements register: filters in the address, sorts, keyset pages, and bad dates by their field."""

from __future__ import annotations

import re
from datetime import timedelta

from factories import Cast, error_summary, field_error, make_organisation, page_text, pager_link
from factories_agreements import make_agreement
from flask import Flask

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement
from registry.services import agreement_parts, paging


def references(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r">(DSA-\d{4}-\d{4})</a>", response.text)


def test_pages_follow_the_sort_without_gaps_or_repeats(app: Flask, cast: Cast, as_user) -> None:
    made = [make_agreement(app, cast.manager, [cast.own_org], ready=False, title=f"Title {n:02d}") for n in range(45)]
    by_title = [a.reference for a in sorted(made, key=lambda a: a.title)]
    client = as_user(cast.manager)
    seen: list[str] = []
    response = client.get("/agreements/?sort=title&status=draft")
    pages = [response]
    while (following := pager_link(response, "next")) is not None:
        assert "sort=title" in following and "status=draft" in following  # the filters stay
        response = client.get(following)
        pages.append(response)
    for page in pages:
        seen += references(page)
    assert seen == by_title and len(pages) == 3
    assert "45 agreements match" in page_text(pages[-1])
    back = client.get(pager_link(pages[-1], "prev"))
    assert references(back) == by_title[20:40]
    first = client.get(pager_link(back, "prev"))
    assert references(first) == by_title[:20] and pager_link(first, "prev") is None
    # newest reference first goes the other way
    newest = client.get("/agreements/?sort=-reference&status=draft")
    assert references(newest) == sorted(by_title, reverse=True)[:20]
    # a token that is not ours is the first page, not an error
    assert references(client.get("/agreements/?sort=title&status=draft&after=not-a-token")) == by_title[:20]
    for values in (["Title 01", "not a number"], [{"d": "2026-01-01"}, 1], ["Title 01"]):
        edited = paging.encode(values)  # the right shape, the wrong types
        assert references(client.get(f"/agreements/?sort=title&status=draft&after={edited}")) == by_title[:20]
    review_token = paging.encode(["not a date", 1])
    assert client.get(f"/agreements/?sort=review&before={review_token}").status_code == 200


def test_each_filter_narrows_the_list(app: Flask, cast: Cast, as_user) -> None:
    today = today_in_london()
    other = make_organisation(app, name="Filter Fire Service", kind="fire")
    plain = make_agreement(
        app,
        cast.manager,
        [cast.own_org, cast.other_org],
        status="approved",
        next_review_date=today + timedelta(days=100),
    )
    soon = make_agreement(app, cast.manager, [cast.own_org, other], status="approved",
                          next_review_date=today + timedelta(days=10))  # fmt: skip
    later = make_agreement(app, cast.manager, [cast.other_org, other], status="active",
                           next_review_date=today + timedelta(days=45),
                           effective_from=today - timedelta(days=200))  # fmt: skip
    sensitive = make_agreement(app, cast.manager, [other], ready=False)
    with app.app_context():  # (a change to a live agreement would make it a new draft)
        agreement = db.session.get(Agreement, sensitive.id)
        agreement_parts.add_item(db.session.merge(cast.manager), agreement,
                                 {"name": "Health records", "category": "special_category"},
                                 read_version=agreement.lock_version)  # fmt: skip
        db.session.commit()
    client = as_user(cast.manager)

    def found(query: str) -> set[str]:
        return set(references(client.get(f"/agreements/?{query}")))

    assert found("") == {plain.reference, soon.reference, later.reference, sensitive.reference}
    assert found("review=30") == {soon.reference}
    assert found("review=60") == {later.reference}
    assert found("data=special_category") == {sensitive.reference}
    assert found(f"organisation={other.id}") == {soon.reference, later.reference, sensitive.reference}
    assert found(f"organisation={cast.own_org.id}") == {plain.reference, soon.reference}
    assert found("status=active") == {later.reference}
    start = (today - timedelta(days=30)).strftime("%d/%m/%Y")
    assert found(f"starts_from={start}") == {plain.reference, soon.reference}
    assert found(f"starts_to={start}") == {later.reference}
    in_review_order = references(client.get("/agreements/?sort=review"))
    assert in_review_order == [soon.reference, later.reference, plain.reference, sensitive.reference]


def test_a_date_that_cannot_be_read_is_shown_by_its_field(app: Flask, cast: Cast, as_user) -> None:
    made = make_agreement(app, cast.manager, [cast.own_org], ready=False)
    response = as_user(cast.manager).get("/agreements/?starts_from=31/2/2026&changed_since=soon")
    assert response.status_code == 200
    assert "<title>Error: Data-sharing agreements" in response.text
    message = "Enter a real date for ‘starts on or after’, like 27/3/2026"
    assert error_summary(response)[0] == message
    assert message in (field_error(response, "starts_from") or "")
    assert 'value="31/2/2026"' in response.text  # what was typed stays
    assert made.reference in references(response)  # the list is shown without that date


def test_partners_find_only_their_organisations_agreements(app: Flask, cast: Cast, as_user) -> None:
    own = make_agreement(app, cast.manager, [cast.own_org], ready=False)
    theirs = make_agreement(app, cast.manager, [cast.other_org], ready=False)
    assert references(as_user(cast.partner).get("/agreements/")) == [own.reference]
    # asking for another organisation's agreements finds nothing, not theirs
    assert references(as_user(cast.partner).get(f"/agreements/?organisation={cast.other_org.id}")) == []
    assert references(as_user(cast.other_partner).get("/agreements/")) == [theirs.reference]


def test_the_search_box_finds_words_in_the_title_and_purpose_and_the_reference(app: Flask, cast: Cast, as_user) -> None:
    housing = make_agreement(app, cast.manager, [cast.own_org], ready=False, title="Tenancy sustainment referrals")
    other = make_agreement(app, cast.manager, [cast.own_org], ready=False, title="School attendance")
    client = as_user(cast.manager)
    assert references(client.get("/agreements/?q=tenancy+referrals")) == [housing.reference]
    assert references(client.get(f"/agreements/?q={other.reference.lower()}")) == [other.reference]
    assert references(client.get("/agreements/?q=%22NEAR(*")) == []  # query syntax is never passed on


def test_an_organisation_page_shows_twenty_agreements_and_links_to_the_rest(app: Flask, cast: Cast, as_user) -> None:
    made = [make_agreement(app, cast.manager, [cast.own_org], ready=False) for _ in range(21)]
    client = as_user(cast.manager)
    page = client.get(f"/organisations/{cast.own_org.id}")
    assert len(references(page)) == 20
    assert f'href="/agreements/?organisation={cast.own_org.id}&amp;sort=review"' in page.text
    listed = client.get(f"/agreements/?organisation={cast.own_org.id}&sort=review")
    assert "21 agreements match" in page_text(listed) and len(made) == 21
