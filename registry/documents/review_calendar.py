"""A calendar of review dates in iCalendar format (RFC 5545): plain data in, bytes out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event


@dataclass(frozen=True)
class ReviewEvent:
    uid: str  # stable: the same agreement and review date always give the same UID
    day: date
    summary: str
    url: str
    description: str
    stamp: datetime  # when the agreement last changed, in UTC


def render(events: Iterable[ReviewEvent], *, name: str, product: str) -> bytes:
    """One all-day event per review date."""
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", item.stamp)
        event.add("dtstart", item.day)  # a date, so an all-day event
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("url", item.url)
        event.add("transp", "TRANSPARENT")  # a reminder, not busy time
        calendar.add_component(event)
    return calendar.to_ical()
