"""Recording a refused access attempt from the error handler, in a transaction of its own."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from registry import database
from registry.extensions import db
from registry.services import refusals

RECORDED = frozenset({403, 404})


def record_refusal(status: int) -> None:
    """A signed-in user was refused (403) or asked for a record hidden from them (404): note it.

    The request's own changes are rolled back first; the refusal event is then committed on its
    own (in a GET too: it is an audited read). Anonymous requests are never recorded.
    """
    if status not in RECORDED or not current_user.is_authenticated:
        return
    token = database.may_write.set(True)  # on SQLite, begin the next transaction as a write
    try:
        db.session.rollback()
        g.audited_read = True
        event = refusals.record(
            current_user, method=request.method, path=request.path, status=status, view_args=request.view_args
        )
        if event is not None:
            db.session.commit()
    except Exception:  # the error page must still be shown
        db.session.rollback()
        current_app.logger.exception("Could not record a refused access attempt")
    finally:
        database.may_write.reset(token)
