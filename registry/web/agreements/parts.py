"""Adding, changing and removing parties, data items and data subject groups."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import Agreement, DataItem, Party, SubjectGroup
from registry.services import agreement_parts, organisations
from registry.services.errors import DomainError
from registry.web.access import authorize, reject, signed_in, visible_or_404
from registry.web.agreements import bp
from registry.web.agreements.edit import saved, version_of
from registry.web.agreements.part_forms import GroupForm, ItemForm, PartyForm, VersionedForm
from registry.web.agreements.routes import load
from registry.web.agreements.variations import proposed_elsewhere
from registry.web.once import once, one_time


def _editable(reference: str) -> Agreement:
    agreement = load(reference)
    authorize("agreement.edit", agreement)
    elsewhere = proposed_elsewhere(agreement)
    if elsewhere is not None:
        abort(elsewhere)
    return agreement


def _render(template: str, form: VersionedForm, agreement: Agreement, **context: object) -> str:
    if form.version.data in (None, ""):
        form.version.data = str(agreement.lock_version)
    return render_template(template, form=form, agreement=agreement, **context)


@bp.route("/<reference>/parties/new", methods=["GET", "POST"])
@signed_in
@once
def party_add(reference: str) -> str | Response:
    agreement = _editable(reference)
    form = one_time(PartyForm)()
    # dissolved organisations are listed, marked, so that choosing one can suggest its successor
    form.organisation_id.choices = [("", "Select an organisation"), *organisations.labelled_choices()]
    if form.validate_on_submit():
        try:
            party = agreement_parts.add_party(
                current_user, agreement, form.service_data(), read_version=version_of(form)
            )
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"{party.organisation.name} has been added as a party", "parties")
    return _render("agreements/party_form.html", form, agreement, party=None)


@bp.route("/<reference>/parties/<int:party_id>/edit", methods=["GET", "POST"])
@signed_in
def party_edit(reference: str, party_id: int) -> str | Response:
    agreement = _editable(reference)
    party = visible_or_404(agreement_parts.find(agreement, Party, party_id))
    form = PartyForm(obj=party)
    form.organisation_id.choices = [(party.organisation_id, party.organisation.name)]
    form.organisation_id.data = party.organisation_id
    if form.validate_on_submit():
        try:
            agreement_parts.update_party(
                current_user, agreement, party, form.service_data(), read_version=version_of(form)
            )
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"{party.organisation.name}’s details have been saved", "parties")
    return _render("agreements/party_form.html", form, agreement, party=party)


@bp.route("/<reference>/parties/<int:party_id>/remove", methods=["POST"])
@signed_in
def party_remove(reference: str, party_id: int) -> str | Response:
    agreement = _editable(reference)
    party = visible_or_404(agreement_parts.find(agreement, Party, party_id))
    name = party.organisation.name
    return _remove(
        agreement,
        lambda version: agreement_parts.remove_party(current_user, agreement, party, read_version=version),
        f"{name} has been removed from the parties",
        "parties",
    )


def _item_choices(form: ItemForm, agreement: Agreement) -> None:
    form.provider_organisation_id.choices = [("", "Not given")] + [
        (p.organisation_id, p.organisation.name) for p in agreement.parties
    ]


@bp.route("/<reference>/items/new", methods=["GET", "POST"])
@signed_in
@once
def item_add(reference: str) -> str | Response:
    agreement = _editable(reference)
    form = one_time(ItemForm)()
    _item_choices(form, agreement)
    if form.validate_on_submit():
        try:
            item = agreement_parts.add_item(current_user, agreement, form.service_data(), read_version=version_of(form))
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"‘{item.name}’ has been added to the data items", "data")
    return _render("agreements/item_form.html", form, agreement, item=None)


@bp.route("/<reference>/items/<int:item_id>/edit", methods=["GET", "POST"])
@signed_in
def item_edit(reference: str, item_id: int) -> str | Response:
    agreement = _editable(reference)
    item = visible_or_404(agreement_parts.find(agreement, DataItem, item_id))
    form = ItemForm(obj=item)
    _item_choices(form, agreement)
    if form.validate_on_submit():
        try:
            agreement_parts.update_item(
                current_user, agreement, item, form.service_data(), read_version=version_of(form)
            )
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"‘{item.name}’ has been saved", "data")
    return _render("agreements/item_form.html", form, agreement, item=item)


@bp.route("/<reference>/items/<int:item_id>/remove", methods=["POST"])
@signed_in
def item_remove(reference: str, item_id: int) -> str | Response:
    agreement = _editable(reference)
    item = visible_or_404(agreement_parts.find(agreement, DataItem, item_id))
    name = item.name
    return _remove(
        agreement,
        lambda version: agreement_parts.remove_item(current_user, agreement, item, read_version=version),
        f"‘{name}’ has been removed from the data items",
        "data",
    )


@bp.route("/<reference>/subjects/new", methods=["GET", "POST"])
@signed_in
@once
def group_add(reference: str) -> str | Response:
    agreement = _editable(reference)
    form = one_time(GroupForm)()
    if form.validate_on_submit():
        try:
            group = agreement_parts.add_group(
                current_user, agreement, form.service_data(), read_version=version_of(form)
            )
        except DomainError as error:
            reject(form, error)
        else:
            return saved(agreement, f"‘{group.name}’ has been added to the data subjects", "data")
    return _render("agreements/group_form.html", form, agreement)


@bp.route("/<reference>/subjects/<int:group_id>/remove", methods=["POST"])
@signed_in
def group_remove(reference: str, group_id: int) -> str | Response:
    agreement = _editable(reference)
    group = visible_or_404(agreement_parts.find(agreement, SubjectGroup, group_id))
    name = group.name
    return _remove(
        agreement,
        lambda version: agreement_parts.remove_group(current_user, agreement, group, read_version=version),
        f"‘{name}’ has been removed from the data subjects",
        "data",
    )


def _remove(agreement: Agreement, remove, message: str, anchor: str) -> str | Response:  # type: ignore[no-untyped-def]
    form = VersionedForm()
    form.validate_on_submit()
    try:
        remove(version_of(form))
    except DomainError as error:
        reject(form, error)
        return render_template("agreements/refused.html", agreement=agreement, message=error.message), 409  # type: ignore[return-value]
    return saved(agreement, message, anchor)
