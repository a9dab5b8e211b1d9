"""The web layer: blueprints, error pages and template helpers."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, g, render_template
from govuk_frontend_wtf.main import WTFormsHelpers
from werkzeug.exceptions import HTTPException

from registry.dates import format_date, format_datetime
from registry.extensions import db, login_manager
from registry.policy import can

ERROR_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "There is a problem with your request",
    413: "The file or form you sent is too large",
    500: "Sorry, there is a problem with the service",
}


def format_number(value: Decimal | float | int | None) -> str:
    """A measure as people write it: 1,250 or 45.5, never 100.00 or 1E+2."""
    if value is None:
        return ""
    return format(Decimal(str(value)).normalize(), ",f")


def register_web(app: Flask) -> None:
    from registry.web.account.routes import bp as account_bp
    from registry.web.admin.routes import bp as admin_bp
    from registry.web.agreements import bp as agreements_bp
    from registry.web.audit.history import bp as history_bp
    from registry.web.audit.refused import record_refusal
    from registry.web.audit.routes import bp as audit_bp
    from registry.web.auth.routes import bp as auth_bp
    from registry.web.governance.routes import bp as governance_bp
    from registry.web.organisations.routes import bp as organisations_bp
    from registry.web.pages.routes import bp as pages_bp
    from registry.web.params import PathSegment, RecordNumber
    from registry.web.partnerships import bp as partnerships_bp
    from registry.web.reviews.routes import bp as reviews_bp
    from registry.web.search.routes import bp as search_bp
    from registry.web.verify.routes import bp as verify_bp

    # before any route is added (a rule is compiled with its converters): path parameters by the same rules
    app.url_map.converters.update(default=PathSegment, int=RecordNumber)
    for blueprint in (
        pages_bp,
        auth_bp,
        organisations_bp,
        partnerships_bp,
        agreements_bp,
        reviews_bp,
        governance_bp,
        admin_bp,
        verify_bp,
        audit_bp,
        history_bp,
        account_bp,
        search_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config.get("BENCH_BASELINES"):  # `make bench` only: never in normal runs or tests
        from registry.web.bench_baseline import bp as bench_baseline_bp

        app.register_blueprint(bench_baseline_bp)

    WTFormsHelpers(app)
    app.add_template_filter(format_date, "govuk_date")
    app.add_template_filter(format_datetime, "govuk_datetime")
    app.add_template_filter(format_number, "number")
    app.add_template_global(can, "can")

    @app.context_processor
    def service_context() -> dict:
        return {
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["ORGANISATION_NAME"],
        }

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page"
    login_manager.login_message_category = "info"

    from registry.web.auth import session_expiry

    session_expiry.register(app)  # idle and absolute limits on a signed-in session

    from registry.web.auth import session_store

    session_store.register(app)  # the user loader: only a live server-side session signs a request in

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        title = ERROR_TITLES.get(code, "There is a problem with your request")
        record_refusal(code)  # a signed-in user refused, or asking for a record hidden from them
        message = g.get("refusal_message") if code == 403 else None
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # type: ignore[no-untyped-def]
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render_template("errors/error.html", code=500, title=ERROR_TITLES[500]), 500
