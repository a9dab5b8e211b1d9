"""Moving an agreement through its lifecycle, and recording reviews."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from registry.models import Agreement
from registry.services import lifecycle, reviews
from registry.services.errors import DomainError, NotReady
from registry.web.access import authorize, refuse, reject, signed_in
from registry.web.agreements import bp
from registry.web.agreements.edit import version_of
from registry.web.agreements.part_forms import ReturnForm, ReviewForm, TerminateForm, VersionedForm
from registry.web.agreements.routes import load
from registry.web.once import once, one_time


def _back(agreement: Agreement, anchor: str = "") -> Response:
    return redirect(url_for(".view", reference=agreement.reference) + (f"#{anchor}" if anchor else ""))


def _transition(reference: str, action: str, operation: Callable[[Agreement, int], object], done: str) -> Response:
    agreement = load(reference)
    authorize(f"agreement.{action}", agreement)
    form = VersionedForm()
    form.validate_on_submit()
    try:
        operation(agreement, version_of(form))
    except NotReady as error:
        refuse(error)
        return _back(agreement, "readiness")
    except DomainError as error:
        refuse(error)
        return _back(agreement)
    flash(done.format(reference=agreement.reference, version=agreement.version_number), "success")
    return _back(agreement)


@bp.route("/<reference>/submit", methods=["POST"])
@signed_in
def submit(reference: str) -> Response:
    return _transition(
        reference,
        "submit",
        lambda a, v: lifecycle.submit(current_user, a, read_version=v),
        "{reference} has been submitted for approval",
    )


@bp.route("/<reference>/approve", methods=["POST"])
@signed_in
def approve(reference: str) -> Response:
    return _transition(
        reference,
        "approve",
        lambda a, v: lifecycle.approve(current_user, a, read_version=v),
        "Version {version} of {reference} has been approved and frozen",
    )


@bp.route("/<reference>/request-signatures", methods=["POST"])
@signed_in
def request_signatures(reference: str) -> Response:
    return _transition(
        reference,
        "request_signatures",
        lambda a, v: lifecycle.request_signatures(current_user, a, read_version=v),
        "{reference} has been sent to the parties for signature",
    )


def _with_form(
    reference: str,
    action: str,
    form: FlaskForm,
    template: str,
    operation: Callable[[Agreement, FlaskForm], object],
    done: str,
) -> str | Response:
    agreement = load(reference)
    authorize(f"agreement.{action}", agreement)
    if form.validate_on_submit():
        try:
            operation(agreement, form)
        except DomainError as error:
            reject(form, error)
        else:
            flash(done.format(reference=agreement.reference), "success")
            return _back(agreement)
    if getattr(form, "version", None) is not None and not form.version.data:
        form.version.data = str(agreement.lock_version)
    return render_template(template, form=form, agreement=agreement)


@bp.route("/<reference>/return", methods=["GET", "POST"])
@signed_in
def return_to_draft(reference: str) -> str | Response:
    return _with_form(
        reference,
        "return",
        ReturnForm(),
        "agreements/return.html",
        lambda a, f: lifecycle.return_to_draft(current_user, a, f.comments.data, read_version=version_of(f)),
        "{reference} has been returned to draft with your comments",
    )


@bp.route("/<reference>/terminate", methods=["GET", "POST"])
@signed_in
def terminate(reference: str) -> str | Response:
    return _with_form(
        reference,
        "terminate",
        TerminateForm(),
        "agreements/terminate.html",
        lambda a, f: lifecycle.terminate(current_user, a, f.reason.data, read_version=version_of(f)),
        "{reference} has been terminated",
    )


@bp.route("/<reference>/reviews/new", methods=["GET", "POST"])
@signed_in
@once
def review(reference: str) -> str | Response:
    return _with_form(
        reference,
        "review",
        one_time(ReviewForm)(),
        "agreements/review.html",
        lambda a, f: reviews.record(
            current_user, a, reviewed_on=f.reviewed_on.data, outcome=f.outcome.data, notes=f.notes.data or ""
        ),
        "The review of {reference} has been recorded",
    )
