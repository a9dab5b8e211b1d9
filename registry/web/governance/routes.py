"""Governance: the dashboard of agreement figures, and the compliance report (a page, CSV and PDF)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

from registry.charts import bar_chart
from registry.documents import compliance_pdf as pdf_layout
from registry.documents import csv_export
from registry.services import audit, compliance, governance
from registry.web.access import audited_read, requires

bp = Blueprint("governance", __name__, url_prefix="/governance")


@bp.route("/")
@requires("governance.dashboard")
def dashboard() -> str:
    figures = governance.dashboard(current_user)
    charts = {
        name: bar_chart([(figure.label, figure.value) for figure in getattr(figures, name)])
        for name in ("by_status", "by_kind", "by_sector", "reviews", "with_gaps", "variations")
    }
    return render_template("governance/dashboard.html", figures=figures, charts=charts)


@bp.route("/compliance")
@requires("governance.report")
def compliance_report() -> str:
    return render_template("governance/compliance.html", report=compliance.report(current_user))


def download(body: object, filename: str, mimetype: str) -> Response:
    """A download: a safe filename, never cached (the report names organisations and their gaps)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", filename)[:100]
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _downloaded(what: str, report: compliance.Report) -> None:
    audit.record(
        "report.downloaded",
        "report",
        "compliance",
        actor=current_user,
        changes={
            "format": {"before": None, "after": what},
            "agreements": {"before": None, "after": len(report.rows)},
        },
    )


@bp.route("/compliance.csv")
@audited_read
@requires("governance.report")
def compliance_csv() -> Response:
    report = compliance.report(current_user)
    _downloaded("CSV", report)
    rows = compliance.table(report)  # plain text: streaming reads nothing more from the database
    return download(
        csv_export.lines(compliance.HEADINGS, rows), f"compliance-report-{report.today.isoformat()}.csv", "text/csv"
    )


@bp.route("/compliance.pdf")
@audited_read
@requires("governance.report")
def compliance_pdf() -> Response:
    report = compliance.report(current_user)
    _downloaded("PDF", report)
    data = pdf_layout.render(
        compliance.document(
            report, council=current_app.config["ORGANISATION_NAME"], service=current_app.config["SERVICE_NAME"]
        )
    )
    return download(data, f"compliance-report-{report.today.isoformat()}.pdf", "application/pdf")
