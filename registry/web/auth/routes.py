"""Sign in (password, then a code when two-factor is on) and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from registry import dates
from registry.services import users
from registry.web.auth import session_store
from registry.web.auth.forms import CodeForm, SignInForm

bp = Blueprint("auth", __name__)

# a password accepted for a user with two-factor on: who, when, and where to go after the code
PENDING = "two_factor_pending"
PENDING_SECONDS = 5 * 60
WRONG_CODE = "Enter a correct code from your authenticator app, or a recovery code you have not used"
TOO_SLOW = "You took more than 5 minutes to enter your code. Sign in again."


def safe_next(target: str | None) -> str | None:
    """Only a same-site relative path is followed after sign-in. A path with a control character is
    refused: a line break cannot go in a Location header, and browsers drop tabs and line breaks
    from an address, so ``/<tab>/evil.example`` would become ``//evil.example``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F for character in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _now() -> int:
    return int(dates.utcnow().timestamp())


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data, address=request.remote_addr)
        if user is not None:
            target = safe_next(request.args.get("next"))
            if user.two_factor_on:
                session.clear()  # half signed in: nothing but the code page knows this user yet
                session[PENDING] = {"user_id": user.id, "at": _now(), "next": target}
                return redirect(url_for(".sign_in_code"))
            session_store.sign_in(user)
            return redirect(target or url_for("pages.home"))
        message = "Enter a correct email address and password"
        form.email.errors = [message]
    return render_template("auth/sign_in.html", form=form)


def _pending() -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user_id"), int):
        return None
    return pending


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> str | Response:
    """The second step: the code from the user's app (or a recovery code), within 5 minutes of the password."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    pending = _pending()
    if pending is None:
        return redirect(url_for(".sign_in"))
    if not isinstance(pending.get("at"), int) or _now() - pending["at"] >= PENDING_SECONDS:
        session.pop(PENDING, None)
        flash(TOO_SLOW, "info")
        return redirect(url_for(".sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        user = users.authenticate_code(pending["user_id"], form.code.data, address=request.remote_addr)
        if user is not None:
            session_store.sign_in(user)
            return redirect(safe_next(pending.get("next")) or url_for("pages.home"))
        form.code.errors = [WRONG_CODE]
    return render_template("auth/code.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> Response:
    users.signed_out(current_user, session_store.current_session())
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.sign_in"))
