"""The policy table: who may do what, and partners seeing only their own organisation."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from registry.models import Organisation, Role, User
from registry.policy import RULES, can, can_see

OWN_ORG_ID, OTHER_ORG_ID = 1, 2

A, M, IG, P = "admin", "manager", "ig_officer", "partner"
# action -> roles that may do it; every other role may not
TABLE: dict[str, set[str]] = {
    "organisation.list": {A, M, IG, P},
    "organisation.view": {A, M, IG, P},
    "organisation.create": {A, M},
    "organisation.edit": {A, M},
    "organisation.dissolve": {A, M},
    "organisation.history": {A, M, IG, P},
    "user.manage": {A},
}


def user(role: str, *, active: bool = True) -> User:
    organisation_id = OWN_ORG_ID if role == P else None
    return User(
        id=10, email=f"{role}@example.org", name=role, role=role, organisation_id=organisation_id, active=active
    )


def organisation(id_: int) -> Organisation:
    return Organisation(id=id_, name=f"Organisation {id_}", sector="public", kind="police", status="active")


def test_table_lists_every_organisation_and_user_action_in_the_policy() -> None:
    assert set(TABLE) == {action for action in RULES if action.split(".")[0] in ("organisation", "user")}


@pytest.mark.parametrize("action", sorted(TABLE))
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_may_or_may_not(role: str, action: str) -> None:
    assert can(user(role), action) is (role in TABLE[action])


@pytest.mark.parametrize("action", sorted(TABLE))
def test_nobody_signed_out_or_deactivated_may_do_anything(action: str) -> None:
    assert can(None, action) is False
    assert can(AnonymousUserMixin(), action) is False  # type: ignore[arg-type]
    for role in Role:
        assert can(user(role.value, active=False), action) is False


def test_unknown_action_is_an_error_not_a_no() -> None:
    with pytest.raises(KeyError):
        can(user(A), "organisation.delete")


@pytest.mark.parametrize("action", ["organisation.view", "organisation.list"])
def test_partner_sees_only_their_own_organisation(action: str) -> None:
    partner = user(P)
    assert can(partner, action, organisation(OWN_ORG_ID)) is True
    assert can(partner, action, organisation(OTHER_ORG_ID)) is False
    assert can_see(partner, organisation(OWN_ORG_ID)) is True
    assert can_see(partner, organisation(OTHER_ORG_ID)) is False


def test_partner_may_not_change_even_their_own_organisation() -> None:
    partner = user(P)
    for action in ("organisation.edit", "organisation.dissolve", "organisation.create"):
        assert can(partner, action, organisation(OWN_ORG_ID)) is False


@pytest.mark.parametrize("role", [A, M, IG])
def test_staff_see_every_organisation(role: str) -> None:
    for id_ in (OWN_ORG_ID, OTHER_ORG_ID):
        assert can_see(user(role), organisation(id_)) is True
        assert can(user(role), "organisation.view", organisation(id_)) is True


def test_staff_object_rights_follow_the_role() -> None:
    other = organisation(OTHER_ORG_ID)
    assert can(user(M), "organisation.edit", other) is True
    assert can(user(IG), "organisation.edit", other) is False


def test_partner_sees_nothing_that_is_not_an_organisation() -> None:
    assert can_see(user(P), object()) is False
    assert can_see(user(M), object()) is True
