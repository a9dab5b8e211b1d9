"""The agreement as a document: PDF and its accessible HTML view, signing, and signed PDFs."""

from __future__ import annotations

import re

from flask import Response, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from registry.documents import content
from registry.services import audit, lifecycle, signing
from registry.services.errors import DomainError
from registry.services.snapshots import snapshot
from registry.web.access import audited_read, authorize, reject, requires, signed_in, visible_or_404
from registry.web.agreements import bp
from registry.web.agreements.part_forms import SignForm
from registry.web.agreements.routes import load


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF download: a safe filename, never cached (it may hold personal details of the sharing)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", filename)[:100]
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _downloaded(reference: str, what: str, version: int) -> None:
    audit.record(
        "document.downloaded",
        "agreement",
        reference,
        actor=current_user,
        changes={"document": {"before": None, "after": what}, "version": {"before": None, "after": version}},
    )


@bp.route("/<reference>/document.pdf")
@audited_read
@requires("agreement.download")
def document_pdf(reference: str) -> Response:
    agreement = load(reference)
    data = signing.render_current(agreement, snapshot(agreement))
    _downloaded(agreement.reference, "agreement PDF", agreement.version_number)
    return pdf_response(data, f"{agreement.reference}-v{agreement.version_number}.pdf")


@bp.route("/<reference>/versions/<int:number>/document.pdf")
@audited_read
@requires("agreement.download")
def version_pdf(reference: str, number: int) -> Response:
    agreement = load(reference)
    version = visible_or_404(lifecycle.version(agreement, number))
    data = signing.render_version(agreement, version)
    _downloaded(agreement.reference, "approved version PDF", number)
    return pdf_response(data, f"{agreement.reference}-v{number}-approved.pdf")


@bp.route("/<reference>/signed/version-<int:number>.pdf")
@audited_read
@requires("agreement.download")
def signed_pdf(reference: str, number: int) -> Response:
    agreement = load(reference)
    stored = visible_or_404(signing.signed_document(agreement, number))
    _downloaded(agreement.reference, "signed and sealed PDF", number)
    return pdf_response(stored.pdf, f"{agreement.reference}-v{number}-signed.pdf")


@bp.route("/<reference>/document")
@requires("agreement.view")
def document_html(reference: str) -> str:
    """The accessible alternative to the PDF: the same content as a web page."""
    agreement = load(reference)
    record = snapshot(agreement)
    return render_template(
        "agreements/document.html",
        agreement=agreement,
        record=record,
        sections=content.sections(record),
        rights=content.RIGHTS_TEXT,
    )


@bp.route("/<reference>/sign", methods=["GET", "POST"])
@signed_in
def sign(reference: str) -> str | Response:
    agreement = load(reference)
    authorize("agreement.sign", agreement)
    party = signing.party_to_sign(current_user, agreement)
    version = signing.current_version(agreement)
    if party is None or version is None:
        flash("There is nothing for you to sign on this agreement", "info")
        return redirect(url_for(".view", reference=agreement.reference))
    form = SignForm(fingerprint=version.document_sha256)
    form.authorised.label.text = f"I am authorised to sign this agreement for {party.organisation.name}"
    if form.validate_on_submit():
        try:
            signing.sign(
                current_user,
                agreement,
                job_title=form.job_title.data,
                fingerprint=form.fingerprint.data or "",
            )
        except DomainError as error:
            reject(form, error)
        else:
            # the last signature puts the agreement (or the variation, in its agreement) in force
            done = agreement.status == "active" or agreement.variation_outcome == "in_force"
            flash(
                "You have signed the agreement. "
                + (
                    "Every party has now signed: the signed PDF is ready."
                    if done
                    else "The other parties will be asked to sign."
                ),
                "success",
            )
            shown = agreement.register_reference if agreement.variation_outcome == "in_force" else agreement.reference
            return redirect(url_for(".view", reference=shown))
    return render_template("agreements/sign.html", form=form, agreement=agreement, party=party, version=version)
