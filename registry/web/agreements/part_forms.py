"""Forms for parties, data items, data subject groups, transitions and reviews."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, RadioField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from registry.models import agreement_choices as choices
from registry.web.agreements.forms import text
from registry.web.fields import DateRequired, GovDateField, GovSelectField, GovStringField
from registry.web.params import optional_id


def short(label: str, max_length: int = 200, required: str | None = None, **kwargs: Any) -> GovStringField:
    name = label.removesuffix(" (optional)")
    checks: list = [InputRequired(required)] if required else [Optional()]
    checks.append(Length(max=max_length, message=f"{name} must be {max_length} characters or fewer"))
    return GovStringField(label, validators=checks, **kwargs)


class VersionedForm(FlaskForm):
    version = HiddenField()


class PartyForm(VersionedForm):
    organisation_id = GovSelectField(
        "Organisation", coerce=optional_id, validators=[InputRequired("Select the organisation")]
    )
    role = RadioField(
        "Role in the agreement",
        choices=list(choices.PARTY_ROLES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select the party’s role")],
    )
    signatory_name = short("Signatory’s name (optional)", description="The person who will sign for the organisation")
    signatory_job_title = short("Signatory’s job title (optional)")
    rights_contact = text("Contact for data subject requests and complaints (optional)", 1000)
    retention_period = short("Retention period (optional)", description="For example, 6 years after the case closes")
    disposal_method = text("How the data is disposed of (optional)", 1000)
    submit = SubmitField("Save party", widget=GovSubmitInput())

    FIELDS = (
        "organisation_id",
        "role",
        "signatory_name",
        "signatory_job_title",
        "rights_contact",
        "retention_period",
        "disposal_method",
    )

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ItemForm(VersionedForm):
    name = short("Name", required="Enter the name of the data item", description="For example, date of birth")
    description = text("Description (optional)", 1000)
    category = RadioField(
        "Category",
        choices=list(choices.DATA_CATEGORIES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select the category of data")],
    )
    provider_organisation_id = GovSelectField(
        "Which party provides it (optional)",
        coerce=optional_id,
        validators=[Optional()],
        invalid_message="Select a provider that is a party to the agreement",
    )
    submit = SubmitField("Save data item", widget=GovSubmitInput())

    FIELDS = ("name", "description", "category", "provider_organisation_id")

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in self.FIELDS}


class GroupForm(VersionedForm):
    name = short(
        "Group of people",
        required="Enter the group of people the data is about",
        description="For example, tenants at risk of eviction",
    )
    includes_children = BooleanField("It includes children", widget=GovCheckboxInput())
    includes_vulnerable_adults = BooleanField("It includes vulnerable adults", widget=GovCheckboxInput())
    submit = SubmitField("Add group", widget=GovSubmitInput())

    def service_data(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "includes_children": self.includes_children.data,
            "includes_vulnerable_adults": self.includes_vulnerable_adults.data,
        }


class ReturnForm(VersionedForm):
    comments = text("What needs to change", 5000, "Say what needs to change before it can be approved")
    submit = SubmitField("Return to draft", widget=GovSubmitInput())


class TerminateForm(VersionedForm):
    reason = text("Why is it ending?", 5000, "Say why the agreement is ending")
    submit = SubmitField("Terminate agreement", widget=GovSubmitInput())


class WithdrawForm(VersionedForm):
    reason = text("Why is it being withdrawn? (optional)", 5000, None)
    submit = SubmitField("Withdraw the proposed variation", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    reviewed_on = GovDateField("Date of the review", validators=[DateRequired("Enter the date of the review")])
    outcome = RadioField(
        "Outcome",
        choices=list(choices.REVIEW_OUTCOMES.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select the outcome of the review")],
    )
    notes = text("Notes (optional)", 5000)
    submit = SubmitField("Record review", widget=GovSubmitInput())


class SignForm(FlaskForm):
    job_title = short("Your job title", required="Enter your job title")
    authorised = BooleanField(
        "I am authorised to sign this agreement",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Confirm that you are authorised to sign for your organisation")],
    )
    fingerprint = HiddenField()
    submit = SubmitField("Sign the agreement", widget=GovSubmitInput())
