"""Reading what a request sends: whole numbers, dates from their parts, and text. One rule for each.

Everything here takes text that may come from a hand-made request, so each function answers
"not one" (None, or a problem to show) rather than raising:

- **Whole numbers** (ids, page numbers, versions, a date's parts) are ASCII digits only.
  ``str.isdigit()`` is true for ``²`` and ``①`` (which ``int()`` then refuses) and ``int()`` itself
  reads Arabic-Indic and other Unicode digits, so neither is the test. A number is also bounded:
  beyond PostgreSQL's ``integer`` (every id and version column) it can name no row, and beyond 64
  bits neither database driver can even send it.
- **Dates** from the GOV.UK pattern's three boxes: each part a whole number in its range before
  ``date()`` sees it (``date()`` raises OverflowError, not ValueError, for a 20-digit year).
- **Text**: surrounding whitespace is removed, including Unicode spaces (no-break space, the
  ideographic space) and invisible format characters at the ends, so a name of only spaces is
  no name. Control characters (C0 but tab, line feed and carriage return; DEL; C1) are
  *refused*, not silently stripped: nobody types them, PostgreSQL cannot store NUL, and quietly
  changing what was sent would save something other than what the person saw. The form shows
  the text again with them removed, and a message, so sending it again saves exactly that.
"""

from __future__ import annotations

import re
from datetime import date

DB_INT_MAX = 2**31 - 1  # PostgreSQL ``integer``: ids and versions
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # the widest integer either database (or driver) takes

_DIGITS = re.compile(r"[0-9]{1,19}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")
# whitespace Python's str.strip() does not count: zero-width space, word joiner, byte-order mark
_INVISIBLE = "\u200b\u2060\ufeff"


def whole_number(value: object, *, maximum: int = DB_INT_MAX) -> int | None:
    """A whole number from 0 to ``maximum`` written in ASCII digits (surrounding spaces allowed),
    or None. An int (a field's own data, not typed) is checked against the same range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= maximum else None


def date_from_parts(day: str, month: str, year: str) -> date | None:
    """The date the GOV.UK pattern's three boxes give, or None when they give no real date."""
    d, m, y = whole_number(day, maximum=31), whole_number(month, maximum=12), whole_number(year, maximum=9999)
    if d is None or m is None or y is None or y < 1000:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def without_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


def clean_text(text: str, *, multiline: bool = False) -> tuple[str, bool]:
    """The text as it is kept, and whether it held control characters (removed from the text returned).

    Surrounding whitespace goes; in a one-line field tabs and line breaks become a space (a
    browser's text box cannot hold a line break: only a hand-made request or a paste sends one).
    """
    found = has_control_characters(text)
    if found:
        text = without_control_characters(text)
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text)
    return text.strip().strip(_INVISIBLE).strip(), found


def query_text(text: str | None, limit: int = 200) -> str:
    """A search or filter typed into a list page's box: cleaned, control characters dropped (a filter
    is not stored, so there is nothing to refuse), and cut to ``limit`` characters."""
    return clean_text((text or "")[: limit * 2])[0][:limit]
