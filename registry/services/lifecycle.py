"""The agreement lifecycle: draft → awaiting approval → approved → awaiting signatures →
active → terminated or expired. Each transition is one operation with its own audit event;
any other move is refused with a message that says what is possible.

A proposed variation (services/variations.py) takes the same steps up to awaiting signatures;
when every party has signed it, it comes into force in the agreement it varies. Approval is
four-eyes: never by whoever submitted or last edited the version (policy.four_eyes_problem).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.dates import today_in_london, utcnow
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, User
from registry.models import agreement_choices as choices
from registry.policy import four_eyes_problem
from registry.readiness import add_months, gaps
from registry.services import audit, variations
from registry.services.errors import DomainError, FourEyes, IllegalTransition, NotReady
from registry.services.persist import flush
from registry.services.snapshots import snapshot


@dataclass(frozen=True)
class Transition:
    name: str
    from_statuses: frozenset[str]
    to_status: str
    verb: str  # for messages: "You can only {verb} an agreement that is ..."


TRANSITIONS = {
    t.name: t
    for t in (
        Transition("submit", frozenset({"draft"}), "awaiting_approval", "submit"),
        Transition("approve", frozenset({"awaiting_approval"}), "approved", "approve"),
        Transition("return", frozenset({"awaiting_approval"}), "draft", "return"),
        Transition("request_signatures", frozenset({"approved"}), "awaiting_signatures", "send for signature"),
        Transition("activate", frozenset({"awaiting_signatures"}), "active", "make active"),
        Transition("terminate", frozenset({"approved", "awaiting_signatures", "active"}), "terminated", "terminate"),
        Transition("expire", frozenset({"approved", "awaiting_signatures", "active"}), "expired", "mark as expired"),
    )
}


# a variation ends with its agreement, or by being withdrawn; it comes into force by being signed
NOT_FOR_VARIATIONS = frozenset({"activate", "terminate", "expire"})


def allowed(agreement: Agreement) -> list[str]:
    """The transitions the agreement's status allows (the page offers only these)."""
    if agreement.is_variation and not agreement.is_open_variation:
        return []
    return [name for name, t in TRANSITIONS.items() if agreement.status in t.from_statuses
            and not (agreement.is_variation and name in NOT_FOR_VARIATIONS)]  # fmt: skip


def _check(agreement: Agreement, name: str, read_version: int | None) -> Transition:
    """Refuse a stale request, or a step the agreement's status does not allow."""
    transition = TRANSITIONS[name]
    variations.lock_both(agreement)
    if read_version is not None and agreement.lock_version != read_version:
        raise DomainError("Someone else changed this agreement after you opened the page: check it and try again")
    if agreement.is_variation and not agreement.is_open_variation:
        raise IllegalTransition("This proposed variation has ended: nothing more can be done with it")
    if agreement.is_variation and name in NOT_FOR_VARIATIONS - {"activate"}:
        raise IllegalTransition(f"You can only {transition.verb} the agreement in force, not a proposed variation")
    if agreement.status not in transition.from_statuses:
        wanted = " or ".join(choices.STATUSES[s].lower() for s in sorted(transition.from_statuses))
        now = agreement.status_label.lower()
        raise IllegalTransition(f"You can only {transition.verb} an agreement that is {wanted}: this one is {now}")
    return transition


def _move(
    actor: User | None, agreement: Agreement, name: str, *, read_version: int | None, extra: dict | None = None
) -> None:
    transition = _check(agreement, name, read_version)
    before = agreement.status
    agreement.status = transition.to_status
    agreement.lock_version += 1
    if agreement.is_variation:
        variations.follow_status(agreement)
    flush()
    changes = {"status": {"before": before, "after": agreement.status}, **(extra or {})}
    audit.record(f"agreement.{name}", "agreement", agreement.reference, actor=actor, changes=changes)


def submit(actor: User, agreement: Agreement, *, read_version: int) -> None:
    _check(agreement, "submit", read_version)
    found = gaps(snapshot(agreement))
    if found:
        raise NotReady(found)
    _move(actor, agreement, "submit", read_version=read_version)
    agreement.submitted_by_id = actor.id  # after the move: its lock reads the row afresh


def approve(actor: User, agreement: Agreement, *, read_version: int) -> AgreementVersion:
    """Freeze the version: a snapshot of the whole record, approved by an IG officer who neither
    submitted nor last edited it. The version it will replace stays in force until this one is
    signed by every party (services/variations.bring_into_force)."""
    _check(agreement, "approve", read_version)
    problem = four_eyes_problem(actor, agreement)
    if problem:
        raise FourEyes(problem)
    found = gaps(snapshot(agreement))
    if found:
        raise NotReady(found)
    _move(
        actor,
        agreement,
        "approve",
        read_version=read_version,
        extra={"version": {"before": None, "after": agreement.version_number}},
    )
    if agreement.next_review_date is None and agreement.effective_from:  # after the move's fresh read
        agreement.next_review_date = add_months(agreement.effective_from, agreement.review_interval_months)
    version = AgreementVersion(agreement_id=agreement.root_id, number=agreement.version_number,
                               snapshot=snapshot(agreement), approved_by_id=actor.id, approved_at=utcnow())  # fmt: skip
    db.session.add(version)
    flush()
    from registry.services import signing  # the approved document's fingerprint, which every party signs

    signing.fingerprint_version(agreement, version)
    return version


def return_to_draft(actor: User, agreement: Agreement, comments: str, *, read_version: int) -> None:
    _move(actor, agreement, "return", read_version=read_version,
          extra={"return_comments": {"before": None, "after": comments.strip()}})  # fmt: skip
    agreement.return_comments = comments.strip()  # after the move: its lock reads the row afresh


def request_signatures(actor: User, agreement: Agreement, *, read_version: int) -> None:
    _move(actor, agreement, "request_signatures", read_version=read_version)


def activate(actor: User | None, agreement: Agreement) -> None:
    """Every party has signed (see services.signing): the agreement, or the variation, is in force."""
    if agreement.is_variation:
        _check(agreement, "activate", None)
        variations.bring_into_force(actor, agreement)
        return
    _move(actor, agreement, "activate", read_version=None)


def terminate(actor: User, agreement: Agreement, reason: str, *, read_version: int | None) -> None:
    """End the agreement; a proposed variation of it ends too."""
    _move(actor, agreement, "terminate", read_version=read_version,
          extra={"reason": {"before": None, "after": reason.strip()}})  # fmt: skip
    variations.end_with(actor, agreement, "terminated")


def expire_due(on: date | None = None) -> list[str]:
    """Mark as expired every live agreement whose end date has passed; returns their references."""
    on = on or today_in_london()
    due = db.session.scalars(
        select(Agreement).where(Agreement.status.in_(TRANSITIONS["expire"].from_statuses), Agreement.end_date < on,
                                Agreement.variation_of_id.is_(None))
        .order_by(Agreement.next_review_date, Agreement.id)  # the review-date tallies' lock order (migration 0012)
    ).all()  # fmt: skip
    for agreement in due:
        _move(
            None,
            agreement,
            "expire",
            read_version=None,
            extra={"end_date": {"before": None, "after": str(agreement.end_date)}},
        )
        variations.end_with(None, agreement, "expired")
    return [a.reference for a in due]


def versions(agreement: Agreement) -> list[AgreementVersion]:
    return list(db.session.scalars(
        select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.root_id)
        .order_by(AgreementVersion.number)
    ))  # fmt: skip


def version(agreement: Agreement, number: int) -> AgreementVersion | None:
    return db.session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.root_id, AgreementVersion.number == number
        )
    )
