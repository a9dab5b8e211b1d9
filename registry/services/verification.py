"""What the registry knows about a document someone wants to check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from registry.dates import format_date
from registry.documents import verify
from registry.documents.seal import SealingUnavailable, certificate
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, SignedDocument
from registry.services.signing import key_source


@dataclass(frozen=True)
class Outcome:
    verdict: str  # genuine, altered, not_ours, not_pdf, damaged, unknown_code, found_code
    message: str
    document: SignedDocument | None = None
    agreement: Agreement | None = None
    version: AgreementVersion | None = None

    @property
    def standing(self) -> str | None:
        """Whether the document's version is the one in force. A proposed variation does not change
        that: a version is superseded only once its replacement is approved and signed by every party."""
        if self.agreement is None or self.document is None:
            return None
        number = self.document.version_number
        if self.agreement.status in ("terminated", "expired"):
            return f"The agreement has been {self.agreement.status_label.lower()}."
        if self.version is not None and self.version.superseded_at is not None:
            replaced = f" by version {self.version.superseded_by}" if self.version.superseded_by else ""
            return (
                f"This is version {number}; it was superseded{replaced} on {format_date(self.version.superseded_at)}, "
                "when that version was signed by every party."
            )
        if number == self.agreement.version_number:
            return f"This is the current version, and the agreement is {self.agreement.status_label.lower()}."
        return f"This is version {number}; the agreement is now at version {self.agreement.version_number}."


def _found(where) -> tuple[SignedDocument | None, Agreement | None, AgreementVersion | None]:  # type: ignore[no-untyped-def]
    document = db.session.scalar(select(SignedDocument).where(where))
    if document is None:
        return None, None, None
    agreement = db.session.get(Agreement, document.agreement_id)
    version = db.session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == document.agreement_id, AgreementVersion.number == document.version_number
        )
    )
    return document, agreement, version


def check_file(data: bytes) -> Outcome:
    try:
        root = certificate(key_source())
    except SealingUnavailable:
        return Outcome("not_ours", "This registry has no seal configured, so it cannot check documents.")
    finding = verify.check(data, root)
    if finding.verdict in (verify.Verdict.NOT_PDF, verify.Verdict.DAMAGED):
        return Outcome(finding.verdict.value, finding.detail)
    document, agreement, version = _found(
        or_(SignedDocument.sha256 == finding.sha256, SignedDocument.sha256 == (finding.sealed_sha256 or ""))
    )
    if finding.verdict == verify.Verdict.GENUINE and document is not None and document.sha256 == finding.sha256:
        return Outcome(
            "genuine", "This is a genuine, unaltered document sealed by this registry.", document, agreement, version
        )
    if finding.verdict == verify.Verdict.NOT_OURS:
        return Outcome("not_ours", finding.detail + " It is not a document this registry sealed.")
    named = f" It started as {agreement.reference} version {document.version_number}." if document and agreement else ""
    return Outcome(
        "altered",
        "This document has been changed since the registry sealed it. " + finding.detail + named,
        document,
        agreement,
        version,
    )


def check_code(code: str) -> Outcome:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    formatted = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else code.strip().upper()
    document, agreement, version = _found(SignedDocument.verification_code == formatted)
    if document is None:
        return Outcome("unknown_code", "No document sealed by this registry has that verification code.")
    return Outcome(
        "found_code",
        "A document with this code was sealed by this registry. Upload your copy to check "
        "that it has not been changed.",
        document,
        agreement,
        version,
    )
