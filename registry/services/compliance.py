"""The compliance report: every current agreement with its review state and the findings an auditor
looks for, each as a plain-English line.

The findings read plain facts (``Facts``, made from an agreement by ``facts``), one function per
finding, so each can be tested without a database. ``report`` loads the current agreements in one
statement (their parts by select-IN eager loads) and the organisations' successors in one more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from registry.dates import format_date, today_in_london
from registry.documents import compliance_pdf
from registry.extensions import db
from registry.models import Agreement, Organisation, OrganisationStatus, User
from registry.models import agreement_choices as choices
from registry.services import agreements, reviews

CURRENT = reviews.LIVE  # approved, awaiting signatures, active


@dataclass(frozen=True)
class PartyFacts:
    name: str
    dissolved: bool = False
    successors: tuple[str, ...] = ()  # the successor, its successor, ... up to one still active
    ico_registration_number: str | None = None


@dataclass(frozen=True)
class Facts:
    reference: str
    title: str
    status: str
    kind: str = "two_way"
    next_review_date: date | None = None
    end_date: date | None = None
    categories: frozenset[str] = frozenset()
    art9_condition: str | None = None
    schedule1_condition: str | None = None
    dpia_screening: dict[str, bool] | None = None
    dpia_reference: str | None = None
    dpia_date: date | None = None
    dpia_outcome: str | None = None
    parties: tuple[PartyFacts, ...] = ()

    @property
    def status_label(self) -> str:
        return choices.STATUSES[self.status]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- the findings: each takes the facts and today's date, and returns its lines -------------------


def review_overdue(facts: Facts, today: date) -> list[str]:
    state = reviews.state(facts.next_review_date, facts.status, today)
    if state.key != "overdue" or facts.next_review_date is None:
        return []
    return [f"Review overdue: it was due on {format_date(facts.next_review_date)} ({state.label.lower()})"]


def missing_art9_condition(facts: Facts, today: date) -> list[str]:
    if "special_category" in facts.categories and _blank(facts.art9_condition):
        return ["Special category data is shared without an Article 9 condition"]
    return []


def missing_schedule1_condition(facts: Facts, today: date) -> list[str]:
    needs = "special_category" in facts.categories and facts.art9_condition in choices.ART9_NEEDS_SCHEDULE1
    if needs and _blank(facts.schedule1_condition):
        condition = choices.ART9_CONDITIONS[facts.art9_condition]  # type: ignore[index]
        return [f"{condition} needs a DPA 2018 Schedule 1 condition, but none is recorded"]
    return []


def dpia_incomplete(facts: Facts, today: date) -> list[str]:
    if not facts.dpia_screening or not any(facts.dpia_screening.values()):
        return []
    missing = [
        name
        for name, value in (
            ("reference", facts.dpia_reference),
            ("date", facts.dpia_date),
            ("outcome", facts.dpia_outcome),
        )
        if _blank(value)
    ]
    if not missing:
        return []
    verb = "is" if len(missing) == 1 else "are"
    return [f"A DPIA is required (the screening says yes) but its {_and(missing)} {verb} missing"]


def dissolved_parties(facts: Facts, today: date) -> list[str]:
    lines = []
    for party in facts.parties:
        if not party.dissolved:
            continue
        if not party.successors:
            lines.append(f"{party.name} has been dissolved and has no successor recorded: needs novation")
        elif len(party.successors) == 1:
            lines.append(f"{party.name} has been dissolved: needs novation to its successor, {party.successors[0]}")
        else:
            through = _and(list(party.successors[:-1]))
            lines.append(
                f"{party.name} has been dissolved: needs novation to its successor, {party.successors[-1]} "
                f"(through {through}, also dissolved)"
            )
    return lines


def parties_without_ico_number(facts: Facts, today: date) -> list[str]:
    """Only where personal data is shared: the ICO registers controllers of personal data."""
    if facts.kind == "non_personal":
        return []
    return [
        f"{party.name} has no ICO registration number"
        for party in facts.parties
        if _blank(party.ico_registration_number)
    ]


def past_end_date(facts: Facts, today: date) -> list[str]:
    if facts.end_date is None or facts.end_date >= today or facts.status not in CURRENT:
        return []
    return [
        f"Past its end date of {format_date(facts.end_date)} but still {facts.status_label.lower()}: "
        "mark it as expired, or extend it"
    ]


Finding = Callable[[Facts, date], list[str]]
# (finding, the name of its kind in the report's summary)
FINDINGS: tuple[tuple[Finding, str], ...] = (
    (review_overdue, "Review overdue"),
    (missing_art9_condition, "Special category data without an Article 9 condition"),
    (missing_schedule1_condition, "Special category data without a needed Schedule 1 condition"),
    (dpia_incomplete, "DPIA required but not fully recorded"),
    (dissolved_parties, "A party has been dissolved: needs novation"),
    (parties_without_ico_number, "A party has no ICO registration number"),
    (past_end_date, "Past its end date but still current"),
)


def findings(facts: Facts, today: date) -> list[str]:
    return [line for finding, _ in FINDINGS for line in finding(facts, today)]


# --- from the database ---------------------------------------------------------------------------


def successor_chain(organisation_id: int, organisations: dict[int, tuple[str, str, int | None]]) -> tuple[str, ...]:
    """Names of the successors of a dissolved organisation, in order, up to one still active.
    ``organisations`` maps id to (name, status, successor id)."""
    names: list[str] = []
    seen = {organisation_id}
    successor = organisations[organisation_id][2]
    while successor is not None and successor not in seen:
        seen.add(successor)
        name, status, next_successor = organisations[successor]
        names.append(name)
        if status != OrganisationStatus.DISSOLVED:
            break
        successor = next_successor
    return tuple(names)


def facts(agreement: Agreement, organisations: dict[int, tuple[str, str, int | None]]) -> Facts:
    parties = tuple(
        PartyFacts(
            name=party.organisation.name,
            dissolved=party.organisation.is_dissolved,
            successors=successor_chain(party.organisation_id, organisations) if party.organisation.is_dissolved else (),
            ico_registration_number=party.organisation.ico_registration_number,
        )
        for party in agreement.parties
    )
    return Facts(
        reference=agreement.reference,
        title=agreement.title,
        status=agreement.status,
        kind=agreement.kind,
        next_review_date=agreement.next_review_date,
        end_date=agreement.end_date,
        categories=frozenset(item.category for item in agreement.data_items),
        art9_condition=agreement.art9_condition,
        schedule1_condition=agreement.schedule1_condition,
        dpia_screening=agreement.dpia_screening,
        dpia_reference=agreement.dpia_reference,
        dpia_date=agreement.dpia_date,
        dpia_outcome=agreement.dpia_outcome,
        parties=parties,
    )


@dataclass(frozen=True)
class Row:
    facts: Facts
    review: reviews.ReviewState
    findings: list[str]


@dataclass(frozen=True)
class Report:
    today: date
    rows: list[Row]
    summary: list[tuple[str, int]]  # (kind of finding, how many agreements have it)

    @property
    def with_findings(self) -> int:
        return sum(1 for row in self.rows if row.findings)


def report(user: User, today: date | None = None) -> Report:
    today = today or today_in_london()
    query = agreements.visible(user).where(Agreement.status.in_(CURRENT)).order_by(Agreement.reference)
    current = list(db.session.scalars(query))
    # dissolved organisations and their successors: enough to follow every chain of successors
    successors = select(Organisation.successor_id).where(Organisation.successor_id.is_not(None))
    organisations = {
        row.id: (row.name, row.status, row.successor_id)
        for row in db.session.execute(
            select(Organisation.id, Organisation.name, Organisation.status, Organisation.successor_id).where(
                or_(Organisation.status == OrganisationStatus.DISSOLVED, Organisation.id.in_(successors))
            )
        )
    }
    rows = []
    for agreement in current:
        known = facts(agreement, organisations)
        rows.append(Row(known, reviews.state(known.next_review_date, known.status, today), findings(known, today)))
    summary = [(label, sum(1 for row in rows if finding(row.facts, today))) for finding, label in FINDINGS]
    return Report(today=today, rows=rows, summary=summary)


# --- as a table (the CSV and the PDF) ------------------------------------------------------------

HEADINGS = (
    "Reference",
    "Title",
    "Status",
    "Parties",
    "Next review date",
    "Review",
    "End date",
    "Number of findings",
    "Findings",
)


def table(report: Report) -> list[list[str]]:
    return [
        [
            row.facts.reference,
            row.facts.title,
            row.facts.status_label,
            "; ".join(party.name for party in row.facts.parties),
            format_date(row.facts.next_review_date) or "Not set",
            row.review.label,
            format_date(row.facts.end_date) or "None",
            str(len(row.findings)),
            "\n".join(row.findings) or "None",
        ]
        for row in report.rows
    ]


def document(report: Report, *, council: str, service: str) -> compliance_pdf.Report:
    """The report as the plain data its PDF is laid out from."""
    return compliance_pdf.Report(
        council=council,
        service=service,
        date=format_date(report.today),
        summary=report.summary,
        rows=[
            compliance_pdf.ReportRow(
                row.facts.reference, row.facts.title, row.facts.status_label, row.review.label, row.findings
            )
            for row in report.rows
        ],
    )
