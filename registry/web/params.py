"""Reading the address's parameters and a form's hidden numbers, by the rules in ``registry/parsing.py``.

A parameter that cannot be read is treated as absent (it can only come from an edited address):
an id filter is not applied, a page number is the first page, a search is cut and cleaned.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from registry import parsing

MAX_PAGE = 999_999


def id_arg(name: str) -> int | None:
    """A record id from the address (``?organisation=12``), or None."""
    return parsing.whole_number(request.args.get(name, ""))


def page_number() -> int:
    """The page asked for (``?page=3``), or the first page."""
    return max(parsing.whole_number(request.args.get("page", ""), maximum=MAX_PAGE) or 1, 1)


def text_arg(name: str, limit: int = 200) -> str:
    """A search or filter from the address, cleaned and cut to ``limit`` characters."""
    return parsing.query_text(request.args.get(name), limit)


def optional_id(value: Any) -> int | None:
    """A select's value as a record id, or None (the coerce of every id select)."""
    return parsing.whole_number(value) if value not in (None, "", "None") else None


def id_choice(value: Any) -> int:
    """A checkbox list's value as a record id; one that is not becomes an invalid choice."""
    number = parsing.whole_number(value)
    if number is None:
        raise ValueError(value)
    return number


def version_number(value: Any) -> int:
    """The version a form was read at (its hidden ``version``). One that is not a number cannot
    be the record's version: 0, which no record has, so the save is refused as stale."""
    return parsing.whole_number(value) or 0


class PathSegment(BaseConverter):
    """The default ``<name>`` in a route: one path segment without control characters. A reference
    holding a NUL can name no record (and PostgreSQL cannot even be asked), so it does not match: 404."""

    regex = "[^/\\x00-\\x1f\\x7f-\\x9f]+"


class RecordNumber(IntegerConverter):
    """``<int:name>``: ASCII digits (werkzeug's ``\\d`` matches any Unicode digit, which ``int()`` reads)
    up to the database's integer, so a 20-digit id answers 404 rather than reaching the database."""

    regex = "[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None) -> None:
        super().__init__(map, fixed_digits, min, parsing.DB_INT_MAX if max is None else max)
