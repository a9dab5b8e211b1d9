"""Security headers on every endpoint, and CSRF refusal on every endpoint that changes things.

The walks take their endpoints and URLs from ACCESS (test_access.py), which fails on an
endpoint it does not list, so a new route is covered here without being named.
"""

from __future__ import annotations

import importlib.util
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from factories import Cast, add_agreements_to_cast, add_partnership_to_cast, make_cast, make_user
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from registry import create_app
from registry.extensions import db
from registry.models import Role, User
from registry.services import calendar_feeds


def _access_table():  # type: ignore[no-untyped-def]
    """test_access.py by its path: with --import-mode=importlib a test module is not importable by name."""
    spec = importlib.util.spec_from_file_location("access_table", Path(__file__).with_name("test_access.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_access = _access_table()
ACCESS, ROLES = _access.ACCESS, _access.ROLES

_NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{16,})'")
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)
_STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
EXPECTED_CSP = (
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
)


def full_cast(app: Flask) -> Cast:
    """The cast test_access uses, with every record its URLs name."""
    cast = make_cast(app)
    cast.target = make_user(app, Role.MANAGER, email="target@example.org")  # type: ignore[attr-defined]
    add_partnership_to_cast(app, cast)
    add_agreements_to_cast(app, cast)
    return cast


def assert_security_headers(response: TestResponse, what: str) -> str:
    """The headers every response carries; returns the response's CSP nonce."""
    response.get_data()  # read a streamed body (the audit CSV) to its end, closing its app context
    csp = response.headers.get("Content-Security-Policy", "")
    nonce = _NONCE.search(csp)
    assert nonce, f"{what}: no script-src with a nonce in {csp!r}"
    for directive in EXPECTED_CSP:
        assert directive in csp.split("; "), f"{what}: {directive!r} missing from {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "no-referrer"), what
    assert "Strict-Transport-Security" not in response.headers, f"{what}: HSTS in a test run"
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        assert not _STYLE_ATTRIBUTE.search(page), f"{what}: a style attribute (the CSP refuses inline styles)"
        for attributes in _INLINE_SCRIPT.findall(page):
            assert f'nonce="{nonce.group(1)}"' in attributes, f"{what}: an inline script without this request's nonce"
    return nonce.group(1)


def test_every_endpoint_answers_with_the_security_headers(app_factory: Callable[..., Flask]) -> None:
    """Every endpoint and method in ACCESS, anonymously and as each role, whatever the answer."""
    app = app_factory(WTF_CSRF_ENABLED=False)  # the real answers of POSTs, not just CSRF refusals
    cast = full_cast(app)
    users = cast.by_role()
    nonces: list[str] = []
    for (endpoint, method, *_variant), (url_for_cast, expected) in ACCESS.items():
        for role, want in zip(ROLES, expected, strict=True):
            if role not in ("anonymous", "admin") and want >= 400:
                continue  # refusals are covered by admin and anonymous ones; keeps the walk quick
            cast.role = role  # type: ignore[attr-defined]
            url = url_for_cast(cast)
            client = app.test_client(user=users[role]) if users[role] else app.test_client()
            response = client.open(url, method=method, data={})
            what = f"{method} {url} ({endpoint}) as {role}: {response.status_code}"
            nonces.append(assert_security_headers(response, what))
            response.close()  # a streamed download keeps its request context open until closed
            cache = response.headers.get("Cache-Control", "")
            if endpoint == "static":
                assert "no-store" not in cache, f"{what}: static assets stay cacheable"
            else:  # every page of a signed-in user, every download (and the few anonymous pages too)
                assert cache == "no-store", f"{what}: signed-in pages and downloads must not be stored"
    assert len(nonces) == len(set(nonces)), "a CSP nonce was used twice"


def test_file_downloads_are_not_stored(app: Flask) -> None:
    cast = full_cast(app)
    downloads = [
        key for key in ACCESS if (key[1] == "GET" and key[0].endswith(("_pdf", "_csv"))) or key[0] == "audit.export_csv"
    ]
    assert len(downloads) >= 6
    admin = app.test_client(user=cast.admin)
    for key in downloads:
        response = admin.get(ACCESS[key][0](cast))
        assert response.status_code == 200, key
        assert "attachment" in response.headers["Content-Disposition"], key
        assert response.headers["Cache-Control"] == "no-store", key
        assert_security_headers(response, str(key))
    # the calendar feed: a download to nobody signed in, and its stricter referrer policy is kept
    with app.app_context():
        token = calendar_feeds.create(db.session.get(User, cast.manager.id))
        db.session.commit()
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert_security_headers(response, "calendar feed")


def test_the_page_uses_the_nonce_of_its_own_response(app: Flask) -> None:
    client = app.test_client()
    first, second = client.get("/sign-in"), client.get("/sign-in")
    nonces = [assert_security_headers(response, "/sign-in") for response in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'<script nonce="{nonces[0]}">' in first.text  # GOV.UK Frontend's js-enabled script
    assert nonces[1] not in first.text


def _production_app(database_url: str, env: str) -> Flask:
    return create_app(
        env,
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "a-production-like-secret-key-of-at-least-32-bytes",
            "SIGNING_PKCS12": "unused.p12",  # development would otherwise look in instance/
            "SMTP_HOST": None,
        },
    )


@pytest.mark.parametrize(("env", "sends_hsts"), [("production", True), ("development", False), ("test", False)])
def test_hsts_only_with_production_settings(app: Flask, database_url: str, env: str, sends_hsts: bool) -> None:
    built = _production_app(database_url, env)
    try:
        for path in ("/sign-in", "/healthz", "/static/favicon.svg", "/no-such-page"):
            response = built.test_client().get(path)
            hsts = response.headers.get("Strict-Transport-Security")
            if sends_hsts:
                assert hsts == "max-age=31536000; includeSubDomains", path
            else:
                assert hsts is None, path
            assert response.headers["X-Frame-Options"] == "DENY", path
    finally:
        with built.app_context():
            db.engine.dispose()


# --- CSRF -----------------------------------------------------------------------------------


def _row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def test_every_change_without_a_csrf_token_is_refused_and_changes_nothing(app: Flask) -> None:
    """Every non-GET endpoint in ACCESS, as every role (admin and whoever may use it included),
    with no token and with a forged one: 400, and not a row added, removed or audited."""
    assert app.config.get("WTF_CSRF_ENABLED", True), "this test needs CSRF protection on"
    cast = full_cast(app)
    users = cast.by_role()
    changes = [(key, value) for key, value in ACCESS.items() if key[1] != "GET"]
    assert changes, "no endpoint that changes things?"
    # signed-in clients first: each signs in with a session row of its own
    clients = {role: app.test_client(user=users[role]) if users[role] else app.test_client() for role in ROLES}
    before = _row_counts(app)
    wrong = []
    for role in ROLES:
        cast.role = role  # type: ignore[attr-defined]
        client = clients[role]
        client.get("/" if users[role] else "/sign-in")  # a page with a form: the session gets its CSRF token
        with client.session_transaction() as session:
            assert session.get("csrf_token"), f"no CSRF token in the {role} session"
        for (endpoint, method, *_variant), (url_for_cast, _expected) in changes:
            url = url_for_cast(cast)
            for data in ({}, {"csrf_token": "forged-token"}):
                response = client.open(url, method=method, data=data)
                if response.status_code != 400:
                    wrong.append(f"{method} {url} ({endpoint}) as {role} with {data}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert _row_counts(app) == before


def test_verify_upload_without_a_csrf_token_is_refused(app: Flask) -> None:
    before = _row_counts(app)
    client = app.test_client()
    client.get("/verify")
    pdf = (io.BytesIO(b"%PDF-1.7\n%%EOF\n"), "document.pdf")
    response = client.post("/verify", data={"document": pdf}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Check the document" not in response.text  # the error page, not the checked upload
    assert_security_headers(response, "POST /verify without a token")
    assert _row_counts(app) == before
