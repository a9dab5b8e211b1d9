"""Hostile values, a request that records which keys a view reads, and a database fingerprint.

Shared by the walk over every route (``integration/test_hostile_walk.py``) and the listed cases
(``integration/test_hostile_cases.py``).

``RecordingRequest`` is the test app's request class: its query and form MultiDicts note each
key the view asks for (``get``, ``[]``, ``getlist`` and ``in``, which is how WTForms and the
routes read them), so the walk sends hostile values in exactly the keys a route reads without a
hand-kept list of fields. A view that walks the whole MultiDict (``to_dict``, ``items``) is noted
as reading ``*``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask, Request, request
from sqlalchemy import text
from werkzeug.datastructures import ImmutableMultiDict

from registry.extensions import db

EVERYTHING = "*"


class RecordingMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """A request's query or form data that remembers which keys were read, and how."""

    def _note(self, key: Any, how: str) -> None:
        reads: dict[str, str] = self.__dict__.setdefault("reads", {})
        if isinstance(key, str) and reads.get(key) != "getlist":
            reads[key] = how  # ``getlist`` wins: WTForms asks ``in`` first

    def __getitem__(self, key: Any) -> Any:
        self._note(key, "get")
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:
        self._note(key, "get")
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:
        self._note(key, "getlist")
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        self._note(key, "get")
        return super().__contains__(key)

    def _all(self) -> None:
        self._note(EVERYTHING, "get")

    def to_dict(self, flat: bool = True) -> Any:
        self._all()
        return super().to_dict(flat)

    def items(self, multi: bool = False) -> Any:
        self._all()
        return super().items(multi)

    def lists(self) -> Any:
        self._all()
        return super().lists()

    def values(self) -> Any:
        self._all()
        return super().values()


class RecordingRequest(Request):
    parameter_storage_class = RecordingMultiDict


@dataclass
class Reads:
    """The query and form keys the last request's view read, each with ``get`` or ``getlist``."""

    args: dict[str, str]
    form: dict[str, str]


LAST = Reads({}, {})


def record_reads(app: Flask) -> None:
    """Make ``app`` note what each request reads, in ``LAST`` (the test client is single-threaded)."""
    app.request_class = RecordingRequest

    @app.teardown_request
    def remember(error: BaseException | None) -> None:
        LAST.args = dict(request.args.__dict__.get("reads", {}))
        form = request.__dict__.get("form")  # only when the view loaded it
        LAST.form = dict(form.__dict__.get("reads", {})) if form is not None else {}


# --- the values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """Already percent-encoded: sent as it is (for bytes that are not UTF-8)."""

    encoded: str


Value = str | Raw | tuple[str, ...]  # a tuple goes to a key read with getlist as several values


def token(values: list[Any]) -> str:
    """A keyset token (registry/services/paging.py) holding any JSON the caller likes."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


BEYOND_64_BITS = 2**64 + 1
TWENTY_DIGITS = "9" * 20
WHITESPACE = {"space": "   ", "tab": "\t\t", "no-break space": "\u00a0\u00a0", "ideographic space": "\u3000"}

# sent in every key a route reads
VALUES: dict[str, Value] = {
    "empty": "",
    "only whitespace": "".join(WHITESPACE.values()),
    "100,000 characters": "x" * 100_000,
    "NUL": "Name\x00with NUL",
    "control characters": "Bell\x07back\x08space\x0bvt\x0cff\x1besc\x7fdel\x85nel",
    "CR LF": "/agreements/\r\nSet-Cookie: evil=1",
    "invalid UTF-8": Raw("%FF%FEbad%C3%28utf8%ED%A0%80"),
    "superscript digit": "²",
    "circled digit": "①",
    "Arabic-Indic digits": "١٢",
    "20 digits": TWENTY_DIGITS,
    "negative": "-1",
    "not quite a number": "1x",
    "float overflow": "1e999",
    "20-digit date parts": ("1", "1", TWENTY_DIGITS),
    "impossible date": ("31", "2", "2026"),
    "impossible ISO date": "2026-02-31",
    "markup": '<script>alert(1)</script>"><img src=x onerror=alert(1)>',
    "right-to-left": "\u202eevil\u202c txet",
    "emoji": "Team \U0001f468\u200d\U0001f469\u200d\U0001f467 \U0001f680",
}

# keyset tokens: sent only in the keys that carry one (any other key has seen base64-like junk above)
TOKEN_KEYS = ("after", "before")
TOKENS: dict[str, str] = {
    "token beyond 64 bits": token([BEYOND_64_BITS]),
    "token beyond 32 bits": token([2**40]),
    "token text and beyond 64 bits": token(["DSA-2026-0001", BEYOND_64_BITS]),
    "token date and beyond 64 bits": token([{"d": "2026-01-01"}, BEYOND_64_BITS]),
    "token datetime and beyond 64 bits": token([{"dt": "2026-01-01T00:00:00"}, -BEYOND_64_BITS]),
    "token with NUL": token(["\x00", 1]),
    "token with a lone surrogate": base64.urlsafe_b64encode(b'["\\ud800", 1]').decode(),
    "token with the last date": token([{"d": "9999-12-31"}, 1]),
}


def encode_pairs(pairs: Iterable[tuple[str, Value]]) -> str:
    """``key=value&…`` percent-encoded as a browser would, a Raw value as it is, a tuple as repeats."""
    parts: list[str] = []
    for key, value in pairs:
        values: tuple[Any, ...] = value if isinstance(value, tuple) else (value,)
        for one in values:
            encoded = one.encoded if isinstance(one, Raw) else quote(one, safe="")
            parts.append(f"{quote(key, safe='')}={encoded}")
    return "&".join(parts)


def for_key(value: Value, how: str) -> Value:
    """The value as a key read that way gets it: several values for ``getlist``, one otherwise."""
    if isinstance(value, tuple):
        return value if how == "getlist" else "/".join(value)
    return (value, value, value) if how == "getlist" else value


# --- the database, before and after a refused request ----------------------------------------

# rows that a refused request may add: its own refusal, a failed sign-in, the session it used
NOT_DATA = {"audit_chain_head", "sign_in_throttle", "user_session"}
REFUSAL_EVENTS = ("access.refused", "user.sign_in_failed")


def fingerprint(app: Flask) -> dict[str, int]:
    """Rows in every table (audit events other than refusals), in one statement: a write the
    request made would add rows, or an audit event for what it changed."""
    counts = []
    for table in db.metadata.sorted_tables:
        if table.name in NOT_DATA:
            continue
        where = (
            " WHERE action NOT IN (" + ", ".join(f"'{a}'" for a in REFUSAL_EVENTS) + ")"
            if table.name == "audit_event"
            else ""
        )
        counts.append(f"SELECT '{table.name}', COUNT(*) FROM \"{table.name}\"{where}")
    with app.app_context(), db.engine.connect() as connection:
        return {name: number for name, number in connection.execute(text(" UNION ALL ".join(counts)))}


def pairs_for(reads: dict[str, str], value: Value, fixed: dict[str, str] | None = None) -> Iterator[tuple[str, Value]]:
    """Every key read, set to the value; keys the caller fixes keep theirs."""
    for key, how in sorted(reads.items()):
        if key == EVERYTHING or (fixed and key in fixed):
            continue
        yield key, for_key(value, how)
    for key, fixed_value in (fixed or {}).items():
        yield key, fixed_value
