"""No input gives a server error: every route in ACCESS, for every role, with every hostile value.

The routes, their URLs and who may use them come from ACCESS (test_access.py), so a route added
there is walked here without being named. For each route and role:

1. a probe request (an empty query, and for a POST a form holding only an unknown key) records
   which query and form keys the view reads (``hostile_values.RecordingRequest``);
2. for each value in ``hostile_values.VALUES`` one request sets every key read to that value (a
   key read with ``getlist``, such as a date's three boxes or a list of checkboxes, gets it three
   times, or a date's parts); a URL that names its own query (search's ``kind``) is sent once
   keeping those keys and once with them hostile too;
3. every answer is below 500 with no traceback in it, and a POST that was refused (4xx, or the
   form shown again with 200) left every table as it was (``hostile_values.fingerprint``).

A route that reads no key for a role was answered before its input was looked at (access
refused, a redirect to sign in, a page with no parameters), so no value can change its answer:
it gets one request with a different hostile value in each of the issue's id-like keys, rather
than one per value. The deep cases (a valid form but for one field, a correct sign-in with a bad
``next``) are in test_hostile_cases.py.

Each role is its own test on each database, with its own app and cast, so a hostile value one
role's request saved (a community named in markup) never changes another role's walk.
"""

from __future__ import annotations

import importlib.util
import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from factories import Cast, add_agreements_to_cast, add_partnership_to_cast, make_cast, make_user
from flask import Flask
from hostile_values import (
    EVERYTHING,
    LAST,
    TOKEN_KEYS,
    TOKENS,
    VALUES,
    Value,
    encode_pairs,
    fingerprint,
    pairs_for,
    record_reads,
)

from registry.models import Role


def _access_table():  # type: ignore[no-untyped-def]
    """test_access.py by its path: with --import-mode=importlib a test module is not importable by name."""
    spec = importlib.util.spec_from_file_location("access_table", Path(__file__).with_name("test_access.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_access = _access_table()
ACCESS, ROLES = _access.ACCESS, _access.ROLES

# the query keys the issue names: sent to a route that reads the whole query at once (``to_dict``)
# and, a different value in each, to a route that reads nothing
ISSUE_KEYS = ("page", "organisation", "partnership", "member", "community", "after", "before", "next", "version")
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def walk_app(app_factory: Callable[..., Flask]) -> Flask:
    """The real app with CSRF off (as the access test has it: this is about input, not tokens),
    recording which keys each request reads."""
    app = app_factory(WTF_CSRF_ENABLED=False)
    record_reads(app)
    return app


def _cast(app: Flask) -> Cast:
    cast = make_cast(app)
    cast.target = make_user(app, Role.MANAGER, email="target@example.org")  # type: ignore[attr-defined]
    add_partnership_to_cast(app, cast)
    add_agreements_to_cast(app, cast)
    return cast


class Walk:
    def __init__(self, app: Flask, cast: Cast, role: str) -> None:
        self.app, self.cast, self.role = app, cast, role
        self.user = cast.by_role()[role]
        self.failures: list[str] = []
        self.requests = 0
        self.new_client()

    def new_client(self) -> None:
        """A client of its own for each route, so one that signs out cannot sign the next route out."""
        self.client = self.app.test_client(user=self.user) if self.user else self.app.test_client()

    def send(self, method: str, path: str, query: str, body: str, label: str) -> int | None:
        """One request; its status, or None when it failed (noted in ``failures``)."""
        client = self.client
        refused_unchanged = method == "POST"
        before = fingerprint(self.app) if refused_unchanged else None
        self.requests += 1
        where = f"{method} {path} as {self.role} with {label}"
        try:
            response = client.open(path, method=method, query_string=query, data=body, content_type=FORM)
            try:
                data = response.get_data()  # a streamed download fails while it is read, if at all
            finally:
                response.close()
        except Exception as error:  # noqa: BLE001  (every failure is collected, then reported together)
            self.failures.append(f"{where}: {type(error).__name__}: {str(error)[:200]}")
            return None
        status = response.status_code
        if status >= 500:
            self.failures.append(f"{where}: answered {status}")
        if b"Traceback" in data:
            self.failures.append(f"{where}: the answer shows a traceback")
        if before is not None and (status >= 400 or status == 200) and fingerprint(self.app) != before:
            self.failures.append(f"{where}: refused ({status}) but the database changed")
        return status


def _split(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def _merge(into: dict[str, str], reads: dict[str, str]) -> bool:
    """Add what a request read to what is known (``getlist`` wins over ``get``); whether anything was new."""
    new = {key: how for key, how in reads.items() if into.get(key) not in (how, "getlist")}
    into.update(new)
    return bool(new)


def _probe(
    walk: Walk, method: str, path: str, own: list[tuple[str, str]]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """The query and form keys the route reads for this role. Asked again with each key read present
    (and empty) until nothing new is read: WTForms asks ``in`` before it calls ``getlist``."""
    args: dict[str, str] = {}
    form: dict[str, str] = {}
    for attempt in range(3):
        query = encode_pairs([*((k, v) for k, v in own if k not in args), *((k, "") for k in args if k != EVERYTHING)])
        body = encode_pairs([("_probe", "1"), *((key, "") for key in form)]) if method == "POST" else ""
        if walk.send(method, path, query, body, "empty keys" if attempt else "nothing") is None:
            return None
        if not (_merge(args, LAST.args) | _merge(form, LAST.form)):
            break
    return args, form


def _walk_route(walk: Walk, method: str, url: str) -> None:
    path, own = _split(url)
    probe_form = encode_pairs([("_probe", "1")]) if method == "POST" else ""
    probed = _probe(walk, method, path, own)
    if probed is None:
        return
    args, form = probed
    if EVERYTHING in args:
        args.update(dict.fromkeys(ISSUE_KEYS, "get"))
    if not args and not form:
        names = list(VALUES)
        mixed: list[tuple[str, Value]] = [(key, VALUES[names[i % len(names)]]) for i, key in enumerate(ISSUE_KEYS)]
        walk.send(method, path, encode_pairs([*own, *mixed]), probe_form, "a mix of values in the issue's keys")
        return
    keep = dict(own)
    for name, value in VALUES.items():
        body = encode_pairs([("_probe", "1"), *pairs_for(form, value)]) if method == "POST" else ""
        walk.send(method, path, encode_pairs(pairs_for(args, value, keep)), body, f"{name} in {sorted({*args, *form})}")
        if keep and set(keep) <= set(args):  # the URL's own keys hostile too
            walk.send(method, path, encode_pairs(pairs_for(args, value)), body, f"{name} in every key")
    paging = [key for key in TOKEN_KEYS if key in args]
    for name, value in TOKENS.items() if paging else ():
        for key in paging:
            walk.send(method, path, encode_pairs([*own, (key, value)]), probe_form, f"{name} in {key}")


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_value_gives_a_server_error(walk_app: Flask, role: str) -> None:
    walk = Walk(walk_app, _cast(walk_app), role)
    started = time.monotonic()
    for (_endpoint, method, *_variant), (url_for_cast, _expected) in ACCESS.items():
        walk.cast.role = role  # type: ignore[attr-defined]
        walk.new_client()
        _walk_route(walk, method, url_for_cast(walk.cast))
    seconds = time.monotonic() - started
    print(f"\n{role}: {walk.requests} requests in {seconds:.1f} s")  # shown with -s: what the walk costs
    assert walk.failures == [], f"{len(walk.failures)} failures:\n" + "\n".join(walk.failures)


# path parameters: each in turn, the others as ACCESS names them (already percent-encoded)
PATH_VALUES = {
    "NUL": "%00",
    "CR LF": "%0D%0A",
    "escape": "%1B",
    "superscript digit": "%C2%B2",
    "Arabic-Indic digit": "%D9%A1",
    "20 digits": "9" * 20,
    "negative": "-1",
    "invalid UTF-8": "%FF%FE",
    "whitespace": "%C2%A0%E3%80%80",
}
_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _with_segment(rule: str, valid: dict[str, object], name: str, value: str) -> str:
    """The rule's path with ``value`` as its ``name`` parameter and the valid values elsewhere."""
    return _PARAMETER.sub(lambda match: value if match.group(1) == name else str(valid[match.group(1)]), rule)


def test_no_hostile_path_parameter_gives_a_server_error(walk_app: Flask) -> None:
    """Each ``<parameter>`` of each route, as an admin (who may reach every route: a record is loaded
    from its path parameters before anyone's access to it is decided, so the other roles take the
    same path to the database)."""
    walk = Walk(walk_app, _cast(walk_app), "admin")
    adapter = walk_app.url_map.bind("localhost")
    for (endpoint, method, *_variant), (url_for_cast, _expected) in ACCESS.items():
        walk.cast.role = "admin"  # type: ignore[attr-defined]
        path, _own = _split(url_for_cast(walk.cast))
        rule, valid = adapter.match(path, method=method, return_rule=True)
        for name in rule.arguments:
            for label, value in PATH_VALUES.items():
                hostile = _with_segment(rule.rule, valid, name, value)
                walk.new_client()
                walk.send(method, hostile, "", encode_pairs([("_probe", "1")]), f"{label} in <{name}> ({endpoint})")
    assert walk.failures == [], f"{len(walk.failures)} failures:\n" + "\n".join(walk.failures)
