"""Every endpoint and method, with the answer each role gets.

An endpoint missing from ACCESS fails ``test_every_endpoint_is_in_the_table``, so a
new route cannot ship without its access rule. Roles: anonymous, admin, manager,
IG officer, a partner user of the organisation in the URL (``partner``) and a
partner user of another organisation (``other_partner``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from factories import Cast, add_agreements_to_cast, add_partnership_to_cast, make_cast, make_user
from flask import Flask

from registry.models import Role

ROLES = ("anonymous", "admin", "manager", "ig", "partner", "other_partner")

# (expected answers in ROLES order) -- 302 to sign-in for anonymous
SIGNED_IN_ALL = (302, 200, 200, 200, 200, 200)
EVERYONE = (200, 200, 200, 200, 200, 200)
MANAGERS = (302, 200, 200, 403, 403, 403)
MANAGERS_OWN_ORG = (302, 200, 200, 403, 403, 404)
MANAGERS_REDIRECT_OWN_ORG = (302, 302, 302, 403, 403, 404)
# allowed, but a removal posted without the version the page was read at is refused as stale
MANAGERS_STALE_OWN_ORG = (302, 409, 409, 403, 403, 404)
ADMINS = (302, 200, 403, 403, 403, 403)
ADMINS_REDIRECT = (302, 302, 403, 403, 403, 403)
VISIBLE_TO_OWN = (302, 200, 200, 200, 200, 404)
SIGNED_IN_REDIRECT = (302, 302, 302, 302, 302, 302)
AUDITORS = (302, 200, 403, 200, 403, 403)

# (endpoint, method) -> (url builder, expected answers)
Url = Callable[[Cast], str]
# a third element in the key names a variant of the same endpoint
ACCESS: dict[tuple[str, ...], tuple[Url, tuple[int, ...]]] = {
    ("static", "GET"): (lambda c: "/static/favicon.svg", EVERYONE),
    ("pages.home", "GET"): (lambda c: "/", SIGNED_IN_ALL),
    ("pages.healthz", "GET"): (lambda c: "/healthz", EVERYONE),
    ("pages.accessibility", "GET"): (lambda c: "/accessibility", EVERYONE),
    # your own calendar feed; the feed needs no sign-in (its token is the credential: test_calendar.py)
    ("account.calendar", "GET"): (lambda c: "/account/calendar", SIGNED_IN_ALL),
    # search: everyone signed in; what each finds is in test_search.py
    ("search.results", "GET"): (lambda c: "/search?q=housing", SIGNED_IN_ALL),
    ("search.results", "GET", "one kind"): (lambda c: "/search?q=housing&kind=agreements&page=2", SIGNED_IN_ALL),
    ("account.calendar_create", "POST"): (lambda c: "/account/calendar/new", SIGNED_IN_REDIRECT),
    ("account.calendar_revoke", "POST"): (lambda c: "/account/calendar/revoke", SIGNED_IN_REDIRECT),
    ("account.calendar_feed", "GET"): (lambda c: "/calendar/no-such-token.ics", (404, 404, 404, 404, 404, 404)),
    ("auth.sign_in", "GET"): (lambda c: "/sign-in", (200, 302, 302, 302, 302, 302)),
    ("auth.sign_in", "POST"): (lambda c: "/sign-in", (200, 302, 302, 302, 302, 302)),
    ("auth.sign_out", "POST"): (lambda c: "/sign-out", SIGNED_IN_REDIRECT),
    # the code step needs a password just accepted (test_two_factor.py); without one it sends you to sign in
    ("auth.sign_in_code", "GET"): (lambda c: "/sign-in/code", SIGNED_IN_REDIRECT),
    ("auth.sign_in_code", "POST"): (lambda c: "/sign-in/code", SIGNED_IN_REDIRECT),
    # your own two-factor sign-in and sessions; with two-factor off, its code-confirmed pages send you back
    ("account.two_factor_status", "GET"): (lambda c: "/account/two-factor", SIGNED_IN_ALL),
    ("account.two_factor_setup", "GET"): (lambda c: "/account/two-factor/set-up", SIGNED_IN_ALL),
    ("account.two_factor_setup", "POST"): (lambda c: "/account/two-factor/set-up", SIGNED_IN_ALL),
    ("account.recovery_codes", "GET"): (lambda c: "/account/two-factor/recovery-codes", SIGNED_IN_REDIRECT),
    ("account.recovery_codes_new", "GET"): (lambda c: "/account/two-factor/recovery-codes/new", SIGNED_IN_REDIRECT),
    ("account.recovery_codes_new", "POST"): (lambda c: "/account/two-factor/recovery-codes/new", SIGNED_IN_REDIRECT),
    ("account.two_factor_turn_off", "GET"): (lambda c: "/account/two-factor/turn-off", SIGNED_IN_REDIRECT),
    ("account.two_factor_turn_off", "POST"): (lambda c: "/account/two-factor/turn-off", SIGNED_IN_REDIRECT),
    ("account.sessions_list", "GET"): (lambda c: "/account/sessions", SIGNED_IN_ALL),
    ("account.sessions_end_others", "POST"): (lambda c: "/account/sessions/end-others", SIGNED_IN_REDIRECT),
    ("account.password", "GET"): (lambda c: "/account/password", SIGNED_IN_ALL),
    ("account.password", "POST"): (lambda c: "/account/password", SIGNED_IN_ALL),
    ("organisations.index", "GET"): (lambda c: "/organisations/", SIGNED_IN_ALL),
    ("organisations.create", "GET"): (lambda c: "/organisations/new", MANAGERS),
    ("organisations.create", "POST"): (lambda c: "/organisations/new", MANAGERS),
    ("organisations.view", "GET"): (lambda c: f"/organisations/{c.own_org.id}", VISIBLE_TO_OWN),
    ("organisations.edit", "GET"): (lambda c: f"/organisations/{c.own_org.id}/edit", MANAGERS_OWN_ORG),
    ("organisations.edit", "POST"): (lambda c: f"/organisations/{c.own_org.id}/edit", MANAGERS_OWN_ORG),
    ("organisations.dissolve", "GET"): (lambda c: f"/organisations/{c.own_org.id}/dissolve", MANAGERS_OWN_ORG),
    ("organisations.dissolve", "POST"): (lambda c: f"/organisations/{c.own_org.id}/dissolve", MANAGERS_OWN_ORG),
    ("admin.users_index", "GET"): (lambda c: "/admin/users/", ADMINS),
    ("admin.user_create", "GET"): (lambda c: "/admin/users/new", ADMINS),
    ("admin.user_create", "POST"): (lambda c: "/admin/users/new", ADMINS),
    ("admin.user_edit", "GET"): (lambda c: f"/admin/users/{c.target.id}", ADMINS),
    ("admin.user_edit", "POST"): (lambda c: f"/admin/users/{c.target.id}", ADMINS),
    ("admin.user_deactivate", "POST"): (lambda c: f"/admin/users/{c.target.id}/deactivate", ADMINS_REDIRECT),
    ("admin.user_reactivate", "POST"): (lambda c: f"/admin/users/{c.target.id}/reactivate", ADMINS_REDIRECT),
    ("admin.user_two_factor_reset", "POST"): (
        lambda c: f"/admin/users/{c.target.id}/two-factor/reset",
        ADMINS_REDIRECT,
    ),
    ("admin.communities", "GET"): (lambda c: "/admin/communities/", ADMINS),
    ("admin.communities", "POST"): (lambda c: "/admin/communities/", ADMINS),
    ("admin.community_retire", "POST"): (lambda c: "/admin/communities/1/retire", ADMINS_REDIRECT),
    ("admin.community_reinstate", "POST"): (lambda c: "/admin/communities/1/reinstate", ADMINS_REDIRECT),
    ("partnerships.index", "GET"): (lambda c: "/partnerships/", SIGNED_IN_ALL),
    ("partnerships.create", "GET"): (lambda c: "/partnerships/new", MANAGERS),
    ("partnerships.create", "POST"): (lambda c: "/partnerships/new", MANAGERS),
    ("partnerships.view", "GET"): (lambda c: f"/partnerships/{c.partnership.id}", VISIBLE_TO_OWN),
    ("partnerships.edit", "GET"): (lambda c: f"/partnerships/{c.partnership.id}/edit", MANAGERS_OWN_ORG),
    ("partnerships.edit", "POST"): (lambda c: f"/partnerships/{c.partnership.id}/edit", MANAGERS_OWN_ORG),
    ("partnerships.add_member", "GET"): (lambda c: f"/partnerships/{c.partnership.id}/members/new", MANAGERS_OWN_ORG),
    ("partnerships.add_member", "POST"): (lambda c: f"/partnerships/{c.partnership.id}/members/new", MANAGERS_OWN_ORG),
    ("partnerships.end_member", "GET"): (
        lambda c: f"/partnerships/{c.partnership.id}/members/{c.membership.id}/end",
        MANAGERS_OWN_ORG,
    ),
    ("partnerships.end_member", "POST"): (
        lambda c: f"/partnerships/{c.partnership.id}/members/{c.membership.id}/end",
        MANAGERS_OWN_ORG,
    ),
    ("partnerships.objective_create", "GET"): (
        lambda c: f"/partnerships/{c.partnership.id}/objectives/new",
        MANAGERS_OWN_ORG,
    ),
    ("partnerships.objective_create", "POST"): (
        lambda c: f"/partnerships/{c.partnership.id}/objectives/new",
        MANAGERS_OWN_ORG,
    ),
    ("partnerships.objective_view", "GET"): (lambda c: c.objective_url, VISIBLE_TO_OWN),
    ("partnerships.objective_edit", "GET"): (lambda c: c.objective_url + "/edit", MANAGERS_OWN_ORG),
    ("partnerships.objective_edit", "POST"): (lambda c: c.objective_url + "/edit", MANAGERS_OWN_ORG),
    # the partner's organisation owns the objective, so its users may record progress
    ("partnerships.progress_create", "GET"): (lambda c: c.objective_url + "/progress", (302, 200, 200, 403, 200, 404)),
    ("partnerships.progress_create", "POST"): (lambda c: c.objective_url + "/progress", (302, 200, 200, 403, 200, 404)),
    ("partnerships.progress_create", "GET", "not owner"): (
        lambda c: c.other_objective_url + "/progress",
        (302, 200, 200, 403, 403, 404),
    ),
    ("agreements.index", "GET"): (lambda c: "/agreements/", SIGNED_IN_ALL),
    # the list as a file: everyone who sees the list (a partner's holds only their organisation's agreements)
    ("agreements.export", "GET", "csv"): (lambda c: "/agreements/export.csv", SIGNED_IN_ALL),
    ("agreements.export", "GET", "xlsx"): (lambda c: "/agreements/export.xlsx", SIGNED_IN_ALL),
    ("agreements.create", "GET"): (lambda c: "/agreements/new", MANAGERS),
    ("agreements.create", "POST"): (lambda c: "/agreements/new", MANAGERS),
    ("agreements.view", "GET"): (lambda c: c.agreement_url, VISIBLE_TO_OWN),
    ("agreements.version", "GET"): (lambda c: c.agreement_url + "/versions/1", VISIBLE_TO_OWN),
    ("agreements.compare", "GET"): (lambda c: c.agreement_url + "/compare", VISIBLE_TO_OWN),
    ("agreements.edit_section", "GET"): (lambda c: c.draft_url + "/edit/legal", MANAGERS_OWN_ORG),
    ("agreements.edit_section", "POST"): (lambda c: c.draft_url + "/edit/legal", MANAGERS_REDIRECT_OWN_ORG),
    ("agreements.party_add", "GET"): (lambda c: c.draft_url + "/parties/new", MANAGERS_OWN_ORG),
    ("agreements.party_add", "POST"): (lambda c: c.draft_url + "/parties/new", MANAGERS_OWN_ORG),
    ("agreements.party_edit", "GET"): (lambda c: f"{c.draft_url}/parties/{c.draft_party_id}/edit", MANAGERS_OWN_ORG),
    ("agreements.party_edit", "POST"): (lambda c: f"{c.draft_url}/parties/{c.draft_party_id}/edit", MANAGERS_OWN_ORG),
    ("agreements.party_remove", "POST"): (
        lambda c: f"{c.draft_url}/parties/{c.removable['party'][c.role]}/remove",
        MANAGERS_STALE_OWN_ORG,
    ),
    ("agreements.item_add", "GET"): (lambda c: c.draft_url + "/items/new", MANAGERS_OWN_ORG),
    ("agreements.item_add", "POST"): (lambda c: c.draft_url + "/items/new", MANAGERS_OWN_ORG),
    ("agreements.item_edit", "GET"): (lambda c: f"{c.draft_url}/items/{c.draft_item_id}/edit", MANAGERS_OWN_ORG),
    ("agreements.item_edit", "POST"): (lambda c: f"{c.draft_url}/items/{c.draft_item_id}/edit", MANAGERS_OWN_ORG),
    ("agreements.item_remove", "POST"): (
        lambda c: f"{c.draft_url}/items/{c.removable['item'][c.role]}/remove",
        MANAGERS_STALE_OWN_ORG,
    ),
    ("agreements.group_add", "GET"): (lambda c: c.draft_url + "/subjects/new", MANAGERS_OWN_ORG),
    ("agreements.group_add", "POST"): (lambda c: c.draft_url + "/subjects/new", MANAGERS_OWN_ORG),
    ("agreements.group_remove", "POST"): (
        lambda c: f"{c.draft_url}/subjects/{c.removable['group'][c.role]}/remove",
        MANAGERS_STALE_OWN_ORG,
    ),
    # lifecycle steps answer with a redirect whether the step was made or refused for the status
    ("agreements.submit", "POST"): (lambda c: c.draft_url + "/submit", MANAGERS_REDIRECT_OWN_ORG),
    ("agreements.approve", "POST"): (lambda c: c.draft_url + "/approve", (302, 302, 403, 302, 403, 404)),
    # four-eyes: whoever submitted (or last changed) the version may not approve it, whatever their role
    ("agreements.approve", "POST", "own submission"): (
        lambda c: c.own_submission_url + "/approve",
        (302, 403, 403, 302, 403, 404),
    ),
    # a proposed variation: withdrawn by those who change agreements and IG officers; posted without the
    # version the page was read at, the form comes back with the stale-record message
    ("agreements.withdraw", "GET"): (lambda c: c.variation_url + "/withdraw", (302, 200, 200, 200, 403, 404)),
    ("agreements.withdraw", "POST"): (lambda c: c.variation_url + "/withdraw", (302, 200, 200, 200, 403, 404)),
    ("agreements.view", "GET", "proposed variation"): (lambda c: c.variation_url, VISIBLE_TO_OWN),
    ("agreements.return_to_draft", "GET"): (lambda c: c.draft_url + "/return", (302, 200, 403, 200, 403, 404)),
    ("agreements.return_to_draft", "POST"): (lambda c: c.draft_url + "/return", (302, 200, 403, 200, 403, 404)),
    ("agreements.request_signatures", "POST"): (
        lambda c: c.agreement_url + "/request-signatures",
        (302, 302, 302, 302, 403, 404),
    ),
    ("agreements.terminate", "GET"): (lambda c: c.agreement_url + "/terminate", (302, 200, 403, 200, 403, 404)),
    ("agreements.terminate", "POST"): (lambda c: c.agreement_url + "/terminate", (302, 200, 403, 200, 403, 404)),
    ("agreements.review", "GET"): (lambda c: c.agreement_url + "/reviews/new", (302, 200, 200, 200, 403, 404)),
    ("agreements.review", "POST"): (lambda c: c.agreement_url + "/reviews/new", (302, 200, 200, 200, 403, 404)),
    ("reviews.dashboard", "GET"): (lambda c: "/reviews/", (302, 200, 200, 200, 403, 403)),
    ("governance.dashboard", "GET"): (lambda c: "/governance/", (302, 200, 200, 200, 403, 403)),
    ("governance.compliance_report", "GET"): (lambda c: "/governance/compliance", (302, 200, 200, 200, 403, 403)),
    ("governance.compliance_csv", "GET"): (lambda c: "/governance/compliance.csv", (302, 200, 200, 200, 403, 403)),
    ("governance.compliance_pdf", "GET"): (lambda c: "/governance/compliance.pdf", (302, 200, 200, 200, 403, 403)),
    ("agreements.document_pdf", "GET"): (lambda c: c.agreement_url + "/document.pdf", VISIBLE_TO_OWN),
    ("agreements.document_html", "GET"): (lambda c: c.agreement_url + "/document", VISIBLE_TO_OWN),
    ("agreements.version_pdf", "GET"): (lambda c: c.agreement_url + "/versions/1/document.pdf", VISIBLE_TO_OWN),
    ("agreements.signed_pdf", "GET"): (lambda c: c.signed_url + "/signed/version-1.pdf", VISIBLE_TO_OWN),
    # only a partner signatory signs; with nothing to sign the page sends them back to the agreement
    ("agreements.sign", "GET"): (lambda c: c.agreement_url + "/sign", (302, 403, 403, 403, 302, 404)),
    ("agreements.sign", "POST"): (lambda c: c.agreement_url + "/sign", (302, 403, 403, 403, 302, 404)),
    ("verify.verify", "GET"): (lambda c: "/verify", EVERYONE),
    ("verify.verify", "POST"): (lambda c: "/verify", EVERYONE),
    # the audit trail: IG officers and admins; a record's history: whoever can see the record
    ("audit.index", "GET"): (lambda c: "/audit/", AUDITORS),
    ("audit.export_csv", "GET"): (lambda c: "/audit/export.csv", AUDITORS),
    ("history.organisation", "GET"): (lambda c: f"/organisations/{c.own_org.id}/history", VISIBLE_TO_OWN),
    ("history.partnership", "GET"): (lambda c: f"/partnerships/{c.partnership.id}/history", VISIBLE_TO_OWN),
    ("history.agreement", "GET"): (lambda c: c.agreement_url + "/history", VISIBLE_TO_OWN),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def access_app(app_factory: Callable[..., Flask]) -> Flask:
    """The real app with CSRF off: this test is about who may, not about tokens."""
    return app_factory(WTF_CSRF_ENABLED=False)


def test_every_endpoint_is_in_the_table(access_app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in access_app.url_map.iter_rules()
        for method in (rule.methods or set()) - IGNORED_METHODS
    }
    listed = {key[:2] for key in ACCESS}
    assert sorted(routes - listed) == [], "add these endpoints to ACCESS with their expected answers"
    assert sorted(listed - routes) == [], "these ACCESS entries name no real endpoint"


def test_each_role_gets_the_expected_answer(access_app: Flask) -> None:
    cast = make_cast(access_app)
    cast.target = make_user(access_app, Role.MANAGER, email="target@example.org")  # type: ignore[attr-defined]
    add_partnership_to_cast(access_app, cast)
    add_agreements_to_cast(access_app, cast)
    users = cast.by_role()
    wrong = []
    for (endpoint, method, *_variant), (url_for_cast, expected) in ACCESS.items():
        for role, want in zip(ROLES, expected, strict=True):
            cast.role = role  # type: ignore[attr-defined]
            url = url_for_cast(cast)
            user = users[role]
            client = access_app.test_client(user=user) if user else access_app.test_client()
            response = client.open(url, method=method, data={})
            # a streamed download keeps its request context until closed: close it now, not when garbage
            # collection happens to, in the middle of a later request
            response.close()
            if response.status_code != want:
                wrong.append(f"{method} {url} ({endpoint}) as {role}: got {response.status_code}, expected {want}")
            elif role == "anonymous" and want == 302 and endpoint != "auth.sign_out":
                assert "/sign-in" in response.headers["Location"], f"{endpoint} should send anonymous users to sign in"
    assert wrong == [], "\n".join(wrong)
