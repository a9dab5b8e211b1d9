from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from registry.models import MemberRole, PartnershipStatus, Priority
from registry.web.fields import (
    DateRequired,
    GovDateField,
    GovDecimalField,
    GovSelectField,
    GovStringField,
    GovTextAreaField,
    lines,
)
from registry.web.params import id_choice, optional_id

STATUS_CHOICES = [(s.value, s.label) for s in PartnershipStatus]
ROLE_CHOICES = [(r.value, r.label) for r in MemberRole if r != MemberRole.LEAD]
PRIORITY_CHOICES = [(p.value, p.label) for p in Priority]


def _text(label: str, max_length: int, required: str | None = None, **kwargs: Any) -> GovTextAreaField:
    checks = [InputRequired(required)] if required else [Optional()]
    checks.append(
        Length(max=max_length, message=f"{label.removesuffix(' (optional)')} must be {max_length} characters or fewer")
    )
    return GovTextAreaField(label, validators=checks, **kwargs)


class PartnershipForm(FlaskForm):
    name = GovStringField(
        "Name",
        validators=[
            InputRequired("Enter the partnership’s name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    purpose = _text(
        "Purpose", 5000, "Enter the partnership’s purpose", description="What the partners want to achieve together"
    )
    lead_organisation_id = SelectField("Lead organisation", coerce=optional_id, widget=GovSelect(),
                                       validators=[InputRequired("Select the lead organisation")])  # fmt: skip
    status = RadioField(
        "Status", choices=STATUS_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select the status")]
    )
    start_date = GovDateField("Start date (optional)", validators=[Optional()])
    end_date = GovDateField("End date (optional)", validators=[Optional()])
    strategies = _text(
        "Linked strategies (optional)", 2000, description="One per line, for example Community Safety Partnership"
    )
    risk_reward_sharing = _text("How risk and reward are shared (optional)", 5000)
    version = HiddenField()
    submit = SubmitField("Save partnership", widget=GovSubmitInput())

    def service_data(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "purpose": self.purpose.data,
            "lead_organisation_id": self.lead_organisation_id.data,
            "status": self.status.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "strategies": lines(self.strategies.data),
            "risk_reward_sharing": self.risk_reward_sharing.data,
        }


class MemberForm(FlaskForm):
    organisation_id = SelectField("Organisation", coerce=optional_id, widget=GovSelect(),
                                  validators=[InputRequired("Select the organisation to add")])  # fmt: skip
    role = RadioField(
        "Role in the partnership",
        choices=ROLE_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired("Select the organisation’s role")],
    )
    joined_on = GovDateField("Date joined", validators=[DateRequired("Enter the date the organisation joined")])
    submit = SubmitField("Add member", widget=GovSubmitInput())


class EndMembershipForm(FlaskForm):
    left_on = GovDateField("Date it left", validators=[DateRequired("Enter the date the organisation left")])
    submit = SubmitField("Record leaving", widget=GovSubmitInput())


class ObjectiveForm(FlaskForm):
    title = GovStringField(
        "Title",
        validators=[
            InputRequired("Enter the objective’s title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    description = _text("Description (optional)", 5000)
    priority = RadioField(
        "Priority", choices=PRIORITY_CHOICES, widget=GovRadioInput(), validators=[InputRequired("Select the priority")]
    )
    owner_organisation_id = GovSelectField(
        "Owning organisation", description="A current member that leads the work", coerce=optional_id,
        validators=[InputRequired("Select the owning organisation")],
        invalid_message="Select an owning organisation that is a current member of the partnership",
    )  # fmt: skip
    communities = SelectMultipleField("Communities it is for", coerce=id_choice, widget=GovCheckboxesInput(),
                                      validators=[InputRequired("Select at least one community")])  # fmt: skip
    indicator = GovStringField(
        "Indicator",
        description="What is measured, for example ‘Tenants who use the internet’",
        validators=[
            InputRequired("Enter the indicator"),
            Length(max=200, message="Indicator must be 200 characters or fewer"),
        ],
    )
    unit = GovStringField(
        "Unit",
        description="For example people, households or per cent",
        validators=[InputRequired("Enter the unit"), Length(max=60, message="Unit must be 60 characters or fewer")],
    )
    baseline = GovDecimalField("Baseline", validators=[InputRequired("Enter the baseline")],
                               number_message="Baseline must be a number, like 120 or 45.5")  # fmt: skip
    baseline_date = GovDateField("Baseline date", validators=[DateRequired("Enter the date the baseline was measured")])
    target = GovDecimalField("Target", validators=[InputRequired("Enter the target")],
                             number_message="Target must be a number, like 300 or 80.5")  # fmt: skip
    target_date = GovDateField("Target date", validators=[DateRequired("Enter the target date")])
    version = HiddenField()
    submit = SubmitField("Save objective", widget=GovSubmitInput())

    def service_data(self) -> dict[str, Any]:
        return {name: getattr(self, name).data for name in (
            "title", "description", "priority", "owner_organisation_id", "baseline_date", "target_date",
            "indicator", "unit", "baseline", "target")}  # fmt: skip


class ProgressForm(FlaskForm):
    recorded_on = GovDateField(
        "Date of the measurement", validators=[DateRequired("Enter the date of the measurement")]
    )
    value = GovDecimalField("Value", validators=[InputRequired("Enter the value measured")],
                            number_message="Value must be a number, like 150 or 62.5")  # fmt: skip
    narrative = _text("What happened", 5000, "Describe what happened since the last update")
    submit = SubmitField("Save progress update", widget=GovSubmitInput())


class CommunityForm(FlaskForm):
    name = GovStringField(
        "Community",
        validators=[
            InputRequired("Enter the community’s name"),
            Length(max=120, message="Community must be 120 characters or fewer"),
        ],
    )
    submit = SubmitField("Add community", widget=GovSubmitInput())
