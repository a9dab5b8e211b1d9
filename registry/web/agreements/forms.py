"""Forms for the sections of an agreement. Each carries the record's lock version."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from registry.models import agreement_choices as choices
from registry.web.fields import (
    GovDateField,
    GovSelectField,
    GovStringField,
    GovTextAreaField,
    YesNoField,
    choice_list,
)
from registry.web.params import id_choice, optional_id


def text(label: str, max_length: int = 5000, required: str | None = None, **kwargs: Any) -> GovTextAreaField:
    name = label.removesuffix(" (optional)")
    checks: list = [InputRequired(required)] if required else [Optional()]
    checks.append(Length(max=max_length, message=f"{name} must be {max_length} characters or fewer"))
    return GovTextAreaField(label, validators=checks, **kwargs)


def optional_choice(label: str, labels: dict[str, str], blank: str = "Not chosen yet", **kwargs: Any) -> GovSelectField:
    return GovSelectField(label, choices=choice_list(labels, blank), validators=[Optional()], **kwargs)


class SectionForm(FlaskForm):
    version = HiddenField()
    submit = SubmitField("Save and return to the agreement", widget=GovSubmitInput())

    FIELDS: tuple[str, ...] = ()

    @property
    def order(self) -> tuple[str, ...]:
        """The fields in the order the page shows them."""
        return self.FIELDS

    def service_data(self) -> dict[str, Any]:
        data = {}
        for name in self.FIELDS:
            field = getattr(self, name)
            data[name] = field.answer if isinstance(field, YesNoField) else field.data
            if data[name] == "":
                data[name] = None
        return data


class NewAgreementForm(FlaskForm):
    title = GovStringField(
        "Title",
        validators=[
            InputRequired("Enter a title for the agreement"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Kind of agreement",
        choices=list(choices.KINDS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired("Select the kind of agreement")],
    )
    partnership_id = GovSelectField("Partnership it serves (optional)", coerce=optional_id, validators=[Optional()])
    purpose = text("Purpose (optional)", description="You can add this and everything else later")
    submit = SubmitField("Create draft agreement", widget=GovSubmitInput())


class PurposeForm(SectionForm):
    FIELDS = ("title", "kind", "partnership_id", "purpose", "benefits", "necessity", "less_data_rationale")
    title = NewAgreementForm.title
    kind = NewAgreementForm.kind
    partnership_id = NewAgreementForm.partnership_id
    objectives = SelectMultipleField(
        "Shared objectives it serves (optional)", coerce=id_choice, widget=GovCheckboxesInput(), validators=[Optional()]
    )
    purpose = text("Purpose of the sharing (optional)")
    benefits = text("Benefits to people and services (optional)")
    necessity = text("Why the sharing is necessary and proportionate (optional)")
    less_data_rationale = text("Why less data, or anonymised data, would not do (optional)")

    @property
    def order(self) -> tuple[str, ...]:
        return (
            "title",
            "kind",
            "partnership_id",
            "objectives",
            "purpose",
            "benefits",
            "necessity",
            "less_data_rationale",
        )


class LegalForm(SectionForm):
    FIELDS = (
        "art6_basis",
        "art9_condition",
        "schedule1_condition",
        "policy_document_in_place",
        "criminal_condition",
        "law_enforcement_processing",
        "other_gateways",
        "common_law_duty",
        "national_data_opt_out",
        "confirmed_anonymised",
    )
    art6_basis = optional_choice("Article 6 lawful basis (optional)", choices.ART6_BASES)
    art9_condition = optional_choice(
        "Article 9 condition for special category data (optional)",
        choices.ART9_CONDITIONS,
        blank="None: no special category data",
    )
    schedule1_condition = optional_choice(
        "DPA 2018 Schedule 1 condition (optional)", choices.SCHEDULE1_CONDITIONS, blank="None"
    )
    policy_document_in_place = YesNoField("Is an appropriate policy document in place? (optional)")
    criminal_condition = optional_choice(
        "Condition for criminal offence data (optional)",
        choices.CRIMINAL_CONDITIONS,
        blank="None: no criminal offence data",
    )
    law_enforcement_processing = YesNoField("Is this law-enforcement processing under DPA 2018 Part 3? (optional)")
    gateways = SelectMultipleField(
        "Statutory gateways (optional)", coerce=id_choice, widget=GovCheckboxesInput(), validators=[Optional()]
    )
    other_gateways = text("Other statutory powers (optional)", 2000)
    common_law_duty = text(
        "Common-law duty of confidentiality (optional)",
        description="How the duty is met: consent, a legal requirement, or an overriding public interest",
    )
    national_data_opt_out = optional_choice("National data opt-out (optional)", choices.OPT_OUT)

    @property
    def order(self) -> tuple[str, ...]:
        fields = list(self.FIELDS)
        fields.insert(fields.index("other_gateways"), "gateways")
        return tuple(fields)

    confirmed_anonymised = YesNoField(
        "For non-personal agreements: is the data anonymised or aggregate, so no one can be identified? (optional)"
    )


class DataForm(SectionForm):
    FIELDS = ("identifiability", "approximate_volume")
    identifiability = optional_choice("Level of identifiability (optional)", choices.IDENTIFIABILITY)
    approximate_volume = GovStringField(
        "Approximate volume (optional)",
        description="For example, 2,000 records a month",
        validators=[Optional(), Length(max=200, message="Approximate volume must be 200 characters or fewer")],
    )


class FlowForm(SectionForm):
    FIELDS = (
        "direction",
        "frequency",
        "transfer_method",
        "access_controls",
        "onward_sharing",
        "international_transfers",
        "transfer_safeguards",
        "security_measures",
    )
    direction = optional_choice("Direction of sharing (optional)", choices.DIRECTIONS)
    frequency = optional_choice("How often data is shared (optional)", choices.FREQUENCIES)
    transfer_method = text(
        "How data is transferred (optional)", description="For example, secure file transfer or encrypted email"
    )
    access_controls = text("Who has access at each party (optional)")
    onward_sharing = text(
        "Onward sharing (optional)", description="Whether and how recipients may share the data further"
    )
    international_transfers = YesNoField("Will data be transferred outside the UK? (optional)")
    transfer_safeguards = text("Safeguards for international transfers (optional)")
    security_measures = text("Security measures (optional)")


def _screening_fields() -> dict[str, YesNoField]:
    return {f"dpia_{key}": YesNoField(question) for key, question in choices.DPIA_SCREENING.items()}


class GovernanceForm(SectionForm):
    FIELDS = (
        "dpia_reference",
        "dpia_date",
        "dpia_outcome",
        "privacy_notice_links",
        "breach_contact",
        "termination_arrangements",
    )
    dpia_reference = GovStringField(
        "DPIA reference (optional)",
        validators=[Optional(), Length(max=100, message="DPIA reference must be 100 characters or fewer")],
    )
    dpia_date = GovDateField("DPIA date (optional)", validators=[Optional()])
    dpia_outcome = optional_choice("DPIA outcome (optional)", choices.DPIA_OUTCOMES)
    privacy_notice_links = text(
        "Privacy notices (optional)", 2000, description="A web address for each party’s privacy notice, one per line"
    )
    breach_contact = text("Who to tell about a data breach (optional)", 2000)
    termination_arrangements = text("What happens to the data when the agreement ends (optional)")

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(f"dpia_{key}" for key in choices.DPIA_SCREENING) + self.FIELDS

    def screening(self) -> dict[str, bool] | None:
        answers = {key: getattr(self, f"dpia_{key}").answer for key in choices.DPIA_SCREENING}
        if all(answer is None for answer in answers.values()):
            return None
        return {key: bool(answer) for key, answer in answers.items()}

    def service_data(self) -> dict[str, Any]:
        return {**super().service_data(), "dpia_screening": self.screening()}


class DatesForm(SectionForm):
    FIELDS = ("effective_from", "end_date", "review_interval_months", "next_review_date")
    effective_from = GovDateField("Takes effect on (optional)", validators=[Optional()])
    end_date = GovDateField(
        "Ends on (optional)", validators=[Optional()], description="Leave blank if it has no end date"
    )
    review_interval_months = IntegerField(
        "Review every (months)",
        widget=GovStringField.widget,
        default=12,
        validators=[
            InputRequired("Enter how many months between reviews"),
            NumberRange(1, 36, "Review interval must be between 1 and 36 months"),
        ],
    )
    next_review_date = GovDateField(
        "Next review date (optional)",
        validators=[Optional()],
        description="If you leave it blank, it is set from the date it takes effect and the interval",
    )


for _name, _field in _screening_fields().items():
    setattr(GovernanceForm, _name, _field)  # one yes-or-no question per screening item


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "purpose": PurposeForm,
    "legal": LegalForm,
    "data": DataForm,
    "flow": FlowForm,
    "governance": GovernanceForm,
    "dates": DatesForm,
}
