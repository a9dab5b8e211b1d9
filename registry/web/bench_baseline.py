"""Baseline routes for ``make bench``, registered only when BENCH_BASELINES is on.

The scale benchmark compares each real page with the cheapest page the same stack can serve:
signed in (the user loaded, the session checked), the full layout, and one indexed query. These
two routes are that floor: a 50-row table from one query on an indexed column, and one row by
its primary key. They never exist in normal runs or tests (REGISTRY_BENCH_BASELINES=1 turns
them on; see docs/PERFORMANCE.md).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement
from registry.web.access import requires

bp = Blueprint("bench_baseline", __name__, url_prefix="/bench-baseline")

COLUMNS = (Agreement.id, Agreement.reference, Agreement.title, Agreement.status, Agreement.next_review_date)


@bp.route("/table")
@requires("agreement.list")
def table() -> str:
    """50 rows from one query ordered by the unique index on reference, and nothing else."""
    rows = db.session.execute(select(*COLUMNS).order_by(Agreement.reference).limit(50)).all()
    return render_template("bench/baseline.html", title="Baseline: 50 rows", rows=rows)


@bp.route("/row/<int:row_id>")
@requires("agreement.list")
def row(row_id: int) -> str:
    """One row by primary key (columns only: no eager-loaded relationships)."""
    found = db.session.execute(select(*COLUMNS).where(Agreement.id == row_id)).first()
    if found is None:
        abort(404)
    return render_template("bench/baseline.html", title="Baseline: one row", rows=[found])
