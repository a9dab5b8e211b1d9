"""``/search?q=…``: matches of each kind the user may see, or a page of one kind (``&kind=…``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from registry.models import agreement_choices
from registry.models.organisation import KIND_LABELS, OrganisationKind
from registry.services import search
from registry.web.access import page_number, signed_in
from registry.web.params import text_arg

bp = Blueprint("search", __name__)

MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    """One result as the page shows it: a link and a line about the record."""

    text: str
    href: str
    details: list[str]


def _organisation(row: Any) -> Hit:
    identifiers = [getattr(row, name) for name in search.IDENTIFIERS if getattr(row, name)]
    status = "Dissolved" if row.status == "dissolved" else "Active"
    return Hit(row.name, url_for("organisations.view", organisation_id=row.id),
               [KIND_LABELS[OrganisationKind(row.kind)], status, *identifiers])  # fmt: skip


def _partnership(row: Any) -> Hit:
    purpose = " ".join((row.purpose or "").split())
    short = purpose if len(purpose) <= 160 else purpose[:157].rstrip() + "…"
    return Hit(row.name, url_for("partnerships.view", partnership_id=row.id), [row.status.capitalize(), short])


def _agreement(row: Any) -> Hit:
    return Hit(f"{row.reference}: {row.title}", url_for("agreements.view", reference=row.reference),
               [agreement_choices.STATUSES[row.status], agreement_choices.KINDS[row.kind]])  # fmt: skip


SHOW = {"organisations": _organisation, "partnerships": _partnership, "agreements": _agreement}


@bp.route("/search")
@signed_in
def results() -> str:
    query = text_arg("q", MAX_QUERY)
    key = request.args.get("kind", "")
    if key in search.KINDS and query:
        group = search.one_kind(current_user, query, key, page_number())
        groups = [group] if group else []
    else:
        key = ""
        groups = search.summary(current_user, query) if query else []
    hits = {group.kind.key: [SHOW[group.kind.key](row) for row in group.rows] for group in groups}
    return render_template(
        "search/results.html",
        query=query, kind=key, groups=groups, hits=hits, searched=bool(search.words(query)), cap=search.count_cap(),
    )  # fmt: skip
