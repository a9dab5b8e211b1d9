"""Each record's history: a timeline of the events about an organisation, partnership or agreement.

Everyone who can see the record may see its history (a hidden record answers 404). Downloads
and refused attempts are left out unless the user may see the audit log (``audit.view``).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from registry.policy import can
from registry.services import agreements, audit_log, organisations, partnerships
from registry.web.access import requires, visible_or_404

bp = Blueprint("history", __name__)


def _page(record: object, kind: str, name: str, back: tuple[str, str], endpoint_args: dict) -> str:
    include_reads = can(current_user, "audit.view")
    events = audit_log.history(
        record, include_reads=include_reads, after=request.args.get("after"), before=request.args.get("before")
    )  # type: ignore[arg-type]
    return render_template(
        "audit/history.html", record=record, kind=kind, name=name, back=back, events=events,
        include_reads=include_reads, endpoint_args=endpoint_args,
    )  # fmt: skip


@bp.route("/organisations/<int:organisation_id>/history")
@requires("organisation.history")
def organisation(organisation_id: int) -> str:
    record = visible_or_404(organisations.get_visible(current_user, organisation_id))
    return _page(record, "organisation", record.name, ("Organisations", "organisations.index"),
                 {"organisation_id": record.id})  # fmt: skip


@bp.route("/partnerships/<int:partnership_id>/history")
@requires("partnership.history")
def partnership(partnership_id: int) -> str:
    record = visible_or_404(partnerships.get_visible(current_user, partnership_id))
    return _page(record, "partnership", record.name, ("Partnerships", "partnerships.index"),
                 {"partnership_id": record.id})  # fmt: skip


@bp.route("/agreements/<reference>/history")
@requires("agreement.history")
def agreement(reference: str) -> str:
    record = visible_or_404(agreements.get_visible(current_user, reference))
    return _page(record, "agreement", f"{record.reference}: {record.title}", ("Agreements", "agreements.index"),
                 {"reference": record.reference})  # fmt: skip
