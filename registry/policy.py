"""Who may do what: plain functions of (user, action, object), tested as a table.

Routes use ``can`` through ``web.access.requires``; templates use it to show
only the buttons a user can use. Visibility of one record (partners see only
their own organisation) is decided here too, so that a record a user may not
see answers 404 rather than 403.
"""

from __future__ import annotations

from typing import Any

from registry.models import Agreement, Objective, Organisation, Partnership, Role, User

ADMIN, MANAGER, IG, PARTNER = Role.ADMIN, Role.MANAGER, Role.IG_OFFICER, Role.PARTNER

# action -> roles allowed (before any object-level check)
RULES: dict[str, frozenset[Role]] = {
    "organisation.list": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "organisation.view": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "organisation.create": frozenset({ADMIN, MANAGER}),
    "organisation.edit": frozenset({ADMIN, MANAGER}),
    "organisation.dissolve": frozenset({ADMIN, MANAGER}),
    "user.manage": frozenset({ADMIN}),
    "partnership.list": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "partnership.view": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "partnership.create": frozenset({ADMIN, MANAGER}),
    "partnership.edit": frozenset({ADMIN, MANAGER}),
    "partnership.members": frozenset({ADMIN, MANAGER}),
    "objective.create": frozenset({ADMIN, MANAGER}),
    "objective.edit": frozenset({ADMIN, MANAGER}),
    # partners only for objectives their own organisation owns (checked below)
    "objective.progress": frozenset({ADMIN, MANAGER, PARTNER}),
    "community.manage": frozenset({ADMIN}),
    "agreement.list": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "agreement.view": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "agreement.create": frozenset({ADMIN, MANAGER}),
    "agreement.edit": frozenset({ADMIN, MANAGER}),
    "agreement.submit": frozenset({ADMIN, MANAGER}),
    # four-eyes: never by whoever submitted or last edited the version (four_eyes_problem, below)
    "agreement.approve": frozenset({ADMIN, IG}),
    "agreement.return": frozenset({ADMIN, IG}),
    "agreement.request_signatures": frozenset({ADMIN, MANAGER, IG}),
    # a partner signatory signs for their own organisation (checked in services.signing)
    "agreement.sign": frozenset({PARTNER}),
    "agreement.download": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "agreement.terminate": frozenset({ADMIN, IG}),
    # a proposed variation: whoever may change agreements, and IG officers, may withdraw it
    "agreement.withdraw_variation": frozenset({ADMIN, MANAGER, IG}),
    "agreement.review": frozenset({ADMIN, MANAGER, IG}),
    "review.dashboard": frozenset({ADMIN, MANAGER, IG}),
    # a private calendar feed of the review dates the user can see
    "calendar.subscribe": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    # the whole audit trail (and its CSV export): those who audit
    "audit.view": frozenset({ADMIN, IG}),
    # a record's history: everyone who can see the record (partners: their own organisation, its
    # partnerships and agreements; hidden records answer 404). Downloads and refused attempts
    # appear in a history only for those who may see the audit log (services.audit_log.READ_ACTIONS).
    "organisation.history": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "partnership.history": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "agreement.history": frozenset({ADMIN, MANAGER, IG, PARTNER}),
    "governance.dashboard": frozenset({ADMIN, MANAGER, IG}),
    "governance.report": frozenset({ADMIN, MANAGER, IG}),
}


def can(user: User | None, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    allowed = RULES.get(action)
    if allowed is None:
        raise KeyError(f"unknown action {action!r}")
    if user.role not in allowed:
        return False
    if obj is not None:
        if not can_see(user, obj):
            return False
        if action == "objective.progress" and user.role == PARTNER:
            return isinstance(obj, Objective) and obj.owner_organisation_id == user.organisation_id
        if action == "agreement.approve" and isinstance(obj, Agreement):
            return four_eyes_problem(user, obj) is None
    return True


def four_eyes_problem(user: User, agreement: Agreement) -> str | None:
    """Why this user may not approve this version, if they may not: the four-eyes rule."""
    rule = "a version is never approved by whoever submitted it or last changed it, so another IG officer must"
    if user.id == agreement.submitted_by_id:
        return f"You cannot approve version {agreement.version_number} because you submitted it: {rule} approve it"
    if user.id == agreement.last_edited_by_id:
        return (
            f"You cannot approve version {agreement.version_number} because you made the last change to it: "
            f"{rule} approve it"
        )
    return None


def refusal_reason(user: User, action: str, obj: Any) -> str | None:
    """The rule, in words, when a visible record's action is refused for a reason other than the role."""
    if action == "agreement.approve" and isinstance(obj, Agreement) and user.role in RULES[action]:
        return four_eyes_problem(user, obj)
    return None


def can_see(user: User, obj: Any) -> bool:
    """Whether the record exists for this user at all (False answers 404)."""
    if user.role != PARTNER:
        return True
    if isinstance(obj, Organisation):
        return obj.id == user.organisation_id
    if isinstance(obj, Partnership):
        return obj.has_current_member(user.organisation_id)
    if isinstance(obj, Objective):
        return can_see(user, obj.partnership)
    if isinstance(obj, Agreement):
        if any(party.organisation_id == user.organisation_id for party in obj.parties):
            return True
        # a proposed variation: also the parties to the agreement it varies (one it would remove is told)
        return obj.variation_of is not None and can_see(user, obj.variation_of)
    return False
