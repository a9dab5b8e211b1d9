"""Partners see only the agreements their organisation is party to, and only to read them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from factories import Cast, make_agreement, make_organisation, page_text
from flask import Flask

# links and buttons that change an agreement: none may appear on a partner's pages
CHANGE_PATHS = re.compile(r"/(edit|remove|parties/new|items/new|subjects/new|reviews/new|return|terminate|submit|"
                          r"approve|request-signatures|record-signed)\b")  # fmt: skip
LIFECYCLE_BUTTONS = ("Submit for approval", "Approve version", "Return to draft", "Send for signature",
                     "Record that all parties have signed", "Record a review", "Terminate")  # fmt: skip


@pytest.fixture
def world(app: Flask, cast: Cast) -> SimpleNamespace:
    """Agreements with the partner's organisation as a party, one shared with the other partner's, and one not."""
    third = make_organisation(app, name="Neutral Charity", kind="charity", sector="third")
    return SimpleNamespace(
        third=third,
        active=make_agreement(app, cast.manager, [cast.own_org, third], status="active", title="Ours active"),
        draft=make_agreement(app, cast.manager, [cast.own_org, third], title="Ours ready draft"),
        unready=make_agreement(app, cast.manager, [cast.own_org, third], ready=False, title="Ours unready draft"),
        shared=make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="approved", title="Shared"),
        theirs=make_agreement(app, cast.manager, [cast.other_org, third], status="approved", title="Theirs only"),
    )


def _listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return sorted(re.findall(r'href="/agreements/(DSA-\d{4}-\d{4})"', response.text))


def _refs(*agreements) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(a.reference for a in agreements)


def test_partner_lists_only_their_organisations_agreements(cast: Cast, as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.partner)
    mine = _refs(world.active, world.draft, world.unready, world.shared)
    assert _listed(client.get("/agreements/")) == mine
    # filters narrow what they may see; they never widen it
    assert _listed(client.get(f"/agreements/?organisation={cast.other_org.id}")) == _refs(world.shared)
    assert _listed(client.get(f"/agreements/?organisation={world.third.id}")) == _refs(
        world.active, world.draft, world.unready
    )
    assert _listed(client.get(f"/agreements/?q={world.theirs.reference}")) == []
    assert _listed(client.get("/agreements/?q=Theirs")) == []
    assert _listed(client.get("/agreements/?status=approved")) == _refs(world.shared)
    # the manager, for contrast, sees them all
    assert _listed(as_user(cast.manager).get("/agreements/")) == sorted([*mine, world.theirs.reference])


def test_the_organisation_filter_offers_a_partner_only_their_organisation(cast: Cast, as_user, world) -> None:  # type: ignore[no-untyped-def]
    page = as_user(cast.partner).get("/agreements/").text
    select = re.search(r'<select class="govuk-select" id="organisation".*?</select>', page, re.S)
    assert select is not None
    assert cast.own_org.name in select[0]
    assert cast.other_org.name not in select[0]
    assert world.third.name not in select[0]


def test_partner_organisation_page_lists_only_their_agreements(cast: Cast, as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.partner)
    response = client.get(f"/organisations/{cast.own_org.id}")
    assert _listed(response) == _refs(world.active, world.draft, world.unready, world.shared)
    for hidden in (cast.other_org, world.third):
        assert client.get(f"/organisations/{hidden.id}").status_code == 404


@pytest.mark.parametrize("who", ["partner", "other_partner"])
def test_pages_of_an_agreement_answer_404_unless_their_organisation_is_a_party(
    cast: Cast, as_user, world, who: str
) -> None:  # type: ignore[no-untyped-def]
    client = as_user(getattr(cast, who))
    visible = {
        "partner": (world.active, world.draft, world.unready, world.shared),
        "other_partner": (world.shared, world.theirs),
    }[who]
    for name in ("active", "draft", "unready", "shared", "theirs"):
        agreement = getattr(world, name)
        base = f"/agreements/{agreement.reference}"
        pages = [base, f"{base}/compare", f"{base}/versions/1"]
        expected = 200 if agreement in visible else 404
        for path in pages:
            if path.endswith("/versions/1") and name in ("draft", "unready"):
                assert client.get(path).status_code == 404  # no approved version yet
                continue
            assert client.get(path).status_code == expected, (who, path)
        # and a form to change it: hidden is 404, visible but not theirs to change is 403
        assert client.get(f"{base}/edit/purpose").status_code == (403 if agreement in visible else 404)
        assert client.get(f"{base}/reviews/new").status_code == (403 if agreement in visible else 404)


def test_a_reference_in_lower_case_is_still_hidden(cast: Cast, as_user, world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.partner)
    assert client.get(f"/agreements/{world.active.reference.lower()}").status_code == 200
    assert client.get(f"/agreements/{world.theirs.reference.lower()}").status_code == 404


@pytest.mark.parametrize("name", ["active", "draft", "unready", "shared"])
def test_partner_pages_are_read_only(cast: Cast, as_user, world, name: str) -> None:  # type: ignore[no-untyped-def]
    agreement = getattr(world, name)
    url = f"/agreements/{agreement.reference}"
    staff = as_user(cast.admin).get(url).text
    assert CHANGE_PATHS.search(staff), "the admin, for contrast, has links and buttons to change it"

    response = as_user(cast.partner).get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert agreement.title in text
    assert not CHANGE_PATHS.findall(" ".join(re.findall(r'(?:href|action)="([^"]*)"', response.text)))
    assert ">Change<" not in response.text
    for label in ("Add a party", "Add a data item", "Add a group of people", "Remove", *LIFECYCLE_BUTTONS):
        assert label not in text, label
    assert response.text.count('method="post"') == 1  # only signing out
    if name == "unready":
        assert "Describe the purpose of the sharing" in text  # gaps are listed, but not as links to change them
        assert "edit_section" not in response.text


def test_partner_sees_no_create_button(cast: Cast, as_user, world) -> None:  # type: ignore[no-untyped-def]
    assert "Create a data-sharing agreement" not in page_text(as_user(cast.partner).get("/agreements/"))
    assert "Create a data-sharing agreement" in page_text(as_user(cast.manager).get("/agreements/"))
    assert as_user(cast.partner).get("/agreements/new").status_code == 403
