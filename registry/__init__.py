"""The partnership and data-sharing registry: create_app() builds the Flask app."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from flask import Flask, g, has_request_context, request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, ConfigError, config_for
from registry import audit_chain, database, passwords, retry
from registry.extensions import csrf, db, login_manager, migrate
from registry.models.audit import AuditChainHead, AuditEvent

MIGRATIONS_DIR = str(BASE_DIR / "migrations")


class RegistryApp(Flask):
    def log_exception(self, exc_info: Any) -> None:
        """A run the database chose as a deadlock victim is run again (registry/retry.py logs that): not an error."""
        if not retry.will_run_again():
            super().log_exception(exc_info)


def create_app(env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    app = RegistryApp(
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
    if app.config["TRUSTED_PROXIES"]:
        # behind a reverse proxy the client's address is in X-Forwarded-For: the per-address sign-in
        # limit and the audit trail need it, not the proxy's own address
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
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
    from registry.services import tallies

    tallies.register()  # each flush stores the readiness of the agreements it changed
    audit_chain.register()  # after tallies: audit events join the chain at the commit, after everything else
    from registry.web import register_web
    from registry.web.security import register_security

    _request_hooks(app)  # first: the user is loaded in later hooks, and a GET's reads must begin as reads
    register_web(app)
    register_security(app)  # CSP with a per-request nonce, and the other security headers

    from registry.cli import registry_cli

    app.cli.add_command(registry_cli)
    # outermost: a request PostgreSQL chose as a deadlock victim, having committed nothing, runs again
    retry.register()
    app.wsgi_app = retry.RetryOnConflict(  # type: ignore[method-assign]
        app.wsgi_app, retries=app.config["REQUEST_RETRIES"], max_body=app.config["MAX_CONTENT_LENGTH"]
    )
    return app


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _request_hooks(app: Flask) -> None:
    @app.before_request
    def tag_request() -> None:
        g.request_id = request.headers.get("X-Request-Id", "")[:40] or uuid.uuid4().hex
        g.read_only_request = request.method in SAFE_METHODS
        # an audited read (a download) writes its event: its transaction, which loading the user
        # begins, must begin as a write on SQLite
        view = app.view_functions.get(request.endpoint or "")
        audited = getattr(view, "audited_read", False)
        g.may_write_token = database.may_write.set(not g.read_only_request or audited)

    @app.teardown_request
    def untag_request(error: BaseException | None) -> None:
        token = g.pop("may_write_token", None)
        if token is not None:
            database.may_write.reset(token)

    @app.after_request
    def commit_on_success(response):  # type: ignore[no-untyped-def]
        """One commit per request, at the boundary; GET never changes records.

        The one thing a GET may add is audit events, on routes marked ``audited_read``
        (downloads of documents): those are committed with nothing else.
        """
        session = db.session
        if request.method in SAFE_METHODS:
            if _changes_records(session):
                g.pop("records_flushed", None)
                session.rollback()
                raise RuntimeError(f"{request.method} {request.path} tried to change records")
            # an audited read commits even when its events were already flushed (say by loading
            # a deferred column after recording them): then ``session.new`` is empty
            if (session.new or g.get("audited_read")) and response.status_code < 400:
                _commit(session)
        elif response.status_code < 400:
            _commit(session)
        else:
            session.rollback()
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response


def _commit(session: Any) -> None:
    """Commit; a failed commit (say a deadlock victim's, run again by registry/retry.py) is rolled back
    first, so the error page can still read the signed-in user."""
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise


def _in_read_only_request() -> bool:
    return has_request_context() and g.get("read_only_request", False)


@event.listens_for(db.session, "after_flush")
def _note_flush(session, flush_context) -> None:  # type: ignore[no-untyped-def]
    """A flush leaves nothing pending, so remember it: the GET check above must still see it.

    (After a flush, ``session.new`` still lists what was inserted, so an audited read's own
    audit events are told apart from other changes.)"""
    if _in_read_only_request() and _changes_records(session):
        g.records_flushed = True


@event.listens_for(db.session, "after_rollback")
def _forget_flush(session) -> None:  # type: ignore[no-untyped-def]
    if has_request_context():
        g.pop("records_flushed", None)


@event.listens_for(db.session, "before_commit")
def _refuse_commit_in_get(session) -> None:  # type: ignore[no-untyped-def]
    """A GET that commits would be past saving by the time the response is checked."""
    if _in_read_only_request() and _changes_records(session):
        raise RuntimeError(f"{request.method} {request.path} tried to change records")


def _changes_records(session) -> bool:  # type: ignore[no-untyped-def]
    """Whether the session holds changes a GET may not make (audit events of an audited read are allowed)."""
    if g.get("audited_read"):  # its audit events, and the chain head they move on, are allowed
        new = [obj for obj in session.new if not isinstance(obj, AuditEvent)]
        dirty = [obj for obj in session.dirty if not isinstance(obj, AuditChainHead)]
        return bool(new or dirty or session.deleted or g.get("records_flushed"))
    held = audit_chain.held(session)  # recorded events wait outside the session until the commit
    return bool(session.new or session.dirty or session.deleted or held or g.get("records_flushed"))


__all__ = ["ConfigError", "create_app"]
