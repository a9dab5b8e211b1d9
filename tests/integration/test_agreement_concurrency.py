"""Agreements when people act at once: references never collide, and a stale edit or removal changes nothing."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from factories import READY_SECTIONS, Cast, audit_events, make_agreement, make_user, page_text, reload, submit
from flask import Flask
from sqlalchemy import select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, Party, ReferenceCounter, Role, User
from registry.services import agreements

_VERSION = re.compile(r'<input[^>]*name="version"[^>]*value="(\d+)"')


def _create_at_once(app: Flask, actor: User, threads: int, each: int) -> list[str]:
    """``threads`` threads start together, each creating ``each`` agreements and committing each one."""
    barrier = threading.Barrier(threads, timeout=30)
    references: list[str] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for i in range(each):
                    agreement = agreements.create(actor, {"title": f"Thread {n} agreement {i}", "kind": "two_way"})
                    db.session.commit()
                    references.append(agreement.reference)
        except Exception as error:  # noqa: BLE001  (reported below, in the test's own thread)
            errors.append(error)
            barrier.abort()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    assert errors == []
    return references


@pytest.mark.parametrize(("threads", "each"), [(2, 1), (8, 5)])
def test_concurrent_creations_get_distinct_consecutive_references(
    app: Flask, cast: Cast, threads: int, each: int
) -> None:
    # cast.manager is detached and fully loaded: the threads read it, and touch the database only after the barrier
    references = _create_at_once(app, cast.manager, threads, each)
    year = today_in_london().year
    total = threads * each
    assert len(references) == len(set(references)) == total
    assert sorted(references) == [f"DSA-{year}-{n:04d}" for n in range(1, total + 1)]
    assert reload(app, ReferenceCounter, year).last_number == total
    with app.app_context():
        stored = list(db.session.scalars(select(Agreement.reference)))
    assert sorted(stored) == sorted(references)
    assert sorted(e.entity_id for e in audit_events(app, "agreement.created")) == sorted(references)


# --- stale edits ------------------------------------------------------------------------------


def _open_form(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """Load an edit form as a browser does, returning the version it carries."""
    response = client.get(url)
    assert response.status_code == 200
    match = _VERSION.search(response.text)
    assert match, f"no version on {url}"
    return match.group(1)


def _purpose(title: str, version: str) -> dict[str, str]:
    return {**READY_SECTIONS["purpose"], "title": title, "kind": "two_way", "partnership_id": "", "version": version}


def test_a_stale_section_edit_is_refused_and_keeps_the_first_save(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], title="Original title")
    first, second = as_user(cast.manager), as_user(make_user(app, Role.MANAGER, name="Second Manager"))
    url = f"/agreements/{agreement.reference}/edit/purpose"
    first_version, second_version = _open_form(first, url), _open_form(second, url)
    assert first_version == second_version == str(agreement.lock_version)

    response = submit(first, url, _purpose("First manager's title", first_version))
    assert response.status_code == 302
    saved_version = reload(app, Agreement, agreement.id).lock_version
    assert saved_version == agreement.lock_version + 1

    response = submit(second, url, _purpose("Second manager's title", second_version))
    assert response.status_code == 200
    assert 'id="stale-warning"' in response.text
    assert "Someone else saved changes to this record after you opened this page" in page_text(response)
    # the form keeps what the second manager typed, and now carries the version they have seen
    assert "Second manager&#39;s title" in response.text or "Second manager's title" in response.text
    assert _VERSION.search(response.text).group(1) == str(saved_version)  # type: ignore[union-attr]

    stored = reload(app, Agreement, agreement.id)
    assert (stored.title, stored.lock_version) == ("First manager's title", saved_version)
    page = page_text(second.get(f"/agreements/{agreement.reference}"))
    assert "First manager's title" in page
    assert "Second manager's title" not in page
    assert [e.changes["title"]["after"] for e in audit_events(app, "agreement.updated") if "title" in e.changes] == [
        "First manager's title"
    ]

    # saving again, now with the version they have seen, keeps their version
    response = submit(second, url, _purpose("Second manager's title", str(saved_version)))
    assert response.status_code == 302
    assert reload(app, Agreement, agreement.id).title == "Second manager's title"


def test_a_save_to_another_section_after_a_change_is_also_stale(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    first, second = as_user(cast.manager), as_user(cast.admin)
    purpose_url = f"/agreements/{agreement.reference}/edit/purpose"
    flow_url = f"/agreements/{agreement.reference}/edit/flow"
    version = _open_form(second, flow_url)
    assert submit(first, purpose_url, _purpose("Changed", _open_form(first, purpose_url))).status_code == 302
    response = submit(second, flow_url, {**READY_SECTIONS["flow"], "security_measures": "None", "version": version})
    assert response.status_code == 200
    assert 'id="stale-warning"' in response.text
    assert reload(app, Agreement, agreement.id).security_measures == READY_SECTIONS["flow"]["security_measures"]


# --- stale removals ---------------------------------------------------------------------------


def _party_ids(app: Flask, agreement: Agreement) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Party.id).where(Party.agreement_id == agreement.id).order_by(Party.id)))


@pytest.mark.parametrize(
    "version_for",
    [lambda lock: str(lock - 1), lambda lock: str(lock + 1), lambda lock: "", lambda lock: "not a number"],
    ids=["older", "newer", "blank", "garbage"],
)
def test_removing_a_party_with_the_wrong_version_is_refused(
    app: Flask, cast: Cast, as_user, version_for: Callable[[int], str]
) -> None:  # type: ignore[no-untyped-def]
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    parties = _party_ids(app, agreement)
    client = as_user(cast.manager)
    url = f"/agreements/{agreement.reference}/parties/{parties[1]}/remove"  # the second party provides no data items

    response = submit(client, url, {"version": version_for(agreement.lock_version)}, token_from="/")
    assert response.status_code == 409
    text = page_text(response)
    assert "That change could not be made" in text
    assert "Someone else changed this record while you were editing it" in text
    assert _party_ids(app, agreement) == parties
    assert reload(app, Agreement, agreement.id).lock_version == agreement.lock_version
    assert audit_events(app, "agreement.party_removed") == []

    response = submit(client, url, {"version": str(agreement.lock_version)}, token_from="/")
    assert response.status_code == 302
    assert _party_ids(app, agreement) == parties[:1]
