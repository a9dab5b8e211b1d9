"""The table of screens that the accessibility test opens: every page, as each role that can see it,
in its empty, error and result states.

A row names the endpoint its page must be (so a step that went astray fails), and
``test_every_page_is_in_the_table`` fails when a GET endpoint of the app has no row, so a
new page needs a row in the feature's module here. Shared steps are in ``screen_steps``.
"""

from __future__ import annotations

from browser.screen_steps import Screen
from browser.screens_account import ACCOUNT_SCREENS
from browser.screens_agreements import AGREEMENT_SCREENS
from browser.screens_audit import AUDIT_SCREENS
from browser.screens_documents import DOCUMENT_SCREENS
from browser.screens_governance import GOVERNANCE_SCREENS
from browser.screens_organisations import ORGANISATION_SCREENS
from browser.screens_partnerships import PARTNERSHIP_SCREENS
from browser.screens_search import SEARCH_SCREENS
from browser.screens_two_factor import TWO_FACTOR_SCREENS

SCREENS: list[Screen] = [
    *ORGANISATION_SCREENS,
    *PARTNERSHIP_SCREENS,
    *AGREEMENT_SCREENS,
    *DOCUMENT_SCREENS,
    *ACCOUNT_SCREENS,
    *GOVERNANCE_SCREENS,
    *AUDIT_SCREENS,
    *TWO_FACTOR_SCREENS,
    *SEARCH_SCREENS,
]

__all__ = ["SCREENS", "Screen"]
