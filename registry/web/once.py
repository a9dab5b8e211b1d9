"""Forms that create a record are saved once, however often they are sent (``services/submissions.py``).

A create form is made with ``one_time(FormClass)``: it carries a hidden, random
``submission_token`` (new on each page, kept when the form is shown again with errors), and its
``validate()`` claims the token once every field is valid, in the request's own transaction,
just before the route creates the record. Its route is marked ``@once``:

- a token already claimed (the same form sent again, or twice at once) raises ``AlreadySent``
  from ``validate()``: ``@once`` answers with a redirect to where the first sending led, with
  the notice "This form was already sent", and nothing is saved again;
- when the route answers with a redirect (it saved the record), the token is kept with that
  address; any other answer gives the token back (a create refused by a domain error is rolled
  back by ``reject``, claim and all), so the corrected form can be sent again.

A post without a well-formed token (a page from before tokens, a hand-made request) is refused
with a message by the form, which is shown again with a new token. Templates render
``{{ form.submission_token }}`` beside the CSRF token.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

from flask import flash, g, redirect, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from registry.services import submissions

FIELD = "submission_token"
MISSING = "Check your answers and send the form again"
ALREADY_SENT = "This form was already sent, so it has not been saved again"
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{32}")
_ONCE_VIEW = "one_time_view"
_CLAIMED = "claimed_submission"

F = TypeVar("F", bound=FlaskForm)
V = TypeVar("V", bound=Callable[..., Any])


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


class AlreadySent(Exception):
    """The form's token was claimed by an earlier sending of the same form."""

    def __init__(self, location: str | None) -> None:
        super().__init__("form already sent")
        self.location = location


class OneTimeForm(FlaskForm):
    """Put before a create form's class: ``class NewThing(OneTimeForm, ThingForm)`` (or ``one_time(ThingForm)``)."""

    submission_token = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.submission_token.data = new_token()

    def validate(self, extra_validators: Any = None) -> bool:
        token = self.submission_token.data
        if not isinstance(token, str) or not _WELL_FORMED.fullmatch(token):
            super().validate(extra_validators)  # the other fields' messages too
            self.form_errors.append(MISSING)
            self.submission_token.data = new_token()
            return False
        if not super().validate(extra_validators):
            return False
        if not g.get(_ONCE_VIEW):
            raise RuntimeError(f"{type(self).__name__} is a one-time form: mark its route @once")
        if not submissions.claim(token):
            raise AlreadySent(submissions.location(token))
        setattr(g, _CLAIMED, token)
        return True


@cache
def one_time(form_class: type[F]) -> type[F]:
    """The create form of a form class shared with its edit page: the same fields and a submission token."""
    return type(f"OneTime{form_class.__name__}", (OneTimeForm, form_class), {"__doc__": form_class.__doc__})  # type: ignore[return-value]


def once(view: V) -> V:
    """Mark a create route: a second sending of its form is answered, not saved (see the module's docstring)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        setattr(g, _ONCE_VIEW, True)
        try:
            response = view(*args, **kwargs)
        except AlreadySent as sent:
            flash(ALREADY_SENT, "info")
            return redirect(sent.location or request.path)
        token = g.pop(_CLAIMED, None)
        if token is not None:
            if isinstance(response, Response) and response.status_code in (301, 302, 303) and response.location:
                submissions.settle(token, response.location)
            else:
                submissions.release(token)
        return response

    return wrapped  # type: ignore[return-value]
