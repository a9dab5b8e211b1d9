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
