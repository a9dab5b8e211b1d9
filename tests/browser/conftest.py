"""Browser-only fixtures: one live server per session, Debian's Chromium, one signed-in state per role.

The live server runs the real app (CSRF on) on a fresh SQLite file migrated to head and
loaded with the demo data through the real services, plus a partnership and an agreement the
demo partner's organisation is not in (so a partner meets their 404), an agreement whose
version 2 awaits approval, one awaiting the demo partner's signature, and a retired community.
Each role signs in through the form once per session; tests then open pages from that stored
state (``page_as``), so a test costs one new browser context, not a sign-in. Checks that only
look at pages can share one page per role (``role_page``), which saves Chromium a new context
and renderer per test.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from registry import create_app
from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, DataItem, Membership, Objective, Organisation, Partnership, Party, User
from registry.services import agreement_parts, agreements, demo, lifecycle, objectives, organisations, partnerships

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip

# role -> demo sign-in (the partner is a user of Northbridge Homes)
ROLE_EMAILS = {
    "admin": "admin@example.org",
    "manager": "manager@example.org",
    "ig": "ig@example.org",
    "partner": "partner@example.org",  # and its signatory
    "council-signatory": "signatory.council@example.org",
    "police-signatory": "signatory.police@example.org",
}

# The demo has 15 organisations; these push the register past one page of 20.
EXTRA_ORGANISATIONS = 10
# A partnership the demo partner's organisation (Northbridge Homes) is not in, and a retired community.
OTHER_PARTNERSHIP = "Northshire Community Safety Partnership"
OTHER_OBJECTIVE = "Fewer repeat fire call-outs"
RETIRED_COMMUNITY = "Gypsy, Roma and Traveller communities"
# A draft agreement Northbridge Homes is not party to, and one whose proposed variation awaits approval.
OTHER_AGREEMENT = "Fire safety visits for older people"
AWAITING_AGREEMENT = "Community centre footfall"
# Sent for signature: the demo partner (Northbridge Homes) has yet to sign it.
SIGNING_AGREEMENT = "Estate survey results"


@dataclass
class LiveServer:
    url: str
    app: Flask
    password: str
    errors: list[BaseException] = field(default_factory=list)

    def organisation_id(self, name: str) -> int:
        return self._id(select(Organisation.id).where(Organisation.name == name), f"no organisation called {name!r}")

    def organisation_exists(self, name: str) -> bool:
        return self.value(select(Organisation.id).where(Organisation.name == name)) is not None

    def user_id(self, email: str) -> int:
        return self._id(select(User.id).where(User.email == email), f"no user {email!r}")

    def partnership_id(self, name: str) -> int:
        return self._id(select(Partnership.id).where(Partnership.name == name), f"no partnership called {name!r}")

    def objective_id(self, title: str) -> int:
        return self._id(select(Objective.id).where(Objective.title == title), f"no objective called {title!r}")

    def membership_id(self, partnership: str, organisation: str) -> int:
        query = select(Membership.id).join(Partnership).join(Organisation, Membership.organisation)
        query = query.where(Partnership.name == partnership, Organisation.name == organisation)
        return self._id(query, f"{organisation!r} is not a member of {partnership!r}")

    def agreement_reference(self, title: str) -> str:
        """The agreement in the register with this title (not a proposed variation of it)."""
        query = select(Agreement.reference).where(Agreement.title == title, Agreement.variation_of_id.is_(None))
        return self._id(query, f"no agreement called {title!r}")

    def variation_reference(self, title: str) -> str:
        """The open proposed variation of the agreement with this title."""
        query = select(Agreement.reference).where(
            Agreement.title == title, Agreement.variation_of_id.is_not(None), Agreement.variation_ended_at.is_(None)
        )
        return self._id(query, f"no open variation of {title!r}")

    def party_id(self, agreement: str, organisation: str) -> int:
        query = select(Party.id).join(Agreement).join(Organisation, Organisation.id == Party.organisation_id)
        query = query.where(Agreement.title == agreement, Organisation.name == organisation,
                            Agreement.variation_of_id.is_(None))  # fmt: skip
        return self._id(query, f"{organisation!r} is not a party to {agreement!r}")

    def item_id(self, agreement: str, name: str) -> int:
        query = select(DataItem.id).join(Agreement).where(Agreement.title == agreement, DataItem.name == name,
                                                          Agreement.variation_of_id.is_(None))  # fmt: skip
        return self._id(query, f"no data item {name!r} in {agreement!r}")

    def agreement_sent_for_signature(self, title: str, organisations: tuple[str, ...]) -> str:
        """Through the services, as the test's own set-up: returns the new agreement's reference."""
        with self.app.app_context():
            reference = sent_for_signature(title, organisations).reference
            db.session.commit()
        return reference

    def value(self, query: Any) -> Any:
        """The first column of the query's first row, or None."""
        with self.app.app_context():
            return db.session.scalar(query)

    def _id(self, query: Any, missing: str) -> Any:
        found = self.value(query)
        assert found is not None, missing
        return found


def _load_data(app: Flask) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        demo.load(app.config["DEMO_PASSWORD"])
        for n in range(1, EXTRA_ORGANISATIONS + 1):
            organisations.create(
                None, {"name": f"Ward {n:02d} Community Forum", "sector": "third", "kind": "voluntary_group"}
            )
        _load_other_partnership()
        _load_other_agreements()
        db.session.commit()


def _load_other_partnership() -> None:
    """Through the services, as a manager would: a partnership without Northbridge Homes."""
    manager, _ = _staff()
    org = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    start = date(today_in_london().year - 2, 4, 1)
    safety = partnerships.create(manager, {
        "name": OTHER_PARTNERSHIP, "status": "active", "start_date": start, "end_date": None,
        "lead_organisation_id": org["Northshire Police"], "purpose": "Reduce crime and disorder in Northbridge.",
        "strategies": ["Community Safety Strategy"], "risk_reward_sharing": None,
    })  # fmt: skip
    partnerships.add_member(manager, safety, organisation_id=org["Northshire Fire and Rescue Service"],
                            role="member", joined_on=start)  # fmt: skip
    communities = {c.name: c.id for c in objectives.communities()}
    objectives.create(manager, safety, {
        "title": OTHER_OBJECTIVE, "description": None, "priority": "medium",
        "owner_organisation_id": org["Northshire Fire and Rescue Service"], "indicator": "Repeat call-outs a year",
        "unit": "call-outs", "baseline": Decimal("120"), "baseline_date": start,
        "target": Decimal("80"), "target_date": date(start.year + 4, 3, 31),
    }, [communities["Older people"]])  # fmt: skip
    retired = objectives.add_community(manager, RETIRED_COMMUNITY)
    objectives.set_community_active(manager, retired.id, False)


def _staff() -> tuple[User, User]:
    manager, ig = (db.session.scalar(select(User).where(User.email == ROLE_EMAILS[r])) for r in ("manager", "ig"))
    assert manager is not None and ig is not None
    return manager, ig


def _party(manager: User, agreement: Agreement, name: str, role: str) -> None:
    organisation = db.session.scalar(select(Organisation.id).where(Organisation.name == name))
    data = {"organisation_id": organisation, "role": role, "signatory_name": "Data lead"}
    agreement_parts.add_party(manager, agreement, data, read_version=agreement.lock_version)


def _approved(title: str, organisations: tuple[str, ...], purpose: str, effective_from: date) -> Agreement:
    """Through the services: a complete non-personal agreement between the organisations, approved."""
    manager, ig = _staff()
    agreement = agreements.create(manager, {"title": title, "kind": "non_personal", "purpose": purpose})
    for name in organisations:
        _party(manager, agreement, name, "provider")
    agreement_parts.add_item(manager, agreement, {"name": "Visits a day", "category": "aggregate"},
                             read_version=agreement.lock_version)  # fmt: skip
    for section, data in (("legal", {"confirmed_anonymised": True}), ("dates", {"effective_from": effective_from})):
        agreements.update_section(manager, agreement, section, data, read_version=agreement.lock_version)
    lifecycle.submit(manager, agreement, read_version=agreement.lock_version)
    lifecycle.approve(ig, agreement, read_version=agreement.lock_version)
    return agreement


def sent_for_signature(title: str, organisations: tuple[str, ...]) -> Agreement:
    """Through the services: an agreement between the organisations, approved and sent for signature."""
    agreement = _approved(title, organisations, "Plan services by estate.", today_in_london())
    lifecycle.request_signatures(_staff()[0], agreement, read_version=agreement.lock_version)
    return agreement


def _load_other_agreements() -> None:
    """Through the services: a draft without Northbridge Homes, a proposed variation (version 2) of another
    awaiting approval,
    and one awaiting the demo partner's signature."""
    manager, _ = _staff()
    other = agreements.create(manager, {"title": OTHER_AGREEMENT, "kind": "two_way"})
    for name in ("Northshire Police", "Northshire Fire and Rescue Service"):
        _party(manager, other, name, "controller")
    footfall = _approved(AWAITING_AGREEMENT, ("Northbridge Borough Council", "Northbridge College"),
                         "Plan opening hours.", date(today_in_london().year - 1, 4, 1))  # fmt: skip
    variation = agreements.update_section(manager, footfall, "purpose",
                                          {"purpose": "Plan opening hours and staffing."},
                                          read_version=footfall.lock_version)  # fmt: skip
    lifecycle.submit(manager, variation, read_version=variation.lock_version)
    sent_for_signature(SIGNING_AGREEMENT, ("Northbridge Homes", "Northbridge College"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("browser") / "registry.db"
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "WTF_CSRF_ENABLED": True})
    _load_data(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, password=app.config["DEMO_PASSWORD"])

    def record(sender: Flask, exception: BaseException, **extra: Any) -> None:
        live.errors.append(exception)

    got_request_exception.connect(record, app, weak=False)
    request_log = logging.getLogger("werkzeug")
    log_level = request_log.level
    request_log.setLevel(logging.WARNING)  # one line per request and asset drowns a failure's output
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    request_log.setLevel(log_level)
    got_request_exception.disconnect(record, app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_server_errors(live_server: LiveServer) -> Iterator[None]:
    """Fail a test during which the app raised an unhandled error (the browser sees only a 500)."""
    live_server.errors.clear()
    yield
    assert not live_server.errors, f"the app raised: {live_server.errors!r}"


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """pytest-playwright gives every context this base URL, so tests go to paths like "/sign-in"."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def sign_in(live_server: LiveServer) -> Callable[[Page, str], None]:
    """Sign a page in through the form as a role and wait for the home page."""

    def sign_in_as(page: Page, role: str) -> None:
        page.goto("/sign-in")
        page.get_by_label("Email address").fill(ROLE_EMAILS[role])
        page.get_by_label("Password", exact=True).fill(live_server.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_text("You are signed in as")).to_be_visible()

    return sign_in_as


@pytest.fixture(scope="session")
def signed_in_state(
    browser: Browser, browser_context_args: dict[str, Any], sign_in: Callable[[Page, str], None]
) -> Callable[[str], StorageState]:
    """The cookies of a signed-in session per role, made once per test session."""
    states: dict[str, StorageState] = {}

    def state_for(role: str) -> StorageState:
        if role not in states:
            context = browser.new_context(**browser_context_args)
            sign_in(context.new_page(), role)
            states[role] = context.storage_state()
            context.close()
        return states[role]

    return state_for


@pytest.fixture
def page_as(
    new_context: Callable[..., BrowserContext], signed_in_state: Callable[[str], StorageState]
) -> Callable[..., Page]:
    """A new page in its own context, signed in as the role ("anonymous" for none)."""

    def open_page(role: str, **context_args: Any) -> Page:
        if role != "anonymous":
            context_args["storage_state"] = signed_in_state(role)
        return new_context(**context_args).new_page()

    return open_page


@pytest.fixture(scope="session")
def role_page(
    browser: Browser, browser_context_args: dict[str, Any], signed_in_state: Callable[[str], StorageState]
) -> Iterator[Callable[[str], Page]]:
    """One page per role for the whole session, for tests that only navigate and read.

    A test that changes the session (signing out, signing in) must use ``page_as`` instead.
    """
    pages: dict[str, Page] = {}

    def page_for(role: str) -> Page:
        if role not in pages:
            context_args = dict(browser_context_args)
            if role != "anonymous":
                context_args["storage_state"] = signed_in_state(role)
            pages[role] = browser.new_context(**context_args).new_page()
        return pages[role]

    yield page_for
    for page in pages.values():
        page.context.close()
