"""Form fields with GOV.UK widgets and GOV.UK-style error messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from email_validator import EmailNotValidError, validate_email
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import DateField, DecimalField, Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from registry import parsing


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class GovDateField(DateField):
    """A date in three boxes (day, month, year), with messages that say what to enter."""

    widget = GovDateInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) != 3:
            # a browser sends the three boxes; a hand-made request may not, and the widget that shows the
            # form again unpacks exactly three (a server error otherwise)
            self.raw_data = [*valuelist, "", "", ""][:3]
        if not valuelist or not any(part.strip() for part in valuelist):
            self.data = None
            return
        parts = [part.strip() for part in valuelist]
        if len(parts) != 3 or not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=False) if not part]
            self.data = None
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing) or 'day, month and year'}")
        self.data = parsing.date_from_parts(*parts)
        if self.data is None:
            raise ValueError(f"{self.label.text} must be a real date")

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date | datetime) else ""


class DateRequired:
    """Required for a GovDateField: fails only when all three boxes are empty.

    WTForms' InputRequired looks at the first box only (the day), and clears the field's
    own message, so a date with just the day missing would say "Enter the date" rather
    than "... must include a day".
    """

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if any((part or "").strip() for part in field.raw_data or []):
            return
        field.errors[:] = []
        raise StopValidation(self.message)


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


class CleanText:
    """Every text field's input rule (``parsing.clean_text``): surrounding whitespace, Unicode spaces
    included, is removed before any validator runs, so a name of only spaces is no name and
    ``InputRequired`` says "Enter …"; control characters are refused with a message by the field,
    and the text is shown again without them."""

    multiline = False
    label: Any
    raw_data: list[Any] | None
    data: Any

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text, had_controls = parsing.clean_text(str(valuelist[0]), multiline=self.multiline)
        self.raw_data = [text]  # what InputRequired and Optional look at, and what the page shows again
        self.data = text
        if had_controls:
            raise ValueError(control_characters_message(self.label.text))


def control_characters_message(label: str) -> str:
    name = label.removesuffix(" (optional)")
    name = "Your answer" if name.endswith("?") else name
    return f"{name} must not include control characters. We have removed them: check it and try again"


class GovStringField(CleanText, StringField):
    """A one-line text box."""

    widget = GovTextInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        super().__init__(label, validators, **kwargs)


class GovTextAreaField(CleanText, TextAreaField):
    """A text area: line breaks and tabs kept inside the text."""

    widget = GovTextArea()
    multiline = True

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("filters", [strip])
        super().__init__(label, validators, **kwargs)


class GovDecimalField(DecimalField):
    """A number typed as text, with a message that says what to enter."""

    widget = GovTextInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        self.number_message = kwargs.pop("number_message", None)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip().replace(",", "")
        try:
            self.data = Decimal(raw)
            if not self.data.is_finite() or abs(self.data) >= Decimal("1e12"):
                raise InvalidOperation
        except InvalidOperation:
            self.data = None
            raise ValueError(self.number_message or f"{self.label.text} must be a number, like 120 or 45.5") from None


def lines(value: Any) -> list[str]:
    """A textarea with one item per line, as a list without blanks or repeats."""
    if isinstance(value, list):
        return value
    seen: list[str] = []
    for line in (value or "").splitlines():
        item = " ".join(line.split())
        if item and item not in seen:
            seen.append(item)
    return seen


class GovSelectField(SelectField):
    """A select whose "not one of the choices" message says what to do."""

    widget = GovSelect()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        self.invalid_message = kwargs.pop("invalid_message", None)
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.invalid_message or f"Select {self.label.text.lower()}") from None


class YesNoField(RadioField):
    """A yes-or-no question as two radios, stored as True, False or None (not answered)."""

    widget = GovRadioInput()

    def __init__(self, label: str | None = None, validators: list | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)  # not answering is allowed; the readiness check asks
        super().__init__(label, validators, choices=[("yes", "Yes"), ("no", "No")], **kwargs)

    def process_data(self, value: Any) -> None:
        self.data = {True: "yes", False: "no"}.get(value) if not isinstance(value, str) else value

    @property
    def answer(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.data or "")


def choice_list(labels: dict[str, str], blank: str | None = None) -> list[tuple[str, str]]:
    return ([("", blank)] if blank is not None else []) + list(labels.items())
