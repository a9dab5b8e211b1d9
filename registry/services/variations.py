"""Proposed variations: changing an agreement without taking it out of force.

A change to an approved, awaiting-signature or active agreement opens a proposed variation: the
next version as a draft, held in an agreement row of its own (``variation_of_id``) beside the one
in the register. The agreement in the register keeps its status, signatures, sealed PDF and
review dates, and every list, count and calendar shows it, not the variation. The variation goes
through the same steps (submit, approve, send for signature, sign); when every party has signed
it, its record is copied into the agreement in the register, which becomes that version, in force,
and the version it replaced is marked superseded. A variation can be withdrawn, and ends when its
agreement is terminated or expires. Its approved versions, signatures and sealed documents are
kept under the agreement in the register (``Agreement.root_id``), so verification and the list of
versions see one agreement.

Lock order: the agreement in the register before its variation, in every operation on either.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from registry.dates import utcnow
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, DataItem, Party, Signature, SignedDocument, SubjectGroup, User
from registry.services import audit
from registry.services.persist import flush, lock

PARTS: dict[type, tuple[str, tuple[str, ...]]] = {
    Party: ("parties", Party.FIELDS),
    DataItem: ("data_items", DataItem.FIELDS),
    SubjectGroup: ("subject_groups", SubjectGroup.FIELDS),
}


def open_for(agreement: Agreement) -> Agreement | None:
    """The agreement's open variation, if it has one."""
    return db.session.scalar(
        select(Agreement).where(Agreement.variation_of_id == agreement.id, Agreement.variation_ended_at.is_(None))
    )


def all_for(agreement: Agreement) -> list[Agreement]:
    """Every variation ever proposed to the agreement, oldest first."""
    return list(
        db.session.scalars(select(Agreement).where(Agreement.variation_of_id == agreement.id).order_by(Agreement.id))
    )


def references(agreement: Agreement) -> list[str]:
    """The references of the agreement and its variations (their history is the agreement's)."""
    root = agreement.root_id
    found = db.session.scalars(select(Agreement.reference).where(Agreement.variation_of_id == root))
    return [agreement.register_reference, *found]


def in_register(agreement: Agreement) -> Agreement:
    """The agreement in the register that a variation varies (the agreement itself otherwise)."""
    if agreement.variation_of_id is None:
        return agreement
    found = db.session.get(Agreement, agreement.variation_of_id)
    assert found is not None  # a foreign key
    return found


def lock_both(agreement: Agreement) -> Agreement:
    """Lock the agreement in the register, then the variation if this is one; returns the former."""
    root = in_register(agreement)
    lock(root)
    if root is not agreement:
        lock(agreement)
    return root


def next_number(root: Agreement) -> int:
    """The next version number of the agreement: never one a version or variation has had."""
    approved = select(func.max(AgreementVersion.number)).where(AgreementVersion.agreement_id == root.id)
    proposed = select(func.max(Agreement.version_number)).where(Agreement.variation_of_id == root.id)
    highest = max(root.version_number, db.session.scalar(approved) or 0, db.session.scalar(proposed) or 0)
    return highest + 1


def copy_record(source: Agreement, target: Agreement) -> None:
    """Make ``target``'s record what ``source``'s is: every field, party, data item, subject group,
    objective and statutory gateway. The old parts are removed (and flushed) before the new are
    added, since a party is unique per organisation within an agreement."""
    for field in Agreement.RECORD_FIELDS:
        value = getattr(source, field)
        setattr(target, field, dict(value) if isinstance(value, dict) else value)
    for name, _ in PARTS.values():
        getattr(target, name).clear()
    flush()
    for kind, (name, fields) in PARTS.items():
        getattr(target, name).extend(kind(**{f: getattr(part, f) for f in fields}) for part in getattr(source, name))
    target.objectives = list(source.objectives)
    target.gateways = list(source.gateways)


def counterpart(target: Agreement, part: Any) -> Any:
    """The part of ``target`` that corresponds to ``part`` of the agreement it was copied from: a party
    by its organisation, a data item or subject group by its place in the list (copies keep the order)."""
    if part.agreement_id == target.id:
        return part
    name, _ = PARTS[type(part)]
    if isinstance(part, Party):
        return next(p for p in target.parties if p.organisation_id == part.organisation_id)
    source = in_register(target) if target.variation_of_id == part.agreement_id else None
    assert source is not None, "a part of another agreement"
    index = [p.id for p in getattr(source, name)].index(part.id)
    return getattr(target, name)[index]


def begin(actor: User, root: Agreement) -> Agreement:
    """Open a proposed variation of an approved, awaiting-signature or active agreement (locked by the
    caller): a copy of its record as the next version, a draft."""
    ordinal = 1 + len(all_for(root))
    variation = Agreement(
        reference=f"{root.reference}-VAR{ordinal}",
        title=root.title,
        kind=root.kind,
        status="draft",
        version_number=next_number(root),
        owner_id=actor.id,
        variation_of_id=root.id,
        review_interval_months=root.review_interval_months,
        lock_version=1,
        last_edited_by_id=actor.id,
    )
    db.session.add(variation)
    copy_record(root, variation)
    root.variation_status = "draft"
    flush()
    audit.record("agreement.variation_opened", "agreement", root.reference, actor=actor, changes={
        "variation": {"before": None, "after": variation.reference},
        "version": {"before": root.version_number, "after": variation.version_number},
    })  # fmt: skip
    return variation


def follow_status(variation: Agreement) -> None:
    """Keep the agreement in the register's note of its open variation's status in step."""
    root = in_register(variation)
    root.variation_status = variation.status if variation.is_open_variation else None


def _close(actor: User | None, variation: Agreement, outcome: str, action: str, extra: dict[str, Any]) -> None:
    variation.variation_outcome = outcome
    variation.variation_ended_at = utcnow()
    variation.lock_version += 1
    in_register(variation).variation_status = None
    flush()
    audit.record(action, "agreement", variation.reference, actor=actor, changes={
        "variation_outcome": {"before": None, "after": outcome},
        "version": {"before": None, "after": variation.version_number},
        **extra,
    })  # fmt: skip


def void_unsigned(actor: User | None, agreement: Agreement, numbers: list[int]) -> int:
    """Void the signatures of versions that will never be sealed (they stay on record, marked void)."""
    if not numbers:
        return 0
    sealed = select(SignedDocument.version_number).where(SignedDocument.agreement_id == agreement.root_id)
    result = db.session.execute(
        update(Signature)
        .where(
            Signature.agreement_id == agreement.root_id,
            Signature.version_number.in_(numbers),
            Signature.version_number.not_in(sealed),
            Signature.voided_at.is_(None),
        )
        .values(voided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0  # type: ignore[attr-defined]
    if count:
        audit.record("agreement.signatures_voided", "agreement", agreement.reference, actor=actor,
                     changes={"signatures": {"before": count, "after": 0}, "versions": {"before": None,
                                                                                       "after": numbers}})  # fmt: skip
    return count


def withdraw(actor: User, variation: Agreement, reason: str, *, read_version: int) -> None:
    """Withdraw an open variation: the version in force is untouched."""
    from registry.services.errors import DomainError, StaleEdit

    lock_both(variation)
    if variation.lock_version != read_version:
        raise StaleEdit()
    if not variation.is_open_variation:
        raise DomainError("This proposed variation has already ended")
    void_unsigned(actor, variation, [variation.version_number])
    _close(actor, variation, "withdrawn", "agreement.variation_withdrawn",
           {"reason": {"before": None, "after": reason.strip() or None}})  # fmt: skip


def end_with(actor: User | None, root: Agreement, how: str) -> None:
    """The agreement is terminated or has expired (``how``): its open variation ends with it."""
    variation = open_for(root)
    if variation is None:
        return
    lock(variation)
    void_unsigned(actor, variation, [variation.version_number])
    _close(actor, variation, "ended", "agreement.variation_ended", {"agreement": {"before": None, "after": how}})


def bring_into_force(actor: User | None, variation: Agreement) -> Agreement:
    """Every party has signed the variation: it becomes the version in force, in the agreement in
    the register, and the versions before it are superseded."""
    root = in_register(variation)
    before = {"status": root.status, "version_number": root.version_number}
    copy_record(variation, root)
    root.version_number = variation.version_number
    root.status = "active"
    root.return_comments = None
    root.submitted_by_id, root.last_edited_by_id = variation.submitted_by_id, variation.last_edited_by_id
    root.lock_version += 1
    now = utcnow()
    older = db.session.scalars(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == root.id,
            AgreementVersion.number < variation.version_number,
            AgreementVersion.superseded_at.is_(None),
        )
    ).all()
    for version in older:
        version.superseded_at, version.superseded_by = now, variation.version_number
    void_unsigned(actor, root, [v.number for v in older])
    _close(actor, variation, "in_force", "agreement.variation_in_force", {})
    audit.record("agreement.new_version_in_force", "agreement", root.reference, actor=actor, changes={
        "status": {"before": before["status"], "after": "active"},
        "version_number": {"before": before["version_number"], "after": root.version_number},
    })  # fmt: skip
    return root


def removed_parties(root: Agreement, variation: Agreement) -> list[str]:
    """Organisations party to the agreement in force that the variation would remove (they are told)."""
    staying = {p.organisation_id for p in variation.parties}
    return [p.organisation.name for p in root.parties if p.organisation_id not in staying]


def added_parties(root: Agreement, variation: Agreement) -> list[str]:
    current = {p.organisation_id for p in root.parties}
    return [p.organisation.name for p in variation.parties if p.organisation_id not in current]
