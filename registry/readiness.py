"""The readiness check: the gaps that stop an agreement being submitted for approval.

Each rule is one row: which agreements it applies to, the test that finds a gap, the
plain-English message, and the section and field a person must change. Rules read a
snapshot (the plain dict that a version freezes), so they need no database and can be
tested one by one. ``gaps(snapshot)`` runs the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.models.agreement_choices import (
    ART9_CONDITIONS,
    ART9_NEEDS_SCHEDULE1,
    DPIA_SCREENING,
    SCHEDULE1_NEEDS_POLICY,
)

Snapshot = dict[str, Any]
PERSONAL_CATEGORIES = {"personal", "special_category", "criminal_offence", "pseudonymised"}
# the screening has no field of its own on the governance page: link to its first question
FIRST_SCREENING_QUESTION = "dpia_" + next(iter(DPIA_SCREENING))


@dataclass(frozen=True)
class Gap:
    code: str
    message: str
    section: str  # the edit page that fixes it
    field: str  # the field's id on that page


@dataclass(frozen=True)
class Rule:
    code: str
    section: str
    field: str
    applies: Callable[[Snapshot], bool]
    has_gap: Callable[[Snapshot], bool]
    message: Callable[[Snapshot], str] | str

    def check(self, snapshot: Snapshot) -> Gap | None:
        if not self.applies(snapshot) or not self.has_gap(snapshot):
            return None
        text = self.message(snapshot) if callable(self.message) else self.message
        return Gap(self.code, text, self.section, self.field)


def personal(s: Snapshot) -> bool:
    return s.get("kind") != "non_personal"


def non_personal(s: Snapshot) -> bool:
    return s.get("kind") == "non_personal"


def always(s: Snapshot) -> bool:
    return True


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _categories(s: Snapshot) -> set[str]:
    return {item.get("category") for item in s.get("data_items", [])}


def _roles(s: Snapshot) -> list[str]:
    return [party.get("role") for party in s.get("parties", [])]


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _review_too_late(s: Snapshot) -> bool:
    review, start = _date(s.get("next_review_date")), _date(s.get("effective_from"))
    if review is None:
        return True
    if start is None:
        return False  # the effective date rule reports that gap
    return review > add_months(start, int(s.get("review_interval_months") or 12))


def _parties_missing(s: Snapshot, key: str) -> list[str]:
    return [p.get("organisation_name", "a party") for p in s.get("parties", []) if _blank(p.get(key))]


def _needs_schedule1(s: Snapshot) -> bool:
    return "special_category" in _categories(s) and s.get("art9_condition") in ART9_NEEDS_SCHEDULE1


def _dpia_required(s: Snapshot) -> bool:
    return bool(s.get("dpia_screening")) and any(s["dpia_screening"].values())


RULES: tuple[Rule, ...] = (
    Rule("purpose", "purpose", "purpose", always, lambda s: _blank(s.get("purpose")),
         "Describe the purpose of the sharing"),
    Rule("benefits", "purpose", "benefits", personal, lambda s: _blank(s.get("benefits")),
         "Describe the benefits to people and services"),
    Rule("necessity", "purpose", "necessity", personal, lambda s: _blank(s.get("necessity")),
         "Explain why the sharing is necessary and proportionate"),
    Rule("less_data", "purpose", "less_data_rationale", personal, lambda s: _blank(s.get("less_data_rationale")),
         "Explain why less data, or anonymised data, would not do"),
    Rule("two_parties", "parties", "add-party", always, lambda s: len(s.get("parties", [])) < 2,
         "Add at least two parties"),
    Rule("processor_needs_controller", "parties", "add-party", always,
         lambda s: "processor" in _roles(s) and not {"controller", "joint_controller"} & set(_roles(s)),
         "Add the controller that the processor acts for: a processor needs a controller"),
    Rule("processor_kind", "parties", "add-party", lambda s: s.get("kind") == "controller_processor",
         lambda s: "processor" not in _roles(s), "Add the processor party: this is a controller–processor agreement"),
    Rule("joint_controllers", "parties", "add-party", lambda s: s.get("kind") == "joint_controller",
         lambda s: _roles(s).count("joint_controller") < 2,
         "Add at least two joint controllers: this is a joint controller agreement"),
    Rule("signatories", "parties", "add-party", always, lambda s: bool(_parties_missing(s, "signatory_name")),
         lambda s: "Name the signatory for " + ", ".join(_parties_missing(s, "signatory_name"))),
    Rule("rights_contact", "parties", "add-party", personal, lambda s: bool(_parties_missing(s, "rights_contact")),
         lambda s: "Give the contact for data subject requests and complaints for "
         + ", ".join(_parties_missing(s, "rights_contact"))),
    Rule("art6", "legal", "art6_basis", personal, lambda s: _blank(s.get("art6_basis")),
         "Choose the Article 6 lawful basis"),
    Rule("art9", "legal", "art9_condition", lambda s: "special_category" in _categories(s),
         lambda s: _blank(s.get("art9_condition")), "Choose an Article 9 condition for the special category data"),
    Rule("schedule1", "legal", "schedule1_condition", _needs_schedule1, lambda s: _blank(s.get("schedule1_condition")),
         lambda s: f"Choose the DPA 2018 Schedule 1 condition that {ART9_CONDITIONS[s['art9_condition']]} needs"),
    Rule("policy_document", "legal", "policy_document_in_place",
         lambda s: s.get("schedule1_condition") in SCHEDULE1_NEEDS_POLICY,
         lambda s: s.get("policy_document_in_place") is not True,
         "Confirm that an appropriate policy document is in place: the Schedule 1 condition needs one"),
    Rule("criminal", "legal", "criminal_condition", lambda s: "criminal_offence" in _categories(s),
         lambda s: _blank(s.get("criminal_condition")) and not s.get("law_enforcement_processing"),
         "Choose the Article 10 or Schedule 1 Part 3 condition for the criminal offence data, "
         "or say it is law-enforcement processing under DPA 2018 Part 3"),
    Rule("opt_out", "legal", "national_data_opt_out", personal, lambda s: _blank(s.get("national_data_opt_out")),
         "Say whether the national data opt-out applies"),
    Rule("anonymised", "legal", "confirmed_anonymised", non_personal, lambda s: not s.get("confirmed_anonymised"),
         "Confirm the data is anonymised or aggregate, so no one can be identified"),
    Rule("non_personal_items", "data", "add-item", non_personal,
         lambda s: bool(_categories(s) & PERSONAL_CATEGORIES),
         "Remove the personal data items, or change the kind of agreement: a non-personal agreement "
         "can only share anonymised, aggregate or non-personal data"),
    Rule("data_items", "data", "add-item", always, lambda s: not s.get("data_items"),
         "Add the data items to be shared"),
    Rule("subjects", "data", "add-group", personal, lambda s: not s.get("subject_groups"),
         "Add the groups of people the data is about"),
    Rule("transfer_safeguards", "flow", "transfer_safeguards", lambda s: bool(s.get("international_transfers")),
         lambda s: _blank(s.get("transfer_safeguards")), "Describe the safeguards for the international transfers"),
    Rule("security", "flow", "security_measures", personal, lambda s: _blank(s.get("security_measures")),
         "Describe the security measures"),
    Rule("retention", "parties", "add-party", personal, lambda s: bool(_parties_missing(s, "retention_period")),
         lambda s: "Give the retention period for " + ", ".join(_parties_missing(s, "retention_period"))),
    Rule("dpia_screening", "governance", FIRST_SCREENING_QUESTION, personal, lambda s: not s.get("dpia_screening"),
         "Answer the DPIA screening questions"),
    Rule("dpia_record", "governance", "dpia_reference", _dpia_required,
         lambda s: _blank(s.get("dpia_reference")) or _blank(s.get("dpia_date")) or _blank(s.get("dpia_outcome")),
         "Give the DPIA’s reference, date and outcome: the screening says a DPIA is needed"),
    Rule("effective_from", "dates", "effective_from", always, lambda s: _blank(s.get("effective_from")),
         "Enter the date the agreement takes effect"),
    Rule("review_date", "dates", "next_review_date", always, _review_too_late,
         lambda s: f"Set a next review date no later than {s.get('review_interval_months') or 12} months "
         "after the agreement takes effect"),
)  # fmt: skip


def gaps(snapshot: Snapshot) -> list[Gap]:
    return [gap for rule in RULES if (gap := rule.check(snapshot)) is not None]
