"""The Content-Security-Policy in a real browser: pages load with no violation, and the one
inline script (GOV.UK Frontend's ``js-enabled``) runs because it carries the request's nonce."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from browser.screen_steps import objective_path
from browser.screens_agreements import TENANCY, agreement_path
from browser.screens_partnerships import INCLUSION, ONLINE
from playwright.sync_api import ConsoleMessage, Error, Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

JS_ENABLED = re.compile(r"(^|\s)js-enabled(\s|$)")

# the DOM's own report of each violation, recorded before any page script runs
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class Watch:
    """Console errors and uncaught page errors of one page."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self.console)
        page.on("pageerror", self.page_error)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.messages.append(f"console {message.type}: {message.text}")

    def page_error(self, error: Error) -> None:
        self.messages.append(f"page error: {error}")


def check_page(page: Page, watch: Watch, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: {response.status if response else 'no response'}"
    assert "'nonce-" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    expect(page.locator("body")).to_have_class(JS_ENABLED)  # the nonce'd inline script ran
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{path}: {violations}"
    assert watch.messages == [], f"{path}:\n" + "\n".join(watch.messages)


PAGES: list[tuple[str, str | Callable[[LiveServer], str]]] = [
    ("anonymous", "/sign-in"),
    ("anonymous", "/verify"),
    ("anonymous", "/accessibility"),
    ("admin", "/"),
    ("admin", "/governance/"),  # bar charts
    ("manager", objective_path(INCLUSION, ONLINE)),  # the progress chart
    ("partner", agreement_path(TENANCY)),
    ("ig", "/audit/"),
]


@pytest.mark.parametrize("role", sorted({role for role, _ in PAGES}))
def test_pages_load_without_a_csp_violation(role: str, page_as: Callable[..., Page], live_server: LiveServer) -> None:
    page = page_as(role)
    watch = Watch(page)
    for _, path in (row for row in PAGES if row[0] == role):
        check_page(page, watch, path if isinstance(path, str) else path(live_server))


def test_charts_are_sized_by_the_stylesheet(page_as: Callable[..., Page], live_server: LiveServer) -> None:
    """The charts lost their style attributes; the class in registry.scss keeps them 640px at most."""
    page = page_as("manager", viewport={"width": 1280, "height": 900})
    Watch(page)
    page.goto(objective_path(INCLUSION, ONLINE)(live_server))
    chart = page.locator("svg.app-chart__image")
    expect(chart).to_have_count(1)
    assert chart.evaluate("element => getComputedStyle(element).maxWidth") == "640px"
    box = chart.bounding_box()
    assert box is not None and 0 < box["width"] <= 640


def test_the_policy_is_enforced_and_violations_are_seen(page_as: Callable[..., Page]) -> None:
    """The control for the checks above: an inline style added to the page is refused, and reported."""
    page = page_as("anonymous")
    watch = Watch(page)
    page.goto("/sign-in")
    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>')"""
    )
    expect(page.locator("#styled")).not_to_have_css("color", "rgb(255, 0, 0)")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in violation for violation in page.evaluate("window.__cspViolations"))
    assert any("Content Security Policy" in message for message in watch.messages)
