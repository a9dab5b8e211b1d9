"""Snapshots of an agreement (what a version freezes) and readable differences between two."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from registry.models import Agreement
from registry.models import agreement_choices as choices

LABELS: dict[str, str] = {
    "title": "Title",
    "kind": "Kind of agreement",
    "partnership_name": "Partnership",
    "objectives": "Objectives it serves",
    "purpose": "Purpose",
    "benefits": "Benefits to people and services",
    "necessity": "Why it is necessary and proportionate",
    "less_data_rationale": "Why less or anonymised data would not do",
    "parties": "Parties",
    "art6_basis": "Article 6 lawful basis",
    "art9_condition": "Article 9 condition",
    "schedule1_condition": "DPA 2018 Schedule 1 condition",
    "policy_document_in_place": "Appropriate policy document in place",
    "criminal_condition": "Criminal offence data condition",
    "law_enforcement_processing": "Law-enforcement processing (DPA 2018 Part 3)",
    "gateways": "Statutory gateways",
    "other_gateways": "Other statutory powers",
    "common_law_duty": "Common-law duty of confidentiality",
    "national_data_opt_out": "National data opt-out",
    "confirmed_anonymised": "Confirmed anonymised or aggregate",
    "subject_groups": "Data subjects",
    "data_items": "Data items",
    "identifiability": "Level of identifiability",
    "approximate_volume": "Approximate volume",
    "direction": "Direction of sharing",
    "frequency": "Frequency",
    "transfer_method": "How data is transferred",
    "access_controls": "Who has access",
    "onward_sharing": "Onward sharing",
    "international_transfers": "International transfers",
    "transfer_safeguards": "Safeguards for international transfers",
    "security_measures": "Security measures",
    "dpia_screening": "DPIA screening answers",
    "dpia_reference": "DPIA reference",
    "dpia_date": "DPIA date",
    "dpia_outcome": "DPIA outcome",
    "privacy_notice_links": "Privacy notices",
    "breach_contact": "Breach contact",
    "termination_arrangements": "Termination arrangements",
    "effective_from": "Takes effect",
    "end_date": "End date",
    "review_interval_months": "Review interval (months)",
    "next_review_date": "Next review date",
}

CHOICE_LABELS: dict[str, dict[str, str]] = {
    "kind": choices.KINDS, "art6_basis": choices.ART6_BASES, "art9_condition": choices.ART9_CONDITIONS,
    "schedule1_condition": choices.SCHEDULE1_CONDITIONS, "criminal_condition": choices.CRIMINAL_CONDITIONS,
    "national_data_opt_out": choices.OPT_OUT, "identifiability": choices.IDENTIFIABILITY,
    "direction": choices.DIRECTIONS, "frequency": choices.FREQUENCIES, "dpia_outcome": choices.DPIA_OUTCOMES,
}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def snapshot(agreement: Agreement) -> dict[str, Any]:
    """The whole record as plain JSON-safe data: what approval freezes and the readiness check reads."""
    data: dict[str, Any] = {field: _plain(getattr(agreement, field)) for field in Agreement.RECORD_FIELDS}
    data.update(
        reference=agreement.register_reference,
        version=agreement.version_number,
        status=agreement.status,
        partnership_name=agreement.partnership.name if agreement.partnership else None,
        objectives=[{"id": o.id, "title": o.title} for o in agreement.objectives],
        gateways=[g.name for g in agreement.gateways],
        parties=[
            {"organisation_name": p.organisation.name, **{f: _plain(getattr(p, f)) for f in p.FIELDS}}
            for p in agreement.parties
        ],
        data_items=[
            {"provider_name": i.provider.name if i.provider else None, **{f: getattr(i, f) for f in i.FIELDS}}
            for i in agreement.data_items
        ],
        subject_groups=[{f: getattr(g, f) for f in g.FIELDS} for g in agreement.subject_groups],
    )
    return data


def display(field: str, value: Any) -> str:
    """A value as a person reads it."""
    if value is None or value == "" or value == []:
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in CHOICE_LABELS:
        return CHOICE_LABELS[field].get(value, str(value))
    if field in ("effective_from", "end_date", "next_review_date", "dpia_date"):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    if field == "dpia_screening":
        return "; ".join(f"{choices.DPIA_SCREENING.get(k, k)} {'Yes' if v else 'No'}" for k, v in value.items())
    if field == "parties":
        return "; ".join(f"{p['organisation_name']} ({choices.PARTY_ROLES[p['role']]})" for p in value)
    if field == "data_items":
        return "; ".join(f"{i['name']} ({choices.DATA_CATEGORIES[i['category']]})" for i in value)
    if field == "subject_groups":
        return "; ".join(g["name"] for g in value)
    if field == "objectives":
        return "; ".join(o["title"] for o in value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    before: str
    after: str


def _rows(field: str, value: Any) -> list[str]:
    """A list field as one line per element, so differences show element by element."""
    if not value:
        return []
    if field == "parties":
        return [
            f"{p['organisation_name']}: {choices.PARTY_ROLES[p['role']]}; "
            f"signatory {p.get('signatory_name') or 'not named'} ({p.get('signatory_job_title') or 'no job title'}); "
            f"retention {p.get('retention_period') or 'not given'}"
            for p in value
        ]
    if field == "data_items":
        return [f"{i['name']} ({choices.DATA_CATEGORIES[i['category']]})"
                f"{', from ' + i['provider_name'] if i.get('provider_name') else ''}" for i in value]  # fmt: skip
    if field == "subject_groups":
        return [
            g["name"]
            + (" (includes children)" if g.get("includes_children") else "")
            + (" (includes vulnerable adults)" if g.get("includes_vulnerable_adults") else "")
            for g in value
        ]
    return [display(field, [v]) for v in value]


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[Difference]:
    """Field by field, in the order of the record; list fields element by element."""
    found = []
    for field, label in LABELS.items():
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if isinstance(old, list) or isinstance(new, list):
            old_rows, new_rows = _rows(field, old), _rows(field, new)
            removed = [r for r in old_rows if r not in new_rows]
            added = [r for r in new_rows if r not in old_rows]
            if not removed and not added:
                continue  # the same elements in another order
            found.append(Difference(field, label, "\n".join(removed) or "Nothing removed",
                                    "\n".join(added) or "Nothing added"))  # fmt: skip
        else:
            found.append(Difference(field, label, display(field, old), display(field, new)))
    return found
