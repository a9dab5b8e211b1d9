from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import HiddenField, RadioField, SelectField, SubmitField
from wtforms.validators import URL, InputRequired, Length, Optional, ValidationError

from registry.identifiers import checker, normalise_postcode
from registry.models import OrganisationKind, Sector
from registry.services.organisations import EDITABLE
from registry.web.fields import (
    DateRequired,
    GovDateField,
    GovStringField,
    GovTextAreaField,
    email_address,
    identifier,
)
from registry.web.params import optional_id

SECTOR_CHOICES = [(s.value, s.label) for s in Sector]
KIND_CHOICES = [(k.value, k.label) for k in OrganisationKind]


def _postcode(form: Any, field: Any) -> None:
    if field.data:
        try:
            field.data = normalise_postcode(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def _optional_text(label: str, max_length: int, *extra: Any, **kwargs: Any) -> GovStringField:
    name = label.removesuffix(" (optional)")
    return GovStringField(
        label,
        validators=[
            Optional(),
            Length(max=max_length, message=f"{name} must be {max_length} characters or fewer"),
            *extra,
        ],
        **kwargs,
    )


def _id_field(label: str, name: str, hint: str) -> GovStringField:
    return _optional_text(label, 12, identifier(checker(name)), description=hint)


class OrganisationForm(FlaskForm):
    name = GovStringField(
        "Name",
        validators=[
            InputRequired("Enter the organisation’s name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    sector = RadioField(
        "Sector", choices=SECTOR_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select the sector")]
    )
    kind = SelectField(
        "Kind of organisation",
        choices=[("", "Select a kind"), *KIND_CHOICES],
        widget=GovSelect(),
        validators=[InputRequired("Select the kind of organisation")],
    )
    ico_registration_number = _id_field(
        "ICO registration number (optional)",
        "ico_registration_number",
        "From the ICO register of fee payers, like Z1234567 or ZA123456",
    )
    companies_house_number = _id_field(
        "Companies House number (optional)", "companies_house_number", "8 characters, like 01234567 or SC123456"
    )
    charity_number = _id_field("Charity number (optional)", "charity_number", "Like 1234567, SC012345 or NIC100001")
    nhs_ods_code = _id_field(
        "NHS ODS code (optional)", "nhs_ods_code", "Organisation Data Service code, like RX1 or A12345"
    )
    ukprn = _id_field(
        "UKPRN (optional)", "ukprn", "UK provider reference number: 8 digits starting with 1, like 10012345"
    )
    school_urn = _id_field("School URN (optional)", "school_urn", "Unique reference number: 6 digits, like 123456")
    rsh_number = _id_field("Regulator of Social Housing number (optional)", "rsh_number", "Like L1234, LH1234 or 4567")
    address = GovTextAreaField(
        "Address (optional)",
        validators=[Optional(), Length(max=500, message="Address must be 500 characters or fewer")],
    )  # fmt: skip
    # the format check alone: a real postcode is at most 8 characters, and "Enter a real UK postcode" says what to do
    postcode = GovStringField("Postcode (optional)", validators=[Optional(), _postcode])
    website = _optional_text(
        "Website (optional)",
        300,
        URL(message="Enter a website address in the correct format, like https://www.example.org"),
    )
    main_contact_name = _optional_text("Main contact’s name (optional)", 200)
    main_contact_email = _optional_text("Main contact’s email address (optional)", 254, email_address())
    main_contact_phone = _optional_text("Main contact’s phone number (optional)", 40)
    dpo_name = _optional_text("Data protection officer or IG lead (optional)", 200)
    dpo_email = _optional_text("Data protection officer’s email address (optional)", 254, email_address())
    version = HiddenField()
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in EDITABLE}


class DissolveForm(FlaskForm):
    dissolved_on = GovDateField(
        "Date dissolved", validators=[DateRequired("Enter the date the organisation was dissolved")]
    )
    successor_id = SelectField(
        "Successor organisation (optional)",
        description="The body that took on its work, if there is one",
        coerce=optional_id,
        widget=GovSelect(),
        validators=[Optional()],
        # the service says why a successor is refused (dissolved since the page was opened, or unknown)
        validate_choice=False,
    )
    submit = SubmitField("Mark as dissolved", widget=GovSubmitInput())
