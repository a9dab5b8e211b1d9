"""Proposed variations on the agreement's pages: what the page shows of one, and withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import Agreement, AgreementVersion
from registry.services import variations
from registry.services.errors import DomainError
from registry.services.snapshots import Difference, differences, snapshot
from registry.web.access import authorize, reject, signed_in
from registry.web.agreements import bp
from registry.web.agreements.part_forms import WithdrawForm
from registry.web.agreements.routes import load
from registry.web.params import version_number


@dataclass
class VariationView:
    """The agreement in the register and its proposed variation, side by side, for either's page."""

    root: Agreement
    variation: Agreement | None
    differences: list[Difference] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def in_force_words(self) -> str:
        """How the page names the standing of the agreement in the register's version."""
        if self.root.status == "active":
            return "in force"
        return self.root.status_label.lower()


def view_of(agreement: Agreement) -> VariationView | None:
    """For a page: the variation beside the agreement in force (a closed variation shows how it closed)."""
    if agreement.is_variation:
        root, variation = variations.in_register(agreement), agreement
    else:
        root, variation = agreement, variations.open_for(agreement)
        if variation is None:
            return None
    found = VariationView(root, variation)
    if variation.is_open_variation:
        found.differences = differences(snapshot(root), snapshot(variation))
        found.removed = variations.removed_parties(root, variation)
        found.added = variations.added_parties(root, variation)
    return found


def version_label(root: Agreement, version: AgreementVersion, proposed: Agreement | None) -> str:
    """Where an approved version stands: in force, superseded (by which, when), or proposed."""
    if version.superseded_at is not None:
        by = f" by version {version.superseded_by}" if version.superseded_by else ""
        return f"Superseded{by}"
    if version.number == root.version_number:
        return "In force" if root.status == "active" else root.status_label
    if proposed is not None and version.number == proposed.version_number:
        return f"Proposed variation ({proposed.status_label.lower()})"
    return "Never in force (the variation was withdrawn or changed)"


def proposed_elsewhere(agreement: Agreement) -> Response | None:
    """A change asked of an agreement whose proposed variation is open goes to the variation's page."""
    if agreement.is_variation:
        return None
    proposed = variations.open_for(agreement)
    if proposed is None:
        return None
    flash(f"Version {proposed.version_number} is proposed as a variation: make your changes to it here", "info")
    return redirect(url_for(".view", reference=proposed.reference))


@bp.route("/<reference>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(reference: str) -> str | Response:
    variation = load(reference)
    if not variation.is_variation:
        abort(404)
    authorize("agreement.withdraw_variation", variation)
    if not variation.is_open_variation:
        flash("This proposed variation has already ended", "info")
        return redirect(url_for(".view", reference=variation.reference))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            variations.withdraw(
                current_user, variation, form.reason.data or "", read_version=version_number(form.version.data)
            )
        except DomainError as error:
            reject(form, error)
        else:
            root = variations.in_register(variation)
            flash(f"The proposed variation has been withdrawn. {root.reference} version {root.version_number} "
                  "is unchanged.", "success")  # fmt: skip
            return redirect(url_for(".view", reference=root.reference))
    if not form.version.data:
        form.version.data = str(variation.lock_version)
    return render_template("agreements/withdraw.html", form=form, agreement=variation)
