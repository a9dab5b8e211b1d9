"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from registry.services import users
from registry.web.auth import session_expiry
from registry.web.auth.forms import SignInForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a same-site relative path is followed after sign-in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data, address=request.remote_addr)
        if user is not None:
            session.clear()
            login_user(user)
            session_expiry.start()
            return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
        message = "Enter a correct email address and password"
        form.email.errors = [message]
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    users.signed_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))
