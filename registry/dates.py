"""Time in one place: stored in UTC, shown and reasoned about in Europe/London."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    """Timezone-aware now in UTC (the only clock the code reads)."""
    return datetime.now(UTC)


def today_in_london() -> date:
    return utcnow().astimezone(LONDON).date()


def format_date(value: date | datetime | None) -> str:
    """GOV.UK style: 1 April 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_london(value).date()
    return f"{value.day} {value:%B %Y}"


def as_london(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def format_datetime(value: datetime | None) -> str:
    """GOV.UK style with UK local time and its zone: 1 April 2026 at 2:05pm BST."""
    if value is None:
        return ""
    local = as_london(value)
    hour = local.hour % 12 or 12
    return f"{format_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} {local:%Z}"
