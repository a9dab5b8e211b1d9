"""Form fields with GOV.UK widgets and GOV.UK-style error messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, Field, StringField
from wtforms.validators import ValidationError


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class GovDateField(DateField):
    """A date in three boxes (day, month, year), with messages that say what to enter."""

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=False) if not part]
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing) or 'day, month and year'}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date | datetime) else ""


def identifier(check: Callable[[str], str]) -> Callable[[Any, Field], None]:
    """A validator that checks an identifier's format and stores it normalised."""

    def validate(form: Any, field: Field) -> None:
        if field.data:
            try:
                field.data = check(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None

    return validate


def email_address(message: str = "Enter an email address in the correct format, like name@example.org"):  # type: ignore[no-untyped-def]
    def validate(form: Any, field: Field) -> None:
        if field.data:
            try:
                field.data = validate_email(field.data, check_deliverability=False).normalized
            except EmailNotValidError:
                raise ValidationError(message) from None

    return validate


class GovStringField(StringField):
    widget = GovTextInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        super().__init__(label, validators, **kwargs)
