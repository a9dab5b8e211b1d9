"""Objective pages: view with progress chart, create, edit, record progress."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.charts import progress_chart
from registry.dates import today_in_london
from registry.models import Objective, Partnership
from registry.progress import assess
from registry.services import objectives, partnerships
from registry.services.errors import DomainError, StaleEdit
from registry.web.access import authorize, reject, requires, signed_in, visible_or_404
from registry.web.once import once, one_time
from registry.web.params import version_number
from registry.web.partnerships import bp
from registry.web.partnerships.forms import ObjectiveForm, ProgressForm
from registry.web.partnerships.routes import load


def _load(partnership_id: int, objective_id: int) -> tuple[Partnership, Objective]:
    partnership = load(partnership_id)
    return partnership, visible_or_404(objectives.get_visible(current_user, partnership, objective_id))


def _prepare(form: ObjectiveForm, partnership: Partnership, objective: Objective | None = None) -> None:
    form.owner_organisation_id.choices = [
        ("", "Select an organisation"),
        *partnerships.current_member_choices(partnership),
    ]
    current = [c.id for c in objective.communities] if objective else []
    form.communities.choices = objectives.community_choices(include_ids=current)


@bp.route("/<int:partnership_id>/objectives/new", methods=["GET", "POST"])
@signed_in
@once
def objective_create(partnership_id: int) -> str | Response:
    partnership = load(partnership_id)
    authorize("objective.create", partnership)
    form = one_time(ObjectiveForm)()
    _prepare(form, partnership)
    if request.method == "GET" and partnership.start_date:
        form.baseline_date.data = partnership.start_date
    if form.validate_on_submit():
        try:
            objective = objectives.create(current_user, partnership, form.service_data(), form.communities.data)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"The objective ‘{objective.title}’ has been added", "success")
            return redirect(url_for(".objective_view", partnership_id=partnership.id, objective_id=objective.id))
    return render_template("partnerships/objective_form.html", form=form, partnership=partnership, objective=None)


@bp.route("/<int:partnership_id>/objectives/<int:objective_id>")
@requires("partnership.view")
def objective_view(partnership_id: int, objective_id: int) -> str:
    partnership, objective = _load(partnership_id, objective_id)
    updates = objectives.updates(objective)
    points = [(u.recorded_on, u.value) for u in updates]
    measure = {"baseline": objective.baseline, "target": objective.target,
               "baseline_date": objective.baseline_date, "target_date": objective.target_date}  # fmt: skip
    return render_template(
        "partnerships/objective_view.html", partnership=partnership, objective=objective, updates=updates,
        assessment=assess(**measure, points=points, today=today_in_london()),
        chart=progress_chart(**measure, points=points),
    )  # fmt: skip


@bp.route("/<int:partnership_id>/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@signed_in
def objective_edit(partnership_id: int, objective_id: int) -> str | Response:
    partnership, objective = _load(partnership_id, objective_id)
    authorize("objective.edit", objective)
    form = ObjectiveForm(obj=objective)
    _prepare(form, partnership, objective)
    if request.method == "GET":
        form.communities.data = [c.id for c in objective.communities]
    stale = False
    if form.validate_on_submit():
        try:
            objectives.update(current_user, objective, form.service_data(), form.communities.data,
                              read_version=version_number(form.version.data))  # fmt: skip
        except StaleEdit as error:
            stale = True
            reject(form, error)
            form.version.data = str(_load(partnership_id, objective_id)[1].version)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"The objective ‘{objective.title}’ has been updated", "success")
            return redirect(url_for(".objective_view", partnership_id=partnership.id, objective_id=objective.id))
    return render_template(
        "partnerships/objective_form.html", form=form, partnership=partnership, objective=objective, stale=stale
    )


@bp.route("/<int:partnership_id>/objectives/<int:objective_id>/progress", methods=["GET", "POST"])
@signed_in
@once
def progress_create(partnership_id: int, objective_id: int) -> str | Response:
    partnership, objective = _load(partnership_id, objective_id)
    authorize("objective.progress", objective)
    form = one_time(ProgressForm)()
    if form.validate_on_submit():
        try:
            objectives.add_progress(current_user, objective, recorded_on=form.recorded_on.data, value=form.value.data,
                                    narrative=form.narrative.data)  # fmt: skip
        except DomainError as error:
            reject(form, error)
        else:
            flash("The progress update has been saved", "success")
            return redirect(url_for(".objective_view", partnership_id=partnership.id, objective_id=objective.id))
    return render_template("partnerships/progress_form.html", form=form, partnership=partnership, objective=objective)
