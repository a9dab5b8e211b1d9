"""The audit log for IG officers and admins: every recorded event, filtered, and its CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from registry.dates import today_in_london
from registry.services import audit, audit_log, organisations
from registry.web.access import audited_read, requires
from registry.web.audit import export
from registry.web.audit.forms import AuditFilterForm
from registry.web.params import id_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")


# a national register has thousands of organisations: past this many, the organisation filter
# offers only the one in the address (set from an organisation's history page)
FILTER_OPTIONS_MAX = 300


def filter_form() -> AuditFilterForm:
    options = organisations.choices(active_only=False, limit=FILTER_OPTIONS_MAX + 1)
    if len(options) > FILTER_OPTIONS_MAX:
        wanted = id_arg("organisation")
        chosen = organisations.get_visible(current_user, wanted) if wanted is not None else None
        options = [(chosen.id, chosen.name)] if chosen else []
    form = AuditFilterForm(request.args, options)
    form.validate()
    return form


@bp.route("/")
@requires("audit.view")
def index() -> str:
    form = filter_form()
    results = (
        None
        if form.errors
        else audit_log.search(form.filters(), after=request.args.get("after"), before=request.args.get("before"))
    )
    return render_template("audit/index.html", form=form, results=results)


@bp.route("/export.csv")
@audited_read
@requires("audit.view")
def export_csv() -> BaseResponse:
    form = filter_form()
    if form.errors:  # the page shows what to correct
        return redirect(url_for(".index", **request.args.to_dict()))
    filters = form.filters()
    audit.record(
        "audit.exported", "audit_log", None, actor=current_user,
        changes={"filters": {"before": None, "after": filters.describe() or "none"}},
    )  # fmt: skip
    response = Response(export.streamed(current_app._get_current_object(), filters), mimetype="text/csv")  # type: ignore[attr-defined]
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log-{today_in_london().isoformat()}.csv"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
