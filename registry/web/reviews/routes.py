"""The review dashboard: agreements overdue for review and due within 30, 60 and 90 days."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from registry.services import organisations, reviews
from registry.web.access import requires
from registry.web.params import id_arg

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


@bp.route("/")
@requires("review.dashboard")
def dashboard() -> str:
    window = request.args.get("window", "overdue")
    window = window if window in reviews.WINDOWS else "overdue"
    organisation_id = id_arg("organisation")
    return render_template(
        "reviews/dashboard.html",
        window=window,
        windows=reviews.WINDOWS,
        counts=reviews.counts(current_user, organisation_id=organisation_id),
        results=reviews.due(
            current_user,
            window=window,
            organisation_id=organisation_id,
            after=request.args.get("after"),
            before=request.args.get("before"),
        ),
        organisation_id=organisation_id,
        organisations=organisations.choices(active_only=False),
        review_state=reviews.state,
    )
