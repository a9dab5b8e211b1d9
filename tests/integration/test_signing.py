"""Signing an agreement by every party through the real sign page, then the signed PDF."""

from __future__ import annotations

import hashlib
import html
import re

from factories import audit_events, field_error, make_agreement, make_organisation, make_user, page_text, reload, submit
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement, Role, Signature, SignedDocument, User
from registry.services import users

STALE = "The document changed after you opened it: read the current version, then sign"


def signatory(app: Flask, organisation, name: str | None = None) -> User:  # type: ignore[no-untyped-def]
    """A partner user of the organisation, marked by an admin as one who signs for it."""
    user = make_user(app, Role.PARTNER, organisation, **({"name": name} if name else {}))
    with app.app_context():
        users.set_signatory(None, db.session.get(User, user.id), True)
        db.session.commit()
    return reload(app, User, user.id)


def hidden_fingerprint(page: str) -> str:
    match = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]*)"', page)
    assert match, "the sign form has no fingerprint field"
    return match.group(1)


def sign(client, reference: str, **overrides: str):  # type: ignore[no-untyped-def]
    """Fill in the sign form as a signatory would: job title, tick the box, keep the fingerprint (the name
    signed with is the account's own)."""
    url = f"/agreements/{reference}/sign"
    form = {
        "job_title": "Director of Housing",
        "authorised": "y",
        "fingerprint": hidden_fingerprint(client.get(url).text),
    }
    form.update(overrides)
    return submit(client, url, {k: v for k, v in form.items() if v is not None})


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it, lines joined."""
    import subprocess

    found = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(found.decode().split())


def signature_rows(page: str) -> dict[str, str]:
    """The signatures table on the agreement page: party -> who signed, or 'Yet to sign'."""
    table = page.split('id="signatures"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table.split("<tbody", 1)[1], re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<td.*?</td>", row, re.S)
        ]
        rows[cells[0]] = cells[1]
    return rows


def status_of(app: Flask, reference: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Agreement.status).where(Agreement.reference == reference))


def lock_version(app: Flask, reference: str) -> str:
    with app.app_context():
        return str(db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference)))


def signatures(app: Flask, agreement_id: int) -> list[Signature]:
    with app.app_context():
        found = list(db.session.scalars(select(Signature).where(Signature.agreement_id == agreement_id)))
        db.session.expunge_all()
        return found


def three_party_agreement(app: Flask, cast, status: str = "approved"):  # type: ignore[no-untyped-def]
    council = make_organisation(app, name="Northbridge Borough Council", ico_registration_number="Z1234567")
    charity = make_organisation(app, name="Northbridge Tenants Trust", sector="third", kind="charity")
    organisations = [council, cast.own_org, charity]
    return make_agreement(app, cast.admin, organisations, status=status), organisations


def test_every_party_signs_through_the_form_and_gets_the_signed_pdf(app, cast, as_user) -> None:
    agreement, organisations = three_party_agreement(app, cast)
    reference, url = agreement.reference, f"/agreements/{agreement.reference}"
    manager = as_user(cast.manager)
    response = submit(manager, f"{url}/request-signatures", {"version": lock_version(app, reference)}, token_from="/")
    assert response.status_code == 302 and status_of(app, reference) == "awaiting_signatures"
    assert f"{reference} has been sent to the parties for signature" in page_text(manager.get(url))
    assert set(signature_rows(manager.get(url).text).values()) == {"Yet to sign"}

    signers = [signatory(app, org, f"Signer for {org.name}") for org in organisations]
    for number, (signer, organisation) in enumerate(zip(signers, organisations, strict=True), start=1):
        client = as_user(signer)
        assert "Your signature is needed" in client.get(url).text
        page = client.get(f"{url}/sign")
        assert page.status_code == 200
        shown = re.search(r'id="document-fingerprint">([0-9a-f]{64})<', page.text)
        assert shown and shown.group(1) == hidden_fingerprint(page.text)
        assert page.text.count('id="fingerprint"') == 1  # one element per id
        approved = client.get(f"{url}/versions/1/document.pdf")  # the "read before you sign" link
        assert hashlib.sha256(approved.data).hexdigest() == shown.group(1)
        assert f"I am authorised to sign this agreement for {organisation.name}" in page_text(page)

        assert f"You are signing as {signer.name} ({signer.email})" in page_text(page)
        # a name typed into the form (there is no such field) is not what the signature records
        response = sign(client, reference, signer_name="Race partner@example.org")
        assert response.status_code == 302 and response.headers["Location"] == url
        flashed = page_text(client.get(url))
        if number < len(signers):
            assert "You have signed the agreement. The other parties will be asked to sign." in flashed
            rows = signature_rows(manager.get(url).text)
            assert [party for party, who in rows.items() if who == "Yet to sign"] == [
                org.name for org in organisations[number:]
            ]
            assert rows[organisation.name] == f"{signer.name} ({signer.email}), Director of Housing"
            assert status_of(app, reference) == "awaiting_signatures"
        else:
            assert "Every party has now signed: the signed PDF is ready." in flashed
        assert "Your signature is needed" not in client.get(url).text

    assert status_of(app, reference) == "active"
    page = manager.get(url).text
    assert "Yet to sign" not in page
    assert "Download the signed and sealed PDF of version 1" in page
    with app.app_context():
        stored = db.session.scalar(select(SignedDocument).where(SignedDocument.agreement_id == agreement.id))
        pdf = stored.pdf
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for signer in signers:  # the sealed PDF names each signing account, never the typed name
        assert f"{signer.name} ({signer.email})" in text
    assert "Race" not in text

    for signer in signers:
        response = as_user(signer).get(f"{url}/signed/version-1.pdf")
        assert response.status_code == 200 and response.data == pdf
        assert response.mimetype == "application/pdf"
        disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.pdf"', disposition), disposition
        assert reference in disposition
        assert response.headers["Cache-Control"] == "no-store"
    downloads = [e for e in audit_events(app, "document.downloaded") if e.entity_id == reference]
    signed_downloads = [e for e in downloads if e.changes["document"]["after"] == "signed and sealed PDF"]
    assert sorted(e.actor_id for e in signed_downloads) == sorted(s.id for s in signers)
    assert len(downloads) == 2 * len(signers)  # each also read the approved PDF before signing

    outsider = as_user(cast.other_partner)  # a partner whose organisation is not a party
    assert outsider.get(f"{url}/signed/version-1.pdf").status_code == 404
    assert outsider.get(f"{url}/sign").status_code == 404
    assert len(audit_events(app, "document.downloaded")) == len(downloads)  # a 404 records nothing


def test_only_a_signatory_signs_and_only_after_confirming_the_current_document(app, cast, as_user) -> None:
    agreement, _ = three_party_agreement(app, cast, status="awaiting_signatures")
    url = f"/agreements/{agreement.reference}"

    not_signatory = as_user(cast.partner)  # a partner of a party, but not marked as a signatory
    assert "Your signature is needed" not in not_signatory.get(url).text
    response = not_signatory.get(f"{url}/sign")
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "There is nothing for you to sign on this agreement" in page_text(not_signatory.get(url))
    response = submit(
        not_signatory,
        f"{url}/sign",
        {"signer_name": "Pat", "job_title": "Officer", "authorised": "y", "fingerprint": "0" * 64},
        token_from=url,
    )
    assert response.status_code == 302
    assert signatures(app, agreement.id) == []

    account = signatory(app, cast.own_org, "Pat Partner")
    signer = as_user(account)
    response = sign(signer, agreement.reference, authorised=None)
    assert response.status_code == 200
    assert field_error(response, "authorised") == "Confirm that you are authorised to sign for your organisation"
    response = sign(signer, agreement.reference, fingerprint="f" * 64)
    assert response.status_code == 200
    assert STALE in page_text(response)
    assert signatures(app, agreement.id) == []
    assert status_of(app, agreement.reference) == "awaiting_signatures"

    response = sign(signer, agreement.reference, signer_name="Race")
    assert response.status_code == 302
    assert [(s.signer_name, s.signer_email) for s in signatures(app, agreement.id)] == [("Pat Partner", account.email)]
    response = signer.get(f"{url}/sign")  # signed already: nothing more to sign
    assert response.status_code == 302
    assert "There is nothing for you to sign on this agreement" in page_text(signer.get(url))
