from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import BooleanField, PasswordField, RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from registry.models import Role
from registry.services.users import password_problem
from registry.web.fields import GovStringField, email_address
from registry.web.params import optional_id

ROLE_CHOICES = [(role.value, role.label) for role in Role]


class UserDetailsForm(FlaskForm):
    name = GovStringField(
        "Full name",
        validators=[
            InputRequired("Enter the user’s full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )
    role = RadioField("Role", choices=ROLE_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select a role")])
    organisation_id = SelectField(
        "Organisation (for partner users)",
        description="Partner users see only their own organisation’s records",
        coerce=optional_id,
        widget=GovSelect(),
        validators=[Optional()],
    )
    is_signatory = BooleanField(
        "They may sign data-sharing agreements for their organisation",
        description="Only for partner users",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save user", widget=GovSubmitInput())


class NewUserForm(UserDetailsForm):
    email = GovStringField(
        "Email address",
        validators=[
            InputRequired("Enter the user’s email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            email_address(),
        ],
    )
    password = PasswordField(
        "Password",
        description=(
            "At least 12 characters. A few unrelated words make a good one. Give it to the user in person or by phone."
        ),
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a password")],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())

    def validate_password(self, field: Any) -> None:
        problem = password_problem(field.data or "", email=self.email.data or "", name=self.name.data or "")
        if problem:
            raise ValidationError(problem)
