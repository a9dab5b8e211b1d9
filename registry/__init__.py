"""The partnership and data-sharing registry: create_app() builds the Flask app."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, ConfigError, config_for
from registry import passwords
from registry.extensions import csrf, db, login_manager, migrate

MIGRATIONS_DIR = str(BASE_DIR / "migrations")


def create_app(env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=os.environ.get("REGISTRY_INSTANCE_DIR", str(BASE_DIR / "instance")),
    )
    settings_class = config_for(env)
    app.config.from_object(settings_class)
    if overrides:
        app.config.update(overrides)
    settings_class.check(app.config)
    passwords.configure(app.config["PASSWORD_HASH_PARAMS"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(BASE_DIR / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from registry import models  # noqa: F401  (register the tables)
    from registry.web import register_web

    register_web(app)
    _request_hooks(app)

    from registry.cli import registry_cli

    app.cli.add_command(registry_cli)
    return app


def _request_hooks(app: Flask) -> None:
    @app.before_request
    def tag_request() -> None:
        g.request_id = request.headers.get("X-Request-Id", "")[:40] or uuid.uuid4().hex

    @app.after_request
    def commit_on_success(response):  # type: ignore[no-untyped-def]
        """One commit per request, at the boundary; GET never writes."""
        session = db.session
        if request.method in ("GET", "HEAD", "OPTIONS"):
            if session.new or session.dirty or session.deleted:
                session.rollback()
                raise RuntimeError(f"GET {request.path} tried to change records")
        elif response.status_code < 400:
            session.commit()
        else:
            session.rollback()
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    """Foreign keys on, WAL and a busy timeout for SQLite; nothing for other databases."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


__all__ = ["ConfigError", "create_app"]
