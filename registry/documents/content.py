"""From an agreement snapshot to the document's content: which fields go in which section."""

from __future__ import annotations

from typing import Any

from registry.documents.agreement_pdf import Certificate, Document, SignatureBlock
from registry.documents.sections import Section
from registry.models import agreement_choices as choices
from registry.services.snapshots import LABELS, display

RIGHTS_TEXT = (
    "People whose data is shared keep their rights under UK GDPR: to be informed, of access, to rectification, "
    "to erasure, to restrict processing, to object, and about automated decision-making. Each party handles "
    "requests for the data it holds and helps the others answer requests within one month."
)


def _rows(record: dict[str, Any], names: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(LABELS[name], display(name, record.get(name))) for name in names]


def sections(record: dict[str, Any]) -> list[Section]:
    parties = record.get("parties", [])
    items = record.get("data_items", [])
    return [
        Section(
            "purpose",
            "Introduction and purpose",
            _rows(
                record, ("purpose", "benefits", "necessity", "less_data_rationale", "partnership_name", "objectives")
            ),
        ),
        Section(
            "parties",
            "Partners and their roles",
            table=(
                ["Organisation", "Role", "Signatory", "Contact for data subject requests and complaints"],
                [
                    [
                        p["organisation_name"],
                        choices.PARTY_ROLES[p["role"]],
                        ", ".join(x for x in (p.get("signatory_name"), p.get("signatory_job_title")) if x)
                        or "Not named",
                        p.get("rights_contact") or "Not given",
                    ]
                    for p in parties
                ],
                [0.3, 0.15, 0.25, 0.3],
            ),
        ),
        Section(
            "legal",
            "Legal basis and statutory powers",
            _rows(
                record,
                (
                    "art6_basis",
                    "art9_condition",
                    "schedule1_condition",
                    "policy_document_in_place",
                    "criminal_condition",
                    "law_enforcement_processing",
                    "gateways",
                    "other_gateways",
                    "common_law_duty",
                    "national_data_opt_out",
                    "confirmed_anonymised",
                ),
            ),
        ),
        Section(
            "information",
            "Information shared",
            _rows(
                record,
                (
                    "subject_groups",
                    "identifiability",
                    "approximate_volume",
                    "direction",
                    "frequency",
                    "transfer_method",
                    "access_controls",
                    "onward_sharing",
                    "international_transfers",
                    "transfer_safeguards",
                ),
            ),
            table=(
                ["Data item", "Category", "Provided by", "Description"],
                [
                    [
                        i["name"],
                        choices.DATA_CATEGORIES[i["category"]],
                        i.get("provider_name") or "Not given",
                        i.get("description") or "",
                    ]
                    for i in items
                ],
                [0.25, 0.2, 0.2, 0.35],
            ),
        ),
        Section("rights", "Data subjects’ rights", _rows(record, ("privacy_notice_links",)), note=RIGHTS_TEXT),
        Section("security", "Security", _rows(record, ("security_measures", "breach_contact"))),
        Section(
            "retention",
            "Retention and disposal",
            table=(
                ["Party", "Retention period", "Disposal"],
                [
                    [
                        p["organisation_name"],
                        p.get("retention_period") or "Not given",
                        p.get("disposal_method") or "Not given",
                    ]
                    for p in parties
                ],
                [0.35, 0.3, 0.35],
            ),
        ),
        Section(
            "review",
            "Review",
            _rows(
                record,
                (
                    "effective_from",
                    "end_date",
                    "review_interval_months",
                    "next_review_date",
                    "dpia_screening",
                    "dpia_reference",
                    "dpia_date",
                    "dpia_outcome",
                ),
            ),
        ),
        Section("termination", "Termination", _rows(record, ("termination_arrangements",))),
    ]


def build(
    record: dict[str, Any],
    *,
    status_label: str,
    draft: bool,
    council: str,
    signatures: dict[str, Any] | None = None,
    certificate: Certificate | None = None,
) -> Document:
    """``signatures`` maps an organisation name to its signature (name, job title, signed_at)."""
    signed = signatures or {}
    parties = [
        SignatureBlock(
            organisation=p["organisation_name"],
            role=choices.PARTY_ROLES[p["role"]],
            signatory_name=p.get("signatory_name"),
            signatory_job_title=p.get("signatory_job_title"),
            signed_by=getattr(signed.get(p["organisation_name"]), "signed_by", None),
            signed_job_title=getattr(signed.get(p["organisation_name"]), "job_title", None),
            signed_at=getattr(signed.get(p["organisation_name"]), "signed_at", None),
        )
        for p in record.get("parties", [])
    ]
    dates = {
        "Takes effect": display("effective_from", record.get("effective_from")),
        "Ends": display("end_date", record.get("end_date")),
        "Next review": display("next_review_date", record.get("next_review_date")),
    }
    return Document(
        reference=record["reference"],
        version=record["version"],
        title=record["title"],
        status_label=status_label,
        draft=draft,
        council=council,
        kind_label=choices.KINDS[record["kind"]],
        sections=sections(record),
        parties=parties,
        dates=dates,
        certificate=certificate,
    )
