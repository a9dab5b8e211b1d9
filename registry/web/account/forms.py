"""Forms for the user's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from registry.passwords import MAX_LENGTH


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your current password"),
            Length(max=MAX_LENGTH, message=f"Enter a password of {MAX_LENGTH} characters or fewer"),
        ],
    )
    new_password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words make a good one.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())
