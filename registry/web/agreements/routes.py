"""The agreements register, an agreement's page, its versions and the differences between them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import Agreement, Sector
from registry.models import agreement_choices as choices
from registry.readiness import gaps
from registry.services import agreements, lifecycle, organisations, partnerships, reviews, signing
from registry.services.errors import DomainError
from registry.services.snapshots import LABELS, differences, display, snapshot
from registry.web.access import page_number, reject, requires, visible_or_404
from registry.web.agreements import bp
from registry.web.agreements.forms import NewAgreementForm

SORT_CHOICES = [
    ("reference", "Reference"),
    ("-reference", "Newest reference"),
    ("title", "Title"),
    ("review", "Next review date"),
    ("-updated", "Recently changed"),
]
SECTORS = {sector.value: sector.label for sector in Sector}
READINESS_CHOICES = [("yes", "Drafts and awaiting approval with gaps")]


def load(reference: str) -> Agreement:
    return visible_or_404(agreements.get_visible(current_user, reference))


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def partnership_choices() -> list[tuple[int | str, str]]:
    return [("", "None"), *partnerships.choices(current_user)]


@bp.route("/")
@requires("agreement.list")
def index() -> str:
    filters = {key: request.args.get(key, "").strip()[:200] for key in ("q", "status", "kind", "sector", "gaps")}
    sort = request.args.get("sort", "reference")
    sort = sort if sort in agreements.SORTS else "reference"
    organisation_id = int_arg("organisation")
    results = agreements.search(
        current_user,
        text=filters["q"],
        sort=sort,
        page=page_number(),
        status=filters["status"] if filters["status"] in choices.STATUSES else "",
        kind=filters["kind"] if filters["kind"] in choices.KINDS else "",
        organisation_id=organisation_id,
        partnership_id=int_arg("partnership"),
        sector=filters["sector"] if filters["sector"] in SECTORS else "",
        has_gaps=filters["gaps"] == "yes",
    )
    organisation_list = (
        [(current_user.organisation_id, current_user.organisation.name)]
        if current_user.role == "partner"
        else organisations.choices(active_only=False)
    )
    return render_template(
        "agreements/index.html",
        results=results,
        filters=filters,
        sort=sort,
        organisation_id=organisation_id,
        statuses=choices.STATUSES,
        kinds=choices.KINDS,
        sectors=SECTORS,
        readiness=READINESS_CHOICES,
        sorts=SORT_CHOICES,
        organisations=organisation_list,
        review_state=reviews.state,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("agreement.create")
def create() -> str | Response:
    form = NewAgreementForm()
    form.partnership_id.choices = partnership_choices()
    if request.method == "GET" and request.args.get("partnership", "").isdigit():
        form.partnership_id.data = int(request.args["partnership"])
    if form.validate_on_submit():
        try:
            agreement = agreements.create(current_user, form.data)
        except DomainError as error:
            reject(form, error)
        else:
            flash(f"Draft agreement {agreement.reference} has been created. Fill in each section.", "success")
            return redirect(url_for(".view", reference=agreement.reference))
    return render_template("agreements/new.html", form=form)


@bp.route("/<reference>")
@requires("agreement.view")
def view(reference: str) -> str:
    agreement = load(reference)
    record = snapshot(agreement)
    return render_template(
        "agreements/view.html",
        agreement=agreement,
        record=record,
        gaps=gaps(record),
        display=display,
        sections=agreements.SECTION_TITLES,
        transitions=lifecycle.allowed(agreement),
        versions=lifecycle.versions(agreement),
        review_list=reviews.for_agreement(agreement),
        review_state=reviews.state(agreement.next_review_date, agreement.status),
        choices=choices,
        labels=LABELS,
        party_states=signing.party_states(agreement) if agreement.status in ("awaiting_signatures", "active") else [],
        signed_documents=signing.signed_documents(agreement),
        party_to_sign=signing.party_to_sign(current_user, agreement),
    )


@bp.route("/<reference>/versions/<int:number>")
@requires("agreement.view")
def version(reference: str, number: int) -> str:
    agreement = load(reference)
    frozen = visible_or_404(lifecycle.version(agreement, number))
    return render_template(
        "agreements/version.html",
        agreement=agreement,
        version=frozen,
        record=frozen.snapshot,
        display=display,
        choices=choices,
        labels=LABELS,
    )


@bp.route("/<reference>/compare")
@requires("agreement.view")
def compare(reference: str) -> str | Response:
    """Field-by-field differences between two versions (``current`` is the record as it stands)."""
    agreement = load(reference)
    numbers = {v.number: v for v in lifecycle.versions(agreement)}
    options = [(str(n), f"Version {n}") for n in sorted(numbers)]
    if agreement.status in ("draft", "awaiting_approval") or not numbers:
        options.append(
            ("current", f"Version {agreement.version_number} as it stands ({agreement.status_label.lower()})")
        )
    default_from = options[-2][0] if len(options) > 1 else options[0][0]
    chosen = {
        key: request.args.get(key) or default for key, default in (("from", default_from), ("to", options[-1][0]))
    }
    if any(value not in dict(options) for value in chosen.values()):
        abort(404)

    def record_for(key: str) -> dict:
        return snapshot(agreement) if key == "current" else numbers[int(key)].snapshot

    found = differences(record_for(chosen["from"]), record_for(chosen["to"]))
    return render_template(
        "agreements/compare.html", agreement=agreement, options=options, chosen=chosen, differences=found
    )
