from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from registry.passwords import MAX_LENGTH
from registry.web.fields import GovStringField


class SignInForm(FlaskForm):
    email = GovStringField("Email address", validators=[InputRequired("Enter your email address")])
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your password"),
            Length(max=MAX_LENGTH, message=f"Enter a password of {MAX_LENGTH} characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class CodeForm(FlaskForm):
    """A code from an authenticator app (6 digits) or a recovery code."""

    code = GovStringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes",
        validators=[
            InputRequired("Enter the 6-digit code from your authenticator app"),
            Length(max=40, message="Enter the 6-digit code from your authenticator app"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
