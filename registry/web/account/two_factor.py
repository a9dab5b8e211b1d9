"""Two-factor sign-in on the user's own account: set it up, see it, turn it off, new recovery codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.services import two_factor
from registry.services.errors import DomainError
from registry.web.access import reject, signed_in
from registry.web.account.routes import bp
from registry.web.auth.forms import CodeForm

SETUP_SECRET = "two_factor_setup_secret"  # the secret being set up, until the app shows a right code
NEW_CODES = "two_factor_new_codes"  # new recovery codes, kept for the one page that shows them


@bp.route("/account/two-factor")
@signed_in
def two_factor_status() -> str:
    return render_template(
        "account/two_factor.html",
        required=two_factor.required_for(current_user),
        codes_left=two_factor.remaining_recovery_codes(current_user) if current_user.two_factor_on else 0,
    )


def _setup_form() -> CodeForm:
    form = CodeForm()
    form.code.label.text = "Code from your app"
    form.code.description = "The 6-digit code your authenticator app shows for this service"
    form.submit.label.text = "Turn on two-factor sign-in"
    return form


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@signed_in
def two_factor_setup() -> str | Response:
    if current_user.two_factor_on:
        return redirect(url_for(".two_factor_status"))
    secret = session.get(SETUP_SECRET)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP_SECRET] = two_factor.new_secret()
    form = _setup_form()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(current_user, secret, form.code.data)
        except DomainError as error:
            reject(form, error)
        else:
            session.pop(SETUP_SECRET, None)
            session[NEW_CODES] = codes
            flash("Two-factor sign-in is on. You will need a code from your app each time you sign in.", "success")
            return redirect(url_for(".recovery_codes"))
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template(
        "account/two_factor_setup.html",
        form=form,
        qr=two_factor.qr_svg(uri),
        secret=two_factor.grouped(secret),
        required=two_factor.required_for(current_user),
    )


@bp.route("/account/two-factor/recovery-codes")
@signed_in
def recovery_codes() -> str | Response:
    """New recovery codes, shown once: they are stored only as hashes."""
    codes = session.pop(NEW_CODES, None)
    if not isinstance(codes, list) or not current_user.two_factor_on:
        return redirect(url_for(".two_factor_status"))
    return render_template("account/recovery_codes.html", codes=codes)


def _confirm_form(button: str) -> CodeForm:
    form = CodeForm()
    form.code.label.text = "Code from your authenticator app"
    form.code.description = "To confirm it is you: the 6-digit code your app shows now, or a recovery code"
    form.submit.label.text = button
    return form


@bp.route("/account/two-factor/recovery-codes/new", methods=["GET", "POST"])
@signed_in
def recovery_codes_new() -> str | Response:
    if not current_user.two_factor_on:
        return redirect(url_for(".two_factor_status"))
    form = _confirm_form("Make new recovery codes")
    if form.validate_on_submit():
        try:
            codes = two_factor.regenerate_recovery_codes(current_user, form.code.data, address=request.remote_addr)
        except two_factor.CodeRefused as error:
            form.code.errors = [error.message]  # no rollback: the attempt is counted and audited
        except DomainError as error:
            reject(form, error)
        else:
            session[NEW_CODES] = codes
            flash("You have new recovery codes. Your old ones no longer work.", "success")
            return redirect(url_for(".recovery_codes"))
    return render_template(
        "account/two_factor_confirm.html", form=form, title="Make new recovery codes", turn_off=False
    )


@bp.route("/account/two-factor/turn-off", methods=["GET", "POST"])
@signed_in
def two_factor_turn_off() -> str | Response:
    if not current_user.two_factor_on or two_factor.required_for(current_user):
        return redirect(url_for(".two_factor_status"))
    form = _confirm_form("Turn off two-factor sign-in")
    if form.validate_on_submit():
        try:
            two_factor.disable(current_user, form.code.data, address=request.remote_addr)
        except two_factor.CodeRefused as error:
            form.code.errors = [error.message]  # no rollback: the attempt is counted and audited
        except DomainError as error:
            reject(form, error)
        else:
            flash("Two-factor sign-in is off. You will sign in with your password alone.", "success")
            return redirect(url_for(".two_factor_status"))
    return render_template(
        "account/two_factor_confirm.html", form=form, title="Turn off two-factor sign-in", turn_off=True
    )
