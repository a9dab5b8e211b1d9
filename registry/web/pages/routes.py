"""Home, health check and the service's own information pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from registry.extensions import db

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


@bp.route("/accessibility")
def accessibility() -> str:
    return render_template("pages/accessibility.html")
