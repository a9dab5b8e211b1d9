"""Home, health check and the service's own information pages."""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from registry import retry
from registry.extensions import db, login_manager

bp = Blueprint("pages", __name__)


@bp.route("/")
def home() -> str | Response:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render_template("pages/home.html")


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001  any failure means the database is not usable
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


@bp.app_errorhandler(OperationalError)
def database_unavailable(error: OperationalError) -> tuple[str, int]:
    """The database cannot be reached (stopped, restarting, locked past the busy timeout): a 503
    page. The user cannot be loaded either, so the page is drawn as for someone signed out; the
    pool checks connections before use, so the next request after the database is back works."""
    if current_app.testing and current_app.config.get("PROPAGATE_TEST_ERRORS", True):
        raise error
    with suppress(Exception):
        db.session.rollback()
    if not retry.will_run_again():  # a deadlock victim runs again: registry/retry.py logs that
        current_app.logger.exception("The database is unavailable")
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user
    return render_template("errors/error.html", code=503, title="Sorry, the service is unavailable"), 503


@bp.route("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")
