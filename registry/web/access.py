"""Route helpers: check access, load what the user may see, turn domain errors into messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, g
from flask_login import current_user
from flask_wtf import FlaskForm

from registry import database
from registry.extensions import db, login_manager
from registry.policy import RULES, can, can_see, refusal_reason
from registry.services.errors import DomainError
from registry.web.params import page_number

F = TypeVar("F", bound=Callable[..., Any])
__all__ = ["page_number"]  # kept here for the routes that import it with the other helpers


def requires(action: str) -> Callable[[F], F]:
    """Sign-in required, then the role must be allowed the action (403 otherwise)."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def signed_in(view: F) -> F:
    """Sign-in required; the route then loads its record and calls ``authorize``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def authorize(action: str, obj: Any) -> None:
    """404 when the record is hidden from the user, 403 when it is visible but the action is not allowed."""
    if not can_see(current_user, obj):
        abort(404)
    if not can(current_user, action, obj):
        g.refusal_message = refusal_reason(current_user, action, obj)  # the error page names the rule
        abort(403)


def visible_or_404(obj: Any) -> Any:
    """The record, or 404 when it is missing or hidden from this user."""
    if obj is None:
        abort(404)
    return obj


def reject(form: FlaskForm, error: DomainError) -> None:
    """Undo any partial change and show a domain error's message by its field (or atop the form)."""
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def refuse(error: DomainError) -> None:
    """Undo any partial change and show the error as a banner on the next page."""
    db.session.rollback()
    flash(error.message, "error")


def audited_read(view: F) -> F:
    """A GET that records an audit event (a document download). Put it above the access decorators:
    the transaction must begin as a write on SQLite before the first query."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.audited_read = True
        token = database.may_write.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            database.may_write.reset(token)

    wrapped.audited_read = True  # type: ignore[attr-defined]  # read by the request hooks in create_app
    return wrapped  # type: ignore[return-value]
