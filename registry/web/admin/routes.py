"""Admins manage user accounts: create, change role, deactivate (never delete)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import User
from registry.services import organisations, two_factor, users
from registry.services.errors import DomainError
from registry.web.access import page_number, reject, requires
from registry.web.admin.forms import NewUserForm, UserDetailsForm
from registry.web.once import once, one_time

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _organisation_choices() -> list[tuple[str | int, str]]:
    return [("", "Not a partner user"), *organisations.choices(active_only=False)]


def _load(user_id: int) -> User:
    user = users.get(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/")
@requires("user.manage")
def users_index() -> str:
    return render_template("admin/users.html", results=users.page(page=page_number()))


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
@once
def user_create() -> str | Response:
    form = one_time(NewUserForm)()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = users.create(
                current_user,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                organisation_id=form.organisation_id.data,
            )
            users.set_signatory(current_user, user, bool(form.is_signatory.data) and user.role == "partner")
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"The account for {user.email} has been created", "success")
            return redirect(url_for(".users_index"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("user.manage")
def user_edit(user_id: int) -> str | Response:
    user = _load(user_id)
    form = UserDetailsForm(obj=user)
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            users.update(
                current_user, user, name=form.name.data, role=form.role.data, organisation_id=form.organisation_id.data
            )
            users.set_signatory(current_user, user, bool(form.is_signatory.data) and user.role == "partner")
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"The account for {user.email} has been updated", "success")
            return redirect(url_for(".users_index"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@requires("user.manage")
def user_deactivate(user_id: int) -> Response:
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@requires("user.manage")
def user_reactivate(user_id: int) -> Response:
    return _set_active(user_id, True)


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@requires("user.manage")
def user_two_factor_reset(user_id: int) -> Response:
    """For a user who has lost their phone and recovery codes: two-factor off, their sessions ended."""
    user = _load(user_id)
    try:
        two_factor.reset(current_user, user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Two-factor sign-in has been reset for {user.email}. They are signed out everywhere.", "success")
    return redirect(url_for(".user_edit", user_id=user.id))


def _set_active(user_id: int, active: bool) -> Response:
    user = _load(user_id)
    try:
        users.set_active(current_user, user, active)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".user_edit", user_id=user.id))
    flash(f"The account for {user.email} has been {'reactivated' if active else 'deactivated'}", "success")
    return redirect(url_for(".users_index"))


from registry.web.admin import communities  # noqa: E402, F401  (register the community views)
