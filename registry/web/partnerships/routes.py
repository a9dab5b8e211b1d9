"""Partnership pages: list, view, create, edit, and membership over time."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.dates import today_in_london
from registry.models import Partnership
from registry.progress import assess
from registry.services import agreements, objectives, organisations, partnerships, reviews
from registry.services.errors import DomainError, StaleEdit
from registry.web.access import authorize, page_number, reject, requires, signed_in, visible_or_404
from registry.web.once import once, one_time
from registry.web.params import id_arg, text_arg, version_number
from registry.web.partnerships import bp
from registry.web.partnerships.forms import (
    PRIORITY_CHOICES,
    STATUS_CHOICES,
    EndMembershipForm,
    MemberForm,
    PartnershipForm,
)

SORT_CHOICES = [("name", "Name (A to Z)"), ("-start", "Newest start date"), ("status", "Status"),
                ("-updated", "Recently changed")]  # fmt: skip


def load(partnership_id: int) -> Partnership:
    return visible_or_404(partnerships.get_visible(current_user, partnership_id))


@bp.route("/")
@requires("partnership.list")
def index() -> str:
    filters = {key: text_arg(key) for key in ("q", "status", "priority")}
    member_id, community_id = id_arg("member"), id_arg("community")
    sort = request.args.get("sort", "name")
    sort = sort if sort in partnerships.SORTS else "name"
    results = partnerships.search(
        current_user,
        text=filters["q"],
        status=filters["status"] if filters["status"] in dict(STATUS_CHOICES) else "",
        priority=filters["priority"] if filters["priority"] in dict(PRIORITY_CHOICES) else "",
        member_id=member_id,
        community_id=community_id,
        sort=sort,
        page=page_number(),
    )
    member_choices = (
        [(current_user.organisation_id, current_user.organisation.name)]
        if current_user.role == "partner"
        else organisations.choices(active_only=False)
    )
    return render_template(
        "partnerships/index.html", results=results, filters=filters, sort=sort, member_id=member_id,
        community_id=community_id, statuses=STATUS_CHOICES, priorities=PRIORITY_CHOICES, sorts=SORT_CHOICES,
        members=member_choices, communities=objectives.community_choices(),
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@requires("partnership.create")
@once
def create() -> str | Response:
    form = one_time(PartnershipForm)()
    form.lead_organisation_id.choices = [("", "Select an organisation"), *organisations.choices()]
    if form.validate_on_submit():
        try:
            partnership = partnerships.create(current_user, form.service_data())
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{partnership.name} has been created with its lead organisation as a member", "success")
            return redirect(url_for(".view", partnership_id=partnership.id))
    return render_template("partnerships/form.html", form=form, partnership=None)


@bp.route("/<int:partnership_id>")
@requires("partnership.view")
def view(partnership_id: int) -> str:
    partnership = load(partnership_id)
    objective_list = objectives.for_partnership(partnership)
    latest = objectives.points_for([o.id for o in objective_list])
    standings = {
        o.id: assess(baseline=o.baseline, target=o.target, baseline_date=o.baseline_date, target_date=o.target_date,
                     points=latest.get(o.id, []), today=today_in_london())
        for o in objective_list
    }  # fmt: skip
    return render_template(
        "partnerships/view.html", partnership=partnership, memberships=partnerships.memberships(partnership),
        objectives=objective_list, standings=standings,
        agreement_list=agreements.for_partnership(current_user, partnership.id), review_state=reviews.state,
        agreements_all_href=url_for("agreements.index", partnership=partnership.id),
    )  # fmt: skip


@bp.route("/<int:partnership_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(partnership_id: int) -> str | Response:
    partnership = load(partnership_id)
    authorize("partnership.edit", partnership)
    form = PartnershipForm(obj=partnership)
    if request.method == "GET":
        form.strategies.data = "\n".join(partnership.strategies or [])
    form.lead_organisation_id.choices = [("", "Select an organisation"), *organisations.choices()]
    if partnership.lead_organisation.is_dissolved:
        form.lead_organisation_id.choices.append((partnership.lead_organisation_id, partnership.lead_organisation.name))
    stale = False
    if form.validate_on_submit():
        try:
            partnerships.update(
                current_user, partnership, form.service_data(), read_version=version_number(form.version.data)
            )
        except StaleEdit as error:
            stale = True
            reject(form, error)
            form.version.data = str(load(partnership_id).version)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{partnership.name} has been updated", "success")
            return redirect(url_for(".view", partnership_id=partnership.id))
    return render_template("partnerships/form.html", form=form, partnership=partnership, stale=stale)


@bp.route("/<int:partnership_id>/members/new", methods=["GET", "POST"])
@signed_in
@once
def add_member(partnership_id: int) -> str | Response:
    partnership = load(partnership_id)
    authorize("partnership.members", partnership)
    form = one_time(MemberForm)()
    form.organisation_id.choices = [("", "Select an organisation")] + [
        (org_id, name) for org_id, name in organisations.labelled_choices()
    ]
    if form.validate_on_submit():
        try:
            membership = partnerships.add_member(
                current_user, partnership, organisation_id=form.organisation_id.data, role=form.role.data,
                joined_on=form.joined_on.data,
            )  # fmt: skip
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{membership.organisation.name} has been added to the partnership", "success")
            return redirect(url_for(".view", partnership_id=partnership.id))
    return render_template("partnerships/member_form.html", form=form, partnership=partnership)


@bp.route("/<int:partnership_id>/members/<int:membership_id>/end", methods=["GET", "POST"])
@signed_in
def end_member(partnership_id: int, membership_id: int) -> str | Response:
    partnership = load(partnership_id)
    authorize("partnership.members", partnership)
    membership = visible_or_404(partnerships.get_membership(partnership, membership_id))
    form = EndMembershipForm()
    if form.validate_on_submit():
        try:
            partnerships.end_membership(current_user, partnership, membership, left_on=form.left_on.data)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"{membership.organisation.name} has left the partnership", "success")
            return redirect(url_for(".view", partnership_id=partnership.id))
    return render_template("partnerships/end_member.html", form=form, partnership=partnership, membership=membership)
