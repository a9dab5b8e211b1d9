"""The audit log's filters: a GET form, so every filter lives in the address."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.utils import unset_value
from wtforms.validators import Length, ValidationError

from registry import audit_text
from registry.services.audit_log import Filters
from registry.web.fields import GovDateField, GovSelectField, GovStringField

PARTS = ("day", "month", "year")
_REFERENCE = re.compile(r"^dsa-", re.IGNORECASE)


class QueryDateInput(GovDateInput):
    """The GOV.UK date pattern with one name per box (from-day, from-month, from-year), so the
    address reads plainly and the page links keep the date."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict:
        params = super().map_gov_params(field, **kwargs)
        for item, part in zip(params["items"], PARTS, strict=True):
            item["name"] = f"{field.name}-{part}"
        return params


class QueryDateField(GovDateField):
    widget = QueryDateInput()

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata is not None:
            formdata = MultiDict([(self.name, formdata.get(f"{self.name}-{part}", "")[:10]) for part in PARTS])
        super().process(formdata, data, extra_filters)


class AuditFilterForm(Form):
    entity_type = GovSelectField(
        "Kind of record",
        choices=[("", "Any kind"), *audit_text.ENTITY_TYPES.items()],
        default="",
        invalid_message="Select a kind of record from the list",
    )
    entity_id = GovStringField(
        "Record number or reference",
        description="For example, 12 or DSA-2026-0001",
        validators=[Length(max=40, message="Record number or reference must be 40 characters or fewer")],
    )
    actor = GovStringField(
        "Email address of the person who acted",
        description="All or part of it, for example, @northshire.police.uk",
        validators=[Length(max=254, message="Email address must be 254 characters or fewer")],
    )
    organisation = GovSelectField(
        "Their organisation", default="", invalid_message="Select an organisation from the list"
    )
    action = GovSelectField(
        "What they did",
        choices=[("", "Anything"), *audit_text.ACTIONS.items()],
        default="",
        invalid_message="Select an action from the list",
    )
    date_from = QueryDateField("Date from", name="from")
    date_to = QueryDateField("Date to", name="to")

    def __init__(self, formdata: Any, organisations: list[tuple[int, str]]) -> None:
        super().__init__(formdata)
        self.organisation.choices = [("", "Any organisation"), *((str(i), name) for i, name in organisations)]

    def validate_date_to(self, field: Any) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("Date to must be the same as or after date from")

    def filters(self) -> Filters:
        entity_id = (self.entity_id.data or "").strip()
        return Filters(
            entity_type=self.entity_type.data or "",
            entity_id=entity_id.upper() if _REFERENCE.match(entity_id) else entity_id,
            actor=(self.actor.data or "").strip(),
            organisation_id=int(self.organisation.data) if self.organisation.data else None,
            action=self.action.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )
