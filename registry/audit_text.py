"""Audit events in plain English: what an action means and how a recorded field change reads.

Pure functions of stored values (and a table of names looked up by the caller), so the audit
log page, a record's history and the CSV export all say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from registry.dates import format_date, format_datetime
from registry.models import agreement_choices as choices
from registry.models.organisation import KIND_LABELS, Sector
from registry.models.user import ROLE_LABELS
from registry.services.snapshots import CHOICE_LABELS as AGREEMENT_CHOICES
from registry.services.snapshots import LABELS as AGREEMENT_LABELS
from registry.services.snapshots import display as snapshot_display

ACTIONS: dict[str, str] = {
    "organisation.created": "Organisation added",
    "organisation.updated": "Organisation details changed",
    "organisation.dissolved": "Organisation marked as dissolved",
    "partnership.created": "Partnership created",
    "partnership.updated": "Partnership details changed",
    "partnership.member_added": "Member added to partnership",
    "partnership.member_left": "Member left partnership",
    "objective.created": "Objective added",
    "objective.updated": "Objective changed",
    "objective.progress_recorded": "Objective progress recorded",
    "community.added": "Community added",
    "community.retired": "Community retired",
    "community.reinstated": "Community brought back",
    "agreement.created": "Agreement started",
    "agreement.updated": "Agreement changed",
    "agreement.new_version": "New version of agreement started",
    "agreement.party_added": "Party added to agreement",
    "agreement.party_updated": "Agreement party changed",
    "agreement.party_removed": "Party removed from agreement",
    "agreement.item_added": "Data item added to agreement",
    "agreement.item_updated": "Agreement data item changed",
    "agreement.item_removed": "Data item removed from agreement",
    "agreement.subjects_added": "Data subjects added to agreement",
    "agreement.subjects_removed": "Data subjects removed from agreement",
    "agreement.submit": "Agreement submitted for approval",
    "agreement.approve": "Agreement approved",
    "agreement.return": "Agreement returned to draft",
    "agreement.request_signatures": "Agreement sent for signature",
    "agreement.activate": "Agreement made active",
    "agreement.terminate": "Agreement terminated",
    "agreement.expire": "Agreement marked as expired",
    "agreement.reviewed": "Agreement review recorded",
    "agreement.signed": "Agreement signed",
    "agreement.sealed": "Signed agreement sealed",
    "agreement.signatures_voided": "Signatures cancelled (their version will never be in force)",
    "agreement.variation_opened": "Variation of agreement proposed",
    "agreement.variation_withdrawn": "Proposed variation withdrawn",
    "agreement.variation_ended": "Proposed variation ended with its agreement",
    "agreement.variation_in_force": "Proposed variation signed by every party and in force",
    "agreement.new_version_in_force": "New version of agreement in force",
    "document.downloaded": "Document downloaded",
    "user.created": "User account created",
    "user.updated": "User account changed",
    "user.role_changed": "User role changed",
    "user.deactivated": "User account deactivated",
    "user.reactivated": "User account reactivated",
    "user.signatory_changed": "Signatory status changed",
    "user.signed_in": "Signed in",
    "user.sign_in_failed": "Sign-in failed",
    "user.signed_out": "Signed out",
    "user.two_factor_enabled": "Two-factor sign-in turned on",
    "user.two_factor_disabled": "Two-factor sign-in turned off",
    "user.two_factor_reset": "Two-factor sign-in reset by an administrator",
    "user.recovery_code_used": "Recovery code used to sign in",
    "user.recovery_codes_replaced": "New recovery codes made",
    "user.two_factor_code_failed": "Wrong two-factor code entered to confirm a change",
    "user.password_changed": "Password changed",
    "user.other_sessions_ended": "Signed out of other sessions",
    "access.refused": "Access refused",
    "audit.exported": "Audit log exported",
    "agreements.exported": "Agreements list exported",
    "database.backed_up": "Database backed up",
    "database.backup_failed": "Database backup failed",
    "database.restored": "Database restored from a backup",
}

ENTITY_TYPES: dict[str, str] = {
    "organisation": "Organisation",
    "partnership": "Partnership",
    "objective": "Objective",
    "agreement": "Agreement",
    "user": "User account",
    "community": "Community",
    "page": "Page",
    "audit_log": "Audit log",
    "database": "Database",
}

FIELDS: dict[str, str] = {
    **AGREEMENT_LABELS,
    "status": "Status",
    "version_number": "Version",
    "owner_id": "Owner",
    "return_comments": "Comments on return",
    "variation": "Proposed variation",
    "variation_outcome": "How the proposed variation ended",
    "versions": "Versions",
    "ico_registration_number": "ICO registration number",
    "nhs_ods_code": "NHS ODS code",
    "ukprn": "UKPRN",
    "school_urn": "School URN",
    "rsh_number": "Regulator of Social Housing number",
    "dpo_name": "Data protection officer",
    "dpo_email": "Data protection officer’s email address",
    "main_contact_email": "Main contact’s email address",
    "main_contact_phone": "Main contact’s phone number",
    "successor_id": "Successor",
    "lead_organisation_id": "Lead organisation",
    "owner_organisation_id": "Owning organisation",
    "provider_organisation_id": "Provided by",
    "organisation_id": "Organisation",
    "partnership_id": "Partnership",
    "objective_id": "Objective",
    "email": "Email address",
    "active": "Account active",
    "is_signatory": "May sign for their organisation",
    "strategies": "Linked strategies",
    "risk_reward_sharing": "How risk and reward are shared",
    "joined_on": "Joined",
    "left_on": "Left",
    "signed_document_sha256": "Fingerprint of the signed document (SHA-256)",
    "path": "Page",
    "two_factor": "Two-factor sign-in",
    "wrong_code": "Wrong security code",
    "throttled": "Refused without checking, after too many failed attempts",
    "attempted": "What they tried to do",
    "codes_left": "Recovery codes left",
    "sessions_ended": "Sessions ended",
    "other_sessions_ended": "Other sessions ended",
    "method": "Request",
    # the filters of an export
    "entity_type": "Kind of record",
    "entity_id": "Record number or reference",
    "actor": "Email address of the person who acted",
    "action": "What they did",
}
HTTP_STATUSES = {403: "403 (not allowed)", 404: "404 (the record is hidden from them)"}

# fields that hold the id of another record: shown by its name
REFERENCES: dict[str, str] = {
    "successor_id": "organisation",
    "lead_organisation_id": "organisation",
    "owner_organisation_id": "organisation",
    "provider_organisation_id": "organisation",
    "organisation_id": "organisation",
    "partnership_id": "partnership",
    "objective_id": "objective",
    "owner_id": "user",
}

CHOICES: dict[str, Mapping[str, str]] = {
    **AGREEMENT_CHOICES,
    "sector": {s.value: s.label for s in Sector},
    "role": {**{r.value: r.label for r in ROLE_LABELS}, **choices.PARTY_ROLES},
    "category": choices.DATA_CATEGORIES,
    "outcome": choices.REVIEW_OUTCOMES,
    "variation_outcome": choices.VARIATION_OUTCOMES,
    "action": ACTIONS,
    "entity_type": ENTITY_TYPES,
}
ORGANISATION_KINDS = {k.value: label for k, label in KIND_LABELS.items()}
# states read best in lower case mid-sentence: "Status: draft → awaiting approval"
STATUSES = {**{k: v.lower() for k, v in choices.STATUSES.items()}, "dissolved": "dissolved", "active": "active"}

Names = Mapping[str, Mapping[str, str]]  # kind -> str(id) -> name
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the field had no value (or the part did not exist)
    after: str | None

    def __str__(self) -> str:
        if self.before is not None and self.after is not None:
            return f"{self.label}: {self.before} → {self.after}"
        if self.after is not None:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} (removed)"


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    return action.replace(".", ": ").replace("_", " ").capitalize()


def entity_label(entity_type: str) -> str:
    return ENTITY_TYPES.get(entity_type, entity_type.replace("_", " ").capitalize())


def field_label(field: str, entity_type: str = "") -> str:
    if entity_type == "organisation" and field == "kind":
        return "Kind of organisation"
    if ": " in field:  # a field of one part: "party Northbridge Homes: signatory_name"
        part, inner = field.rsplit(": ", 1)
        return f"{part[:1].upper()}{part[1:]}: {field_label(inner).lower()}"
    if field in FIELDS:
        return FIELDS[field]
    text = field.removesuffix("_id").replace("_", " ")
    return text[:1].upper() + text[1:]


def value_text(field: str, value: Any, names: Names | None = None, entity_type: str = "") -> str | None:
    """A stored value as a person reads it; None when there was no value."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    field = field.rsplit(": ", 1)[-1]  # "party Northbridge Homes: role" is a party's role
    if field == "status" and isinstance(value, int):
        return HTTP_STATUSES.get(value, str(value))
    if field in REFERENCES and names is not None:
        return names.get(REFERENCES[field], {}).get(str(value), f"{REFERENCES[field]} {value}")
    if field == "dpia_screening" and isinstance(value, dict):
        return snapshot_display(field, value)
    if isinstance(value, dict):
        parts = [f"{field_label(k)}: {value_text(k, v, names)}" for k, v in value.items() if v not in (None, "", [])]
        return "; ".join(parts) or None
    if isinstance(value, list):
        return "; ".join(text for v in value if (text := value_text(field, v, names)) is not None) or None
    if isinstance(value, str):
        return _string(field, value, entity_type)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _string(field: str, value: str, entity_type: str) -> str:
    if field == "status" and value in STATUSES:
        return STATUSES[value]
    if field == "kind" and entity_type == "organisation":
        return ORGANISATION_KINDS.get(value, value)
    if field in CHOICES and value in CHOICES[field]:
        return CHOICES[field][value]
    if _ISO_DATE.match(value):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if _ISO_DATETIME.match(value):
        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return value


def changes(event_changes: Mapping[str, Any] | None, names: Names | None = None, entity_type: str = "") -> list[Change]:
    """Each recorded field change, labelled and with readable values, in the order recorded."""
    found = []
    for field, change in (event_changes or {}).items():
        if isinstance(change, dict) and set(change) <= {"before", "after"}:
            before, after = change.get("before"), change.get("after")
        else:  # a value recorded without before/after
            before, after = None, change
        label = field_label(field, entity_type)
        found.append(
            Change(label, value_text(field, before, names, entity_type), value_text(field, after, names, entity_type))
        )
    return found


def referenced_ids(event_changes: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """The ids of other records named in the changes, by kind (so their names are looked up once)."""
    found: dict[str, set[str]] = {}

    def visit(field: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                visit(key, inner)
        elif field in REFERENCES and value is not None and not isinstance(value, list | bool):
            found.setdefault(REFERENCES[field], set()).add(str(value))

    for field, change in (event_changes or {}).items():
        if isinstance(change, dict) and set(change) <= {"before", "after"}:
            visit(field, change.get("before"))
            visit(field, change.get("after"))
        else:
            visit(field, change)
    return found
