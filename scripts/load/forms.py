"""Reading a page's form as a browser would post it: every field's current value, the CSRF token included.

Standard library only, so the load test and the security scan need nothing beyond what they pin.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ERROR_SUMMARY = 'class="govuk-error-summary"'


def csrf_token(page: str) -> str | None:
    match = _CSRF.search(page)
    return html.unescape(match.group(1)) if match else None


def has_error_summary(page: str) -> bool:
    return _ERROR_SUMMARY in page


class _FormReader(HTMLParser):
    """Collects the fields of the first POST form that has a CSRF token (the page's main form)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self._done:
            return
        if tag == "form" and a.get("method", "get").lower() == "post" and "action" not in a:
            self._in_form = True
            self.fields = []
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind in ("radio", "checkbox") else "")))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            if not self._select_chosen:
                self.fields.append((self._select, self._select_first or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False
            self._done = any(name == "csrf_token" for name, _ in self.fields)


def form_fields(page: str) -> list[tuple[str, str]]:
    """The fields of the page's main form (a POST form to its own address), in page order."""
    reader = _FormReader()
    reader.feed(page)
    return reader.fields


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The fields with some values changed (every occurrence of each name)."""
    return [(name, values.get(name, value)) for name, value in fields]
