"""Reading pages as a user sees them, and posting forms as a browser would (with the CSRF token)."""

from __future__ import annotations

import html
import re
import secrets
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission_token"[^>]*value="([^"]+)"')
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    text = " ".join(html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", fragment))).split())
    return re.sub(r" (?=[.,;:])", "", text)  # "<a>Name</a>." reads "Name."


def page_text(response: TestResponse) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    return _plain(response.text)


def error_summary(response: TestResponse) -> list[str]:
    """The messages in the GOV.UK error summary at the top of the page ([] when there is none)."""
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', response.text, re.S)
    if match is None:
        return []
    return [_plain(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def field_error(response: TestResponse, field_id: str) -> str | None:
    """The error message shown by one field (without the hidden 'Error:' prefix)."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', response.text, re.S
    )
    return _plain(match.group(1)).removeprefix("Error:").strip() if match else None


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    return form_tokens(client, path)["csrf_token"]


def form_tokens(client: FlaskClient, path: str = "/") -> dict[str, str]:
    """The CSRF token of the page, and the one-time submission token of its create form if it has one."""
    response = client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    tokens = {"csrf_token": match.group(1)}
    one_time = _SUBMISSION.search(response.text)
    if one_time:
        tokens["submission_token"] = one_time.group(1)
    return tokens


def submit(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    token_from: str | None = None,
    follow_redirects: bool = False,
) -> TestResponse:
    """Post a form as a browser would: with the CSRF token (and a create form's submission token)
    from the page (or ``token_from``).

    A page named by ``token_from`` is not the form's own, so a new submission token is made for the
    post, as the form's page would have given (a create form refuses a post without one); the
    tests of those tokens (``test_submission_tokens.py``) post them from the form's own page."""
    tokens = form_tokens(client, token_from or path)
    if token_from and token_from != path:
        tokens.setdefault("submission_token", secrets.token_urlsafe(24))
    return client.post(path, data={**tokens, **(data or {})}, follow_redirects=follow_redirects)


def pager_link(response: TestResponse, rel: str) -> str | None:
    """The address of the pager's "next" or "prev" link (keyset pages), unescaped, or None."""
    for tag in re.findall(r"<a [^>]*>", response.text):
        if f'rel="{rel}"' in tag:
            found = re.search(r'href="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else None
    return None
