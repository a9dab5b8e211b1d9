"""Reading the agreements register's filters from the address, so a filtered view can be shared.

A value that is not one of the choices is ignored (it can only come from an edited address); a date
that cannot be read is an error shown by its field, and the list is shown without that date.
"""

from __future__ import annotations

import re
from datetime import date

from werkzeug.datastructures import MultiDict

from registry import parsing
from registry.models import Sector
from registry.models import agreement_choices as choices
from registry.services.agreement_filters import (
    DATA_CATEGORIES,
    REVIEW_WINDOWS,
    SORTS,
    VARIATION_STEPS,
    AgreementFilters,
)

SECTORS = {sector.value: sector.label for sector in Sector}
READINESS_CHOICES = [("yes", "Drafts and awaiting approval with gaps")]
# a proposed variation beside the version in force: any, or one at a step of its own lifecycle
VARIATION_CHOICES = [("any", "Has a proposed variation")] + [
    (status, f"Variation {label.lower()}") for status, label in choices.STATUSES.items() if status in VARIATION_STEPS
]
DATE_FIELDS = {
    "starts_from": "Starts on or after",
    "starts_to": "Starts on or before",
    "changed_since": "Changed on or after",
}
_DMY = re.compile(r"^\s*([0-9]{1,2})[/\s.-]+([0-9]{1,2})[/\s.-]+([0-9]{4})\s*$")
_ISO = re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\s*$")


def parse_date(text: str) -> date | None:
    """A date typed as day/month/year (27/3/2026, 27 3 2026) or as 2026-03-27; None if it is not one."""
    match = _DMY.match(text)
    if match:
        return parsing.date_from_parts(*match.groups())
    match = _ISO.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    return parsing.date_from_parts(day, month, year)


def _id(value: str) -> int | None:
    return parsing.whole_number(value)


def _choice(value: str, allowed: object) -> str:
    return value if value in allowed else ""  # type: ignore[operator]


def from_args(args: MultiDict[str, str]) -> tuple[AgreementFilters, dict[str, str]]:
    """The filters in the address, and an error message for each date that could not be read."""

    def arg(name: str) -> str:
        return parsing.query_text(args.get(name))

    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name, label in DATE_FIELDS.items():
        raw = arg(name)
        dates[name] = parse_date(raw) if raw else None
        if raw and dates[name] is None:
            errors[name] = f"Enter a real date for ‘{label.lower()}’, like 27/3/2026"
    starts_from, starts_to = dates["starts_from"], dates["starts_to"]
    if starts_from and starts_to and starts_to < starts_from:
        errors["starts_to"] = "Enter a ‘starts on or before’ date that is the same as or after the other date"
        dates["starts_to"] = None
    filters = AgreementFilters(
        text=arg("q"),
        status=_choice(arg("status"), choices.STATUSES),
        kind=_choice(arg("kind"), choices.KINDS),
        organisation_id=_id(arg("organisation")),
        partnership_id=_id(arg("partnership")),
        sector=_choice(arg("sector"), SECTORS),
        data_category=_choice(arg("data"), DATA_CATEGORIES),
        review=_choice(arg("review"), REVIEW_WINDOWS),
        has_gaps=arg("gaps") == "yes",
        variation=_choice(arg("variation"), dict(VARIATION_CHOICES)),
        starts_from=dates["starts_from"],
        starts_to=dates["starts_to"],
        changed_since=dates["changed_since"],
        sort=_choice(arg("sort"), SORTS) or "reference",
    )
    return filters, errors


def raw_values(args: MultiDict[str, str]) -> dict[str, str]:
    """What the user typed or chose, to show back in the form (a bad date is shown as typed)."""
    names = ("q", "status", "kind", "organisation", "partnership", "sector", "data", "review", "gaps", "variation",
             "sort", *DATE_FIELDS)  # fmt: skip
    return {name: parsing.query_text(args.get(name)) for name in names}


def export_args(args: MultiDict[str, str]) -> dict[str, str]:
    """The filters and sort of the current view (not its page), for the export links."""
    return {name: value for name, value in raw_values(args).items() if value}
