"""The issue's listed server errors in the address and in files: id-like parameters, keyset tokens,
``next=`` after signing in, and a PDF nested too deep. Each runs on SQLite and PostgreSQL.

The walk (test_hostile_walk.py) sends these values too; here each goes into an otherwise ordinary
request and the answer is checked for what a person should see.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pyotp
import pytest
from factories import (
    PASSWORD,
    Cast,
    add_agreements_to_cast,
    add_partnership_to_cast,
    enable_two_factor,
    error_summary,
    make_cast,
    pager_link,
)
from flask import Flask
from hostile_values import token


@pytest.fixture
def open_app(app_factory: Callable[..., Flask]) -> Flask:
    """CSRF off, as in the walk: each case is one request."""
    return app_factory(WTF_CSRF_ENABLED=False)


@pytest.fixture
def full_cast(open_app: Flask) -> Cast:
    cast = make_cast(open_app)
    add_partnership_to_cast(open_app, cast)
    add_agreements_to_cast(open_app, cast)
    return cast


# --- Unicode digits in id-like query parameters ---------------------------------------------------

DIGIT_PAGES = (
    "/organisations/?page={d}",
    "/partnerships/?page={d}&member={d}&community={d}",
    "/agreements/?organisation={d}&partnership={d}",
    "/agreements/export.csv?organisation={d}&partnership={d}",
    "/agreements/export.xlsx?organisation={d}&partnership={d}",
    "/agreements/new?partnership={d}",
    "/reviews/?organisation={d}",
    "/audit/?organisation={d}",
    "/search?q=housing&kind=agreements&page={d}",
    "/admin/users/?page={d}",
)


@pytest.mark.parametrize("digit", ["²", "①", "١", "9" * 20, "-1"])
def test_a_unicode_digit_in_an_id_parameter_is_ignored(open_app: Flask, digit: str) -> None:
    cast = make_cast(open_app)
    admin = open_app.test_client(user=cast.admin)
    for page in DIGIT_PAGES:
        response = admin.get(page.format(d=digit))
        response.close()
        assert response.status_code == 200, page


# --- keyset tokens holding a number beyond 64 bits ------------------------------------------------


def test_a_keyset_token_beyond_64_bits_is_the_first_page(open_app: Flask, full_cast: Cast) -> None:
    big = 2**64 + 1
    pages = {
        "/agreements/?sort=title&after={t}": token(["A title", big]),
        "/agreements/?after={t}": token([big]),
        "/agreements/?sort=-updated&before={t}": token([{"dt": "2026-01-01T00:00:00"}, big]),
        "/reviews/?window=overdue&after={t}": token([{"d": "2026-01-01"}, big]),
        "/audit/?after={t}": token([big]),
        "/audit/?before={t}": token([-big]),
        f"/organisations/{full_cast.own_org.id}/history?after={{t}}": token([big]),
        f"/partnerships/{full_cast.partnership.id}/history?after={{t}}": token([big]),  # type: ignore[attr-defined]
        full_cast.agreement_url + "/history?before={t}": token([big]),  # type: ignore[attr-defined]
    }
    for role in ("manager", "ig", "partner"):
        client = open_app.test_client(user=full_cast.by_role()[role])
        for page, value in pages.items():
            response = client.get(page.format(t=value))
            if response.status_code == 403:  # the audit log and reviews are not every role's
                continue
            assert response.status_code == 200, (role, page)
            assert pager_link(response, "prev") is None, f"{page} as {role} should be the first page"


# --- next= with a line break, after a correct sign-in and after the two-factor code ------------------------


@pytest.mark.parametrize("target", ["/agreements/\r\nSet-Cookie: evil=1", "/\t/evil.example", "/a\x00b", "/a\x85b"])
def test_a_next_address_with_control_characters_goes_home(open_app: Flask, target: str) -> None:
    cast = make_cast(open_app)
    client = open_app.test_client()
    signed_in = {"email": "manager@example.org", "password": PASSWORD}
    response = client.post("/sign-in", query_string={"next": target}, data=signed_in)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    secret = pyotp.random_base32()
    enable_two_factor(open_app, cast.ig, secret)
    client = open_app.test_client()
    response = client.post("/sign-in", query_string={"next": target}, data={**signed_in, "email": "ig@example.org"})
    assert response.headers["Location"] == "/sign-in/code"
    response = client.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- a PDF whose objects nest 600 deep ---------------------------------------------------------------------


def nested_pdf(value: bytes) -> bytes:
    """A small PDF whose form field holds ``value``: pyHanko reads it while looking for signatures."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
        b"<< /FT /Sig /T (Seal) /V " + value + b" >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


@pytest.mark.parametrize(
    "value",
    [b"[" * 600 + b"]" * 600, b"<< /A " * 600 + b">>" * 600, b"[" * 600, b"[" * 5000 + b"]" * 5000],
    ids=["600 arrays", "600 dictionaries", "600 arrays never closed", "5000 arrays"],
)
def test_a_pdf_nested_too_deep_is_a_file_we_cannot_read(open_app: Flask, value: bytes) -> None:
    response = open_app.test_client().post(
        "/verify", data={"document": (io.BytesIO(nested_pdf(value)), "deep.pdf")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert any("not a PDF we can read" in message for message in error_summary(response)), error_summary(response)
