"""The organisations register: list, view, create, edit, dissolve."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.dates import today_in_london
from registry.models import Organisation
from registry.services import agreements, objectives, organisations, partnerships, reviews
from registry.services.errors import DomainError, StaleEdit
from registry.web.access import authorize, page_number, reject, requires, signed_in, visible_or_404
from registry.web.once import once, one_time
from registry.web.organisations.forms import KIND_CHOICES, SECTOR_CHOICES, DissolveForm, OrganisationForm
from registry.web.params import text_arg, version_number

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

SORT_CHOICES = [
    ("name", "Name (A to Z)"),
    ("-name", "Name (Z to A)"),
    ("sector", "Sector"),
    ("kind", "Kind"),
    ("-updated", "Recently changed"),
]


def _load(organisation_id: int) -> Organisation:
    return visible_or_404(organisations.get_visible(current_user, organisation_id))


@bp.route("/")
@requires("organisation.list")
def index() -> str:
    filters = {key: text_arg(key) for key in ("q", "sector", "kind", "status")}
    sort = request.args.get("sort", "name")
    if sort not in organisations.SORTS:
        sort = "name"
    results = organisations.search(
        current_user,
        text=filters["q"],
        sector=filters["sector"] if filters["sector"] in dict(SECTOR_CHOICES) else "",
        kind=filters["kind"] if filters["kind"] in dict(KIND_CHOICES) else "",
        status=filters["status"] if filters["status"] in ("active", "dissolved") else "",
        sort=sort,
        page=page_number(),
    )
    return render_template(
        "organisations/index.html",
        results=results, filters=filters, sort=sort,
        sectors=SECTOR_CHOICES, kinds=KIND_CHOICES, sorts=SORT_CHOICES,
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@requires("organisation.create")
@once
def create() -> str | Response:
    form = one_time(OrganisationForm)()
    if form.validate_on_submit():
        try:
            organisation = organisations.create(current_user, form.service_data())
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{organisation.name} has been added to the register", "success")
            return redirect(url_for(".view", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>")
@requires("organisation.view")
def view(organisation_id: int) -> str:
    organisation = _load(organisation_id)
    return render_template(
        "organisations/view.html", organisation=organisation,
        memberships=partnerships.for_organisation(current_user, organisation.id),
        owned_objectives=objectives.owned_by(current_user, organisation.id),
        agreement_list=agreements.for_organisation(current_user, organisation.id),
        agreements_all_href=url_for("agreements.index", organisation=organisation.id, sort="review"),
        review_state=reviews.state,
    )  # fmt: skip


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(organisation_id: int) -> str | Response:
    organisation = _load(organisation_id)
    authorize("organisation.edit", organisation)
    form = OrganisationForm(obj=organisation)
    stale: StaleEdit | None = None
    if form.validate_on_submit():
        try:
            read_version = version_number(form.version.data)
            organisations.update(current_user, organisation, form.service_data(), read_version=read_version)
        except StaleEdit as error:
            stale = error
            reject(form, error)
            organisation = _load(organisation_id)
            form.version.data = str(organisation.version)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{organisation.name} has been updated", "success")
            return redirect(url_for(".view", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation, stale=stale)


@bp.route("/<int:organisation_id>/dissolve", methods=["GET", "POST"])
@signed_in
def dissolve(organisation_id: int) -> str | Response:
    organisation = _load(organisation_id)
    authorize("organisation.dissolve", organisation)
    if organisation.is_dissolved:
        flash(f"{organisation.name} is already marked as dissolved", "info")
        return redirect(url_for(".view", organisation_id=organisation.id))
    form = DissolveForm()
    form.successor_id.choices = [("", "No successor"), *organisations.choices(exclude_id=organisation.id)]
    if form.validate_on_submit():
        if form.dissolved_on.data > today_in_london():
            form.dissolved_on.errors = ["Date dissolved must be today or in the past"]
        else:
            try:
                organisations.dissolve(
                    current_user, organisation, dissolved_on=form.dissolved_on.data, successor_id=form.successor_id.data
                )
            except DomainError as error:
                reject(form, error)
            else:
                flash(f"{organisation.name} has been marked as dissolved", "success")
                return redirect(url_for(".view", organisation_id=organisation.id))
    return render_template("organisations/dissolve.html", form=form, organisation=organisation)
