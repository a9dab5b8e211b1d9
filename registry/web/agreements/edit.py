"""Changing an agreement section by section."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import Agreement
from registry.models import agreement_choices as choices
from registry.services import agreements, variations
from registry.services.errors import DomainError, StaleEdit
from registry.web.access import authorize, reject, signed_in
from registry.web.agreements import bp
from registry.web.agreements.forms import SECTION_FORMS, GovernanceForm, PurposeForm, SectionForm
from registry.web.agreements.routes import load, partnership_choices
from registry.web.agreements.variations import proposed_elsewhere
from registry.web.params import version_number


def version_of(form: SectionForm) -> int:
    return version_number(form.version.data)


def saved(agreement: Agreement, message: str, anchor: str = "") -> Response:
    """Back to the record the change went into: for an agreement in force, its proposed variation."""
    target = agreement
    if not agreement.is_variation and agreement.status in agreements.FROZEN:
        target = variations.open_for(agreement) or agreement
    if target is not agreement:
        message += (
            f". This change is in the proposed variation, version {target.version_number}: version "
            f"{agreement.version_number} stays as it is until the variation is approved and signed by every party"
        )
    flash(message, "success")
    return redirect(url_for(".view", reference=target.reference) + (f"#{anchor}" if anchor else ""))


def _prepare(form: SectionForm, agreement: Agreement, section: str) -> None:
    if isinstance(form, PurposeForm):
        form.partnership_id.choices = partnership_choices()
        form.objectives.choices = agreements.objective_choices(agreement)
    if section == "legal":
        form.gateways.choices = agreements.gateway_choices([g.id for g in agreement.gateways])
    if request.method == "GET":
        form.version.data = str(agreement.lock_version)
        if isinstance(form, PurposeForm):
            form.objectives.data = [o.id for o in agreement.objectives]
        if section == "legal":
            form.gateways.data = [g.id for g in agreement.gateways]
        if isinstance(form, GovernanceForm):
            for key in choices.DPIA_SCREENING:
                answer = (agreement.dpia_screening or {}).get(key)
                getattr(form, f"dpia_{key}").data = None if answer is None else ("yes" if answer else "no")


@bp.route("/<reference>/edit/<section>", methods=["GET", "POST"])
@signed_in
def edit_section(reference: str, section: str) -> str | Response:
    if section not in SECTION_FORMS:
        abort(404)
    agreement = load(reference)
    authorize("agreement.edit", agreement)
    elsewhere = proposed_elsewhere(agreement)
    if elsewhere is not None:
        return elsewhere
    form = SECTION_FORMS[section](obj=agreement)
    _prepare(form, agreement, section)
    stale: StaleEdit | None = None
    if form.validate_on_submit():
        lists = {}
        if isinstance(form, PurposeForm):
            lists["objective_ids"] = form.objectives.data or []
        if section == "legal":
            lists["gateway_ids"] = form.gateways.data or []
        try:
            agreements.update_section(
                current_user, agreement, section, form.service_data(), read_version=version_of(form), **lists
            )
        except StaleEdit as error:
            stale = error
            reject(form, error)
            form.version.data = str(load(reference).lock_version)
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"{agreements.SECTION_TITLES[section]} saved", section)
    return render_template(
        "agreements/edit_section.html",
        form=form,
        agreement=agreement,
        section=section,
        title=agreements.SECTION_TITLES[section],
        stale=stale,
        choices=choices,
    )
