"""A form that creates a record carries a one-time token: sent twice, or twice at once, it saves one record."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    error_summary,
    make_agreement,
    make_objective,
    make_partnership,
    page_text,
)
from flask import Flask
from flask.testing import FlaskClient
from pages import form_tokens

from registry import dates
from registry.extensions import db
from registry.models import (
    Agreement,
    Community,
    DataItem,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Party,
    ProgressUpdate,
    Review,
    SubjectGroup,
    SubmissionToken,
    User,
)
from registry.services import objectives, submissions
from registry.web.once import ALREADY_SENT, MISSING

# what a case gives: the client that sends the form, its address, what is typed, the model and audit action made
Case = tuple[FlaskClient, str, dict[str, Any], type, str]


def _date(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _version(app: Flask, agreement: Any) -> str:
    with app.app_context():
        return str(db.session.get(Agreement, agreement.id).lock_version)  # type: ignore[union-attr]


def _organisation(app: Flask, cast: Cast, as_user: Callable) -> Case:
    data = {"name": "Northbridge Youth Trust", "sector": "third", "kind": "charity"}
    return as_user(cast.manager), "/organisations/new", data, Organisation, "organisation.created"


def _partnership(app: Flask, cast: Cast, as_user: Callable) -> Case:
    data = {"name": "Digital Inclusion", "purpose": "Get tenants online", "lead_organisation_id": cast.own_org.id,
            "status": "active"}  # fmt: skip
    return as_user(cast.manager), "/partnerships/new", data, Partnership, "partnership.created"


def _member(app: Flask, cast: Cast, as_user: Callable) -> Case:
    partnership = make_partnership(app, cast.manager, cast.own_org)
    data = {"organisation_id": cast.other_org.id, "role": "member", **_date("joined_on", date(2025, 4, 1))}
    url = f"/partnerships/{partnership.id}/members/new"
    return as_user(cast.manager), url, data, Membership, "partnership.member_added"


def _objective(app: Flask, cast: Cast, as_user: Callable) -> Case:
    partnership = make_partnership(app, cast.manager, cast.own_org)
    data = {"title": "More tenants online", "priority": "high", "owner_organisation_id": cast.own_org.id,
            "communities": ["1"], "indicator": "Tenants online", "unit": "per cent", "baseline": "40", "target": "80",
            **_date("baseline_date", date(2025, 4, 1)), **_date("target_date", date(2027, 4, 1))}  # fmt: skip
    url = f"/partnerships/{partnership.id}/objectives/new"
    return as_user(cast.manager), url, data, Objective, "objective.created"


def _progress_form(app: Flask, cast: Cast) -> tuple[str, dict[str, Any]]:
    partnership = make_partnership(app, cast.manager, cast.own_org)
    objective = make_objective(app, cast.manager, partnership, cast.own_org)
    data = {**_date("recorded_on", date(2025, 7, 1)), "value": "150", "narrative": "Drop-in sessions"}
    return f"/partnerships/{partnership.id}/objectives/{objective.id}/progress", data


def _progress(app: Flask, cast: Cast, as_user: Callable) -> Case:
    url, data = _progress_form(app, cast)
    return as_user(cast.manager), url, data, ProgressUpdate, "objective.progress_recorded"


def _agreement(app: Flask, cast: Cast, as_user: Callable) -> Case:
    data = {"title": "Anti-social behaviour case sharing", "kind": "two_way"}
    return as_user(cast.manager), "/agreements/new", data, Agreement, "agreement.created"


def _part(model: type, action: str, path: str, fields: Callable[[Cast], dict[str, Any]]) -> Callable[..., Case]:
    def case(app: Flask, cast: Cast, as_user: Callable) -> Case:
        agreement = make_agreement(app, cast.manager, [cast.own_org], ready=False)
        data = {"version": _version(app, agreement), **fields(cast)}
        return as_user(cast.manager), f"/agreements/{agreement.reference}/{path}", data, model, action

    return case


def _review(app: Flask, cast: Cast, as_user: Callable) -> Case:
    today = dates.today_in_london()
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active",
                               next_review_date=today - timedelta(days=3))  # fmt: skip
    data = {**_date("reviewed_on", today), "outcome": "continue", "notes": "Still needed"}
    return as_user(cast.ig), f"/agreements/{agreement.reference}/reviews/new", data, Review, "agreement.reviewed"


def _community(app: Flask, cast: Cast, as_user: Callable) -> Case:
    return as_user(cast.admin), "/admin/communities/", {"name": "Veterans"}, Community, "community.added"


def _user(app: Flask, cast: Cast, as_user: Callable) -> Case:
    data = {"email": "new.person@example.org", "name": "New Person", "role": "manager", "organisation_id": "",
            "password": "a-long-enough-password"}  # fmt: skip
    return as_user(cast.admin), "/admin/users/new", data, User, "user.created"


CASES: dict[str, Callable[..., Case]] = {
    "organisation": _organisation,
    "partnership": _partnership,
    "member": _member,
    "objective": _objective,
    "progress update": _progress,
    "agreement": _agreement,
    "party": _part(Party, "agreement.party_added", "parties/new",
                   lambda cast: {"organisation_id": cast.other_org.id, "role": "recipient"}),
    "data item": _part(DataItem, "agreement.item_added", "items/new",
                       lambda cast: {"name": "Date of birth", "category": "personal"}),
    "subject group": _part(SubjectGroup, "agreement.subjects_added", "subjects/new",
                           lambda cast: {"name": "Tenants in ASB cases"}),
    "review": _review,
    "community": _community,
    "user": _user,
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_create_form_sent_twice_saves_one_record(app: Flask, cast: Cast, as_user, case: str) -> None:  # type: ignore[no-untyped-def]
    client, url, data, model, action = CASES[case](app, cast, as_user)
    tokens = form_tokens(client, url)
    assert "submission_token" in tokens, "the form's page gives it a token"
    records, events = count(app, model), len(audit_events(app, action))

    first = client.post(url, data={**tokens, **data})
    assert first.status_code == 302, error_summary(first)
    second = client.post(url, data={**tokens, **data})
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"], "sent where the first one led"
    assert ALREADY_SENT in page_text(client.get(second.headers["Location"]))
    assert count(app, model) == records + 1
    assert len(audit_events(app, action)) == events + 1

    again = form_tokens(client, url)["submission_token"]
    assert again != tokens["submission_token"], "each page gives a new token"


def test_a_form_without_its_token_is_refused_and_given_a_new_one(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client, url, data, model, _ = _organisation(app, cast, as_user)
    tokens, records = form_tokens(client, url), count(app, model)
    for token in (None, "", "not-a-token", "x" * 200):
        sent = {"csrf_token": tokens["csrf_token"], **data} | ({} if token is None else {"submission_token": token})
        response = client.post(url, data=sent)
        assert response.status_code == 200
        assert error_summary(response) == [MISSING]
        assert count(app, model) == records
    fresh = form_tokens(client, url) | {"submission_token": _token_on(response.text)}
    assert client.post(url, data={**fresh, **data}).status_code == 302, "the page shown again carries a new token"
    assert count(app, model) == records + 1


def _token_on(page: str) -> str:
    import re

    found = re.search(r'name="submission_token"[^>]*value="([^"]+)"', page)
    assert found, "no submission token on the page"
    return found.group(1)


def test_a_form_that_was_not_saved_can_be_sent_again_with_its_token(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client, url, data, model, _ = _organisation(app, cast, as_user)
    tokens, records = form_tokens(client, url), count(app, model)
    taken = client.post(url, data={**tokens, **data, "name": cast.other_org.name})  # refused by the service
    assert taken.status_code == 200 and error_summary(taken)
    assert _token_on(taken.text) == tokens["submission_token"], "shown again with its own token"
    invalid = client.post(url, data={**tokens, **data, "sector": ""})  # refused by the form
    assert invalid.status_code == 200 and error_summary(invalid)
    assert client.post(url, data={**tokens, **data}).status_code == 302
    assert count(app, model) == records + 1


def test_tokens_older_than_a_day_are_removed_as_new_ones_are_claimed(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client, url, data, _, _ = _organisation(app, cast, as_user)
    first = form_tokens(client, url)
    assert client.post(url, data={**first, **data}).status_code == 302
    with app.app_context():  # a day and a minute later, for this token
        row = db.session.get(SubmissionToken, first["submission_token"])
        row.created_at -= submissions.KEEP + timedelta(minutes=1)  # type: ignore[union-attr]
        db.session.commit()
    second = form_tokens(client, url)
    assert client.post(url, data={**second, **data, "name": "Another Trust"}).status_code == 302
    with app.app_context():
        kept = set(db.session.scalars(db.select(SubmissionToken.token)))
    assert kept == {second["submission_token"]}


# --- at once ------------------------------------------------------------------------------------


class Gate:
    """On PostgreSQL: each create waits until both requests have tried to claim the token (or been answered).

    So both posts are past every check and in flight together, the worst case. On SQLite a post's
    transaction begins IMMEDIATE (its first statement takes the write lock), so the second cannot
    begin at all until the first has committed: there is nothing to gate, only the barrier.
    """

    def __init__(self, parties: int) -> None:
        self.parties = parties
        self.arrived: set[int] = set()
        self.condition = threading.Condition()

    def note(self) -> None:
        with self.condition:
            self.arrived.add(threading.get_ident())
            self.condition.notify_all()

    def wait(self) -> None:
        with self.condition:
            self.arrived.add(threading.get_ident())
            self.condition.notify_all()
            if not self.condition.wait_for(lambda: len(self.arrived) >= self.parties, timeout=30):
                raise TimeoutError("the other request never tried to claim the token")


def test_two_identical_progress_updates_sent_at_once_make_one(
    app: Flask, cast: Cast, as_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    url, data = _progress_form(app, cast)
    clients = [as_user(cast.manager), as_user(cast.manager)]  # two tabs' worth: each its own session
    token = form_tokens(clients[0], url)["submission_token"]
    posts = [{**form_tokens(client, url), **data, "submission_token": token} for client in clients]

    gate = Gate(len(clients))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        real_claim, real_add = submissions.claim, objectives.add_progress

        def claim(token: str) -> bool:
            gate.note()
            return real_claim(token)

        def add_progress(*args: Any, **kwargs: Any) -> Any:
            gate.wait()
            return real_add(*args, **kwargs)

        monkeypatch.setattr(submissions, "claim", claim)
        monkeypatch.setattr(objectives, "add_progress", add_progress)

    barrier = threading.Barrier(len(clients), timeout=30)
    responses: list[Any] = [None] * len(clients)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            responses[n] = clients[n].post(url, data=posts[n])
        except BaseException as error:  # noqa: BLE001  (reported below, in the test's own thread)
            errors.append(error)
            barrier.abort()
        finally:
            gate.note()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(len(clients))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []

    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert count(app, ProgressUpdate) == 1
    assert len(audit_events(app, "objective.progress_recorded")) == 1
    notices = [ALREADY_SENT in page_text(client.get(url)) for client in clients]
    assert sorted(notices) == [False, True], "the second one is told, the first is not"
