"""The user's own signed-in sessions, signing out of all the others, and changing their password."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.services import sessions, users
from registry.services.errors import DomainError
from registry.web.access import reject, signed_in
from registry.web.account.forms import ChangePasswordForm
from registry.web.account.routes import bp
from registry.web.auth.session_store import current_session


@bp.route("/account/sessions")
@signed_in
def sessions_list() -> str:
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return render_template(
        "account/sessions.html", sessions=sessions.live(current_user, max_age=max_age), this=current_session()
    )


@bp.route("/account/sessions/end-others", methods=["POST"])
@signed_in
def sessions_end_others() -> Response:
    ended = users.end_other_sessions(current_user, current_session())
    flash(f"You have signed out of {ended} other session{'' if ended == 1 else 's'}", "success")
    return redirect(url_for(".sessions_list"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def password() -> str | Response:
    """A new password ends every other session of the user's; this one stays signed in."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            ended = users.change_password(
                current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                keep=current_session(),
                address=request.remote_addr,
            )
        except users.WrongCurrentPassword as error:
            form.current_password.errors = [error.message]  # no rollback: the failure is counted
        except DomainError as error:
            reject(form, error)
        else:
            others = f" You have been signed out of {ended} other session{'' if ended == 1 else 's'}." if ended else ""
            flash("Your password has been changed." + others, "success")
            return redirect(url_for(".sessions_list"))
    return render_template("account/password.html", form=form)
