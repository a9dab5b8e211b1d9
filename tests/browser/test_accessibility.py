"""axe-core (WCAG 2.2 AA) on every page, as each role that can see it, in its empty, error and result states.

The pages are the SCREENS table in ``screens.py`` (rows by feature in ``screens_*.py``). A
page is a path, or a small step function that gets the page into a state (a form with
errors, a flash message). Each row says which endpoint it shows; the test checks that the
page really is that endpoint, and a coverage test fails when a GET endpoint of the app has
no row, so a new page must be added to the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser.screens import SCREENS, Screen
from playwright.sync_api import Page, Response, expect
from werkzeug.exceptions import HTTPException

from registry import create_app

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# healthz answers JSON; the *_pdf endpoints are file downloads (the signing journey downloads one)
NOT_PAGES = {
    "static",
    "pages.healthz",
    "agreements.document_pdf",
    "agreements.version_pdf",
    "agreements.signed_pdf",
    "account.calendar_feed",  # an iCalendar feed, read by calendar apps (tests/integration/test_calendar.py)
    "governance.compliance_csv",
    "governance.compliance_pdf",
    "audit.export_csv",
    "agreements.export",  # CSV and XLSX files (tests/integration/test_agreement_export.py)
}
AXE = Axe()


def endpoint_of(url: str, live: LiveServer) -> str | None:
    path = url.removeprefix(live.url).split("?")[0]
    try:
        endpoint, _ = live.app.url_map.bind("127.0.0.1").match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.extend(f"      {check['message']}" for kind in ("any", "all", "none") for check in node[kind])
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    """Run axe on the page as it is now. The first run in a browser context also makes the context
    load axe into every page it opens, which saves sending 570 kB to the page on each later run."""
    if not page.evaluate("'axe' in window"):
        page.context.add_init_script(script=AXE.axe_script)
        page.evaluate(AXE.axe_script)
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{s.role}-{s.description}" for s in SCREENS])
def test_page_has_no_axe_violations(
    screen: Screen,
    page_as: Callable[..., Page],
    role_page: Callable[[str], Page],
    live_server: LiveServer,
) -> None:
    page = page_as(screen.role) if screen.own_context else role_page(screen.role)
    statuses: list[int] = []

    def record(response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            statuses.append(response.status)

    page.on("response", record)
    try:
        if isinstance(screen.visit, str):
            page.goto(screen.visit)
        else:
            screen.visit(page, live_server)
        if screen.description.endswith("-errors"):
            expect(page.locator(".govuk-error-summary")).to_be_visible()
    finally:
        page.remove_listener("response", record)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(screen.h1)
    assert statuses[-1] == screen.status
    assert endpoint_of(page.url, live_server) == screen.endpoint
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_every_page_is_in_the_table() -> None:
    app = create_app("test")
    pages = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and r.endpoint not in NOT_PAGES}
    missing = pages - {s.endpoint for s in SCREENS}
    assert not missing, f"add rows for these pages to tests/browser/screens_*.py: {sorted(missing)}"


def test_axe_reports_a_known_violation(page_as: Callable[..., Page]) -> None:
    """A check that cannot fail is no check: an unlabelled box must be reported."""
    page = page_as("anonymous")
    page.goto("/accessibility")
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["label"], describe(violations)
