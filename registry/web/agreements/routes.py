"""The agreements register, an agreement's page, its versions and the differences between them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from registry.models import Agreement
from registry.models import agreement_choices as choices
from registry.policy import four_eyes_problem
from registry.readiness import gaps
from registry.services import agreement_filters, agreements, lifecycle, organisations, partnerships, reviews, signing
from registry.services.errors import DomainError
from registry.services.snapshots import LABELS, differences, display, snapshot
from registry.web.access import reject, requires, visible_or_404
from registry.web.agreements import bp, filters
from registry.web.agreements.forms import NewAgreementForm
from registry.web.once import once, one_time
from registry.web.params import id_arg

# longer lists of organisations are not offered as a drop-down
FILTER_OPTIONS_MAX = 300


def load(reference: str) -> Agreement:
    return visible_or_404(agreements.get_visible(current_user, reference))


def partnership_choices() -> list[tuple[int | str, str]]:
    return [("", "None"), *partnerships.choices(current_user)]


@bp.route("/")
@requires("agreement.list")
def index() -> str:
    found, errors = filters.from_args(request.args)
    results = agreement_filters.page(
        current_user, found, after=request.args.get("after"), before=request.args.get("before")
    )
    if current_user.role == "partner":
        organisation_list = [(current_user.organisation_id, current_user.organisation.name)]
    else:  # a national register has thousands: then the filter is set from an organisation's page
        organisation_list = organisations.choices(active_only=False, limit=FILTER_OPTIONS_MAX + 1)
    chosen = organisations.get_visible(current_user, found.organisation_id) if found.organisation_id else None
    partnership_list = partnerships.choices(current_user, limit=FILTER_OPTIONS_MAX + 1)
    chosen_partnership = partnerships.get_visible(current_user, found.partnership_id) if found.partnership_id else None
    return render_template(
        "agreements/index.html",
        export_args=filters.export_args(request.args),
        results=results,
        values=filters.raw_values(request.args),
        errors=errors,
        statuses=choices.STATUSES,
        kinds=choices.KINDS,
        sectors=filters.SECTORS,
        data_categories=agreement_filters.DATA_CATEGORIES,
        review_windows=agreement_filters.REVIEW_WINDOWS,
        readiness=filters.READINESS_CHOICES,
        variation_choices=filters.VARIATION_CHOICES,
        sorts=agreement_filters.SORT_LABELS.items(),
        date_fields=filters.DATE_FIELDS,
        organisations=organisation_list if len(organisation_list) <= FILTER_OPTIONS_MAX else None,
        chosen_organisation=chosen,
        partnership_list=partnership_list if len(partnership_list) <= FILTER_OPTIONS_MAX else None,
        chosen_partnership=chosen_partnership,
        review_state=reviews.state,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("agreement.create")
@once
def create() -> str | Response:
    form = one_time(NewAgreementForm)()
    form.partnership_id.choices = partnership_choices()
    if request.method == "GET" and id_arg("partnership") is not None:
        form.partnership_id.data = id_arg("partnership")
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
    from registry.web.agreements.variations import version_label, view_of

    agreement = load(reference)
    record = snapshot(agreement)
    variation = view_of(agreement)
    return render_template(
        "agreements/view.html",
        agreement=agreement,
        record=record,
        gaps=gaps(record),
        display=display,
        sections=agreements.SECTION_TITLES,
        editable=agreements.editable(agreement) and (variation is None or agreement.is_variation),
        variation=variation,
        version_label=version_label,
        four_eyes=four_eyes_problem(current_user, agreement),
        transitions=lifecycle.allowed(agreement),
        versions=lifecycle.versions(agreement),
        review_list=reviews.for_agreement(agreement) if not agreement.is_variation else [],
        review_state=reviews.state(agreement.next_review_date, "draft" if agreement.is_variation else agreement.status),
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
