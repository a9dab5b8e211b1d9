"""The public verification page: anyone can check a document sealed by this registry."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SubmitField

from registry.services import verification
from registry.web.fields import GovStringField
from registry.web.params import text_arg

bp = Blueprint("verify", __name__)


class UploadForm(FlaskForm):
    document = FileField("Upload the PDF", widget=GovFileInput())
    submit = SubmitField("Check the document", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only look-up by GET

    code = GovStringField("Verification code", description="It is on the last page, for example ABCD-EFGH-2345")
    submit = SubmitField("Look up the code", widget=GovSubmitInput())


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int] | str:
    upload, lookup = UploadForm(), CodeForm(request.args)
    outcome = None
    limit_mb = current_app.config["MAX_VERIFY_UPLOAD"] // (1024 * 1024)
    if request.method == "POST":
        try:
            valid = upload.validate_on_submit()
            file = upload.document.data
        except RequestEntityTooLarge:
            valid, file = False, None
            upload.document.errors = [f"The file must be smaller than {limit_mb} MB"]
        if valid and not file:
            upload.document.errors = ["Select a PDF file to check"]
        elif valid:
            data = file.read(current_app.config["MAX_VERIFY_UPLOAD"] + 1)
            if len(data) > current_app.config["MAX_VERIFY_UPLOAD"]:
                upload.document.errors = [f"The file must be smaller than {limit_mb} MB"]
            elif not data:
                upload.document.errors = ["The selected file is empty"]
            else:
                outcome = verification.check_file(data)
                if outcome.verdict in ("not_pdf", "damaged"):
                    upload.document.errors = [outcome.message]
                    outcome = None
    elif text_arg("code", 40):
        outcome = verification.check_code(text_arg("code", 40))
        if outcome.verdict == "unknown_code":
            lookup.code.errors = [outcome.message]
            outcome = None
    form = upload if upload.errors else (lookup if lookup.code.errors else None)
    return render_template("verify/verify.html", upload=upload, lookup=lookup, outcome=outcome, form=form)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over MAX_CONTENT_LENGTH fails when CSRFProtect reads the form, before the view runs:
    show the page again with the size message by the field, not the bare error page."""
    upload, lookup = UploadForm(formdata=None), CodeForm(formdata=None)
    limit_mb = current_app.config["MAX_VERIFY_UPLOAD"] // (1024 * 1024)
    upload.document.errors = [f"The file must be smaller than {limit_mb} MB"]
    page = render_template("verify/verify.html", upload=upload, lookup=lookup, outcome=None, form=upload)
    return page, 413
